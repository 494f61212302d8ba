/* SKR sequence solver (solace_skr_solve_sequence): 30 shuffled 2-D convection-diffusion systems
 * (5-point, central differences, 30x30 interior grid, nonsymmetric) whose wind and source vary
 * slowly with a parameter p. Reference: a dense LAPACKE_dgesv solve of each matrix. Tolerance
 * 1e-7 relative (2-norm): the forward error is at most kappa * rtol with rtol = 1e-10, and the
 * 1-norm condition numbers (LAPACKE_dgecon) are below 1e3, so kappa * rtol <= 1e-7 (checked).
 * Also: residuals <= rtol, the order is a permutation from 0, the callback form, the warm
 * start and ILU(0) (right preconditioning: true residual) give the same solutions, and recycling (k
 * = 20) needs at least 1.5x fewer iterations than GMRES(40) (k = 0). */
#include <lapacke.h>
#include <string.h>

#include "test-util.h"

enum { GRID = 30, N = GRID * GRID, COUNT = 30, NNZ_MAX = 5 * N };
static const double rtol = 1e-10, solution_tol = 1e-7, pi = 3.14159265358979323846;

/* One system in CSR form. */
typedef struct {
  int64_t rowptr[N + 1], colidx[NNZ_MAX];
  double values[NNZ_MAX], rhs[N];
} csr;

/* Builds -lap u + w . grad u = f (scaled by h^2) on the unit square, u = 0 on the boundary, wind
 * w = 20 (1 + p) (cos(p pi/3), sin(p pi/3)), f = (1 + p) sin(pi x) sin(2 pi y) + x. */
static void build_system(double p, csr *s) {
  double h = 1.0 / (GRID + 1), speed = 20 * (1 + p);
  double wx = speed * cos(p * pi / 3), wy = speed * sin(p * pi / 3);
  int64_t e = 0;
  s->rowptr[0] = 0;
  for (int j = 0; j < GRID; j++)
    for (int i = 0; i < GRID; i++) {
      int row = j * GRID + i;
      const int di[5] = {0, -1, 1, 0, 0}, dj[5] = {-1, 0, 0, 0, 1};
      const double w[5] = {-1 - wy * h / 2, -1 - wx * h / 2, -1 + wx * h / 2, 4, -1 + wy * h / 2};
      for (int t = 0; t < 5; t++) {
        int ii = i + di[t], jj = j + dj[t];
        if (ii < 0 || jj < 0 || ii >= GRID || jj >= GRID) continue;
        s->colidx[e] = jj * GRID + ii, s->values[e++] = w[t];
      }
      s->rowptr[row + 1] = e;
      double x = (i + 1) * h, y = (j + 1) * h;
      s->rhs[row] = h * h * ((1 + p) * sin(pi * x) * sin(2 * pi * y) + x);
    }
}

/* Dense reference solution of s by LAPACKE_dgesv; writes the 1-norm condition estimate. */
static int dense_solve(const csr *s, double *x, double *kappa) {
  double *a = calloc((size_t)N * N, sizeof(double)), rcond;
  lapack_int *pivots = malloc(sizeof(lapack_int) * N);
  for (int row = 0; row < N; row++)
    for (int64_t e = s->rowptr[row]; e < s->rowptr[row + 1]; e++)
      a[s->colidx[e] * N + row] += s->values[e]; /* column-major */
  double anorm = LAPACKE_dlange(LAPACK_COL_MAJOR, '1', N, N, a, N);
  memcpy(x, s->rhs, sizeof(double) * N);
  int info = LAPACKE_dgesv(LAPACK_COL_MAJOR, N, 1, a, N, pivots, x, N);
  if (!info) info = LAPACKE_dgecon(LAPACK_COL_MAJOR, '1', N, a, N, anorm, &rcond);
  *kappa = 1 / rcond;
  free(a), free(pivots);
  return info;
}

