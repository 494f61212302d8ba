/* The forward solve of a neural ODE with ARKODE ERKStep: one step at a time with a stop time at
 * every output, recording the accepted steps for the discrete adjoint. */
#include "node-impl.h"

#include <arkode/arkode_erkstep.h>
#include <math.h>
#include <nvector/nvector_serial.h>
#include <stdlib.h>
#include <string.h>

/* What the right-hand side needs: the field and the first failure it met. */
typedef struct {
  node_field *field;
  int status;
} rhs_ctx;

static int all_finite(int64_t n, const double *v) {
  for (int64_t i = 0; i < n; i++)
    if (!isfinite(v[i])) return 0;
  return 1;
}

static int rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *user) {
  rhs_ctx *c = user;
  int64_t N = N_VGetLength_Serial(y);
  c->status = node_field_eval(c->field, t, N_VGetArrayPointer(y), N_VGetArrayPointer(ydot));
  if (!c->status && !all_finite(N, N_VGetArrayPointer(ydot)))
    c->status = solace_error_set(SOLACE_ERR_NOT_CONVERGED, __func__,
                                 "f(u, t) is not finite at t = %g: the solution blew up", t);
  return c->status ? -1 : 0;
}

void node_record_free(node_record *rec) {
  if (!rec) return;
  free(rec->t), free(rec->h), free(rec->y), free(rec->out_step);
  memset(rec, 0, sizeof *rec);
}

/* Empties the record for states of N values and nout outputs, keeping its storage. */
static int record_reset(node_record *rec, int64_t N, int64_t nout, const double *u0) {
  if (rec->N != N || rec->capacity < 1) {
    node_record_free(rec);
    rec->N = N;
  }
  if (rec->nout < nout) {
    free(rec->out_step);
    rec->out_step = NULL;
    SolaceCall(SolaceCalloc(nout, &rec->out_step));
  }
  rec->nout = nout;
  rec->nsteps = 0;
  if (!rec->y) {
    rec->capacity = 16;
    SolaceCall(SolaceCalloc(rec->capacity, &rec->t));
    SolaceCall(SolaceCalloc(rec->capacity, &rec->h));
    SolaceCall(SolaceCalloc((rec->capacity + 1) * N, &rec->y));
  }
  memcpy(rec->y, u0, sizeof(double) * (size_t)N);
  return SOLACE_SUCCESS;
}

/* Appends the accepted step (t, h) that ended in y1. */
static int record_step(node_record *rec, double t, double h, const double *y1) {
  int64_t N = rec->N;
  if (rec->nsteps == rec->capacity) {
    int64_t cap = 2 * rec->capacity;
    double *tt = realloc(rec->t, sizeof(double) * (size_t)cap);
    if (tt) rec->t = tt;
    double *hh = realloc(rec->h, sizeof(double) * (size_t)cap);
    if (hh) rec->h = hh;
    double *yy = realloc(rec->y, sizeof(double) * (size_t)((cap + 1) * N));
    if (yy) rec->y = yy;
    SolaceCheck(tt && hh && yy, SOLACE_ERR_MEM, "cannot record %lld steps of %lld values",
                (long long)cap, (long long)N);
    rec->capacity = cap;
  }
  rec->t[rec->nsteps] = t, rec->h[rec->nsteps] = h;
  rec->nsteps++;
  memcpy(rec->y + rec->nsteps * N, y1, sizeof(double) * (size_t)N);
  return SOLACE_SUCCESS;
}

int node_solver_init(node_solver *solver, node_field *field, int method, double rtol, double atol) {
  SolaceCheckNotNull(solver);
  memset(solver, 0, sizeof *solver);
  SolaceCall(node_table_get(method, &solver->table));
  solver->field = field, solver->method = method;
  solver->rtol = rtol, solver->atol = atol, solver->max_steps = 10000;
  SolaceCheck(!SUNContext_Create(NULL, &solver->sun), SOLACE_ERR_BACKEND,
              "SUNContext_Create failed");
  return SOLACE_SUCCESS;
}

void node_solver_free(node_solver *solver) {
  if (solver && solver->sun) SUNContext_Free(&solver->sun);
}

