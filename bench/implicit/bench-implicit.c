/* bench-implicit: implicit differentiation against forward-mode unrolling (tangents carried
 * through every inner iteration) and central finite differences, at equal inner accuracy, on
 * the lasso (ISTA; d x* / d lambda) and the soft-sphere minimum (FIRE; d x* / d small diameter).
 * Each repetition runs the three methods in turn from the same start; the table gives medians.
 * "derivative s" is the time beyond the plain inner solve (implicit: the linear solve; unrolled:
 * the tangent propagation; differences: two warm-started re-solves), "total s" includes it.
 * Errors are relative (max norm) to a reference: lasso, the closed form on the support
 * (X_S^T X_S)^{-1} (-sign x_S) by LAPACK; soft spheres, the implicit-function-theorem derivative
 * by a dense LU solve of the formed (lifted) Hessian at the same x*.
 *
 *   bench-implicit [-quick] [-reps R] [-particles N] [-m M] [-n N]
 */
#include "bench-util.h"
#include "implicit-problems.h"

#include <lapacke.h>

struct config {
  int quick, reps;
  int64_t particles, m, n;
};

/* One method's measurements over the repetitions. */
struct method {
  const char *name;
  double derivative[16], total[16], error;
  int64_t steps;
};

static double rel_error(const double *a, const double *ref, int64_t n) {
  double num = 0, den = 0;
  for (int64_t i = 0; i < n; i++)
    num = fmax(num, fabs(a[i] - ref[i])), den = fmax(den, fabs(ref[i]));
  return num / den;
}

/* ---- lasso ---- */

static void lasso_reference(struct lasso *ls, const double *x, double *ref) {
  const int64_t n = ls->n;
  int64_t S[4096], k = 0;
  for (int64_t j = 0; j < n; j++)
    if (x[j] != 0) S[k++] = j;
  double *H = calloc((size_t)(k * k + k), sizeof(double)), *r = H + k * k;
  for (int64_t a = 0; a < k; a++) {
    for (int64_t b = 0; b < k; b++)
      H[a + b * k] = problems_dot(ls->X + S[a] * ls->m, ls->X + S[b] * ls->m, ls->m);
    r[a] = x[S[a]] > 0 ? -1 : 1;
  }
  LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', (int)k, 1, H, (int)k, r, (int)k);
  memset(ref, 0, sizeof(double) * (size_t)n);
  for (int64_t a = 0; a < k; a++) ref[S[a]] = r[a];
  free(H);
}

static int bench_lasso(const struct config *c, struct method *m) {
  struct lasso ls;
  if (lasso_create(c->m, c->n, 1, &ls)) return 1;
  const int64_t n = c->n;
  double lambda = 0, eta = lasso_step(&ls), tol = 1e-13, one = 1;
  for (int64_t j = 0; j < n; j++)
    lambda = fmax(lambda, fabs(problems_dot(ls.X + j * ls.m, ls.y, ls.m)));
  lambda *= 0.1;
  double h = 1e-6 * lambda;
  double *x = calloc((size_t)(6 * n), sizeof(double)), *dx = x + n, *ref = dx + n, *xp = ref + n,
         *xm = xp + n, *fd = xm + n;
  solace_implicit pb = NULL;
  int status = lasso_problem(&ls, eta, &pb);
  for (int r = 0; !status && r < c->reps; r++) {
    double t0 = solace_wtime();
    memset(x, 0, sizeof(double) * (size_t)n);
    m[0].steps = m[1].steps = lasso_ista(&ls, lambda, eta, tol, 10000000, x, NULL);
    double t1 = solace_wtime();
    status = solace_implicit_jvp(pb, x, &lambda, &one, dx);
    double t2 = solace_wtime();
    m[0].derivative[r] = t2 - t1, m[0].total[r] = t2 - t0;
    if (r == 0) lasso_reference(&ls, x, ref), m[0].error = rel_error(dx, ref, n);
    /* unrolled */
    memset(x, 0, sizeof(double) * (size_t)n);
    memset(dx, 0, sizeof(double) * (size_t)n);
    double t3 = solace_wtime();
    lasso_ista(&ls, lambda, eta, tol, 10000000, x, dx);
    double t4 = solace_wtime();
    m[1].derivative[r] = (t4 - t3) - (t1 - t0), m[1].total[r] = t4 - t3;
    m[1].error = rel_error(dx, ref, n);
    /* finite differences from x* */
    memcpy(xp, x, sizeof(double) * (size_t)n), memcpy(xm, x, sizeof(double) * (size_t)n);
    double t5 = solace_wtime();
    m[2].steps = lasso_ista(&ls, lambda + h, eta, tol, 10000000, xp, NULL);
    m[2].steps += lasso_ista(&ls, lambda - h, eta, tol, 10000000, xm, NULL);
    double t6 = solace_wtime();
    for (int64_t j = 0; j < n; j++) fd[j] = (xp[j] - xm[j]) / (2 * h);
    m[2].derivative[r] = t6 - t5, m[2].total[r] = (t6 - t5) + (t1 - t0);
    m[2].error = rel_error(fd, ref, n);
  }
  if (status) fprintf(stderr, "lasso: %s\n", solace_error_message());
  solace_implicit_destroy(&pb);
  free(x);
  lasso_destroy(&ls);
  return status != 0;
}

