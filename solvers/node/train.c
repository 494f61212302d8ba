/* Training of a neural ODE: minibatches integrated as one ODE state, the task loss through the
 * discrete adjoint, the chosen regularizer, Adam, a progress line, checkpoints and history. */
#include "node-object.h"

#include "solace/rand.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A training task: trajectories to fit (regression) or labelled inputs (classification). */
typedef struct {
  int classification;
  int64_t count;           /* trajectories or inputs */
  int64_t ntimes;          /* regression: observation times, times[0] the initial one */
  const double *times, *x; /* x column-major, leading dimension ldx */
  int64_t ldx;
  const int64_t *labels; /* classification */
  double t0, t1;         /* integration span */
} node_task;

/* Per-step buffers and the optimizer. */
typedef struct {
  int64_t B, N, nout;
  int64_t *index;
  double *u0, *out, *ubar, *probe, *tout;
  double treg[NODE_MAX_REG_SAMPLES]; /* the unbiased sampler's t1 */
  node_record rec;
  solace_nn_adam adam;
  double *loss, *reg, *nfe, *seconds, *accuracy; /* history */
} trainer;

static void trainer_free(trainer *tr) {
  free(tr->index), free(tr->u0), free(tr->out), free(tr->ubar), free(tr->probe), free(tr->tout);
  free(tr->loss), free(tr->reg), free(tr->nfe), free(tr->seconds), free(tr->accuracy);
  node_record_free(&tr->rec);
  solace_nn_adam_destroy(&tr->adam);
}

/* One Adam over the field's and the head's parameter blocks. */
static int create_adam(solace_node node, solace_nn_adam *adam) {
  int nf = 0, nh = 0;
  solace_nn_param **bf, **bh = NULL, *all[4 * NODE_MAX_HIDDEN + 8];
  SolaceCall(solace_nn_net_params(node->field->net, &nf, &bf));
  if (node->head) SolaceCall(solace_nn_net_params(node->head, &nh, &bh));
  for (int k = 0; k < nf; k++) all[k] = bf[k];
  for (int k = 0; k < nh; k++) all[nf + k] = bh[k];
  return solace_nn_adam_create(nf + nh, all, node->lr, 0.9, 0.999, 1e-8, adam);
}

static int trainer_alloc(solace_node node, const node_task *task, int64_t steps, trainer *tr) {
  memset(tr, 0, sizeof *tr);
  tr->B = node->batch < task->count ? node->batch : task->count;
  tr->N = tr->B * node->d;
  tr->nout = task->classification ? 1 : task->ntimes - 1;
  int status = SolaceCalloc(tr->B, &tr->index);
  if (!status) status = SolaceCalloc(tr->N, &tr->u0);
  if (!status) status = SolaceCalloc(tr->N * tr->nout, &tr->out);
  if (!status) status = SolaceCalloc(tr->N * tr->nout, &tr->ubar);
  if (!status) status = SolaceCalloc(tr->N * node->reg_samples, &tr->probe);
  if (!status) status = SolaceCalloc(tr->nout, &tr->tout);
  double **hist[5] = {&tr->loss, &tr->reg, &tr->nfe, &tr->seconds, &tr->accuracy};
  for (int k = 0; !status && k < 5; k++) status = SolaceCalloc(steps, hist[k]);
  if (!status) status = create_adam(node, &tr->adam);
  for (int64_t k = 0; !status && k < tr->nout; k++)
    tr->tout[k] = task->classification ? task->t1 : task->times[k + 1];
  return status;
}

/* Draws the minibatch of step s (all samples in order when the batch covers them). */
static int draw_batch(solace_node node, const node_task *task, int64_t s, trainer *tr) {
  double *uniform = tr->probe; /* free until the solve */
  if (tr->B == task->count)
    for (int64_t j = 0; j < tr->B; j++) tr->index[j] = j;
  else {
    SolaceCall(solace_rand_uniform(node->seed, 2 * (uint64_t)s, 0, tr->B, uniform));
    for (int64_t j = 0; j < tr->B; j++) tr->index[j] = (int64_t)(uniform[j] * task->count);
  }
  int64_t stride = task->classification ? 1 : task->ntimes;
  for (int64_t j = 0; j < tr->B; j++)
    memcpy(tr->u0 + j * node->d, task->x + tr->index[j] * stride * task->ldx,
           sizeof(double) * (size_t)node->d);
  return SOLACE_SUCCESS;
}

