/* The dcdm KSP (solvers/dcdm). One case per run, chosen by argv[1]:
 *  - cg: identity map, k = 2 (and k = 1, 3) on the 16x16 5-point Poisson matrix: the residual
 *    norms of the first 20 iterations equal PETSc CG's (unpreconditioned norm, PC none) to 1e-9
 *    relative to ||r_0||, the iterates x_j (j = 1, 5, 10, 15, 20) equal CG's to 1e-9 relative,
 *    and the solution at rtol 1e-12 equals PETSc LU's to 1e-8 relative; KSPView says "identity";
 *  - network: a seeded random DCDM network (2-D, 4 channels, 1/1/1 blocks) saved with its
 *    architecture and reloaded (outputs bit-exact, architecture read back); the KSP's first
 *    iterate equals one computed here from the network (mask, [1, 1, ny, nx] layout, step) to
 *    1e-12; then 300 iterations on a Poisson problem with a circular obstacle (solid cells as
 *    identity rows), by the setters, by options and with a DMDA (x0 = 1): the A-norm of the error
 *    never grows, solid cells of x stay exactly zero, and this untrained network stagnates, so
 *    each run ends with KSP_DIVERGED_ITS at 300 (asserted; a converged run would be checked
 *    against LU to 1e-6); KSPView names the file, the parameter count and the grid;
 *  - errors: a missing weights file, a plain nn file without the architecture, a file whose
 *    shapes differ from its architecture, a grid of the wrong size, odd grid sizes, no grid for
 *    a network, k < 1 (setter; the option sets k), a preconditioner, a NaN right-hand side, an
 *    indefinite matrix: PETSc errors with messages naming the file or value, or the documented
 *    KSPConvergedReason;
 *  - levels: a network with 3 coarse levels saved and reloaded (levels read back); the KSP's
 *    first iterate equals the one computed here; 50 iterations keep the A-norm of the error
 *    non-increasing and solid cells zero; KSPView says "levels 3"; a 12x12 grid (not divisible
 *    by 2^3) is refused; a file without dcdm_levels (the older format) loads as one level with
 *    the outputs of its network; dcdm_levels contradicting the weights, 0 or 99 are refused;
 *  - deflate: subdomain deflation with the identity map on the obstacle problem, blocks of 3 and
 *    8 cells: the residual norms after iteration j + 1 (iteration 1 is the coarse correction)
 *    equal those of PETSc's KSPCG + PCDEFLATION on the same block space (built in the test) after
 *    j to 1e-9 ||b||, iterates x_2, x_8, x_14 to 1e-9; at rtol 1e-12 the solution equals LU's to
 *    1e-8 in PETSc's count + 1 (+-1); A scaled in place is solved anew (x / 2); blocks of one
 *    cell end at iteration 1; b < 0 and deflation without a grid are refused; the option is the
 *    setter; on a 12^3 blobs problem with blocks of 5 the histories and iterates match too;
 *  - mpi (2 ranks): the network runs on rank 0 on the gathered grid; 20 iterations give the
 *    residual history and x of one rank to 1e-9 (rounding of the parallel reductions), for a
 *    bare Mat, a DMDA (whose ordering is not the natural one), the identity map, and with
 *    deflation blocks of 4 cells. */
#include <string.h>
#include <unistd.h>

#include <petscdmda.h>
#include <petscksp.h>

#include "solace/petsc.h"
#include "test-petsc.h"

#include "io/store-impl.h"
#include "operators/pde/obstacle.h"
#include "solvers/dcdm/dcdm-impl.h"

enum { GRID = 16, HISTORY = 21 };

/* Is cell (i, j) of the g x g grid inside the circular obstacle (centre of the grid, radius g/5)?
 */
static int solid_cell(PetscInt g, PetscInt i, PetscInt j) {
  double c = 0.5 * (double)(g - 1), di = (double)i - c, dj = (double)j - c, r = 0.2 * (double)g;
  return di * di + dj * dj <= r * r;
}

/* The g x g 5-point Poisson matrix with Dirichlet walls (natural order, x = i fastest); with an
 * obstacle, solid rows are identity rows and fluid rows have no coupling to solid cells. */
