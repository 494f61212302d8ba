/* The synthetic datasets of the BCD paper (reference/bcd.md), generated from a seed with the
 * Philox streams of src/rand: stream 0 column scales, stream j + 1 column j, then the truth,
 * noise and labels on streams after the columns. */
#include "operators/objectives/bcd-objective.h"

#include "solace/rand.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Coordinate lists of a sparse matrix under construction. */
typedef struct {
  int64_t m, n, count, cap, *row, *col;
  double *val;
} coo;

static int coo_push(coo *c, int64_t i, int64_t j, double v) {
  if (c->count == c->cap) {
    int64_t cap = c->cap ? 2 * c->cap : 1024;
    int64_t *r = realloc(c->row, (size_t)cap * sizeof(int64_t));
    if (r) c->row = r;
    int64_t *q = realloc(c->col, (size_t)cap * sizeof(int64_t));
    if (q) c->col = q;
    double *x = realloc(c->val, (size_t)cap * sizeof(double));
    if (x) c->val = x;
    SolaceCheck(r && q && x, SOLACE_ERR_MEM, "cannot grow a matrix to %lld entries",
                (long long)cap);
    c->cap = cap;
  }
  c->row[c->count] = i, c->col[c->count] = j, c->val[c->count++] = v;
  return SOLACE_SUCCESS;
}

static void coo_free(coo *c) {
  free(c->row), free(c->col), free(c->val);
}

/* CSR arrays from the coordinates (rows in order, columns in insertion order). */
static int coo_to_csr(const coo *c, int64_t **ptr, int64_t **ind, double **val) {
  SolaceCall(SolaceCalloc(c->m + 1, ptr));
  SolaceCall(SolaceCalloc(c->count + 1, ind));
  SolaceCall(SolaceCalloc(c->count + 1, val));
  int64_t *next;
  SolaceCall(SolaceCalloc(c->m + 1, &next));
  for (int64_t p = 0; p < c->count; p++) (*ptr)[c->row[p] + 1]++;
  for (int64_t i = 0; i < c->m; i++) (*ptr)[i + 1] += (*ptr)[i];
  memcpy(next, *ptr, (size_t)(c->m + 1) * sizeof(int64_t));
  for (int64_t p = 0; p < c->count; p++) {
    int64_t q = next[c->row[p]]++;
    (*ind)[q] = c->col[p], (*val)[q] = c->val[p];
  }
  free(next);
  return SOLACE_SUCCESS;
}

/* The design of dataset A: entries N(0,1) + 1, column j scaled by 10 N(0,1), each entry kept
 * with probability 10 log(m) / m. */
static int design_a(uint64_t seed, int64_t m, int64_t n, bcd_matrix *A) {
  coo c = {m, n, 0, 0, NULL, NULL, NULL};
  double *u, *z, keep = fmin(1.0, 10.0 * log((double)m) / (double)m);
  SolaceCall(SolaceCalloc(m, &u));
  int status = SolaceCalloc(m, &z);
  for (int64_t j = 0; j < n && !status; j++) {
    double scale;
    solace_rand_normal(seed, 0, (uint64_t)j, 1, &scale);
    solace_rand_uniform(seed, (uint64_t)j + 1, 0, m, u);
    solace_rand_normal(seed, (uint64_t)j + 1, 2 * (uint64_t)m, m, z);
    for (int64_t i = 0; i < m && !status; i++)
      if (u[i] < keep) status = coo_push(&c, i, j, 10.0 * scale * (z[i] + 1.0));
  }
  int64_t *ptr = NULL, *ind = NULL;
  double *val = NULL;
  if (!status) status = coo_to_csr(&c, &ptr, &ind, &val);
  if (!status) status = bcd_matrix_from_csr(m, n, ptr, ind, val, A);
  free(u), free(z), free(ptr), free(ind), free(val), coo_free(&c);
  return status;
}

/* A x for a sparse design. */
static void matvec(const bcd_matrix *A, const double *x, double *out) {
  memset(out, 0, (size_t)A->m * sizeof(double));
  for (int64_t j = 0; j < A->n; j++)
    if (x[j] != 0) bcd_matrix_col_axpy(A, j, x[j], out, NULL, NULL, NULL);
}

/* The truth x* (nonzero with probability 0.1, N(0,1) values) and b = A x* (+ noise). */
static int targets_a(uint64_t seed, const bcd_matrix *A, int logistic, double *b) {
  int64_t m = A->m, n = A->n;
  double *x, *u, *noise;
  SolaceCall(SolaceCalloc(n, &x));
  SolaceCall(SolaceCalloc(n, &u));
  SolaceCall(SolaceCalloc(m, &noise));
  uint64_t stream = (uint64_t)n + 1;
  solace_rand_uniform(seed, stream, 0, n, u);
  solace_rand_normal(seed, stream, 2 * (uint64_t)n, n, x);
  for (int64_t j = 0; j < n; j++) x[j] = u[j] < 0.1 ? x[j] : 0;
  matvec(A, x, b);
  if (logistic) {
    solace_rand_uniform(seed, stream + 1, 0, m, noise);
    for (int64_t i = 0; i < m; i++) b[i] = (b[i] >= 0 ? 1.0 : -1.0) * (noise[i] < 0.1 ? -1 : 1);
  } else {
    solace_rand_normal(seed, stream + 1, 0, m, noise);
    for (int64_t i = 0; i < m; i++) b[i] += noise[i];
  }
  free(x), free(u), free(noise);
  return SOLACE_SUCCESS;
}

