/* SKR's sorting step: orders a sequence of systems so that neighbours have close features. */
#include "solace/rand.h"
#include "solace/skr.h"
#include "solvers/skr/sort-impl.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
  SORT_AUTO_GREEDY_MAX = 4096, /* AUTO: exact greedy up to this many systems */
  SORT_PROJECTED_DIM = 64,     /* random projection target dimension */
  SORT_PCA_DIM = 7,            /* principal components fed to the Hilbert curve */
  SORT_WINDOW = 2048,          /* candidates of the greedy walk along the curve */
  SORT_PROJECTION_BLOCK = 4096 /* feature rows of the projection generated at a time */
};
static const uint64_t sort_projection_seed = 0x5eed5041ULL;

uint64_t solace_hilbert_key(uint32_t *x, int ndim, int bits) {
  uint32_t top = 1u << (bits - 1);
  for (uint32_t q = top; q > 1; q >>= 1) { /* undo excess work (Skilling 2004) */
    uint32_t p = q - 1;
    for (int i = 0; i < ndim; i++) {
      if (x[i] & q)
        x[0] ^= p;
      else {
        uint32_t t = (x[0] ^ x[i]) & p;
        x[0] ^= t, x[i] ^= t;
      }
    }
  }
  for (int i = 1; i < ndim; i++) x[i] ^= x[i - 1]; /* Gray encode */
  uint32_t t = 0;
  for (uint32_t q = top; q > 1; q >>= 1)
    if (x[ndim - 1] & q) t ^= q - 1;
  for (int i = 0; i < ndim; i++) x[i] ^= t;
  uint64_t key = 0; /* interleave the transposed bits, most significant first */
  for (int b = bits - 1; b >= 0; b--)
    for (int i = 0; i < ndim; i++) key = (key << 1) | ((x[i] >> b) & 1u);
  return key;
}

/* Candidate pool of the greedy walk: the features of up to `capacity` systems, compacted. */
typedef struct {
  double *w, *norm, *dot;
  int64_t *id, size, capacity, dim;
} pool;

/* Adds system `index` to the pool. */
static void pool_add(pool *p, const double *features, int64_t index) {
  double *column = p->w + p->size * p->dim;
  memcpy(column, features + index * p->dim, sizeof(double) * (size_t)p->dim);
  p->norm[p->size] = cblas_ddot((int)p->dim, column, 1, column, 1);
  p->id[p->size++] = index;
}

/* Removes pool entry j (the last entry takes its place). */
static void pool_remove(pool *p, int64_t j) {
  p->size--;
  memcpy(p->w + j * p->dim, p->w + p->size * p->dim, sizeof(double) * (size_t)p->dim);
  p->norm[j] = p->norm[p->size], p->id[j] = p->id[p->size];
}

/* Pool entry nearest to the features `from`: min ||w_j||^2 - 2 w_j.from (BLAS-2). */
static int64_t pool_nearest(pool *p, const double *from) {
  cblas_dgemv(CblasColMajor, CblasTrans, (int)p->dim, (int)p->size, 1.0, p->w, (int)p->dim, from, 1,
              0.0, p->dot, 1);
  int64_t best = 0;
  for (int64_t j = 1; j < p->size; j++)
    if (p->norm[j] - 2 * p->dot[j] < p->norm[best] - 2 * p->dot[best]) best = j;
  return best;
}

/* Greedy nearest-neighbour walk along `sequence` (n systems), from sequence[0]: each step moves to
 * the nearest of the first `capacity` systems not yet visited in sequence order. With capacity
 * >= n this is the exact greedy; with a window it refines a curve order in O(n capacity dim). */
static int greedy_walk(const double *features, int64_t dim, const int64_t *sequence, int64_t n,
                       int64_t capacity, int64_t *out) {
  pool p = {.capacity = capacity < n ? capacity : n, .dim = dim};
  int status = SolaceCalloc(p.capacity * dim, &p.w);
  if (!status) status = SolaceCalloc(p.capacity, &p.norm);
  if (!status) status = SolaceCalloc(p.capacity, &p.dot);
  if (!status) status = SolaceCalloc(p.capacity, &p.id);
  int64_t next = 0, current = 0;
  while (!status && next < p.capacity) pool_add(&p, features, sequence[next++]);
  for (int64_t k = 0; !status && k < n; k++) {
    out[k] = p.id[current];
    pool_remove(&p, current);
    if (next < n) pool_add(&p, features, sequence[next++]);
    if (p.size > 0) current = pool_nearest(&p, features + out[k] * dim);
  }
  free(p.w), free(p.norm), free(p.dot), free(p.id);
  return status;
}

