/* The bundled dynamical systems of the Koopman kernel: flows integrated by
 * SUNDIALS CVODE (Adams-Moulton, fixed-point iteration, rtol 1e-10) and two
 * maps. */
#include "solace-impl.h"
#include "solace/koopman.h"

#include <cvodes/cvodes.h>
#include <math.h>
#include <nvector/nvector_serial.h>
#include <stdlib.h>
#include <string.h>
#include <sundials/sundials_context.h>
#include <sunnonlinsol/sunnonlinsol_fixedpoint.h>

/* A bundled system: name, dimension, default parameters, vector field (NULL for
 * maps). */
typedef struct {
  const char *name;
  int64_t d, n_params;
  double params[3];
  void (*field)(const double *x, const double *p, double *f);
} system_t;

static void pendulum(const double *x, const double *p, double *f) {
  (void)p;
  f[0] = x[1], f[1] = -sin(x[0]);
}
static void duffing(const double *x, const double *p, double *f) {
  f[0] = x[1], f[1] = -p[0] * x[1] + x[0] - x[0] * x[0] * x[0];
}
static void vanderpol(const double *x, const double *p, double *f) {
  f[0] = x[1], f[1] = p[0] * (1 - x[0] * x[0]) * x[1] - x[0];
}
static void lorenz(const double *x, const double *p, double *f) {
  f[0] = p[0] * (x[1] - x[0]), f[1] = x[0] * (p[1] - x[2]) - x[1], f[2] = x[0] * x[1] - p[2] * x[2];
}

static const system_t systems[] = {
    {"pendulum", 2, 0, {0}, pendulum},
    {"duffing", 2, 1, {0.5}, duffing},
    {"vanderpol", 2, 1, {1}, vanderpol},
    {"lorenz", 3, 3, {10, 28, 8.0 / 3}, lorenz},
    {"rotation", 1, 1, {1}, NULL},
    {"gauss", 1, 2, {2, -1.1353352832366127 /* -1 - exp(-2) */}, NULL},
};

/* Finds a system by name. */
static int find_system(const char *name, const system_t **sys, const char *func) {
  if (!name) return solace_error_set(SOLACE_ERR_ARG, func, "system is NULL");
  for (size_t i = 0; i < sizeof systems / sizeof *systems; i++)
    if (!strcmp(name, systems[i].name)) return *sys = &systems[i], SOLACE_SUCCESS;
  return solace_error_set(SOLACE_ERR_ARG, func,
                          "unknown system \"%s\" (known: pendulum, duffing, vanderpol, lorenz, "
                          "rotation, gauss)",
                          name);
}

int solace_koopman_system_dimension(const char *system, int64_t *d) {
  solace_error_clear();
  const system_t *sys;
  SolaceCall(find_system(system, &sys, __func__));
  SolaceCheckNotNull(d);
  *d = sys->d;
  return SOLACE_SUCCESS;
}

/* What CVODE's right-hand side needs. */
typedef struct {
  const system_t *sys;
  const double *p;
} rhs_ctx;

static int rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *user) {
  (void)t;
  const rhs_ctx *c = user;
  c->sys->field(N_VGetArrayPointer(y), c->p, N_VGetArrayPointer(ydot));
  return 0;
}

/* Maps a negative CVODE flag to a status. */
static int cvode_check(int flag, const char *func) {
  if (flag >= 0) return SOLACE_SUCCESS;
  char *name = CVodeGetReturnFlagName(flag);
  int status = solace_error_sundials(flag, name, func);
  free(name);
  return status;
}

