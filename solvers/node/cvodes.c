/* The continuous adjoint with SUNDIALS CVODES (for long horizons, where recording every accepted
 * step of the discrete adjoint costs too much memory): CVodeF with checkpoints, then backward
 * lambda' = -(df/du)^T lambda with the quadrature q' = -(df/dtheta)^T lambda, so that
 * q(t0) = int_{t0}^{T} (df/dtheta)^T lambda dt; the cotangent of every output is added to lambda
 * when the backward solve passes its time (CVodeReInitB). Adams with fixed-point iteration, the
 * solver's rtol/atol for states, adjoints and quadratures. */
#include "node-impl.h"

#include <cvodes/cvodes.h>
#include <nvector/nvector_serial.h>
#include <stdlib.h>
#include <string.h>
#include <sunnonlinsol/sunnonlinsol_fixedpoint.h>

typedef struct {
  node_field *field;
  int nblocks;
  solace_nn_param **blocks;
  double *saved; /* the caller's parameter gradients, kept aside during VJPs */
  int status;
} adj_ctx;

/* Moves the parameter gradients to (to_saved) or from the saved copy; zeroes them after saving. */
static void swap_grads(adj_ctx *c, int to_saved) {
  double *s = c->saved;
  for (int k = 0; k < c->nblocks; k++) {
    solace_nn_param *p = c->blocks[k];
    size_t bytes = sizeof(double) * (size_t)p->count;
    if (to_saved)
      memcpy(s, p->grad, bytes), memset(p->grad, 0, bytes);
    else
      memcpy(p->grad, s, bytes);
    s += p->count;
  }
}

static int forward_rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *user) {
  adj_ctx *c = user;
  c->status = node_field_eval(c->field, t, N_VGetArrayPointer(y), N_VGetArrayPointer(ydot));
  return c->status ? -1 : 0;
}

/* yB' = -(df/du)^T yB. */
static int backward_rhs(sunrealtype t, N_Vector y, N_Vector yB, N_Vector yBdot, void *user) {
  adj_ctx *c = user;
  N_VConst(0.0, yBdot);
  swap_grads(c, 1);
  c->status = node_field_vjp(c->field, t, N_VGetArrayPointer(y), N_VGetArrayPointer(yB),
                             N_VGetArrayPointer(yBdot));
  swap_grads(c, 0);
  N_VScale(-1.0, yBdot, yBdot);
  return c->status ? -1 : 0;
}

/* qB' = -(df/dtheta)^T yB, gathered block after block. */
static int backward_quad(sunrealtype t, N_Vector y, N_Vector yB, N_Vector qBdot, void *user) {
  adj_ctx *c = user;
  double *q = N_VGetArrayPointer(qBdot);
  swap_grads(c, 1);
  c->status = node_field_vjp(c->field, t, N_VGetArrayPointer(y), N_VGetArrayPointer(yB), NULL);
  for (int k = 0; k < c->nblocks; k++) {
    for (int64_t i = 0; i < c->blocks[k]->count; i++) q[i] = -c->blocks[k]->grad[i];
    q += c->blocks[k]->count;
  }
  swap_grads(c, 0);
  return c->status ? -1 : 0;
}

static int cv_check(int flag, const char *call, const adj_ctx *c, const char *func) {
  if (flag >= 0) return SOLACE_SUCCESS;
  if (c->status) return solace_error_trace(c->status, func);
  return solace_error_set(flag == CV_TOO_MUCH_WORK ? SOLACE_ERR_NOT_CONVERGED : SOLACE_ERR_BACKEND,
                          func, "%s returned %d", call, flag);
}

/* CVODES objects of one gradient. */
typedef struct {
  void *mem;
  N_Vector y, yB, qB;
  SUNNonlinearSolver nls, nlsB;
  int which;
} cv_objects;

static void cv_free(cv_objects *o) {
  if (o->mem) CVodeFree(&o->mem);
  if (o->nls) SUNNonlinSolFree(o->nls);
  if (o->nlsB) SUNNonlinSolFree(o->nlsB);
  if (o->y) N_VDestroy(o->y);
  if (o->yB) N_VDestroy(o->yB);
  if (o->qB) N_VDestroy(o->qB);
}

/* Forward solve with checkpoints through every output. */
static int forward(node_solver *s, adj_ctx *c, cv_objects *o, int64_t N, double t0,
                   const double *u0, int64_t nout, const double *tout) {
  o->y = N_VNew_Serial(N, s->sun);
  o->mem = CVodeCreate(CV_ADAMS, s->sun);
  o->nls = o->y ? SUNNonlinSol_FixedPoint(o->y, 0, s->sun) : NULL;
  SolaceCheck(o->y && o->mem && o->nls, SOLACE_ERR_MEM, "CVODES allocation failed");
  memcpy(N_VGetArrayPointer(o->y), u0, sizeof(double) * (size_t)N);
  CVodeSetErrFile(o->mem, NULL);
  SolaceCall(cv_check(CVodeInit(o->mem, forward_rhs, t0, o->y), "CVodeInit", c, __func__));
  SolaceCall(
      cv_check(CVodeSStolerances(o->mem, s->rtol, s->atol), "CVodeSStolerances", c, __func__));
  SolaceCall(
      cv_check(CVodeSetNonlinearSolver(o->mem, o->nls), "CVodeSetNonlinearSolver", c, __func__));
  SolaceCall(cv_check(CVodeSetUserData(o->mem, c), "CVodeSetUserData", c, __func__));
  SolaceCall(
      cv_check(CVodeSetMaxNumSteps(o->mem, s->max_steps), "CVodeSetMaxNumSteps", c, __func__));
  SolaceCall(cv_check(CVodeAdjInit(o->mem, 50, CV_HERMITE), "CVodeAdjInit", c, __func__));
  double t = t0;
  for (int64_t k = 0; k < nout; k++) {
    int ncheck;
    if (tout[k] > t)
      SolaceCall(
          cv_check(CVodeF(o->mem, tout[k], o->y, &t, CV_NORMAL, &ncheck), "CVodeF", c, __func__));
  }
  return SOLACE_SUCCESS;
}

