/* EDMD and ResDMD: the QR/SVD formulation of K, its eigenpairs and their
 * residuals, the pseudospectrum and the verified spectrum (see
 * include/solace/koopman.h for the formulas). */
#include "solvers/koopman/koopman-impl.h"

#include <cblas.h>
#include <complex.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Scratch of one compute, freed together. */
typedef struct {
  double *b, *px, *r11, *s, *u, *vt, *superb, *basis, *t, *ev, *wr, *wi, *kcopy;
  double *parts; /* [Re C, Im C] (r x 2r): the eigenvectors of K_r split */
} edmd_work;

static void work_free(edmd_work *w) {
  free(w->b), free(w->px), free(w->r11), free(w->s), free(w->u), free(w->vt), free(w->superb);
  free(w->basis), free(w->t), free(w->ev), free(w->wr), free(w->wi), free(w->kcopy);
  free(w->parts);
}

/* sqrt(W) [PsiX PsiY] into w->b (M x 2N) and PX = (sqrt(W) PsiX)^T sqrt(W) X^T
 * (N x d). */
static int build_psi(solace_koopman k, edmd_work *w) {
  int64_t m = k->m, n = k->dict.n, d = k->d;
  double *sw, *xw;
  SolaceCall(SolaceCalloc(m, &sw));
  SolaceCall(SolaceCalloc(m * d, &xw));
  for (int64_t j = 0; j < m; j++) sw[j] = sqrt(k->w[j]);
  for (int64_t j = 0; j < m; j++)
    for (int64_t i = 0; i < d; i++) xw[j + i * m] = sw[j] * k->x[i + j * d];
  int status = solace_koopman_dict_eval(&k->dict, m, k->x, d, sw, w->b, m);
  if (!status) status = solace_koopman_dict_eval(&k->dict, m, k->y, d, sw, w->b + m * n, m);
  if (!status) status = SolaceCalloc(n * d, &w->px);
  if (!status)
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)n, (int)d, (int)m, 1, w->b, (int)m,
                xw, (int)m, 0, w->px, (int)n);
  free(sw), free(xw);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* The singular values of the upper triangle of R (n x n, in w->b with leading dimension m) into
 * w->s, largest first, and the rank r at rcond. */
static int r11_rank(solace_koopman k, edmd_work *w, int64_t *rank) {
  int64_t m = k->m, n = k->dict.n;
  SolaceCall(SolaceCalloc(n * n, &w->r11));
  SolaceCall(SolaceCalloc(n, &w->s));
  SolaceCall(SolaceCalloc(n, &w->superb));
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i <= j; i++) w->r11[i + j * n] = w->b[i + j * m];
  int info = LAPACKE_dgesvd(LAPACK_COL_MAJOR, 'N', 'N', (int)n, (int)n, w->r11, (int)n, w->s, NULL,
                            1, NULL, 1, w->superb);
  if (info) return solace_error_lapack(info, "dgesvd", __func__);
  SolaceCheck(w->s[0] > 0, SOLACE_ERR_ARG, "the dictionary vanishes on the data");
  int64_t r = 0;
  while (r < n && w->s[r] > k->rcond * w->s[0]) r++;
  *rank = r;
  return SOLACE_SUCCESS;
}

/* The basis of the dictionary span orthonormal in the data's inner product: at full rank
 * w->basis = R11^-1 (dtrtri) and w->u = NULL (the identity); else the truncated SVD R11 =
 * U S V^T, w->basis = V_r S_r^-1. */
