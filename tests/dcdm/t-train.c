/* DCDM training (solvers/dcdm/dcdm-train.c, dcdm-lanczos.c). One case per run, argv[1]:
 *  - lanczos: on the 8 x 8 obstacle-free problem (eigenvalues 4 sin^2(k pi/16) + 4 sin^2(l pi/16),
 *    36 distinct), 30 Lanczos steps with full reorthogonalisation: every converged Ritz pair
 *    (||A y - theta y|| <= 1e-8; at least the 2 extremes) has theta within 1e-10 of an eigenvalue,
 * the extreme Ritz values equal the extreme eigenvalues to 1e-10, the Ritz vectors are orthonormal
 * (1e-10);
 *  - loss: the gradient of ||b - (q.b / q.Aq) A q||^2 matches central differences (step 1e-6)
 *    to 1e-6 relative; q = A^-1 b (LU) gives loss <= 1e-20;
 *  - run: a tiny training run (8 x 8 blobs, 4 channels, 30 Adam steps) lowers the mean loss
 *    by at least 10%; the same seed gives bit-identical weights, another seed different ones;
 *    a bias-free run keeps every bias zero and gives a positively homogeneous network
 *    (f(a x) = a f(x) to 1e-12), -init starts from a file's architecture and weights;
 *  - validate: held-out validation (-validate_grid 8,16) does not change training (path.latest
 *    is bit-identical to the output of the same run without it), `path` holds the checkpoint of
 *    the best score, recomputed here through solace_dcdm_solve_csr, and -lr_final equal to -lr
 *    is the constant rate (bit-identical weights) while a smaller one changes them;
 *  - errors: unknown and malformed options and bad values are SOLACE_ERR_ARG naming them;
 *  - shipped: the shipped 2-D weights without deflation (-deflate_block 0) on two held-out 64^2
 *    blobs systems (obstacle seeds 101, 102; training used 64^2 and seeds 1..16) and one at
 *    128^2 (seed 101), and the 3-D weights on a held-out 16^3 one (training used 32^3 and seeds
 *    1..8), at rtol 1e-8: the solution equals LU's to 1e-5 relative (error <= cond(A) rtol,
 *    cond ~ 2e3-8e3; measured 0.1-1e-9), within the iteration bounds (measured 27, 41, 31, 26;
 *    bounds 33, 49, 38, 31) and in fewer iterations than CG (measured 243, 259, 467, 74); with
 *    its file's default, deflation blocks of 8 x 8 (solace_dcdm_solve_csr_opts with ""), the
 *    2-D file takes 27 iterations at 128^2 (bound 33), fewer than its 31 without, to LU's
 *    solution; 10 steps from the shipped 2-D file at a spoiling rate keep it (-init). */
#include <string.h>

#include <petscksp.h>

#include "test-petsc.h"

#include "operators/pde/obstacle.h"
#include "solvers/dcdm/dcdm-train.h"

static const double PI = 3.14159265358979323846;

/* Iteration bounds of the shipped networks on the held-out systems (rtol 1e-8): measured, plus
 * about 20% (docs/dcdm.md; the counts were 27, 41 and 31 for the 2-D file without deflation, 21
 * for the 3-D one without deflation at 16^3, 20 with its deflation at 32^3, and 27 at 128^2 with
 * the 2-D file's deflation, blocks of 8 x 8 cells). */
enum {
  SHIPPED_BOUND_2D_101 = 33,
  SHIPPED_BOUND_2D_102 = 49,
  SHIPPED_BOUND_2D_128 = 38,
  SHIPPED_BOUND_3D_101 = 25,
  SHIPPED_BOUND_3D_32_DEFLATED = 24,
  SHIPPED_BOUND_2D_128_DEFLATED = 33
};

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Distance from theta to the nearest of the sorted values ref[0..n-1]. */
static double nearest(const double *ref, int n, double theta) {
  double best = INFINITY;
  for (int i = 0; i < n; i++) best = fmin(best, fabs(ref[i] - theta));
  return best;
}

static int test_lanczos(void) {
  solace_obstacle ob;
  solace_dcdm_ritz ritz;
  enum { N = 8, CELLS = 64, STEPS = 30 };
  double start[CELLS], ref[CELLS], y[CELLS];
  TEST_CALL(solace_obstacle_create(2, N, "empty", 0, &ob));
  for (int i = 0; i < CELLS; i++) start[i] = 1.0 + 0.1 * sin(3.7 * i);
  TEST_CALL(solace_dcdm_lanczos(ob->A, STEPS, start, &ritz));
  TEST_ASSERT(ritz.m == STEPS, "%lld Ritz pairs", (long long)ritz.m);
  for (int c = 0; c < CELLS; c++) {
    double s = sin((c % N + 1) * PI / (2.0 * N)), t = sin((c / N + 1) * PI / (2.0 * N));
    ref[c] = 4.0 * (s * s + t * t);
  }
  qsort(ref, CELLS, sizeof(double), compare_doubles);
  double worst = 0.0, orth = 0.0, ends;
  int converged = 0;
  for (int c = 0; c < ritz.m; c++) {
    const double *v = ritz.vectors + c * CELLS;
    TEST_CALL(solace_dcdm_mat_apply(ob->A, CELLS, v, y));
    double r = 0.0;
    for (int i = 0; i < CELLS; i++)
      r += (y[i] - ritz.theta[c] * v[i]) * (y[i] - ritz.theta[c] * v[i]);
    if (sqrt(r) <= 1e-8) converged++, worst = fmax(worst, nearest(ref, CELLS, ritz.theta[c]));
    for (int d = 0; d <= c; d++) {
      double dot = 0.0;
      for (int i = 0; i < CELLS; i++) dot += v[i] * ritz.vectors[d * CELLS + i];
      orth = fmax(orth, fabs(dot - (c == d)));
    }
  }
  ends = fmax(fabs(ritz.theta[0] - ref[0]), fabs(ritz.theta[ritz.m - 1] - ref[CELLS - 1]));
  printf("lanczos 8x8, %d steps: %d converged Ritz pairs (residual <= 1e-8), max distance to an "
         "analytic eigenvalue %.2e; extremes off by %.2e; orthogonality %.2e\n",
         STEPS, converged, worst, ends, orth);
  TEST_ASSERT(converged >= 2, "only %d converged Ritz pairs", converged);
  TEST_ASSERT(worst <= 1e-10, "a converged Ritz value is %g from every eigenvalue", worst);
  TEST_ASSERT(ends <= 1e-10, "extreme Ritz values off by %g", ends);
  TEST_ASSERT(orth <= 1e-10, "Ritz vectors not orthonormal: %g", orth);
  solace_dcdm_ritz_release(&ritz);
  TEST_FAILS_WITH(solace_dcdm_lanczos(ob->A, 0, start, &ritz), SOLACE_ERR_ARG);
  solace_obstacle_destroy(&ob);
  return 0;
}

