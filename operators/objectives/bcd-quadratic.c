/* The quadratic objective of BCD, f = 1/2 x^T Q x - c^T x (Q sparse SPD in CSR), with its
 * gradient Q x - c kept up to date by the rows of the updated block; label propagation builds
 * one from a weighted graph. */
#include "operators/objectives/bcd-objective.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* d^T Q_bb d / 2 + g_b^T d: the change of f under x_b += d. */
static double quad_change(const bcd_objective *o, int64_t nb, const int64_t *idx, const double *d) {
  double lin = 0, quad = 0;
  for (int64_t a = 0; a < nb; a++) {
    int64_t v = idx[a];
    lin += o->g[v] * d[a];
    double qd = 0; /* (Q_bb d)_a through the position map in o->rows */
    for (int64_t p = o->qptr[v]; p < o->qptr[v + 1]; p++) {
      int64_t pos = o->rows[o->qind[p]];
      if (pos >= 0) qd += o->qval[p] * d[pos];
    }
    quad += d[a] * qd;
  }
  return lin + 0.5 * quad;
}

/* Marks the block's positions in o->rows (position or -1). */
static void map_block(bcd_objective *o, int64_t nb, const int64_t *idx, int on) {
  for (int64_t a = 0; a < nb; a++) o->rows[idx[a]] = on ? a : -1;
}

static int quad_trial(bcd_objective *o, int64_t nb, const int64_t *idx, const double *d,
                      double *f_new) {
  map_block(o, nb, idx, 1);
  *f_new = o->f + quad_change(o, nb, idx, d);
  map_block(o, nb, idx, 0);
  return SOLACE_SUCCESS;
}

static int quad_update(bcd_objective *o, int64_t nb, const int64_t *idx, const double *d) {
  map_block(o, nb, idx, 1);
  o->f += quad_change(o, nb, idx, d);
  map_block(o, nb, idx, 0);
  for (int64_t a = 0; a < nb; a++) /* Q symmetric: column v = row v */
    for (int64_t p = o->qptr[idx[a]]; p < o->qptr[idx[a] + 1]; p++)
      o->g[o->qind[p]] += o->qval[p] * d[a];
  return SOLACE_SUCCESS;
}

static int quad_bound_apply(bcd_objective *o, const double *v, double *out) {
  for (int64_t i = 0; i < o->n; i++) {
    double s = 0;
    for (int64_t p = o->qptr[i]; p < o->qptr[i + 1]; p++) s += o->qval[p] * v[o->qind[p]];
    out[i] = s;
  }
  return SOLACE_SUCCESS;
}

static int quad_reset(bcd_objective *o, const double *x) {
  SolaceCall(quad_bound_apply(o, x, o->g));
  o->f = 0;
  for (int64_t i = 0; i < o->n; i++) {
    o->f += 0.5 * x[i] * o->g[i] - o->c[i] * x[i];
    o->g[i] -= o->c[i];
  }
  o->g_valid = 1;
  return SOLACE_SUCCESS;
}

static int quad_full_gradient(bcd_objective *o) {
  (void)o;
  return SOLACE_SUCCESS; /* always maintained */
}

static int quad_block_gradient(bcd_objective *o, int64_t nb, const int64_t *idx, double *g) {
  for (int64_t a = 0; a < nb; a++) g[a] = o->g[idx[a]];
  return SOLACE_SUCCESS;
}

static int quad_block_bound(bcd_objective *o, int64_t nb, const int64_t *idx, double *M) {
  map_block(o, nb, idx, 1);
  memset(M, 0, (size_t)(nb * nb) * sizeof(double));
  for (int64_t a = 0; a < nb; a++)
    for (int64_t p = o->qptr[idx[a]]; p < o->qptr[idx[a] + 1]; p++) {
      int64_t pos = o->rows[o->qind[p]];
      if (pos >= 0) M[a + pos * nb] = o->qval[p];
    }
  map_block(o, nb, idx, 0);
  return SOLACE_SUCCESS;
}

