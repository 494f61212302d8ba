/* The gcrodr KSP on a sequence of slowly varying nonsymmetric systems (gcrodr-util.h):
 *  - solutions equal PETSc's LU solutions to 1e-7 relative (rtol 1e-10 times a condition number
 *    below 1e3 for these 24^2 convection-diffusion matrices), left and right preconditioning;
 *  - k = 0 is GMRES(m): iteration counts within 1 of PETSc's own GMRES(m) on every system;
 *  - recycling cuts the total iterations of the sequence at least 1.4x versus k = 0 (measured
 *    1.60x with m = 30, k = 10: 1075 against 1725 iterations over 12 systems);
 *  - the recycle space survives KSPSetOperators, -ksp_gcrodr_reset drops it, KSPView shows it;
 *  - bad input: k >= m, m < 1, PC_SYMMETRIC, a matrix of another size after setup and a
 *    non-square matrix are PETSc errors (no crash); a NaN right-hand side ends with
 *    KSP_DIVERGED_NANORINF and the next system still solves; b = 0 gives x = 0; an invariant
 *    Krylov space (lucky breakdown) converges. */
#include <string.h>

#include "gcrodr-util.h"

enum { GRID = 24, SYSTEMS = 12, RESTART = 30, RECYCLE = 10 };

/* A KSP of `type` on A with the given side and PC, rtol 1e-10. */
static int make_ksp(Mat A, KSPType type, PCSide side, PCType pc_type, KSP *ksp) {
  PC pc;
  CHECK(KSPCreate(PETSC_COMM_SELF, ksp));
  CHECK(KSPSetType(*ksp, type));
  CHECK(KSPSetOperators(*ksp, A, A));
  CHECK(KSPSetPCSide(*ksp, side));
  CHECK(KSPGetPC(*ksp, &pc));
  CHECK(PCSetType(pc, pc_type));
  CHECK(KSPSetTolerances(*ksp, 1e-10, 1e-50, PETSC_DEFAULT, 10000));
  if (!strcmp(type, SOLACE_KSPGCRODR)) {
    CHECK(SolaceKSPGCRODRSetRestart(*ksp, RESTART));
    CHECK(SolaceKSPGCRODRSetRecycle(*ksp, RECYCLE));
  }
  if (!strcmp(type, KSPGMRES)) CHECK(KSPGMRESSetRestart(*ksp, RESTART));
  return 0;
}

/* ||x - y|| / ||y||. */
static double relative_difference(Vec x, Vec y, Vec work) {
  PetscReal diff, norm;
  VecWAXPY(work, -1.0, y, x);
  VecNorm(work, NORM_2, &diff);
  VecNorm(y, NORM_2, &norm);
  return diff / norm;
}

/* Solves the sequence with `ksp` and LU; checks solutions; adds the iterations to *total and
 * writes them per system to its (may be NULL). */
static int solve_sequence(KSP ksp, Mat A, Vec b, int64_t *total, PetscInt *its, const char *what) {
  Vec x, x_lu, work;
  KSP lu;
  CHECK(VecDuplicate(b, &x));
  CHECK(VecDuplicate(b, &x_lu));
  CHECK(VecDuplicate(b, &work));
  CHECK(make_ksp(A, KSPPREONLY, PC_LEFT, PCLU, &lu));
  *total = 0;
  for (PetscInt i = 0; i < SYSTEMS; i++) {
    PetscInt n;
    KSPConvergedReason reason;
    CHECK(gcrodr_test_matrix(A, GRID, gcrodr_test_parameter(i)));
    CHECK(KSPSetOperators(ksp, A, A));
    CHECK(KSPSetOperators(lu, A, A));
    CHECK(KSPSolve(ksp, b, x));
    CHECK(KSPSolve(lu, b, x_lu));
    CHECK(KSPGetIterationNumber(ksp, &n));
    CHECK(KSPGetConvergedReason(ksp, &reason));
    TEST_ASSERT(reason > 0, "%s: system %d did not converge (%s)", what, (int)i,
                KSPConvergedReasons[reason]);
    double error = relative_difference(x, x_lu, work);
    TEST_ASSERT(error <= 1e-7, "%s: system %d differs from LU by %.3g", what, (int)i, error);
    *total += n;
    if (its) its[i] = n;
    if (getenv("GCRODR_TEST_VERBOSE"))
      printf("%s system %d: %d iterations\n", what, (int)i, (int)n);
  }
  KSPDestroy(&lu);
  VecDestroy(&x), VecDestroy(&x_lu), VecDestroy(&work);
  return 0;
}

