/* solace-implicit: derivatives of solutions by implicit differentiation on the bundled problems,
 * each checked against an independent reference; the last line is `max_rel_error <value>`.
 *
 *   solace-implicit -example ridge      d x* / d lambda of ridge regression vs the closed form
 *   solace-implicit -example lasso      d x* / d lambda of the lasso on its support vs central
 *                                       differences of re-solved (ISTA) problems
 *   solace-implicit -example hyperopt   lambda of the lasso tuned by gradient descent on a
 *                                       validation loss; its hypergradient vs differences
 *   solace-implicit -example md         2-D binary soft spheres (FIRE to max force 1e-12):
 *                                       d positions / d small diameter vs central differences
 *
 * PETSc options with the prefix implicit_ (-implicit_ksp_type, -implicit_pc_type, ...) apply to
 * the KSP solvers (-solver cg|gmres|bicgstab|normal_cg).
 */
#include "implicit-problems.h"
#include "solace.h"

#include <lapacke.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROGRAM "solace-implicit"
/* FIRE needs ~2300 steps for 128 particles at max force 1e-12; an unreachable -ftol stops here. */
#define FIRE_MAX_STEPS 300000

typedef struct {
  const char *example, *solver;
  int64_t n, m, particles, steps, seed;
  double lambda, phi, ftol, fd_step, rtol;
} options;

static const char *help_lines[] = {
    "-example NAME   ridge | lasso | hyperopt | md (default ridge)",
    "-n N            features of ridge/lasso/hyperopt (default 20 / 40 / 40)",
    "-m M            samples (training and validation each) (default 60)",
    "-particles N    md: particles, half small, half large (default 128)",
    "-phi F          md: packing fraction at small diameter 1 (default 0.92)",
    "-ftol F         md: FIRE stops at this largest force component (default 1e-12)",
    "-lambda L       ridge/lasso penalty; hyperopt start (default 0.5 / 0.1 max|X^T y| / same)",
    "-steps K        hyperopt: gradient-descent steps (default 20)",
    "-solver NAME    lu | cholesky | qr | cg | gmres | bicgstab | normal_cg (default lu; md cg)",
    "-rtol R         linear-solver relative tolerance (default 1e-12)",
    "-fd_step H      relative step of the finite-difference references (default 1e-6; md 1e-5)",
    "-seed S         random seed (default 1)",
    "-help           this list",
};

static int usage(int code) {
  fprintf(code ? stderr : stdout, "usage: " PROGRAM " [options]\n");
  for (size_t k = 0; k < sizeof help_lines / sizeof *help_lines; k++)
    fprintf(code ? stderr : stdout, "  %s\n", help_lines[k]);
  return code;
}

/* Reads the options; PETSc's (-implicit_*, -log_view, ...) are left to PETSc. */
static int parse(int argc, char **argv, options *o) {
  *o = (options){"ridge", NULL, 0, 60, 128, 20, 1, 0, 0.92, 1e-12, 0, 1e-12};
  for (int k = 1; k < argc; k++) {
    const char *a = argv[k], *v = k + 1 < argc ? argv[k + 1] : NULL;
    if (!strcmp(a, "-help") || !strcmp(a, "--help")) exit(usage(0));
    if (a[0] != '-' || !strncmp(a, "-implicit_", 10) || !v) continue;
    int used = 1;
    if (!strcmp(a, "-example"))
      o->example = v;
    else if (!strcmp(a, "-solver"))
      o->solver = v;
    else if (!strcmp(a, "-n"))
      o->n = atoll(v);
    else if (!strcmp(a, "-m"))
      o->m = atoll(v);
    else if (!strcmp(a, "-particles"))
      o->particles = atoll(v);
    else if (!strcmp(a, "-steps"))
      o->steps = atoll(v);
    else if (!strcmp(a, "-seed"))
      o->seed = atoll(v);
    else if (!strcmp(a, "-lambda"))
      o->lambda = atof(v);
    else if (!strcmp(a, "-phi"))
      o->phi = atof(v);
    else if (!strcmp(a, "-ftol"))
      o->ftol = atof(v);
    else if (!strcmp(a, "-fd_step"))
      o->fd_step = atof(v);
    else if (!strcmp(a, "-rtol"))
      o->rtol = atof(v);
    else
      used = 0;
    k += used;
  }
  if (o->m < 2 || o->particles < 4 || o->steps < 0 || !(o->phi > 0) || !(o->ftol > 0)) {
    fprintf(stderr, PROGRAM ": invalid option value (see -help)\n");
    return 1;
  }
  return 0;
}