/* Softmax labels: argmax over classes of A W* with W* ~ N(0,1) (n x k). */
static int labels_c(uint64_t seed, const bcd_matrix *A, int64_t k, double *y) {
  int64_t m = A->m, n = A->n;
  double *W, *Z;
  SolaceCall(SolaceCalloc(n * k, &W));
  SolaceCall(SolaceCalloc(m * k, &Z));
  solace_rand_normal(seed, (uint64_t)n + 1, 0, n * k, W);
  for (int64_t c = 0; c < k; c++) matvec(A, W + c * n, Z + c * m);
  for (int64_t i = 0; i < m; i++) {
    int64_t best = 0;
    for (int64_t c = 1; c < k; c++)
      if (Z[i + c * m] > Z[i + best * m]) best = c;
    y[i] = (double)best;
  }
  free(W), free(Z);
  return SOLACE_SUCCESS;
}

/* Datasets A, B, C, L1: a design, its targets and the objective. */
static int build_fit(int which, uint64_t seed, int64_t m, int64_t n, bcd_objective **obj) {
  bcd_matrix A;
  int64_t k = which == SOLACE_BCD_DATA_C ? 50 : 1;
  SolaceCall(design_a(seed, m, n, &A));
  double *y;
  int status = SolaceCalloc(m, &y);
  if (!status && which == SOLACE_BCD_DATA_C)
    status = labels_c(seed, &A, k, y);
  else if (!status)
    status = targets_a(seed, &A, which == SOLACE_BCD_DATA_B, y);
  int problem = which == SOLACE_BCD_DATA_B   ? SOLACE_BCD_LOGISTIC
                : which == SOLACE_BCD_DATA_C ? SOLACE_BCD_SOFTMAX
                                             : SOLACE_BCD_LEAST_SQUARES;
  if (!status)
    status = bcd_objective_glm(problem, A, y, k, obj);
  else
    bcd_matrix_free(&A);
  free(y);
  return status;
}

/* 100 (n/25 + 1 below 2000 nodes) distinct labelled nodes of n, with values +-1 or from the moon of
 * each node. */
static int choose_labels(uint64_t seed, int64_t n, int64_t nl, int64_t *labelled, double *values,
                         const double *moon) {
  double *u;
  SolaceCall(SolaceCalloc(n, &u));
  solace_rand_uniform(seed, 1, 0, n, u);
  char *taken;
  int status = SolaceCalloc(n, &taken);
  for (int64_t l = 0, i = 0; !status && l < nl; i = (i + 7919) % n) {
    int64_t v = (int64_t)(u[l % n] * (double)n) % n;
    while (taken[v]) v = (v + 1) % n;
    taken[v] = 1, labelled[l] = v;
    values[l] = moon ? moon[v] : (u[(l * 7 + 3) % n] < 0.5 ? -1.0 : 1.0);
    l++;
  }
  free(u), free(taken);
  return status;
}

/* Dataset D: the 4-neighbour side x side lattice with unit weights. */
static int lattice_graph(int64_t side, coo *c) {
  for (int64_t r = 0; r < side; r++)
    for (int64_t q = 0; q < side; q++) {
      int64_t v = r * side + q;
      if (r > 0) SolaceCall(coo_push(c, v, v - side, 1.0));
      if (q > 0) SolaceCall(coo_push(c, v, v - 1, 1.0));
      if (q + 1 < side) SolaceCall(coo_push(c, v, v + 1, 1.0));
      if (r + 1 < side) SolaceCall(coo_push(c, v, v + side, 1.0));
    }
  return SOLACE_SUCCESS;
}

/* Two interleaved half circles with N(0, 0.1^2) noise; moon[i] = +-1. */
static void two_moons(uint64_t seed, int64_t n, double *pts, double *moon) {
  for (int64_t i = 0; i < n; i++) {
    double u, z[2];
    solace_rand_uniform(seed, 2, (uint64_t)i, 1, &u);
    solace_rand_normal(seed, 3, 2 * (uint64_t)i, 2, z);
    double t = 3.14159265358979323846 * u;
    int upper = i % 2 == 0;
    pts[2 * i] = (upper ? cos(t) : 1 - cos(t)) + 0.1 * z[0];
    pts[2 * i + 1] = (upper ? sin(t) : 0.5 - sin(t)) + 0.1 * z[1];
    moon[i] = upper ? 1.0 : -1.0;
  }
}

