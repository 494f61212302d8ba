/* The Gram path of solace_koopman_compute() (SOLACE_KOOPMAN_QR_GRAM, and the automatic choice)
 * against the Householder QR path on the same data. One case per ctest entry:
 *  - linear: x -> A x, A = [0.9 -0.2; 0.1 0.7] (mu = 0.8 +- 0.1i), Legendre total degree 3 (N =
 *    10, closed under the map), 2000 points: AUTO takes the Gram path; eigenvalues = mu^a
 *    conj(mu)^b (a + b <= 3); eigenfunctions and modes reconstruct x (1e-10: a sum of 10
 *    well-conditioned terms of size O(1));
 *  - rotation: x -> x + 1, Fourier degree 5 (N = 11), 2000 points: EDMD eigenvalues e^{ik}; mpEDMD
 *    (modulus 1; on random points its eigenvalues are e^{ik} only to ~4e-4 with either path);
 *  - gauss: the Gauss map, 40 Legendre functions at 100 Gauss-Legendre nodes (M < 10 N: AUTO
 *    keeps Householder; the Gram path when asked);
 *  - blocks: circle map x + 1 + 0.3 sin x, 60000 points, Fourier degree 20 (N = 41): G, A, L
 *    accumulated over three blocks of rows;
 *  - fallback: unscaled monomials of degree 14 on [0, 1] (cond(G) ~ 1e20): the Gram path is
 *    declined, results bit-identical to Householder; monomials of degree 8 scaled to [-1, 1]
 *    (cond(G) ~ 6e5): AUTO declines, SOLACE_KOOPMAN_QR_GRAM takes it;
 *  - callback: a non-finite callback value in the second block is reported with its data row;
 *  - errors: bad kinds, get_qr before compute.
 * Tolerances. Eigenvalues (eigenpairs with small residual): the Gram path perturbs K_r by about
 * eps cond(G) (<= 2e-12 here, cond(G) <= 1e4 for the orthonormal-type dictionaries), times the
 * eigenvalues' condition numbers: 1e-10. Residuals and tau: the Schur complement S = L - R12^T
 * R12 carries an absolute error of about N eps ||L|| (cancellation), so residual^2 and tau^2 move
 * by that much and residuals by at most its square root, ~sqrt(N eps) ||L||^1/2 <= 1e-7 for N <=
 * 41 and ||L|| = O(1): 3e-7. The QR path's residuals are accurate to eps, so exactly closed
 * dictionaries give Householder residuals ~1e-15 and Gram residuals ~1e-8. */
#include <complex.h>
#include <lapacke.h>
#include <string.h>

#include "test-util.h"

#define TWO_PI 6.28318530717958647692

enum { N_MAX = 64, N_PTS = 5, M_MAX = 60000 };

static const double points[2 * N_PTS] = {0.5, 0.3, -0.7, 0, 0, 1.1, 0.87, 0.37, 1.2, 0};

typedef struct {
  int d;
  int64_t m;
  const double *x, *y, *w;
  int kind, method;
  int64_t degree;
  double shift, scale; /* the scaling of the coordinates when scale > 0 */
} problem;

typedef struct {
  int64_t r;
  int used;
  double lambda[2 * N_MAX], res[N_MAX], tau[N_PTS];
} outcome;

static double uniform(unsigned long long *state) {
  *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(*state >> 11) / 9007199254740992.0;
}

/* One compute of p with the given QR kind: eigenvalues, residuals, tau at `points`, path used. */
static int run(const problem *p, int qr, outcome *o) {
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_dictionary(k, p->kind, p->degree, SOLACE_KOOPMAN_TOTAL_DEGREE));
  if (p->scale > 0) {
    double shift[2] = {p->shift, p->shift}, scale[2] = {p->scale, p->scale};
    TEST_CALL(solace_koopman_set_scaling(k, p->d, shift, scale));
  }
  TEST_CALL(solace_koopman_set_method(k, p->method));
  TEST_CALL(solace_koopman_set_qr(k, qr));
  TEST_CALL(solace_koopman_set_data(k, p->d, p->m, p->x, p->d, p->m, p->y, p->d, p->w));
  TEST_CALL(solace_koopman_compute(k));
  TEST_CALL(solace_koopman_get_size(k, NULL, &o->r));
  TEST_ASSERT(o->r <= N_MAX, "rank %lld", (long long)o->r);
  TEST_CALL(solace_koopman_get_eigenvalues(k, o->lambda));
  TEST_CALL(solace_koopman_get_residuals(k, o->res));
  TEST_CALL(solace_koopman_pseudospectrum(k, N_PTS, points, o->tau));
  TEST_CALL(solace_koopman_get_qr(k, &o->used));
  TEST_CALL(solace_koopman_destroy(&k));
  return 0;
}