/* Integrates one trajectory of a flow: x (d x n_steps) from x[0..d-1]. */
static int integrate(const rhs_ctx *c, double dt, int64_t n_steps, double *x) {
  int64_t d = c->sys->d;
  SUNContext sun = NULL;
  if (SUNContext_Create(NULL, &sun))
    return solace_error_set(SOLACE_ERR_BACKEND, __func__, "SUNContext_Create failed");
  N_Vector y = N_VNew_Serial(d, sun);
  void *mem = CVodeCreate(CV_ADAMS, sun);
  SUNNonlinearSolver nls = y ? SUNNonlinSol_FixedPoint(y, 0, sun) : NULL;
  int status = (!y || !mem || !nls)
                   ? solace_error_set(SOLACE_ERR_MEM, __func__, "CVODE allocation failed")
                   : 0;
  if (!status) {
    memcpy(N_VGetArrayPointer(y), x, sizeof(double) * d);
    CVodeSetErrFile(mem, NULL);
    status = cvode_check(CVodeInit(mem, rhs, 0.0, y), __func__);
  }
  if (!status) status = cvode_check(CVodeSStolerances(mem, 1e-10, 1e-12), __func__);
  if (!status) status = cvode_check(CVodeSetNonlinearSolver(mem, nls), __func__);
  if (!status) status = cvode_check(CVodeSetUserData(mem, (void *)c), __func__);
  if (!status) status = cvode_check(CVodeSetMaxNumSteps(mem, 1000000), __func__);
  for (int64_t s = 1; !status && s < n_steps; s++) {
    sunrealtype t = 0;
    status = cvode_check(CVode(mem, s * dt, y, &t, CV_NORMAL), __func__);
    if (!status) memcpy(x + d * s, N_VGetArrayPointer(y), sizeof(double) * d);
  }
  if (nls) SUNNonlinSolFree(nls);
  if (mem) CVodeFree(&mem);
  if (y) N_VDestroy(y);
  SUNContext_Free(&sun);
  return status;
}

int solace_koopman_simulate(const char *system, const double *parameters, int64_t n_parameters,
                            double dt, int64_t n_traj, int64_t n_steps, const double *x0,
                            double *x) {
  solace_error_clear();
  const system_t *sys;
  SolaceCall(find_system(system, &sys, __func__));
  SolaceCheckNotNull(x0);
  SolaceCheckNotNull(x);
  SolaceCheck(n_parameters >= 0 && n_parameters <= sys->n_params && (!n_parameters || parameters),
              SOLACE_ERR_ARG, "%s takes at most %lld parameters, got %lld", system,
              (long long)sys->n_params, (long long)n_parameters);
  SolaceCheck(dt > 0 && isfinite(dt), SOLACE_ERR_ARG, "dt = %g is not positive", dt);
  SolaceCheck(n_traj >= 1 && n_steps >= 1, SOLACE_ERR_ARG, "n_traj = %lld, n_steps = %lld",
              (long long)n_traj, (long long)n_steps);
  double p[3];
  memcpy(p, sys->params, sizeof p);
  for (int64_t i = 0; i < n_parameters; i++) {
    SolaceCheck(isfinite(parameters[i]), SOLACE_ERR_ARG, "parameters[%lld] = %g", (long long)i,
                parameters[i]);
    p[i] = parameters[i];
  }
  int64_t d = sys->d;
  for (int64_t i = 0; i < d * n_traj; i++)
    SolaceCheck(isfinite(x0[i]), SOLACE_ERR_ARG, "x0[%lld] = %g is not finite", (long long)i,
                x0[i]);
  rhs_ctx c = {sys, p};
  for (int64_t j = 0; j < n_traj; j++) {
    double *traj = x + d * n_steps * j;
    memcpy(traj, x0 + d * j, sizeof(double) * d);
    if (sys->field) {
      SolaceCall(integrate(&c, dt, n_steps, traj));
      continue;
    }
    for (int64_t s = 1; s < n_steps; s++) {
      double v = traj[s - 1];
      traj[s] = !strcmp(sys->name, "rotation") ? fmod(v + p[0], 2 * 3.14159265358979323846)
                                               : exp(-p[0] * v * v) + p[1];
      if (traj[s] < 0 && !strcmp(sys->name, "rotation")) traj[s] += 2 * 3.14159265358979323846;
    }
  }
  return SOLACE_SUCCESS;
}