static double dist2(const double *p, int64_t i, int64_t j) {
  double dx = p[2 * i] - p[2 * j], dy = p[2 * i + 1] - p[2 * j + 1];
  return dx * dx + dy * dy;
}

/* The symmetrised 5-nearest-neighbour graph with weights exp(-d^2 / s^2), s^2 the mean squared
 * neighbour distance. */
static int knn_graph(int64_t n, const double *p, coo *c) {
  enum { K = 5 };
  int64_t *nb;
  double *d2, total = 0;
  SolaceCall(SolaceCalloc(n * K, &nb));
  SolaceCall(SolaceCalloc(n * K, &d2));
  for (int64_t i = 0; i < n; i++) {
    for (int64_t a = 0; a < K; a++) d2[i * K + a] = INFINITY, nb[i * K + a] = -1;
    for (int64_t j = 0; j < n; j++) {
      double d = dist2(p, i, j);
      if (j == i || d >= d2[i * K + K - 1]) continue;
      int64_t a = K - 1;
      for (; a > 0 && d2[i * K + a - 1] > d; a--)
        d2[i * K + a] = d2[i * K + a - 1], nb[i * K + a] = nb[i * K + a - 1];
      d2[i * K + a] = d, nb[i * K + a] = j;
    }
    for (int64_t a = 0; a < K; a++) total += d2[i * K + a];
  }
  double s2 = total / (double)(n * K);
  char *edge; /* dense n x n flags for n <= a few thousand */
  int status = SolaceCalloc(n * n, &edge);
  for (int64_t i = 0; i < n && !status; i++)
    for (int64_t a = 0; a < K; a++) edge[i * n + nb[i * K + a]] = edge[nb[i * K + a] * n + i] = 1;
  for (int64_t i = 0; i < n && !status; i++)
    for (int64_t j = 0; j < n && !status; j++)
      if (edge[i * n + j]) status = coo_push(c, i, j, exp(-dist2(p, i, j) / s2));
  free(nb), free(d2), free(edge);
  return status;
}

/* Datasets D and E: the graph, the labels, the label-propagation objective. */
static int build_graph(int which, uint64_t seed, int64_t size, bcd_objective **obj) {
  int64_t n = which == SOLACE_BCD_DATA_D ? size * size : size, nl = n >= 2000 ? 100 : n / 25 + 1;
  coo c = {n, n, 0, 0, NULL, NULL, NULL};
  double *pts = NULL, *moon = NULL, *values = NULL, *val = NULL;
  int64_t *labelled = NULL, *ptr = NULL, *ind = NULL;
  int status = SolaceCalloc(nl, &labelled);
  if (!status) status = SolaceCalloc(nl, &values);
  if (!status && which == SOLACE_BCD_DATA_E) {
    status = SolaceCalloc(2 * n, &pts);
    if (!status) status = SolaceCalloc(n, &moon);
    if (!status) two_moons(seed, n, pts, moon);
    if (!status) status = knn_graph(n, pts, &c);
  } else if (!status) {
    status = lattice_graph(size, &c);
  }
  if (!status) status = choose_labels(seed, n, nl, labelled, values, moon);
  if (!status) status = coo_to_csr(&c, &ptr, &ind, &val);
  if (!status)
    status = bcd_objective_label_propagation(n, ptr, ind, val, nl, labelled, values, obj);
  coo_free(&c);
  free(pts), free(moon), free(values), free(labelled), free(ptr), free(ind), free(val);
  return status;
}

int bcd_dataset_build(int which, uint64_t seed, int64_t m, int64_t n, bcd_objective **obj,
                      double *lambda, int64_t lattice[2]) {
  SolaceCheck(which >= SOLACE_BCD_DATA_A && which <= SOLACE_BCD_DATA_L1, SOLACE_ERR_ARG,
              "dataset %d is not a solace_bcd_dataset", which);
  SolaceCheck(m >= 0 && n >= 0, SOLACE_ERR_ARG, "negative size m = %lld, n = %lld", (long long)m,
              (long long)n);
  *lambda = 0;
  if (which == SOLACE_BCD_DATA_D || which == SOLACE_BCD_DATA_E) {
    int64_t size = m ? m : (which == SOLACE_BCD_DATA_D ? 50 : 2000);
    SolaceCheck(size >= (which == SOLACE_BCD_DATA_D ? 3 : 20) && size <= 20000, SOLACE_ERR_ARG,
                "graph size %lld is out of range", (long long)size);
    if (which == SOLACE_BCD_DATA_D) lattice[0] = lattice[1] = size;
    return build_graph(which, seed, size, obj);
  }
  int64_t rows = m ? m : 1000, cols = n ? n : (which == SOLACE_BCD_DATA_C ? 1000 : 10000);
  SolaceCheck(rows >= 2 && cols >= 1, SOLACE_ERR_ARG, "dataset of %lld x %lld", (long long)rows,
              (long long)cols);
  if (which == SOLACE_BCD_DATA_L1) *lambda = 50000;
  return build_fit(which, seed, rows, cols, obj);
}
