/* The vector field f_theta(u, t) of a neural ODE: an MLP applied to [u, t] per sample, or with t
 * appended to the input of every dense layer. */
#include "node-impl.h"

#include <stdlib.h>
#include <string.h>

/* The network of the field: an MLP on [u, t], or t appended before every dense layer. */
static int create_net(int nwidths, const int64_t *widths, int relu, int time_layers,
                      solace_nn_net *net) {
  return time_layers ? solace_nn_net_create_mlp_appended(nwidths, widths, relu, net)
                     : solace_nn_net_create_mlp(nwidths, widths, relu, net);
}

int node_field_create(int64_t d, int nhidden, const int64_t *hidden, int relu, int time_layers,
                      node_field **field) {
  SolaceCheckNotNull(field);
  SolaceCheck(d >= 1 && nhidden >= 1 && nhidden <= 62, SOLACE_ERR_ARG,
              "d = %lld must be >= 1 and nhidden = %d in 1..62", (long long)d, nhidden);
  SolaceCheckNotNull(hidden);
  int64_t widths[64];
  widths[0] = time_layers ? d : d + 1;
  for (int i = 0; i < nhidden; i++) {
    SolaceCheck(hidden[i] >= 1, SOLACE_ERR_ARG, "hidden width %d is %lld", i, (long long)hidden[i]);
    widths[i + 1] = hidden[i];
  }
  widths[nhidden + 1] = d;
  SolaceCall(SolaceCalloc(1, field));
  (*field)->d = d;
  (*field)->time_layers = time_layers;
  (*field)->cin = time_layers ? d : d + 1;
  int status = create_net(nhidden + 2, widths, relu, time_layers, &(*field)->net);
  if (status) node_field_destroy(field);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

void node_field_destroy(node_field **field) {
  if (!field || !*field) return;
  solace_nn_net_destroy(&(*field)->net);
  solace_nn_tensor_destroy(&(*field)->x);
  solace_nn_tensor_destroy(&(*field)->dx);
  solace_nn_tensor_destroy(&(*field)->dy);
  free(*field);
  *field = NULL;
}

int node_field_set_batch(node_field *field, int64_t n) {
  SolaceCheckNotNull(field);
  SolaceCheck(n >= 1, SOLACE_ERR_ARG, "batch n = %lld must be >= 1", (long long)n);
  if (field->n == n) return SOLACE_SUCCESS;
  solace_nn_tensor_destroy(&field->x);
  solace_nn_tensor_destroy(&field->dx);
  solace_nn_tensor_destroy(&field->dy);
  field->n = 0;
  SolaceCall(solace_nn_tensor_create(0, n, field->cin, NULL, &field->x));
  SolaceCall(solace_nn_tensor_create(0, n, field->cin, NULL, &field->dx));
  SolaceCall(solace_nn_tensor_create(0, n, field->d, NULL, &field->dy));
  field->n = n;
  return SOLACE_SUCCESS;
}

/* Sets the appended value of every append layer to t. */
static void set_time(node_field *field, double t) {
  for (int i = 0; i < solace_nn_net_num_steps(field->net); i++) {
    solace_nn_layer *layer = solace_nn_net_step_layer(field->net, i);
    if (layer && !layer->nparams && !strcmp(layer->ops->name, "append")) layer->value = t;
  }
}

/* Forward pass of the network on [u, t] (or u, t appended inside); *y is the network's output. */
static int forward(node_field *field, double t, const double *u, const solace_nn_tensor **y) {
  int64_t d = field->d, c = field->cin;
  double *x = field->x->data;
  for (int64_t s = 0; s < field->n; s++) {
    memcpy(x + s * c, u + s * d, sizeof(double) * (size_t)d);
    if (c > d) x[s * c + d] = t;
  }
  if (field->time_layers) set_time(field, t);
  SolaceCall(solace_nn_net_forward(field->net, field->x, y));
  return SOLACE_SUCCESS;
}

int node_field_eval(node_field *field, double t, const double *u, double *f) {
  const solace_nn_tensor *y;
  SolaceCall(forward(field, t, u, &y));
  memcpy(f, y->data, sizeof(double) * (size_t)(field->n * field->d));
  field->nfe++;
  return SOLACE_SUCCESS;
}

int node_field_vjp(node_field *field, double t, const double *u, const double *g, double *gu) {
  const solace_nn_tensor *y;
  int64_t d = field->d;
  SolaceCall(forward(field, t, u, &y));
  memcpy(field->dy->data, g, sizeof(double) * (size_t)(field->n * d));
  SolaceCall(solace_nn_net_backward(field->net, field->dy, gu ? field->dx : NULL));
  field->nvjp++;
  for (int64_t s = 0; gu && s < field->n; s++)
    for (int64_t i = 0; i < d; i++) gu[s * d + i] += field->dx->data[s * field->cin + i];
  return SOLACE_SUCCESS;
}
