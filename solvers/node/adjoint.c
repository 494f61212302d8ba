/* The discrete adjoint over the recorded accepted steps (with the optional global regularizer
 * sum_n EEst_n h_n) and the local regularizer of one fresh Tsit5 step. Both use node_step_vjp. */
#include "node-impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Buffers of one reverse sweep: stages, cotangents and the VJP's work space. */
typedef struct {
  double *k, *kbar, *y1, *y1bar, *lam, *next, *work;
} sweep_buffers;

static void buffers_free(sweep_buffers *b) {
  free(b->k), free(b->kbar), free(b->y1), free(b->y1bar), free(b->lam), free(b->next);
  free(b->work);
}

static int buffers_alloc(int s, int64_t N, sweep_buffers *b) {
  memset(b, 0, sizeof *b);
  int status = SolaceCalloc(s * N, &b->k);
  if (!status) status = SolaceCalloc(s * N, &b->kbar);
  if (!status) status = SolaceCalloc(N, &b->y1);
  if (!status) status = SolaceCalloc(N, &b->y1bar);
  if (!status) status = SolaceCalloc(N, &b->lam);
  if (!status) status = SolaceCalloc(N, &b->next);
  if (!status) status = SolaceCalloc((s + 2) * N, &b->work);
  if (status) buffers_free(b);
  return status;
}

/* Adds the output cotangents of every output reached after `steps` steps to lam. */
static void add_outputs(const node_record *rec, int64_t steps, const double *ubar, double *lam) {
  for (int64_t k = 0; k < rec->nout; k++)
    if (rec->out_step[k] == steps)
      for (int64_t m = 0; m < rec->N; m++) lam[m] += ubar[k * rec->N + m];
}

/* Reverses step n: b->lam holds dL/dy_{n+1} on entry and dL/dy_n on return. */
static int reverse_step(node_solver *solver, const node_record *rec, int64_t n, double gweight,
                        double *greg, sweep_buffers *b) {
  const node_table *tab = &solver->table;
  int64_t N = rec->N;
  const double *y = rec->y + n * N;
  double t = rec->t[n], h = rec->h[n];
  SolaceCall(node_step_forward(solver->field, tab, N, t, h, y, NULL, b->k, b->y1, b->work));
  memset(b->next, 0, sizeof(double) * (size_t)N);
  memcpy(b->y1bar, b->lam, sizeof(double) * (size_t)N);
  if (gweight > 0) {
    memset(b->kbar, 0, sizeof(double) * (size_t)(tab->stages * N));
    *greg += h * node_error_estimate(tab, N, h, solver->atol, solver->rtol, y, b->y1, b->k);
    node_error_estimate_vjp(tab, N, h, solver->atol, solver->rtol, y, b->y1, b->k, gweight * h,
                            b->kbar, b->y1bar, b->next);
  }
  SolaceCall(node_step_vjp(solver->field, tab, N, t, h, y, b->k, b->y1bar,
                           gweight > 0 ? b->kbar : NULL, 0, b->next, b->work));
  double *swap = b->lam;
  b->lam = b->next, b->next = swap;
  return SOLACE_SUCCESS;
}

int node_adjoint(node_solver *solver, const node_record *rec, double *ubar, double gweight,
                 double *greg, double *u0bar) {
  SolaceCheck(rec && rec->N >= 1, SOLACE_ERR_STATE, "no recorded forward solve");
  sweep_buffers b;
  double reg = 0;
  int64_t nfe = solver->field->nfe; /* recomputed stages are not forward evaluations */
  SolaceCall(buffers_alloc(solver->table.stages, rec->N, &b));
  int status = SOLACE_SUCCESS;
  for (int64_t n = rec->nsteps - 1; !status && n >= 0; n--) {
    add_outputs(rec, n + 1, ubar, b.lam);
    status = reverse_step(solver, rec, n, gweight, &reg, &b);
  }
  if (!status) add_outputs(rec, 0, ubar, b.lam);
  if (!status && u0bar) memcpy(u0bar, b.lam, sizeof(double) * (size_t)rec->N);
  if (greg) *greg = reg;
  solver->field->nfe = nfe;
  buffers_free(&b);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* Stages of the fresh step and the regularizer's gradient through them. */
static int local_reg_step(node_field *field, const node_table *tab, int64_t N, double t1,
                          double tend, double h, const double *u1, double atol, double rtol,
                          double weight, double *R, sweep_buffers *b) {
  SolaceCall(node_field_eval(field, t1, u1, b->k));
  double span = tend > t1 ? tend - t1 : HUGE_VAL;
  if (h > 0)
    h = fmin(h, span);
  else
    SolaceCall(node_initial_step(field, tab->q, N, t1, span, atol, rtol, u1, b->k, &h, b->work));
  SolaceCall(node_step_forward(field, tab, N, t1, h, u1, b->k, b->kbar, b->y1, b->work));
  memcpy(b->k, b->kbar, sizeof(double) * (size_t)(tab->stages * N));
  double eest = node_error_estimate(tab, N, h, atol, rtol, u1, b->y1, b->k);
  *R = eest * h;
  if (weight == 0) return SOLACE_SUCCESS;
  memset(b->kbar, 0, sizeof(double) * (size_t)(tab->stages * N));
  node_error_estimate_vjp(tab, N, h, atol, rtol, u1, b->y1, b->k, weight * h, b->kbar, b->y1bar,
                          NULL);
  return node_step_vjp(field, tab, N, t1, h, u1, b->k, b->y1bar, b->kbar, 1, NULL, b->work);
}

int node_local_reg(node_field *field, int64_t N, double t1, double tend, double h, const double *u1,
                   double atol, double rtol, double weight, double *R) {
  node_table tab;
  sweep_buffers b;
  SolaceCall(node_table_get(SOLACE_NODE_TSIT5, &tab));
  SolaceCall(node_field_set_batch(field, N / field->d));
  SolaceCall(buffers_alloc(tab.stages, N, &b));
  int status = local_reg_step(field, &tab, N, t1, tend, h, u1, atol, rtol, weight, R, &b);
  buffers_free(&b);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

int node_local_reg_mean(node_field *field, int64_t N, int64_t k, const double *t1, double tend,
                        const double *h, const double *const *u1, double atol, double rtol,
                        double weight, double *R) {
  SolaceCheck(k >= 1, SOLACE_ERR_ARG, "k = %lld samples must be >= 1", (long long)k);
  *R = 0;
  for (int64_t j = 0; j < k; j++) {
    double Rj;
    SolaceCall(
        node_local_reg(field, N, t1[j], tend, h[j], u1[j], atol, rtol, weight / (double)k, &Rj));
    *R += Rj / (double)k;
  }
  return SOLACE_SUCCESS;
}