/* Projects the features to k = min(dim, 64) dimensions: y = P f with P Gaussian / sqrt(k), drawn
 * block by block from a fixed seed (so the order never depends on anything but the features). */
static int project(const double *features, int64_t count, int64_t dim, int64_t k, double *y) {
  if (dim <= SORT_PROJECTED_DIM) {
    memcpy(y, features, sizeof(double) * (size_t)(count * dim));
    return SOLACE_SUCCESS;
  }
  double *p = NULL;
  SolaceCall(SolaceCalloc(k * SORT_PROJECTION_BLOCK, &p));
  memset(y, 0, sizeof(double) * (size_t)(count * k));
  int status = SOLACE_SUCCESS;
  for (int64_t row = 0; !status && row < dim; row += SORT_PROJECTION_BLOCK) {
    int64_t rows = dim - row < SORT_PROJECTION_BLOCK ? dim - row : SORT_PROJECTION_BLOCK;
    status = solace_rand_normal(sort_projection_seed, (uint64_t)row, 0, k * rows, p);
    if (status) break;
    /* y (k x count) += P_block (k x rows) * F_block (rows x count, leading dimension dim) */
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)k, (int)count, (int)rows,
                1.0 / sqrt((double)k), p, (int)k, features + row, (int)dim, 1.0, y, (int)k);
  }
  free(p);
  return status;
}

/* Number of top eigenvalues (ascending in eig[0..k-1]) that hold 99% of the variance, at most
 * `most`: fewer curve dimensions give the Hilbert curve more bits each. */
static int64_t components_needed(const double *eig, int64_t k, int64_t most) {
  double total = 0, kept = 0;
  for (int64_t r = 0; r < k; r++) total += fmax(eig[r], 0);
  int64_t p = 0;
  while (p < most && p < k && kept < 0.99 * total) kept += fmax(eig[k - 1 - p++], 0);
  return p > 0 ? p : 1;
}

/* Replaces y (k x count) by its coordinates on the top *p principal components (*p x count);
 * *p is reduced to the number of components that hold 99% of the variance. */
static int principal_components(double *y, int64_t count, int64_t k, int64_t *p_inout) {
  int64_t p = *p_inout;
  double *cov = NULL, *eig = NULL, *z = NULL;
  int status = SolaceCalloc(k * k, &cov);
  if (!status) status = SolaceCalloc(k, &eig);
  if (!status) status = SolaceCalloc(p * count, &z);
  for (int64_t r = 0; !status && r < k; r++) { /* center each projected coordinate */
    double mean = 0;
    for (int64_t j = 0; j < count; j++) mean += y[r + k * j];
    for (int64_t j = 0; j < count; j++) y[r + k * j] -= mean / (double)count;
  }
  if (!status) {
    cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, (int)k, (int)count, 1.0, y, (int)k, 0.0,
                cov, (int)k);
    int info = LAPACKE_dsyev(LAPACK_COL_MAJOR, 'V', 'U', (int)k, cov, (int)k, eig);
    if (info) status = solace_error_lapack(info, "LAPACKE_dsyev", __func__);
  }
  if (!status) p = *p_inout = components_needed(eig, k, p);
  if (!status) { /* eigenvalues ascend: the last p columns are the top components */
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)p, (int)count, (int)k, 1.0,
                cov + k * (k - p), (int)k, y, (int)k, 0.0, z, (int)p);
    memcpy(y, z, sizeof(double) * (size_t)(p * count));
  }
  free(cov), free(eig), free(z);
  return status;
}

/* A system and its Hilbert key, for sorting. */
typedef struct {
  uint64_t key;
  int64_t index;
} keyed;

static int compare_keyed(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  return (x->index > y->index) - (x->index < y->index);
}

/* Quantizes each of the p coordinates of z to `bits` bits and computes the Hilbert keys. */
static void hilbert_keys(const double *z, int64_t count, int64_t p, int bits, keyed *keys) {
  double lo[SORT_PCA_DIM], hi[SORT_PCA_DIM];
  for (int64_t r = 0; r < p; r++) {
    lo[r] = hi[r] = z[r];
    for (int64_t j = 1; j < count; j++)
      lo[r] = fmin(lo[r], z[r + p * j]), hi[r] = fmax(hi[r], z[r + p * j]);
  }
  double cells = (double)((1u << bits) - 1);
  for (int64_t j = 0; j < count; j++) {
    uint32_t x[SORT_PCA_DIM];
    for (int64_t r = 0; r < p; r++)
      x[r] = hi[r] > lo[r] ? (uint32_t)lround(cells * (z[r + p * j] - lo[r]) / (hi[r] - lo[r])) : 0;
    keys[j] = (keyed){.key = solace_hilbert_key(x, (int)p, bits), .index = j};
  }
}

