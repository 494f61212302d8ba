/* Sequential network with SAVE / ADD skip steps (see nn.h): building, forward, backward,
 * parameters and seeded initialisation. */
#include "nn/nn.h"

#include "solace/rand.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { STEP_LAYER, STEP_SAVE, STEP_ADD };

typedef struct {
  int kind, slot;
  solace_nn_layer *layer;
} net_step;

struct solace_nn_net_s {
  int nsteps, capacity;
  net_step *steps;
  solace_nn_tensor *act;    /* nsteps + 1 activations: act[0] borrows the input */
  solace_nn_tensor grad[2]; /* the running gradient and the next one */
  solace_nn_tensor dslot[SOLACE_NN_MAX_SLOTS];
  int slot_saved[SOLACE_NN_MAX_SLOTS]; /* building: the slot has a SAVE step */
  int slot_act[SOLACE_NN_MAX_SLOTS];   /* forward: index of the activation saved in the slot */
  int nblocks;
  solace_nn_param **blocks;
  int forward_done;
};

int solace_nn_net_create(solace_nn_net *net) {
  SolaceCheckNotNull(net);
  SolaceCall(SolaceCalloc(1, net));
  int status = SolaceCalloc(1, &(*net)->act);
  if (status) solace_nn_net_destroy(net);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

void solace_nn_net_destroy(solace_nn_net *net) {
  if (!net || !*net) return;
  solace_nn_net n = *net;
  for (int i = 0; i < n->nsteps; i++) solace_nn_layer_destroy(&n->steps[i].layer);
  for (int i = 0; i <= n->nsteps && n->act; i++) solace_nn_tensor_release(&n->act[i]);
  for (int k = 0; k < 2; k++) solace_nn_tensor_release(&n->grad[k]);
  for (int k = 0; k < SOLACE_NN_MAX_SLOTS; k++) solace_nn_tensor_release(&n->dslot[k]);
  free(n->steps);
  free(n->act);
  free(n->blocks);
  free(n);
  *net = NULL;
}

/* Appends a step, growing the step and activation arrays. */
static int add_step(solace_nn_net net, net_step step) {
  if (net->nsteps == net->capacity) {
    int capacity = net->capacity ? 2 * net->capacity : 8;
    net_step *steps = realloc(net->steps, sizeof *steps * (size_t)capacity);
    SolaceCheck(steps, SOLACE_ERR_MEM, "cannot grow the network to %d steps", capacity);
    net->steps = steps;
    solace_nn_tensor *act = realloc(net->act, sizeof *act * (size_t)(capacity + 1));
    SolaceCheck(act, SOLACE_ERR_MEM, "cannot grow the network to %d steps", capacity);
    memset(act + net->capacity + 1, 0, sizeof *act * (size_t)(capacity - net->capacity));
    net->act = act;
    net->capacity = capacity;
  }
  net->steps[net->nsteps++] = step;
  net->forward_done = 0;
  return SOLACE_SUCCESS;
}

int solace_nn_net_add_layer(solace_nn_net net, solace_nn_layer **layer) {
  SolaceCheckNotNull(layer);
  if (!net) solace_nn_layer_destroy(layer);
  SolaceCheckNotNull(net);
  SolaceCheck(*layer, SOLACE_ERR_ARG, "*layer is NULL");
  int status = add_step(net, (net_step){STEP_LAYER, -1, *layer});
  if (status) solace_nn_layer_destroy(layer);
  *layer = NULL;
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

int solace_nn_net_add_save(solace_nn_net net, int slot) {
  SolaceCheckNotNull(net);
  SolaceCheck(slot >= 0 && slot < SOLACE_NN_MAX_SLOTS, SOLACE_ERR_ARG, "slot %d is not in 0..%d",
              slot, SOLACE_NN_MAX_SLOTS - 1);
  SolaceCall(add_step(net, (net_step){STEP_SAVE, slot, NULL}));
  net->slot_saved[slot] = 1;
  return SOLACE_SUCCESS;
}

int solace_nn_net_add_skip(solace_nn_net net, int slot) {
  SolaceCheckNotNull(net);
  SolaceCheck(slot >= 0 && slot < SOLACE_NN_MAX_SLOTS, SOLACE_ERR_ARG, "slot %d is not in 0..%d",
              slot, SOLACE_NN_MAX_SLOTS - 1);
  SolaceCheck(net->slot_saved[slot], SOLACE_ERR_ARG, "slot %d is added before it is saved", slot);
  return add_step(net, (net_step){STEP_ADD, slot, NULL});
}

int solace_nn_net_num_steps(solace_nn_net net) {
  return net ? net->nsteps : 0;
}

solace_nn_layer *solace_nn_net_step_layer(solace_nn_net net, int i) {
  return net && i >= 0 && i < net->nsteps ? net->steps[i].layer : NULL;
}

int64_t solace_nn_net_param_count(solace_nn_net net) {
  int64_t count = 0;
  for (int i = 0; net && i < net->nsteps; i++)
    if (net->steps[i].layer) count += solace_nn_layer_param_count(net->steps[i].layer);
  return count;
}

int solace_nn_net_params(solace_nn_net net, int *nblocks, solace_nn_param ***blocks) {
  SolaceCheckNotNull(net);
  SolaceCheckNotNull(nblocks);
  SolaceCheckNotNull(blocks);
  free(net->blocks);
  net->blocks = NULL;
  net->nblocks = 0;
  SolaceCall(SolaceCalloc(2 * net->nsteps + 1, &net->blocks));
  for (int i = 0; i < net->nsteps; i++)
    for (int k = 0; net->steps[i].layer && k < net->steps[i].layer->nparams; k++)
      net->blocks[net->nblocks++] = &net->steps[i].layer->params[k];
  *nblocks = net->nblocks;
  *blocks = net->blocks;
  return SOLACE_SUCCESS;
}

int solace_nn_net_zero_grad(solace_nn_net net) {
  SolaceCheckNotNull(net);
  for (int i = 0; i < net->nsteps; i++)
    for (int k = 0; net->steps[i].layer && k < net->steps[i].layer->nparams; k++) {
      solace_nn_param *p = &net->steps[i].layer->params[k];
      memset(p->grad, 0, sizeof(double) * (size_t)p->count);
    }
  return SOLACE_SUCCESS;
}

/* Draws the weight block of the index-th parameterised layer; zeroes its bias. */
static int init_layer(solace_nn_layer *layer, uint64_t seed, uint64_t index) {
  solace_nn_param *w = &layer->params[0], *b = &layer->params[1];
  double fan_in = (double)(w->count / w->shape[0]), fan_out = (double)(w->count / w->shape[1]);
  double var = layer->init == SOLACE_NN_INIT_HE ? 2.0 / fan_in : 2.0 / (fan_in + fan_out);
  double scale = sqrt(var) * (layer->gain > 0 ? layer->gain : 1.0);
  SolaceCall(solace_rand_normal(seed, index, 0, w->count, w->value));
  for (int64_t i = 0; i < w->count; i++) w->value[i] *= scale;
  memset(b->value, 0, sizeof(double) * (size_t)b->count);
  return SOLACE_SUCCESS;
}

int solace_nn_net_init(solace_nn_net net, uint64_t seed) {
  SolaceCheckNotNull(net);
  uint64_t index = 0;
  for (int i = 0; i < net->nsteps; i++)
    if (net->steps[i].layer && net->steps[i].layer->nparams)
      SolaceCall(init_layer(net->steps[i].layer, seed, index++));
  return SOLACE_SUCCESS;
}

int solace_nn_net_set_tile(solace_nn_net net, int64_t columns) {
  SolaceCheckNotNull(net);
  SolaceCheck(columns >= 1, SOLACE_ERR_ARG, "tile = %lld columns must be >= 1", (long long)columns);
  for (int i = 0; i < net->nsteps; i++)
    if (net->steps[i].layer) net->steps[i].layer->tile = columns;
  return SOLACE_SUCCESS;
}

/* The index of the step of `net` whose layer owns the blocks of tied layer `layer`, or -1. */
static int local_owner(solace_nn_net net, const solace_nn_layer *layer) {
  for (int i = 0; i < net->nsteps; i++) {
    const solace_nn_layer *l = net->steps[i].layer;
    if (l && l->nparams && l->params[0].value == layer->params[0].value) return i;
  }
  return -1;
}

/* Ties the parameterised layers of `net` in order to those of `owner`. */
static int tie_owners(solace_nn_net net, solace_nn_net owner) {
  int j = 0;
  for (int i = 0; i < net->nsteps; i++) {
    solace_nn_layer *layer = net->steps[i].layer;
    if (!layer || !layer->nparams) continue;
    while (j < owner->nsteps && !(owner->steps[j].layer && owner->steps[j].layer->nparams)) j++;
    SolaceCheck(j < owner->nsteps, SOLACE_ERR_ARG,
                "the owner network has fewer parameterised layers than the tied one");
    SolaceCall(solace_nn_layer_tie(layer, owner->steps[j++].layer));
  }
  while (j < owner->nsteps && !(owner->steps[j].layer && owner->steps[j].layer->nparams)) j++;
  SolaceCheck(j == owner->nsteps, SOLACE_ERR_ARG,
              "the owner network has more parameterised layers than the tied one");
  return SOLACE_SUCCESS;
}

int solace_nn_net_tie(solace_nn_net net, solace_nn_net owner) {
  SolaceCheckNotNull(net);
  SolaceCheckNotNull(owner);
  /* Layers already tied inside `net` follow their local owner to its new blocks. */
  int *local, status;
  SolaceCall(SolaceCalloc(net->nsteps + 1, &local));
  for (int i = 0; i < net->nsteps; i++)
    local[i] = net->steps[i].layer && net->steps[i].layer->tied
                   ? local_owner(net, net->steps[i].layer)
                   : -1;
  status = tie_owners(net, owner);
  for (int i = 0; !status && i < net->nsteps; i++)
    if (local[i] >= 0)
      for (int k = 0; k < 2; k++)
        net->steps[i].layer->params[k] = net->steps[local[i]].layer->params[k];
  free(local);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

int solace_nn_net_set_upsample_gain(solace_nn_net net, double gain) {
  SolaceCheckNotNull(net);
  SolaceCheck(gain > 0 && isfinite(gain), SOLACE_ERR_ARG, "upsampling gain %g (need > 0)", gain);
  for (int i = 0; i < net->nsteps; i++) {
    solace_nn_layer *layer = net->steps[i].layer;
    if (layer && (!strncmp(layer->ops->name, "up", 2) || !strncmp(layer->ops->name, "lin", 3)))
      layer->value = gain;
  }
  return SOLACE_SUCCESS;
}

int solace_nn_net_set_upsample_linear(solace_nn_net net) {
  SolaceCheckNotNull(net);
  for (int i = 0; i < net->nsteps; i++) {
    solace_nn_layer *layer = net->steps[i].layer;
    if (layer && !strncmp(layer->ops->name, "up", 2))
      SolaceCall(solace_nn_layer_make_linear(layer));
  }
  return SOLACE_SUCCESS;
}

/* Checks the caller's input tensor. */
static int check_input(const solace_nn_tensor *x) {
  SolaceCheckNotNull(x);
  SolaceCheck(x->ndim >= 0 && x->ndim <= 3 && x->n >= 1 && x->c >= 1, SOLACE_ERR_ARG,
              "input tensor has ndim = %d, n = %lld, c = %lld", x->ndim, (long long)x->n,
              (long long)x->c);
  for (int k = 0; k < x->ndim; k++)
    SolaceCheck(x->dims[k] >= 1, SOLACE_ERR_ARG, "input dims[%d] = %lld", k, (long long)x->dims[k]);
  SolaceCheck(x->data, SOLACE_ERR_ARG, "input tensor has no data");
  return SOLACE_SUCCESS;
}

/* Runs forward step i from act[i] into act[i + 1]. */
static int forward_step(solace_nn_net net, int i) {
  net_step *st = &net->steps[i];
  solace_nn_tensor *in = &net->act[i], *out = &net->act[i + 1], shape;
  char a[96], b[96];
  switch (st->kind) {
  case STEP_LAYER:
    SolaceCall(st->layer->ops->shape(st->layer, in, &shape));
    SolaceCall(solace_nn_tensor_reshape(out, &shape));
    return st->layer->ops->forward(st->layer, in, out);
  case STEP_SAVE:
    *out = *in;
    out->capacity = 0;
    net->slot_act[st->slot] = i + 1;
    return SOLACE_SUCCESS;
  default: {
    const solace_nn_tensor *s = &net->act[net->slot_act[st->slot]];
    SolaceCheck(solace_nn_tensor_same_shape(in, s), SOLACE_ERR_ARG,
                "step %d adds slot %d of shape %s to an activation of shape %s", i, st->slot,
                solace_nn_tensor_shape_string(s, a, sizeof a),
                solace_nn_tensor_shape_string(in, b, sizeof b));
    SolaceCall(solace_nn_tensor_reshape(out, in));
    solace_nn_add_forward(in, s, out);
    return SOLACE_SUCCESS;
  }
  }
}

int solace_nn_net_forward(solace_nn_net net, const solace_nn_tensor *x,
                          const solace_nn_tensor **y) {
  SolaceCheckNotNull(net);
  SolaceCheckNotNull(y);
  SolaceCall(check_input(x));
  SolaceCheck(net->nsteps > 0, SOLACE_ERR_STATE, "the network has no steps");
  net->forward_done = 0;
  net->act[0] = *x;
  net->act[0].capacity = 0;
  for (int i = 0; i < net->nsteps; i++) {
    int status = forward_step(net, i);
    if (status) {
      char why[512];
      snprintf(why, sizeof why, "%s", solace_error_message());
      return solace_error_set(status, __func__, "%s (at step %d, %s)", why, i,
                              net->steps[i].layer ? net->steps[i].layer->ops->name : "skip");
    }
  }
  *y = &net->act[net->nsteps];
  net->forward_done = 1;
  return SOLACE_SUCCESS;
}

/* ADD step backward: the slot's gradient receives g (first use: a copy). */
static int backward_add(solace_nn_net net, int slot, const solace_nn_tensor *g, int *live) {
  solace_nn_tensor *ds = &net->dslot[slot];
  int64_t size = solace_nn_tensor_size(g);
  if (!live[slot]) {
    SolaceCall(solace_nn_tensor_reshape(ds, g));
    memcpy(ds->data, g->data, sizeof(double) * (size_t)size);
    live[slot] = 1;
  } else {
    for (int64_t k = 0; k < size; k++) ds->data[k] += g->data[k];
  }
  return SOLACE_SUCCESS;
}

/* SAVE step backward: g receives the slot's gradient, which is then spent. */
static void backward_save(solace_nn_net net, int slot, solace_nn_tensor *g, int *live) {
  if (!live[slot]) return;
  int64_t size = solace_nn_tensor_size(g);
  for (int64_t k = 0; k < size; k++) g->data[k] += net->dslot[slot].data[k];
  live[slot] = 0;
}

int solace_nn_net_backward(solace_nn_net net, const solace_nn_tensor *dy, solace_nn_tensor *dx) {
  char a[96], b[96];
  SolaceCheckNotNull(net);
  SolaceCheckNotNull(dy);
  SolaceCheck(net->forward_done, SOLACE_ERR_STATE, "backward without a successful forward");
  const solace_nn_tensor *y = &net->act[net->nsteps];
  SolaceCheck(solace_nn_tensor_same_shape(dy, y) && dy->data, SOLACE_ERR_ARG,
              "dy has shape %s, the output %s", solace_nn_tensor_shape_string(dy, a, sizeof a),
              solace_nn_tensor_shape_string(y, b, sizeof b));
  SolaceCheck(!dx || (solace_nn_tensor_same_shape(dx, &net->act[0]) && dx->data), SOLACE_ERR_ARG,
              "dx has shape %s, the input %s", solace_nn_tensor_shape_string(dx, a, sizeof a),
              solace_nn_tensor_shape_string(&net->act[0], b, sizeof b));
  int cur = 0, live[SOLACE_NN_MAX_SLOTS] = {0};
  SolaceCall(solace_nn_tensor_reshape(&net->grad[0], dy));
  memcpy(net->grad[0].data, dy->data, sizeof(double) * (size_t)solace_nn_tensor_size(dy));
  for (int i = net->nsteps - 1; i >= 0; i--) {
    net_step *st = &net->steps[i];
    solace_nn_tensor *g = &net->grad[cur], *gn = &net->grad[1 - cur];
    if (st->kind == STEP_ADD) SolaceCall(backward_add(net, st->slot, g, live));
    if (st->kind == STEP_SAVE) backward_save(net, st->slot, g, live);
    if (st->kind != STEP_LAYER) continue;
    int need = i > 0 || dx;
    if (need) SolaceCall(solace_nn_tensor_reshape(gn, &net->act[i]));
    SolaceCall(
        st->layer->ops->backward(st->layer, &net->act[i], &net->act[i + 1], g, need ? gn : NULL));
    cur = 1 - cur;
  }
  if (dx) memcpy(dx->data, net->grad[cur].data, sizeof(double) * (size_t)solace_nn_tensor_size(dx));
  return SOLACE_SUCCESS;
}

/* ------------------------------------------------------------------------------------------ */
/* Builders                                                                                   */

/* The DCDM architecture passed down the builders. */
typedef struct {
  int ndim;
  int64_t channels;
  int fine, coarse, after, levels;
  int tied;    /* 1: every level's coarse (after) blocks share one set of parameters */
  double gain; /* initial scale of the residual convolutions */
} dcdm_shape;

/* Appends a residual block a = relu(conv(a)) + a (slot 0). With `tie` non-NULL the conv shares
 * the parameters of *tie, or, when *tie is NULL, becomes the owner recorded there. */
static int add_residual(solace_nn_net net, const dcdm_shape *s, solace_nn_layer **tie) {
  solace_nn_layer *layer;
  SolaceCall(solace_nn_net_add_save(net, 0));
  SolaceCall(solace_nn_layer_create_conv(s->ndim, s->channels, s->channels, 3, &layer));
  layer->gain = s->gain;
  int status = tie && *tie ? solace_nn_layer_tie(layer, *tie) : SOLACE_SUCCESS;
  if (status) {
    solace_nn_layer_destroy(&layer);
    return solace_error_trace(status, __func__);
  }
  if (tie && !*tie) *tie = layer;
  SolaceCall(solace_nn_net_add_layer(net, &layer));
  SolaceCall(solace_nn_layer_create_relu(&layer));
  SolaceCall(solace_nn_net_add_layer(net, &layer));
  return solace_nn_net_add_skip(net, 0);
}

/* Appends `count` residual blocks; `ties` is NULL (own parameters) or `count` owners (see
 * add_residual). */
static int add_residuals(solace_nn_net net, const dcdm_shape *s, int count,
                         solace_nn_layer **ties) {
  for (int k = 0; k < count; k++) SolaceCall(add_residual(net, s, ties ? &ties[k] : NULL));
  return SOLACE_SUCCESS;
}

/* Appends the way down: `fine` blocks, then per level a saved skip (slot 1 + level), pooling and
 * `coarse` blocks (tied to the first level's when s->tied). */
static int build_dcdm_down(solace_nn_net net, const dcdm_shape *s, solace_nn_layer **ties) {
  solace_nn_layer *layer;
  SolaceCall(add_residuals(net, s, s->fine, NULL));
  for (int l = 0; l < s->levels; l++) {
    SolaceCall(solace_nn_net_add_save(net, 1 + l));
    SolaceCall(solace_nn_layer_create_pool(s->ndim, &layer));
    SolaceCall(solace_nn_net_add_layer(net, &layer));
    SolaceCall(add_residuals(net, s, s->coarse, ties));
  }
  return SOLACE_SUCCESS;
}

/* Appends the way up: per level, deepest first, upsampling plus the level's skip and `after`
 * blocks (tied to the deepest level's when s->tied). */
static int build_dcdm_up(solace_nn_net net, const dcdm_shape *s, solace_nn_layer **ties) {
  solace_nn_layer *layer;
  for (int l = s->levels - 1; l >= 0; l--) {
    SolaceCall(solace_nn_layer_create_upsample(s->ndim, &layer));
    SolaceCall(solace_nn_net_add_layer(net, &layer));
    SolaceCall(solace_nn_net_add_skip(net, 1 + l));
    SolaceCall(add_residuals(net, s, s->after, ties));
  }
  return SOLACE_SUCCESS;
}

/* Appends the DCDM layers to an empty network. Parameterised layers come in the same order at
 * every level count when tied: first conv, fine blocks, coarse owners, after owners, last conv. */
static int build_dcdm(solace_nn_net net, const dcdm_shape *s) {
  solace_nn_layer *layer, **ties = NULL;
  if (s->tied) SolaceCall(SolaceCalloc((size_t)(s->coarse + s->after) + 1, &ties));
  int status = solace_nn_layer_create_conv(s->ndim, 1, s->channels, 3, &layer);
  if (!status) {
    layer->init = SOLACE_NN_INIT_GLOROT;
    status = solace_nn_net_add_layer(net, &layer);
  }
  if (!status) status = build_dcdm_down(net, s, ties);
  if (!status) status = build_dcdm_up(net, s, ties ? ties + s->coarse : NULL);
  if (!status) status = solace_nn_layer_create_conv(s->ndim, s->channels, 1, 1, &layer);
  if (!status) {
    layer->init = SOLACE_NN_INIT_GLOROT;
    status = solace_nn_net_add_layer(net, &layer);
  }
  free(ties);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* Checks the arguments and builds a DCDM network, tied or not. */
static int create_dcdm(int ndim, int64_t channels, int fine, int coarse, int after, int levels,
                       int tied, solace_nn_net *net) {
  SolaceCheckNotNull(net);
  SolaceCheck(ndim == 2 || ndim == 3, SOLACE_ERR_ARG, "ndim = %d is not 2 or 3", ndim);
  SolaceCheck(channels >= 1 && fine >= 0 && coarse >= 0 && after >= 0, SOLACE_ERR_ARG,
              "channels = %lld, fine = %d, coarse = %d, after = %d", (long long)channels, fine,
              coarse, after);
  SolaceCheck(levels >= 1 && levels <= SOLACE_NN_DCDM_MAX_LEVELS, SOLACE_ERR_ARG,
              "levels = %d is not in 1..%d", levels, SOLACE_NN_DCDM_MAX_LEVELS);
  /* One level keeps He's scale (the paper's network; earlier weight files reproduce). With more,
   * each block a + relu(conv(a)) would double the variance (He) and the deepest path would
   * dominate the output at the start, stalling training: the residual convs start scaled by
   * 1/sqrt(blocks), so the whole stack grows the variance by about e at most. */
  int blocks = fine + levels * (coarse + after);
  dcdm_shape shape = {
      ndim,  channels, fine, coarse,
      after, levels,   tied, levels > 1 && blocks > 0 ? 1.0 / sqrt((double)blocks) : 1.0};
  SolaceCall(solace_nn_net_create(net));
  int status = build_dcdm(*net, &shape);
  if (status) solace_nn_net_destroy(net);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

int solace_nn_net_create_dcdm(int ndim, int64_t channels, int fine, int coarse, int after,
                              int levels, solace_nn_net *net) {
  return create_dcdm(ndim, channels, fine, coarse, after, levels, 0, net);
}

int solace_nn_net_create_dcdm_tied(int ndim, int64_t channels, int fine, int coarse, int after,
                                   int levels, solace_nn_net *net) {
  return create_dcdm(ndim, channels, fine, coarse, after, levels, 1, net);
}

/* Appends the MLP layers to an empty network; with append_time, an append layer (one more input
 * column, e.g. the time) before every dense layer. */
static int build_mlp(solace_nn_net net, int nwidths, const int64_t *widths, int relu,
                     int append_time) {
  solace_nn_layer *layer;
  for (int k = 0; k + 1 < nwidths; k++) {
    int last = k + 2 == nwidths;
    if (append_time) {
      SolaceCall(solace_nn_layer_create_append(&layer));
      SolaceCall(solace_nn_net_add_layer(net, &layer));
    }
    SolaceCall(
        solace_nn_layer_create_dense(widths[k] + (append_time ? 1 : 0), widths[k + 1], &layer));
    layer->init = relu && !last ? SOLACE_NN_INIT_HE : SOLACE_NN_INIT_GLOROT;
    SolaceCall(solace_nn_net_add_layer(net, &layer));
    if (last) break;
    SolaceCall(relu ? solace_nn_layer_create_relu(&layer) : solace_nn_layer_create_tanh(&layer));
    SolaceCall(solace_nn_net_add_layer(net, &layer));
  }
  return SOLACE_SUCCESS;
}

/* The MLP of solace_nn_net_create_mlp, with or without the appended column. */
static int create_mlp(int nwidths, const int64_t *widths, int relu, int append_time,
                      solace_nn_net *net) {
  SolaceCheckNotNull(net);
  SolaceCheckNotNull(widths);
  SolaceCheck(nwidths >= 2, SOLACE_ERR_ARG, "nwidths = %d must be >= 2", nwidths);
  SolaceCall(solace_nn_net_create(net));
  int status = build_mlp(*net, nwidths, widths, relu, append_time);
  if (status) solace_nn_net_destroy(net);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

int solace_nn_net_create_mlp(int nwidths, const int64_t *widths, int relu, solace_nn_net *net) {
  return create_mlp(nwidths, widths, relu, 0, net);
}

int solace_nn_net_create_mlp_appended(int nwidths, const int64_t *widths, int relu,
                                      solace_nn_net *net) {
  return create_mlp(nwidths, widths, relu, 1, net);
}