static int quad_rowsums(bcd_objective *o, double *out) {
  for (int64_t i = 0; i < o->n; i++) {
    out[i] = 0;
    for (int64_t p = o->qptr[i]; p < o->qptr[i + 1]; p++) out[i] += fabs(o->qval[p]);
  }
  return SOLACE_SUCCESS;
}

/* f = x^T (g - c) / 2 with the maintained g = Q x - c. */
static void quad_refresh(bcd_objective *o) {
  double f = 0;
  for (int64_t i = 0; i < o->n; i++) f += 0.5 * o->x[i] * (o->g[i] - o->c[i]);
  o->f = f;
}

static const bcd_objective_ops quad_ops = {
    quad_reset,       quad_full_gradient, quad_block_gradient, quad_update,      quad_trial,
    quad_block_bound, quad_block_bound,   quad_rowsums,        quad_bound_apply, quad_refresh};

/* Checks Q: CSR in range, finite, symmetric pattern and values, positive diagonal. */
static int check_q(int64_t n, const int64_t *rowptr, const int64_t *colind, const double *values) {
  SolaceCheck(n >= 1, SOLACE_ERR_ARG, "empty problem: n = %lld", (long long)n);
  SolaceCheck(rowptr && rowptr[0] == 0, SOLACE_ERR_ARG, "rowptr is NULL or rowptr[0] != 0");
  for (int64_t i = 0; i < n; i++) {
    SolaceCheck(rowptr[i + 1] >= rowptr[i], SOLACE_ERR_ARG, "rowptr decreases at row %lld",
                (long long)i);
    double diag = 0;
    for (int64_t p = rowptr[i]; p < rowptr[i + 1]; p++) {
      SolaceCheck(colind[p] >= 0 && colind[p] < n, SOLACE_ERR_ARG,
                  "colind[%lld] = %lld is outside 0..%lld", (long long)p, (long long)colind[p],
                  (long long)n - 1);
      SolaceCheck(isfinite(values[p]), SOLACE_ERR_ARG, "Q value %lld = %g is not finite",
                  (long long)p, values[p]);
      if (colind[p] == i) diag += values[p];
    }
    SolaceCheck(diag > 0, SOLACE_ERR_ARG, "Q(%lld, %lld) = %g: the diagonal must be positive",
                (long long)i, (long long)i, diag);
  }
  return SOLACE_SUCCESS;
}

int bcd_objective_quadratic(int64_t n, const int64_t *rowptr, const int64_t *colind,
                            const double *values, const double *c, bcd_objective **obj) {
  SolaceCall(check_q(n, rowptr, colind, values));
  SolaceCheckNotNull(c);
  for (int64_t i = 0; i < n; i++)
    SolaceCheck(isfinite(c[i]), SOLACE_ERR_ARG, "c[%lld] = %g is not finite", (long long)i, c[i]);
  bcd_objective *o;
  SolaceCall(SolaceCalloc(1, &o));
  int64_t nnz = rowptr[n];
  o->ops = &quad_ops, o->problem = SOLACE_BCD_QUADRATIC, o->n = o->nf = n, o->k = 1;
  int status = SolaceCalloc(n + 1, &o->qptr);
  if (!status) status = SolaceCalloc(nnz + 1, &o->qind);
  if (!status) status = SolaceCalloc(nnz + 1, &o->qval);
  if (!status) status = SolaceCalloc(n, &o->c);
  if (!status) status = SolaceCalloc(n, &o->g);
  if (!status) status = SolaceCalloc(n, &o->L);
  if (!status) status = SolaceCalloc(n, &o->rows);
  if (status) {
    bcd_objective_destroy(&o);
    return status;
  }
  memcpy(o->qptr, rowptr, (size_t)(n + 1) * sizeof(int64_t));
  memcpy(o->qind, colind, (size_t)nnz * sizeof(int64_t));
  memcpy(o->qval, values, (size_t)nnz * sizeof(double));
  memcpy(o->c, c, (size_t)n * sizeof(double));
  for (int64_t i = 0; i < n; i++) {
    o->rows[i] = -1;
    for (int64_t p = rowptr[i]; p < rowptr[i + 1]; p++)
      if (colind[p] == i) o->L[i] += values[p];
  }
  for (int64_t i = 0; i < n; i++) o->g[i] = -c[i]; /* at x0 = 0 */
  o->f = 0, o->g_valid = 1;
  *obj = o;
  return SOLACE_SUCCESS;
}