/* Mean squared error over the observation times; ubar = its gradient. */
static double regression_loss(solace_node node, const node_task *task, trainer *tr) {
  int64_t d = node->d, count = tr->nout * tr->N;
  double loss = 0;
  for (int64_t k = 0; k < tr->nout; k++)
    for (int64_t j = 0; j < tr->B; j++) {
      const double *target = task->x + (tr->index[j] * task->ntimes + k + 1) * task->ldx;
      double *u = tr->out + k * tr->N + j * d, *g = tr->ubar + k * tr->N + j * d;
      for (int64_t i = 0; i < d; i++) {
        double r = u[i] - target[i];
        loss += r * r / (double)count;
        g[i] = 2 * r / (double)count;
      }
    }
  return loss;
}

/* Softmax cross-entropy of the head on u(t1); ubar = its gradient; *accuracy of the batch. */
static int classification_loss(solace_node node, const node_task *task, trainer *tr, double *loss,
                               double *accuracy) {
  const solace_nn_tensor *y;
  solace_nn_tensor x, *dy = NULL, dx = {0};
  SolaceCall(node_head_forward(node, tr->B, tr->out, &y, &x));
  SolaceCall(solace_nn_tensor_create(0, tr->B, node->classes, NULL, &dy));
  int64_t C = node->classes, correct = 0;
  *loss = 0;
  for (int64_t j = 0; j < tr->B; j++) {
    const double *z = y->data + j * C;
    double zmax = z[0], sum = 0;
    int64_t label = task->labels[tr->index[j]], best = 0;
    for (int64_t c = 1; c < C; c++) zmax = fmax(zmax, z[c]), best = z[c] > z[best] ? c : best;
    for (int64_t c = 0; c < C; c++) sum += exp(z[c] - zmax);
    *loss += (log(sum) + zmax - z[label]) / (double)tr->B;
    for (int64_t c = 0; c < C; c++)
      dy->data[j * C + c] = (exp(z[c] - zmax) / sum - (c == label)) / (double)tr->B;
    correct += best == label;
  }
  *accuracy = (double)correct / (double)tr->B;
  dx = x, dx.data = tr->ubar, dx.capacity = 0;
  int status = solace_nn_net_backward(node->head, dy, &dx);
  solace_nn_tensor_destroy(&dy);
  return status;
}

/* Sample j of the local regularizer: t1 uniform in the span (u1 the probe), or an accepted
 * step's time (u1 the recorded state) drawn by u; h the automatic initial step (0) or the
 * accepted step's size there. */
static void local_sample(solace_node node, const trainer *tr, int64_t j, double u, double *t1,
                         double *h, const double **u1) {
  int64_t n = 0;
  *u1 = tr->probe + j * tr->N;
  if (node->reg == SOLACE_NODE_REG_BIASED) {
    n = (int64_t)(u * (double)tr->rec.nsteps);
    if (n >= tr->rec.nsteps) n = tr->rec.nsteps - 1;
    *t1 = tr->rec.t[n], *u1 = tr->rec.y + n * tr->N;
  } else
    while (n + 1 < tr->rec.nsteps && tr->rec.t[n + 1] <= *t1) n++;
  *h = node->reg_step == SOLACE_NODE_REG_STEP_SOLVER ? tr->rec.h[n] : 0;
}

/* The local regularizer of this step, averaged over the reg_samples draws (t, u) pairs. */
static int local_regularizer(solace_node node, const node_task *task, trainer *tr,
                             const double *draws, double lambda, double *R) {
  double t1[NODE_MAX_REG_SAMPLES], h[NODE_MAX_REG_SAMPLES];
  const double *u1[NODE_MAX_REG_SAMPLES];
  int64_t k = node->reg_samples;
  for (int64_t j = 0; j < k; j++) {
    t1[j] = tr->treg[j];
    local_sample(node, tr, j, draws[2 * j + 1], &t1[j], &h[j], &u1[j]);
  }
  return node_local_reg_mean(node->field, tr->N, k, t1, task->t1, h, u1, node->solver.atol,
                             node->solver.rtol, lambda, R);
}