/* ARKODE's table for the solver's method (built with ARKodeButcherTable_Create). */
static ARKodeButcherTable arkode_table(const node_table *tab) {
  double A[NODE_MAX_STAGES * NODE_MAX_STAGES];
  int s = tab->stages;
  for (int i = 0; i < s; i++)
    for (int j = 0; j < s; j++) A[i * s + j] = tab->A[i][j];
  return ARKodeButcherTable_Create(s, tab->q, tab->p, (double *)tab->c, A, (double *)tab->b,
                                   (double *)tab->d);
}

/* Maps an ERKStep flag (after a failed right-hand side, the field's own error wins). */
static int arkode_check(int flag, const char *call, const rhs_ctx *ctx, const char *func) {
  if (flag >= 0) return SOLACE_SUCCESS;
  if (ctx->status) return solace_error_trace(ctx->status, func);
  if (flag == ARK_TOO_MUCH_WORK || flag == ARK_ERR_FAILURE || flag == ARK_TOO_CLOSE)
    return solace_error_set(SOLACE_ERR_NOT_CONVERGED, func,
                            "%s returned %d: the step limit was reached or the step size "
                            "collapsed (stiff or blown-up neural ODE)",
                            call, flag);
  return solace_error_sundials(flag, call, func);
}

/* Times at which the dense output is wanted, and where it goes (n N values). */
typedef struct {
  int64_t n;
  const double *t;
  double *u;
} probes;

/* The ERKStep integrator of one solve. */
typedef struct {
  void *mem;
  N_Vector y;
  ARKodeButcherTable B;
  rhs_ctx ctx;
} erk;

static void erk_free(erk *e) {
  if (e->mem) ERKStepFree(&e->mem);
  if (e->y) N_VDestroy(e->y);
  if (e->B) ARKodeButcherTable_Free(e->B);
}

static int erk_create(node_solver *solver, int64_t N, double t0, const double *u0, erk *e) {
  e->ctx.field = solver->field;
  e->y = N_VNew_Serial(N, solver->sun);
  SolaceCheck(e->y, SOLACE_ERR_MEM, "cannot allocate a state of %lld values", (long long)N);
  memcpy(N_VGetArrayPointer(e->y), u0, sizeof(double) * (size_t)N);
  e->mem = ERKStepCreate(rhs, t0, e->y, solver->sun);
  e->B = arkode_table(&solver->table);
  SolaceCheck(e->mem && e->B, SOLACE_ERR_BACKEND,
              "ERKStepCreate / ARKodeButcherTable_Create failed");
  ERKStepSetErrFile(e->mem, NULL);
  SolaceCall(arkode_check(ERKStepSetTable(e->mem, e->B), "ERKStepSetTable", &e->ctx, __func__));
  SolaceCall(arkode_check(ERKStepSStolerances(e->mem, solver->rtol, solver->atol),
                          "ERKStepSStolerances", &e->ctx, __func__));
  SolaceCall(
      arkode_check(ERKStepSetUserData(e->mem, &e->ctx), "ERKStepSetUserData", &e->ctx, __func__));
  SolaceCall(arkode_check(ERKStepSetMaxNumSteps(e->mem, solver->max_steps), "ERKStepSetMaxNumSteps",
                          &e->ctx, __func__));
  return SOLACE_SUCCESS;
}

/* Dense output at every probe time in (tprev, t], the step just taken. */
static int fill_probes(erk *e, int64_t N, double tprev, double t, const probes *p) {
  for (int64_t j = 0; j < p->n; j++) {
    if (!(p->t[j] > tprev && p->t[j] <= t)) continue;
    N_Vector v = N_VMake_Serial(N, p->u + j * N, e->y->sunctx);
    int flag = ERKStepGetDky(e->mem, p->t[j], 0, v);
    N_VDestroy(v);
    SolaceCall(arkode_check(flag, "ERKStepGetDky", &e->ctx, __func__));
  }
  return SOLACE_SUCCESS;
}