/* Creates the backward problem at T with yB = the last output's cotangent. */
static int backward_init(node_solver *s, adj_ctx *c, cv_objects *o, int64_t N, int64_t P, double T,
                         const double *ybar) {
  o->yB = N_VNew_Serial(N, s->sun);
  o->qB = N_VNew_Serial(P, s->sun);
  o->nlsB = o->yB ? SUNNonlinSol_FixedPoint(o->yB, 0, s->sun) : NULL;
  SolaceCheck(o->yB && o->qB && o->nlsB, SOLACE_ERR_MEM, "CVODES allocation failed");
  memcpy(N_VGetArrayPointer(o->yB), ybar, sizeof(double) * (size_t)N);
  N_VConst(0.0, o->qB);
  SolaceCall(cv_check(CVodeCreateB(o->mem, CV_ADAMS, &o->which), "CVodeCreateB", c, __func__));
  SolaceCall(
      cv_check(CVodeInitB(o->mem, o->which, backward_rhs, T, o->yB), "CVodeInitB", c, __func__));
  SolaceCall(cv_check(CVodeSStolerancesB(o->mem, o->which, s->rtol, s->atol), "CVodeSStolerancesB",
                      c, __func__));
  SolaceCall(cv_check(CVodeSetNonlinearSolverB(o->mem, o->which, o->nlsB),
                      "CVodeSetNonlinearSolverB", c, __func__));
  SolaceCall(cv_check(CVodeSetUserDataB(o->mem, o->which, c), "CVodeSetUserDataB", c, __func__));
  SolaceCall(cv_check(CVodeSetMaxNumStepsB(o->mem, o->which, s->max_steps), "CVodeSetMaxNumStepsB",
                      c, __func__));
  SolaceCall(cv_check(CVodeQuadInitB(o->mem, o->which, backward_quad, o->qB), "CVodeQuadInitB", c,
                      __func__));
  SolaceCall(cv_check(CVodeQuadSStolerancesB(o->mem, o->which, s->rtol, s->atol),
                      "CVodeQuadSStolerancesB", c, __func__));
  return SOLACE_SUCCESS;
}

/* Integrates back through the outputs, adding their cotangents. */
static int backward(adj_ctx *c, cv_objects *o, int64_t N, double t0, int64_t nout,
                    const double *tout, const double *ubar) {
  double t = tout[nout - 1];
  for (int64_t k = nout - 1; k >= 0; k--) {
    double target = k ? tout[k - 1] : t0;
    if (target < t) {
      SolaceCall(cv_check(CVodeB(o->mem, target, CV_NORMAL), "CVodeB", c, __func__));
      SolaceCall(cv_check(CVodeGetB(o->mem, o->which, &t, o->yB), "CVodeGetB", c, __func__));
      SolaceCall(
          cv_check(CVodeGetQuadB(o->mem, o->which, &t, o->qB), "CVodeGetQuadB", c, __func__));
      t = target;
    }
    if (!k) break;
    double *yb = N_VGetArrayPointer(o->yB);
    for (int64_t m = 0; m < N; m++) yb[m] += ubar[(k - 1) * N + m];
    if (target > t0) {
      SolaceCall(
          cv_check(CVodeReInitB(o->mem, o->which, target, o->yB), "CVodeReInitB", c, __func__));
      SolaceCall(
          cv_check(CVodeQuadReInitB(o->mem, o->which, o->qB), "CVodeQuadReInitB", c, __func__));
    }
  }
  return SOLACE_SUCCESS;
}

/* Adds the quadrature (the parameter gradient) to the network's gradients. */
static void add_quadrature(adj_ctx *c, const double *q) {
  for (int k = 0; k < c->nblocks; k++) {
    for (int64_t i = 0; i < c->blocks[k]->count; i++) c->blocks[k]->grad[i] += q[i];
    q += c->blocks[k]->count;
  }
}

int node_cvodes_adjoint(node_solver *solver, int64_t N, double t0, const double *u0, int64_t nout,
                        const double *tout, const double *ubar, double *u0bar) {
  adj_ctx c = {.field = solver->field};
  cv_objects o = {0};
  int64_t P = solace_nn_net_param_count(solver->field->net), nfe = solver->field->nfe;
  SolaceCall(node_field_set_batch(solver->field, N / solver->field->d));
  SolaceCall(solace_nn_net_params(solver->field->net, &c.nblocks, &c.blocks));
  SolaceCall(SolaceCalloc(P, &c.saved));
  int status = forward(solver, &c, &o, N, t0, u0, nout, tout);
  if (!status) status = backward_init(solver, &c, &o, N, P, tout[nout - 1], ubar + (nout - 1) * N);
  if (!status) status = backward(&c, &o, N, t0, nout, tout, ubar);
  if (!status) add_quadrature(&c, N_VGetArrayPointer(o.qB));
  if (!status && u0bar) memcpy(u0bar, N_VGetArrayPointer(o.yB), sizeof(double) * (size_t)N);
  cv_free(&o);
  free(c.saved);
  solver->field->nfe = nfe;
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}
