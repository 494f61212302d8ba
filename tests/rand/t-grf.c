/* Gaussian random fields against the covariance they claim, C = sigma^2 (-Lap + tau^2)^(-alpha)
 * on the periodic unit cube, sigma = tau^(alpha - ndim/2): lambda_k = sigma^2 (4 pi^2 |k|^2 +
 * tau^2)^(-alpha), constant mode removed. One case per run (first argument):
 *  - moments: zero spatial mean (to rounding), pointwise ensemble mean 0, E[u^2] = sum lambda_k;
 *  - spectrum: E|u^_k|^2 = lambda_k in radial shells, log-log slope, solace_grf_eigenvalue;
 *  - axes: power per |k_x|, |k_y|, |k_z| on 32x16, 64 and 8x6x4 grids (a transposed or
 *    mis-strided axis puts the wrong lambda on an axis and fails);
 *  - definition: DFT(u)_k = sqrt(N lambda_k) DFT(w)_k, w the documented white noise (exact);
 *  - reproducible: same (seed, index) -> same bits, in any order and from any object;
 *  - args: invalid arguments -> SOLACE_ERR_ARG with a message.
 * u^_k = (1/N) sum_j u_j e^{-2 pi i k.x_j} is computed here with FFTW's complex DFT. The sampler's
 * values are a pure function of the fixed seeds, so every statistical check is deterministic. */
#include "test-util.h"

#include <fftw3.h>
#include <stdint.h>
#include <string.h>

#define FOUR_PI_SQ 39.478417604357434 /* 4 pi^2 */

enum { NSAMPLES = 400 };

/* A grid and covariance under test; n[] pads unused axes with 1. */
struct setup {
  int ndim;
  int64_t n[3];
  double alpha, tau;
};

/* Ensemble statistics accumulated over NSAMPLES samples. */
struct stats {
  int64_t npoints;
  double *power;             /* sum over samples of |u^_k|^2, full spectrum, x fastest */
  double *pointwise_sum;     /* sum over samples of u_j */
  double point_sq[2];        /* sum over samples of u_j^2 at j = 0 and j = npoints / 2 */
  double mean_sq;            /* sum over samples of (1/N) sum_j u_j^2 */
  double worst_spatial_mean; /* max over samples of |(1/N) sum_j u_j| */
};

/* Number of grid points. */
static int64_t npoints_of(const struct setup *s) {
  return s->n[0] * s->n[1] * s->n[2];
}

/* Wavenumbers of full-spectrum index m (x fastest), frequencies above n/2 taken negative. */
static void wavenumbers(const struct setup *s, int64_t m, int64_t k[3]) {
  for (int d = 0; d < 3; d++) {
    int64_t j = m % s->n[d];
    m /= s->n[d];
    k[d] = 2 * j > s->n[d] ? j - s->n[d] : j;
  }
}

/* The covariance eigenvalue, straight from the definition (0 for the removed constant mode). */
static double lambda_of(const struct setup *s, const int64_t k[3]) {
  double k2 = (double)(k[0] * k[0] + k[1] * k[1] + k[2] * k[2]);
  if (k2 == 0) return 0.0;
  return pow(s->tau, 2 * s->alpha - s->ndim) * pow(FOUR_PI_SQ * k2 + s->tau * s->tau, -s->alpha);
}

/* Sum of lambda_k over the grid's wavenumbers: the field's pointwise variance. */
static double total_variance(const struct setup *s) {
  double total = 0.0;
  int64_t k[3];
  for (int64_t m = 0; m < npoints_of(s); m++) {
    wavenumbers(s, m, k);
    total += lambda_of(s, k);
  }
  return total;
}

/* Plans the in-place forward complex DFT of buf on the setup's grid (FFTW dims slowest first). */
static fftw_plan plan_dft(const struct setup *s, fftw_complex *buf) {
  int dims[3];
  for (int d = 0; d < s->ndim; d++) dims[d] = (int)s->n[s->ndim - 1 - d];
  return fftw_plan_dft(s->ndim, dims, buf, buf, FFTW_FORWARD, FFTW_ESTIMATE);
}

/* Loads the real array u into buf and transforms it: buf_k = sum_j u_j e^{-2 pi i k.x_j}. */
static void dft_real(fftw_plan plan, fftw_complex *buf, const double *u, int64_t n) {
  for (int64_t j = 0; j < n; j++) {
    buf[j][0] = u[j];
    buf[j][1] = 0.0;
  }
  fftw_execute(plan);
}