/* Over the eigenpairs of a with residual <= cut: largest distance to the nearest eigenvalue of b
 * and residual difference of that pair; largest tau difference. */
static void compare(const outcome *a, const outcome *b, double cut, double *dl, double *dr,
                    double *dt) {
  *dl = 0, *dr = 0, *dt = 0;
  for (int64_t i = 0; i < a->r; i++) {
    if (!(a->res[i] <= cut)) continue;
    double best = INFINITY;
    int64_t jb = 0;
    for (int64_t j = 0; j < b->r; j++) {
      double dist =
          hypot(a->lambda[2 * i] - b->lambda[2 * j], a->lambda[2 * i + 1] - b->lambda[2 * j + 1]);
      if (dist < best) best = dist, jb = j;
    }
    *dl = fmax(*dl, best), *dr = fmax(*dr, fabs(a->res[i] - b->res[jb]));
  }
  for (int j = 0; j < N_PTS; j++) *dt = fmax(*dt, fabs(a->tau[j] - b->tau[j]));
}

static double max_residual(const outcome *o) {
  double worst = 0;
  for (int64_t a = 0; a < o->r; a++) worst = fmax(worst, o->res[a]);
  return worst;
}

/* Largest distance of an eigenvalue of o to the nearest of the n exact ones. */
static double exact_error(const outcome *o, int n, const double complex *exact) {
  double worst = 0;
  for (int64_t a = 0; a < o->r; a++) {
    double best = INFINITY;
    for (int j = 0; j < n; j++)
      best = fmin(best, cabs(CMPLX(o->lambda[2 * a], o->lambda[2 * a + 1]) - exact[j]));
    worst = fmax(worst, best);
  }
  return worst;
}

/* Gram (kind `qr`, expected to take the Gram path) against Householder on p, eigenpairs with
 * residual <= cut; fills both outcomes. */
static int gram_vs_householder(const char *name, const problem *p, int qr, double cut, outcome *g,
                               outcome *h) {
  double dl, dr, dt, dl2, dr2, dt2;
  TEST_CALL(run(p, qr, g));
  TEST_CALL(run(p, SOLACE_KOOPMAN_QR_HOUSEHOLDER, h));
  TEST_ASSERT(g->used == SOLACE_KOOPMAN_QR_GRAM && h->used == SOLACE_KOOPMAN_QR_HOUSEHOLDER,
              "%s: paths used %d and %d", name, g->used, h->used);
  TEST_ASSERT(g->r == h->r, "%s: rank %lld vs %lld", name, (long long)g->r, (long long)h->r);
  compare(g, h, cut, &dl, &dr, &dt);
  compare(h, g, cut, &dl2, &dr2, &dt2);
  dl = fmax(dl, dl2), dr = fmax(dr, dr2);
  printf("%s: Gram vs Householder: eigenvalues %.3g, residuals %.3g, tau %.3g; largest "
         "residual %.3g (Gram) vs %.3g (Householder)\n",
         name, dl, dr, dt, max_residual(g), max_residual(h));
  TEST_ASSERT(dl <= 1e-10, "%s: eigenvalues differ by %g", name, dl);
  TEST_ASSERT(dr <= 3e-7 && dt <= 3e-7, "%s: residuals differ by %g, tau by %g", name, dr, dt);
  return 0;
}

/* Largest error of x_i = sum_a phi_a(x_i) v_a (modes v, eigenfunctions phi) over the first 5
 * points of p (d = 2), computed with the given QR kind: x is in the span of the dictionary. */