/* Relative 2-norm distance of x from y. */
static double relative_error(const double *x, const double *y) {
  double d = 0, ny = 0;
  for (int r = 0; r < N; r++) d += pow(x[r] - y[r], 2), ny += y[r] * y[r];
  return sqrt(d / ny);
}

/* True if order is a permutation of 0..n-1 starting with 0. */
static int is_permutation_from_0(const int64_t *order, int64_t n) {
  char seen[COUNT] = {0};
  int ok = order[0] == 0;
  for (int64_t k = 0; k < n && ok; k++) ok = order[k] >= 0 && order[k] < n && !seen[order[k]]++;
  return ok;
}

static csr *systems;
static double params[COUNT];

/* Callback form: hands out system `index` from the prepared array. */
static int produce(int64_t index, int64_t *nnz, const int64_t **rowptr, const int64_t **colidx,
                   const double **values, double *rhs, void *ctx) {
  int64_t *calls = ctx;
  const csr *s = &systems[index];
  *nnz = s->rowptr[N], *rowptr = s->rowptr, *colidx = s->colidx, *values = s->values;
  memcpy(rhs, s->rhs, sizeof(double) * N);
  (*calls)++;
  return 0;
}

/* Solves the CSR sequence with recycle k, warm start `warm` and PC `pc`; writes solutions,
 * residuals, iterations, order and the total iteration count. */
static int solve_csr(int64_t k, int warm, const char *pc, double *x, double *res, int64_t *its,
                     int64_t *order, int64_t *total) {
  const int64_t *rowptr[COUNT], *colidx[COUNT];
  const double *values[COUNT];
  double *rhs = malloc(sizeof(double) * N * COUNT), sort_s, solve_s;
  for (int i = 0; i < COUNT; i++) {
    rowptr[i] = systems[i].rowptr, colidx[i] = systems[i].colidx, values[i] = systems[i].values;
    memcpy(rhs + i * N, systems[i].rhs, sizeof(double) * N);
  }
  solace_skr skr;
  TEST_CALL(solace_skr_create(&skr));
  TEST_CALL(solace_skr_set_restart(skr, 40));
  TEST_CALL(solace_skr_set_recycle(skr, k));
  TEST_CALL(solace_skr_set_tolerance(skr, rtol, 20000));
  TEST_CALL(solace_skr_set_warm_start(skr, warm));
  TEST_CALL(solace_skr_set_pc(skr, pc));
  TEST_CALL(solace_skr_solve_sequence(skr, COUNT, N, rowptr, colidx, values, rhs, x, its, res));
  TEST_CALL(solace_skr_get_order(skr, order));
  TEST_CALL(solace_skr_get_summary(skr, &sort_s, &solve_s, total));
  printf("k = %2lld, warm %d, pc %s: %lld iterations, sort %.3f s, solve %.3f s\n", (long long)k,
         warm, pc, (long long)*total, sort_s, solve_s);
  TEST_CALL(solace_skr_destroy(&skr));
  TEST_ASSERT(skr == NULL, "destroy did not null the handle");
  free(rhs);
  return 0;
}

/* Checks solutions against the references and residuals against rtol. */
static void check_solutions(const char *what, const double *x, const double *res,
                            const double *reference) {
  double worst = 0, worst_res = 0;
  for (int i = 0; i < COUNT; i++) {
    worst = fmax(worst, relative_error(x + i * N, reference + i * N));
    worst_res = fmax(worst_res, res[i]);
  }
  printf("%s: max relative error %.2e, max residual %.2e\n", what, worst, worst_res);
  TEST_ASSERT(worst <= solution_tol, "%s: error %.3g > %.3g", what, worst, solution_tol);
  TEST_ASSERT(worst_res <= rtol, "%s: residual %.3g > rtol", what, worst_res);
}

