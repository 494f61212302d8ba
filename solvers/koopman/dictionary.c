/* Koopman dictionaries: products of 1-D families (monomials, Legendre, Hermite
 * functions, Fourier) under total-degree, tensor or hyperbolic-cross truncation, and Gaussian
 * RBFs with k-means centres. */
#include "solvers/koopman/koopman-impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Degree of 1-D function index n of a family (Fourier: index 2k-1, 2k are cos,
 * sin of degree k). */
static int64_t family_degree(int64_t kind, int64_t n) {
  return kind == SOLACE_KOOPMAN_DICT_FOURIER ? (n + 1) / 2 : n;
}

/* Fourier values v = 1, cos u, sin u, cos 2u, sin 2u, ... (nmax + 1 of them). cos(n u), sin(n u)
 * come from libm at n = 1, 17, 33, ... and in between by the angle-addition rotation by u: 16
 * times fewer sincos calls at the same accuracy (largest error 2.3e-13 for n <= 500, u in
 * [0, 2 pi), against long-double cos(n u) of the same u, as for libm's cos(n u), whose argument n u
 * is rounded). */
static void fourier_eval(double u, int64_t nmax, double *v) {
  double c1 = cos(u), s1 = sin(u), c = 1, s = 0;
  v[0] = 1;
  for (int64_t n = 1; 2 * n - 1 <= nmax; n++) {
    if ((n - 1) % 16 == 0) {
      c = cos(n * u), s = sin(n * u);
    } else {
      double cn = c * c1 - s * s1;
      s = s * c1 + c * s1, c = cn;
    }
    v[2 * n - 1] = c;
    if (2 * n <= nmax) v[2 * n] = s;
  }
}

/* Values v[0..nmax] of the 1-D family `kind` at u. */
static void family_eval(int64_t kind, double u, int64_t nmax, double *v) {
  switch (kind) {
  case SOLACE_KOOPMAN_DICT_MONOMIAL:
    v[0] = 1;
    for (int64_t n = 1; n <= nmax; n++) v[n] = v[n - 1] * u;
    break;
  case SOLACE_KOOPMAN_DICT_LEGENDRE: { /* P_n by the three-term recurrence,
                                          times sqrt(n + 1/2) */
    double p0 = 1, p1 = u;
    v[0] = sqrt(0.5);
    if (nmax >= 1) v[1] = sqrt(1.5) * u;
    for (int64_t n = 1; n < nmax; n++) {
      double p2 = ((2.0 * n + 1) * u * p1 - n * p0) / (n + 1.0);
      p0 = p1, p1 = p2;
      v[n + 1] = sqrt(n + 1.5) * p2;
    }
    break;
  }
  case SOLACE_KOOPMAN_DICT_HERMITE: /* orthonormal Hermite functions by their
                                       stable recurrence */
    v[0] = 0.75112554446494248286 /* pi^(-1/4) */ * exp(-0.5 * u * u);
    if (nmax >= 1) v[1] = sqrt(2.0) * u * v[0];
    for (int64_t n = 1; n < nmax; n++)
      v[n + 1] = sqrt(2.0 / (n + 1.0)) * u * v[n] - sqrt(n / (n + 1.0)) * v[n - 1];
    break;
  default: /* Fourier */
    fourier_eval(u, nmax, v);
    break;
  }
}

void solace_koopman_dict_free(solace_koopman_dict_t *dict) {
  free(dict->kinds), free(dict->index_max), free(dict->multi);
  free(dict->shift), free(dict->scale), free(dict->centres);
  memset(dict, 0, sizeof *dict);
}

enum { MAX_FUNCTIONS = 1000000 }; /* the largest product dictionary */

/* The depth-first enumeration of the admissible multi-indices. */
typedef struct {
  const solace_koopman_dict_t *dict;
  int truncation;
  int64_t degree, *idx, *keep, *total, n, cap; /* keep: d x cap; total: degree of each */
} multi_enum;