/* The deflated loss L(P q) on the 12^2 blobs problem with blocks of 4: P^T is P's adjoint
 * (u.(P^T v) = (P u).v to 1e-12 relative) and dL/dq = P^T dL/d(P q) matches central
 * differences. */
static int check_deflated_loss(solace_obstacle ob, const double *b) {
  enum { CELLS = 144 };
  PetscInt grid[3] = {12, 12, 1};
  PetscBool solid[CELLS];
  solace_dcdm_deflation df = {0};
  double q[CELLS], q0[CELLS], g[CELLS], u[CELLS], v[CELLS], work[2 * CELLS], loss, lp, lm;
  for (int i = 0; i < CELLS; i++) solid[i] = ob->solid[i] ? PETSC_TRUE : PETSC_FALSE;
  CHECK(SolaceDCDMDeflationBuild(ob->A, grid, NULL, solid, 4, NULL, &df));
  for (int i = 0; i < CELLS; i++)
    u[i] = ob->solid[i] ? 0.0 : sin(0.7 * i), v[i] = ob->solid[i] ? 0.0 : cos(0.3 * i + 1.0);
  double uv_plain = 0.0, uv_adj = 0.0;
  double pu[CELLS], ptv[CELLS];
  memcpy(pu, u, sizeof pu), memcpy(ptv, v, sizeof ptv);
  TEST_CALL(solace_dcdm_deflate_array(ob->A, &df, 0, CELLS, pu));
  TEST_CALL(solace_dcdm_deflate_array(ob->A, &df, 1, CELLS, ptv));
  for (int i = 0; i < CELLS; i++) uv_plain += pu[i] * v[i], uv_adj += u[i] * ptv[i];
  TEST_ASSERT(fabs(uv_plain - uv_adj) <= 1e-12 * fabs(uv_plain), "(P u).v %.17g, u.(P^T v) %.17g",
              uv_plain, uv_adj);
  for (int i = 0; i < CELLS; i++) q0[i] = ob->solid[i] ? 0.0 : b[i] + 0.3 * cos(1.3 * i);
  memcpy(q, q0, sizeof q);
  TEST_CALL(solace_dcdm_loss_deflated(ob->A, &df, CELLS, b, q, &loss, g, work));
  double worst = 0.0, scale = 0.0, h = 1e-6;
  for (int i = 0; i < CELLS; i++) {
    memcpy(q, q0, sizeof q), q[i] += h;
    TEST_CALL(solace_dcdm_loss_deflated(ob->A, &df, CELLS, b, q, &lp, NULL, work));
    memcpy(q, q0, sizeof q), q[i] -= h;
    TEST_CALL(solace_dcdm_loss_deflated(ob->A, &df, CELLS, b, q, &lm, NULL, work));
    worst = fmax(worst, fabs((lp - lm) / (2 * h) - g[i]));
    scale = fmax(scale, fabs(g[i]));
  }
  printf("deflated loss %.4e (%d coarse vectors): P^T adjoint to %.1e, gradient vs central "
         "differences %.2e (max |g| %.2e)\n",
         loss, (int)df.size, fabs(uv_plain - uv_adj) / fabs(uv_plain), worst, scale);
  TEST_ASSERT(worst <= 1e-6 * scale, "deflated gradient error %g (scale %g)", worst, scale);
  CHECK(SolaceDCDMDeflationDestroy(&df));
  return 0;
}