/* One training step: forward, loss, adjoint, regularizer, Adam. */
static int train_step(solace_node node, const node_task *task, int64_t s, int64_t steps,
                      trainer *tr) {
  double start = solace_wtime(), draws[2 * NODE_MAX_REG_SAMPLES], loss = 0, acc = NAN, R = 0;
  int64_t k = node->reg_samples;
  double lambda = node->lambda0 * pow(node->lambda1 / node->lambda0, (double)s / (double)steps);
  SolaceCall(draw_batch(node, task, s, tr));
  SolaceCall(solace_rand_uniform(node->seed, 2 * (uint64_t)s + 1, 0, 2 * k, draws));
  for (int64_t j = 0; j < k; j++) tr->treg[j] = task->t0 + draws[2 * j] * (task->t1 - task->t0);
  int64_t nprobe = node->reg == SOLACE_NODE_REG_UNBIASED ? k : 0;
  SolaceCall(solace_nn_net_zero_grad(node->field->net));
  if (node->head) SolaceCall(solace_nn_net_zero_grad(node->head));
  node->field->nfe = 0;
  SolaceCall(node_solve(&node->solver, tr->N, task->t0, tr->u0, tr->nout, tr->tout, tr->out,
                        &tr->rec, nprobe, tr->treg, tr->probe));
  if (task->classification)
    SolaceCall(classification_loss(node, task, tr, &loss, &acc));
  else
    loss = regression_loss(node, task, tr);
  double gweight = node->reg == SOLACE_NODE_REG_GLOBAL ? lambda : 0;
  if (node->adjoint == SOLACE_NODE_ADJOINT_CVODES)
    SolaceCall(node_cvodes_adjoint(&node->solver, tr->N, task->t0, tr->u0, tr->nout, tr->tout,
                                   tr->ubar, NULL));
  else
    SolaceCall(node_adjoint(&node->solver, &tr->rec, tr->ubar, gweight, &R, NULL));
  if (node->reg == SOLACE_NODE_REG_UNBIASED || node->reg == SOLACE_NODE_REG_BIASED)
    SolaceCall(local_regularizer(node, task, tr, draws, lambda, &R));
  SolaceCall(solace_nn_adam_step(tr->adam));
  node->nfe = node->field->nfe;
  tr->loss[s] = loss, tr->reg[s] = R, tr->nfe[s] = (double)node->nfe, tr->accuracy[s] = acc;
  tr->seconds[s] = solace_wtime() - start;
  SolaceCheck(isfinite(loss), SOLACE_ERR_NOT_CONVERGED, "the loss is %g at step %lld", loss,
              (long long)s);
  return SOLACE_SUCCESS;
}

/* Writes the checkpoint and the history so far when due. */
static int write_outputs(solace_node node, int64_t done, int64_t steps, const trainer *tr) {
  int due = done == steps || (node->every >= 1 && done % node->every == 0);
  if (!due) return SOLACE_SUCCESS;
  if (node->checkpoint) SolaceCall(solace_node_save(node, node->checkpoint));
  if (node->history)
    SolaceCall(node_write_history(node, node->history, done, tr->loss, tr->reg, tr->nfe,
                                  tr->seconds, tr->accuracy));
  return SOLACE_SUCCESS;
}

/* The progress note: loss, NFE and (classification) the batch accuracy. */
static int report(solace_progress progress, int64_t s, const trainer *tr, int classification) {
  char note[128];
  if (classification)
    snprintf(note, sizeof note, "loss %.4g nfe %.0f acc %.3f", tr->loss[s], tr->nfe[s],
             tr->accuracy[s]);
  else
    snprintf(note, sizeof note, "loss %.4g nfe %.0f", tr->loss[s], tr->nfe[s]);
  return solace_progress_update(progress, s + 1, note);
}

