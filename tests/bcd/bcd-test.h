/* Shared helpers of the BCD tests: seeded dense test data and independent LAPACK references. */
#ifndef SOLACE_BCD_TEST_H
#define SOLACE_BCD_TEST_H

#include "test-util.h"

#include <lapacke.h>
#include <stdint.h>
#include <string.h>

/* Fills X (m x n, column-major) and y with N(0,1) values from `seed`; X gets column scales
 * 1..10 so that the coordinate Lipschitz constants differ. */
static inline void bcd_test_data(uint64_t seed, int64_t m, int64_t n, double *X, double *y) {
  solace_rand_normal(seed, 0, 0, m * n, X);
  solace_rand_normal(seed, 1, 0, m, y);
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < m; i++) X[i + j * m] *= 1.0 + 9.0 * (double)(j % 7) / 6.0;
}

/* The least-squares solution by LAPACK's QR (dgels); x has n entries. */
static inline int bcd_test_lstsq(int64_t m, int64_t n, const double *X, const double *y,
                                 double *x) {
  double *A = malloc(sizeof(double) * (size_t)(m * n)), *b = malloc(sizeof(double) * (size_t)m);
  memcpy(A, X, sizeof(double) * (size_t)(m * n));
  memcpy(b, y, sizeof(double) * (size_t)m);
  int info = LAPACKE_dgels(LAPACK_COL_MAJOR, 'N', (int)m, (int)n, 1, A, (int)m, b, (int)m);
  memcpy(x, b, sizeof(double) * (size_t)n);
  free(A), free(b);
  return info;
}

/* Dense to CSR (all entries, zeros dropped). */
static inline void bcd_test_csr(int64_t m, int64_t n, const double *X, int64_t *ptr, int64_t *ind,
                                double *val) {
  int64_t q = 0;
  ptr[0] = 0;
  for (int64_t i = 0; i < m; i++) {
    for (int64_t j = 0; j < n; j++)
      if (X[i + j * m] != 0) ind[q] = j, val[q++] = X[i + j * m];
    ptr[i + 1] = q;
  }
}

/* max_i |a_i - b_i| / max(1, max_i |b_i|). */
static inline double bcd_test_relerr(int64_t n, const double *a, const double *b) {
  double err = 0, top = 1;
  for (int64_t i = 0; i < n; i++) err = fmax(err, fabs(a[i] - b[i])), top = fmax(top, fabs(b[i]));
  return err / top;
}

#endif