static int test_loss(void) {
  solace_obstacle ob;
  enum { CELLS = 144 };
  double b[CELLS], q[CELLS], g[CELLS], work[2 * CELLS], loss, lp, lm;
  TEST_CALL(solace_obstacle_create(2, 12, "blobs", 3, &ob));
  TEST_CALL(solace_obstacle_rhs(ob, 1, 0, b));
  for (int i = 0; i < CELLS; i++) q[i] = ob->solid[i] ? 0.0 : b[i] + 0.3 * cos(1.3 * i);
  TEST_CALL(solace_dcdm_loss(ob->A, CELLS, b, q, &loss, g, work));
  double worst = 0.0, scale = 0.0, h = 1e-6;
  for (int i = 0; i < CELLS; i++) {
    double keep = q[i];
    q[i] = keep + h;
    TEST_CALL(solace_dcdm_loss(ob->A, CELLS, b, q, &lp, NULL, work));
    q[i] = keep - h;
    TEST_CALL(solace_dcdm_loss(ob->A, CELLS, b, q, &lm, NULL, work));
    q[i] = keep;
    worst = fmax(worst, fabs((lp - lm) / (2 * h) - g[i]));
    scale = fmax(scale, fabs(g[i]));
  }
  printf("loss %.4e: gradient vs central differences, max error %.2e (max |g| %.2e)\n", loss, worst,
         scale);
  TEST_ASSERT(worst <= 1e-6 * scale, "gradient error %g (scale %g)", worst, scale);
  if (check_deflated_loss(ob, b)) return 1;
  /* the exact solution direction gives zero loss */
  KSP ksp;
  PC pc;
  Vec vb, vq;
  CHECK(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, CELLS, b, &vb));
  CHECK(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, CELLS, q, &vq));
  CHECK(KSPCreate(PETSC_COMM_SELF, &ksp));
  CHECK(KSPSetOperators(ksp, ob->A, ob->A));
  CHECK(KSPSetType(ksp, KSPPREONLY));
  CHECK(KSPGetPC(ksp, &pc));
  CHECK(PCSetType(pc, PCLU));
  CHECK(KSPSolve(ksp, vb, vq));
  CHECK(KSPDestroy(&ksp));
  CHECK(VecDestroy(&vb));
  CHECK(VecDestroy(&vq));
  for (int i = 0; i < CELLS; i++) q[i] *= 3.0; /* the scale of q does not matter */
  TEST_CALL(solace_dcdm_loss(ob->A, CELLS, b, q, &loss, NULL, work));
  printf("loss of q = 3 A^-1 b: %.2e\n", loss);
  TEST_ASSERT(loss <= 1e-20, "loss %g", loss);
  for (int i = 0; i < CELLS; i++) q[i] = 0.0;
  TEST_FAILS_WITH(solace_dcdm_loss(ob->A, CELLS, b, q, &loss, NULL, work), SOLACE_ERR_ARG);
  solace_obstacle_destroy(&ob);
  return 0;
}

/* Reads every parameter of a weights file into a flat array. */
static int read_params(const char *path, double **values, int64_t *count) {
  solace_nn_net net = NULL;
  int nblocks;
  solace_nn_param **blocks;
  TEST_CALL(solace_dcdm_net_load(path, NULL, &net));
  TEST_CALL(solace_nn_net_params(net, &nblocks, &blocks));
  *count = solace_nn_net_param_count(net);
  *values = malloc(sizeof(double) * (size_t)*count);
  int64_t at = 0;
  for (int k = 0; k < nblocks; k++)
    for (int64_t i = 0; i < blocks[k]->count; i++) (*values)[at++] = blocks[k]->value[i];
  solace_nn_net_destroy(&net);
  return 0;
}

static const char *TINY = "-grid 8 -channels 4 -fine 1 -coarse 1 -after 1 -obstacle blobs "
                          "-operators 2 -lanczos 40 -samples 200 -steps 30 -batch 4 -lr 3e-3 "
                          "-progress 3 -checkpoint 0";

static int train_tiny(const char *extra, const char *path, double *first, double *last) {
  char options[512];
  int64_t steps;
  snprintf(options, sizeof options, "%s %s", TINY, extra);
  TEST_CALL(solace_dcdm_train(options, path, &steps, first, last));
  TEST_ASSERT(steps == 30, "%lld steps", (long long)steps);
  return 0;
}

/* Largest |f(a x) - a f(x)| over largest |a f(x)| for the network of `path` on an 8 x 8 input. */
static int homogeneity_error(const char *path, double a, double *error) {
  solace_nn_net net = NULL;
  solace_nn_tensor *x, *ax;
  const solace_nn_tensor *y;
  int64_t dims[2] = {8, 8};
  TEST_CALL(solace_dcdm_net_load(path, NULL, &net));
  TEST_CALL(solace_nn_tensor_create(2, 1, 1, dims, &x));
  TEST_CALL(solace_nn_tensor_create(2, 1, 1, dims, &ax));
  for (int i = 0; i < 64; i++) x->data[i] = sin(0.7 * i) + 0.3, ax->data[i] = a * x->data[i];
  double fx[64], diff = 0.0, scale = 0.0;
  TEST_CALL(solace_nn_net_forward(net, x, &y));
  for (int i = 0; i < 64; i++) fx[i] = a * y->data[i];
  TEST_CALL(solace_nn_net_forward(net, ax, &y));
  for (int i = 0; i < 64; i++) diff = fmax(diff, fabs(y->data[i] - fx[i]));
  for (int i = 0; i < 64; i++) scale = fmax(scale, fabs(fx[i]));
  *error = diff / scale;
  solace_nn_tensor_destroy(&x), solace_nn_tensor_destroy(&ax), solace_nn_net_destroy(&net);
  return 0;
}

/* A file marked bias-free whose biases are not all zero is refused. */
static int check_bias_free_refused(const char *path) {
  solace_dcdm_arch arch;
  solace_nn_net net = NULL;
  int nblocks;
  solace_nn_param **blocks;
  TEST_CALL(solace_dcdm_net_load(path, &arch, &net));
  TEST_CALL(solace_nn_net_params(net, &nblocks, &blocks));
  TEST_ASSERT(!strcmp(blocks[1]->name, "bias"), "block 1 is '%s'", blocks[1]->name);
  blocks[1]->value[0] = 0.5;
  TEST_CALL(solace_dcdm_net_save(net, &arch, "train-f.h5"));
  solace_nn_net_destroy(&net);
  TEST_FAILS_WITH(solace_dcdm_net_load("train-f.h5", NULL, &net), SOLACE_ERR_FORMAT);
  printf("a bias-free file with a bias of 0.5: %s\n", solace_error_message());
  remove("train-f.h5");
  return 0;
}

/* -bias_free 1: the loss still drops, the file says so, every bias stays exactly zero, and the
 * network is positively homogeneous, f(a x) = a f(x), to rounding (1e-12 relative), which the
 * network with biases of test_run is not (its error is checked to exceed 1e-6). */