/* ---- soft spheres ---- */

/* The reference: the lifted Hessian formed column by column and solved by LU. */
static int md_reference(struct md *md, const double *x, double theta, double *ref) {
  const int64_t n = 2 * md->count;
  double *A = calloc((size_t)(n * n + n), sizeof(double)), *e = A + n * n, one = 1;
  for (int64_t j = 0; j < n; j++) {
    e[j] = 1;
    md_hvp(n, 1, x, &theta, e, A + j * n, md);
    e[j] = 0;
  }
  md_cross(n, 1, x, &theta, &one, ref, md);
  for (int64_t i = 0; i < n; i++) ref[i] = -ref[i];
  lapack_int *piv = calloc((size_t)n, sizeof(lapack_int));
  int info = LAPACKE_dgesv(LAPACK_COL_MAJOR, (int)n, 1, A, (int)n, piv, ref, (int)n);
  free(A);
  free(piv);
  return info;
}

static int bench_md(const struct config *c, struct method *m) {
  struct md md;
  const int64_t n = 2 * c->particles;
  double theta = 1, one = 1, ftol = 1e-12, h = 1e-5;
  double *start = calloc((size_t)(7 * n), sizeof(double)), *x = start + n, *dx = x + n,
         *ref = dx + n, *xp = ref + n, *xm = xp + n, *fd = xm + n;
  if (md_create(c->particles, 0.92, 1, &md, start)) return 1;
  solace_implicit pb = NULL;
  int status = md_problem(&md, &pb);
  if (!status) status = solace_implicit_set_solver(pb, SOLACE_IMPLICIT_CG, 1e-12, 0);
  for (int r = 0; !status && r < c->reps; r++) {
    memcpy(x, start, sizeof(double) * (size_t)n);
    double t0 = solace_wtime();
    m[0].steps = m[1].steps = md_fire(&md, theta, ftol, 10000000, x, NULL);
    md_find_rattlers(&md, x, theta);
    double t1 = solace_wtime();
    status = solace_implicit_jvp(pb, x, &theta, &one, dx);
    double t2 = solace_wtime();
    m[0].derivative[r] = t2 - t1, m[0].total[r] = t2 - t0;
    if (r == 0) status = status ? status : md_reference(&md, x, theta, ref);
    m[0].error = rel_error(dx, ref, n);
    /* unrolled: the same FIRE run carrying tangents */
    memcpy(x, start, sizeof(double) * (size_t)n);
    memset(dx, 0, sizeof(double) * (size_t)n);
    double t3 = solace_wtime();
    md_fire(&md, theta, ftol, 10000000, x, dx);
    double t4 = solace_wtime();
    md_remove_translation(c->particles, dx);
    m[1].derivative[r] = (t4 - t3) - (t1 - t0), m[1].total[r] = t4 - t3;
    m[1].error = rel_error(dx, ref, n);
    /* finite differences, warm-started from x* */
    memcpy(xp, x, sizeof(double) * (size_t)n), memcpy(xm, x, sizeof(double) * (size_t)n);
    double t5 = solace_wtime();
    m[2].steps = md_fire(&md, theta + h, ftol, 10000000, xp, NULL);
    m[2].steps += md_fire(&md, theta - h, ftol, 10000000, xm, NULL);
    double t6 = solace_wtime();
    for (int64_t k = 0; k < n; k++) fd[k] = (xp[k] - xm[k]) / (2 * h);
    md_remove_translation(c->particles, fd);
    m[2].derivative[r] = t6 - t5, m[2].total[r] = (t6 - t5) + (t1 - t0);
    m[2].error = rel_error(fd, ref, n);
  }
  if (status) fprintf(stderr, "md: %s\n", solace_error_message());
  solace_implicit_destroy(&pb);
  free(start);
  md_destroy(&md);
  return status != 0;
}