/* Steps to tout exactly (stop time), recording steps and filling the probes passed. */
static int advance(erk *e, int64_t N, double tout, node_record *rec, const probes *p,
                   int64_t max_steps, int64_t *steps) {
  sunrealtype t = 0;
  SolaceCall(
      arkode_check(ERKStepGetCurrentTime(e->mem, &t), "ERKStepGetCurrentTime", &e->ctx, __func__));
  if (t >= tout) return SOLACE_SUCCESS;
  SolaceCall(
      arkode_check(ERKStepSetStopTime(e->mem, tout), "ERKStepSetStopTime", &e->ctx, __func__));
  while (t < tout) {
    double tprev = t, h = 0;
    int flag = ERKStepEvolve(e->mem, tout, e->y, &t, ARK_ONE_STEP);
    SolaceCall(arkode_check(flag, "ERKStepEvolve", &e->ctx, __func__));
    SolaceCheck(++*steps <= max_steps, SOLACE_ERR_NOT_CONVERGED,
                "more than %lld steps before t = %g (at t = %g): stiff or blown-up neural ODE",
                (long long)max_steps, tout, t);
    SolaceCall(
        arkode_check(ERKStepGetLastStep(e->mem, &h), "ERKStepGetLastStep", &e->ctx, __func__));
    if (rec) SolaceCall(record_step(rec, tprev, h, N_VGetArrayPointer(e->y)));
    SolaceCall(fill_probes(e, N, tprev, t, p));
    if (flag == ARK_TSTOP_RETURN) break;
  }
  return SOLACE_SUCCESS;
}

/* Checks the arguments of node_solve. */
static int check_solve(int64_t N, double t0, const double *u0, int64_t nout, const double *tout) {
  SolaceCheck(N >= 1 && nout >= 1, SOLACE_ERR_ARG, "N = %lld and nout = %lld must be >= 1",
              (long long)N, (long long)nout);
  SolaceCheck(isfinite(t0), SOLACE_ERR_ARG, "t0 = %g is not finite", t0);
  for (int64_t k = 0; k < nout; k++)
    SolaceCheck(isfinite(tout[k]) && tout[k] >= (k ? tout[k - 1] : t0), SOLACE_ERR_ARG,
                "output time %lld = %g is not finite or not >= the previous time %g", (long long)k,
                tout[k], k ? tout[k - 1] : t0);
  for (int64_t m = 0; m < N; m++)
    SolaceCheck(isfinite(u0[m]), SOLACE_ERR_ARG, "initial state entry %lld is %g", (long long)m,
                u0[m]);
  return SOLACE_SUCCESS;
}

int node_solve(node_solver *solver, int64_t N, double t0, const double *u0, int64_t nout,
               const double *tout, double *uout, node_record *rec, int64_t nprobe,
               const double *probe_t, double *probe) {
  SolaceCall(check_solve(N, t0, u0, nout, tout));
  SolaceCheck(N % solver->field->d == 0, SOLACE_ERR_ARG,
              "state of %lld values is not a batch of d = %lld", (long long)N,
              (long long)solver->field->d);
  SolaceCall(node_field_set_batch(solver->field, N / solver->field->d));
  if (rec) SolaceCall(record_reset(rec, N, nout, u0));
  probes p = {probe && probe_t ? nprobe : 0, probe_t, probe};
  for (int64_t j = 0; j < p.n; j++)
    if (probe_t[j] == t0) memcpy(probe + j * N, u0, sizeof(double) * (size_t)N);
  erk e = {0};
  int64_t steps = 0;
  int status = erk_create(solver, N, t0, u0, &e);
  for (int64_t k = 0; !status && k < nout; k++) {
    status = advance(&e, N, tout[k], rec, &p, solver->max_steps, &steps);
    if (!status) memcpy(uout + k * N, N_VGetArrayPointer(e.y), sizeof(double) * (size_t)N);
    if (!status && rec) rec->out_step[k] = rec->nsteps;
  }
  long int nfe = 0;
  if (!status)
    status =
        arkode_check(ERKStepGetNumRhsEvals(e.mem, &nfe), "ERKStepGetNumRhsEvals", &e.ctx, __func__);
  solver->arkode_nfe = nfe;
  erk_free(&e);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}