static int test_run_bias_free(const char *biased) {
  double first, last, error_free, error_biased;
  solace_dcdm_arch arch;
  solace_nn_net net = NULL;
  int nblocks;
  solace_nn_param **blocks;
  if (train_tiny("-seed 5 -bias_free 1", "train-e.h5", &first, &last)) return 1;
  printf("tiny run, bias-free: loss %.4e -> %.4e\n", first, last);
  TEST_ASSERT(last <= 0.9 * first, "bias-free: loss %g -> %g did not drop by 10%%", first, last);
  TEST_CALL(solace_dcdm_net_load("train-e.h5", &arch, &net));
  TEST_ASSERT(arch.bias_free == 1, "the file says bias_free %d", arch.bias_free);
  TEST_CALL(solace_nn_net_params(net, &nblocks, &blocks));
  for (int k = 0; k < nblocks; k++)
    for (int64_t i = 0; !strcmp(blocks[k]->name, "bias") && i < blocks[k]->count; i++)
      TEST_ASSERT(blocks[k]->value[i] == 0.0, "bias block %d holds %g", k, blocks[k]->value[i]);
  solace_nn_net_destroy(&net);
  if (homogeneity_error("train-e.h5", 3.7, &error_free) ||
      homogeneity_error(biased, 3.7, &error_biased))
    return 1;
  printf("|f(3.7 x) - 3.7 f(x)| / |3.7 f(x)|: bias-free %.1e, with biases %.1e\n", error_free,
         error_biased);
  TEST_ASSERT(error_free <= 1e-12, "bias-free network: homogeneity error %g", error_free);
  TEST_ASSERT(error_biased > 1e-6, "network with biases: homogeneity error only %g", error_biased);
  return check_bias_free_refused("train-e.h5");
}

/* -init FILE: the architecture and weights come from FILE (0 steps write FILE's weights back bit
 * for bit, with its attributes), training continues from them (its first losses are below a
 * fresh run's), and an architecture option that contradicts FILE is refused. */
static int test_run_init(double fresh_first) {
  double *p1, *p2, first, last;
  int64_t n1, n2, steps;
  solace_dcdm_arch arch;
  solace_nn_net net = NULL;
  TEST_CALL(solace_dcdm_train("-init train-e.h5 -grid 8 -lanczos 5 -steps 0 -progress 3",
                              "train-g.h5", &steps, NULL, NULL));
  if (read_params("train-e.h5", &p1, &n1) || read_params("train-g.h5", &p2, &n2)) return 1;
  TEST_ASSERT(steps == 0 && n1 == n2 && !memcmp(p1, p2, sizeof(double) * (size_t)n1),
              "-init with 0 steps changed the weights");
  free(p1), free(p2);
  TEST_CALL(solace_dcdm_net_load("train-g.h5", &arch, &net));
  solace_nn_net_destroy(&net);
  TEST_ASSERT(arch.channels == 4 && arch.fine == 1 && arch.bias_free == 1,
              "-init wrote channels %lld fine %d bias_free %d", (long long)arch.channels, arch.fine,
              arch.bias_free);
  if (train_tiny("-seed 5 -init train-e.h5", "train-g.h5", &first, &last)) return 1;
  printf("tiny run from -init: loss %.4e -> %.4e (fresh run's first: %.4e)\n", first, last,
         fresh_first);
  TEST_ASSERT(first <= 0.9 * fresh_first, "-init run starts at %g, a fresh one at %g", first,
              fresh_first);
  TEST_FAILS_WITH(solace_dcdm_train("-init train-e.h5 -channels 8 -grid 8 -steps 0 -progress 3",
                                    "never.h5", NULL, NULL, NULL),
                  SOLACE_ERR_ARG);
  printf("-init with -channels 8: %s\n", solace_error_message());
  TEST_FAILS_WITH(solace_dcdm_train("-init no-such.h5 -grid 8 -steps 0 -progress 3", "never.h5",
                                    NULL, NULL, NULL),
                  SOLACE_ERR_IO);
  char long_path[1200] = "-init ";
  memset(long_path + 6, 'a', 1100);
  TEST_FAILS_WITH(solace_dcdm_train(long_path, "never.h5", NULL, NULL, NULL), SOLACE_ERR_ARG);
  printf("a 1100-character -init path: %s\n", solace_error_message());
  remove("train-e.h5"), remove("train-g.h5");
  return 0;
}

/* A tiny run of a network with 2 coarse levels (8x8 -> 4x4 -> 2x2) lowers the loss and writes
 * its levels to the file. */
/* -tied 1 at 8^2 (depth 1: 8 / 4 < 4) and 16^2 (depth 2): the loss drops, the file says tied
 * with the training grid's depth, and the 16^2 file runs at another depth unchanged in size. */
