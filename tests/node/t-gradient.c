/* Gradients against central finite differences, for a random tanh MLP field (d = 2, widths 8, 8)
 * and a batch of 3 samples, loss L = sum_k w_k . u(t_k) at t = 0.5, 1 with random w.
 *   adjoint  : discrete adjoint vs central differences of the replayed step map (steps frozen, the
 *              map the adjoint differentiates): eps = 1e-5, truncation O(eps^2) ~ 1e-10, so rel.
 *              tolerance 1e-6.
 *   adaptive : the same gradient vs central differences of the full adaptive solve at rtol = atol =
 *              1e-10, eps = 1e-4: step-size changes perturb L by O(tol), i.e. O(tol / eps) = 1e-6
 *              in the quotient; tolerance 1e-4 relative to the gradient's largest entry.
 *   global   : L + 0.7 sum_n EEst_n h_n through the adjoint vs the replay (eps 1e-5, rel 1e-5 of
 *              max(|fd|, 1e-3 max|grad|)), at rtol = atol = 1e-4: EEst is h sum btilde_i k_i, a
 *              difference of O(1) stages that is O(tol) small, so its rounding error is 1e-16/tol
 *              relative; tighter tolerances would drown the differences in that cancellation.
 *   local    : R = EEst h of one fresh Tsit5 step at t1 = 0.3 with u1, k1 and h frozen (the
 *              paper's gradient), vs central differences of the same frozen step at tolerances
 *              1e-2, eps 1e-6. R ~ 1e-6 carries ~1e-9 relative rounding (same cancellation), i.e.
 *              ~1e-9 absolute noise in the quotient against entries up to ~1e-3: tolerance 1e-4 of
 *              the largest entry. A wrong formula (e.g. not freezing k1) misses by ~10%.
 *   layers   : the field with t appended before every dense layer (2 -> [2+1 -> 8, 8+1 -> 8, 8+1
 *              -> 2]): f against the same MLP written out here (1e-14 relative), then the
 *              adjoint case's check (parameters and initial state, rel 1e-6).
 *   local-layers: the local case with t at every layer.
 *   local-mean: the local regularizer averaged over t1 = 0.2, 0.5, 0.8 (node_local_reg_mean) equals
 *              the mean of the three single-sample values and gradients (1e-12: the same
 *              arithmetic summed in another order). */
#include "node-test.h"

#include <string.h>

#define NS 3
#define D  2
#define N  (NS * D)

static const double u0[N] = {0.8, -0.3, 0.1, 0.9, -0.6, -0.4};
static const double times[2] = {0.5, 1.0};
static double w[2 * N];

static double loss_of(const double *u) {
  double L = 0;
  for (int m = 0; m < 2 * N; m++) L += w[m] * u[m];
  return L;
}

/* Relative agreement of a and b, scaled by the larger of |b| and `floor`. */
static void check_close(const char *what, int64_t index, double a, double b, double rel,
                        double floor) {
  double scale = fmax(fabs(b), floor);
  TEST_ASSERT(fabs(a - b) <= rel * scale, "%s[%lld]: analytic %.10g, finite differences %.10g",
              what, (long long)index, a, b);
}

/* Parameter `index` over all blocks: its value (grad = 0) or its gradient (grad = 1). */
static double *param(node_field *field, int64_t index, int grad) {
  int nblocks;
  solace_nn_param **blocks;
  solace_nn_net_params(field->net, &nblocks, &blocks);
  for (int k = 0; k < nblocks; k++) {
    if (index < blocks[k]->count) return grad ? &blocks[k]->grad[index] : &blocks[k]->value[index];
    index -= blocks[k]->count;
  }
  return NULL;
}

typedef struct {
  node_field *field;
  node_solver solver;
  node_record rec;
  double u0[N];
  double gweight;
} problem;

/* L (+ gweight * global regularizer) of the frozen step map. */
static double frozen_loss(problem *p) {
  double out[2 * N], greg;
  if (node_test_replay(p->field, &p->solver.table, &p->rec, p->solver.atol, p->solver.rtol, p->u0,
                       out, &greg))
    return NAN;
  return loss_of(out) + p->gweight * greg;
}

/* L of a fresh adaptive solve (its own steps). */
static double adaptive_loss(problem *p) {
  double out[2 * N];
  if (node_solve(&p->solver, N, 0.0, p->u0, 2, times, out, NULL, 0, NULL, NULL)) return NAN;
  return loss_of(out);
}

