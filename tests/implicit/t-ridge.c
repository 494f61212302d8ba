/* Ridge regression: the implicit Jacobian dx* / d(lambda, y) from every linear solver, with exact
 * and with finite-difference products, against the closed form H^{-1} [-x*, X^T] (dposv). */
#include "implicit-test.h"

enum { M = 30, N = 12 };

static const char *solver_names[] = {"dense LU", "dense Cholesky", "dense QR", "CG",
                                     "GMRES",    "BiCGSTAB",       "normal CG"};

/* Every solver on exact products: dense within 1e-10 (backward-stable factorizations of an
 * H with condition ~1e2), KSP at rtol 1e-13 within 1e-9. */
static void every_solver(struct ridge *r, const double *theta, const double *x, const double *J) {
  double Jimp[N * (M + 1)];
  solace_implicit pb = ridge_problem(r, 1);
  for (int s = SOLACE_IMPLICIT_DENSE_LU; s <= SOLACE_IMPLICIT_NORMAL_CG; s++) {
    CALL(solace_implicit_set_solver(pb, s, 1e-13, 0));
    CALL(solace_implicit_jacobian(pb, x, theta, Jimp, N));
    double err = test_rel_error(Jimp, J, N * (M + 1)), res, lin;
    int fd;
    CALL(solace_implicit_get_report(pb, &res, &lin, NULL, &fd));
    printf("%-15s max rel error %.2e, residual %.1e, linear residual %.1e\n", solver_names[s], err,
           res, lin);
    CHECK(err < (s <= SOLACE_IMPLICIT_DENSE_QR ? 1e-10 : 1e-9), "%s: error %g", solver_names[s],
          err);
    CHECK(fd == 0, "%s: exact products reported as finite differences (%d)", solver_names[s], fd);
    CHECK(res < 1e-10, "%s: optimality residual %g at the exact solution", solver_names[s], res);
  }
  solace_implicit_destroy(&pb);
}

/* No products: central differences (step 1e-6, truncation ~1e-12 and rounding ~1e-10 relative;
 * the map is linear in x, so only rounding remains) within 1e-7; the report says so. */
static void finite_differences(struct ridge *r, const double *theta, const double *x,
                               const double *J) {
  double Jimp[N * (M + 1)];
  int fd;
  solace_implicit pb = ridge_problem(r, 0);
  CALL(solace_implicit_jacobian(pb, x, theta, Jimp, N));
  CALL(solace_implicit_get_report(pb, NULL, NULL, NULL, &fd));
  double err = test_rel_error(Jimp, J, N * (M + 1));
  printf("finite differences: max rel error %.2e, fd bits %d\n", err, fd);
  CHECK(err < 1e-7, "finite-difference products: error %g", err);
  CHECK(fd == (SOLACE_IMPLICIT_FD_JVP_X | SOLACE_IMPLICIT_FD_JVP_THETA), "fd bits %d", fd);
  solace_implicit_destroy(&pb);
}

/* Ridge 1e-2 alone biases the derivative (error > 1e-5); 30 refinement steps remove the bias
 * (contraction ridge / (ridge + lambda_min(H)) < 0.5 per step, so below 1e-9). */
static void ridge_and_refinement(struct ridge *r, const double *theta, const double *x,
                                 const double *J) {
  double Jimp[N * (M + 1)];
  solace_implicit pb = ridge_problem(r, 1);
  CALL(solace_implicit_set_regularization(pb, 1e-2, 0));
  CALL(solace_implicit_jacobian(pb, x, theta, Jimp, N));
  double biased = test_rel_error(Jimp, J, N * (M + 1));
  CALL(solace_implicit_set_regularization(pb, 1e-2, 30));
  CALL(solace_implicit_set_solver(pb, SOLACE_IMPLICIT_CG, 1e-13, 0));
  CALL(solace_implicit_jacobian(pb, x, theta, Jimp, N));
  double refined = test_rel_error(Jimp, J, N * (M + 1));
  printf("ridge 1e-2: error %.2e; with 30 refinement steps (CG): %.2e\n", biased, refined);
  CHECK(biased > 1e-5, "the ridge should bias the derivative (error %g)", biased);
  CHECK(refined < 1e-9, "refinement should remove the bias (error %g)", refined);
  solace_implicit_destroy(&pb);
}

int main(int argc, char **argv) {
  CALL(solace_initialize(&argc, &argv));
  double X[M * N], theta[1 + M], x[N], J[N * (M + 1)];
  test_fill(X, M * N);
  test_fill(theta + 1, M);
  theta[0] = 0.5;
  struct ridge r = {M, N, X};
  ridge_closed_form(&r, theta, x, J);
  every_solver(&r, theta, x, J);
  finite_differences(&r, theta, x, J);
  ridge_and_refinement(&r, theta, x, J);
  return test_finish("implicit-ridge");
}
