/* The BCD objective interface: dispatch to the family's operations, and release. */
#include "operators/objectives/bcd-objective.h"

#include <stdlib.h>

void bcd_objective_destroy(bcd_objective **obj) {
  if (!obj || !*obj) return;
  bcd_objective *o = *obj;
  bcd_matrix_free(&o->X);
  free(o->y), free(o->z), free(o->h), free(o->zt), free(o->dz), free(o->rows), free(o->mark);
  free(o->g), free(o->L), free(o->qptr), free(o->qind), free(o->qval), free(o->c), free(o->node);
  free(o);
  *obj = NULL;
}

int bcd_objective_reset(bcd_objective *o, const double *x) {
  SolaceCall(o->ops->reset(o, x));
  return SOLACE_SUCCESS;
}

int bcd_objective_full_gradient(bcd_objective *o) {
  if (o->g_valid) return SOLACE_SUCCESS;
  SolaceCall(o->ops->full_gradient(o));
  return SOLACE_SUCCESS;
}

int bcd_objective_block_gradient(bcd_objective *o, int64_t nb, const int64_t *idx, double *g) {
  SolaceCall(o->ops->block_gradient(o, nb, idx, g));
  return SOLACE_SUCCESS;
}

int bcd_objective_update(bcd_objective *o, int64_t nb, const int64_t *idx, const double *d) {
  SolaceCall(o->ops->update(o, nb, idx, d));
  return SOLACE_SUCCESS;
}

int bcd_objective_trial(bcd_objective *o, int64_t nb, const int64_t *idx, const double *d,
                        double *f_new) {
  SolaceCall(o->ops->trial(o, nb, idx, d, f_new));
  return SOLACE_SUCCESS;
}

int bcd_objective_block_hessian(bcd_objective *o, int64_t nb, const int64_t *idx, double *H) {
  SolaceCall(o->ops->block_hessian(o, nb, idx, H));
  return SOLACE_SUCCESS;
}

int bcd_objective_block_bound(bcd_objective *o, int64_t nb, const int64_t *idx, double *M) {
  SolaceCall(o->ops->block_bound(o, nb, idx, M));
  return SOLACE_SUCCESS;
}

int bcd_objective_bound_rowsums(bcd_objective *o, double *out) {
  SolaceCall(o->ops->rowsums(o, out));
  return SOLACE_SUCCESS;
}

int bcd_objective_bound_apply(bcd_objective *o, const double *v, double *out) {
  SolaceCall(o->ops->bound_apply(o, v, out));
  return SOLACE_SUCCESS;
}

void bcd_objective_refresh(bcd_objective *o) {
  if (o->ops->refresh) o->ops->refresh(o);
}