/* Central difference of loss() in *x. */
static double central(problem *p, double *x, double eps, double (*loss)(problem *)) {
  double x0 = *x;
  *x = x0 + eps;
  double plus = loss(p);
  *x = x0 - eps;
  double minus = loss(p);
  *x = x0;
  return (plus - minus) / (2 * eps);
}

/* Runs the forward solve and the adjoint; analytic gradients stay in the network and u0bar. */
static int adjoint_gradient(problem *p, double *u0bar) {
  double out[2 * N], ubar[2 * N], greg;
  SolaceCall(node_solve(&p->solver, N, 0.0, p->u0, 2, times, out, &p->rec, 0, NULL, NULL));
  memcpy(ubar, w, sizeof ubar);
  SolaceCall(solace_nn_net_zero_grad(p->field->net));
  return node_adjoint(&p->solver, &p->rec, ubar, p->gweight, &greg, u0bar);
}

/* Compares every parameter's and initial-state entry's gradient with central differences. */
static int check_adjoint(problem *p, double (*loss)(problem *), double eps, double rel,
                         const char *name) {
  double u0bar[N], worst = 0, gmax = 0;
  SolaceCall(adjoint_gradient(p, u0bar));
  int64_t count = solace_nn_net_param_count(p->field->net);
  for (int64_t i = 0; i < count; i++) gmax = fmax(gmax, fabs(*param(p->field, i, 1)));
  double floor = loss == adaptive_loss ? gmax : p->gweight > 0 ? 1e-3 * gmax : 1e-8;
  for (int64_t i = 0; i < count; i++) {
    double fd = central(p, param(p->field, i, 0), eps, loss), an = *param(p->field, i, 1);
    check_close(name, i, an, fd, rel, floor);
    worst = fmax(worst, fabs(an - fd) / fmax(fabs(fd), floor));
  }
  for (int m = 0; m < N; m++) {
    double fd = central(p, &p->u0[m], eps, loss);
    check_close(name, -1 - m, u0bar[m], fd, rel, floor);
    worst = fmax(worst, fabs(u0bar[m] - fd) / fmax(fabs(fd), floor));
  }
  printf("%s: %lld parameters and %d initial values, %lld steps, largest relative error %.3g "
         "(tolerance %.0e)\n",
         name, (long long)count, N, (long long)p->rec.nsteps, worst, rel);
  return SOLACE_SUCCESS;
}

/* CVODES continuous adjoint vs the discrete adjoint at tol 1e-10: both approximate the exact
 * gradient to O(tol) times problem constants, so they agree to 1e-5 of the largest entry. */
static int check_cvodes(problem *p) {
  double u0bar_d[N], u0bar_c[N], worst = 0, gmax = 0;
  int64_t count = solace_nn_net_param_count(p->field->net);
  double *gd = calloc((size_t)count, sizeof(double));
  if (!gd) return SOLACE_ERR_MEM;
  SolaceCall(adjoint_gradient(p, u0bar_d));
  for (int64_t i = 0; i < count; i++)
    gd[i] = *param(p->field, i, 1), gmax = fmax(gmax, fabs(gd[i]));
  SolaceCall(solace_nn_net_zero_grad(p->field->net));
  SolaceCall(node_cvodes_adjoint(&p->solver, N, 0.0, p->u0, 2, times, w, u0bar_c));
  for (int64_t i = 0; i < count; i++) {
    check_close("cvodes", i, *param(p->field, i, 1), gd[i], 1e-5, gmax);
    worst = fmax(worst, fabs(*param(p->field, i, 1) - gd[i]) / gmax);
  }
  for (int m = 0; m < N; m++) check_close("cvodes-u0", m, u0bar_c[m], u0bar_d[m], 1e-5, gmax);
  printf("cvodes: %lld parameters, largest difference to the discrete adjoint %.3g of the largest "
         "entry (tolerance 1e-5)\n",
         (long long)count, worst);
  free(gd);
  return SOLACE_SUCCESS;
}

/* The frozen local regularizer: k1 and h given, stages 2..7 and u_{n+1} from the parameters. */
typedef struct {
  node_field *field;
  node_table tab;
  double t1, h, atol, rtol, u1[N], k1[N];
} local_problem;

static double frozen_local(local_problem *lp) {
  double k[7 * N], y1[N], work[N];
  if (node_step_forward(lp->field, &lp->tab, N, lp->t1, lp->h, lp->u1, lp->k1, k, y1, work))
    return NAN;
  return lp->h * node_error_estimate(&lp->tab, N, lp->h, lp->atol, lp->rtol, lp->u1, y1, k);
}