static PetscErrorCode poisson(PetscInt g, PetscBool obstacle, Mat *A) {
  PetscFunctionBegin;
  PetscCall(MatCreateSeqAIJ(PETSC_COMM_SELF, g * g, g * g, 5, NULL, A));
  for (PetscInt j = 0; j < g; j++)
    for (PetscInt i = 0; i < g; i++) {
      PetscInt row = i + g * j, cols[5], n = 0, ni[4] = {i - 1, i + 1, i, i},
               nj[4] = {j, j, j - 1, j + 1};
      PetscScalar vals[5], diag = 0.0;
      if (obstacle && solid_cell(g, i, j)) {
        PetscCall(MatSetValue(*A, row, row, 1.0, INSERT_VALUES));
        continue;
      }
      for (int s = 0; s < 4; s++) {
        diag += 1.0; /* a wall or a fluid neighbour; a solid neighbour is a no-flux face */
        if (ni[s] < 0 || ni[s] >= g || nj[s] < 0 || nj[s] >= g) continue;
        if (obstacle && solid_cell(g, ni[s], nj[s])) {
          diag -= 1.0;
          continue;
        }
        cols[n] = ni[s] + g * nj[s], vals[n++] = -1.0;
      }
      cols[n] = row, vals[n++] = diag;
      PetscCall(MatSetValues(*A, 1, &row, n, cols, vals, INSERT_VALUES));
    }
  PetscCall(MatAssemblyBegin(*A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*A, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

/* A fixed right-hand side, zero on solid cells when there is an obstacle. */
static PetscErrorCode rhs(PetscInt g, PetscBool obstacle, Vec b) {
  PetscScalar *v;
  PetscFunctionBegin;
  PetscCall(VecGetArray(b, &v));
  for (PetscInt j = 0; j < g; j++)
    for (PetscInt i = 0; i < g; i++)
      v[i + g * j] = obstacle && solid_cell(g, i, j)
                         ? 0.0
                         : sin(0.37 * (double)i + 0.11) * (1.0 + 0.05 * (double)j) + 0.2;
  PetscCall(VecRestoreArray(b, &v));
  PetscFunctionReturn(0);
}

/* A KSP of `type` on A, PC none, the given tolerances. */
static PetscErrorCode make_ksp(Mat A, KSPType type, PetscReal rtol, PetscInt max_it, KSP *ksp) {
  PC pc;
  PetscFunctionBegin;
  PetscCall(KSPCreate(PETSC_COMM_SELF, ksp));
  PetscCall(KSPSetType(*ksp, type));
  PetscCall(KSPSetOperators(*ksp, A, A));
  PetscCall(KSPGetPC(*ksp, &pc));
  PetscCall(PCSetType(pc, PCNONE));
  PetscCall(KSPSetNormType(*ksp, KSP_NORM_UNPRECONDITIONED));
  PetscCall(KSPSetTolerances(*ksp, rtol, 1e-50, PETSC_DEFAULT, max_it));
  PetscFunctionReturn(0);
}

/* x = LU solution of A x = b. */
static PetscErrorCode lu_solve(Mat A, Vec b, Vec x) {
  KSP lu;
  PC pc;
  PetscFunctionBegin;
  PetscCall(KSPCreate(PETSC_COMM_SELF, &lu));
  PetscCall(KSPSetType(lu, KSPPREONLY));
  PetscCall(KSPSetOperators(lu, A, A));
  PetscCall(KSPGetPC(lu, &pc));
  PetscCall(PCSetType(pc, PCLU));
  PetscCall(KSPSolve(lu, b, x));
  PetscCall(KSPDestroy(&lu));
  PetscFunctionReturn(0);
}

/* ||x - y|| / ||y||. */
static double relative_difference(Vec x, Vec y) {
  Vec w;
  PetscReal diff, norm;
  VecDuplicate(x, &w);
  VecWAXPY(w, -1.0, y, x);
  VecNorm(w, NORM_2, &diff);
  VecNorm(y, NORM_2, &norm);
  VecDestroy(&w);
  return diff / norm;
}

/* KSPView (ASCII, through a file) into text. */
static PetscErrorCode view_string(KSP ksp, char *text, size_t size) {
  PetscViewer viewer;
  char path[64];
  PetscFunctionBegin;
  snprintf(path, sizeof path, "t-dcdm-view-%ld.txt", (long)getpid());
  PetscCall(PetscViewerASCIIOpen(PETSC_COMM_SELF, path, &viewer));
  PetscCall(KSPView(ksp, viewer));
  PetscCall(PetscViewerDestroy(&viewer));
  FILE *f = fopen(path, "r");
  size_t n = f ? fread(text, 1, size - 1, f) : 0;
  text[n] = '\0';
  if (f) fclose(f);
  unlink(path);
  PetscFunctionReturn(0);
}

/* Solves with `type` (dcdm with k directions) and at most max_it iterations; writes x and the
 * residual history (hist[0..*nhist-1]). */
static PetscErrorCode run(Mat A, Vec b, KSPType type, PetscInt k, PetscReal rtol, PetscInt max_it,
                          Vec x, PetscReal *hist, PetscInt *nhist) {
  KSP ksp;
  PetscFunctionBegin;
  PetscCall(make_ksp(A, type, rtol, max_it, &ksp));
  if (!strcmp(type, SOLACE_KSPDCDM)) PetscCall(SolaceKSPDCDMSetDirections(ksp, k));
  if (hist) PetscCall(KSPSetResidualHistory(ksp, hist, HISTORY, PETSC_TRUE));
  PetscCall(KSPSolve(ksp, b, x));
  if (nhist) PetscCall(KSPGetResidualHistory(ksp, NULL, nhist));
  PetscCall(KSPDestroy(&ksp));
  PetscFunctionReturn(0);
}

static int test_cg(void) {
  Mat A;
  Vec b, x, y, x_lu;
  PetscReal hd[HISTORY], hc[HISTORY];
  PetscInt nd, nc;
  CHECK(poisson(GRID, PETSC_FALSE, &A));
  CHECK(MatCreateVecs(A, &x, &b));
  CHECK(VecDuplicate(x, &y));
  CHECK(VecDuplicate(x, &x_lu));
  CHECK(rhs(GRID, PETSC_FALSE, b));
  CHECK(run(A, b, KSPCG, 0, 1e-30, HISTORY - 1, y, hc, &nc));
  for (PetscInt k = 1; k <= 3; k++) {
    double worst = 0.0, worst_x = 0.0;
    CHECK(run(A, b, SOLACE_KSPDCDM, k, 1e-30, HISTORY - 1, x, hd, &nd));
    TEST_ASSERT(nd == nc && nd == HISTORY, "k = %d: %d dcdm norms, %d cg norms", (int)k, (int)nd,
                (int)nc);
    for (PetscInt j = 0; j < PetscMin(nd, nc); j++)
      worst = fmax(worst, fabs(hd[j] - hc[j]) / hc[0]);
    TEST_ASSERT(worst <= 1e-9, "k = %d: residual norms differ from CG's by %.3g ||r0||", (int)k,
                worst);
    for (PetscInt j = 1; j <= HISTORY - 1; j += j == 1 ? 4 : 5) {
      CHECK(run(A, b, SOLACE_KSPDCDM, k, 1e-30, j, x, NULL, NULL));
      CHECK(run(A, b, KSPCG, 0, 1e-30, j, y, NULL, NULL));
      worst_x = fmax(worst_x, relative_difference(x, y));
    }
    TEST_ASSERT(worst_x <= 1e-9, "k = %d: iterates differ from CG's by %.3g", (int)k, worst_x);
    printf("k = %d: first %d residual norms match CG's to %.2e ||r0||, iterates x_1..x_20 to "
           "%.2e relative\n",
           (int)k, HISTORY - 1, worst, worst_x);
  }
  /* the full solve against LU, and the iteration count against CG's */
  KSP ksp;
  PetscInt its_d, its_c;
  KSPConvergedReason reason;
  CHECK(make_ksp(A, SOLACE_KSPDCDM, 1e-12, 1000, &ksp));
  CHECK(KSPSolve(ksp, b, x));
  CHECK(KSPGetIterationNumber(ksp, &its_d));
  CHECK(KSPGetConvergedReason(ksp, &reason));
  char text[2048];
  CHECK(view_string(ksp, text, sizeof text));
  TEST_ASSERT(strstr(text, "identity") && strstr(text, "directions k = 2"), "KSPView: %s", text);
  CHECK(KSPDestroy(&ksp));
  CHECK(make_ksp(A, KSPCG, 1e-12, 1000, &ksp));
  CHECK(KSPSolve(ksp, b, y));
  CHECK(KSPGetIterationNumber(ksp, &its_c));
  CHECK(KSPDestroy(&ksp));
  CHECK(lu_solve(A, b, x_lu));
  double error = relative_difference(x, x_lu);
  TEST_ASSERT(reason == KSP_CONVERGED_RTOL, "dcdm ended with %s", KSPConvergedReasons[reason]);
  TEST_ASSERT(error <= 1e-8, "dcdm differs from LU by %.3g", error);
  TEST_ASSERT(labs((long)(its_d - its_c)) <= 1, "dcdm took %d iterations, CG %d", (int)its_d,
              (int)its_c);
  printf("rtol 1e-12: dcdm %d iterations, CG %d; dcdm vs LU %.2e relative\n", (int)its_d,
         (int)its_c, error);
  MatDestroy(&A), VecDestroy(&b), VecDestroy(&x), VecDestroy(&y), VecDestroy(&x_lu);
  return 0;
}

static const solace_dcdm_arch small_arch = {2, 4, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0};
#define WEIGHTS "t-dcdm-net.h5"

/* Writes the seeded small network to `path`. */
static int write_network(const char *path, uint64_t seed) {
  solace_nn_net net;
  TEST_CALL(solace_dcdm_net_create(&small_arch, &net));
  TEST_CALL(solace_nn_net_init(net, seed));
  TEST_CALL(solace_dcdm_net_save(net, &small_arch, path));
  solace_nn_net_destroy(&net);
  return 0;
}

/* The saved and reloaded networks give bit-identical outputs; the architecture comes back. */
static int check_roundtrip(void) {
  solace_nn_net a, b;
  solace_dcdm_arch arch;
  solace_nn_tensor *x;
  const solace_nn_tensor *ya, *yb;
  int64_t dims[2] = {GRID, GRID};
  TEST_CALL(solace_dcdm_net_create(&small_arch, &a));
  TEST_CALL(solace_nn_net_init(a, 7));
  TEST_CALL(solace_dcdm_net_load(WEIGHTS, &arch, &b));
  TEST_ASSERT(arch.ndim == 2 && arch.channels == 4 && arch.fine == 1 && arch.coarse == 1 &&
                  arch.after == 1,
              "architecture read back as %d %lld %d %d %d", arch.ndim, (long long)arch.channels,
              arch.fine, arch.coarse, arch.after);
  TEST_CALL(solace_nn_tensor_create(2, 1, 1, dims, &x));
  for (int64_t i = 0; i < GRID * GRID; i++) x->data[i] = sin(0.1 * (double)i);
  TEST_CALL(solace_nn_net_forward(a, x, &ya));
  TEST_CALL(solace_nn_net_forward(b, x, &yb));
  TEST_ASSERT(!memcmp(ya->data, yb->data, sizeof(double) * GRID * GRID),
              "reloaded network gives other outputs");
  solace_nn_tensor_destroy(&x);
  solace_nn_net_destroy(&a), solace_nn_net_destroy(&b);
  return 0;
}

/* Monitor: the A-norm of the error x_j - x_lu never grows (each step minimises it along q). */
typedef struct {
  Mat A;
  Vec x_lu, e, Ae;
  double last;
  int grew;
} energy_ctx;

static PetscErrorCode energy_monitor(KSP ksp, PetscInt its, PetscReal rnorm, void *ctx_) {
  energy_ctx *ctx = (energy_ctx *)ctx_;
  PetscScalar energy;
  Vec x;
  PetscFunctionBegin;
  (void)rnorm;
  PetscCall(KSPBuildSolution(ksp, NULL, &x));
  PetscCall(VecWAXPY(ctx->e, -1.0, ctx->x_lu, x));
  PetscCall(MatMult(ctx->A, ctx->e, ctx->Ae));
  PetscCall(VecDot(ctx->e, ctx->Ae, &energy));
  if (its > 0 && energy > ctx->last * (1 + 1e-12) + 1e-28) ctx->grew++;
  ctx->last = energy;
  PetscFunctionReturn(0);
}

/* One network solve; writes the reason, iterations and whether the residual ever grew. */
static int network_solve(KSP ksp, Vec b, Vec x, Vec x_lu, KSPConvergedReason *reason, PetscInt *its,
                         const char *what) {
  PetscReal hist[512];
  PetscInt nhist;
  Mat A;
  energy_ctx ctx = {0};
  CHECK(KSPGetOperators(ksp, &A, NULL));
  ctx.A = A, ctx.x_lu = x_lu;
  CHECK(VecDuplicate(x, &ctx.e));
  CHECK(VecDuplicate(x, &ctx.Ae));
  CHECK(KSPMonitorSet(ksp, energy_monitor, &ctx, NULL));
  CHECK(KSPSetResidualHistory(ksp, hist, 512, PETSC_TRUE));
  CHECK(KSPSolve(ksp, b, x));
  TEST_ASSERT(ctx.grew == 0, "%s: the A-norm of the error grew %d times", what, ctx.grew);
  VecDestroy(&ctx.e), VecDestroy(&ctx.Ae);
  CHECK(KSPGetConvergedReason(ksp, reason));
  CHECK(KSPGetIterationNumber(ksp, its));
  CHECK(KSPGetResidualHistory(ksp, NULL, &nhist));
  TEST_ASSERT(*reason == KSP_CONVERGED_RTOL || *reason == KSP_DIVERGED_ITS, "%s: ended with %s",
              what, KSPConvergedReasons[*reason]);
  if (*reason == KSP_CONVERGED_RTOL) {
    double error = relative_difference(x, x_lu);
    TEST_ASSERT(error <= 1e-6, "%s: converged but differs from LU by %.3g", what, error);
  }
  const PetscScalar *v;
  int nonzero = 0;
  CHECK(VecGetArrayRead(x, &v));
  for (PetscInt j = 0; j < GRID; j++)
    for (PetscInt i = 0; i < GRID; i++) nonzero += solid_cell(GRID, i, j) && v[i + GRID * j] != 0;
  CHECK(VecRestoreArrayRead(x, &v));
  TEST_ASSERT(nonzero == 0, "%s: %d solid cells of x are not zero", what, nonzero);
  if (getenv("DCDM_TEST_VERBOSE"))
    for (PetscInt j = 0; j < nhist; j += 10) printf("  %d %.6e\n", (int)j, (double)hist[j]);
  printf("%s: %s after %d iterations, ||r|| / ||r0|| = %.3e\n", what, KSPConvergedReasons[*reason],
         (int)*its, (double)(hist[nhist - 1] / hist[0]));
  return 0;
}

/* The network of `weights` as the test builds it: with tied_levels > 0 a tied network of that
 * many levels (the depth the test expects for its grid) holding the file's weights. */
static int test_network_of(const char *weights, int tied_levels, solace_nn_net *net) {
  solace_dcdm_arch a;
  TEST_CALL(solace_dcdm_net_load(weights, &a, net));
  if (!tied_levels) return 0;
  TEST_ASSERT(a.tied, "'%s' is not tied", weights);
  solace_nn_net_destroy(net);
  TEST_CALL(solace_nn_net_create_dcdm_tied(a.ndim, a.channels, a.fine, a.coarse, a.after,
                                           tied_levels, net));
  TEST_CALL(solace_nn_net_set_upsample_gain(*net, a.level_gain));
  if (a.linear_up) TEST_CALL(solace_nn_net_set_upsample_linear(*net));
  TEST_CALL(solace_nn_net_load(*net, weights));
  return 0;
}

/* The first iterate from x0 = 0 on the g x g problem, computed here from the reloaded network
 * (tied_levels: see test_network_of): q = mask(f(mask(b) / ||b||)), x_1 = q (q.b) / (q.Aq);
 * the KSP's x_1 must agree to 1e-12 relative. */
static int check_first_iterate(Mat A, Vec b, const char *weights, PetscInt g, int tied_levels) {
  solace_nn_net net;
  solace_nn_tensor *in;
  const solace_nn_tensor *out;
  int64_t dims[2] = {g, g};
  Vec q, aq, x;
  PetscScalar *qv, qb, qaq;
  const PetscScalar *bv;
  PetscReal bnorm;
  KSP ksp;
  if (test_network_of(weights, tied_levels, &net)) return 1;
  TEST_CALL(solace_nn_tensor_create(2, 1, 1, dims, &in));
  CHECK(VecNorm(b, NORM_2, &bnorm));
  CHECK(VecGetArrayRead(b, &bv));
  for (PetscInt j = 0; j < g; j++)
    for (PetscInt i = 0; i < g; i++) /* C order [1, 1, ny, nx]: x fastest */
      in->data[i + g * j] = solid_cell(g, i, j) ? 0.0 : bv[i + g * j] / bnorm;
  CHECK(VecRestoreArrayRead(b, &bv));
  TEST_CALL(solace_nn_net_forward(net, in, &out));
  CHECK(VecDuplicate(b, &q));
  CHECK(VecDuplicate(b, &aq));
  CHECK(VecDuplicate(b, &x));
  CHECK(VecGetArray(q, &qv));
  for (PetscInt j = 0; j < g; j++)
    for (PetscInt i = 0; i < g; i++)
      qv[i + g * j] = solid_cell(g, i, j) ? 0.0 : out->data[i + g * j];
  CHECK(VecRestoreArray(q, &qv));
  CHECK(MatMult(A, q, aq));
  CHECK(VecDot(q, b, &qb));
  CHECK(VecDot(q, aq, &qaq));
  CHECK(VecScale(q, qb / qaq));
  CHECK(make_ksp(A, SOLACE_KSPDCDM, 1e-30, 1, &ksp));
  CHECK(SolaceKSPDCDMSetWeights(ksp, weights));
  CHECK(SolaceKSPDCDMSetGrid(ksp, g, g, 0));
  CHECK(KSPSolve(ksp, b, x));
  double diff = relative_difference(x, q);
  TEST_ASSERT(diff <= 1e-12, "first iterate differs from the independent one by %.3g", diff);
  printf("first iterate equals the independently computed one to %.2e relative\n", diff);
  KSPDestroy(&ksp), VecDestroy(&q), VecDestroy(&aq), VecDestroy(&x);
  solace_nn_tensor_destroy(&in);
  solace_nn_net_destroy(&net);
  return 0;
}

static int test_network(void) {
  Mat A;
  Vec b, x, x_lu;
  KSP ksp;
  KSPConvergedReason reason[3];
  PetscInt its[3];
  char text[4096];
  if (write_network(WEIGHTS, 7) || check_roundtrip()) return 1;
  CHECK(poisson(GRID, PETSC_TRUE, &A));
  CHECK(MatCreateVecs(A, &x, &b));
  CHECK(VecDuplicate(x, &x_lu));
  CHECK(rhs(GRID, PETSC_TRUE, b));
  CHECK(lu_solve(A, b, x_lu));
  if (check_first_iterate(A, b, WEIGHTS, GRID, 0)) return 1;
  /* 1: setters, bare matrix with a grid; nonzero initial guess on the solid cells too */
  CHECK(make_ksp(A, SOLACE_KSPDCDM, 1e-8, 300, &ksp));
  CHECK(SolaceKSPDCDMSetWeights(ksp, WEIGHTS));
  CHECK(SolaceKSPDCDMSetGrid(ksp, GRID, GRID, 0));
  CHECK(KSPSetUp(ksp));
  CHECK(view_string(ksp, text, sizeof text));
  TEST_ASSERT(strstr(text, WEIGHTS) && strstr(text, "parameters") && strstr(text, "16 x 16"),
              "KSPView: %s", text);
  if (network_solve(ksp, b, x, x_lu, &reason[0], &its[0], "network, setters")) return 1;
  CHECK(KSPDestroy(&ksp));
  /* 2: options */
  CHECK(PetscOptionsSetValue(NULL, "-net_ksp_type", "dcdm"));
  CHECK(PetscOptionsSetValue(NULL, "-net_ksp_dcdm_weights", WEIGHTS));
  CHECK(PetscOptionsSetValue(NULL, "-net_ksp_dcdm_grid", "16,16"));
  CHECK(PetscOptionsSetValue(NULL, "-net_pc_type", "none"));
  CHECK(make_ksp(A, KSPGMRES, 1e-8, 300, &ksp));
  CHECK(KSPSetOptionsPrefix(ksp, "net_"));
  CHECK(KSPSetFromOptions(ksp));
  if (network_solve(ksp, b, x, x_lu, &reason[1], &its[1], "network, options")) return 1;
  CHECK(KSPDestroy(&ksp));
  CHECK(PetscOptionsClearValue(NULL, "-net_ksp_dcdm_grid"));
  /* 3: the grid from a DMDA */
  DM da;
  CHECK(DMDACreate2d(PETSC_COMM_SELF, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, GRID,
                     GRID, 1, 1, 1, 1, NULL, NULL, &da));
  CHECK(DMSetUp(da));
  CHECK(make_ksp(A, SOLACE_KSPDCDM, 1e-8, 300, &ksp));
  CHECK(KSPSetDM(ksp, da));
  CHECK(KSPSetDMActive(ksp, PETSC_FALSE));
  CHECK(SolaceKSPDCDMSetWeights(ksp, WEIGHTS));
  CHECK(VecSet(x, 1.0));
  CHECK(KSPSetInitialGuessNonzero(ksp, PETSC_TRUE));
  if (network_solve(ksp, b, x, x_lu, &reason[2], &its[2], "network, DMDA, x0 = 1")) return 1;
  CHECK(view_string(ksp, text, sizeof text));
  TEST_ASSERT(strstr(text, "DMDA"), "KSPView: %s", text);
  CHECK(KSPDestroy(&ksp));
  CHECK(DMDestroy(&da));
  /* What happens, deterministically: this untrained network stagnates (its direction barely
   * changes as r changes, so after A-orthogonalisation q.r ~ 0) and every run stops cleanly at
   * max_it. The first two runs are the same computation. */
  for (int i = 0; i < 3; i++)
    TEST_ASSERT(reason[i] == KSP_DIVERGED_ITS && its[i] == 300, "run %d: %s after %d", i,
                KSPConvergedReasons[reason[i]], (int)its[i]);
  TEST_ASSERT(reason[0] == reason[1] && its[0] == its[1], "setters %s/%d, options %s/%d",
              KSPConvergedReasons[reason[0]], (int)its[0], KSPConvergedReasons[reason[1]],
              (int)its[1]);
  MatDestroy(&A), VecDestroy(&b), VecDestroy(&x), VecDestroy(&x_lu);
  return 0;
}

/* Checks that `code` is `want` and PETSc's message of the error contains `needle`. */
static void expect_error(PetscErrorCode code, PetscErrorCode want, const char *needle,
                         const char *what) {
  char *specific = NULL;
  TEST_ASSERT(code == want, "%s: PETSc error %d, expected %d", what, (int)code, (int)want);
  PetscErrorMessage(code, NULL, &specific);
  TEST_ASSERT(specific && strstr(specific, needle), "%s: message '%s' lacks '%s'", what,
              specific ? specific : "(none)", needle);
  if (getenv("DCDM_TEST_VERBOSE")) printf("%s: %s\n", what, specific ? specific : "");
}

/* KSPSetUp of a dcdm KSP on A with the given weights and grid; returns its error code. */
static PetscErrorCode setup_with(Mat A, const char *weights, PetscInt nx, PetscInt ny) {
  KSP ksp;
  PetscCall(make_ksp(A, SOLACE_KSPDCDM, 1e-8, 10, &ksp));
  PetscCall(SolaceKSPDCDMSetWeights(ksp, weights));
  if (nx) PetscCall(SolaceKSPDCDMSetGrid(ksp, nx, ny, 0));
  PetscErrorCode code = KSPSetUp(ksp);
  KSPDestroy(&ksp);
  return code;
}

/* Rewrites root attribute dcdm_channels of a DCDM weights file. */
static int set_channels(const char *path, int64_t channels) {
  hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  TEST_ASSERT(file >= 0, "cannot open %s", path);
  if (file < 0) return 1;
  TEST_CALL(
      solace_h5_attr_put(file, "dcdm_channels", H5T_STD_I64LE, H5T_NATIVE_INT64, 0, &channels));
  H5Fclose(file);
  return 0;
}

static int test_errors(void) {
  Mat A, odd, M;
  Vec b, x;
  KSP ksp;
  KSPConvergedReason reason;
  const char *plain = "t-dcdm-plain.h5", *wrong = "t-dcdm-wrong.h5",
             *good = "t-dcdm-errors-net.h5"; /* not WEIGHTS: tests may run in parallel */
  CHECK(poisson(GRID, PETSC_TRUE, &A));
  CHECK(MatCreateVecs(A, &x, &b));
  /* weights files: missing, without the architecture, shapes not of the architecture */
  expect_error(setup_with(A, "no-such-dcdm-weights.h5", GRID, GRID), PETSC_ERR_FILE_OPEN,
               "no-such-dcdm-weights.h5", "missing file");
  solace_nn_net net;
  TEST_CALL(solace_dcdm_net_create(&small_arch, &net));
  TEST_CALL(solace_nn_net_save(net, plain));
  solace_nn_net_destroy(&net);
  expect_error(setup_with(A, plain, GRID, GRID), PETSC_ERR_FILE_UNEXPECTED, "dcdm_ndim",
               "file without architecture");
  if (write_network(wrong, 3) || set_channels(wrong, 8)) return 1;
  expect_error(setup_with(A, wrong, GRID, GRID), PETSC_ERR_FILE_UNEXPECTED, "shape",
               "wrong shapes");
  expect_error(setup_with(A, wrong, GRID, GRID), PETSC_ERR_FILE_UNEXPECTED, wrong,
               "wrong shapes (file named)");
  TEST_FAILS_WITH(solace_dcdm_net_load(wrong, NULL, &net), SOLACE_ERR_FORMAT);
  TEST_ASSERT(net == NULL, "a refused file left a network");
  TEST_FAILS_WITH(solace_dcdm_net_load("no-such-dcdm-weights.h5", NULL, &net), SOLACE_ERR_IO);
  /* grids: wrong size (identity and network), none for a network, odd sizes */
  if (write_network(good, 7)) return 1;
  expect_error(setup_with(A, NULL, GRID - 1, GRID), PETSC_ERR_ARG_SIZ, "256 rows",
               "grid of the wrong size");
  expect_error(setup_with(A, good, GRID, GRID + 2), PETSC_ERR_ARG_SIZ, "288 cells",
               "grid of the wrong size, network");
  expect_error(setup_with(A, good, 0, 0), PETSC_ERR_ARG_WRONGSTATE, "-ksp_dcdm_grid",
               "network without grid");
  CHECK(poisson(15, PETSC_FALSE, &odd));
  expect_error(setup_with(odd, good, 15, 15), PETSC_ERR_ARG_SIZ, "even", "odd grid");
  CHECK(MatDestroy(&odd));
  /* k < 1 by the setter and by the option; a preconditioner */
  CHECK(make_ksp(A, SOLACE_KSPDCDM, 1e-8, 10, &ksp));
  expect_error(SolaceKSPDCDMSetDirections(ksp, 0), PETSC_ERR_ARG_OUTOFRANGE, "k = 0", "k = 0");
  PetscInt k;
  CHECK(SolaceKSPDCDMGetDirections(ksp, &k));
  TEST_ASSERT(k == 2, "default k = %d", (int)k);
  /* the option reaches the same setter (an invalid value errors inside KSPSetFromOptions, where
   * PETSc 3.18 leaks its options-block strings, so it is checked through the setter above) */
  CHECK(PetscOptionsSetValue(NULL, "-bad_ksp_dcdm_directions", "3"));
  CHECK(KSPSetOptionsPrefix(ksp, "bad_"));
  CHECK(KSPSetFromOptions(ksp));
  CHECK(SolaceKSPDCDMGetDirections(ksp, &k));
  TEST_ASSERT(k == 3, "-ksp_dcdm_directions 3 gave k = %d", (int)k);
  CHECK(PetscOptionsClearValue(NULL, "-bad_ksp_dcdm_directions"));
  PC pc;
  CHECK(KSPGetPC(ksp, &pc));
  CHECK(PCSetType(pc, PCJACOBI));
  expect_error(KSPSetUp(ksp), PETSC_ERR_SUP, "pc_type none", "a preconditioner");
  CHECK(KSPDestroy(&ksp));
  /* a NaN right-hand side; an indefinite matrix (-A) */
  CHECK(make_ksp(A, SOLACE_KSPDCDM, 1e-8, 100, &ksp));
  CHECK(rhs(GRID, PETSC_TRUE, b));
  CHECK(VecSetValue(b, 3, NAN, INSERT_VALUES));
  CHECK(VecAssemblyBegin(b));
  CHECK(VecAssemblyEnd(b));
  CHECK(KSPSolve(ksp, b, x));
  CHECK(KSPGetConvergedReason(ksp, &reason));
  TEST_ASSERT(reason == KSP_DIVERGED_NANORINF, "NaN rhs: %s", KSPConvergedReasons[reason]);
  CHECK(rhs(GRID, PETSC_TRUE, b));
  CHECK(KSPSolve(ksp, b, x));
  CHECK(KSPGetConvergedReason(ksp, &reason));
  TEST_ASSERT(reason == KSP_CONVERGED_RTOL, "after NaN: %s", KSPConvergedReasons[reason]);
  CHECK(VecSet(b, 0.0));
  CHECK(KSPSolve(ksp, b, x));
  PetscReal norm;
  CHECK(VecNorm(x, NORM_2, &norm));
  CHECK(KSPGetConvergedReason(ksp, &reason));
  TEST_ASSERT(reason > 0 && norm == 0.0, "b = 0: %s, ||x|| = %g", KSPConvergedReasons[reason],
              (double)norm);
  CHECK(MatDuplicate(A, MAT_COPY_VALUES, &M));
  CHECK(MatScale(M, -1.0));
  CHECK(KSPSetOperators(ksp, M, M));
  CHECK(rhs(GRID, PETSC_TRUE, b));
  CHECK(KSPSolve(ksp, b, x));
  CHECK(KSPGetConvergedReason(ksp, &reason));
  TEST_ASSERT(reason == KSP_DIVERGED_INDEFINITE_MAT, "-A: %s", KSPConvergedReasons[reason]);
  CHECK(KSPDestroy(&ksp));
  MatDestroy(&M), MatDestroy(&A), VecDestroy(&b), VecDestroy(&x);
  return 0;
}

/* Sets (value >= 0) or deletes (value < 0) root attribute dcdm_levels of a DCDM weights file. */
static int set_levels(const char *path, int64_t value) {
  hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  TEST_ASSERT(file >= 0, "cannot open %s", path);
  if (file < 0) return 1;
  if (value >= 0)
    TEST_CALL(solace_h5_attr_put(file, "dcdm_levels", H5T_STD_I64LE, H5T_NATIVE_INT64, 0, &value));
  else
    TEST_ASSERT(H5Adelete(file, "dcdm_levels") >= 0, "cannot delete dcdm_levels of %s", path);
  H5Fclose(file);
  return 0;
}

/* A file written without dcdm_levels (the format before it existed) loads as one level and
 * gives the outputs of the network it was written from; levels that do not fit the weights,
 * or are out of range, are refused. */
static int check_levels_format(Mat A) {
  const char *old = "t-dcdm-old.h5";
  solace_nn_net net = NULL, ref;
  solace_dcdm_arch arch;
  solace_nn_tensor *x;
  const solace_nn_tensor *ya, *yb;
  int64_t dims[2] = {GRID, GRID};
  if (write_network(old, 7) || set_levels(old, -1)) return 1;
  TEST_CALL(solace_dcdm_net_load(old, &arch, &net));
  TEST_ASSERT(arch.levels == 1, "a file without dcdm_levels read as %d levels", arch.levels);
  TEST_CALL(solace_dcdm_net_create(&small_arch, &ref));
  TEST_CALL(solace_nn_net_init(ref, 7));
  TEST_CALL(solace_nn_tensor_create(2, 1, 1, dims, &x));
  for (int64_t i = 0; i < GRID * GRID; i++) x->data[i] = cos(0.3 * (double)i);
  TEST_CALL(solace_nn_net_forward(ref, x, &ya));
  TEST_CALL(solace_nn_net_forward(net, x, &yb));
  TEST_ASSERT(!memcmp(ya->data, yb->data, sizeof(double) * GRID * GRID),
              "a file without dcdm_levels gives other outputs");
  solace_nn_tensor_destroy(&x);
  solace_nn_net_destroy(&net), solace_nn_net_destroy(&ref);
  if (set_levels(old, 2)) return 1; /* weights of 1 level, attributes saying 2 */
  TEST_FAILS_WITH(solace_dcdm_net_load(old, NULL, &net), SOLACE_ERR_FORMAT);
  TEST_ASSERT(net == NULL, "a refused file left a network");
  expect_error(setup_with(A, old, GRID, GRID), PETSC_ERR_FILE_UNEXPECTED, "levels 2",
               "levels that do not fit the weights");
  if (set_levels(old, 0)) return 1;
  expect_error(setup_with(A, old, GRID, GRID), PETSC_ERR_FILE_UNEXPECTED, "levels = 0", "levels 0");
  if (set_levels(old, 99)) return 1;
  TEST_FAILS_WITH(solace_dcdm_net_load(old, NULL, &net), SOLACE_ERR_FORMAT);
  remove(old);
  return 0;
}

/* A network with 3 coarse levels (16 -> 8 -> 4 -> 2) through the KSP. */
static int test_levels(void) {
  static const solace_dcdm_arch deep = {2, 4, 1, 1, 1, 3, 0, 0, 1, 0, 0, 0};
  const char *path = "t-dcdm-levels.h5";
  solace_nn_net net;
  solace_dcdm_arch arch;
  Mat A, M;
  Vec b, x, x_lu;
  KSP ksp;
  KSPConvergedReason reason;
  PetscInt its;
  char text[4096];
  TEST_CALL(solace_dcdm_net_create(&deep, &net));
  TEST_CALL(solace_nn_net_init(net, 11));
  TEST_CALL(solace_dcdm_net_save(net, &deep, path));
  solace_nn_net_destroy(&net);
  TEST_CALL(solace_dcdm_net_load(path, &arch, &net));
  TEST_ASSERT(arch.levels == 3, "levels read back as %d", arch.levels);
  solace_nn_net_destroy(&net);
  CHECK(poisson(GRID, PETSC_TRUE, &A));
  CHECK(MatCreateVecs(A, &x, &b));
  CHECK(VecDuplicate(x, &x_lu));
  CHECK(rhs(GRID, PETSC_TRUE, b));
  CHECK(lu_solve(A, b, x_lu));
  if (check_first_iterate(A, b, path, GRID, 0)) return 1;
  CHECK(make_ksp(A, SOLACE_KSPDCDM, 1e-8, 50, &ksp));
  CHECK(SolaceKSPDCDMSetWeights(ksp, path));
  CHECK(SolaceKSPDCDMSetGrid(ksp, GRID, GRID, 0));
  CHECK(KSPSetUp(ksp));
  CHECK(view_string(ksp, text, sizeof text));
  TEST_ASSERT(strstr(text, "levels 3"), "KSPView: %s", text);
  if (network_solve(ksp, b, x, x_lu, &reason, &its, "network, 3 levels")) return 1;
  CHECK(KSPDestroy(&ksp));
  CHECK(poisson(12, PETSC_FALSE, &M)); /* 12 is even but not divisible by 2^3 */
  expect_error(setup_with(M, path, 12, 12), PETSC_ERR_ARG_SIZ, "divisible by 8",
               "grid not divisible by 2^levels");
  CHECK(MatDestroy(&M));
  if (check_levels_format(A)) return 1;
  remove(path);
  MatDestroy(&A), VecDestroy(&b), VecDestroy(&x), VecDestroy(&x_lu);
  return 0;
}

/* The tied network of `path` rewritten with dcdm_max_levels = 2: on the 32^2 operator A the KSP
 * builds 2 levels instead of the grid's 3. */
static int check_file_cap(const char *path, Mat A) {
  const char *capped = "t-dcdm-tied-cap.h5";
  solace_dcdm_arch arch;
  solace_nn_net net;
  KSP ksp;
  char text[4096];
  TEST_CALL(solace_dcdm_net_load(path, &arch, &net));
  arch.max_levels = 2;
  TEST_CALL(solace_dcdm_net_save(net, &arch, capped));
  solace_nn_net_destroy(&net);
  CHECK(make_ksp(A, SOLACE_KSPDCDM, 1e-8, 10, &ksp));
  CHECK(SolaceKSPDCDMSetWeights(ksp, capped));
  CHECK(SolaceKSPDCDMSetGrid(ksp, 2 * GRID, 2 * GRID, 0));
  CHECK(KSPSetUp(ksp));
  CHECK(view_string(ksp, text, sizeof text));
  TEST_ASSERT(strstr(text, "levels 2 (tied, from the grid, the file's max_levels)"),
              "KSPView with the file's cap: %s", text);
  CHECK(KSPDestroy(&ksp));
  remove(capped);
  return 0;
}

/* A tied network (written at 3 levels; linear upsampling, gain 4) through the KSP: its depth
 * follows the grid (2 levels
 * at 16^2, 3 at 32^2, 1 at 18^2, where 18 / 4 is not whole), the first iterates equal ones
 * computed from networks the test builds at those depths, one KSP rebuilds the network when it
 * gets a larger operator or -ksp_dcdm_max_levels caps its depth, and an odd grid is refused. */
static int test_tied(void) {
  static const solace_dcdm_arch tied = {2, 4, 1, 1, 1, 3, 0, 1, 4, 1, 0, 0}; /* gain 4, linear */
  const char *path = "t-dcdm-tied.h5";
  solace_nn_net net;
  solace_dcdm_arch arch;
  Mat A[2], M;
  Vec b[2], x, x_lu;
  KSP ksp;
  KSPConvergedReason reason;
  PetscInt its, g[2] = {GRID, 2 * GRID};
  char text[4096];
  TEST_CALL(solace_dcdm_net_create(&tied, &net));
  TEST_CALL(solace_nn_net_init(net, 13));
  TEST_CALL(solace_dcdm_net_save(net, &tied, path));
  solace_nn_net_destroy(&net);
  TEST_CALL(solace_dcdm_net_load(path, &arch, &net));
  TEST_ASSERT(arch.tied == 1 && arch.levels == 3, "read back tied %d, levels %d", arch.tied,
              arch.levels);
  solace_nn_net_destroy(&net);
  for (int k = 0; k < 2; k++) {
    CHECK(poisson(g[k], PETSC_TRUE, &A[k]));
    CHECK(MatCreateVecs(A[k], NULL, &b[k]));
    CHECK(rhs(g[k], PETSC_TRUE, b[k]));
    if (check_first_iterate(A[k], b[k], path, g[k], 2 + k)) return 1;
  }
  CHECK(VecDuplicate(b[0], &x));
  CHECK(VecDuplicate(b[0], &x_lu));
  CHECK(lu_solve(A[0], b[0], x_lu));
  CHECK(make_ksp(A[0], SOLACE_KSPDCDM, 1e-8, 50, &ksp));
  CHECK(SolaceKSPDCDMSetWeights(ksp, path));
  CHECK(SolaceKSPDCDMSetGrid(ksp, GRID, GRID, 0));
  CHECK(KSPSetUp(ksp));
  CHECK(view_string(ksp, text, sizeof text));
  TEST_ASSERT(strstr(text, "levels 2 (tied, from the grid)"), "KSPView at 16^2: %s", text);
  if (network_solve(ksp, b[0], x, x_lu, &reason, &its, "tied network, 16^2")) return 1;
  CHECK(KSPReset(ksp)); /* keeps the loaded network, which the new grid must replace */
  CHECK(KSPSetOperators(ksp, A[1], A[1]));
  CHECK(SolaceKSPDCDMSetGrid(ksp, 2 * GRID, 2 * GRID, 0));
  CHECK(KSPSetUp(ksp));
  CHECK(view_string(ksp, text, sizeof text));
  TEST_ASSERT(strstr(text, "levels 3 (tied, from the grid)"), "KSPView at 32^2: %s", text);
  CHECK(PetscOptionsSetValue(NULL, "-ksp_dcdm_max_levels", "2")); /* cap the depth */
  CHECK(KSPSetFromOptions(ksp));
  CHECK(KSPSetUp(ksp));
  CHECK(view_string(ksp, text, sizeof text));
  TEST_ASSERT(strstr(text, "levels 2 (tied, from the grid, -ksp_dcdm_max_levels)"),
              "KSPView at 32^2 capped at 2: %s", text);
  /* a negative cap fails inside KSPSetFromOptions, where PETSc 3.18 leaks its options-block
   * strings (see dcdm-errors), so it is not exercised here */
  CHECK(PetscOptionsClearValue(NULL, "-ksp_dcdm_max_levels"));
  CHECK(KSPDestroy(&ksp));
  if (check_file_cap(path, A[1])) return 1;
  CHECK(poisson(18, PETSC_FALSE, &M));
  CHECK(setup_with(M, path, 18, 18)); /* one level: 18 = 2 x 9 */
  CHECK(MatDestroy(&M));
  CHECK(poisson(17, PETSC_FALSE, &M));
  expect_error(setup_with(M, path, 17, 17), PETSC_ERR_ARG_SIZ, "even grid sizes", "odd grid");
  CHECK(MatDestroy(&M));
  remove(path);
  for (int k = 0; k < 2; k++) MatDestroy(&A[k]), VecDestroy(&b[k]);
  VecDestroy(&x), VecDestroy(&x_lu);
  return 0;
}

/* The grid of the deflation checks: n^ndim cells, solid[] marks the solid ones. */
typedef struct {
  int ndim;
  PetscInt n;
  unsigned char *solid;
} deflation_grid;

/* The subdomain deflation space of -ksp_dcdm_deflate_block b on grid g, built here on its own:
 * one column per block of b^ndim cells holding fluid cells (in natural block order), the
 * indicator of those cells. *m is its number of columns. */
static PetscErrorCode block_indicators(const deflation_grid *g, PetscInt b, Mat *W, PetscInt *m) {
  PetscInt n = g->n, nb = (n + b - 1) / b, cells = g->ndim == 3 ? n * n * n : n * n;
  PetscInt nblocks = g->ndim == 3 ? nb * nb * nb : nb * nb, *column, *first;
  PetscFunctionBegin;
  PetscCall(PetscMalloc2(nblocks, &column, nblocks, &first));
  for (PetscInt k = 0; k < nblocks; k++) column[k] = -1, first[k] = cells;
  for (PetscInt c = cells - 1; c >= 0; c--) /* the first fluid cell of every block, if any */
    if (!g->solid[c]) {
      PetscInt i = c % n, j = (c / n) % n, l = c / (n * n);
      first[i / b + nb * (j / b + nb * (l / b))] = c;
    }
  *m = 0;
  for (PetscInt k = 0; k < nblocks; k++)
    if (first[k] < cells) column[k] = (*m)++;
  PetscCall(MatCreateSeqAIJ(PETSC_COMM_SELF, cells, *m, 1, NULL, W));
  for (PetscInt c = 0; c < cells; c++) {
    if (g->solid[c]) continue;
    PetscInt i = c % n, j = (c / n) % n, l = c / (n * n);
    PetscCall(MatSetValue(*W, c, column[i / b + nb * (j / b + nb * (l / b))], 1.0, INSERT_VALUES));
  }
  PetscCall(MatAssemblyBegin(*W, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*W, MAT_FINAL_ASSEMBLY));
  PetscCall(PetscFree2(column, first));
  PetscFunctionReturn(0);
}

/* PETSc's deflated CG: KSPCG with PCDEFLATION on W (additional PC none), from x = 0, at most
 * max_it iterations; writes x and the residual history. */
static PetscErrorCode petsc_deflated_cg(Mat A, Mat W, Vec b, PetscReal rtol, PetscInt max_it, Vec x,
                                        PetscReal *hist, PetscInt *nhist, PetscInt *its) {
  KSP ksp;
  PC pc;
  PetscFunctionBegin;
  PetscCall(VecZeroEntries(x)); /* PCDEFLATION's pre-solve reads x even with a zero guess */
  PetscCall(make_ksp(A, KSPCG, rtol, max_it, &ksp));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PCSetType(pc, PCDEFLATION));
  PetscCall(PCDeflationSetSpace(pc, W, PETSC_FALSE));
  if (hist) PetscCall(KSPSetResidualHistory(ksp, hist, HISTORY, PETSC_TRUE));
  PetscCall(KSPSolve(ksp, b, x));
  if (nhist) PetscCall(KSPGetResidualHistory(ksp, NULL, nhist));
  if (its) PetscCall(KSPGetIterationNumber(ksp, its));
  PetscCall(KSPDestroy(&ksp));
  PetscFunctionReturn(0);
}

/* The dcdm KSP (identity map) with deflation blocks of b cells on the bare matrix of grid g. */
static PetscErrorCode deflated_dcdm(const deflation_grid *g, Mat A, PetscInt b, PetscReal rtol,
                                    PetscInt max_it, KSP *ksp) {
  PetscFunctionBegin;
  PetscCall(make_ksp(A, SOLACE_KSPDCDM, rtol, max_it, ksp));
  PetscCall(SolaceKSPDCDMSetGrid(*ksp, g->n, g->n, g->ndim == 3 ? g->n : 0));
  PetscCall(SolaceKSPDCDMSetDeflationBlock(*ksp, b));
  PetscFunctionReturn(0);
}

/* Identity map + deflation against PETSc's deflated CG on the same space: the residual norms
 * after iteration j + 1 (iteration 1 is the coarse correction) equal PETSc's after j. */
static int check_deflated_history(const deflation_grid *g, Mat A, Vec b, Vec x, Vec y,
                                  PetscInt block) {
  Mat W;
  KSP ksp;
  PetscReal hd[HISTORY], hp[HISTORY];
  PetscInt nd, np, m;
  double worst = 0.0, worst_x = 0.0;
  CHECK(block_indicators(g, block, &W, &m));
  CHECK(petsc_deflated_cg(A, W, b, 1e-30, HISTORY - 2, y, hp, &np, NULL));
  CHECK(deflated_dcdm(g, A, block, 1e-30, HISTORY - 1, &ksp));
  CHECK(KSPSetResidualHistory(ksp, hd, HISTORY, PETSC_TRUE));
  CHECK(KSPSolve(ksp, b, x));
  CHECK(KSPGetResidualHistory(ksp, NULL, &nd));
  CHECK(KSPDestroy(&ksp));
  TEST_ASSERT(nd == HISTORY && np == HISTORY - 1, "%d dcdm norms, %d PETSc norms", (int)nd,
              (int)np);
  for (PetscInt j = 0; j < np; j++) worst = fmax(worst, fabs(hd[j + 1] - hp[j]) / hd[0]);
  TEST_ASSERT(worst <= 1e-9, "block %d: residual norms differ from PETSc's by %.3g ||b||",
              (int)block, worst);
  for (PetscInt j = 1; j <= 13; j += 6) { /* iterates x_2, x_8, x_14 against PETSc's x_j-1 */
    CHECK(deflated_dcdm(g, A, block, 1e-30, j + 1, &ksp));
    CHECK(KSPSolve(ksp, b, x));
    CHECK(KSPDestroy(&ksp));
    CHECK(petsc_deflated_cg(A, W, b, 1e-30, j, y, NULL, NULL, NULL));
    worst_x = fmax(worst_x, relative_difference(x, y));
  }
  TEST_ASSERT(worst_x <= 1e-9, "block %d: iterates differ from PETSc's by %.3g", (int)block,
              worst_x);
  printf("%d-D, deflation block %d (%d coarse vectors): %d residual norms match PETSc's deflated "
         "CG to %.1e ||b||, iterates to %.1e\n",
         g->ndim, (int)block, (int)m, (int)np, worst, worst_x);
  MatDestroy(&W);
  return 0;
}

/* Solves to rtol 1e-12: the solution against LU (1e-8) and the count against PETSc's + 1. */
static int check_deflated_solve(const deflation_grid *g, Mat A, Vec b, Vec x, Vec y, Vec x_lu,
                                PetscInt block) {
  Mat W;
  KSP ksp;
  PetscInt its, its_petsc, m;
  KSPConvergedReason reason;
  char text[4096];
  CHECK(deflated_dcdm(g, A, block, 1e-12, 1000, &ksp));
  CHECK(KSPSolve(ksp, b, x));
  CHECK(KSPGetIterationNumber(ksp, &its));
  CHECK(KSPGetConvergedReason(ksp, &reason));
  CHECK(view_string(ksp, text, sizeof text));
  CHECK(KSPDestroy(&ksp));
  CHECK(block_indicators(g, block, &W, &m));
  CHECK(petsc_deflated_cg(A, W, b, 1e-12, 1000, y, NULL, NULL, &its_petsc));
  MatDestroy(&W);
  double error = relative_difference(x, x_lu);
  TEST_ASSERT(reason == KSP_CONVERGED_RTOL && error <= 1e-8, "block %d: %s, %.3g from LU",
              (int)block, KSPConvergedReasons[reason], error);
  TEST_ASSERT(labs((long)(its - 1 - its_petsc)) <= 1, "block %d: %d iterations, PETSc %d + 1",
              (int)block, (int)its, (int)its_petsc);
  TEST_ASSERT(strstr(text, "subdomain deflation: blocks of") && strstr(text, "coarse unknowns"),
              "KSPView: %s", text);
  printf("deflation block %d, rtol 1e-12: %d iterations (PETSc deflated CG %d + the coarse "
         "correction), %.1e from LU\n",
         (int)block, (int)its, (int)its_petsc, error);
  return 0;
}

/* A changed operator (same Mat, new state) gets a new coarse space: A scaled by 2 gives x / 2. */
static int check_deflated_new_operator(const deflation_grid *g, Mat A, Vec b, Vec x, Vec x_lu) {
  KSP ksp;
  Vec half;
  KSPConvergedReason reason;
  CHECK(VecDuplicate(x, &half));
  CHECK(deflated_dcdm(g, A, 4, 1e-12, 1000, &ksp));
  CHECK(KSPSolve(ksp, b, x));
  CHECK(MatScale(A, 2.0));
  CHECK(KSPSolve(ksp, b, x));
  CHECK(KSPGetConvergedReason(ksp, &reason));
  CHECK(MatScale(A, 0.5));
  CHECK(VecAXPBY(half, 0.5, 0.0, x_lu));
  double error = relative_difference(x, half);
  TEST_ASSERT(reason == KSP_CONVERGED_RTOL && error <= 1e-8, "scaled A: %s, %.3g from LU / 2",
              KSPConvergedReasons[reason], error);
  KSPDestroy(&ksp), VecDestroy(&half);
  return 0;
}

/* Deflation that is the whole solve (blocks of one cell: E = A on the fluid cells) ends at
 * iteration 1; bad block sizes and deflation without a grid are refused. */
static int check_deflated_edges(const deflation_grid *g, Mat A, Vec b, Vec x, Vec x_lu) {
  KSP ksp;
  PetscInt its;
  KSPConvergedReason reason;
  CHECK(deflated_dcdm(g, A, 1, 1e-10, 100, &ksp));
  CHECK(KSPSolve(ksp, b, x));
  CHECK(KSPGetIterationNumber(ksp, &its));
  CHECK(KSPGetConvergedReason(ksp, &reason));
  double error = relative_difference(x, x_lu);
  TEST_ASSERT(reason == KSP_CONVERGED_RTOL && its == 1 && error <= 1e-10,
              "block 1: %s after %d, %.3g from LU", KSPConvergedReasons[reason], (int)its, error);
  expect_error(SolaceKSPDCDMSetDeflationBlock(ksp, -1), PETSC_ERR_ARG_OUTOFRANGE, "must be >= 0",
               "block -1");
  CHECK(KSPDestroy(&ksp));
  CHECK(make_ksp(A, SOLACE_KSPDCDM, 1e-10, 100, &ksp));
  CHECK(SolaceKSPDCDMSetDeflationBlock(ksp, 4));
  expect_error(KSPSolve(ksp, b, x), PETSC_ERR_ARG_WRONGSTATE, "needs the grid", "no grid");
  CHECK(KSPDestroy(&ksp));
  return 0;
}

/* Subdomain deflation (-ksp_dcdm_deflate_block) on the 16 x 16 obstacle problem: with the
 * identity map it is deflated CG, checked against PETSc's KSPCG + PCDEFLATION on the same block
 * space (built here); the option gives what the setter gives. */
/* The 3-D check: a 12^3 blobs obstacle problem, blocks of 5 (cut by the walls). */
static int check_deflated_3d(void) {
  solace_obstacle ob;
  Vec b, x, y;
  PetscScalar *bv;
  TEST_CALL(solace_obstacle_create(3, 12, "blobs", 3, &ob));
  deflation_grid g = {3, 12, ob->solid};
  CHECK(MatCreateVecs(ob->A, &x, &b));
  CHECK(VecDuplicate(x, &y));
  CHECK(VecGetArray(b, &bv));
  TEST_CALL(solace_obstacle_rhs(ob, 5, 0, bv));
  CHECK(VecRestoreArray(b, &bv));
  if (check_deflated_history(&g, ob->A, b, x, y, 5)) return 1;
  VecDestroy(&b), VecDestroy(&x), VecDestroy(&y);
  solace_obstacle_destroy(&ob);
  return 0;
}

static int test_deflate(void) {
  Mat A;
  Vec b, x, y, x_lu;
  unsigned char solid[GRID * GRID];
  for (PetscInt c = 0; c < GRID * GRID; c++)
    solid[c] = (unsigned char)solid_cell(GRID, c % GRID, c / GRID);
  deflation_grid g = {2, GRID, solid};
  CHECK(poisson(GRID, PETSC_TRUE, &A));
  CHECK(MatCreateVecs(A, &x, &b));
  CHECK(VecDuplicate(x, &y));
  CHECK(VecDuplicate(x, &x_lu));
  CHECK(rhs(GRID, PETSC_TRUE, b));
  CHECK(lu_solve(A, b, x_lu));
  for (PetscInt block = 3; block <= 8; block += 5) /* 3: blocks cut by the walls, 8: 4 blocks */
    if (check_deflated_history(&g, A, b, x, y, block) ||
        check_deflated_solve(&g, A, b, x, y, x_lu, block))
      return 1;
  if (check_deflated_new_operator(&g, A, b, x, x_lu) || check_deflated_edges(&g, A, b, x, x_lu) ||
      check_deflated_3d())
    return 1;
  /* the option */
  KSP ksp;
  PetscInt its[2];
  CHECK(PetscOptionsSetValue(NULL, "-defl_ksp_dcdm_deflate_block", "4"));
  for (int i = 0; i < 2; i++) {
    CHECK(make_ksp(A, SOLACE_KSPDCDM, 1e-10, 100, &ksp));
    CHECK(SolaceKSPDCDMSetGrid(ksp, GRID, GRID, 0));
    if (i == 0) CHECK(SolaceKSPDCDMSetDeflationBlock(ksp, 4));
    CHECK(KSPSetOptionsPrefix(ksp, "defl_"));
    if (i == 1) CHECK(KSPSetFromOptions(ksp));
    CHECK(KSPSolve(ksp, b, i ? y : x));
    CHECK(KSPGetIterationNumber(ksp, &its[i]));
    CHECK(KSPDestroy(&ksp));
  }
  CHECK(PetscOptionsClearValue(NULL, "-defl_ksp_dcdm_deflate_block"));
  TEST_ASSERT(its[0] == its[1] && relative_difference(x, y) == 0.0,
              "option: %d iterations, setter %d", (int)its[1], (int)its[0]);
  MatDestroy(&A), VecDestroy(&b), VecDestroy(&x), VecDestroy(&y), VecDestroy(&x_lu);
  return 0;
}

/* Runs 20 DCDM iterations (rtol 1e-30) of ksp from x = 0 and keeps the residual history. */
static PetscErrorCode history_of(KSP ksp, Vec b, Vec x, PetscReal *hist, PetscInt *n) {
  PetscFunctionBegin;
  PetscCall(KSPSetTolerances(ksp, 1e-30, 1e-50, PETSC_DEFAULT, HISTORY - 1));
  PetscCall(KSPSetResidualHistory(ksp, hist, HISTORY, PETSC_TRUE));
  PetscCall(KSPSolve(ksp, b, x));
  PetscCall(KSPGetResidualHistory(ksp, NULL, n));
  PetscFunctionReturn(0);
}

/* The sequential matrix and right-hand side distributed over PETSC_COMM_WORLD: rows in natural
 * order (da NULL) or in a DMDA's ordering. */
static PetscErrorCode distribute(Mat As, Vec bs, DM da, Mat *A, Vec *b) {
  const PetscScalar *bv;
  PetscInt n, first, end;
  PetscFunctionBegin;
  PetscCall(MatGetSize(As, &n, NULL));
  if (da) {
    PetscCall(DMCreateMatrix(da, A));
    PetscCall(DMCreateGlobalVector(da, b));
  } else {
    PetscCall(
        MatCreateAIJ(PETSC_COMM_WORLD, PETSC_DECIDE, PETSC_DECIDE, n, n, 5, NULL, 4, NULL, A));
    PetscCall(VecCreateMPI(PETSC_COMM_WORLD, PETSC_DECIDE, n, b));
  }
  PetscCall(MatGetOwnershipRange(*A, &first, &end));
  PetscCall(VecGetArrayRead(bs, &bv));
  AO ao = NULL;
  if (da) PetscCall(DMDAGetAO(da, &ao));
  for (PetscInt row = 0; row < n; row++) { /* every rank sets the rows it owns */
    PetscInt ncols, global = row, cols[5];
    const PetscInt *c;
    const PetscScalar *v;
    if (ao) PetscCall(AOApplicationToPetsc(ao, 1, &global));
    if (global < first || global >= end) continue;
    PetscCall(MatGetRow(As, row, &ncols, &c, &v));
    for (PetscInt j = 0; j < ncols; j++) cols[j] = c[j];
    if (ao) PetscCall(AOApplicationToPetsc(ao, ncols, cols));
    PetscCall(MatSetValues(*A, 1, &global, ncols, cols, v, INSERT_VALUES));
    PetscCall(MatRestoreRow(As, row, &ncols, &c, &v));
    PetscCall(VecSetValue(*b, global, bv[row], INSERT_VALUES));
  }
  PetscCall(VecRestoreArrayRead(bs, &bv));
  PetscCall(MatAssemblyBegin(*A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*A, MAT_FINAL_ASSEMBLY));
  PetscCall(VecAssemblyBegin(*b));
  PetscCall(VecAssemblyEnd(*b));
  PetscFunctionReturn(0);
}

/* Largest |x_par - x_seq| over |x_seq|, the parallel x in natural order through the AO. */
static double gathered_difference(Vec x, DM da, Vec xs) {
  Vec all;
  VecScatter to_all;
  const PetscScalar *a, *s;
  PetscInt n;
  double diff = 0.0, scale = 0.0;
  AO ao = NULL;
  VecScatterCreateToAll(x, &to_all, &all);
  VecScatterBegin(to_all, x, all, INSERT_VALUES, SCATTER_FORWARD);
  VecScatterEnd(to_all, x, all, INSERT_VALUES, SCATTER_FORWARD);
  if (da) DMDAGetAO(da, &ao);
  VecGetSize(xs, &n);
  VecGetArrayRead(all, &a), VecGetArrayRead(xs, &s);
  for (PetscInt row = 0; row < n; row++) {
    PetscInt global = row;
    if (ao) AOApplicationToPetsc(ao, 1, &global);
    diff = fmax(diff, fabs(a[global] - s[row])), scale = fmax(scale, fabs(s[row]));
  }
  VecRestoreArrayRead(all, &a), VecRestoreArrayRead(xs, &s);
  VecScatterDestroy(&to_all), VecDestroy(&all);
  return diff / scale;
}

/* One parallel run (bare Mat with -ksp_dcdm_grid, or a DMDA) against the sequential history. */
static int check_parallel(Mat As, Vec bs, Vec xs, const char *weights, PetscInt block,
                          PetscBool use_da, const PetscReal *hist_seq, PetscInt n_seq) {
  DM da = NULL;
  Mat A;
  Vec b, x;
  KSP ksp;
  PetscReal hist[HISTORY];
  PetscInt n;
  if (use_da) {
    CHECK(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR,
                       GRID, GRID, 2, 1, 1, 1, NULL, NULL, &da));
    CHECK(DMSetUp(da));
    AO ao;
    PetscInt cell = GRID / 2; /* (GRID/2, 0): rank 1's first cell, PETSc index GRID^2 / 2 */
    CHECK(DMDAGetAO(da, &ao));
    CHECK(AOApplicationToPetsc(ao, 1, &cell));
    TEST_ASSERT(cell != GRID / 2,
                "the DMDA's ordering is the natural one: the test proves nothing");
  }
  CHECK(distribute(As, bs, da, &A, &b));
  CHECK(VecDuplicate(b, &x));
  CHECK(KSPCreate(PETSC_COMM_WORLD, &ksp));
  CHECK(KSPSetType(ksp, SOLACE_KSPDCDM));
  CHECK(KSPSetOperators(ksp, A, A));
  CHECK(KSPSetNormType(ksp, KSP_NORM_UNPRECONDITIONED));
  CHECK(SolaceKSPDCDMSetWeights(ksp, weights));
  CHECK(SolaceKSPDCDMSetDeflationBlock(ksp, block));
  if (da) {
    CHECK(KSPSetDM(ksp, da));
    CHECK(KSPSetDMActive(ksp, PETSC_FALSE));
  } else if (weights || block) {
    CHECK(SolaceKSPDCDMSetGrid(ksp, GRID, GRID, 0));
  }
  CHECK(history_of(ksp, b, x, hist, &n));
  double worst = 0.0, dx = gathered_difference(x, da, xs);
  for (PetscInt j = 0; j < n && j < n_seq; j++)
    worst = fmax(worst, fabs(hist[j] - hist_seq[j]) / hist_seq[0]);
  PetscPrintf(PETSC_COMM_WORLD,
              "2 ranks, %s, %s, deflation block %" PetscInt_FMT ": %" PetscInt_FMT
              " residuals, largest difference from one rank %.1e of ||r0||; x differs by %.1e\n",
              weights ? "network" : "identity", use_da ? "DMDA" : "bare Mat", block, n, worst, dx);
  TEST_ASSERT(n == n_seq && worst <= 1e-9 && dx <= 1e-9,
              "%s: %lld residuals (one rank: %lld), history differs by %g, x by %g",
              use_da ? "DMDA" : "bare Mat", (long long)n, (long long)n_seq, worst, dx);
  KSPDestroy(&ksp), VecDestroy(&x), VecDestroy(&b), MatDestroy(&A), DMDestroy(&da);
  return 0;
}

/* A DMDA split 128 / 128 cells and a matrix split 100 / 156 rows: refused on every rank. */
static int check_layout_mismatch(const char *weights) {
  DM da;
  Mat A;
  KSP ksp;
  PetscMPIInt rank;
  PetscInt first, end;
  CHECK(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  CHECK(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, GRID,
                     GRID, 2, 1, 1, 1, NULL, NULL, &da));
  CHECK(DMSetUp(da));
  CHECK(MatCreateAIJ(PETSC_COMM_WORLD, rank == 0 ? 100 : GRID * GRID - 100,
                     rank == 0 ? 100 : GRID * GRID - 100, PETSC_DETERMINE, PETSC_DETERMINE, 1, NULL,
                     0, NULL, &A));
  CHECK(MatGetOwnershipRange(A, &first, &end));
  for (PetscInt i = first; i < end; i++) CHECK(MatSetValue(A, i, i, 2.0, INSERT_VALUES));
  CHECK(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
  CHECK(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  CHECK(KSPCreate(PETSC_COMM_WORLD, &ksp));
  CHECK(KSPSetType(ksp, SOLACE_KSPDCDM));
  CHECK(KSPSetOperators(ksp, A, A));
  CHECK(KSPSetDM(ksp, da));
  CHECK(KSPSetDMActive(ksp, PETSC_FALSE));
  CHECK(SolaceKSPDCDMSetWeights(ksp, weights));
  expect_error(KSPSetUp(ksp), PETSC_ERR_ARG_SIZ, "distributed differently", "rows");
  KSPDestroy(&ksp), MatDestroy(&A), DMDestroy(&da);
  return 0;
}

/* Two ranks: the network runs on rank 0 on the gathered grid; the residual histories and x after
 * 20 iterations equal one rank's (same system, same network) to rounding, for a bare Mat (grid
 * from SolaceKSPDCDMSetGrid) and for a DMDA (its ordering differs from the natural one), for
 * the identity map, and with subdomain deflation (blocks of 4 x 4 cells). */
static int test_mpi(void) {
  Mat As;
  Vec bs, xs;
  KSP ksp;
  PetscMPIInt size, rank;
  PetscReal hist[HISTORY];
  PetscInt n;
  CHECK(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  CHECK(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  TEST_ASSERT(size == 2, "run with 2 ranks (%d)", size);
  if (rank == 0 && write_network("t-dcdm-mpi.h5", 7)) return 1;
  CHECK(MPI_Barrier(PETSC_COMM_WORLD));
  CHECK(poisson(GRID, PETSC_TRUE, &As));
  CHECK(MatCreateVecs(As, &xs, &bs));
  CHECK(rhs(GRID, PETSC_TRUE, bs));
  for (int run = 0; run < 4; run++) {
    const char *weights = run % 2 ? "t-dcdm-mpi.h5" : NULL;
    PetscInt block = run < 2 ? 0 : 4; /* 4 x 4 blocks do not follow the ranks' split */
    CHECK(make_ksp(As, SOLACE_KSPDCDM, 1e-30, HISTORY - 1, &ksp));
    CHECK(SolaceKSPDCDMSetWeights(ksp, weights));
    CHECK(SolaceKSPDCDMSetGrid(ksp, GRID, GRID, 0));
    CHECK(SolaceKSPDCDMSetDeflationBlock(ksp, block));
    CHECK(history_of(ksp, bs, xs, hist, &n));
    KSPDestroy(&ksp);
    if (check_parallel(As, bs, xs, weights, block, PETSC_FALSE, hist, n) ||
        check_parallel(As, bs, xs, weights, block, PETSC_TRUE, hist, n))
      return 1;
  }
  VecDestroy(&xs), VecDestroy(&bs), MatDestroy(&As);
  if (check_layout_mismatch("t-dcdm-mpi.h5")) return 1;
  CHECK(MPI_Barrier(PETSC_COMM_WORLD));
  if (rank == 0) remove("t-dcdm-mpi.h5");
  return 0;
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"cg", test_cg},         {"network", test_network},
                                    {"errors", test_errors}, {"levels", test_levels},
                                    {"tied", test_tied},     {"deflate", test_deflate},
                                    {"mpi", test_mpi}};
  return test_run_case(argc, argv, "t-dcdm", cases, (int)(sizeof cases / sizeof cases[0]));
}