static int test_run_tied(void) {
  double first, last;
  solace_dcdm_arch arch;
  solace_nn_net net = NULL;
  int64_t g32[2] = {32, 32};
  if (train_tiny("-seed 5 -tied 1 -grid 16", "train-t.h5", &first, &last)) return 1;
  printf("tiny run, tied, 16^2: loss %.4e -> %.4e\n", first, last);
  TEST_ASSERT(last <= 0.9 * first, "tied: loss %g -> %g did not drop by 10%%", first, last);
  TEST_CALL(solace_dcdm_net_load("train-t.h5", &arch, &net));
  TEST_ASSERT(arch.tied == 1 && arch.levels == 2, "the file says tied %d, %d levels", arch.tied,
              arch.levels);
  int64_t count = solace_nn_net_param_count(net);
  solace_nn_net_destroy(&net);
  TEST_CALL(solace_dcdm_net_load_for_grid("train-t.h5", 2, g32, 0, &arch, &net));
  TEST_ASSERT(arch.levels == 3 && solace_nn_net_param_count(net) == count,
              "at 32^2: %d levels, %lld parameters (file: %lld)", arch.levels,
              (long long)solace_nn_net_param_count(net), (long long)count);
  solace_nn_net_destroy(&net);
  if (train_tiny("-seed 5 -tied 1 -grid 16 -tied_depths 2 -level_gain 4 -linear_up 1", "train-t.h5",
                 &first, &last))
    return 1;
  printf("tiny run, tied, depths 2 and 1, level gain 4, linear: loss %.4e -> %.4e\n", first, last);
  TEST_ASSERT(last <= 0.9 * first, "tied depths: loss %g -> %g did not drop by 10%%", first, last);
  TEST_CALL(solace_dcdm_net_load("train-t.h5", &arch, &net));
  TEST_ASSERT(arch.level_gain == 4 && arch.levels == 2 && arch.linear_up == 1,
              "level gain %d, %d levels, linear %d", arch.level_gain, arch.levels, arch.linear_up);
  solace_nn_net_destroy(&net);
  if (train_tiny("-seed 5 -tied 1 -grid 16 -max_levels 3", "train-t.h5", &first, &last)) return 1;
  int64_t g64[2] = {64, 64};
  TEST_CALL(solace_dcdm_net_load_for_grid("train-t.h5", 2, g64, 0, &arch, &net));
  TEST_ASSERT(arch.max_levels == 3 && arch.levels == 3, "64^2 with the file's cap 3: %d levels",
              arch.levels);
  solace_nn_net_destroy(&net);
  TEST_CALL(solace_dcdm_net_load_for_grid("train-t.h5", 2, g64, 2, &arch, &net));
  TEST_ASSERT(arch.levels == 2, "64^2 with the caller's cap 2: %d levels", arch.levels);
  solace_nn_net_destroy(&net);
  /* -init from a tied file: an explicit -max_levels replaces the file's cap, weights unchanged. */
  int64_t steps, n1, n2;
  double *p1, *p2;
  TEST_CALL(solace_dcdm_train("-init train-t.h5 -grid 32 -max_levels 4 -lanczos 5 -steps 0 "
                              "-progress 3",
                              "train-t4.h5", &steps, NULL, NULL));
  if (read_params("train-t.h5", &p1, &n1) || read_params("train-t4.h5", &p2, &n2)) return 1;
  TEST_ASSERT(n1 == n2 && !memcmp(p1, p2, sizeof(double) * (size_t)n1),
              "-init -max_levels 4 changed the weights");
  free(p1), free(p2);
  TEST_CALL(solace_dcdm_net_load_for_grid("train-t4.h5", 2, g64, 0, &arch, &net));
  TEST_ASSERT(arch.max_levels == 4 && arch.levels == 4, "64^2 with the new cap 4: %d levels",
              arch.levels);
  solace_nn_net_destroy(&net);
  TEST_FAILS_WITH(solace_dcdm_train("-init train-t.h5 -grid 64 -lanczos 5 -steps 0 -progress 3",
                                    "never.h5", NULL, NULL, NULL),
                  SOLACE_ERR_ARG);
  printf("-init, cap 3, at 64^2: %s\n", solace_error_message());
  remove("train-t4.h5");
  if (train_tiny("-seed 5 -tied 1", "train-t.h5", &first, &last)) return 1;
  TEST_CALL(solace_dcdm_net_load("train-t.h5", &arch, &net));
  TEST_ASSERT(arch.tied == 1 && arch.levels == 1, "8^2: tied %d, %d levels", arch.tied,
              arch.levels);
  solace_nn_net_destroy(&net);
  remove("train-t.h5");
  return 0;
}

/* -deflate_block 4: the loss drops, the file records the block, a dcdm KSP with that file
 * deflates by default (KSPView), and -init from the file without -deflate_block keeps it. */
static int test_run_deflated(void) {
  double first, last;
  solace_dcdm_arch arch;
  solace_nn_net net = NULL;
  if (train_tiny("-seed 5 -deflate_block 4", "train-defl.h5", &first, &last)) return 1;
  printf("tiny run, deflation blocks of 4: loss %.4e -> %.4e\n", first, last);
  TEST_ASSERT(last <= 0.9 * first, "deflated: loss %g -> %g did not drop by 10%%", first, last);
  TEST_CALL(solace_dcdm_net_load("train-defl.h5", &arch, &net));
  solace_nn_net_destroy(&net);
  TEST_ASSERT(arch.deflate_block == 4, "the file says deflate_block %d", arch.deflate_block);
  TEST_CALL(solace_dcdm_train("-init train-defl.h5 -grid 8 -lanczos 5 -steps 0 -progress 3",
                              "train-defl2.h5", NULL, NULL, NULL));
  TEST_CALL(solace_dcdm_net_load("train-defl2.h5", &arch, &net));
  solace_nn_net_destroy(&net);
  TEST_ASSERT(arch.deflate_block == 4, "-init kept deflate_block %d", arch.deflate_block);
  solace_obstacle ob;
  KSP ksp;
  Vec b, x;
  char text[4096] = "";
  TEST_CALL(solace_obstacle_create(2, 8, "blobs", 1, &ob));
  CHECK(MatCreateVecs(ob->A, &x, &b));
  CHECK(VecSet(b, 1.0));
  CHECK(KSPCreate(PETSC_COMM_SELF, &ksp));
  CHECK(KSPSetType(ksp, SOLACE_KSPDCDM));
  CHECK(KSPSetOperators(ksp, ob->A, ob->A));
  CHECK(KSPSetDM(ksp, ob->da));
  CHECK(KSPSetDMActive(ksp, PETSC_FALSE));
  CHECK(SolaceKSPDCDMSetWeights(ksp, "train-defl.h5"));
  CHECK(KSPSolve(ksp, b, x));
  PetscViewer viewer;
  CHECK(PetscViewerASCIIOpen(PETSC_COMM_SELF, "train-defl-view.txt", &viewer));
  CHECK(KSPView(ksp, viewer));
  CHECK(PetscViewerDestroy(&viewer));
  FILE *f = fopen("train-defl-view.txt", "r");
  size_t got = f ? fread(text, 1, sizeof text - 1, f) : 0;
  text[got] = '\0';
  if (f) fclose(f);
  remove("train-defl-view.txt");
  TEST_ASSERT(strstr(text, "blocks of 4 cells per dimension (the weights file's)"), "KSPView: %s",
              text);
  KSPDestroy(&ksp), VecDestroy(&b), VecDestroy(&x);
  solace_obstacle_destroy(&ob);
  remove("train-defl.h5"), remove("train-defl2.h5");
  return 0;
}

