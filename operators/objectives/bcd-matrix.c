/* Data matrices of the BCD objectives: dense column-major or sparse with CSC (column steps) and
 * CSR (gradient updates over touched rows) copies. */
#include "operators/objectives/bcd-objective.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void bcd_matrix_free(bcd_matrix *A) {
  free(A->dense), free(A->colptr), free(A->rowind), free(A->rowptr), free(A->colind);
  free(A->cval), free(A->rval);
  memset(A, 0, sizeof(*A));
}

int bcd_matrix_from_dense(int64_t m, int64_t n, const double *X, int64_t ld, bcd_matrix *A) {
  SolaceCheck(m >= 1 && n >= 1, SOLACE_ERR_ARG, "empty data: m = %lld, n = %lld", (long long)m,
              (long long)n);
  SolaceCheckNotNull(X);
  SolaceCheck(ld >= m, SOLACE_ERR_ARG, "ld = %lld < m = %lld", (long long)ld, (long long)m);
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < m; i++)
      SolaceCheck(isfinite(X[i + j * ld]), SOLACE_ERR_ARG, "X(%lld, %lld) = %g is not finite",
                  (long long)i, (long long)j, X[i + j * ld]);
  memset(A, 0, sizeof(*A));
  A->m = m, A->n = n;
  SolaceCall(SolaceCalloc(m * n, &A->dense));
  for (int64_t j = 0; j < n; j++) memcpy(A->dense + j * m, X + j * ld, (size_t)m * sizeof(double));
  return SOLACE_SUCCESS;
}

/* Checks a CSR structure: monotone row pointers, column indices in range, finite values. */
static int check_csr(int64_t m, int64_t n, const int64_t *rowptr, const int64_t *colind,
                     const double *values) {
  SolaceCheck(m >= 1 && n >= 1, SOLACE_ERR_ARG, "empty data: m = %lld, n = %lld", (long long)m,
              (long long)n);
  SolaceCheckNotNull(rowptr);
  SolaceCheck(rowptr[0] == 0, SOLACE_ERR_ARG, "rowptr[0] = %lld, expected 0", (long long)rowptr[0]);
  for (int64_t i = 0; i < m; i++)
    SolaceCheck(rowptr[i + 1] >= rowptr[i], SOLACE_ERR_ARG, "rowptr decreases at row %lld",
                (long long)i);
  if (rowptr[m] > 0) SolaceCheck(colind && values, SOLACE_ERR_ARG, "colind or values is NULL");
  for (int64_t p = 0; p < rowptr[m]; p++) {
    SolaceCheck(colind[p] >= 0 && colind[p] < n, SOLACE_ERR_ARG,
                "colind[%lld] = %lld is outside 0..%lld", (long long)p, (long long)colind[p],
                (long long)n - 1);
    SolaceCheck(isfinite(values[p]), SOLACE_ERR_ARG, "values[%lld] = %g is not finite",
                (long long)p, values[p]);
  }
  return SOLACE_SUCCESS;
}

/* Builds the CSC copy from the CSR copy (counting sort by column). */
static int build_csc(bcd_matrix *A) {
  int64_t m = A->m, n = A->n, nnz = A->rowptr[m];
  SolaceCall(SolaceCalloc(n + 1, &A->colptr));
  SolaceCall(SolaceCalloc(nnz + 1, &A->rowind));
  SolaceCall(SolaceCalloc(nnz + 1, &A->cval));
  for (int64_t p = 0; p < nnz; p++) A->colptr[A->colind[p] + 1]++;
  for (int64_t j = 0; j < n; j++) A->colptr[j + 1] += A->colptr[j];
  int64_t *next;
  SolaceCall(SolaceCalloc(n, &next));
  memcpy(next, A->colptr, (size_t)n * sizeof(int64_t));
  for (int64_t i = 0; i < m; i++)
    for (int64_t p = A->rowptr[i]; p < A->rowptr[i + 1]; p++) {
      int64_t q = next[A->colind[p]]++;
      A->rowind[q] = i, A->cval[q] = A->rval[p];
    }
  free(next);
  return SOLACE_SUCCESS;
}

int bcd_matrix_from_csr(int64_t m, int64_t n, const int64_t *rowptr, const int64_t *colind,
                        const double *values, bcd_matrix *A) {
  SolaceCall(check_csr(m, n, rowptr, colind, values));
  memset(A, 0, sizeof(*A));
  A->m = m, A->n = n, A->sparse = 1;
  int64_t nnz = rowptr[m];
  int status = SolaceCalloc(m + 1, &A->rowptr);
  if (!status) status = SolaceCalloc(nnz + 1, &A->colind);
  if (!status) status = SolaceCalloc(nnz + 1, &A->rval);
  if (!status) {
    memcpy(A->rowptr, rowptr, (size_t)(m + 1) * sizeof(int64_t));
    memcpy(A->colind, colind, (size_t)nnz * sizeof(int64_t));
    memcpy(A->rval, values, (size_t)nnz * sizeof(double));
    status = build_csc(A);
  }
  if (status) bcd_matrix_free(A);
  return status;
}