static int orthonormal_basis(solace_koopman k, edmd_work *w, int64_t r) {
  int64_t m = k->m, n = k->dict.n;
  SolaceCall(SolaceCalloc(n * (r ? r : 1), &w->basis));
  if (r == n) {
    for (int64_t j = 0; j < n; j++)
      for (int64_t i = 0; i <= j; i++) w->basis[i + j * n] = w->b[i + j * m];
    int info = LAPACKE_dtrtri(LAPACK_COL_MAJOR, 'U', 'N', (int)n, w->basis, (int)n);
    return info ? solace_error_lapack(info, "dtrtri", __func__) : SOLACE_SUCCESS;
  }
  SolaceCall(SolaceCalloc(n * n, &w->u));
  SolaceCall(SolaceCalloc(n * n, &w->vt));
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < n; i++) w->r11[i + j * n] = i <= j ? w->b[i + j * m] : 0;
  int info = LAPACKE_dgesvd(LAPACK_COL_MAJOR, 'A', 'A', (int)n, (int)n, w->r11, (int)n, w->s, w->u,
                            (int)n, w->vt, (int)n, w->superb);
  if (info) return solace_error_lapack(info, "dgesvd", __func__);
  for (int64_t j = 0; j < r; j++)
    for (int64_t i = 0; i < n; i++) w->basis[i + j * n] = w->vt[j + i * n] / w->s[j];
  return SOLACE_SUCCESS;
}

/* Rows per block of the blocked QR: about 8 MB of the matrix, so each block's Householder panels
 * stay in cache. */
static int64_t qr_block_rows(int64_t ncols) {
  int64_t rows = ((int64_t)1 << 20) / ncols;
  return rows > 2 * ncols ? rows : 2 * ncols;
}

/* R factor of the m x nc matrix a (leading dimension lda), left in its upper triangle; the rest
 * of a is overwritten. A tall matrix (more than 8 blocks' rows per R block of nc rows) is
 * factored by blocks of rows and the stacked R factors again (TSQR: the same R, up to signs of
 * rows, with each block in cache; dgeqrf on a tall matrix streams the panel from memory once per
 * column). */
static int r_factor(int64_t m, int64_t nc, double *a, int64_t lda) {
  int64_t block = qr_block_rows(nc), n_blocks = (m + block - 1) / block;
  double *tau, *stack = NULL;
  SolaceCall(SolaceCalloc(nc, &tau));
  if (block < 8 * nc || n_blocks < 2) {
    int info = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (int)m, (int)nc, a, (int)lda, tau);
    free(tau);
    return info ? solace_error_lapack(info, "dgeqrf", __func__) : SOLACE_SUCCESS;
  }
  int64_t rows = 0, stack_rows = n_blocks * nc;
  int status = SolaceCalloc(n_blocks * nc * nc, &stack);
  for (int64_t b = 0; !status && b < n_blocks; b++) {
    int64_t first = b * block, count = first + block < m ? block : m - first;
    int info = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (int)count, (int)nc, a + first, (int)lda, tau);
    if (info) status = solace_error_lapack(info, "dgeqrf", __func__);
    for (int64_t j = 0; !status && j < nc; j++)
      for (int64_t i = 0; i < count && i < nc && i <= j; i++)
        stack[rows + i + j * stack_rows] = a[first + i + j * lda];
    rows += count < nc ? count : nc;
  }
  if (!status) status = r_factor(rows, nc, stack, stack_rows);
  for (int64_t j = 0; !status && j < nc; j++)
    for (int64_t i = 0; i < rows && i <= j; i++) a[i + j * lda] = stack[i + j * stack_rows];
  free(tau), free(stack);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* One Cholesky QR pass on the m x n matrix a (leading dimension lda): rf = chol(a^T a) (upper,
 * n x n) and a := a rf^-1. With `check`, *ok = 0 and a untouched when dpotrf fails or the dtrcon
 * estimate of cond_1(rf) exceeds 1e6 (CholQR2 is orthogonal to rounding below ~1e7). */
static int cholesky_pass(int64_t m, int64_t n, double *a, int64_t lda, double *rf, int check,
                         int *ok) {
  cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)n, (int)m, 1, a, (int)lda, 0, rf, (int)n);
  int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', (int)n, rf, (int)n);
  if (info < 0) return solace_error_lapack(info, "dpotrf", __func__);
  double rcond = 0;
  if (!info && check) {
    info = LAPACKE_dtrcon(LAPACK_COL_MAJOR, '1', 'U', 'N', (int)n, rf, (int)n, &rcond);
    if (info) return solace_error_lapack(info, "dtrcon", __func__);
    info = !(rcond >= 1e-6);
  }
  *ok = !info;
  if (*ok)
    cblas_dtrsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, (int)m, (int)n,
                1, rf, (int)n, a, (int)lda);
  return SOLACE_SUCCESS;
}