/* Orders the systems by the Hilbert key of their principal components (z, p x count, is
 * overwritten), rotated to start at system 0. */
static int hilbert_curve(double *z, int64_t count, int64_t k, int64_t *curve) {
  int64_t p = k < SORT_PCA_DIM ? k : SORT_PCA_DIM;
  keyed *keys = NULL;
  int status = SolaceCalloc(count, &keys);
  if (!status) status = principal_components(z, count, k, &p);
  if (!status) {
    int bits = (int)(63 / p) < 20 ? (int)(63 / p) : 20;
    hilbert_keys(z, count, p, bits, keys);
    qsort(keys, (size_t)count, sizeof *keys, compare_keyed);
    int64_t start = 0;
    while (keys[start].index != 0) start++;
    for (int64_t j = 0; j < count; j++) curve[j] = keys[(start + j) % count].index;
  }
  free(keys);
  return status;
}

/* Projection, Hilbert curve of the principal components, then a greedy walk along the curve
 * with a pool of SORT_WINDOW candidates, measured in the projected coordinates. */
static int hilbert_sort(const double *features, int64_t count, int64_t dim, int64_t *order) {
  int64_t k = dim < SORT_PROJECTED_DIM ? dim : SORT_PROJECTED_DIM, *curve = NULL;
  double *y = NULL, *z = NULL;
  int status = SolaceCalloc(k * count, &y);
  if (!status) status = SolaceCalloc(k * count, &z);
  if (!status) status = SolaceCalloc(count, &curve);
  if (!status) status = project(features, count, dim, k, y);
  if (!status) memcpy(z, y, sizeof(double) * (size_t)(k * count));
  if (!status) status = hilbert_curve(z, count, k, curve);
  if (!status) status = greedy_walk(y, k, curve, count, SORT_WINDOW, order);
  free(y), free(z), free(curve);
  return status;
}

/* Checks the arguments shared by the public functions. */
static int check_features(const double *features, int64_t count, int64_t dim) {
  SolaceCheck(count >= 1, SOLACE_ERR_ARG, "count = %lld must be >= 1", (long long)count);
  SolaceCheck(dim >= 1, SOLACE_ERR_ARG, "dim = %lld must be >= 1", (long long)dim);
  SolaceCheck(count <= INT32_MAX && dim <= INT32_MAX, SOLACE_ERR_ARG, "count or dim exceeds 2^31");
  SolaceCheckNotNull(features);
  for (int64_t i = 0; i < count * dim; i++)
    SolaceCheck(isfinite(features[i]), SOLACE_ERR_ARG, "features[%lld] (system %lld) = %g",
                (long long)i, (long long)(i / dim), features[i]);
  return SOLACE_SUCCESS;
}

int solace_skr_sort(const double *features, int64_t count, int64_t dim, int method,
                    int64_t *order) {
  solace_error_clear();
  SolaceCall(check_features(features, count, dim));
  SolaceCheckNotNull(order);
  SolaceCheck(method >= SOLACE_SKR_SORT_NONE && method <= SOLACE_SKR_SORT_AUTO, SOLACE_ERR_ARG,
              "method %d is not a solace_skr_sort_method", method);
  if (method == SOLACE_SKR_SORT_AUTO)
    method = count <= SORT_AUTO_GREEDY_MAX ? SOLACE_SKR_SORT_GREEDY : SOLACE_SKR_SORT_HILBERT;
  for (int64_t i = 0; i < count; i++) order[i] = i;
  if (method == SOLACE_SKR_SORT_GREEDY)
    SolaceCall(greedy_walk(features, dim, order, count, count, order));
  if (method == SOLACE_SKR_SORT_HILBERT) SolaceCall(hilbert_sort(features, count, dim, order));
  return SOLACE_SUCCESS;
}

int solace_skr_path_length(const double *features, int64_t count, int64_t dim, const int64_t *order,
                           double *length) {
  solace_error_clear();
  SolaceCall(check_features(features, count, dim));
  SolaceCheck(order && length, SOLACE_ERR_ARG, "order and length must not be NULL");
  double total = 0;
  for (int64_t k = 0; k + 1 < count; k++) {
    SolaceCheck(order[k] >= 0 && order[k] < count && order[k + 1] >= 0 && order[k + 1] < count,
                SOLACE_ERR_ARG, "order[%lld] is out of range", (long long)k);
    double d2 = 0;
    for (int64_t r = 0; r < dim; r++) {
      double d = features[order[k + 1] * dim + r] - features[order[k] * dim + r];
      d2 += d * d;
    }
    total += sqrt(d2);
  }
  *length = total;
  return SOLACE_SUCCESS;
}
