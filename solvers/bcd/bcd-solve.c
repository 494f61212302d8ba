/* solace_bcd_solve(): checks, set-up, the iteration loop (select, step, apply, record) and the
 * optimality measure (duality gap or KKT violation). */
#include "solvers/bcd/bcd-impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* max_i |e_i|: the proximal-gradient (KKT) violation, from the full gradient. */
static int kkt_violation(solace_bcd s, double *gap) {
  bcd_objective *o = s->obj;
  SolaceCall(bcd_objective_full_gradient(o));
  double worst = 0;
  for (int64_t i = 0; i < o->n; i++) {
    double L = o->L[i] > 0 ? o->L[i] : 1.0, e = o->g[i];
    if (s->penalty != SOLACE_BCD_PENALTY_NONE)
      e = L * (s->x[i] - bcd_prox(s->penalty, s->x[i] - o->g[i] / L, s->lambda / L));
    worst = fmax(worst, fabs(e));
  }
  *gap = worst;
  return SOLACE_SUCCESS;
}

int bcd_gap(solace_bcd s, double *gap) {
  bcd_objective *o = s->obj;
  if (o->x) bcd_objective_refresh(o);
  if (s->penalty != SOLACE_BCD_PENALTY_NONE &&
      (o->problem == SOLACE_BCD_LEAST_SQUARES || o->problem == SOLACE_BCD_LOGISTIC)) {
    SolaceCall(bcd_objective_dual_gap(o, s->penalty, s->lambda, s->l1, gap));
    return SOLACE_SUCCESS;
  }
  return kkt_violation(s, gap);
}

void bcd_record(solace_bcd s, int64_t it, double gap, double t0) {
  s->hist_f[it] = s->obj->f + s->lambda * s->l1;
  s->hist_gap[it] = gap;
  s->hist_t[it] = solace_wtime() - t0;
  s->iters = it;
}

void bcd_apply_l1(solace_bcd s, int64_t it, int64_t nb, const int64_t *idx, const double *d) {
  for (int64_t a = 0; a < nb; a++) {
    double old = s->x[idx[a]], x = old + d[a];
    s->x[idx[a]] = x;
    if (s->penalty == SOLACE_BCD_PENALTY_NONE) continue;
    s->l1 += fabs(x) - fabs(old);
    if ((old == 0) != (x == 0)) s->support += x != 0 ? 1 : -1, s->settled = it + 1;
  }
}

/* Checks that the problem and the rules fit together. */
static int check_setup(solace_bcd s) {
  bcd_objective *o = s->obj;
  SolaceCheck(o, SOLACE_ERR_STATE, "no problem set: call solace_bcd_set_dense() or another setter");
  SolaceCheck(s->tau <= o->n, SOLACE_ERR_ARG, "block size %lld is larger than the %lld variables",
              (long long)s->tau, (long long)o->n);
  int graph = s->partition >= SOLACE_BCD_PART_REDBLACK;
  SolaceCheck(!graph || o->problem == SOLACE_BCD_QUADRATIC, SOLACE_ERR_UNSUPPORTED,
              "partition %d needs a quadratic (graph) problem", s->partition);
  SolaceCheck(s->partition != SOLACE_BCD_PART_COMB || s->lattice[1] >= 2, SOLACE_ERR_STATE,
              "the comb partition needs solace_bcd_set_lattice()");
  SolaceCheck(!s->working_set ||
                  (s->penalty != SOLACE_BCD_PENALTY_NONE &&
                   (o->problem == SOLACE_BCD_LEAST_SQUARES || o->problem == SOLACE_BCD_LOGISTIC)),
              SOLACE_ERR_UNSUPPORTED,
              "working sets are for L1 least squares and L1 logistic regression");
  return SOLACE_SUCCESS;
}

/* Greedy rules and forest growth read the full gradient every iteration: maintain it. */
static int needs_gradient(const solace_bcd s) {
  return s->rule >= SOLACE_BCD_GS || s->partition == SOLACE_BCD_PART_TREE;
}