/* Whether partial degrees (sum, max, prod of 1 + degree) satisfy the truncation; each only grows
 * as coordinates are added, so a failing prefix fails for every completion. */
static int admissible(const multi_enum *e, int64_t sum, int64_t max, int64_t prod) {
  if (e->truncation == SOLACE_KOOPMAN_TENSOR) return max <= e->degree;
  if (e->truncation == SOLACE_KOOPMAN_HYPERBOLIC) return prod <= e->degree + 1;
  return sum <= e->degree;
}

/* Appends the current multi-index (total degree sum), growing the arrays. */
static int append(multi_enum *e, int64_t sum) {
  int64_t d = e->dict->d;
  SolaceCheck(e->n < MAX_FUNCTIONS, SOLACE_ERR_ARG,
              "degree %lld in %lld dimensions gives more than %d functions", (long long)e->degree,
              (long long)d, MAX_FUNCTIONS);
  if (e->n == e->cap) {
    int64_t cap = e->cap ? 2 * e->cap : 64, *keep, *total;
    keep = realloc(e->keep, sizeof(int64_t) * (size_t)(cap * d));
    if (keep) e->keep = keep;
    total = keep ? realloc(e->total, sizeof(int64_t) * (size_t)cap) : NULL;
    if (total) e->total = total;
    SolaceCheck(keep && total, SOLACE_ERR_MEM, "no memory for %lld multi-indices", (long long)cap);
    e->cap = cap;
  }
  memcpy(e->keep + d * e->n, e->idx, sizeof(int64_t) * (size_t)d);
  e->total[e->n++] = sum;
  return SOLACE_SUCCESS;
}

/* Enumerates coordinates i.. of the multi-index in lexicographic order (last fastest). */
static int enumerate(multi_enum *e, int64_t i, int64_t sum, int64_t max, int64_t prod) {
  const solace_koopman_dict_t *dict = e->dict;
  if (i == dict->d) return append(e, sum);
  for (int64_t n = 0; n <= dict->index_max[i]; n++) {
    int64_t di = family_degree(dict->kinds[i], n);             /* non-decreasing in n */
    int64_t p = prod > e->degree + 1 ? prod : prod * (1 + di); /* capped: no overflow */
    if (!admissible(e, sum + di, di > max ? di : max, p)) break;
    e->idx[i] = n;
    SolaceCall(enumerate(e, i + 1, sum + di, di > max ? di : max, p));
  }
  e->idx[i] = 0;
  return SOLACE_SUCCESS;
}

/* Orders the multi-indices by total degree, lexicographic order kept within a degree
 * (counting sort). */
static int order_by_degree(multi_enum *e, int64_t **multi) {
  int64_t d = e->dict->d, top = 0, *start, *out;
  for (int64_t j = 0; j < e->n; j++) top = e->total[j] > top ? e->total[j] : top;
  SolaceCall(SolaceCalloc(top + 2, &start));
  int status = SolaceCalloc(e->n * d, &out);
  if (status) return free(start), solace_error_trace(status, __func__);
  for (int64_t j = 0; j < e->n; j++) start[e->total[j] + 1]++;
  for (int64_t t = 1; t <= top + 1; t++) start[t] += start[t - 1];
  for (int64_t j = 0; j < e->n; j++)
    memcpy(out + d * start[e->total[j]]++, e->keep + d * j, sizeof(int64_t) * (size_t)d);
  free(start);
  *multi = out;
  return SOLACE_SUCCESS;
}

/* Multi-indices of the product dictionary, ordered by total degree then lexicographically (last
 * coordinate fastest): a pruned depth-first enumeration, so the cost follows the size of the
 * truncated set, not of the tensor grid of candidates. */