/* hgiven > 0: the step size of the fresh step (the solver's); else the automatic initial step. */
static int check_local(problem *p, double hgiven) {
  local_problem lp = {.field = p->field, .t1 = 0.3, .atol = 1e-2, .rtol = 1e-2};
  double out[N], work[2 * N], R, worst = 0;
  SolaceCall(node_table_get(SOLACE_NODE_TSIT5, &lp.tab));
  SolaceCall(node_solve(&p->solver, N, 0.0, p->u0, 1, times + 1, out, NULL, 1, &lp.t1, lp.u1));
  SolaceCall(node_field_eval(p->field, lp.t1, lp.u1, lp.k1));
  if (hgiven > 0)
    lp.h = hgiven;
  else
    SolaceCall(node_initial_step(p->field, 5, N, lp.t1, 1.0 - lp.t1, lp.atol, lp.rtol, lp.u1, lp.k1,
                                 &lp.h, work));
  SolaceCall(solace_nn_net_zero_grad(p->field->net));
  SolaceCall(node_local_reg(p->field, N, lp.t1, 1.0, hgiven, lp.u1, lp.atol, lp.rtol, 1.0, &R));
  TEST_NEAR(R, frozen_local(&lp), 1e-14 * fabs(R));
  int64_t count = solace_nn_net_param_count(p->field->net);
  double gmax = 0;
  for (int64_t i = 0; i < count; i++) gmax = fmax(gmax, fabs(*param(p->field, i, 1)));
  for (int64_t i = 0; i < count; i++) {
    double *x = param(p->field, i, 0), x0 = *x, eps = 1e-6;
    *x = x0 + eps;
    double plus = frozen_local(&lp);
    *x = x0 - eps;
    double minus = frozen_local(&lp);
    *x = x0;
    double fd = (plus - minus) / (2 * eps), an = *param(p->field, i, 1);
    check_close("local", i, an, fd, 1e-4, gmax);
    worst = fmax(worst, fabs(an - fd) / gmax);
  }
  printf("local: R = %.6g with h = %.4g, %lld parameters, largest error %.3g of the largest "
         "gradient entry (tolerance 1e-4)\n",
         R, lp.h, (long long)count, worst);
  TEST_ASSERT(R > 0 && lp.h > 0 && lp.h <= 0.7, "R = %g, h = %g", R, lp.h);
  return SOLACE_SUCCESS;
}

/* y = W x + b for W [m, n] row-major and x of n values, t appended as x[n] when `append`. */
static void affine(const double *W, const double *b, int64_t m, int64_t n, const double *x,
                   double t, double *y) {
  for (int64_t i = 0; i < m; i++) {
    y[i] = b[i] + W[i * (n + 1) + n] * t;
    for (int64_t j = 0; j < n; j++) y[i] += W[i * (n + 1) + j] * x[j];
  }
}

/* f(u, t) of the time-at-every-layer field written out per sample, against node_field_eval. */
static int check_layers_forward(problem *p) {
  int nb;
  solace_nn_param **b;
  double t = 0.37, f[N], h1[8], h2[8], ref[D];
  SolaceCall(solace_nn_net_params(p->field->net, &nb, &b));
  TEST_ASSERT(nb == 6 && b[0]->shape[1] == D + 1 && b[2]->shape[1] == 9 && b[4]->shape[1] == 9,
              "unexpected blocks: %d", nb);
  SolaceCall(node_field_set_batch(p->field, NS));
  SolaceCall(node_field_eval(p->field, t, p->u0, f));
  for (int s = 0; s < NS; s++) {
    affine(b[0]->value, b[1]->value, 8, D, p->u0 + s * D, t, h1);
    for (int i = 0; i < 8; i++) h1[i] = tanh(h1[i]);
    affine(b[2]->value, b[3]->value, 8, 8, h1, t, h2);
    for (int i = 0; i < 8; i++) h2[i] = tanh(h2[i]);
    affine(b[4]->value, b[5]->value, D, 8, h2, t, ref);
    for (int i = 0; i < D; i++) TEST_NEAR(f[s * D + i], ref[i], 1e-14 * fmax(1, fabs(ref[i])));
  }
  printf("layers: f(u, t) matches the written-out MLP with t at every layer\n");
  return SOLACE_SUCCESS;
}

/* The gradient of the regularizer, copied out of the network (count values). */
static void copy_grad(problem *p, int64_t count, double *g) {
  for (int64_t i = 0; i < count; i++) g[i] = *param(p->field, i, 1);
}