static int reconstruction(const problem *p, int qr, double *err) {
  solace_koopman k = NULL;
  int64_t r;
  double phi[2 * 5 * N_MAX], modes[2 * 2 * N_MAX];
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_dictionary(k, p->kind, p->degree, SOLACE_KOOPMAN_TOTAL_DEGREE));
  TEST_CALL(solace_koopman_set_qr(k, qr));
  TEST_CALL(solace_koopman_set_data(k, p->d, p->m, p->x, p->d, p->m, p->y, p->d, p->w));
  TEST_CALL(solace_koopman_compute(k));
  TEST_CALL(solace_koopman_get_size(k, NULL, &r));
  TEST_CALL(solace_koopman_eigenfunctions(k, 5, p->x, 2, phi, 5));
  TEST_CALL(solace_koopman_get_modes(k, modes, 2));
  TEST_CALL(solace_koopman_destroy(&k));
  *err = 0;
  for (int i = 0; i < 5; i++)
    for (int c = 0; c < 2; c++) {
      double complex sum = 0;
      for (int64_t a = 0; a < r; a++)
        sum += CMPLX(phi[2 * (i + 5 * a)], phi[2 * (i + 5 * a) + 1]) *
               CMPLX(modes[2 * (c + 2 * a)], modes[2 * (c + 2 * a) + 1]);
      *err = fmax(*err, cabs(sum - p->x[2 * i + c]));
    }
  return 0;
}

static int case_linear(void) {
  static double x[2 * 2000], y[2 * 2000];
  static outcome g, h;
  unsigned long long state = 11;
  for (int j = 0; j < 2000; j++) {
    double a = 2 * uniform(&state) - 1, b = 2 * uniform(&state) - 1;
    x[2 * j] = a, x[2 * j + 1] = b, y[2 * j] = 0.9 * a - 0.2 * b, y[2 * j + 1] = 0.1 * a + 0.7 * b;
  }
  problem p = {2, 2000, x, y, NULL, SOLACE_KOOPMAN_DICT_LEGENDRE, SOLACE_KOOPMAN_EDMD, 3, 0, 0};
  if (gram_vs_householder("linear map", &p, SOLACE_KOOPMAN_QR_AUTO, 1, &g, &h)) return 1;
  double complex mu = CMPLX(0.8, 0.1), exact[10];
  int n = 0;
  for (int a = 0; a <= 3; a++)
    for (int b = 0; a + b <= 3; b++) exact[n++] = cpow(mu, a) * cpow(conj(mu), b);
  double err = exact_error(&g, n, exact);
  printf("linear map: Gram eigenvalues vs mu^a conj(mu)^b: %.3g\n", err);
  TEST_ASSERT(err <= 1e-10, "eigenvalues off by %g", err);
  TEST_ASSERT(max_residual(&g) <= 3e-7, "closed dictionary: Gram residual %g", max_residual(&g));
  double rec_g, rec_h;
  TEST_CALL(reconstruction(&p, SOLACE_KOOPMAN_QR_GRAM, &rec_g));
  TEST_CALL(reconstruction(&p, SOLACE_KOOPMAN_QR_HOUSEHOLDER, &rec_h));
  printf("linear map: x = sum phi_a(x) v_a at 5 points: error %.3g (Gram), %.3g (Householder)\n",
         rec_g, rec_h);
  TEST_ASSERT(rec_g <= 1e-10, "Gram eigenfunctions and modes: reconstruction error %g", rec_g);
  return 0;
}

static int case_rotation(void) {
  static double x[2000], y[2000];
  static outcome g, h;
  unsigned long long state = 5;
  for (int j = 0; j < 2000; j++) x[j] = TWO_PI * uniform(&state), y[j] = fmod(x[j] + 1, TWO_PI);
  double complex exact[11];
  for (int j = 0; j < 11; j++) exact[j] = cexp(CMPLX(0, j - 5));
  for (int method = SOLACE_KOOPMAN_EDMD; method <= SOLACE_KOOPMAN_MPEDMD; method++) {
    problem p = {1, 2000, x, y, NULL, SOLACE_KOOPMAN_DICT_FOURIER, method, 5, 0, 0};
    const char *name = method == SOLACE_KOOPMAN_EDMD ? "rotation" : "rotation, mpEDMD";
    if (gram_vs_householder(name, &p, SOLACE_KOOPMAN_QR_AUTO, 1, &g, &h)) return 1;
    double err = exact_error(&g, 11, exact), off = 0;
    for (int64_t a = 0; a < g.r; a++)
      off = fmax(off, fabs(hypot(g.lambda[2 * a], g.lambda[2 * a + 1]) - 1));
    printf("%s: Gram eigenvalues vs e^{ik}: %.3g, off the circle %.3g\n", name, err, off);
    TEST_ASSERT(g.r == 11 && off <= 1e-12, "%s: rank %lld, modulus %g", name, (long long)g.r, off);
    TEST_ASSERT(method == SOLACE_KOOPMAN_MPEDMD || err <= 1e-10, "%s: error %g", name, err);
  }
  return 0;
}