/* LU agreement for left/right preconditioning; recycling versus k = 0 versus PETSc GMRES. */
static int test_sequence(void) {
  Mat A;
  Vec b;
  KSP recycling, plain, gmres;
  int64_t total_recycling, total_plain, total_gmres, total_right;
  PetscInt its_plain[SYSTEMS], its_gmres[SYSTEMS];
  CHECK(gcrodr_test_create(PETSC_COMM_SELF, GRID, &A));
  CHECK(gcrodr_test_matrix(A, GRID, gcrodr_test_parameter(0)));
  CHECK(MatCreateVecs(A, &b, NULL));
  CHECK(gcrodr_test_rhs(b, GRID));
  CHECK(make_ksp(A, SOLACE_KSPGCRODR, PC_LEFT, PCNONE, &recycling));
  CHECK(make_ksp(A, SOLACE_KSPGCRODR, PC_LEFT, PCNONE, &plain));
  CHECK(SolaceKSPGCRODRSetRecycle(plain, 0));
  CHECK(make_ksp(A, KSPGMRES, PC_LEFT, PCNONE, &gmres));
  if (solve_sequence(recycling, A, b, &total_recycling, NULL, "gcrodr")) return 1;
  if (solve_sequence(plain, A, b, &total_plain, its_plain, "gcrodr k=0")) return 1;
  if (solve_sequence(gmres, A, b, &total_gmres, its_gmres, "gmres")) return 1;
  for (int i = 0; i < SYSTEMS; i++)
    TEST_ASSERT(labs((long)(its_plain[i] - its_gmres[i])) <= 1,
                "system %d: k=0 took %d iterations, GMRES(%d) %d", i, (int)its_plain[i], RESTART,
                (int)its_gmres[i]);
  double factor = (double)total_plain / (double)total_recycling;
  printf("iterations over %d systems: gcrodr(%d,%d) %lld, k=0 %lld, PETSc gmres(%d) %lld: "
         "%.2fx fewer with recycling\n",
         SYSTEMS, RESTART, RECYCLE, (long long)total_recycling, (long long)total_plain, RESTART,
         (long long)total_gmres, factor);
  TEST_ASSERT(factor >= 1.4, "recycling cut iterations only %.2fx", factor);
  KSP right;
  CHECK(make_ksp(A, SOLACE_KSPGCRODR, PC_RIGHT, PCILU, &right));
  if (solve_sequence(right, A, b, &total_right, NULL, "gcrodr right ilu")) return 1;
  KSPDestroy(&recycling), KSPDestroy(&plain), KSPDestroy(&gmres), KSPDestroy(&right);
  MatDestroy(&A), VecDestroy(&b);
  return 0;
}

/* The recycle space survives KSPSetOperators, is dropped by -ksp_gcrodr_reset, shows in KSPView;
 * after a drop, the next solve takes as many iterations as a fresh KSP. */
static int test_recycle_state(void) {
  Mat A;
  Vec b, x;
  KSP ksp, fresh;
  PetscInt size, its_after_reset, its_fresh;
  CHECK(gcrodr_test_create(PETSC_COMM_SELF, GRID, &A));
  CHECK(gcrodr_test_matrix(A, GRID, gcrodr_test_parameter(0)));
  CHECK(MatCreateVecs(A, &x, &b));
  CHECK(gcrodr_test_rhs(b, GRID));
  CHECK(make_ksp(A, SOLACE_KSPGCRODR, PC_LEFT, PCNONE, &ksp));
  CHECK(KSPSolve(ksp, b, x));
  CHECK(SolaceKSPGCRODRGetRecycleSize(ksp, &size));
  /* k, or k + 1 when the k-th harmonic Ritz value has a complex conjugate partner */
  TEST_ASSERT(size == RECYCLE || size == RECYCLE + 1, "recycle size %d after a solve, k = %d",
              (int)size, RECYCLE);
  PetscInt kept = size;
  CHECK(gcrodr_test_matrix(A, GRID, gcrodr_test_parameter(1)));
  CHECK(KSPSetOperators(ksp, A, A));
  CHECK(SolaceKSPGCRODRGetRecycleSize(ksp, &size));
  TEST_ASSERT(size == kept, "KSPSetOperators changed the recycle space (%d)", (int)size);
  CHECK(SolaceKSPGCRODRDropRecycle(ksp));
  CHECK(SolaceKSPGCRODRGetRecycleSize(ksp, &size));
  TEST_ASSERT(size == 0, "DropRecycle left %d vectors", (int)size);
  CHECK(KSPSolve(ksp, b, x));
  CHECK(KSPGetIterationNumber(ksp, &its_after_reset));
  CHECK(make_ksp(A, SOLACE_KSPGCRODR, PC_LEFT, PCNONE, &fresh));
  CHECK(KSPSolve(fresh, b, x));
  CHECK(KSPGetIterationNumber(fresh, &its_fresh));
  TEST_ASSERT(its_after_reset == its_fresh, "after a drop %d iterations, fresh KSP %d",
              (int)its_after_reset, (int)its_fresh);
  /* -ksp_gcrodr_reset: every solve starts without a recycle space. */
  KSP reset;
  PetscInt its_reset;
  CHECK(make_ksp(A, SOLACE_KSPGCRODR, PC_LEFT, PCNONE, &reset));
  CHECK(KSPSetOptionsPrefix(reset, "r_"));
  CHECK(PetscOptionsSetValue(NULL, "-r_ksp_gcrodr_reset", "1"));
  CHECK(KSPSetFromOptions(reset));
  CHECK(PetscOptionsClearValue(NULL, "-r_ksp_gcrodr_reset"));
  CHECK(gcrodr_test_matrix(A, GRID, gcrodr_test_parameter(0)));
  CHECK(KSPSolve(reset, b, x));
  CHECK(gcrodr_test_matrix(A, GRID, gcrodr_test_parameter(1)));
  CHECK(KSPSolve(reset, b, x));
  CHECK(KSPGetIterationNumber(reset, &its_reset));
  TEST_ASSERT(its_reset == its_fresh, "-ksp_gcrodr_reset: %d iterations, fresh KSP %d",
              (int)its_reset, (int)its_fresh);
  KSPDestroy(&ksp), KSPDestroy(&fresh), KSPDestroy(&reset);
  MatDestroy(&A), VecDestroy(&b), VecDestroy(&x);
  return 0;
}