static int train(solace_node node, const node_task *task, int64_t steps, double *loss) {
  SolaceCheck(steps >= 1, SOLACE_ERR_ARG, "steps = %lld must be >= 1", (long long)steps);
  SolaceCheck(node->adjoint != SOLACE_NODE_ADJOINT_CVODES || node->reg != SOLACE_NODE_REG_GLOBAL,
              SOLACE_ERR_UNSUPPORTED,
              "the global regularizer needs the discrete adjoint, not the CVODES one");
  trainer tr;
  solace_progress progress = NULL;
  int status = trainer_alloc(node, task, steps, &tr);
  if (!status) status = solace_progress_create("node train", steps, 0, &progress);
  for (int64_t s = 0; !status && s < steps; s++) {
    status = train_step(node, task, s, steps, &tr);
    if (!status) status = report(progress, s, &tr, task->classification);
    if (!status) status = write_outputs(node, s + 1, steps, &tr);
  }
  if (!status) status = solace_progress_finish(progress);
  if (!status && loss) *loss = tr.loss[steps - 1];
  solace_progress_destroy(&progress);
  trainer_free(&tr);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

int solace_node_train_traj(solace_node node, int64_t ntraj, int64_t ntimes, const double *times,
                           const double *x, int64_t ldx, int64_t steps, double *loss) {
  solace_error_clear();
  SolaceCheckNotNull(node);
  SolaceCheck(ntraj >= 1 && ntimes >= 2, SOLACE_ERR_ARG,
              "ntraj = %lld must be >= 1 and ntimes = %lld >= 2", (long long)ntraj,
              (long long)ntimes);
  SolaceCheckNotNull(times);
  for (int64_t k = 1; k < ntimes; k++)
    SolaceCheck(isfinite(times[k]) && times[k] > times[k - 1], SOLACE_ERR_ARG,
                "times[%lld] = %g is not > times[%lld] = %g", (long long)k, times[k],
                (long long)(k - 1), times[k - 1]);
  SolaceCall(node_check_matrix("x", x, node->d, ntraj * ntimes, ldx, 1, __func__));
  node_task task = {.count = ntraj,
                    .ntimes = ntimes,
                    .times = times,
                    .x = x,
                    .ldx = ldx,
                    .t0 = times[0],
                    .t1 = times[ntimes - 1]};
  SolaceCall(train(node, &task, steps, loss));
  return SOLACE_SUCCESS;
}

int solace_node_train_labels(solace_node node, int64_t n, const double *x, int64_t ldx,
                             const int64_t *labels, double t1, int64_t steps, double *loss) {
  solace_error_clear();
  SolaceCheckNotNull(node);
  SolaceCheck(node->classes >= 2, SOLACE_ERR_STATE,
              "the neural ODE has no classifier head (solace_node_set_classifier)");
  SolaceCheck(n >= 1 && isfinite(t1) && t1 > 0, SOLACE_ERR_ARG,
              "n = %lld must be >= 1 and t1 = %g > 0", (long long)n, t1);
  SolaceCheckNotNull(labels);
  for (int64_t j = 0; j < n; j++)
    SolaceCheck(labels[j] >= 0 && labels[j] < node->classes, SOLACE_ERR_ARG,
                "labels[%lld] = %lld is not in 0..%lld", (long long)j, (long long)labels[j],
                (long long)(node->classes - 1));
  SolaceCall(node_check_matrix("x", x, node->d, n, ldx, 1, __func__));
  node_task task = {
      .classification = 1, .count = n, .x = x, .ldx = ldx, .labels = labels, .t0 = 0, .t1 = t1};
  SolaceCall(train(node, &task, steps, loss));
  return SOLACE_SUCCESS;
}

int solace_node_train_file(solace_node node, const char *path, int64_t steps, double *loss) {
  solace_error_clear();
  SolaceCheckNotNull(node);
  SolaceCheckNotNull(path);
  int64_t ntraj, ntimes, d;
  double *t = NULL, *x = NULL;
  SolaceCall(node_read_trajectories(path, &ntraj, &ntimes, &d, &t, &x));
  int status = d == node->d ? SOLACE_SUCCESS
                            : solace_error_set(SOLACE_ERR_FORMAT, __func__,
                                               "'%s' holds states of dimension %lld, the neural "
                                               "ODE has d = %lld",
                                               path, (long long)d, (long long)node->d);
  if (!status) status = solace_node_train_traj(node, ntraj, ntimes, t, x, d, steps, loss);
  free(t), free(x);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}
