/* The spiral of the neural-ODE regression task, du/dt = A u^3 (cube per component) with
 * A = [[-0.1, 2], [-2, -0.1]], integrated by SUNDIALS CVODE (Adams, rtol 1e-10, atol 1e-12). */
#include "solace-impl.h"
#include "solace/node.h"
#include "solace/rand.h"

#include <cvodes/cvodes.h>
#include <math.h>
#include <nvector/nvector_serial.h>
#include <sunnonlinsol/sunnonlinsol_fixedpoint.h>

static int spiral_rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *user) {
  (void)t, (void)user;
  const double *u = N_VGetArrayPointer(y);
  double *f = N_VGetArrayPointer(ydot), a = u[0] * u[0] * u[0], b = u[1] * u[1] * u[1];
  f[0] = -0.1 * a + 2 * b;
  f[1] = -2 * a - 0.1 * b;
  return 0;
}

static int cvode_check(int flag, const char *call, const char *func) {
  return flag < 0 ? solace_error_sundials(flag, call, func) : SOLACE_SUCCESS;
}

/* One trajectory: x (2 x ntimes, leading dimension ldx) from x[0..1] at times[0]. */
static int spiral_trajectory(SUNContext sun, int64_t ntimes, const double *times, double *x,
                             int64_t ldx) {
  N_Vector y = N_VNew_Serial(2, sun);
  void *mem = CVodeCreate(CV_ADAMS, sun);
  SUNNonlinearSolver nls = y ? SUNNonlinSol_FixedPoint(y, 0, sun) : NULL;
  int status = (!y || !mem || !nls)
                   ? solace_error_set(SOLACE_ERR_MEM, __func__, "CVODE allocation failed")
                   : 0;
  if (!status) {
    N_VGetArrayPointer(y)[0] = x[0], N_VGetArrayPointer(y)[1] = x[1];
    CVodeSetErrFile(mem, NULL);
    status = cvode_check(CVodeInit(mem, spiral_rhs, times[0], y), "CVodeInit", __func__);
  }
  if (!status)
    status = cvode_check(CVodeSStolerances(mem, 1e-10, 1e-12), "CVodeSStolerances", __func__);
  if (!status)
    status = cvode_check(CVodeSetNonlinearSolver(mem, nls), "CVodeSetNonlinearSolver", __func__);
  if (!status)
    status = cvode_check(CVodeSetMaxNumSteps(mem, 1000000), "CVodeSetMaxNumSteps", __func__);
  for (int64_t k = 1; !status && k < ntimes; k++) {
    sunrealtype t = 0;
    status = cvode_check(CVode(mem, times[k], y, &t, CV_NORMAL), "CVode", __func__);
    if (!status) x[k * ldx] = N_VGetArrayPointer(y)[0], x[k * ldx + 1] = N_VGetArrayPointer(y)[1];
  }
  if (nls) SUNNonlinSolFree(nls);
  if (mem) CVodeFree(&mem);
  if (y) N_VDestroy(y);
  return status;
}

int solace_node_spiral_data(int64_t ntraj, int64_t ntimes, double tend, uint64_t seed,
                            double *times, double *x, int64_t ldx) {
  solace_error_clear();
  SolaceCheck(ntraj >= 1 && ntimes >= 2 && isfinite(tend) && tend > 0, SOLACE_ERR_ARG,
              "ntraj = %lld, ntimes = %lld must be >= 1, >= 2 and tend = %g > 0", (long long)ntraj,
              (long long)ntimes, tend);
  SolaceCheckNotNull(times);
  SolaceCheckNotNull(x);
  SolaceCheck(ldx >= 2, SOLACE_ERR_ARG, "ldx = %lld must be >= 2", (long long)ldx);
  double draw[2];
  SUNContext sun = NULL;
  SolaceCheck(!SUNContext_Create(NULL, &sun), SOLACE_ERR_BACKEND, "SUNContext_Create failed");
  for (int64_t k = 0; k < ntimes; k++) times[k] = tend * (double)k / (double)(ntimes - 1);
  int status = SOLACE_SUCCESS;
  for (int64_t j = 0; !status && j < ntraj; j++) {
    double *xj = x + j * ntimes * ldx;
    status = solace_rand_uniform(seed, (uint64_t)j, 0, 2, draw);
    double r = j ? 1.5 + draw[0] : 2.0, angle = j ? 6.283185307179586 * draw[1] : 0.0;
    xj[0] = r * cos(angle), xj[1] = r * sin(angle);
    if (!status) status = spiral_trajectory(sun, ntimes, times, xj, ldx);
  }
  SUNContext_Free(&sun);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}
