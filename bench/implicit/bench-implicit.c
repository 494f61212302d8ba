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

/* One benchmark case: the inner solver (from x, optionally carrying the tangent dx), the
 * implicit problem, and the gauge projection applied to every derivative (or NULL). */
struct bench_case {
  int64_t n;
  double theta, h, step; /* parameter, difference step, inner step size (lasso) */
  double *start, *x, *dx, *ref, *xp, *xm;
  int64_t (*solve)(struct bench_case *bc, double theta, double *x, double *dx);
  void (*project)(struct bench_case *bc, double *dx);
  void (*prepare)(struct bench_case *bc); /* after the plain solve (e.g. finds rattlers) */
  solace_implicit pb;
  void *problem;
};

static int case_alloc(struct bench_case *bc, int64_t n) {
  bc->n = n;
  bc->start = calloc((size_t)(6 * n), sizeof(double));
  if (!bc->start) return 1;
  bc->x = bc->start + n, bc->dx = bc->x + n, bc->ref = bc->dx + n;
  bc->xp = bc->ref + n, bc->xm = bc->xp + n;
  return 0;
}

static void copy(double *to, const double *from, int64_t n) {
  memcpy(to, from, sizeof(double) * (size_t)n);
}

/* Plain solve from the start, then the implicit JVP; returns the plain solve's seconds. */
static double time_implicit(struct bench_case *bc, struct method *m, int r, int *status) {
  const double one = 1;
  copy(bc->x, bc->start, bc->n);
  double t0 = solace_wtime();
  m->steps = bc->solve(bc, bc->theta, bc->x, NULL);
  if (bc->prepare) bc->prepare(bc);
  double t1 = solace_wtime();
  *status = solace_implicit_jvp(bc->pb, bc->x, &bc->theta, &one, bc->dx);
  double t2 = solace_wtime();
  m->derivative[r] = t2 - t1, m->total[r] = t2 - t0;
  if (bc->project) bc->project(bc, bc->dx);
  m->error = rel_error(bc->dx, bc->ref, bc->n);
  return t1 - t0;
}

/* The same solve carrying the tangent; its extra time over the plain solve is the derivative's. */
static void time_unrolled(struct bench_case *bc, struct method *m, int r, double plain) {
  copy(bc->x, bc->start, bc->n);
  memset(bc->dx, 0, sizeof(double) * (size_t)bc->n);
  double t0 = solace_wtime();
  m->steps = bc->solve(bc, bc->theta, bc->x, bc->dx);
  double t1 = solace_wtime();
  m->derivative[r] = (t1 - t0) - plain, m->total[r] = t1 - t0;
  if (bc->project) bc->project(bc, bc->dx);
  m->error = rel_error(bc->dx, bc->ref, bc->n);
}

/* Central differences of two solves warm-started from x*. */
static void time_differences(struct bench_case *bc, struct method *m, int r, double plain) {
  copy(bc->xp, bc->x, bc->n), copy(bc->xm, bc->x, bc->n);
  double t0 = solace_wtime();
  m->steps = bc->solve(bc, bc->theta + bc->h, bc->xp, NULL);
  m->steps += bc->solve(bc, bc->theta - bc->h, bc->xm, NULL);
  double t1 = solace_wtime();
  for (int64_t k = 0; k < bc->n; k++) bc->xp[k] = (bc->xp[k] - bc->xm[k]) / (2 * bc->h);
  if (bc->project) bc->project(bc, bc->xp);
  m->derivative[r] = t1 - t0, m->total[r] = (t1 - t0) + plain;
  m->error = rel_error(bc->xp, bc->ref, bc->n);
}

/* The three methods in turn, reps times; the reference is computed once by `reference`. */
static int run_case(struct bench_case *bc, int reps, struct method *m,
                    int (*reference)(struct bench_case *bc)) {
  int status = 0;
  for (int r = 0; !status && r < reps; r++) {
    double plain = time_implicit(bc, &m[0], r, &status);
    if (!status && r == 0) status = reference(bc);
    if (!status && r == 0) m[0].error = rel_error(bc->dx, bc->ref, bc->n);
    time_unrolled(bc, &m[1], r, plain); /* the same iterates: x is x* again */
    time_differences(bc, &m[2], r, plain);
  }
  if (status) fprintf(stderr, "bench-implicit: %s\n", solace_error_message());
  return status != 0;
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

static int64_t lasso_case_solve(struct bench_case *bc, double lambda, double *x, double *dx) {
  return lasso_ista(bc->problem, lambda, bc->step, 1e-13, 10000000, x, dx);
}

static int lasso_case_reference(struct bench_case *bc) {
  lasso_reference(bc->problem, bc->x, bc->ref);
  return 0;
}

static int bench_lasso(const struct config *c, struct method *m) {
  struct lasso ls;
  struct bench_case bc = {0};
  if (lasso_create(c->m, c->n, 1, &ls) || case_alloc(&bc, c->n)) return 1;
  for (int64_t j = 0; j < c->n; j++)
    bc.theta = fmax(bc.theta, 0.1 * fabs(problems_dot(ls.X + j * ls.m, ls.y, ls.m)));
  bc.h = 1e-6 * bc.theta, bc.step = lasso_step(&ls), bc.solve = lasso_case_solve, bc.problem = &ls;
  int status = lasso_problem(&ls, bc.step, &bc.pb);
  if (!status) status = run_case(&bc, c->reps, m, lasso_case_reference);
  solace_implicit_destroy(&bc.pb);
  free(bc.start);
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

static int64_t md_case_solve(struct bench_case *bc, double theta, double *x, double *dx) {
  return md_fire(bc->problem, theta, 1e-12, 10000000, x, dx);
}

static void md_case_project(struct bench_case *bc, double *dx) {
  md_remove_translation(bc->n / 2, dx);
}

static void md_case_prepare(struct bench_case *bc) {
  md_find_rattlers(bc->problem, bc->x, bc->theta);
}

static int md_case_reference(struct bench_case *bc) {
  return md_reference(bc->problem, bc->x, bc->theta, bc->ref);
}

static int bench_md(const struct config *c, struct method *m) {
  struct md md;
  struct bench_case bc = {0};
  if (case_alloc(&bc, 2 * c->particles) || md_create(c->particles, 0.92, 1, &md, bc.start))
    return 1;
  bc.theta = 1, bc.h = 1e-5, bc.problem = &md, bc.solve = md_case_solve;
  bc.project = md_case_project, bc.prepare = md_case_prepare;
  int status = md_problem(&md, &bc.pb);
  if (!status) status = solace_implicit_set_solver(bc.pb, SOLACE_IMPLICIT_CG, 1e-12, 0);
  if (!status) status = run_case(&bc, c->reps, m, md_case_reference);
  solace_implicit_destroy(&bc.pb);
  free(bc.start);
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