/* Gauss-Legendre nodes and weights on [-1, 0] (weights sum to 1), Golub-Welsch. */
static int gauss_legendre(int p, double *x, double *w) {
  static double d[100], e[100], z[100 * 100];
  memset(d, 0, sizeof d);
  for (int k = 1; k < p; k++) e[k - 1] = k / sqrt(4.0 * k * k - 1);
  if (LAPACKE_dstev(LAPACK_COL_MAJOR, 'V', p, d, e, z, p)) return 1;
  for (int j = 0; j < p; j++) x[j] = (d[j] - 1) / 2, w[j] = z[j * p] * z[j * p];
  return 0;
}

static int case_gauss(void) {
  static double x[100], w[100], y[100];
  static outcome g, h, a;
  TEST_ASSERT(!gauss_legendre(100, x, w), "dstev");
  for (int j = 0; j < 100; j++) y[j] = exp(-2 * x[j] * x[j]) - 1 - exp(-2);
  problem p = {1, 100, x, y, w, SOLACE_KOOPMAN_DICT_LEGENDRE, SOLACE_KOOPMAN_EDMD, 39, 0, 0};
  TEST_CALL(run(&p, SOLACE_KOOPMAN_QR_AUTO, &a));
  TEST_ASSERT(a.used == SOLACE_KOOPMAN_QR_HOUSEHOLDER, "M < 10 N: AUTO used %d", a.used);
  return gram_vs_householder("gauss map", &p, SOLACE_KOOPMAN_QR_GRAM, 1e-3, &g, &h);
}

static int case_blocks(void) {
  static double x[M_MAX], y[M_MAX];
  static outcome g, h;
  unsigned long long state = 99;
  for (int j = 0; j < M_MAX; j++) {
    double t = TWO_PI * uniform(&state);
    x[j] = t, y[j] = fmod(t + 1 + 0.3 * sin(t), TWO_PI);
  }
  problem p = {1, M_MAX, x, y, NULL, SOLACE_KOOPMAN_DICT_FOURIER, SOLACE_KOOPMAN_EDMD, 20, 0, 0};
  return gram_vs_householder("circle map, 3 blocks", &p, SOLACE_KOOPMAN_QR_AUTO, 0.5, &g, &h);
}

static int case_fallback(void) {
  static double x[20000], y[20000];
  static outcome g, h, a;
  unsigned long long state = 3;
  for (int j = 0; j < 20000; j++) x[j] = uniform(&state), y[j] = 0.8 * x[j] * (1 - 0.5 * x[j]);
  problem p = {1, 20000, x, y, NULL, SOLACE_KOOPMAN_DICT_MONOMIAL, SOLACE_KOOPMAN_EDMD, 14, 0, 1};
  TEST_CALL(run(&p, SOLACE_KOOPMAN_QR_GRAM, &g));
  TEST_CALL(run(&p, SOLACE_KOOPMAN_QR_HOUSEHOLDER, &h));
  printf("monomials of degree 14 on [0, 1]: path %d, rank %lld\n", g.used, (long long)g.r);
  TEST_ASSERT(g.used == SOLACE_KOOPMAN_QR_HOUSEHOLDER, "ill-conditioned G: path %d", g.used);
  TEST_ASSERT(g.r == h.r && !memcmp(g.lambda, h.lambda, sizeof(double) * 2 * g.r) &&
                  !memcmp(g.res, h.res, sizeof(double) * g.r),
              "the fallback differs from Householder");
  problem q = {1, 20000, x,  y, NULL, SOLACE_KOOPMAN_DICT_MONOMIAL, SOLACE_KOOPMAN_EDMD,
               8, 0.5,   0.5};
  TEST_CALL(run(&q, SOLACE_KOOPMAN_QR_AUTO, &a));
  TEST_CALL(run(&q, SOLACE_KOOPMAN_QR_GRAM, &g));
  TEST_CALL(run(&q, SOLACE_KOOPMAN_QR_HOUSEHOLDER, &h));
  double dl, dr, dt;
  compare(&g, &h, 1e-3, &dl, &dr, &dt);
  printf("monomials of degree 8 on [-1, 1]: AUTO path %d, GRAM path %d; Gram vs Householder: "
         "eigenvalues %.3g, residuals %.3g, tau %.3g\n",
         a.used, g.used, dl, dr, dt);
  TEST_ASSERT(dl <= 1e-8 && dr <= 3e-7 && dt <= 3e-7,
              "cond(G) ~ 6e5 (eigenvalue tolerance 1e-8: eps cond(G) = 1.4e-10 times the "
              "eigenvalue condition): eigenvalues %g, residuals %g, tau %g",
              dl, dr, dt);
  TEST_ASSERT(a.used != SOLACE_KOOPMAN_QR_GRAM && g.used == SOLACE_KOOPMAN_QR_GRAM,
              "cond(G) in (1e4, 1e8]: AUTO used %d, GRAM used %d", a.used, g.used);
  return 0;
}