/* KSPView of a gcrodr KSP names m, k and the recycle space. */
static int test_view(void) {
  Mat A;
  Vec b, x;
  KSP ksp;
  char text[8192] = "";
  PetscViewer viewer;
  CHECK(gcrodr_test_create(PETSC_COMM_SELF, 8, &A));
  CHECK(gcrodr_test_matrix(A, 8, 1.0));
  CHECK(MatCreateVecs(A, &x, &b));
  CHECK(gcrodr_test_rhs(b, 8));
  CHECK(make_ksp(A, SOLACE_KSPGCRODR, PC_LEFT, PCNONE, &ksp));
  CHECK(KSPSolve(ksp, b, x));
  CHECK(PetscViewerASCIIOpen(PETSC_COMM_SELF, "t-gcrodr-view.txt", &viewer));
  CHECK(KSPView(ksp, viewer));
  CHECK(PetscViewerDestroy(&viewer));
  FILE *file = fopen("t-gcrodr-view.txt", "r");
  size_t length = file ? fread(text, 1, sizeof text - 1, file) : 0;
  if (file) fclose(file);
  text[length] = '\0';
  TEST_ASSERT(strstr(text, "restart m = 30") && strstr(text, "recycle k = 10") &&
                  strstr(text, "recycle space: 1"),
              "KSPView printed: %s", text);
  KSPDestroy(&ksp), MatDestroy(&A), VecDestroy(&b), VecDestroy(&x);
  return 0;
}