/* node_local_reg_mean over three t1 vs the mean of three node_local_reg calls. */
static int check_local_mean(problem *p) {
  double t1[3] = {0.2, 0.5, 0.8}, h[3] = {0, 0, 0}, u1[3 * N], out[N], Rm, Rs = 0, R;
  const double *u1p[3] = {u1, u1 + N, u1 + 2 * N};
  int64_t count = solace_nn_net_param_count(p->field->net);
  double *gm = calloc((size_t)count, sizeof(double)), *gs = calloc((size_t)count, sizeof(double));
  if (!gm || !gs) return SOLACE_ERR_MEM;
  SolaceCall(node_solve(&p->solver, N, 0.0, p->u0, 1, times + 1, out, NULL, 3, t1, u1));
  SolaceCall(solace_nn_net_zero_grad(p->field->net));
  SolaceCall(node_local_reg_mean(p->field, N, 3, t1, 1.0, h, u1p, 1e-2, 1e-2, 1.0, &Rm));
  copy_grad(p, count, gm);
  for (int j = 0; j < 3; j++) {
    SolaceCall(solace_nn_net_zero_grad(p->field->net));
    SolaceCall(node_local_reg(p->field, N, t1[j], 1.0, 0, u1p[j], 1e-2, 1e-2, 1.0, &R));
    Rs += R / 3;
    for (int64_t i = 0; i < count; i++) gs[i] += *param(p->field, i, 1) / 3;
  }
  double gmax = 0, worst = 0;
  for (int64_t i = 0; i < count; i++) gmax = fmax(gmax, fabs(gs[i]));
  for (int64_t i = 0; i < count; i++) worst = fmax(worst, fabs(gm[i] - gs[i]));
  TEST_NEAR(Rm, Rs, 1e-12 * Rs);
  TEST_ASSERT(worst <= 1e-12 * gmax, "mean gradient differs by %g (largest entry %g)", worst, gmax);
  printf("local-mean: R = %.6g (mean of %.4g, %.4g, %.4g samples), gradient difference %.3g of "
         "the largest entry (tolerance 1e-12)\n",
         Rm, t1[0], t1[1], t1[2], worst / gmax);
  TEST_ASSERT(Rm > 0, "R = %g", Rm);
  free(gm), free(gs);
  return SOLACE_SUCCESS;
}

int main(int argc, char **argv) {
  const char *which = argc > 1 ? argv[1] : "adjoint";
  problem p = {.gweight = 0};
  memcpy(p.u0, u0, sizeof u0);
  solace_rand_normal(3, 0, 0, 2 * N, w);
  int layers = !strcmp(which, "layers") || !strcmp(which, "local-layers");
  TEST_CALL(node_test_random_field(D, 8, 11, layers, &p.field));
  double tol = !strcmp(which, "adaptive") || !strcmp(which, "cvodes") ? 1e-10
               : !strcmp(which, "global")                             ? 1e-4
                                                                      : 1e-7;
  TEST_CALL(node_solver_init(&p.solver, p.field, SOLACE_NODE_TSIT5, tol, tol));
  if (!strcmp(which, "adjoint")) TEST_CALL(check_adjoint(&p, frozen_loss, 1e-5, 1e-6, which));
  if (!strcmp(which, "adaptive")) TEST_CALL(check_adjoint(&p, adaptive_loss, 1e-4, 1e-4, which));
  if (!strcmp(which, "global")) {
    p.gweight = 0.7;
    TEST_CALL(check_adjoint(&p, frozen_loss, 1e-5, 1e-5, which));
  }
  if (!strcmp(which, "dopri5")) {
    node_solver_free(&p.solver);
    TEST_CALL(node_solver_init(&p.solver, p.field, SOLACE_NODE_DOPRI5, tol, tol));
    TEST_CALL(check_adjoint(&p, frozen_loss, 1e-5, 1e-6, which));
  }
  if (!strcmp(which, "local") || !strcmp(which, "local-layers")) TEST_CALL(check_local(&p, 0));
  if (!strcmp(which, "local-solver")) TEST_CALL(check_local(&p, 0.5));
  if (!strcmp(which, "cvodes")) TEST_CALL(check_cvodes(&p));
  if (!strcmp(which, "layers")) {
    TEST_CALL(check_layers_forward(&p));
    TEST_CALL(check_adjoint(&p, frozen_loss, 1e-5, 1e-6, which));
  }
  if (!strcmp(which, "local-mean")) TEST_CALL(check_local_mean(&p));
  node_record_free(&p.rec);
  node_solver_free(&p.solver);
  node_field_destroy(&p.field);
  return test_finish("node-gradient");
}