/* R factor of B = [X Y] = w->b (m x 2n, m >= 2n) by CholQR2 of X, one block Gram-Schmidt step of
 * Y against Q1 and the Householder R of the remainder (see solace_koopman_set_qr). *used: 1 done
 * (R in the upper triangle of w->b), 0 not taken (w->b untouched), -1 given up with w->b
 * overwritten. */
static int cholesky_r(int64_t m, int64_t n, double *b, int *used) {
  double *r1, *r2, *c, *x = b, *y = b + m * n;
  SolaceCall(SolaceCalloc(n * n, &r1));
  int status = SolaceCalloc(n * n, &r2), ok = 0;
  if (!status) status = SolaceCalloc(n * n, &c);
  if (!status) status = cholesky_pass(m, n, x, m, r1, 1, &ok);
  *used = ok;
  if (!status && ok) status = cholesky_pass(m, n, x, m, r2, 1, &ok);
  if (!status && !ok && *used) *used = -1;
  if (!status && ok) { /* R11 = R2 R1, R12 = Q1^T Y, Z = Y - Q1 R12 */
    cblas_dtrmm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, (int)n, (int)n, 1,
                r2, (int)n, r1, (int)n);
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)n, (int)n, (int)m, 1, x, (int)m, y,
                (int)m, 0, c, (int)n);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)n, -1, x, (int)m, c,
                (int)n, 1, y, (int)m);
    status = r_factor(m, n, y, m);
  }
  for (int64_t j = 0; !status && ok && j < n; j++) /* R22 into r2, then assemble R */
    for (int64_t i = 0; i < n; i++) r2[i + j * n] = i <= j ? y[i + j * m] : 0;
  for (int64_t j = 0; !status && ok && j < n; j++)
    for (int64_t i = 0; i < n; i++) {
      x[i + j * m] = i <= j ? r1[i + j * n] : 0;
      y[i + j * m] = c[i + j * n], y[n + i + j * m] = r2[i + j * n];
    }
  free(r1), free(r2), free(c);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* R factor of w->b = sqrt(W)[PsiX PsiY] by the path k->qr asks for (k->qr_used says which ran);
 * rebuilds w->b when the Cholesky path gave up after overwriting it. */
static int qr_factor(solace_koopman k, edmd_work *w) {
  int64_t m = k->m, n = k->dict.n, min_rows = k->qr == SOLACE_KOOPMAN_QR_CHOLESKY ? 2 : 150;
  int used = 0;
  k->qr_used = SOLACE_KOOPMAN_QR_HOUSEHOLDER;
  if (k->qr != SOLACE_KOOPMAN_QR_HOUSEHOLDER && m >= min_rows * n)
    SolaceCall(cholesky_r(m, n, w->b, &used));
  if (used == 1) {
    k->qr_used = SOLACE_KOOPMAN_QR_CHOLESKY;
    return SOLACE_SUCCESS;
  }
  if (used < 0) {
    free(w->px), w->px = NULL;
    SolaceCall(build_psi(k, w));
  }
  return r_factor(m, 2 * n, w->b, m);
}

/* QR of sqrt(W)[PsiX PsiY], rank r of R11, orthonormal basis; w->t = [R12; R22] basis ((p x r),
 * p rows of R). Sets k->r and returns p through *rows. */
