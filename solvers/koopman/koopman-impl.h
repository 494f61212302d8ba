/* Internals of the Koopman estimator (solvers/koopman): the handle, the
 * dictionary and the results of the last compute. Not installed. */
#ifndef SOLACE_KOOPMAN_IMPL_H
#define SOLACE_KOOPMAN_IMPL_H

#include "solace-impl.h"
#include "solace/koopman.h"

/* A resolved dictionary: what solace_koopman_dict_eval() needs for a given
 * dimension d. */
typedef struct {
  int64_t d, n;                    /* state dimension, number of functions */
  int rbf;                         /* 1: Gaussian RBFs, else products of 1-D families */
  int64_t *kinds;                  /* d 1-D families (products) */
  int64_t *index_max;              /* d: largest 1-D function index per coordinate */
  int64_t *multi;                  /* n x d 1-D function indices, function k at multi[k*d ..] */
  double *shift, *scale;           /* d: u = (x - shift) / scale */
  double *centres;                 /* d x n RBF centres */
  double width;                    /* RBF scale s */
  solace_koopman_dictionary_fn fn; /* a user dictionary when not NULL, with its ctx */
  void *ctx;
} solace_koopman_dict_t;

/* The dictionary of kernelized ResDMD (solace_koopman_set_dictionary_kernel): psi_k(x) =
 * sum_i k(x, c_i) coef(i, k). */
typedef struct {
  int kernel;
  double param;
  int64_t d, m, n; /* dimension, number of kernel centres, number of functions */
  double *centres; /* d x m */
  double *coef;    /* m x n, the weights sqrt(w_i) folded in */
} solace_koopman_kdict;

struct solace_koopman_s {
  /* settings */
  int kind, truncation, method; /* method: a solace_koopman_method */
  int qr, qr_used;              /* solace_koopman_qr: requested, used by the last compute */
  int64_t degree, n_kinds, n_scaling;
  solace_koopman_dictionary_fn fn; /* user dictionary of fn_n functions (NULL: built-in) */
  void *fn_ctx;
  int64_t fn_n;
  solace_koopman_kdict *kdict; /* the learned kernel dictionary behind fn, owned (or NULL) */
  int64_t *kinds;
  double *shift, *scale, rcond;
  /* data (d x m column-major each) and weights */
  int64_t d, m;
  double *x, *y, *w;
  /* results of the last compute */
  int computed;
  solace_koopman_dict_t dict;
  int64_t r, q;   /* eigenvalues kept; rows of e */
  double *lambda; /* 2r (re, im) */
  double *res;    /* r residuals */
  double *kr;     /* r x r: K in the orthonormal basis */
  double *e;      /* q x r: the part of K outside the span (its R factor when q = r) */
  double *c;      /* r x r complex (interleaved): eigenvectors of kr, unit norm */
  double *g;      /* N x r complex: eigenvector coefficients in the dictionary */
  double *proj;   /* r x d: (sqrt(W) PsiX V_r S_r^-1)^T sqrt(W) X^T, for the modes */
  double
      *basis; /* N x r: dictionary coefficients of the orthonormal basis (R11^-1 or V_r S_r^-1) */
};

/* Resolves the dictionary of `k` for its data (scaling from the data when not
 * set, RBF centres by k-means); frees what `dict` held before. */
SOLACE_INTERN int solace_koopman_dict_setup(solace_koopman k, solace_koopman_dict_t *dict);

/* Evaluates the dictionary at m points (d x m, leading dimension ldx): psi is m
 * x n column-major with leading dimension ldpsi, row k scaled by row_scale[k]
 * when row_scale is not NULL. */
SOLACE_INTERN int solace_koopman_dict_eval(const solace_koopman_dict_t *dict, int64_t m,
                                           const double *x, int64_t ldx, const double *row_scale,
                                           double *psi, int64_t ldpsi);

/* solace_koopman_dict_eval() on the m data points first..first + m - 1 (x and row_scale point at
 * point `first`); `first` only numbers the rows in error messages. */
SOLACE_INTERN int solace_koopman_dict_eval_rows(const solace_koopman_dict_t *dict, int64_t first,
                                                int64_t m, const double *x, int64_t ldx,
                                                const double *row_scale, double *psi,
                                                int64_t ldpsi);

/* solace_koopman_dict_eval_rows() with the values of point j at psi[j * ldpsi .. + n - 1] (the
 * transposed layout: n x m column-major), written contiguously. */
SOLACE_INTERN int solace_koopman_dict_eval_points(const solace_koopman_dict_t *dict, int64_t first,
                                                  int64_t m, const double *x, int64_t ldx,
                                                  const double *row_scale, double *psi,
                                                  int64_t ldpsi);

/* The Gram path of solace_koopman_compute() (see solace_koopman_set_qr): with B = sqrt(W)[PsiX
 * PsiY] streamed by blocks of rows, G, A, L from one dsyrk of B, R11 = chol(G) when cond_1(G) is
 * at most cond_max (estimated by dpocon) and the truncation at k->rcond keeps every direction.
 * Then *taken = 1, *basis = R11^-1 (N x N), *t = [R12; F] R11^-1 (2N x N) with R12 = R11^-T A and
 * F^T F = L - R12^T R12 (pivoted Cholesky), *px = (sqrt(W) PsiX)^T sqrt(W) X^T (N x d). Else
 * *taken = 0 and nothing is allocated. */
SOLACE_INTERN int solace_koopman_gram_factor(solace_koopman k, double cond_max, int *taken,
                                             double **basis, double **t, double **px);

/* Forgets the results of the last compute. */
SOLACE_INTERN void solace_koopman_results_free(solace_koopman k);

/* Replaces the r x r matrix a by its orthogonal polar factor X Y^T, from the SVD a = X S Y^T. */
SOLACE_INTERN int solace_koopman_polar_factor(int64_t r, double *a);

/* Checks that `k` holds the results of a compute (SOLACE_ERR_STATE otherwise),
 * naming `func` in the message. */
SOLACE_INTERN int solace_koopman_check_computed(solace_koopman k, const char *func);

/* One eigenvalue and its place in LAPACK's output, for sorting. */
typedef struct {
  double re, im;
  int64_t j;
} solace_koopman_eig_entry;

/* qsort order of solace_koopman_eig_entry: modulus descending, then argument ascending. */
SOLACE_INTERN int solace_koopman_eig_compare(const void *pa, const void *pb);

/* Releases a learned kernel dictionary and sets *kd to NULL; accepts NULL. */
SOLACE_INTERN void solace_koopman_kdict_free(solace_koopman_kdict **kd);

/* Releases what a dictionary holds. */
SOLACE_INTERN void solace_koopman_dict_free(solace_koopman_dict_t *dict);

#endif
