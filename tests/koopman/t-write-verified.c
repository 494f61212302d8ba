/* solace_koopman_write_verified_grid(): the rotation by 1 with Legendre functions of degree 12
 * (plain EDMD has eigenvalues 0.98 off the circle), a 41 x 41 grid on [-1.3, 1.3]^2, eps 0.2,
 * general and measure-preserving. Read back with the HDF5 C API: /verified_grid/points equals
 * the points kept by solace_koopman_verify_points() on the same grid (in grid order, bit for bit)
 * with attributes bound, eps and measure_preserving; /pseudospectrum is written as by
 * solace_koopman_write(). Independent check: every kept point lies within its bound (+1e-3 for
 * the quadrature) of the unit circle, the rotation's spectrum. Errors (no grid, eps <= 0 or NaN,
 * a negative tau): SOLACE_ERR_ARG and no file. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <hdf5.h>
#include <string.h>
#include <unistd.h>

#include "test-util.h"

#define TWO_PI 6.28318530717958647692
enum { M = 2000, G = 41, NZ = G * G };

static long long read_points(const char *path, double *buf, double *bound, double *eps,
                             int64_t *mp) {
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) return -1;
  hid_t set = H5Dopen2(file, "verified_grid/points", H5P_DEFAULT), space = H5Dget_space(set);
  hsize_t dims[2] = {0, 0};
  int rank = H5Sget_simple_extent_dims(space, dims, NULL);
  long long n = rank == 2 && dims[1] == 2 ? (long long)dims[0] : -1;
  if (n > 0 && H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) n = -1;
  hid_t a = H5Aopen(set, "bound", H5P_DEFAULT);
  H5Aread(a, H5T_NATIVE_DOUBLE, bound), H5Aclose(a);
  a = H5Aopen(set, "eps", H5P_DEFAULT);
  H5Aread(a, H5T_NATIVE_DOUBLE, eps), H5Aclose(a);
  a = H5Aopen(set, "measure_preserving", H5P_DEFAULT);
  H5Aread(a, H5T_NATIVE_INT64, mp), H5Aclose(a);
  int has_tau = H5Lexists(file, "pseudospectrum", H5P_DEFAULT) > 0;
  H5Sclose(space), H5Dclose(set), H5Fclose(file);
  return has_tau ? n : -1;
}

static int check(solace_koopman k, const char *path, const double *grid, int mp) {
  static double z[2 * NZ], points[2 * NZ];
  static int64_t index[NZ];
  int64_t count, mp_file = -1;
  double bound, bound_file = -1, eps_file = -1, worst = -INFINITY;
  for (int a = 0; a < G; a++)
    for (int b = 0; b < G; b++) z[2 * (b + a * G)] = grid[b], z[2 * (b + a * G) + 1] = grid[a];
  TEST_CALL(solace_koopman_write_verified_grid(k, path, 0.1, G, grid, G, grid, NULL, 0.2, mp));
  TEST_CALL(solace_koopman_verify_points(k, NZ, z, NULL, 0.2, mp, &count, index, &bound));
  long long n = read_points(path, points, &bound_file, &eps_file, &mp_file);
  TEST_ASSERT(n == count, "file holds %lld points, verify_points %lld", n, (long long)count);
  for (int64_t j = 0; j < count && n == count; j++) {
    TEST_ASSERT(points[2 * j] == z[2 * index[j]] && points[2 * j + 1] == z[2 * index[j] + 1],
                "point %lld differs", (long long)j);
    worst = fmax(worst, fabs(hypot(points[2 * j], points[2 * j + 1]) - 1) - bound);
  }
  TEST_ASSERT(bound_file == bound && eps_file == 0.2 && mp_file == mp,
              "attributes: bound %g (%g), eps %g, measure_preserving %lld", bound_file, bound,
              eps_file, (long long)mp_file);
  printf("measure_preserving %d: %lld grid points verified, bound %.3g, max distance to the "
         "circle - bound %.3g\n",
         mp, (long long)count, bound, worst);
  TEST_ASSERT(count >= 4 && bound <= 0.2 && worst <= 1e-3, "count %lld, bound %g, worst %g",
              (long long)count, bound, worst);
  return 0;
}

int main(void) {
  static double x[M], y[M];
  double grid[G], tau_bad[NZ];
  for (int j = 0; j < M; j++) x[j] = TWO_PI * (j + 0.5) / M, y[j] = fmod(x[j] + 1, TWO_PI);
  for (int b = 0; b < G; b++) grid[b] = -1.3 + 2.6 * b / (G - 1);
  for (int j = 0; j < NZ; j++) tau_bad[j] = j == 5 ? -1 : 0.5;
  char dir[] = "/tmp/solace-koopman-vgrid-XXXXXX", path[128], bad[128];
  TEST_ASSERT(mkdtemp(dir), "mkdtemp");
  snprintf(path, sizeof path, "%s/spectrum.h5", dir);
  snprintf(bad, sizeof bad, "%s/bad.h5", dir);
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_FAILS_WITH(solace_koopman_write_verified_grid(k, bad, 0.1, G, grid, G, grid, NULL, 0.2, 0),
                  SOLACE_ERR_STATE);
  TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_LEGENDRE, 12,
                                          SOLACE_KOOPMAN_TOTAL_DEGREE));
  TEST_CALL(solace_koopman_set_data(k, 1, M, x, 1, M, y, 1, NULL));
  TEST_CALL(solace_koopman_compute(k));
  if (check(k, path, grid, 0) || check(k, path, grid, 1)) return 1;
  TEST_FAILS_WITH(solace_koopman_write_verified_grid(k, bad, 0.1, 0, NULL, 0, NULL, NULL, 0.2, 0),
                  SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_write_verified_grid(k, bad, 0.1, G, grid, G, grid, NULL, 0, 0),
                  SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_write_verified_grid(k, bad, 0.1, G, grid, G, grid, NULL, NAN, 0),
                  SOLACE_ERR_ARG);
  TEST_FAILS_WITH(
      solace_koopman_write_verified_grid(k, bad, 0.1, G, grid, G, grid, tau_bad, 0.2, 0),
      SOLACE_ERR_ARG);
  printf("errors: %s\n", solace_error_message());
  TEST_ASSERT(access(bad, F_OK) != 0, "a refused write left %s", bad);
  solace_koopman_destroy(&k);
  unlink(path), rmdir(dir);
  return test_finish("koopman-write-verified");
}
