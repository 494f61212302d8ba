/* The Gram path of EDMD: G, A and L accumulated over blocks of rows of B = sqrt(W)[PsiX PsiY]
 * (the dictionary matrices are never stored whole), the Cholesky factor R11 of G and a factor F of
 * the Schur complement S = L - A^T G^-1 A, which play the parts of R11, R12 and R22 of the QR
 * path (see solace_koopman_set_qr). */
#include "solvers/koopman/koopman-impl.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rows per block: about 16 MB of [PsiX PsiY], at least 512 rows, at most m. */
static int64_t gram_block_rows(int64_t m, int64_t n) {
  int64_t rows = ((int64_t)1 << 21) / (2 * n);
  if (rows < 512) rows = 512;
  return rows < m ? rows : m;
}

/* Rows first..first + count - 1: B_b^T = (sqrt(W)[PsiX PsiY])_b^T into buf (2n x count, each
 * point's 2n values contiguous), then h += B_b^T B_b (upper triangle, 2n x 2n) and
 * px += (sqrt(W) PsiX)_b^T (sqrt(W) X^T)_b. */
static int gram_block(solace_koopman k, int64_t first, int64_t count, double *buf, double *sw,
                      double *xw, double *h, double *px) {
  int64_t n = k->dict.n, d = k->d;
  for (int64_t j = 0; j < count; j++) sw[j] = sqrt(k->w[first + j]);
  for (int64_t j = 0; j < count; j++)
    for (int64_t i = 0; i < d; i++) xw[j + i * count] = sw[j] * k->x[i + (first + j) * d];
  SolaceCall(
      solace_koopman_dict_eval_points(&k->dict, first, count, k->x + first * d, d, sw, buf, 2 * n));
  SolaceCall(solace_koopman_dict_eval_points(&k->dict, first, count, k->y + first * d, d, sw,
                                             buf + n, 2 * n));
  cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, (int)(2 * n), (int)count, 1, buf,
              (int)(2 * n), 1, h, (int)(2 * n));
  cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)d, (int)count, 1, buf,
              (int)(2 * n), xw, (int)count, 1, px, (int)n);
  return SOLACE_SUCCESS;
}

/* h = B^T B = [G A; A^T L] (upper triangle) and px, streaming the data once. */
static int gram_accumulate(solace_koopman k, double *h, double *px) {
  int64_t m = k->m, n = k->dict.n, rows = gram_block_rows(m, n);
  double *buf = NULL, *sw = NULL, *xw = NULL;
  int status = SolaceCalloc(rows * 2 * n, &buf);
  if (!status) status = SolaceCalloc(rows, &sw);
  if (!status) status = SolaceCalloc(rows * k->d, &xw);
  for (int64_t first = 0; !status && first < m; first += rows)
    status = gram_block(k, first, first + rows < m ? rows : m - first, buf, sw, xw, h, px);
  free(buf), free(sw), free(xw);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* r11 = chol(G) (upper) and *ok: dpotrf succeeded, the dpocon estimate of cond_1(G) is at most
 * cond_max, and the rcond truncation keeps every direction (s_min(R11) > rcond s_max(R11), i.e.
 * cond_2(G) < rcond^-2, checked with a margin of 10 n for cond_2 <= n cond_1 and the estimate). */
static int gram_cholesky(solace_koopman k, const double *h, double *r11, double cond_max, int *ok) {
  int64_t n = k->dict.n, n2 = 2 * n;
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i <= j; i++) r11[i + j * n] = h[i + j * n2];
  double anorm = LAPACKE_dlansy(LAPACK_COL_MAJOR, '1', 'U', (int)n, r11, (int)n), rc = 0;
  int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', (int)n, r11, (int)n);
  if (info < 0) return solace_error_lapack(info, "dpotrf", __func__);
  if (!info) {
    info = LAPACKE_dpocon(LAPACK_COL_MAJOR, 'U', (int)n, r11, (int)n, anorm, &rc);
    if (info) return solace_error_lapack(info, "dpocon", __func__);
  }
  *ok = !info && rc * cond_max >= 1 && k->rcond * k->rcond * 10.0 * (double)n < rc;
  return SOLACE_SUCCESS;
}

/* r2 (2n x n) = [R12; F]: R12 = R11^-T A, S = L - R12^T R12 = P U^T U P^T by pivoted Cholesky
 * (dpstrf, LAPACK's default tolerance: directions of S below n eps max diag(S) are dropped) and
 * F = U P^T, so that F^T F = S. */
static int gram_schur(int64_t n, const double *h, const double *r11, double *r2) {
  int64_t n2 = 2 * n;
  double *s = NULL;
  lapack_int *piv = NULL, rank = 0;
  SolaceCall(SolaceCalloc(n * n, &s));
  int status = SolaceCalloc(n, &piv);
  if (status) return free(s), solace_error_trace(status, __func__);
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < n; i++) r2[i + j * n2] = h[i + (n + j) * n2];
  cblas_dtrsm(CblasColMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, (int)n, (int)n, 1,
              r11, (int)n, r2, (int)n2);
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i <= j; i++) s[i + j * n] = h[n + i + (n + j) * n2];
  cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)n, (int)n, -1, r2, (int)n2, 1, s, (int)n);
  int info = LAPACKE_dpstrf(LAPACK_COL_MAJOR, 'U', (int)n, s, (int)n, piv, &rank, -1);
  if (info < 0) status = solace_error_lapack(info, "dpstrf", __func__);
  for (int64_t j = 0; !status && j < n; j++)
    for (int64_t i = 0; i < n; i++)
      r2[n + i + (piv[j] - 1) * n2] = i <= j && i < rank ? s[i + j * n] : 0;
  free(s), free(piv);
  return status;
}

/* basis = R11^-1 in place of r11 and t = r2 R11^-1. */
static int gram_basis(int64_t n, double *r11, double *r2) {
  int info = LAPACKE_dtrtri(LAPACK_COL_MAJOR, 'U', 'N', (int)n, r11, (int)n);
  if (info) return solace_error_lapack(info, "dtrtri", __func__);
  cblas_dtrmm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, (int)(2 * n),
              (int)n, 1, r11, (int)n, r2, (int)(2 * n));
  return SOLACE_SUCCESS;
}

int solace_koopman_gram_factor(solace_koopman k, double cond_max, int *taken, double **basis,
                               double **t, double **px) {
  int64_t n = k->dict.n, n2 = 2 * n;
  double *h = NULL, *r11 = NULL, *r2 = NULL, *p = NULL;
  int ok = 0, status = SolaceCalloc(n2 * n2, &h);
  *taken = 0;
  if (!status) status = SolaceCalloc(n * n, &r11);
  if (!status) status = SolaceCalloc(n * k->d, &p);
  if (!status) status = gram_accumulate(k, h, p);
  if (!status) status = gram_cholesky(k, h, r11, cond_max, &ok);
  if (!status && ok) status = SolaceCalloc(n2 * n, &r2);
  if (!status && ok) status = gram_schur(n, h, r11, r2);
  if (!status && ok) status = gram_basis(n, r11, r2);
  free(h);
  if (status || !ok) {
    free(r11), free(r2), free(p);
    return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
  }
  *taken = 1, *basis = r11, *t = r2, *px = p;
  return SOLACE_SUCCESS;
}
