/* Internal interface of the BCD objectives: a smooth f over n variables that keeps its model
 * values (X x, Q x) up to date under block steps x_b += d and serves block gradients, the
 * full gradient (maintained incrementally when tracked), block Hessians and Hessian bounds.
 * Not installed. */
#ifndef SOLACE_BCD_OBJECTIVE_H
#define SOLACE_BCD_OBJECTIVE_H

#include "solace-impl.h"
#include "solace/bcd.h"

#include <stdint.h>

/* A data matrix m x n: dense column-major (ld = m, a copy) or sparse (CSC and CSR copies). */
typedef struct {
  int64_t m, n;
  int sparse;
  double *dense;
  int64_t *colptr, *rowind, *rowptr, *colind;
  double *cval, *rval;
} bcd_matrix;

typedef struct bcd_objective_s bcd_objective;

/* The operations of one objective family (see the bcd_objective_* wrappers below). */
typedef struct {
  int (*reset)(bcd_objective *o, const double *x);
  int (*full_gradient)(bcd_objective *o);
  int (*block_gradient)(bcd_objective *o, int64_t nb, const int64_t *idx, double *g);
  int (*update)(bcd_objective *o, int64_t nb, const int64_t *idx, const double *d);
  int (*trial)(bcd_objective *o, int64_t nb, const int64_t *idx, const double *d, double *f_new);
  int (*block_hessian)(bcd_objective *o, int64_t nb, const int64_t *idx, double *H);
  int (*block_bound)(bcd_objective *o, int64_t nb, const int64_t *idx, double *M);
  int (*rowsums)(bcd_objective *o, double *out);
  int (*bound_apply)(bcd_objective *o, const double *v, double *out);
  void (*refresh)(bcd_objective *o); /* recomputes f from the model values (drift-free) */
} bcd_objective_ops;

struct bcd_objective_s {
  const bcd_objective_ops *ops;
  int problem;
  int64_t n;       /* variables */
  int64_t nf;      /* features (columns of X) or n */
  int64_t k;       /* classes (softmax) or 1 */
  double f;        /* f at the current x (maintained) */
  double *g;       /* full gradient (valid when g_valid) */
  int track;       /* maintain g under updates */
  int g_valid;     /* g matches x */
  double *L;       /* coordinate Lipschitz bounds M_ii */
  const double *x; /* the solver's x (read by the callback objective) */
  /* GLM state */
  bcd_matrix X;
  double *y, *z, *h; /* targets, X W (m x k), dphi/dz (m x k) */
  double *zt, *dz;   /* scratch m x k */
  int64_t *rows;     /* touched rows (GLM); position map, all -1 at rest (quadratic) */
  char *mark;
  /* quadratic state */
  int64_t *qptr, *qind;
  double *qval, *c;
  int64_t *node; /* graph node of each variable (label propagation) or NULL */
  /* callbacks */
  solace_bcd_value_fn value_fn;
  solace_bcd_block_gradient_fn grad_fn;
  solace_bcd_block_hessvec_fn hv_fn;
  void *ctx;
};

/* Builders (copy the data; validate it with clear messages). */
SOLACE_INTERN int bcd_matrix_from_dense(int64_t m, int64_t n, const double *X, int64_t ld,
                                        bcd_matrix *A);
SOLACE_INTERN int bcd_matrix_from_csr(int64_t m, int64_t n, const int64_t *rowptr,
                                      const int64_t *colind, const double *values, bcd_matrix *A);
SOLACE_INTERN void bcd_matrix_free(bcd_matrix *A);
/* out[0..nb-1, 0..nb-1] = A_b^T diag(w) A_b (w may be NULL: identity); column j of b is idx[j]. */
SOLACE_INTERN int bcd_matrix_gram(const bcd_matrix *A, int64_t nb, const int64_t *idx,
                                  const double *w, double *out);
/* Returns A_j^T v. */
SOLACE_INTERN double bcd_matrix_col_dot(const bcd_matrix *A, int64_t j, const double *v);
/* v += alpha A_j; marks touched rows in mark/rows (count in *nrows) when rows != NULL. */
SOLACE_INTERN void bcd_matrix_col_axpy(const bcd_matrix *A, int64_t j, double alpha, double *v,
                                       char *mark, int64_t *rows, int64_t *nrows);
/* g[j] += sum_r A_rj dv[r] over the listed rows (all rows when rows == NULL). */
SOLACE_INTERN void bcd_matrix_tmatvec_rows(const bcd_matrix *A, const double *dv,
                                           const int64_t *rows, int64_t nrows, double *g);
/* v += alpha w .* A_j (elementwise weights w of length m). */
SOLACE_INTERN void bcd_matrix_col_axpy_weighted(const bcd_matrix *A, int64_t j, double alpha,
                                                const double *w, double *v);