static int factor(solace_koopman k, edmd_work *w, int64_t *rows) {
  int64_t m = k->m, n = k->dict.n, p = m < 2 * n ? m : 2 * n, r = 0;
  SolaceCall(qr_factor(k, w));
  SolaceCall(r11_rank(k, w, &r));
  SolaceCall(orthonormal_basis(k, w, r));
  double *r2 = NULL; /* [R12; R22] (p x n), zero below the diagonal of R */
  SolaceCall(SolaceCalloc(p * n, &r2));
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < p && i <= n + j; i++) r2[i + j * p] = w->b[i + (n + j) * m];
  int status = SolaceCalloc(p * r, &w->t);
  if (!status && r == n) { /* the basis is the triangular R11^-1 */
    memcpy(w->t, r2, sizeof(double) * p * n);
    cblas_dtrmm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, (int)p, (int)n,
                1, w->basis, (int)n, w->t, (int)p);
  } else if (!status && r)
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)p, (int)r, (int)n, 1, r2, (int)p,
                w->basis, (int)n, 0, w->t, (int)p);
  free(r2);
  if (status) return solace_error_trace(status, __func__);
  k->r = r, *rows = p;
  return SOLACE_SUCCESS;
}

/* The cond_1(G) up to which the Gram path is taken (0: not tried). SOLACE_KOOPMAN_QR_GRAM accepts
 * eigenvalue errors up to about eps cond(G) <= 2e-8, the level of its residuals; the automatic
 * choice only tall data (M >= 10 N, where the M N^2 factorization dominates the O(N^3) steps) with
 * cond(G) <= 1e4, eigenvalues then within about 1e4 eps of the QR path's. */
static double gram_cond_max(solace_koopman k) {
  if (k->qr == SOLACE_KOOPMAN_QR_GRAM) return 1e8;
  if (k->qr == SOLACE_KOOPMAN_QR_AUTO && k->m >= 10 * k->dict.n) return 1e4;
  return 0;
}

/* The Gram path when gram_cond_max() allows it and G passes its checks, else the dictionary
 * matrices and a QR path (factor()). Sets k->r, k->qr_used and the rows p of w->t. */
static int factor_any(solace_koopman k, edmd_work *w, int64_t *rows) {
  int64_t n = k->dict.n;
  double cond_max = gram_cond_max(k);
  int taken = 0;
  if (cond_max > 0)
    SolaceCall(solace_koopman_gram_factor(k, cond_max, &taken, &w->basis, &w->t, &w->px));
  if (taken) {
    k->qr_used = SOLACE_KOOPMAN_QR_GRAM, k->r = n, *rows = 2 * n;
    return SOLACE_SUCCESS;
  }
  SolaceCall(SolaceCalloc(k->m * 2 * n, &w->b));
  SolaceCall(build_psi(k, w));
  return factor(k, w, rows);
}

/* K_r = U_r^T T(0:n, :), E = [U_perp^T T(0:n, :); T(n:p, :)], reduced to its R
 * factor when it has more than r rows; and proj = basis^T PX. */
static int project(solace_koopman k, edmd_work *w, int64_t p) {
  int64_t n = k->dict.n, r = k->r, d = k->d, qe = p - r;
  double *ut, *e;
  SolaceCall(SolaceCalloc(n * r, &ut)); /* U^T T(0:n, :) (U = I when w->u is NULL) */
  if (w->u)
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)n, (int)r, (int)n, 1, w->u, (int)n,
                w->t, (int)p, 0, ut, (int)n);
  else
    for (int64_t j = 0; j < r; j++) memcpy(ut + n * j, w->t + p * j, sizeof(double) * n);
  int status = SolaceCalloc(r * r, &k->kr);
  if (!status) status = SolaceCalloc(qe * r + 1, &e);
  if (status) return free(ut), solace_error_trace(status, __func__);
  for (int64_t j = 0; j < r; j++) {
    for (int64_t i = 0; i < r; i++) k->kr[i + j * r] = ut[i + j * n];
    for (int64_t i = r; i < n; i++) e[(i - r) + j * qe] = ut[i + j * n];
    for (int64_t i = n; i < p; i++) e[(i - r) + j * qe] = w->t[i + j * p];
  }
  free(ut);
  k->q = qe < r ? qe : r;
  status = SolaceCalloc(k->q * r + 1, &k->e);
  if (!status && qe > r) {
    double tau[r];
    int info = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (int)qe, (int)r, e, (int)qe, tau);
    if (info) status = solace_error_lapack(info, "dgeqrf", __func__);
  }
  for (int64_t j = 0; !status && j < r; j++)
    for (int64_t i = 0; i < k->q && (qe <= r || i <= j); i++) k->e[i + j * k->q] = e[i + j * qe];
  free(e);
  if (!status) status = SolaceCalloc(r * d + 1, &k->proj);
  if (status) return solace_error_trace(status, __func__);
  cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)r, (int)d, (int)n, 1, w->basis, (int)n,
              w->px, (int)n, 0, k->proj, (int)r);
  return SOLACE_SUCCESS;
}

