/* Spectral measures of measure-preserving systems: the moment form with filters (moments of
 * mpEDMD's orthogonal matrix) and the resolvent form with the Poisson kernel (Galerkin solves
 * with K_r); see include/solace/koopman.h. */
#include "solvers/koopman/koopman-impl.h"

#include <cblas.h>
#include <complex.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double PI = 3.14159265358979323846;

/* b (r): the coordinates of the projection of g (M values at the snapshots) onto the dictionary
 * span in the orthonormal basis, b = basis^T PsiX^T W g. */
static int observable_coordinates(solace_koopman k, const double *g, double *b) {
  int64_t m = k->m, n = k->dict.n, r = k->r;
  for (int64_t j = 0; j < m; j++)
    SolaceCheck(isfinite(g[j]), SOLACE_ERR_ARG, "g[%lld] = %g is not finite", (long long)j, g[j]);
  double *psi, *wg, *h;
  SolaceCall(SolaceCalloc(m * n, &psi));
  int status = SolaceCalloc(m, &wg);
  if (!status) status = SolaceCalloc(n, &h);
  if (!status) status = solace_koopman_dict_eval(&k->dict, m, k->x, k->d, NULL, psi, m);
  if (!status) {
    for (int64_t j = 0; j < m; j++) wg[j] = k->w[j] * g[j];
    cblas_dgemv(CblasColMajor, CblasTrans, (int)m, (int)n, 1, psi, (int)m, wg, 1, 0, h, 1);
    cblas_dgemv(CblasColMajor, CblasTrans, (int)n, (int)r, 1, k->basis, (int)n, h, 1, 0, b, 1);
  }
  free(psi), free(wg), free(h);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

static double filter_value(int filter, double x) {
  switch (filter) {
  case SOLACE_KOOPMAN_FILTER_FEJER:
    return 1 - x;
  case SOLACE_KOOPMAN_FILTER_COSINE:
    return 0.5 * (1 + cos(PI * x));
  case SOLACE_KOOPMAN_FILTER_VANDEVEN: /* 1 - 140 (x^4/4 - 3x^5/5 + x^6/2 - x^7/7) */
    return 1 - 140 * pow(x, 4) * (0.25 - 0.6 * x + 0.5 * x * x - x * x * x / 7);
  default:
    return x >= 1 ? 0 : exp(1 - 1 / (1 - x * x));
  }
}

/* The shared argument checks of both forms. */
static int check_measure_args(solace_koopman k, const double *g, int64_t n_theta,
                              const double *theta, const double *density, const char *func) {
  SolaceCall(solace_koopman_check_computed(k, func));
  SolaceCheckNotNull(g);
  SolaceCheckNotNull(theta);
  SolaceCheckNotNull(density);
  SolaceCheck(n_theta >= 1, SOLACE_ERR_ARG, "n_theta = %lld < 1", (long long)n_theta);
  for (int64_t j = 0; j < n_theta; j++)
    SolaceCheck(isfinite(theta[j]), SOLACE_ERR_ARG, "theta[%lld] = %g is not finite", (long long)j,
                theta[j]);
  return SOLACE_SUCCESS;
}

/* c_0..c_n of the orthogonal matrix u (r x r): c_j = b^T u^j b. */
static int moments(int64_t r, const double *u, const double *b, int64_t n, double *c) {
  double *v, *next;
  SolaceCall(SolaceCalloc(r, &v));
  if (SolaceCalloc(r, &next)) return free(v), solace_error_trace(SOLACE_ERR_MEM, __func__);
  memcpy(v, b, sizeof(double) * r);
  for (int64_t j = 0; j <= n; j++) {
    c[j] = cblas_ddot((int)r, b, 1, v, 1);
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int)r, (int)r, 1, u, (int)r, v, 1, 0, next, 1);
    memcpy(v, next, sizeof(double) * r);
  }
  free(v), free(next);
  return SOLACE_SUCCESS;
}