static int test_run_levels(void) {
  double first, last;
  solace_dcdm_arch arch;
  solace_nn_net net = NULL;
  if (train_tiny("-seed 5 -levels 2", "train-d.h5", &first, &last)) return 1;
  printf("tiny run, 2 levels: loss %.4e -> %.4e\n", first, last);
  TEST_ASSERT(last <= 0.9 * first, "2 levels: loss %g -> %g did not drop by 10%%", first, last);
  TEST_CALL(solace_dcdm_net_load("train-d.h5", &arch, &net));
  TEST_ASSERT(arch.levels == 2, "the file says %d levels", arch.levels);
  solace_nn_net_destroy(&net);
  remove("train-d.h5");
  return test_run_tied() || test_run_deflated();
}

static int test_run(void) {
  double f1, l1, f2, l2, f3, l3, *p1, *p2, *p3;
  int64_t n1, n2, n3;
  if (train_tiny("-seed 5", "train-a.h5", &f1, &l1) ||
      train_tiny("-seed 5", "train-b.h5", &f2, &l2) ||
      train_tiny("-seed 6", "train-c.h5", &f3, &l3))
    return 1;
  printf("tiny run: loss %.4e -> %.4e (seed 6: %.4e -> %.4e)\n", f1, l1, f3, l3);
  TEST_ASSERT(l1 <= 0.9 * f1, "loss %g -> %g did not drop by 10%%", f1, l1);
  TEST_ASSERT(f1 == f2 && l1 == l2, "same seed, different losses");
  if (read_params("train-a.h5", &p1, &n1) || read_params("train-b.h5", &p2, &n2) ||
      read_params("train-c.h5", &p3, &n3))
    return 1;
  TEST_ASSERT(n1 == n2 && memcmp(p1, p2, sizeof(double) * (size_t)n1) == 0,
              "same seed, different weights");
  TEST_ASSERT(memcmp(p1, p3, sizeof(double) * (size_t)n1) != 0, "seeds 5 and 6 gave equal weights");
  free(p1), free(p2), free(p3);
  if (test_run_bias_free("train-a.h5") || test_run_init(f1)) return 1;
  remove("train-a.h5"), remove("train-b.h5"), remove("train-c.h5");
  return test_run_levels();
}

/* A blobs obstacle problem in CSR form with one right-hand side, through the public C ABI. */
typedef struct {
  int64_t rows, nnz, *start, *cols;
  double *vals, *b, *x;
} csr_problem;

static int csr_problem_load(int ndim, int64_t n, uint64_t obstacle_seed, uint64_t rhs_seed,
                            csr_problem *c) {
  solace_dcdm_problem p;
  TEST_CALL(solace_dcdm_problem_create(ndim, n, "blobs", obstacle_seed, &p));
  TEST_CALL(solace_dcdm_problem_get_size(p, &c->rows, &c->nnz, NULL));
  c->start = malloc(sizeof(int64_t) * (size_t)(c->rows + 1));
  c->cols = malloc(sizeof(int64_t) * (size_t)c->nnz);
  c->vals = malloc(sizeof(double) * (size_t)c->nnz);
  c->b = malloc(sizeof(double) * (size_t)c->rows);
  c->x = malloc(sizeof(double) * (size_t)c->rows);
  TEST_CALL(solace_dcdm_problem_get_csr(p, c->start, c->cols, c->vals));
  TEST_CALL(solace_dcdm_problem_get_rhs(p, rhs_seed, 0, c->b));
  TEST_CALL(solace_dcdm_problem_destroy(&p));
  return 0;
}

static void csr_problem_free(csr_problem *c) {
  free(c->start), free(c->cols), free(c->vals), free(c->b), free(c->x);
}

/* The validation score of a weights file, computed through the public solver: DCDM from x = 0
 * on the 2-D blobs problems of sizes n[0..count-1] with obstacle and right-hand side seed 1000. */
typedef struct {
  int64_t unconverged, iterations;
  double residual;
} score;

static int score_of(const char *weights, const int64_t *n, int count, score *s) {
  *s = (score){0};
  for (int k = 0; k < count; k++) {
    csr_problem c;
    int64_t its = 0, grid[2] = {n[k], n[k]};
    double res = 0.0;
    if (csr_problem_load(2, n[k], 1000, 1000, &c)) return 1;
    int status = solace_dcdm_solve_csr(weights, 2, grid, c.rows, c.start, c.cols, c.vals, c.b, c.x,
                                       1e-6, 60, &its, &res);
    TEST_ASSERT(status == SOLACE_SUCCESS || status == SOLACE_ERR_NOT_CONVERGED, "solve: %s",
                solace_error_message());
    s->unconverged += status != SOLACE_SUCCESS;
    s->iterations += its;
    s->residual = fmax(s->residual, res);
    csr_problem_free(&c);
  }
  return 0;
}