/* Adds one sample's pointwise and spectral statistics. */
static void add_sample(struct stats *st, const double *u, fftw_plan plan, fftw_complex *buf) {
  double sum = 0.0, sq = 0.0, n = (double)st->npoints;
  for (int64_t j = 0; j < st->npoints; j++) {
    sum += u[j];
    sq += u[j] * u[j];
    st->pointwise_sum[j] += u[j];
  }
  st->worst_spatial_mean = fmax(st->worst_spatial_mean, fabs(sum / n));
  st->mean_sq += sq / n;
  st->point_sq[0] += u[0] * u[0];
  st->point_sq[1] += u[st->npoints / 2] * u[st->npoints / 2];
  dft_real(plan, buf, u, st->npoints);
  for (int64_t j = 0; j < st->npoints; j++)
    st->power[j] += (buf[j][0] * buf[j][0] + buf[j][1] * buf[j][1]) / (n * n);
}

/* Draws NSAMPLES fields (seed, index 0..NSAMPLES-1) and accumulates their statistics. */
static int sample_stats(const struct setup *s, uint64_t seed, struct stats *st) {
  st->npoints = npoints_of(s);
  st->power = calloc((size_t)st->npoints, sizeof(double));
  st->pointwise_sum = calloc((size_t)st->npoints, sizeof(double));
  double *u = malloc(sizeof(double) * (size_t)st->npoints);
  fftw_complex *buf = fftw_malloc(sizeof(fftw_complex) * (size_t)st->npoints);
  if (!st->power || !st->pointwise_sum || !u || !buf) return 1;
  fftw_plan plan = plan_dft(s, buf);
  solace_grf grf;
  TEST_CALL(solace_grf_create(s->ndim, s->n, s->alpha, s->tau, &grf));
  for (uint64_t i = 0; i < NSAMPLES; i++) {
    TEST_CALL(solace_grf_sample(grf, seed, i, u));
    add_sample(st, u, plan, buf);
  }
  TEST_CALL(solace_grf_destroy(&grf));
  fftw_destroy_plan(plan);
  fftw_free(buf);
  free(u);
  return 0;
}

/* Frees the accumulators of sample_stats. */
static void free_stats(struct stats *st) {
  free(st->power);
  free(st->pointwise_sum);
}

/* Per-group sums over full-spectrum modes: power P, sum lambda L, sum lambda^2 Q, |k| K, count. */
struct group {
  double power, lambda, lambda_sq, kabs;
  int64_t count;
};

/* Sums the modes into groups; group_of returns a group index or -1 (mode left out). */
static void sum_groups(const struct setup *s, const struct stats *st,
                       int (*group_of)(const int64_t k[3], int axis), int axis, struct group *g,
                       int ngroups) {
  memset(g, 0, sizeof(struct group) * (size_t)ngroups);
  int64_t k[3];
  for (int64_t m = 0; m < st->npoints; m++) {
    wavenumbers(s, m, k);
    int id = group_of(k, axis);
    if (id < 0 || id >= ngroups) continue;
    double lambda = lambda_of(s, k);
    g[id].power += st->power[m] / NSAMPLES;
    g[id].lambda += lambda;
    g[id].lambda_sq += lambda * lambda;
    g[id].kabs += sqrt((double)(k[0] * k[0] + k[1] * k[1] + k[2] * k[2]));
    g[id].count++;
  }
}

/* Checks power / lambda = 1 within 5 SE per group. For one sample, the power summed over a set of
 * modes closed under k -> -k has variance 2 sum lambda_k^2 (a pair k, -k carries 2 lambda E with
 * E ~ Exp(1); a real self-conjugate mode lambda chi^2_1), so SE = sqrt(2 Q / M) / L. */
static void check_groups(const struct group *g, int ngroups, const char *what) {
  for (int id = 0; id < ngroups; id++) {
    if (g[id].lambda == 0.0) {
      TEST_ASSERT(g[id].power < 1e-28, "%s group %d: power %.3g where lambda = 0", what, id,
                  g[id].power);
      continue;
    }
    double ratio = g[id].power / g[id].lambda;
    double se = sqrt(2.0 * g[id].lambda_sq / NSAMPLES) / g[id].lambda;
    TEST_ASSERT(fabs(ratio - 1.0) <= 5 * se, "%s group %d: power/lambda = %.5f, 5 SE = %.4f", what,
                id, ratio, 5 * se);
  }
}

/* Radial shell round(|k|). */
static int shell_of(const int64_t k[3], int axis) {
  (void)axis;
  return (int)lround(sqrt((double)(k[0] * k[0] + k[1] * k[1] + k[2] * k[2])));
}

