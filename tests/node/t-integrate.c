/* The ERKStep integration of a neural ODE whose MLP is exactly linear, f(u) = A u (ReLU pairs),
 * against the exact solution u(t) = exp(A t) u0 for A = [[-0.1, 2], [-2, -0.1]] (a decaying
 * rotation: u(t) = e^{-0.1 t} R(-2t) u0), for the three methods and two tolerances. The global
 * error of an adaptive solver is a modest multiple of the tolerance: we require error <= 100 tol
 * (relative to |u0| = O(1)) and that tightening the tolerance by 10^4 cuts the error by >= 100.
 * NFE: the field's own counter must equal ERKStepGetNumRhsEvals exactly. */
#include "node-test.h"

static const double A[4] = {-0.1, 2, -2, -0.1};

static void exact(double t, const double *u0, double *u) {
  double e = exp(-0.1 * t), c = cos(2 * t), s = sin(2 * t);
  u[0] = e * (c * u0[0] + s * u0[1]);
  u[1] = e * (-s * u0[0] + c * u0[1]);
}

/* Largest error over a batch of 3 samples at 4 output times. */
static int run(node_field *field, int method, double tol, double *err, int64_t *nfe) {
  node_solver solver;
  const double u0[6] = {1, 0, 0.5, -0.5, -1.2, 0.3}, times[4] = {0.5, 1, 2.5, 5};
  double u[24], ref[2];
  node_record rec = {0};
  SolaceCall(node_solver_init(&solver, field, method, tol, tol));
  field->nfe = 0;
  int status = node_solve(&solver, 6, 0.0, u0, 4, times, u, &rec, 0, NULL, NULL);
  *err = 0;
  for (int k = 0; !status && k < 4; k++)
    for (int s = 0; s < 3; s++) {
      exact(times[k], u0 + 2 * s, ref);
      for (int i = 0; i < 2; i++) *err = fmax(*err, fabs(u[k * 6 + 2 * s + i] - ref[i]));
    }
  TEST_ASSERT(status || field->nfe == solver.arkode_nfe, "field counted %lld, ARKODE %lld",
              (long long)field->nfe, (long long)solver.arkode_nfe);
  TEST_ASSERT(status || rec.out_step[3] == rec.nsteps, "last output not at the last step");
  *nfe = field->nfe;
  node_record_free(&rec);
  node_solver_free(&solver);
  return status;
}

int main(void) {
  node_field *field = NULL;
  TEST_CALL(node_test_linear_field(2, A, &field));
  const char *names[3] = {"tsit5", "dopri5", "arkode4"};
  for (int method = 0; method < 3; method++) {
    double loose, tight;
    int64_t nfe_loose, nfe_tight;
    TEST_CALL(run(field, method, 1e-6, &loose, &nfe_loose));
    TEST_CALL(run(field, method, 1e-10, &tight, &nfe_tight));
    printf("%s: error %.3g at tol 1e-6 (nfe %lld), %.3g at tol 1e-10 (nfe %lld)\n", names[method],
           loose, (long long)nfe_loose, tight, (long long)nfe_tight);
    TEST_ASSERT(loose <= 100 * 1e-6, "%s: error %.3g at tol 1e-6", names[method], loose);
    TEST_ASSERT(tight <= 100 * 1e-10, "%s: error %.3g at tol 1e-10", names[method], tight);
    TEST_ASSERT(tight * 100 <= loose, "%s: error does not fall with the tolerance", names[method]);
    TEST_ASSERT(nfe_tight > nfe_loose, "%s: nfe does not grow with accuracy", names[method]);
  }
  node_field_destroy(&field);
  return test_finish("node-integrate");
}