/* Checks the graph and labels of label propagation. */
static int check_graph(int64_t n, const int64_t *rowptr, const int64_t *colind, const double *w,
                       int64_t nl, const int64_t *labelled, const double *values) {
  SolaceCheck(n >= 2, SOLACE_ERR_ARG, "graph with %lld nodes", (long long)n);
  SolaceCheck(rowptr && rowptr[0] == 0, SOLACE_ERR_ARG, "rowptr is NULL or rowptr[0] != 0");
  for (int64_t i = 0; i < n; i++)
    for (int64_t p = rowptr[i]; p < rowptr[i + 1]; p++) {
      SolaceCheck(colind[p] >= 0 && colind[p] < n && colind[p] != i, SOLACE_ERR_ARG,
                  "edge %lld -> %lld: outside 0..%lld or a self-loop", (long long)i,
                  (long long)colind[p], (long long)n - 1);
      SolaceCheck(w[p] > 0 && isfinite(w[p]), SOLACE_ERR_ARG, "weight %g of edge %lld -> %lld",
                  w[p], (long long)i, (long long)colind[p]);
    }
  SolaceCheck(nl >= 1 && nl < n, SOLACE_ERR_ARG, "%lld labelled nodes of %lld", (long long)nl,
              (long long)n);
  for (int64_t l = 0; l < nl; l++) {
    SolaceCheck(labelled[l] >= 0 && labelled[l] < n, SOLACE_ERR_ARG,
                "labelled[%lld] = %lld is not a node", (long long)l, (long long)labelled[l]);
    SolaceCheck(isfinite(values[l]), SOLACE_ERR_ARG, "label value %g is not finite", values[l]);
  }
  return SOLACE_SUCCESS;
}

int bcd_objective_label_propagation(int64_t n_nodes, const int64_t *rowptr, const int64_t *colind,
                                    const double *w, int64_t nl, const int64_t *labelled,
                                    const double *values, bcd_objective **obj) {
  SolaceCall(check_graph(n_nodes, rowptr, colind, w, nl, labelled, values));
  int64_t *var, *qptr = NULL, *qind = NULL, *node = NULL, n = 0;
  double *label, *qval = NULL, *c = NULL;
  SolaceCall(SolaceCalloc(n_nodes, &var));
  int status = SolaceCalloc(n_nodes, &label);
  for (int64_t i = 0; !status && i < n_nodes; i++) var[i] = 0;
  for (int64_t l = 0; !status && l < nl; l++) var[labelled[l]] = -1, label[labelled[l]] = values[l];
  for (int64_t i = 0; !status && i < n_nodes; i++) var[i] = var[i] < 0 ? -1 : n++;
  int64_t nnz = rowptr[n_nodes] + n;
  if (!status) status = SolaceCalloc(n + 1, &qptr);
  if (!status) status = SolaceCalloc(nnz, &qind);
  if (!status) status = SolaceCalloc(nnz, &qval);
  if (!status) status = SolaceCalloc(n, &c);
  if (!status) status = SolaceCalloc(n, &node);
  for (int64_t i = 0, q = 0; !status && i < n_nodes; i++) {
    if (var[i] < 0) continue;
    int64_t v = var[i], diag = q++;
    node[v] = i, qind[diag] = v;
    for (int64_t p = rowptr[i]; p < rowptr[i + 1]; p++) {
      int64_t j = colind[p];
      qval[diag] += w[p];
      if (var[j] < 0)
        c[v] += w[p] * label[j];
      else
        qind[q] = var[j], qval[q++] = -w[p];
    }
    qptr[v + 1] = q;
  }
  if (!status) status = bcd_objective_quadratic(n, qptr, qind, qval, c, obj);
  if (!status) (*obj)->node = node, node = NULL;
  free(var), free(label), free(qptr), free(qind), free(qval), free(c), free(node);
  return status;
}