/* |k| along one axis. */
static int axis_of(const int64_t k[3], int axis) {
  return (int)llabs(k[axis]);
}

/* The 64x64, alpha 2.5, tau 7 setup (SKR's Darcy covariance). */
static const struct setup darcy = {2, {64, 64, 1}, 2.5, 7.0};

/* Zero mean and variance sum lambda_k. Spatial mean: removed exactly, so only rounding remains
 * (1e-12 of the std). Pointwise ensemble mean at 4096 points: each N(0, V/M); max within 6 SE
 * (Bonferroni: 4096 x P(|Z| > 6) = 8e-6). Spatial mean of u^2: by Parseval its per-sample variance
 * is 2 sum lambda^2, so 5 SE = 5 sqrt(2 sum lambda^2 / M). At one point u_j^2 / V ~ chi^2_1: 5 SE =
 * 5 sqrt(2 / M) V. */
static int test_moments(void) {
  struct stats st = {0};
  if (sample_stats(&darcy, 11, &st)) return 1;
  double v = total_variance(&darcy), std = sqrt(v), worst = 0.0;
  TEST_ASSERT(st.worst_spatial_mean <= 1e-12 * std, "spatial mean %.3g, std %.3g",
              st.worst_spatial_mean, std);
  for (int64_t j = 0; j < st.npoints; j++)
    worst = fmax(worst, fabs(st.pointwise_sum[j] / NSAMPLES));
  TEST_ASSERT(worst <= 6 * std / sqrt(NSAMPLES), "pointwise mean %.4g, 6 SE %.4g", worst,
              6 * std / sqrt(NSAMPLES));
  double q = 0.0;
  int64_t k[3];
  for (int64_t m = 0; m < st.npoints; m++) {
    wavenumbers(&darcy, m, k);
    q += pow(lambda_of(&darcy, k), 2);
  }
  TEST_NEAR(st.mean_sq / NSAMPLES, v, 5 * sqrt(2 * q / NSAMPLES));
  for (int p = 0; p < 2; p++) TEST_NEAR(st.point_sq[p] / NSAMPLES, v, 5 * sqrt(2.0 / NSAMPLES) * v);
  free_stats(&st);
  return 0;
}