/* The callback form, sorted by the parameter (features) and unsorted, matches the references. */
static int check_callback(const double *reference) {
  double *x = malloc(sizeof(double) * N * COUNT), res[COUNT];
  int64_t its[COUNT], order[COUNT], calls = 0;
  solace_skr skr;
  TEST_CALL(solace_skr_create(&skr));
  TEST_CALL(solace_skr_set_tolerance(skr, rtol, 20000));
  TEST_CALL(solace_skr_solve_sequence_fn(skr, COUNT, N, produce, &calls, x, its, res));
  TEST_CALL(solace_skr_get_order(skr, order));
  int identity = 1;
  for (int k = 0; k < COUNT; k++) identity &= order[k] == k;
  TEST_ASSERT(identity && calls == COUNT, "callback without features: not the given order");
  check_solutions("callback, given order", x, res, reference);
  TEST_CALL(solace_skr_set_features(skr, params, COUNT, 1));
  TEST_CALL(solace_skr_solve_sequence_fn(skr, COUNT, N, produce, &calls, x, its, res));
  TEST_CALL(solace_skr_get_order(skr, order));
  int sorted = 1;
  for (int k = 0; k + 1 < COUNT; k++) sorted &= params[order[k + 1]] > params[order[k]];
  TEST_ASSERT(sorted && calls == 2 * COUNT, "callback with features: not sorted by p");
  check_solutions("callback, sorted by features", x, res, reference);
  TEST_CALL(solace_skr_destroy(&skr));
  free(x);
  return 0;
}

int main(int argc, char **argv) {
  TEST_CALL(solace_initialize(&argc, &argv));
  systems = malloc(sizeof(csr) * COUNT);
  uint64_t state = 2024;
  for (int i = 0; i < COUNT; i++) params[i] = (double)i / (COUNT - 1);
  for (int i = COUNT - 1; i > 1; i--) { /* shuffle, keeping p = 0 at system 0 */
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    int j = 1 + (int)((state >> 33) % (uint64_t)i);
    double t = params[i];
    params[i] = params[j], params[j] = t;
  }
  double *reference = malloc(sizeof(double) * N * COUNT), kappa_max = 0;
  for (int i = 0; i < COUNT; i++) {
    double kappa;
    build_system(params[i], &systems[i]);
    TEST_ASSERT(dense_solve(&systems[i], reference + i * N, &kappa) == 0, "dgesv failed");
    kappa_max = fmax(kappa_max, kappa);
  }
  printf("max 1-norm condition estimate %.1f: kappa * rtol = %.2e\n", kappa_max, kappa_max * rtol);
  TEST_ASSERT(kappa_max * rtol <= solution_tol, "tolerance not justified: kappa %.3g", kappa_max);

  double *x = malloc(sizeof(double) * N * COUNT), res[COUNT];
  int64_t its[COUNT], order[COUNT], recycled, gmres, total;
  if (solve_csr(20, 0, "none", x, res, its, order, &recycled)) return 1;
  check_solutions("k = 20", x, res, reference);
  TEST_ASSERT(is_permutation_from_0(order, COUNT), "order is not a permutation from 0");
  if (solve_csr(20, 1, "none", x, res, its, order, &total)) return 1;
  check_solutions("k = 20, warm start", x, res, reference);
  if (solve_csr(0, 0, "none", x, res, its, order, &gmres)) return 1;
  check_solutions("k = 0", x, res, reference);
  printf("iterations: k = 0 %lld, k = 20 %lld, factor %.2f\n", (long long)gmres,
         (long long)recycled, (double)gmres / (double)recycled);
  TEST_ASSERT(gmres >= 1.5 * recycled, "recycling saves too little: %lld vs %lld",
              (long long)recycled, (long long)gmres);
  if (solve_csr(20, 1, "ilu", x, res, its, order, &total)) return 1;
  check_solutions("k = 20, warm start, ILU(0)", x, res, reference);
  if (check_callback(reference)) return 1;
  free(x), free(reference), free(systems);
  TEST_CALL(solace_finalize());
  return test_finish("skr-sequence");
}