/* Allocates x (from x0), the history and the objective's start state. */
static int start(solace_bcd s) {
  bcd_objective *o = s->obj;
  int64_t n = o->n, h = s->max_iter + 1;
  SolaceCall(SolaceCalloc(n, &s->x));
  SolaceCall(SolaceCalloc(h, &s->hist_f));
  SolaceCall(SolaceCalloc(h, &s->hist_gap));
  SolaceCall(SolaceCalloc(h, &s->hist_t));
  if (s->x0) memcpy(s->x, s->x0, (size_t)n * sizeof(double));
  s->l1 = 0, s->support = 0, s->settled = 0;
  for (int64_t i = 0; i < n; i++) {
    SolaceCheck(s->penalty != SOLACE_BCD_PENALTY_L1_POS || s->x[i] >= 0, SOLACE_ERR_ARG,
                "x0[%lld] = %g < 0 with a non-negative penalty", (long long)i, s->x[i]);
    s->l1 += fabs(s->x[i]), s->support += s->x[i] != 0;
  }
  s->forest = bcd_partition_is_forest(s->partition);
  o->x = s->x, o->track = needs_gradient(s), o->g_valid = 0;
  SolaceCall(bcd_objective_reset(o, s->x));
  if (!s->working_set) SolaceCall(bcd_select_setup(s)); /* working sets choose their own blocks */
  return SOLACE_SUCCESS;
}

/* The largest block of the run. */
static int64_t block_capacity(solace_bcd s) {
  if (!s->blocks.count) return s->tau;
  int64_t cap = 1;
  for (int64_t q = 0; q < s->blocks.count; q++)
    if (s->blocks.ptr[q + 1] - s->blocks.ptr[q] > cap)
      cap = s->blocks.ptr[q + 1] - s->blocks.ptr[q];
  return cap;
}

static void work_free(bcd_work *w) {
  free(w->idx), free(w->g), free(w->d), free(w->H), free(w->score), free(w->xt), free(w->order);
}

static int work_alloc(solace_bcd s, bcd_work *w) {
  int64_t n = s->obj->n, cap = block_capacity(s);
  w->cap = cap;
  SolaceCall(SolaceCalloc(cap, &w->idx));
  SolaceCall(SolaceCalloc(cap, &w->g));
  SolaceCall(SolaceCalloc(cap, &w->d));
  SolaceCall(SolaceCalloc(cap, &w->xt));
  SolaceCall(SolaceCalloc(s->forest ? 1 : cap * cap, &w->H));
  SolaceCall(SolaceCalloc(n, &w->score));
  SolaceCall(SolaceCalloc(n, &w->order));
  return SOLACE_SUCCESS;
}

/* One iteration: select, step, apply. */
static int iterate(solace_bcd s, int64_t it, bcd_work *w) {
  SolaceCall(bcd_select(s, it, w));
  SolaceCall(bcd_step(s, w));
  bcd_apply_l1(s, it, w->nb, w->idx, w->d);
  SolaceCall(bcd_objective_update(s->obj, w->nb, w->idx, w->d));
  return SOLACE_SUCCESS;
}

/* The loop of the plain (not working-set) solve. */
static int run(solace_bcd s, double t0) {
  bcd_work w = {0};
  double gap, scale;
  int status = work_alloc(s, &w);
  if (!status) status = bcd_gap(s, &gap);
  if (!status) bcd_record(s, 0, gap, t0);
  scale = s->hist_f[0] > 0 ? s->hist_f[0] : gap;
  for (int64_t it = 0; !status && it < s->max_iter; it++) {
    if (s->tol > 0 && gap <= s->tol * scale) break;
    status = iterate(s, it, &w);
    if (!status) status = bcd_gap(s, &gap);
    if (!status) bcd_record(s, it + 1, gap, t0);
  }
  work_free(&w);
  return status;
}

int solace_bcd_solve(solace_bcd bcd) {
  solace_error_clear();
  SolaceCheckNotNull(bcd);
  SolaceCall(check_setup(bcd));
  bcd_release(bcd);
  double t0 = solace_wtime();
  int status = start(bcd);
  if (!status) status = bcd->working_set ? bcd_solve_working_set(bcd) : run(bcd, t0);
  bcd->obj->x = NULL;
  if (status) {
    bcd_release(bcd);
    return solace_error_trace(status, __func__);
  }
  bcd->solved = 1;
  return SOLACE_SUCCESS;
}