/* Least-squares slope of y against x over groups [lo, hi]. */
static double fit_slope(const struct group *g, int lo, int hi, int use_power) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0, n = hi - lo + 1;
  for (int id = lo; id <= hi; id++) {
    double x = log(g[id].kabs / g[id].count);
    double y = log((use_power ? g[id].power : g[id].lambda) / g[id].count);
    sx += x, sy += y, sxx += x * x, sxy += x * y;
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

/* Checks solace_grf_eigenvalue against the definition (relative 1e-13: it works in logarithms). */
static int check_eigenvalues(const struct setup *s) {
  solace_grf grf;
  TEST_CALL(solace_grf_create(s->ndim, s->n, s->alpha, s->tau, &grf));
  const int64_t ks[4][3] = {{0, 0, 0}, {1, 0, 0}, {-3, 4, 0}, {100, -7, 0}};
  for (int i = 0; i < 4; i++) {
    double lambda, expected = lambda_of(s, ks[i]);
    TEST_CALL(solace_grf_eigenvalue(grf, ks[i], &lambda));
    TEST_NEAR(lambda, expected, 1e-13 * expected);
  }
  TEST_CALL(solace_grf_destroy(&grf));
  return 0;
}

/* Shell power ratios (5 SE each) and the log-log slope over shells 8..24. There 4 pi^2 |k|^2 >=
 * 2527 >> tau^2 = 49, so the model's local slope is between -2 alpha and -2 alpha (1 - 49/2576)
 * = -4.905; the fitted model slope must lie in that band (+-0.01 for shell averaging) and the
 * fitted empirical slope within 0.05 of it (its statistical error is ~0.002: shell powers have
 * relative SE <= 1.5% over a log|k| range of 1.1). */
static int test_spectrum(void) {
  enum { NSHELLS = 32 };
  struct stats st = {0};
  struct group g[NSHELLS];
  if (sample_stats(&darcy, 12, &st)) return 1;
  sum_groups(&darcy, &st, shell_of, 0, g, NSHELLS);
  check_groups(g, NSHELLS, "shell");
  double model = fit_slope(g, 8, 24, 0), empirical = fit_slope(g, 8, 24, 1);
  double a2 = 2 * darcy.alpha, tau2 = darcy.tau * darcy.tau;
  TEST_ASSERT(model >= -a2 - 0.01 && model <= -a2 * (1 - tau2 / (FOUR_PI_SQ * 64 + tau2)) + 0.01,
              "model slope %.4f", model);
  TEST_NEAR(empirical, model, 0.05);
  free_stats(&st);
  return check_eigenvalues(&darcy);
}

/* Power per |k_d| along every axis of non-cubic grids in 1, 2 and 3 dimensions (5 SE per group). */
static int test_axes(void) {
  const struct setup setups[3] = {
      {2, {32, 16, 1}, 2.0, 3.0}, {1, {64, 1, 1}, 1.0, 5.0}, {3, {8, 6, 4}, 2.0, 2.0}};
  for (int c = 0; c < 3; c++) {
    struct stats st = {0};
    if (sample_stats(&setups[c], 13 + c, &st)) return 1;
    for (int axis = 0; axis < setups[c].ndim; axis++) {
      struct group g[33];
      char what[64];
      snprintf(what, sizeof what, "%d-D case, axis %d", setups[c].ndim, axis);
      sum_groups(&setups[c], &st, axis_of, axis, g, 33);
      check_groups(g, (int)setups[c].n[axis] / 2 + 1, what);
    }
    free_stats(&st);
  }
  return 0;
}

/* Checks field (seed, index) against the documented construction, coefficient by coefficient:
 * u_j = sum_k sqrt(lambda_k / N) DFT(w)_k e^{2 pi i k.x_j}, i.e. DFT(u)_k = sqrt(N lambda_k)
 * DFT(w)_k, with w = solace_rand_normal(seed, stream = index, offset 0, N). Only rounding separates
 * the two (FFTs of a few hundred points): 1e-12 of ||DFT(u)||_2. */
static int check_definition(const struct setup *s, uint64_t seed, uint64_t index) {
  int64_t n = npoints_of(s), k[3];
  double *u = malloc(sizeof(double) * (size_t)n), *w = malloc(sizeof(double) * (size_t)n);
  fftw_complex *uk = fftw_malloc(sizeof(fftw_complex) * (size_t)n),
               *wk = fftw_malloc(sizeof(fftw_complex) * (size_t)n);
  if (!u || !w || !uk || !wk) return 1;
  fftw_plan pu = plan_dft(s, uk), pw = plan_dft(s, wk);
  solace_grf grf;
  TEST_CALL(solace_grf_create(s->ndim, s->n, s->alpha, s->tau, &grf));
  TEST_CALL(solace_grf_sample(grf, seed, index, u));
  TEST_CALL(solace_grf_destroy(&grf));
  TEST_CALL(solace_rand_normal(seed, index, 0, n, w));
  dft_real(pu, uk, u, n);
  dft_real(pw, wk, w, n);
  double norm = 0.0, worst = 0.0;
  for (int64_t m = 0; m < n; m++) norm += uk[m][0] * uk[m][0] + uk[m][1] * uk[m][1];
  for (int64_t m = 0; m < n; m++) {
    wavenumbers(s, m, k);
    double c = sqrt(lambda_of(s, k) * (double)n);
    worst = fmax(worst, hypot(uk[m][0] - c * wk[m][0], uk[m][1] - c * wk[m][1]));
  }
  TEST_ASSERT(worst <= 1e-12 * sqrt(norm), "%d-D %lldx%lldx%lld: max deviation %.3g, ||U|| %.3g",
              s->ndim, (long long)s->n[0], (long long)s->n[1], (long long)s->n[2], worst,
              sqrt(norm));
  fftw_destroy_plan(pu);
  fftw_destroy_plan(pw);
  fftw_free(uk);
  fftw_free(wk);
  free(u);
  free(w);
  return 0;
}

/* The construction, exactly, on odd and even, non-cubic grids in 1, 2 and 3 dimensions. */
static int test_definition(void) {
  const struct setup setups[3] = {
      {1, {7, 1, 1}, 1.5, 2.0}, {2, {5, 8, 1}, 2.5, 7.0}, {3, {6, 5, 4}, 2.0, 3.0}};
  for (int c = 0; c < 3; c++)
    if (check_definition(&setups[c], 77, 1000 + (uint64_t)c)) return 1;
  return 0;
}

/* Draws fields (seed, index[0]) and (seed, index[1]) in that order from a fresh sampler. */
static int draw_two(uint64_t seed, const uint64_t index[2], double *a, double *b) {
  const int64_t shape[2] = {64, 48};
  solace_grf grf;
  TEST_CALL(solace_grf_create(2, shape, 2.5, 7.0, &grf));
  TEST_CALL(solace_grf_sample(grf, seed, index[0], a));
  TEST_CALL(solace_grf_sample(grf, seed, index[1], b));
  TEST_CALL(solace_grf_destroy(&grf));
  TEST_ASSERT(grf == NULL, "destroy left the handle set");
  return 0;
}

/* Bitwise reproducibility: order of draws and sampler object do not matter; index and seed do. */
static int test_reproducible(void) {
  enum { N = 64 * 48 };
  static double a3[N], a5[N], b3[N], b5[N], c5[N], d5[N];
  if (draw_two(2024, (const uint64_t[2]){3, 5}, a3, a5)) return 1;
  if (draw_two(2024, (const uint64_t[2]){5, 3}, b5, b3)) return 1;
  if (draw_two(2024, (const uint64_t[2]){5, 5}, c5, d5)) return 1;
  TEST_ASSERT(!memcmp(a3, b3, sizeof a3) && !memcmp(a5, b5, sizeof a5), "order changed a field");
  TEST_ASSERT(!memcmp(a5, c5, sizeof a5) && !memcmp(c5, d5, sizeof c5), "redraw changed a field");
  TEST_ASSERT(memcmp(a3, a5, sizeof a3) != 0, "indices 3 and 5 gave the same field");
  if (draw_two(2025, (const uint64_t[2]){3, 5}, b3, b5)) return 1;
  TEST_ASSERT(memcmp(a3, b3, sizeof a3) != 0, "seeds 2024 and 2025 gave the same field");
  return 0;
}

/* Checks that create fails with SOLACE_ERR_ARG and leaves the handle NULL. */
static void check_create_fails(int ndim, const int64_t *shape, double alpha, double tau) {
  solace_grf grf = (solace_grf)&grf;
  TEST_FAILS_WITH(solace_grf_create(ndim, shape, alpha, tau, &grf), SOLACE_ERR_ARG);
  TEST_ASSERT(grf == NULL, "failed create left the handle set (ndim %d alpha %g tau %g)", ndim,
              alpha, tau);
}

/* Invalid arguments of every function. */
static int test_args(void) {
  const int64_t ok[3] = {8, 8, 8}, one[3] = {8, 1, 8}, zero[3] = {0, 8, 8}, neg[3] = {8, 8, -4};
  for (int ndim = 1; ndim <= 3; ndim++) check_create_fails(ndim, ok, 0.5 * ndim, 1.0);
  check_create_fails(2, ok, 0.9, 1.0);
  check_create_fails(0, ok, 2.5, 7.0);
  check_create_fails(4, ok, 2.5, 7.0);
  check_create_fails(2, NULL, 2.5, 7.0);
  check_create_fails(2, one, 2.5, 7.0);
  check_create_fails(1, zero, 2.5, 7.0);
  check_create_fails(3, neg, 2.5, 7.0);
  check_create_fails(2, ok, NAN, 7.0);
  check_create_fails(2, ok, INFINITY, 7.0);
  check_create_fails(2, ok, 2.5, 0.0);
  check_create_fails(2, ok, 2.5, -1.0);
  check_create_fails(2, ok, 2.5, NAN);
  check_create_fails(2, ok, 2.5, INFINITY);
  TEST_FAILS_WITH(solace_grf_create(2, ok, 2.5, 7.0, NULL), SOLACE_ERR_ARG);
  solace_grf grf = NULL;
  double field[64], lambda;
  TEST_CALL(solace_grf_create(2, ok, 2.5, 7.0, &grf));
  TEST_FAILS_WITH(solace_grf_sample(NULL, 1, 2, field), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_grf_sample(grf, 1, 2, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_grf_eigenvalue(NULL, ok, &lambda), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_grf_eigenvalue(grf, NULL, &lambda), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_grf_eigenvalue(grf, ok, NULL), SOLACE_ERR_ARG);
  TEST_CALL(solace_grf_destroy(&grf));
  TEST_CALL(solace_grf_destroy(&grf));
  TEST_CALL(solace_grf_destroy(NULL));
  return 0;
}

/* Runs the case named by the first argument. */
int main(int argc, char **argv) {
  const char *which = argc > 1 ? argv[1] : "moments";
  const char *names[] = {"moments", "spectrum", "axes", "definition", "reproducible", "args"};
  int (*cases[])(void) = {test_moments,    test_spectrum,     test_axes,
                          test_definition, test_reproducible, test_args};
  for (int c = 0; c < 6; c++)
    if (!strcmp(which, names[c])) return cases[c]() ? 1 : test_finish(which);
  fprintf(stderr, "unknown case %s\n", which);
  return 1;
}