int solace_koopman_eig_compare(const void *pa, const void *pb) {
  const solace_koopman_eig_entry *a = pa, *b = pb;
  double ma = hypot(a->re, a->im), mb = hypot(b->re, b->im);
  if (ma != mb) return ma > mb ? -1 : 1;
  double aa = atan2(a->im, a->re), ab = atan2(b->im, b->re);
  return aa < ab ? -1 : aa > ab ? 1 : 0;
}

/* mpEDMD's matrix: the unitary polar factor of K_r (the whitened cross matrix), by dgesvd. */
int solace_koopman_polar_factor(int64_t r, double *a) {
  double *x, *yt, *s, *superb;
  SolaceCall(SolaceCalloc(r * r, &x));
  int status = SolaceCalloc(r * r, &yt);
  if (!status) status = SolaceCalloc(r, &s);
  if (!status) status = SolaceCalloc(r, &superb);
  if (!status) {
    int info = LAPACKE_dgesvd(LAPACK_COL_MAJOR, 'A', 'A', (int)r, (int)r, a, (int)r, s, x, (int)r,
                              yt, (int)r, superb);
    if (info) status = solace_error_lapack(info, "dgesvd", __func__);
  }
  if (!status)
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)r, (int)r, (int)r, 1, x, (int)r, yt,
                (int)r, 0, a, (int)r);
  free(x), free(yt), free(s), free(superb);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* Eigen-decomposition of K_r (dgeev; for mpEDMD of its polar factor), sorted;
 * k->lambda, k->c (unit vectors). */