/* Fourier degree 20 (41 functions) at the m points x, with a NaN in psi_1 at x = 0.123456789. */
static int fourier_nan(int64_t m, int64_t d, const double *x, int64_t ldx, int64_t n, double *psi,
                       int64_t ldpsi, void *ctx) {
  (void)d, (void)ctx;
  for (int64_t j = 0; j < m; j++) {
    psi[j] = 1;
    for (int64_t f = 1; 2 * f < n; f++) {
      psi[j + (2 * f - 1) * ldpsi] = cos(f * x[j * ldx]);
      psi[j + 2 * f * ldpsi] = sin(f * x[j * ldx]);
    }
    if (x[j * ldx] == 0.123456789) psi[j + ldpsi] = NAN;
  }
  return 0;
}

static int case_callback(void) {
  static double x[40000], y[40000];
  unsigned long long state = 17;
  for (int j = 0; j < 40000; j++) x[j] = TWO_PI * uniform(&state), y[j] = fmod(x[j] + 1, TWO_PI);
  x[30000] = 0.123456789;
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_dictionary_fn(k, 41, fourier_nan, NULL));
  TEST_CALL(solace_koopman_set_data(k, 1, 40000, x, 1, 40000, y, 1, NULL));
  TEST_FAILS_WITH(solace_koopman_compute(k), SOLACE_ERR_ARG);
  printf("callback NaN at point 30000: %s\n", solace_error_message());
  TEST_ASSERT(strstr(solace_error_message(), "psi(30000, 1)"), "message: %s",
              solace_error_message());
  int used;
  TEST_FAILS_WITH(solace_koopman_get_qr(k, &used), SOLACE_ERR_STATE);
  TEST_CALL(solace_koopman_destroy(&k));
  return 0;
}

static int case_errors(void) {
  solace_koopman k = NULL;
  int used;
  TEST_CALL(solace_koopman_create(&k));
  TEST_FAILS_WITH(solace_koopman_set_qr(k, 4), SOLACE_ERR_ARG);
  TEST_ASSERT(strstr(solace_error_message(), "_GRAM = 3"), "message: %s", solace_error_message());
  TEST_FAILS_WITH(solace_koopman_set_qr(k, -1), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_set_qr(NULL, SOLACE_KOOPMAN_QR_GRAM), SOLACE_ERR_ARG);
  TEST_CALL(solace_koopman_set_qr(k, SOLACE_KOOPMAN_QR_GRAM));
  TEST_FAILS_WITH(solace_koopman_get_qr(k, &used), SOLACE_ERR_STATE);
  TEST_CALL(solace_koopman_destroy(&k));
  return 0;
}

int main(int argc, char **argv) {
  static const test_case cases[] = {
      {"linear", case_linear}, {"rotation", case_rotation}, {"gauss", case_gauss},
      {"blocks", case_blocks}, {"fallback", case_fallback}, {"callback", case_callback},
      {"errors", case_errors},
  };
  return test_run_case(argc, argv, "t-gram", cases, (int)(sizeof cases / sizeof cases[0]));
}