/* 1 when a is no worse than b: fewer unconverged solves, then fewer iterations, then a smaller
 * worst residual. */
static int score_no_worse(const score *a, const score *b) {
  if (a->unconverged != b->unconverged) return a->unconverged < b->unconverged;
  if (a->unconverged == 0 && a->iterations != b->iterations) return a->iterations < b->iterations;
  return a->residual <= b->residual;
}

static int same_params(const char *a, const char *b, int *same) {
  double *pa, *pb;
  int64_t na, nb;
  if (read_params(a, &pa, &na) || read_params(b, &pb, &nb)) return 1;
  *same = na == nb && memcmp(pa, pb, sizeof(double) * (size_t)na) == 0;
  free(pa), free(pb);
  return 0;
}

static int test_validate(void) {
  const int64_t sizes[2] = {8, 16};
  double first, last;
  score best, latest;
  int same;
  if (train_tiny("-seed 5 -checkpoint 10 -lr_final 3e-4 -validate_grid 8,16 -validate_max_it 60",
                 "train-v.h5", &first, &last) ||
      train_tiny("-seed 5 -checkpoint 10 -lr_final 3e-4", "train-nv.h5", &first, &last))
    return 1;
  if (same_params("train-v.h5.latest", "train-nv.h5", &same)) return 1;
  TEST_ASSERT(same, "validation changed the trained weights");
  if (score_of("train-v.h5", sizes, 2, &best) || score_of("train-v.h5.latest", sizes, 2, &latest))
    return 1;
  printf("validation: best %lld unconverged, %lld iterations, residual %.3e; latest %lld, %lld, "
         "%.3e\n",
         (long long)best.unconverged, (long long)best.iterations, best.residual,
         (long long)latest.unconverged, (long long)latest.iterations, latest.residual);
  TEST_ASSERT(score_no_worse(&best, &latest), "the kept checkpoint scores worse than the latest");
  /* -lr_final equal to -lr is the constant rate; a smaller one is not */
  if (train_tiny("-seed 5 -lr_final 3e-3", "train-c1.h5", &first, &last) ||
      train_tiny("-seed 5", "train-c2.h5", &first, &last))
    return 1;
  if (same_params("train-c1.h5", "train-c2.h5", &same)) return 1;
  TEST_ASSERT(same, "-lr_final equal to -lr changed the weights");
  if (same_params("train-nv.h5", "train-c2.h5", &same)) return 1;
  TEST_ASSERT(!same, "-lr_final 3e-4 gave the weights of the constant rate");
  remove("train-v.h5"), remove("train-v.h5.latest"), remove("train-nv.h5");
  remove("train-c1.h5"), remove("train-c2.h5");
  return 0;
}

#ifndef SOLACE_DCDM_DATA
#define SOLACE_DCDM_DATA "data/dcdm"
#endif

/* x = A^-1 b by PETSc's LU. */
static int lu_solve(solace_obstacle ob, const double *b, double *x) {
  KSP ksp;
  PC pc;
  Vec vb, vx;
  CHECK(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, (PetscInt)ob->cells, b, &vb));
  CHECK(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, (PetscInt)ob->cells, x, &vx));
  CHECK(KSPCreate(PETSC_COMM_SELF, &ksp));
  CHECK(KSPSetOperators(ksp, ob->A, ob->A));
  CHECK(KSPSetType(ksp, KSPPREONLY));
  CHECK(KSPGetPC(ksp, &pc));
  CHECK(PCSetType(pc, PCLU));
  CHECK(KSPSolve(ksp, vb, vx));
  CHECK(KSPDestroy(&ksp));
  CHECK(VecDestroy(&vb));
  CHECK(VecDestroy(&vx));
  return 0;
}

/* A solve of a held-out system: weights (NULL: CG) and solver options (solace_dcdm_solve_csr_opts).
 */
typedef struct {
  const char *weights, *options, *label;
} shipped_solver;

/* One held-out system at rtol 1e-8: `solver` reaches LU's solution within `bound` iterations and
 * in fewer than `reference` (run to convergence). */
static int check_shipped(int ndim, int64_t n, uint64_t obstacle_seed, shipped_solver solver,
                         shipped_solver reference, int64_t bound) {
  csr_problem c;
  solace_obstacle ob;
  int64_t its, ref_its, grid[3] = {n, n, n};
  double res;
  if (csr_problem_load(ndim, n, obstacle_seed, 11, &c)) return 1;
  TEST_CALL(solace_obstacle_create(ndim, n, "blobs", obstacle_seed, &ob));
  double *xlu = malloc(sizeof(double) * (size_t)c.rows);
  if (lu_solve(ob, c.b, xlu)) return 1;
  TEST_CALL(solace_dcdm_solve_csr_opts(reference.options, reference.weights, ndim, grid, c.rows,
                                       c.start, c.cols, c.vals, c.b, c.x, 1e-8, 100000, &ref_its,
                                       &res));
  TEST_CALL(solace_dcdm_solve_csr_opts(solver.options, solver.weights, ndim, grid, c.rows, c.start,
                                       c.cols, c.vals, c.b, c.x, 1e-8, bound, &its, &res));
  double d = 0.0, s = 0.0;
  for (int64_t i = 0; i < c.rows; i++)
    d += (c.x[i] - xlu[i]) * (c.x[i] - xlu[i]), s += xlu[i] * xlu[i];
  printf("shipped %dD %lld^%d blobs seed %llu: %s %lld iterations (bound %lld), %s %lld; "
         "residual %.2e, |x - x_LU| / |x_LU| = %.2e\n",
         ndim, (long long)n, ndim, (unsigned long long)obstacle_seed, solver.label, (long long)its,
         (long long)bound, reference.label, (long long)ref_its, res, sqrt(d / s));
  TEST_ASSERT(res <= 1e-8, "residual %g", res);
  TEST_ASSERT(sqrt(d / s) <= 1e-5, "%s differs from LU by %g", solver.label, sqrt(d / s));
  TEST_ASSERT(its < ref_its, "%s took %lld iterations, %s %lld", solver.label, (long long)its,
              reference.label, (long long)ref_its);
  free(xlu);
  csr_problem_free(&c);
  solace_obstacle_destroy(&ob);
  return 0;
}