static int eigen(solace_koopman k, edmd_work *w) {
  int64_t r = k->r;
  SolaceCall(SolaceCalloc(r * r, &w->kcopy));
  SolaceCall(SolaceCalloc(r * r, &w->ev));
  SolaceCall(SolaceCalloc(r, &w->wr));
  SolaceCall(SolaceCalloc(r, &w->wi));
  memcpy(w->kcopy, k->kr, sizeof(double) * r * r);
  if (k->method == SOLACE_KOOPMAN_MPEDMD) SolaceCall(solace_koopman_polar_factor(r, w->kcopy));
  int info = LAPACKE_dgeev(LAPACK_COL_MAJOR, 'N', 'V', (int)r, w->kcopy, (int)r, w->wr, w->wi, NULL,
                           1, w->ev, (int)r);
  if (info) return solace_error_lapack(info, "dgeev", __func__);
  solace_koopman_eig_entry *order;
  SolaceCall(SolaceCalloc(r, &order));
  for (int64_t j = 0; j < r; j++) order[j] = (solace_koopman_eig_entry){w->wr[j], w->wi[j], j};
  qsort(order, (size_t)r, sizeof *order, solace_koopman_eig_compare);
  int status = SolaceCalloc(2 * r, &k->lambda);
  if (!status) status = SolaceCalloc(2 * r * r, &k->c);
  for (int64_t a = 0; !status && a < r; a++) {
    int64_t j = order[a].j;
    k->lambda[2 * a] = w->wr[j], k->lambda[2 * a + 1] = w->wi[j];
    /* a complex pair occupies columns j (re) and j + 1 (im) of the first of the
     * pair */
    int64_t col = w->wi[j] == 0 ? j : (w->wi[j] > 0 ? j : j - 1);
    double sign = w->wi[j] < 0 ? -1 : 1;
    for (int64_t i = 0; i < r; i++) {
      k->c[2 * (i + a * r)] = w->ev[i + col * r];
      k->c[2 * (i + a * r) + 1] = w->wi[j] == 0 ? 0 : sign * w->ev[i + (col + 1) * r];
    }
  }
  free(order);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* w->parts = [Re C, Im C] (r x 2r) from the interleaved eigenvectors k->c. */
static int split_eigenvectors(solace_koopman k, edmd_work *w) {
  int64_t r = k->r;
  SolaceCall(SolaceCalloc(2 * r * r, &w->parts));
  for (int64_t i = 0; i < r * r; i++)
    w->parts[i] = k->c[2 * i], w->parts[r * r + i] = k->c[2 * i + 1];
  return SOLACE_SUCCESS;
}

/* Residual of every eigenpair: ||[(K_r - lambda) c; E c]|| / ||c||, with K_r and E (real)
 * applied to the real and imaginary parts of all eigenvectors at once (dgemm). */
static int residuals(solace_koopman k, const edmd_work *w) {
  int64_t r = k->r, q = k->q;
  const double *parts = w->parts;
  double *kc, *ec; /* K_r [Re C, Im C], E [Re C, Im C] */
  SolaceCall(SolaceCalloc(r, &k->res));
  SolaceCall(SolaceCalloc(2 * r * r, &kc));
  if (SolaceCalloc(2 * q * r + 1, &ec))
    return free(kc), solace_error_trace(SOLACE_ERR_MEM, __func__);
  cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)r, (int)(2 * r), (int)r, 1, k->kr,
              (int)r, parts, (int)r, 0, kc, (int)r);
  if (q)
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)q, (int)(2 * r), (int)r, 1, k->e,
                (int)q, parts, (int)r, 0, ec, (int)q);
  for (int64_t a = 0; a < r; a++) {
    const double lr = k->lambda[2 * a], li = k->lambda[2 * a + 1];
    const double *cr = parts + r * a, *ci = parts + r * (r + a);
    const double *kr = kc + r * a, *ki = kc + r * (r + a);
    double num = 0, den = 0;
    for (int64_t i = 0; i < r; i++) {
      double sr = kr[i] - (lr * cr[i] - li * ci[i]), si = ki[i] - (lr * ci[i] + li * cr[i]);
      num += sr * sr + si * si, den += cr[i] * cr[i] + ci[i] * ci[i];
    }
    for (int64_t i = 0; i < q; i++) {
      double er = ec[i + q * a], ei = ec[i + q * (r + a)];
      num += er * er + ei * ei;
    }
    k->res[a] = sqrt(num / den);
  }
  free(kc), free(ec);
  return SOLACE_SUCCESS;
}

/* g = V_r S_r^-1 c: the eigenvectors in the dictionary's coefficients (one dgemm on the split
 * parts, then interleaved). */
static int coefficients(solace_koopman k, const edmd_work *w) {
  int64_t n = k->dict.n, r = k->r;
  double *gp;
  SolaceCall(SolaceCalloc(2 * n * r, &k->g));
  SolaceCall(SolaceCalloc(2 * n * r, &gp));
  cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)(2 * r), (int)r, 1, w->basis,
              (int)n, w->parts, (int)r, 0, gp, (int)n);
  for (int64_t i = 0; i < n * r; i++) k->g[2 * i] = gp[i], k->g[2 * i + 1] = gp[n * r + i];
  free(gp);
  return SOLACE_SUCCESS;
}

