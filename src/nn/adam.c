/* Adam (Kingma & Ba 2015) with bias correction over a list of parameter blocks. */
#include "nn/nn.h"

#include <math.h>
#include <stdlib.h>

struct solace_nn_adam_s {
  int nblocks;
  solace_nn_param **blocks;
  double **m, **v; /* first and second moments, one array per block */
  double lr, beta1, beta2, eps;
  int64_t t; /* steps taken */
};

void solace_nn_adam_destroy(solace_nn_adam *adam) {
  if (!adam || !*adam) return;
  for (int k = 0; k < (*adam)->nblocks; k++) {
    if ((*adam)->m) free((*adam)->m[k]);
    if ((*adam)->v) free((*adam)->v[k]);
  }
  free((*adam)->m);
  free((*adam)->v);
  free((*adam)->blocks);
  free(*adam);
  *adam = NULL;
}

/* Allocates the block list and zeroed moments. */
static int adam_alloc(solace_nn_adam a, solace_nn_param *const *blocks) {
  SolaceCall(SolaceCalloc(a->nblocks + 1, &a->blocks));
  SolaceCall(SolaceCalloc(a->nblocks + 1, &a->m));
  SolaceCall(SolaceCalloc(a->nblocks + 1, &a->v));
  for (int k = 0; k < a->nblocks; k++) {
    SolaceCheck(blocks[k] && blocks[k]->value && blocks[k]->grad, SOLACE_ERR_ARG,
                "parameter block %d is NULL or empty", k);
    a->blocks[k] = blocks[k];
    SolaceCall(SolaceCalloc(blocks[k]->count, &a->m[k]));
    SolaceCall(SolaceCalloc(blocks[k]->count, &a->v[k]));
  }
  return SOLACE_SUCCESS;
}

int solace_nn_adam_create(int nblocks, solace_nn_param *const *blocks, double lr, double beta1,
                          double beta2, double eps, solace_nn_adam *adam) {
  SolaceCheckNotNull(adam);
  *adam = NULL;
  SolaceCheck(nblocks >= 0 && (blocks || !nblocks), SOLACE_ERR_ARG, "nblocks = %d with blocks %s",
              nblocks, blocks ? "given" : "NULL");
  SolaceCheck(lr > 0 && eps > 0 && beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1,
              SOLACE_ERR_ARG,
              "Adam needs lr > 0, eps > 0, 0 <= beta < 1: lr = %g, beta1 = %g, "
              "beta2 = %g, eps = %g",
              lr, beta1, beta2, eps);
  SolaceCall(SolaceCalloc(1, adam));
  **adam = (struct solace_nn_adam_s){
      .nblocks = nblocks, .lr = lr, .beta1 = beta1, .beta2 = beta2, .eps = eps};
  int status = adam_alloc(*adam, blocks);
  if (status) solace_nn_adam_destroy(adam);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

int solace_nn_adam_step(solace_nn_adam adam) {
  SolaceCheckNotNull(adam);
  adam->t++;
  double b1 = adam->beta1, b2 = adam->beta2;
  double c1 = 1 - pow(b1, (double)adam->t), c2 = 1 - pow(b2, (double)adam->t);
  for (int k = 0; k < adam->nblocks; k++) {
    solace_nn_param *p = adam->blocks[k];
    double *m = adam->m[k], *v = adam->v[k];
    for (int64_t i = 0; i < p->count; i++) {
      double g = p->grad[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      p->value[i] -= adam->lr * (m[i] / c1) / (sqrt(v[i] / c2) + adam->eps);
    }
  }
  return SOLACE_SUCCESS;
}

int solace_nn_adam_set_lr(solace_nn_adam adam, double lr) {
  SolaceCheckNotNull(adam);
  SolaceCheck(lr > 0, SOLACE_ERR_ARG, "lr = %g must be > 0", lr);
  adam->lr = lr;
  return SOLACE_SUCCESS;
}
