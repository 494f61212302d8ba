/* The convergence check shared by the manufactured-solution tests: the max-norm error on
 * n = 33, 65, 129 (each grid solved by PETSc's direct LU) must fall at second order. */
#ifndef SOLACE_TEST_MMS_UTIL_H
#define SOLACE_TEST_MMS_UTIL_H

#include "test-util.h"

#include <string.h>

static const double mms_pi = 3.14159265358979323846;

/* The smooth variable coefficient of the Darcy and Helmholtz manufactured solutions,
 * a = exp(sin(2 pi x) cos(pi y) / 2), and its gradient (ax, ay; either may be NULL). */
static inline double mms_coefficient(double x, double y, double *ax, double *ay) {
  double a = exp(0.5 * sin(2 * mms_pi * x) * cos(mms_pi * y));
  if (ax) *ax = a * mms_pi * cos(2 * mms_pi * x) * cos(mms_pi * y);
  if (ay) *ay = a * (-0.5 * mms_pi * sin(2 * mms_pi * x) * sin(mms_pi * y));
  return a;
}

/* Runs max_error(n, &error) on the three grids; returns 0 if every call succeeded. Halving h must
 * divide the error by about 4: each observed order within [1.9, 2.1], the finest error < 1e-3. */
static inline int mms_check_second_order(int (*max_error)(int64_t n, double *error)) {
  const int64_t sizes[3] = {33, 65, 129};
  double errors[3];
  TEST_CALL(solace_options_insert("-ksp_type preonly -pc_type lu"));
  for (int k = 0; k < 3; k++) {
    if (max_error(sizes[k], &errors[k])) return 1;
    printf("n = %4lld  h = %.5f  max error %.3e\n", (long long)sizes[k], 1.0 / (sizes[k] - 1),
           errors[k]);
  }
  for (int k = 0; k < 2; k++) {
    double order = log2(errors[k] / errors[k + 1]);
    printf("observed order %.3f\n", order);
    TEST_ASSERT(order > 1.9 && order < 2.1, "order %.3f is not second order", order);
  }
  TEST_ASSERT(errors[2] < 1e-3, "finest error %.3e too large", errors[2]);
  return 0;
}

/* A family without a random field (poisson, heat) refuses the field's options, and an unknown
 * family name is refused with a message that lists `family` among the known ones. */
static inline void check_fieldless_family(solace_pde pde, const char *family) {
  TEST_FAILS_WITH(solace_pde_set_real(pde, "alpha", 2.0), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_set_string(pde, "coefficient", "exp"), SOLACE_ERR_ARG);
  solace_pde none = NULL;
  TEST_FAILS_WITH(solace_pde_create("stokes", 8, &none), SOLACE_ERR_ARG);
  TEST_ASSERT(strstr(solace_error_message(), family), "%s", solace_error_message());
}

#endif