static int product_setup(solace_koopman k, solace_koopman_dict_t *dict) {
  int64_t d = dict->d;
  for (int64_t i = 0; i < d; i++)
    dict->index_max[i] = dict->kinds[i] == SOLACE_KOOPMAN_DICT_FOURIER ? 2 * k->degree : k->degree;
  multi_enum e = {dict, k->truncation, k->degree, NULL, NULL, NULL, 0, 0};
  int status = SolaceCalloc(d, &e.idx);
  if (!status) status = enumerate(&e, 0, 0, 0, 1);
  if (!status) status = order_by_degree(&e, &dict->multi);
  if (!status) dict->n = e.n;
  free(e.idx), free(e.keep), free(e.total);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* Squared distance between two points of dimension d. */
static double dist2(const double *a, const double *b, int64_t d) {
  double s = 0;
  for (int64_t i = 0; i < d; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
  return s;
}

/* Next value of a splitmix64 stream. */
static uint64_t splitmix64(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* k-means++ seeding (fixed splitmix64 seed) of n centres c among the m columns
 * of x. */
static void kmeans_seed(const double *x, int64_t d, int64_t m, int64_t n, double *c, double *near) {
  uint64_t s = 20240601;
  memcpy(c, x, sizeof(double) * d); /* first centre: the first snapshot */
  for (int64_t j = 0; j < m; j++) near[j] = dist2(x + j * d, c, d);
  for (int64_t a = 1; a < n; a++) {
    double sum = 0;
    for (int64_t j = 0; j < m; j++) sum += near[j];
    double target = (double)(splitmix64(&s) >> 11) * 0x1.0p-53 * sum;
    int64_t pick = m - 1;
    for (int64_t j = 0; j < m; j++)
      if ((target -= near[j]) < 0) {
        pick = j;
        break;
      }
    memcpy(c + a * d, x + pick * d, sizeof(double) * d);
    for (int64_t j = 0; j < m; j++) near[j] = fmin(near[j], dist2(x + j * d, c + a * d, d));
  }
}

/* k-means of the m columns of x into n centres c (seeding, then 50 Lloyd
 * iterations); width = mean distance from a column to its nearest centre. */
static int kmeans(const double *x, int64_t d, int64_t m, int64_t n, double *c, double *width) {
  double *near = NULL;
  int64_t *label = NULL, *count = NULL;
  int status = SolaceCalloc(m, &near);
  if (!status) status = SolaceCalloc(m, &label);
  if (!status) status = SolaceCalloc(n, &count);
  if (status) return free(near), free(label), free(count), solace_error_trace(status, __func__);
  kmeans_seed(x, d, m, n, c, near);
  for (int iter = 0; iter <= 50; iter++) {
    for (int64_t j = 0; j < m; j++) {
      double best = INFINITY;
      for (int64_t a = 0; a < n; a++) {
        double dd = dist2(x + j * d, c + a * d, d);
        if (dd < best) best = dd, label[j] = a;
      }
      near[j] = best;
    }
    if (iter == 50) break; /* the last pass only measures the distances */
    memset(count, 0, sizeof(int64_t) * n);
    for (int64_t j = 0; j < m; j++) count[label[j]]++;
    for (int64_t a = 0; a < n; a++)
      if (count[a]) memset(c + a * d, 0, sizeof(double) * d);
    for (int64_t j = 0; j < m; j++)
      for (int64_t i = 0; i < d; i++) c[label[j] * d + i] += x[j * d + i] / count[label[j]];
  }
  double mean = 0;
  for (int64_t j = 0; j < m; j++) mean += sqrt(near[j]) / m;
  *width = mean > 0 ? mean : 1;
  free(near), free(label), free(count);
  return SOLACE_SUCCESS;
}

/* The scaling of coordinate i: the user's, else Legendre's bounding box, else
 * the identity. */
static void coordinate_scaling(solace_koopman k, solace_koopman_dict_t *dict, int64_t i) {
  int64_t d = k->d;
  if (k->n_scaling) {
    dict->shift[i] = k->shift[i], dict->scale[i] = k->scale[i];
  } else if (dict->kinds[i] == SOLACE_KOOPMAN_DICT_LEGENDRE) { /* bounding box -> [-1, 1] */
    double lo = INFINITY, hi = -INFINITY;
    for (int64_t j = 0; j < k->m; j++) {
      lo = fmin(lo, fmin(k->x[j * d + i], k->y[j * d + i]));
      hi = fmax(hi, fmax(k->x[j * d + i], k->y[j * d + i]));
    }
    dict->shift[i] = 0.5 * (lo + hi), dict->scale[i] = hi > lo ? 0.5 * (hi - lo) : 1;
  } else {
    dict->shift[i] = 0, dict->scale[i] = 1;
  }
}

int solace_koopman_dict_setup(solace_koopman k, solace_koopman_dict_t *dict) {
  int64_t d = k->d;
  solace_koopman_dict_free(dict);
  dict->d = d;
  if (k->fn) {
    SolaceCheck(!k->kdict || k->kdict->d == d, SOLACE_ERR_ARG,
                "the kernel dictionary was learned in dimension %lld, the data have dimension %lld",
                (long long)(k->kdict ? k->kdict->d : 0), (long long)d);
    dict->fn = k->fn, dict->ctx = k->fn_ctx, dict->n = k->fn_n;
    return SOLACE_SUCCESS;
  }
  if (k->kind == SOLACE_KOOPMAN_DICT_RBF) {
    SolaceCheck(k->degree <= k->m, SOLACE_ERR_ARG, "%lld RBF centres but only %lld snapshots",
                (long long)k->degree, (long long)k->m);
    dict->rbf = 1, dict->n = k->degree;
    SolaceCall(SolaceCalloc(d * dict->n, &dict->centres));
    SolaceCall(kmeans(k->x, d, k->m, dict->n, dict->centres, &dict->width));
    return SOLACE_SUCCESS;
  }
  SolaceCheck(!k->n_kinds || k->n_kinds == d, SOLACE_ERR_ARG,
              "%lld dictionary kinds set for data of dimension %lld", (long long)k->n_kinds,
              (long long)d);
  SolaceCheck(!k->n_scaling || k->n_scaling == d, SOLACE_ERR_ARG,
              "scaling of dimension %lld set for data of dimension %lld", (long long)k->n_scaling,
              (long long)d);
  SolaceCall(SolaceCalloc(d, &dict->kinds));
  SolaceCall(SolaceCalloc(d, &dict->index_max));
  SolaceCall(SolaceCalloc(d, &dict->shift));
  SolaceCall(SolaceCalloc(d, &dict->scale));
  for (int64_t i = 0; i < d; i++) {
    dict->kinds[i] = k->n_kinds ? k->kinds[i] : k->kind;
    coordinate_scaling(k, dict, i);
  }
  SolaceCall(product_setup(k, dict));
  return SOLACE_SUCCESS;
}

/* Product dictionary at one point: psi[k * ldpsi] for k = 0..n-1, times
 * `scale`. */
static void product_point(const solace_koopman_dict_t *dict, const double *x, double scale,
                          double *v, int64_t stride, double *psi, int64_t ldpsi) {
  for (int64_t i = 0; i < dict->d; i++)
    family_eval(dict->kinds[i], (x[i] - dict->shift[i]) / dict->scale[i], dict->index_max[i],
                v + i * stride);
  for (int64_t k = 0; k < dict->n; k++) {
    double p = scale;
    for (int64_t i = 0; i < dict->d; i++) p *= v[i * stride + dict->multi[k * dict->d + i]];
    psi[k * ldpsi] = p;
  }
}

/* The user dictionary at m points (data rows first..first + m - 1, for the messages), checked
 * finite and scaled by rows. */
static int user_eval(const solace_koopman_dict_t *dict, int64_t first, int64_t m, const double *x,
                     int64_t ldx, const double *row_scale, double *psi, int64_t ldpsi) {
  int rc = dict->fn(m, dict->d, x, ldx, dict->n, psi, ldpsi, dict->ctx);
  SolaceCheck(!rc, SOLACE_ERR_ARG, "the dictionary callback failed (returned %d) on %lld points",
              rc, (long long)m);
  for (int64_t k = 0; k < dict->n; k++)
    for (int64_t j = 0; j < m; j++) {
      double *v = psi + j + k * ldpsi;
      SolaceCheck(isfinite(*v), SOLACE_ERR_ARG,
                  "the dictionary callback gave psi(%lld, %lld) = %g, not finite",
                  (long long)(first + j), (long long)k, *v);
      if (row_scale) *v *= row_scale[j];
    }
  return SOLACE_SUCCESS;
}

int solace_koopman_dict_eval(const solace_koopman_dict_t *dict, int64_t m, const double *x,
                             int64_t ldx, const double *row_scale, double *psi, int64_t ldpsi) {
  return solace_koopman_dict_eval_rows(dict, 0, m, x, ldx, row_scale, psi, ldpsi);
}

/* The user dictionary into psi with point j, function k at psi[j * rs + k * cs], through an m x n
 * scratch matrix. */
static int user_eval_strided(const solace_koopman_dict_t *dict, int64_t first, int64_t m,
                             const double *x, int64_t ldx, const double *row_scale, double *psi,
                             int64_t rs, int64_t cs) {
  double *tmp;
  SolaceCall(SolaceCalloc(m * dict->n, &tmp));
  int status = user_eval(dict, first, m, x, ldx, row_scale, tmp, m);
  for (int64_t k = 0; !status && k < dict->n; k++)
    for (int64_t j = 0; j < m; j++) psi[j * rs + k * cs] = tmp[j + k * m];
  free(tmp);
  return status;
}

/* The dictionary at m points into psi with point j, function k at psi[j * rs + k * cs], row j
 * scaled by row_scale[j] when row_scale is not NULL. */
static int eval_strided(const solace_koopman_dict_t *dict, int64_t first, int64_t m,
                        const double *x, int64_t ldx, const double *row_scale, double *psi,
                        int64_t rs, int64_t cs) {
  int64_t d = dict->d;
  if (dict->fn && rs == 1) return user_eval(dict, first, m, x, ldx, row_scale, psi, cs);
  if (dict->fn) return user_eval_strided(dict, first, m, x, ldx, row_scale, psi, rs, cs);
  if (dict->rbf) {
    double s2 = dict->width * dict->width;
    for (int64_t j = 0; j < m; j++) {
      double scale = row_scale ? row_scale[j] : 1;
      for (int64_t a = 0; a < dict->n; a++)
        psi[j * rs + a * cs] = scale * exp(-dist2(x + j * ldx, dict->centres + a * d, d) / s2);
    }
    return SOLACE_SUCCESS;
  }
  int64_t stride = 0;
  for (int64_t i = 0; i < d; i++)
    stride = dict->index_max[i] + 1 > stride ? dict->index_max[i] + 1 : stride;
  double *v;
  SolaceCall(SolaceCalloc(stride * d, &v));
  for (int64_t j = 0; j < m; j++)
    product_point(dict, x + j * ldx, row_scale ? row_scale[j] : 1, v, stride, psi + j * rs, cs);
  free(v);
  return SOLACE_SUCCESS;
}

int solace_koopman_dict_eval_rows(const solace_koopman_dict_t *dict, int64_t first, int64_t m,
                                  const double *x, int64_t ldx, const double *row_scale,
                                  double *psi, int64_t ldpsi) {
  return eval_strided(dict, first, m, x, ldx, row_scale, psi, 1, ldpsi);
}

int solace_koopman_dict_eval_points(const solace_koopman_dict_t *dict, int64_t first, int64_t m,
                                    const double *x, int64_t ldx, const double *row_scale,
                                    double *psi, int64_t ldpsi) {
  return eval_strided(dict, first, m, x, ldx, row_scale, psi, ldpsi, 1);
}