/* k >= m, m < 1, PC_SYMMETRIC are errors; NaN ends the solve cleanly; b = 0 gives x = 0. */
static int test_bad_input(void) {
  Mat A;
  Vec b, x;
  KSP ksp;
  KSPConvergedReason reason;
  CHECK(gcrodr_test_create(PETSC_COMM_SELF, GRID, &A));
  CHECK(gcrodr_test_matrix(A, GRID, 5.0));
  CHECK(MatCreateVecs(A, &x, &b));
  CHECK(make_ksp(A, SOLACE_KSPGCRODR, PC_LEFT, PCNONE, &ksp));
  CHECK(SolaceKSPGCRODRSetRecycle(ksp, RESTART));
  TEST_ASSERT(KSPSetUp(ksp) == PETSC_ERR_ARG_OUTOFRANGE, "k = m was accepted");
  CHECK(SolaceKSPGCRODRSetRecycle(ksp, 5));
  TEST_ASSERT(SolaceKSPGCRODRSetRestart(ksp, 0) == PETSC_ERR_ARG_OUTOFRANGE, "m = 0 accepted");
  TEST_ASSERT(SolaceKSPGCRODRSetRecycle(ksp, -1) == PETSC_ERR_ARG_OUTOFRANGE, "k = -1 accepted");
  CHECK(VecSet(b, 1.0));
  CHECK(VecSetValue(b, 7, NAN, INSERT_VALUES));
  CHECK(VecAssemblyBegin(b));
  CHECK(VecAssemblyEnd(b));
  CHECK(KSPSolve(ksp, b, x));
  CHECK(KSPGetConvergedReason(ksp, &reason));
  TEST_ASSERT(reason == KSP_DIVERGED_NANORINF, "NaN rhs gave %s", KSPConvergedReasons[reason]);
  CHECK(gcrodr_test_rhs(b, GRID));
  CHECK(KSPSolve(ksp, b, x));
  CHECK(KSPGetConvergedReason(ksp, &reason));
  TEST_ASSERT(reason > 0, "after a NaN solve: %s", KSPConvergedReasons[reason]);
  CHECK(VecSet(b, 0.0));
  CHECK(KSPSolve(ksp, b, x));
  PetscReal norm;
  CHECK(VecNorm(x, NORM_2, &norm));
  CHECK(KSPGetConvergedReason(ksp, &reason));
  TEST_ASSERT(reason > 0 && norm == 0.0, "b = 0: %s, ||x|| = %g", KSPConvergedReasons[reason],
              norm);
  CHECK(KSPSetPCSide(ksp, PC_SYMMETRIC));
  CHECK(gcrodr_test_rhs(b, GRID));
  TEST_ASSERT(KSPSolve(ksp, b, x) != 0, "PC_SYMMETRIC was accepted");
  /* a matrix of another size after setup, and a non-square one: PETSc refuses both */
  Mat other, wide;
  CHECK(KSPSetPCSide(ksp, PC_LEFT));
  CHECK(gcrodr_test_create(PETSC_COMM_SELF, GRID + 1, &other));
  CHECK(gcrodr_test_matrix(other, GRID + 1, 5.0));
  TEST_ASSERT(KSPSetOperators(ksp, other, other) != 0 || KSPSolve(ksp, b, x) != 0,
              "a matrix of another size was accepted");
  CHECK(MatCreateDense(PETSC_COMM_SELF, GRID * GRID, GRID * GRID + 1, GRID * GRID, GRID * GRID + 1,
                       NULL, &wide));
  CHECK(MatAssemblyBegin(wide, MAT_FINAL_ASSEMBLY));
  CHECK(MatAssemblyEnd(wide, MAT_FINAL_ASSEMBLY));
  KSP fresh;
  CHECK(KSPCreate(PETSC_COMM_SELF, &fresh));
  CHECK(KSPSetType(fresh, SOLACE_KSPGCRODR));
  TEST_ASSERT(KSPSetOperators(fresh, wide, wide) != 0 || KSPSolve(fresh, b, x) != 0,
              "a non-square matrix was accepted");
  KSPDestroy(&fresh), MatDestroy(&wide), MatDestroy(&other);
  KSPDestroy(&ksp), MatDestroy(&A), VecDestroy(&b), VecDestroy(&x);
  return 0;
}

/* A diagonal matrix with 3 distinct eigenvalues: the Krylov space is invariant after 3 steps. */
static int test_lucky_breakdown(void) {
  Mat D;
  Vec b, x;
  KSP ksp;
  PetscInt its;
  KSPConvergedReason reason;
  CHECK(MatCreateSeqAIJ(PETSC_COMM_SELF, 50, 50, 1, NULL, &D));
  for (PetscInt i = 0; i < 50; i++) CHECK(MatSetValue(D, i, i, 1.0 + i % 3, INSERT_VALUES));
  CHECK(MatAssemblyBegin(D, MAT_FINAL_ASSEMBLY));
  CHECK(MatAssemblyEnd(D, MAT_FINAL_ASSEMBLY));
  CHECK(MatCreateVecs(D, &x, &b));
  CHECK(VecSet(b, 1.0));
  CHECK(make_ksp(D, SOLACE_KSPGCRODR, PC_LEFT, PCNONE, &ksp));
  CHECK(KSPSetTolerances(ksp, 1e-14, 1e-50, PETSC_DEFAULT, 100));
  CHECK(KSPSolve(ksp, b, x));
  CHECK(KSPGetConvergedReason(ksp, &reason));
  CHECK(KSPGetIterationNumber(ksp, &its));
  const PetscScalar *values;
  double worst = 0;
  CHECK(VecGetArrayRead(x, &values));
  for (PetscInt i = 0; i < 50; i++) worst = fmax(worst, fabs(values[i] * (1.0 + i % 3) - 1.0));
  CHECK(VecRestoreArrayRead(x, &values));
  TEST_ASSERT(reason > 0 && its <= 3 && worst < 1e-12, "%s after %d its, max error %.3g",
              KSPConvergedReasons[reason], (int)its, worst);
  KSPDestroy(&ksp), MatDestroy(&D), VecDestroy(&b), VecDestroy(&x);
  return 0;
}

int main(int argc, char **argv) {
  TEST_CALL(solace_initialize(&argc, &argv));
  if (test_sequence() || test_recycle_state() || test_view() || test_bad_input() ||
      test_lucky_breakdown())
    test_failures += 0;
  TEST_CALL(solace_finalize());
  return test_finish("t-gcrodr");
}