int solace_koopman_measure_moments(solace_koopman koopman, const double *g, int64_t n_moments,
                                   int filter, int64_t n_theta, const double *theta,
                                   double *density) {
  solace_error_clear();
  SolaceCall(check_measure_args(koopman, g, n_theta, theta, density, __func__));
  SolaceCheck(n_moments >= 1, SOLACE_ERR_ARG, "n_moments = %lld < 1", (long long)n_moments);
  SolaceCheck(filter >= SOLACE_KOOPMAN_FILTER_FEJER && filter <= SOLACE_KOOPMAN_FILTER_BUMP,
              SOLACE_ERR_ARG, "filter = %d is not a solace_koopman_filter", filter);
  int64_t r = koopman->r;
  double *u, *b, *c;
  SolaceCall(SolaceCalloc(r * r, &u));
  int status = SolaceCalloc(r, &b);
  if (!status) status = SolaceCalloc(n_moments + 1, &c);
  if (!status) status = observable_coordinates(koopman, g, b);
  if (!status) memcpy(u, koopman->kr, sizeof(double) * r * r);
  if (!status) status = solace_koopman_polar_factor(r, u);
  if (!status) status = moments(r, u, b, n_moments, c);
  for (int64_t j = 0; !status && j < n_theta; j++) {
    double sum = c[0];
    for (int64_t n = 1; n <= n_moments; n++)
      sum += 2 * filter_value(filter, (double)n / n_moments) * c[n] * cos(n * theta[j]);
    density[j] = sum / (2 * PI);
  }
  free(u), free(b), free(c);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* <(K_r - z)^-1 b, b> by zgesv (a: r x r scratch, x: r scratch). */
static int resolvent_form(const double *kr, int64_t r, const double *b, double complex z,
                          double complex *a, double complex *x, lapack_int *piv,
                          double complex *value) {
  for (int64_t i = 0; i < r * r; i++) a[i] = kr[i];
  for (int64_t i = 0; i < r; i++) a[i + i * r] -= z, x[i] = b[i];
  int info = LAPACKE_zgesv(LAPACK_COL_MAJOR, (int)r, 1, a, (int)r, piv, x, (int)r);
  if (info) return solace_error_lapack(info, "zgesv", __func__);
  *value = 0;
  for (int64_t i = 0; i < r; i++) *value += x[i] * b[i];
  return SOLACE_SUCCESS;
}

int solace_koopman_measure_resolvent(solace_koopman koopman, const double *g, double epsilon,
                                     int64_t n_theta, const double *theta, double *density) {
  solace_error_clear();
  SolaceCall(check_measure_args(koopman, g, n_theta, theta, density, __func__));
  SolaceCheck(epsilon > 0 && isfinite(epsilon), SOLACE_ERR_ARG, "epsilon = %g is not positive",
              epsilon);
  int64_t r = koopman->r;
  double *b;
  double complex *a, *x;
  lapack_int *piv;
  SolaceCall(SolaceCalloc(r, &b));
  int status = SolaceCalloc(r * r, &a);
  if (!status) status = SolaceCalloc(r, &x);
  if (!status) status = SolaceCalloc(r, &piv);
  if (!status) status = observable_coordinates(koopman, g, b);
  double c0 = status ? 0 : cblas_ddot((int)r, b, 1, b, 1);
  for (int64_t j = 0; !status && j < n_theta; j++) {
    double complex z = (1 + epsilon) * cexp(I * theta[j]), value = 0;
    status = resolvent_form(koopman->kr, r, b, z, a, x, piv, &value);
    density[j] = -creal(c0 + 2 * z * value) / (2 * PI);
  }
  free(b), free(a), free(x), free(piv);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* One atom of the measure, for sorting by angle. */
typedef struct {
  double theta, weight;
} atom_t;

static int atom_compare(const void *pa, const void *pb) {
  const atom_t *a = pa, *b = pb;
  return (a->theta > b->theta) - (a->theta < b->theta);
}

/* The atoms of the orthogonal matrix u (r x r, overwritten by its real Schur form) seen by b:
 * 1 x 1 blocks give (arg, (z^T b)_j^2), 2 x 2 rotation blocks share their weight equally. */
static int atoms(int64_t r, double *u, const double *b, atom_t *atom) {
  double *wr = NULL, *wi = NULL, *z = NULL, *zb = NULL;
  lapack_int sdim = 0;
  int status = SolaceCalloc(r, &wr);
  if (!status) status = SolaceCalloc(r, &wi);
  if (!status) status = SolaceCalloc(r * r, &z);
  if (!status) status = SolaceCalloc(r, &zb);
  int info = status ? 0
                    : LAPACKE_dgees(LAPACK_COL_MAJOR, 'V', 'N', NULL, (int)r, u, (int)r, &sdim, wr,
                                    wi, z, (int)r);
  if (info) status = solace_error_lapack(info, "dgees", __func__);
  if (!status) cblas_dgemv(CblasColMajor, CblasTrans, (int)r, (int)r, 1, z, (int)r, b, 1, 0, zb, 1);
  for (int64_t j = 0; !status && j < r; j++) {
    atom[j].theta = atan2(wi[j], wr[j]);
    atom[j].weight = zb[j] * zb[j];
    if (wi[j] > 0 && j + 1 < r) { /* the pair j, j + 1 of one 2 x 2 block */
      double w = 0.5 * (zb[j] * zb[j] + zb[j + 1] * zb[j + 1]);
      atom[j + 1] = (atom_t){atan2(wi[j + 1], wr[j + 1]), w};
      atom[j].weight = w, j++;
    }
  }
  free(wr), free(wi), free(z), free(zb);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

int solace_koopman_measure_weights(solace_koopman koopman, const double *g, double *theta,
                                   double *weights) {
  solace_error_clear();
  SolaceCall(solace_koopman_check_computed(koopman, __func__));
  SolaceCheckNotNull(g);
  SolaceCheckNotNull(theta);
  SolaceCheckNotNull(weights);
  int64_t r = koopman->r;
  double *u, *b = NULL;
  atom_t *atom = NULL;
  SolaceCall(SolaceCalloc(r * r, &u));
  int status = SolaceCalloc(r, &b);
  if (!status) status = SolaceCalloc(r, &atom);
  if (!status) status = observable_coordinates(koopman, g, b);
  if (!status) memcpy(u, koopman->kr, sizeof(double) * r * r);
  if (!status) status = solace_koopman_polar_factor(r, u);
  if (!status) status = atoms(r, u, b, atom);
  if (!status) qsort(atom, (size_t)r, sizeof *atom, atom_compare);
  for (int64_t j = 0; !status && j < r; j++) theta[j] = atom[j].theta, weights[j] = atom[j].weight;
  free(u), free(b), free(atom);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}