double bcd_matrix_col_dot(const bcd_matrix *A, int64_t j, const double *v) {
  if (!A->sparse) return cblas_ddot((int)A->m, A->dense + j * A->m, 1, v, 1);
  double s = 0;
  for (int64_t p = A->colptr[j]; p < A->colptr[j + 1]; p++) s += A->cval[p] * v[A->rowind[p]];
  return s;
}

void bcd_matrix_col_axpy(const bcd_matrix *A, int64_t j, double alpha, double *v, char *mark,
                         int64_t *rows, int64_t *nrows) {
  if (!A->sparse) {
    cblas_daxpy((int)A->m, alpha, A->dense + j * A->m, 1, v, 1);
    return;
  }
  for (int64_t p = A->colptr[j]; p < A->colptr[j + 1]; p++) {
    int64_t i = A->rowind[p];
    v[i] += alpha * A->cval[p];
    if (rows && !mark[i]) mark[i] = 1, rows[(*nrows)++] = i;
  }
}

void bcd_matrix_tmatvec_rows(const bcd_matrix *A, const double *dv, const int64_t *rows,
                             int64_t nrows, double *g) {
  if (!A->sparse) {
    cblas_dgemv(CblasColMajor, CblasTrans, (int)A->m, (int)A->n, 1.0, A->dense, (int)A->m, dv, 1,
                1.0, g, 1);
    return;
  }
  if (!rows) { /* all rows: column dots read the CSC copy in order, no scattered writes */
    for (int64_t j = 0; j < A->n; j++) g[j] += bcd_matrix_col_dot(A, j, dv);
    return;
  }
  for (int64_t r = 0; r < nrows; r++) {
    int64_t i = rows[r];
    double a = dv[i];
    if (a == 0) continue;
    for (int64_t p = A->rowptr[i]; p < A->rowptr[i + 1]; p++) g[A->colind[p]] += A->rval[p] * a;
  }
}

/* Scatters sparse column j (times sqrt-free weights w) into the dense m-vector col. */
static void scatter_col(const bcd_matrix *A, int64_t j, const double *w, double *col) {
  for (int64_t p = A->colptr[j]; p < A->colptr[j + 1]; p++)
    col[A->rowind[p]] = A->cval[p] * (w ? w[A->rowind[p]] : 1.0);
}

int bcd_matrix_gram(const bcd_matrix *A, int64_t nb, const int64_t *idx, const double *w,
                    double *out) {
  int64_t m = A->m;
  double *col;
  SolaceCall(SolaceCalloc(m, &col));
  for (int64_t a = 0; a < nb; a++) {
    if (A->sparse) {
      scatter_col(A, idx[a], w, col);
    } else {
      const double *Aj = A->dense + idx[a] * m;
      for (int64_t i = 0; i < m; i++) col[i] = Aj[i] * (w ? w[i] : 1.0);
    }
    for (int64_t b = 0; b <= a; b++)
      out[a + b * nb] = out[b + a * nb] = bcd_matrix_col_dot(A, idx[b], col);
    if (A->sparse)
      for (int64_t p = A->colptr[idx[a]]; p < A->colptr[idx[a] + 1]; p++) col[A->rowind[p]] = 0;
  }
  free(col);
  return SOLACE_SUCCESS;
}

int bcd_matrix_abs_rowsums(const bcd_matrix *A, double *out) {
  int64_t m = A->m, n = A->n;
  double *rs;
  SolaceCall(SolaceCalloc(m, &rs));
  for (int64_t j = 0; j < n; j++) {
    if (A->sparse)
      for (int64_t p = A->colptr[j]; p < A->colptr[j + 1]; p++)
        rs[A->rowind[p]] += fabs(A->cval[p]);
    else
      for (int64_t i = 0; i < m; i++) rs[i] += fabs(A->dense[i + j * m]);
  }
  for (int64_t j = 0; j < n; j++) {
    double s = 0;
    if (A->sparse)
      for (int64_t p = A->colptr[j]; p < A->colptr[j + 1]; p++)
        s += fabs(A->cval[p]) * rs[A->rowind[p]];
    else
      for (int64_t i = 0; i < m; i++) s += fabs(A->dense[i + j * m]) * rs[i];
    out[j] = s;
  }
  free(rs);
  return SOLACE_SUCCESS;
}

void bcd_matrix_col_axpy_weighted(const bcd_matrix *A, int64_t j, double alpha, const double *w,
                                  double *v) {
  if (!A->sparse) {
    const double *col = A->dense + j * A->m;
    for (int64_t i = 0; i < A->m; i++) v[i] += alpha * w[i] * col[i];
    return;
  }
  for (int64_t p = A->colptr[j]; p < A->colptr[j + 1]; p++)
    v[A->rowind[p]] += alpha * w[A->rowind[p]] * A->cval[p];
}

double bcd_matrix_col_wnorm2(const bcd_matrix *A, int64_t j, const double *w) {
  double s = 0;
  if (!A->sparse) {
    const double *col = A->dense + j * A->m;
    for (int64_t i = 0; i < A->m; i++) s += w[i] * col[i] * col[i];
    return s;
  }
  for (int64_t p = A->colptr[j]; p < A->colptr[j + 1]; p++)
    s += w[A->rowind[p]] * A->cval[p] * A->cval[p];
  return s;
}