/* Training from the shipped 2-D network (-init) at a rate that spoils it, with validation: the
 * run scores its start first, so it keeps the shipped weights bit for bit. */
static int check_init_keeps_start(void) {
  const char *start = SOLACE_DCDM_DATA "/dcdm-2d.h5";
  const int64_t sizes[2] = {16, 32};
  char options[512];
  score first, latest;
  int same;
  snprintf(options, sizeof options,
           "-init %s -grid 16 -obstacle blobs -operators 2 -lanczos 40 -steps 10 -batch 4 -lr 0.05 "
           "-checkpoint 5 -validate_grid 16,32 -validate_max_it 200 -progress 3",
           start);
  TEST_CALL(solace_dcdm_train(options, "train-i.h5", NULL, NULL, NULL));
  if (score_of(start, sizes, 2, &first) || score_of("train-i.h5.latest", sizes, 2, &latest) ||
      same_params("train-i.h5", start, &same))
    return 1;
  printf("from the shipped 2-D network at rate 0.05: %lld iterations, %lld unconverged at the "
         "start; %lld, %lld after 10 steps\n",
         (long long)first.iterations, (long long)first.unconverged, (long long)latest.iterations,
         (long long)latest.unconverged);
  TEST_ASSERT(!score_no_worse(&latest, &first), "10 steps at rate 0.05 did not spoil the network");
  TEST_ASSERT(same, "the run did not keep its better start");
  remove("train-i.h5"), remove("train-i.h5.latest");
  return 0;
}

static int test_shipped(void) {
  const char *net2 = SOLACE_DCDM_DATA "/dcdm-2d.h5", *net3 = SOLACE_DCDM_DATA "/dcdm-3d.h5";
  /* both files were trained for deflation blocks of 8 and deflate by default */
  const shipped_solver cg = {NULL, "", "CG"},
                       plain2 = {net2, "-deflate_block 0", "DCDM without deflation"},
                       default2 = {net2, "", "DCDM (the file's deflation blocks of 8)"},
                       plain3 = {net3, "-deflate_block 0", "DCDM without deflation"},
                       default3 = {net3, "", "DCDM (the file's deflation blocks of 8)"};
  return check_shipped(2, 64, 101, plain2, cg, SHIPPED_BOUND_2D_101) ||
         check_shipped(2, 64, 102, plain2, cg, SHIPPED_BOUND_2D_102) ||
         check_shipped(2, 128, 101, plain2, cg, SHIPPED_BOUND_2D_128) ||
         check_shipped(3, 16, 101, plain3, cg, SHIPPED_BOUND_3D_101) ||
         check_shipped(3, 32, 101, default3, cg, SHIPPED_BOUND_3D_32_DEFLATED) ||
         check_shipped(2, 128, 101, default2, plain2, SHIPPED_BOUND_2D_128_DEFLATED) ||
         check_init_keeps_start();
}

static int test_errors(void) {
  const char *bad[] = {"-gird 8",
                       "-grid 7",
                       "-grid abc",
                       "-ndim 4",
                       "-lr -1",
                       "-steps -2",
                       "-low_fraction 2",
                       "-operators 0",
                       "-obstacle bunny",
                       "-levels 0",
                       "-levels 8",
                       "-levels 4", /* 8 not divisible by 16 */
                       "-lr_final -1",
                       "-validate_grid 8,16,32,64,128",
                       "-validate_grid 7",
                       "-validate_rtol 2",
                       "-validate_max_it 0",
                       "-validate_grid 8 -checkpoint 0",
                       "-bias_free 2",
                       "-tied 2",
                       "-tied 1 -levels 2", /* an 8^2 grid gives a tied network 1 level */
                       "-tied 1 -grid 16 -levels 1",
                       "-tied_depths 2",         /* needs -tied 1 */
                       "-tied 1 -tied_depths 2", /* 8^2: one level */
                       "-level_gain 0",
                       "-level_gain 65",
                       "-linear_up 2",
                       "-max_levels 2",                  /* needs -tied 1 */
                       "-tied 1 -grid 16 -max_levels 1", /* below the training depth 2 */
                       "-tied 1 -max_levels 8",
                       "-deflate_block -1"};
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    char options[256]; /* a bad option wrongly accepted would make a short run, not a long one */
    snprintf(options, sizeof options, "-steps 0 -grid 8 -lanczos 5 -progress 3 %s", bad[k]);
    int status = solace_dcdm_train(options, "never.h5", NULL, NULL, NULL);
    TEST_ASSERT(status == SOLACE_ERR_ARG, "'%s' gave %s", bad[k], solace_status_string(status));
    printf("'%s': %s\n", bad[k], solace_error_message());
  }
  TEST_FAILS_WITH(solace_dcdm_train(NULL, "x.h5", NULL, NULL, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_dcdm_train("", NULL, NULL, NULL, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_dcdm_train("-grid 8 -lanczos 5 -steps 1 -progress 3", "/no/such/dir/w.h5",
                                    NULL, NULL, NULL),
                  SOLACE_ERR_IO);
  return 0;
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"lanczos", test_lanczos}, {"loss", test_loss},
                                    {"run", test_run},         {"validate", test_validate},
                                    {"errors", test_errors},   {"shipped", test_shipped}};
  return test_run_case(argc, argv, "t-train", cases, (int)(sizeof cases / sizeof cases[0]));
}