/* sum_i w_i A_ij^2. */
SOLACE_INTERN double bcd_matrix_col_wnorm2(const bcd_matrix *A, int64_t j, const double *w);
/* Row sums of |A|^T |A| (an upper bound of the Gram matrix's absolute row sums). */
SOLACE_INTERN int bcd_matrix_abs_rowsums(const bcd_matrix *A, double *out);

SOLACE_INTERN int bcd_objective_glm(int problem, bcd_matrix X, const double *y, int64_t k,
                                    bcd_objective **obj);
SOLACE_INTERN int bcd_objective_quadratic(int64_t n, const int64_t *rowptr, const int64_t *colind,
                                          const double *values, const double *c,
                                          bcd_objective **obj);
SOLACE_INTERN int bcd_objective_callback(int64_t n, solace_bcd_value_fn value,
                                         solace_bcd_block_gradient_fn grad,
                                         solace_bcd_block_hessvec_fn hv, const double *L, void *ctx,
                                         bcd_objective **obj);
SOLACE_INTERN void bcd_objective_destroy(bcd_objective **obj);

/* Recomputes the model values, f and (when tracked) g at x from scratch. */
SOLACE_INTERN int bcd_objective_reset(bcd_objective *o, const double *x);
/* Makes o->g the full gradient at the current x. */
SOLACE_INTERN int bcd_objective_full_gradient(bcd_objective *o);
/* g[0..nb-1] = block gradient at the current x. */
SOLACE_INTERN int bcd_objective_block_gradient(bcd_objective *o, int64_t nb, const int64_t *idx,
                                               double *g);
/* Applies x_b += d to the model state (the caller has already changed x). */
SOLACE_INTERN int bcd_objective_update(bcd_objective *o, int64_t nb, const int64_t *idx,
                                       const double *d);
/* *f_new = f(x + d on b) without changing the state (x is the current point). */
SOLACE_INTERN int bcd_objective_trial(bcd_objective *o, int64_t nb, const int64_t *idx,
                                      const double *d, double *f_new);
/* H[nb x nb] = the Hessian block at the current x (exact, or the bound for softmax). */
SOLACE_INTERN int bcd_objective_block_hessian(bcd_objective *o, int64_t nb, const int64_t *idx,
                                              double *H);
/* M[nb x nb] = the constant Hessian bound block (diag(L) for callbacks). */
SOLACE_INTERN int bcd_objective_block_bound(bcd_objective *o, int64_t nb, const int64_t *idx,
                                            double *M);
/* out[i] = sum_j |M_ij| (or an upper bound of it). */
SOLACE_INTERN int bcd_objective_bound_rowsums(bcd_objective *o, double *out);
/* Recomputes f from the maintained model values, removing the drift of incremental updates. */
SOLACE_INTERN void bcd_objective_refresh(bcd_objective *o);
/* Applies the Hessian bound: out = M v (n vectors). */
SOLACE_INTERN int bcd_objective_bound_apply(bcd_objective *o, const double *v, double *out);
/* Duality gap of f + penalty at the current x for the GLM problems (LS, logistic); returns
 * SOLACE_ERR_UNSUPPORTED for the others. Needs the full gradient. */
SOLACE_INTERN int bcd_objective_dual_gap(bcd_objective *o, int penalty, double lambda, double l1,
                                         double *gap);
/* The gap at the dual point s r from a residual-like r[0..m-1] (in place of o->h), s scaled
 * by the listed columns (all when idx == NULL); +inf outside the conjugate's domain. o->f must
 * be current (LS, logistic; one output). */
SOLACE_INTERN int bcd_objective_dual_gap_at(bcd_objective *o, int penalty, double lambda, double l1,
                                            const double *r, int64_t nb, const int64_t *idx,
                                            double *gap);

/* The loss curvatures phi''(z_i) of the one-output problems into D[0..m-1]. */
SOLACE_INTERN void bcd_objective_row_curvatures(const bcd_objective *o, double *D);
/* The exact second derivative of a data-fitting f along coordinate j (L_j for least squares). */
SOLACE_INTERN double bcd_objective_curvature(bcd_objective *o, int64_t j);

/* Dataset generation (bcd-datasets.c): builds the objective of dataset `which`. */
SOLACE_INTERN int bcd_dataset_build(int which, uint64_t seed, int64_t m, int64_t n,
                                    bcd_objective **obj, double *lambda, int64_t lattice[2]);

/* Label propagation's quadratic from a graph (bcd-quadratic.c). */
SOLACE_INTERN int bcd_objective_label_propagation(int64_t n_nodes, const int64_t *rowptr,
                                                  const int64_t *colind, const double *w,
                                                  int64_t n_labelled, const int64_t *labelled,
                                                  const double *values, bcd_objective **obj);

#endif