int solace_koopman_compute(solace_koopman koopman) {
  solace_error_clear();
  SolaceCheckNotNull(koopman);
  SolaceCheck(koopman->m >= 1, SOLACE_ERR_STATE, "no data: call solace_koopman_set_data() first");
  solace_koopman_results_free(koopman);
  solace_koopman k = koopman;
  SolaceCall(solace_koopman_dict_setup(k, &k->dict));
  int64_t n = k->dict.n, p = 0;
  SolaceCheck(k->m >= n, SOLACE_ERR_ARG,
              "%lld snapshot pairs but %lld dictionary functions: EDMD needs "
              "at least as many "
              "pairs as functions (lower the degree or give more data)",
              (long long)k->m, (long long)n);
  edmd_work w = {0};
  int status = factor_any(k, &w, &p);
  if (!status) status = project(k, &w, p);
  if (!status) status = eigen(k, &w);
  if (!status) status = split_eigenvectors(k, &w);
  if (!status) status = residuals(k, &w);
  if (!status) status = coefficients(k, &w);
  if (!status) k->basis = w.basis, w.basis = NULL;
  work_free(&w);
  if (status) {
    solace_koopman_results_free(k);
    return solace_error_trace(status, __func__);
  }
  k->computed = 1;
  solace_log(SOLACE_LOG_INFO, "koopman: M = %lld pairs, N = %lld functions, rank %lld, %s path",
             (long long)k->m, (long long)n, (long long)k->r,
             k->qr_used == SOLACE_KOOPMAN_QR_GRAM       ? "Gram"
             : k->qr_used == SOLACE_KOOPMAN_QR_CHOLESKY ? "Cholesky QR"
                                                        : "Householder QR");
  return SOLACE_SUCCESS;
}

int solace_koopman_check_computed(solace_koopman k, const char *func) {
  if (!k) return solace_error_set(SOLACE_ERR_ARG, func, "koopman is NULL");
  if (!k->computed)
    return solace_error_set(SOLACE_ERR_STATE, func, "call solace_koopman_compute() first");
  return SOLACE_SUCCESS;
}

int solace_koopman_get_size(solace_koopman koopman, int64_t *n_functions, int64_t *n_eigenvalues) {
  solace_error_clear();
  SolaceCall(solace_koopman_check_computed(koopman, __func__));
  if (n_functions) *n_functions = koopman->dict.n;
  if (n_eigenvalues) *n_eigenvalues = koopman->r;
  return SOLACE_SUCCESS;
}

int solace_koopman_get_eigenvalues(solace_koopman koopman, double *lambda) {
  solace_error_clear();
  SolaceCall(solace_koopman_check_computed(koopman, __func__));
  SolaceCheckNotNull(lambda);
  memcpy(lambda, koopman->lambda, sizeof(double) * 2 * koopman->r);
  return SOLACE_SUCCESS;
}

int solace_koopman_get_residuals(solace_koopman koopman, double *residuals) {
  solace_error_clear();
  SolaceCall(solace_koopman_check_computed(koopman, __func__));
  SolaceCheckNotNull(residuals);
  memcpy(residuals, koopman->res, sizeof(double) * koopman->r);
  return SOLACE_SUCCESS;
}

int solace_koopman_get_eigenvectors(solace_koopman koopman, double *g, int64_t ldg) {
  solace_error_clear();
  SolaceCall(solace_koopman_check_computed(koopman, __func__));
  SolaceCheckNotNull(g);
  int64_t n = koopman->dict.n;
  SolaceCheck(ldg >= n, SOLACE_ERR_ARG, "ldg = %lld < N = %lld", (long long)ldg, (long long)n);
  for (int64_t a = 0; a < koopman->r; a++)
    memcpy(g + 2 * ldg * a, koopman->g + 2 * n * a, sizeof(double) * 2 * n);
  return SOLACE_SUCCESS;
}

int solace_koopman_get_ct_eigenvalues(solace_koopman koopman, double dt, double *mu) {
  solace_error_clear();
  SolaceCall(solace_koopman_check_computed(koopman, __func__));
  SolaceCheckNotNull(mu);
  SolaceCheck(dt > 0 && isfinite(dt), SOLACE_ERR_ARG, "dt = %g is not positive", dt);
  for (int64_t a = 0; a < koopman->r; a++) {
    double complex l = CMPLX(koopman->lambda[2 * a], koopman->lambda[2 * a + 1]);
    double complex v = l == 0 ? CMPLX(-INFINITY, 0) : clog(l) / dt;
    mu[2 * a] = creal(v), mu[2 * a + 1] = cimag(v);
  }
  return SOLACE_SUCCESS;
}