static int solver_of(const char *name, int fallback) {
  const char *names[] = {"lu", "cholesky", "qr", "cg", "gmres", "bicgstab", "normal_cg"};
  if (!name) return fallback;
  for (int k = 0; k < 7; k++)
    if (!strcmp(name, names[k])) return k;
  return -1;
}

/* Reports a failed Solace call and returns 1. */
static int failed(int status, const char *what) {
  const char *message = solace_error_message();
  fprintf(stderr, PROGRAM ": %s: %s%s%s\n", what, solace_status_string(status),
          message[0] ? ": " : "", message);
  return 1;
}

#define TRY(expr)                                                                                  \
  do {                                                                                             \
    int try_status_ = (expr);                                                                      \
    if (try_status_) return failed(try_status_, #expr);                                            \
  } while (0)

static double max_rel_error(const double *a, const double *ref, int64_t n) {
  double num = 0, den = 0;
  for (int64_t i = 0; i < n; i++)
    num = fmax(num, fabs(a[i] - ref[i])), den = fmax(den, fabs(ref[i]));
  return den > 0 ? num / den : num;
}

/* Sets the linear solver and prints the report of the last derivative. */
static int configure(solace_implicit pb, const options *o, int fallback) {
  int solver = solver_of(o->solver, fallback);
  if (solver < 0) {
    fprintf(stderr, PROGRAM ": unknown solver '%s' (see -help)\n", o->solver);
    return 1;
  }
  TRY(solace_implicit_set_solver(pb, solver, o->rtol, 0));
  return 0;
}

static void print_report(solace_implicit pb) {
  double res, lin;
  int64_t its;
  int fd;
  solace_implicit_get_report(pb, &res, &lin, &its, &fd);
  printf("optimality residual ||F(x*, theta)|| %.3e, linear residual %.1e, %lld linear "
         "iterations, finite-difference products: %s\n",
         res, lin, (long long)its, fd ? "yes" : "no");
}

/* ---- ridge ---- */

static int ridge_map(int64_t n, int64_t p, const double *x, const double *theta, double *out,
                     void *ctx) {
  lasso_grad(n, p, x, theta, out, ctx);
  for (int64_t j = 0; j < n; j++) out[j] += theta[0] * x[j];
  return 0;
}

static int ridge_dx(int64_t n, int64_t p, const double *x, const double *theta, const double *v,
                    double *out, void *ctx) {
  lasso_hvp(n, p, x, theta, v, out, ctx);
  for (int64_t j = 0; j < n; j++) out[j] += theta[0] * v[j];
  return 0;
}

static int ridge_dtheta(int64_t n, int64_t p, const double *x, const double *theta, const double *t,
                        double *out, void *ctx) {
  (void)p, (void)theta, (void)ctx;
  for (int64_t j = 0; j < n; j++) out[j] = t[0] * x[j];
  return 0;
}

static int ridge_dtheta_t(int64_t n, int64_t p, const double *x, const double *theta,
                          const double *v, double *out, void *ctx) {
  (void)p, (void)theta, (void)ctx;
  out[0] = problems_dot(x, v, n);
  return 0;
}

/* Solves (X^T X + lambda I) z = rhs (nrhs columns) with LAPACK's Cholesky. */
static int ridge_solve(struct lasso *ls, double lambda, int nrhs, double *rhs) {
  const int64_t n = ls->n;
  double *H = calloc((size_t)(n * n), sizeof(double));
  for (int64_t j = 0; j < n; j++)
    for (int64_t k = 0; k < n; k++)
      H[k + j * n] = problems_dot(ls->X + k * ls->m, ls->X + j * ls->m, ls->m) + (j == k) * lambda;
  int info = LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', (int)n, nrhs, H, (int)n, rhs, (int)n);
  free(H);
  return info;
}

static int example_ridge(const options *o) {
  const int64_t n = o->n ? o->n : 20;
  double lambda = o->lambda > 0 ? o->lambda : 0.5, one = 1;
  struct lasso ls;
  TRY(lasso_create(o->m, n, (uint64_t)o->seed, &ls));
  double *x = calloc((size_t)(3 * n), sizeof(double)), *dx = x + n, *ref = dx + n;
  for (int64_t j = 0; j < n; j++) x[j] = problems_dot(ls.X + j * ls.m, ls.y, ls.m);
  ridge_solve(&ls, lambda, 1, x); /* x* */
  for (int64_t j = 0; j < n; j++) ref[j] = -x[j];
  ridge_solve(&ls, lambda, 1, ref); /* d x* / d lambda = -(X^T X + lambda I)^{-1} x* */
  solace_implicit pb = NULL;
  TRY(solace_implicit_create(n, 1, SOLACE_IMPLICIT_ROOT, ridge_map, &ls, &pb));
  TRY(solace_implicit_set_products(pb, ridge_dx, ridge_dx, ridge_dtheta, ridge_dtheta_t));
  if (configure(pb, o, SOLACE_IMPLICIT_DENSE_LU)) return 1;
  TRY(solace_implicit_jvp(pb, x, &lambda, &one, dx));
  printf("ridge regression: %lld samples, %lld features, lambda %g\n", (long long)ls.m,
         (long long)n, lambda);
  print_report(pb);
  printf("reference: closed form -(X^T X + lambda I)^{-1} x* (LAPACK dposv)\n");
  printf("max_rel_error %.3e\n", max_rel_error(dx, ref, n));
  solace_implicit_destroy(&pb);
  free(x);
  lasso_destroy(&ls);
  return 0;
}

/* ---- lasso ---- */

/* The largest useful penalty max |X^T y| (above it x* = 0). */
static double lasso_lambda_max(struct lasso *ls) {
  double m = 0;
  for (int64_t j = 0; j < ls->n; j++)
    m = fmax(m, fabs(problems_dot(ls->X + j * ls->m, ls->y, ls->m)));
  return m;
}

/* x*(lambda) by ISTA from the warm start x, to a step change below 1e-15. */
static int64_t lasso_solve(struct lasso *ls, double lambda, double eta, double *x) {
  return lasso_ista(ls, lambda, eta, 1e-15, 2000000, x, NULL);
}

static int example_lasso(const options *o) {
  const int64_t n = o->n ? o->n : 40;
  struct lasso ls;
  TRY(lasso_create(o->m, n, (uint64_t)o->seed, &ls));
  double lambda = o->lambda > 0 ? o->lambda : 0.1 * lasso_lambda_max(&ls), eta = lasso_step(&ls);
  double h = (o->fd_step > 0 ? o->fd_step : 1e-6) * lambda, one = 1;
  double *x = calloc((size_t)(4 * n), sizeof(double)), *dx = x + n, *xp = dx + n, *xm = xp + n;
  double t0 = solace_wtime();
  int64_t its = lasso_solve(&ls, lambda, eta, x);
  double t1 = solace_wtime();
  solace_implicit pb = NULL;
  TRY(lasso_problem(&ls, eta, &pb));
  if (configure(pb, o, SOLACE_IMPLICIT_DENSE_LU)) return 1;
  TRY(solace_implicit_jvp(pb, x, &lambda, &one, dx));
  double t2 = solace_wtime();
  memcpy(xp, x, sizeof(double) * (size_t)n);
  memcpy(xm, x, sizeof(double) * (size_t)n);
  lasso_solve(&ls, lambda + h, eta, xp);
  lasso_solve(&ls, lambda - h, eta, xm);
  double num = 0, den = 0;
  int64_t support = 0;
  for (int64_t j = 0; j < n; j++) {
    if (x[j] == 0) continue;
    double fd = (xp[j] - xm[j]) / (2 * h);
    num = fmax(num, fabs(dx[j] - fd)), den = fmax(den, fabs(fd)), support++;
  }
  printf("lasso: %lld samples, %lld features, lambda %.4g, support %lld; ISTA %lld iterations "
         "(%.3f s), implicit derivative %.4f s\n",
         (long long)ls.m, (long long)n, lambda, (long long)support, (long long)its, t1 - t0,
         t2 - t1);
  print_report(pb);
  printf("reference: central differences of ISTA solutions at lambda +- %.1e on the support\n", h);
  printf("max_rel_error %.3e\n", den > 0 ? num / den : num);
  solace_implicit_destroy(&pb);
  free(x);
  lasso_destroy(&ls);
  return 0;
}

/* ---- hyperparameter optimization ---- */

/* Validation loss 1/(2 m) ||X_v x - y_v||^2 and, if grad is given, its gradient in x. */
static double validation_loss(struct lasso *val, const double *x, double *grad) {
  double g[1024], *gx = grad ? grad : g;
  lasso_grad(val->n, 0, x, NULL, gx, val); /* leaves the residual in val->r */
  double loss = 0.5 * problems_dot(val->r, val->r, val->m) / (double)val->m;
  for (int64_t j = 0; grad && j < val->n; j++) grad[j] /= (double)val->m;
  return loss;
}

/* d loss / d lambda through the implicit VJP at x*(lambda). */
static int hypergradient(solace_implicit pb, struct lasso *val, const double *x, double lambda,
                         double *loss, double *grad) {
  double *v = calloc((size_t)val->n, sizeof(double));
  *loss = validation_loss(val, x, v);
  int status = solace_implicit_vjp(pb, x, &lambda, v, grad);
  free(v);
  return status;
}

static int example_hyperopt(const options *o) {
  const int64_t n = o->n ? o->n : 40;
  if (n > 1024) return failed(SOLACE_ERR_ARG, "hyperopt supports n <= 1024");
  struct lasso train, val;
  TRY(lasso_create(o->m, n, (uint64_t)o->seed, &train));
  TRY(lasso_create(o->m, n, (uint64_t)o->seed + 7919, &val));
  double lambda = o->lambda > 0 ? o->lambda : 0.1 * lasso_lambda_max(&train);
  double eta = lasso_step(&train), s = log(lambda), lr = 0, loss0 = 0, loss = 0, grad = 0;
  double *x = calloc((size_t)(3 * n), sizeof(double)), *xp = x + n, *xm = xp + n;
  solace_implicit pb = NULL;
  TRY(lasso_problem(&train, eta, &pb));
  if (configure(pb, o, SOLACE_IMPLICIT_DENSE_LU)) return 1;
  for (int64_t k = 0; k <= o->steps; k++) {
    lambda = exp(s);
    lasso_solve(&train, lambda, eta, x);
    TRY(hypergradient(pb, &val, x, lambda, &loss, &grad));
    if (k == 0) loss0 = loss, lr = 0.5 / fmax(fabs(grad * lambda), 1e-300);
    printf("step %3lld: lambda %.6g, validation loss %.6e, d loss / d lambda %+.3e\n", (long long)k,
           lambda, loss, grad);
    if (k < o->steps) s -= lr * grad * lambda; /* gradient descent in log lambda */
  }
  double h = (o->fd_step > 0 ? o->fd_step : 1e-6) * lambda;
  memcpy(xp, x, sizeof(double) * (size_t)n);
  memcpy(xm, x, sizeof(double) * (size_t)n);
  lasso_solve(&train, lambda + h, eta, xp);
  lasso_solve(&train, lambda - h, eta, xm);
  double fd = (validation_loss(&val, xp, NULL) - validation_loss(&val, xm, NULL)) / (2 * h);
  printf("hyperparameter optimization: validation loss %.6e -> %.6e (%s) in %lld steps, "
         "lambda %.6g\n",
         loss0, loss, loss < loss0 ? "decreased" : "NOT decreased", (long long)o->steps, lambda);
  print_report(pb);
  printf("reference: central difference of the validation loss at lambda +- %.1e: %+.6e\n", h, fd);
  printf("max_rel_error %.3e\n", fabs(grad - fd) / fabs(fd));
  solace_implicit_destroy(&pb);
  free(x);
  lasso_destroy(&train);
  lasso_destroy(&val);
  return loss < loss0 ? 0 : 1;
}

/* ---- molecular dynamics ---- */

static int example_md(const options *o) {
  struct md md;
  const int64_t n = 2 * o->particles;
  double theta = 1, one = 1, h = o->fd_step > 0 ? o->fd_step : 1e-5;
  double *x = calloc((size_t)(4 * n), sizeof(double)), *dx = x + n, *xp = dx + n, *xm = xp + n;
  TRY(md_create(o->particles, o->phi, (uint64_t)o->seed, &md, x));
  double t0 = solace_wtime();
  int64_t steps = md_fire(&md, theta, o->ftol, FIRE_MAX_STEPS, x, NULL);
  double t1 = solace_wtime();
  if (steps < 0)
    return failed(SOLACE_ERR_NOT_CONVERGED, "FIRE did not reach -ftol in 300000 steps");
  int64_t rattlers = md_find_rattlers(&md, x, theta);
  solace_implicit pb = NULL;
  TRY(md_problem(&md, &pb));
  if (configure(pb, o, SOLACE_IMPLICIT_CG)) return 1;
  TRY(solace_implicit_jvp(pb, x, &theta, &one, dx));
  double t2 = solace_wtime();
  memcpy(xp, x, sizeof(double) * (size_t)n);
  memcpy(xm, x, sizeof(double) * (size_t)n);
  int64_t sp = md_fire(&md, theta + h, o->ftol, FIRE_MAX_STEPS, xp, NULL);
  int64_t sm = md_fire(&md, theta - h, o->ftol, FIRE_MAX_STEPS, xm, NULL);
  for (int64_t k = 0; k < n; k++) xp[k] = (xp[k] - xm[k]) / (2 * h);
  md_remove_translation(o->particles, xp);
  printf("soft spheres: %lld particles (half diameter 1, half 1.4), box %.4f, packing fraction "
         "%.3f, %lld rattlers\n",
         (long long)o->particles, md.box, o->phi, (long long)rattlers);
  printf("FIRE: %lld steps to max force %.1e (%.2f s); implicit derivative %.3f s\n",
         (long long)steps, o->ftol, t1 - t0, t2 - t1);
  printf("zero modes: rigid translations lifted by their projector (fixed centre of mass), "
         "rattlers pinned\n");
  print_report(pb);
  printf("reference: central differences of FIRE minima (warm start, %lld and %lld steps) at "
         "diameter 1 +- %.1e, translation removed\n",
         (long long)sp, (long long)sm, h);
  printf("max_rel_error %.3e\n", max_rel_error(dx, xp, n));
  solace_implicit_destroy(&pb);
  free(x);
  md_destroy(&md);
  return sp < 0 || sm < 0;
}

int main(int argc, char **argv) {
  options o;
  if (parse(argc, argv, &o)) return 2;
  int status = solace_initialize(&argc, &argv);
  if (status) return failed(status, "solace_initialize");
  int code;
  if (!strcmp(o.example, "ridge"))
    code = example_ridge(&o);
  else if (!strcmp(o.example, "lasso"))
    code = example_lasso(&o);
  else if (!strcmp(o.example, "hyperopt"))
    code = example_hyperopt(&o);
  else if (!strcmp(o.example, "md"))
    code = example_md(&o);
  else
    code = usage(2);
  solace_finalize();
  return code;
}