static void print_case(const char *name, struct method *m, int reps) {
  double d0 = bench_median(m[0].derivative, reps), t0 = bench_median(m[0].total, reps);
  for (int k = 0; k < 3; k++) {
    double d = bench_median(m[k].derivative, reps), t = bench_median(m[k].total, reps);
    printf("%-8s %-12s %10lld %13.4g %11.4g %12.2e %11.1fx %9.1fx\n", name, m[k].name,
           (long long)m[k].steps, d, t, m[k].error, d / d0, t / t0);
  }
}

static int parse(int argc, char **argv, struct config *c) {
  *c = (struct config){0, 5, 128, 200, 100};
  for (int k = 1; k < argc; k++) {
    if (!strcmp(argv[k], "-quick"))
      *c = (struct config){1, 1, 64, 60, 30};
    else if (k + 1 < argc && !strcmp(argv[k], "-reps"))
      c->reps = atoi(argv[++k]);
    else if (k + 1 < argc && !strcmp(argv[k], "-particles"))
      c->particles = atoll(argv[++k]);
    else if (k + 1 < argc && !strcmp(argv[k], "-m"))
      c->m = atoll(argv[++k]);
    else if (k + 1 < argc && !strcmp(argv[k], "-n"))
      c->n = atoll(argv[++k]);
    else {
      fprintf(stderr, "usage: bench-implicit [-quick] [-reps R] [-particles N] [-m M] [-n N]\n");
      return 1;
    }
  }
  if (c->reps < 1 || c->reps > 16 || c->particles < 4 || c->n < 2 || c->n > 4096 || c->m < 2) {
    fprintf(stderr, "bench-implicit: reps must be 1..16, particles >= 4, 2 <= n <= 4096\n");
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  struct config c;
  if (parse(argc, argv, &c)) return 2;
  solace_initialize(NULL, NULL);
  solace_set_blas_threads(1);
  bench_print_machine();
  printf("lasso: %lld x %lld, lambda = 0.1 max|X^T y|, ISTA to step change 1e-13; soft spheres: "
         "%lld particles, packing 0.92, FIRE to max force 1e-12; %d repetitions (medians)\n",
         (long long)c.m, (long long)c.n, (long long)c.particles, c.reps);
  struct method lasso[3] = {{.name = "implicit"}, {.name = "unrolled"}, {.name = "finite-diff"}};
  struct method md[3] = {{.name = "implicit"}, {.name = "unrolled"}, {.name = "finite-diff"}};
  int status = bench_lasso(&c, lasso) || bench_md(&c, md);
  if (status) return 1;
  printf("%-8s %-12s %10s %13s %11s %12s %12s %10s\n", "case", "method", "inner-steps",
         "derivative-s", "total-s", "rel-error", "deriv-ratio", "total-ratio");
  print_case("lasso", lasso, c.reps);
  print_case("md", md, c.reps);
  double speedup = bench_median(md[1].derivative, c.reps) / bench_median(md[0].derivative, c.reps);
  printf("md: implicit derivative %.1fx faster than unrolling, error %.1e (target >= 10x, "
         "< 1e-8: %s)\n",
         speedup, md[0].error, speedup >= 10 && md[0].error < 1e-8 ? "met" : "NOT met");
  solace_finalize();
  /* A broken derivative fails the run (the smoke test); speed is only reported. */
  return lasso[0].error < 1e-6 && md[0].error < 1e-6 ? 0 : 1;
}