int solace_koopman_eigenfunctions(solace_koopman koopman, int64_t m, const double *x, int64_t ldx,
                                  double *phi, int64_t ldphi) {
  solace_error_clear();
  SolaceCall(solace_koopman_check_computed(koopman, __func__));
  SolaceCheckNotNull(x);
  SolaceCheckNotNull(phi);
  int64_t d = koopman->d, n = koopman->dict.n, r = koopman->r;
  SolaceCheck(m >= 1 && ldx >= d && ldphi >= m, SOLACE_ERR_ARG,
              "m = %lld, ldx = %lld (d = %lld), ldphi = %lld", (long long)m, (long long)ldx,
              (long long)d, (long long)ldphi);
  for (int64_t j = 0; j < m; j++)
    for (int64_t i = 0; i < d; i++)
      SolaceCheck(isfinite(x[i + j * ldx]), SOLACE_ERR_ARG, "x(%lld, %lld) = %g is not finite",
                  (long long)i, (long long)j, x[i + j * ldx]);
  double *psi;
  SolaceCall(SolaceCalloc(m * n, &psi));
  int status = solace_koopman_dict_eval(&koopman->dict, m, x, ldx, NULL, psi, m);
  if (status) return free(psi), solace_error_trace(status, __func__);
  for (int64_t a = 0; a < r; a++)
    for (int64_t j = 0; j < m; j++) {
      double re = 0, im = 0;
      for (int64_t i = 0; i < n; i++) {
        re += psi[j + i * m] * koopman->g[2 * (i + a * n)];
        im += psi[j + i * m] * koopman->g[2 * (i + a * n) + 1];
      }
      phi[2 * (j + a * ldphi)] = re, phi[2 * (j + a * ldphi) + 1] = im;
    }
  free(psi);
  return SOLACE_SUCCESS;
}

int solace_koopman_get_modes(solace_koopman koopman, double *modes, int64_t ldm) {
  solace_error_clear();
  SolaceCall(solace_koopman_check_computed(koopman, __func__));
  SolaceCheckNotNull(modes);
  int64_t d = koopman->d, r = koopman->r;
  SolaceCheck(ldm >= d, SOLACE_ERR_ARG, "ldm = %lld < d = %lld", (long long)ldm, (long long)d);
  double complex *c, *rhs;
  lapack_int *piv;
  SolaceCall(SolaceCalloc(r * r, &c));
  SolaceCall(SolaceCalloc(r * d, &rhs));
  SolaceCall(SolaceCalloc(r, &piv));
  for (int64_t i = 0; i < r * r; i++) c[i] = CMPLX(koopman->c[2 * i], koopman->c[2 * i + 1]);
  for (int64_t i = 0; i < r * d; i++) rhs[i] = koopman->proj[i];
  int info = LAPACKE_zgesv(LAPACK_COL_MAJOR, (int)r, (int)d, c, (int)r, piv, rhs, (int)r);
  int status = info ? solace_error_lapack(info, "zgesv", __func__) : SOLACE_SUCCESS;
  for (int64_t j = 0; !status && j < r; j++)
    for (int64_t i = 0; i < d; i++) {
      modes[2 * (i + j * ldm)] = creal(rhs[j + i * r]);
      modes[2 * (i + j * ldm) + 1] = cimag(rhs[j + i * r]);
    }
  free(c), free(rhs), free(piv);
  return status;
}

int solace_koopman_get_verified(solace_koopman koopman, double tol, int64_t *count, int64_t *index,
                                double *bound) {
  solace_error_clear();
  SolaceCall(solace_koopman_check_computed(koopman, __func__));
  SolaceCheckNotNull(count);
  SolaceCheck(tol >= 0, SOLACE_ERR_ARG, "tol = %g is negative or NaN", tol);
  double worst = 0;
  *count = 0;
  for (int64_t a = 0; a < koopman->r; a++)
    if (koopman->res[a] <= tol) {
      if (index) index[*count] = a;
      (*count)++;
      worst = fmax(worst, koopman->res[a]);
    }
  if (bound) *bound = worst;
  return SOLACE_SUCCESS;
}
