/* Bad input to the Koopman API: clear status codes and messages. Fewer snapshot
 * pairs than dictionary functions, NaN data, X and Y of different lengths, a
 * trajectory file whose t and x disagree in length, calls out of order, NULLs
 * and bad sizes. Also a trajectory file round trip (exact: float64 on disk). */
#include <hdf5.h>
#include <string.h>

#include "test-util.h"

static int check_data_errors(void) {
  solace_koopman k = NULL;
  double x[6] = {0, 1, 2, 3, 4, 5}, y[6] = {1, 2, 3, 4, 5, 6}, out[16];
  TEST_FAILS_WITH(solace_koopman_create(NULL), SOLACE_ERR_ARG);
  TEST_CALL(solace_koopman_destroy(NULL));
  TEST_CALL(solace_koopman_destroy(&k));
  TEST_CALL(solace_koopman_create(&k));
  TEST_FAILS_WITH(solace_koopman_compute(k), SOLACE_ERR_STATE);
  TEST_FAILS_WITH(solace_koopman_get_eigenvalues(k, out), SOLACE_ERR_STATE);
  TEST_FAILS_WITH(solace_koopman_set_data(k, 1, 6, x, 1, 5, y, 1, NULL), SOLACE_ERR_ARG);
  TEST_ASSERT(strstr(solace_error_message(), "6") && strstr(solace_error_message(), "5"), "%s",
              solace_error_message());
  double bad[6] = {0, 1, NAN, 3, 4, 5};
  TEST_FAILS_WITH(solace_koopman_set_data(k, 1, 6, bad, 1, 6, y, 1, NULL), SOLACE_ERR_ARG);
  TEST_ASSERT(strstr(solace_error_message(), "X(0, 2)"), "%s", solace_error_message());
  TEST_FAILS_WITH(solace_koopman_compute(k), SOLACE_ERR_STATE); /* the bad data were not kept */
  TEST_FAILS_WITH(solace_koopman_set_data(k, 1, 6, x, 1, 6, y, 1, (double[6]){0}), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_set_data(k, 2, 3, x, 1, 3, y, 2, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_set_trajectories(k, 1, 2, 1, x), SOLACE_ERR_ARG);
  double tbad[6] = {0, 1, 2, 3, INFINITY, 5};
  TEST_FAILS_WITH(solace_koopman_set_trajectories(k, 1, 2, 3, tbad), SOLACE_ERR_ARG);
  TEST_ASSERT(strstr(solace_error_message(), "trajectory 1"), "%s", solace_error_message());
  TEST_FAILS_WITH(solace_koopman_set_dictionary(k, 9, 2, 0), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_set_dictionary(k, 0, -1, 0), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_set_rcond(k, 1.5), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_set_scaling(k, 1, (double[1]){0}, (double[1]){0}), SOLACE_ERR_ARG);
  /* fewer pairs (6) than functions (Legendre degree 7: 8) */
  TEST_CALL(solace_koopman_set_data(k, 1, 6, x, 1, 6, y, 1, NULL));
  TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_LEGENDRE, 7, 0));
  TEST_FAILS_WITH(solace_koopman_compute(k), SOLACE_ERR_ARG);
  TEST_ASSERT(strstr(solace_error_message(), "6 snapshot pairs but 8"), "%s",
              solace_error_message());
  TEST_CALL(solace_koopman_set_dictionary_kinds(k, 2, (int64_t[2]){0, 3}));
  TEST_FAILS_WITH(solace_koopman_compute(k), SOLACE_ERR_ARG); /* kinds for d = 2, data d = 1 */
  TEST_FAILS_WITH(solace_koopman_set_dictionary_kinds(k, 1, (int64_t[1]){4}), SOLACE_ERR_ARG);
  TEST_CALL(solace_koopman_set_dictionary_kinds(k, 0, NULL));
  TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_MONOMIAL, 1, 0));
  TEST_CALL(solace_koopman_compute(k));
  TEST_FAILS_WITH(solace_koopman_pseudospectrum(k, 1, (double[2]){NAN, 0}, out), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_get_eigenvectors(k, out, 1), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_get_ct_eigenvalues(k, 0, out), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_get_verified(k, -1, (int64_t[1]){0}, NULL, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_eigenfunctions(k, 1, (double[1]){NAN}, 1, out, 1), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_get_modes(k, out, 0), SOLACE_ERR_ARG);
  TEST_CALL(solace_koopman_destroy(&k));
  return 0;
}

static int check_files(void) {
  const char *path = "koopman-traj.h5", *bad = "koopman-traj-bad.h5";
  double x0[2] = {1.0, 0.0}, x[2 * 5], back[2 * 5], t[5];
  int64_t d, nt, ns;
  TEST_FAILS_WITH(solace_koopman_simulate("nosuch", NULL, 0, 0.1, 1, 5, x0, x), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_simulate("duffing", NULL, 0, -1, 1, 5, x0, x), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_simulate("duffing", (double[1]){NAN}, 1, 0.1, 1, 5, x0, x),
                  SOLACE_ERR_ARG);
  TEST_CALL(solace_koopman_simulate("duffing", NULL, 0, 0.1, 1, 5, x0, x));
  TEST_NEAR(x[0], 1, 0); /* (1, 0) is an equilibrium */
  TEST_NEAR(x[8], 1, 1e-12);
  TEST_CALL(solace_koopman_traj_write(path, "duffing", 0.1, 2, 1, 5, x));
  TEST_CALL(solace_koopman_traj_sizes(path, &d, &nt, &ns));
  TEST_ASSERT(d == 2 && nt == 1 && ns == 5, "sizes %lld %lld %lld", (long long)d, (long long)nt,
              (long long)ns);
  TEST_CALL(solace_koopman_traj_read(path, 2, 1, 5, t, back));
  TEST_ASSERT(!memcmp(x, back, sizeof x) && t[4] == 4 * 0.1, "round trip differs");
  TEST_FAILS_WITH(solace_koopman_traj_read(path, 2, 2, 5, t, back), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_traj_sizes("no-such-file.h5", &d, &nt, &ns), SOLACE_ERR_IO);
  /* t with 4 entries, x with 5 steps */
  hid_t f = H5Fcreate(bad, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t g = H5Gcreate2(f, "trajectories", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hsize_t td[1] = {4}, xd[3] = {1, 5, 2};
  hid_t ts = H5Screate_simple(1, td, NULL), xs = H5Screate_simple(3, xd, NULL);
  hid_t tset = H5Dcreate2(g, "t", H5T_IEEE_F64LE, ts, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hid_t xset = H5Dcreate2(g, "x", H5T_IEEE_F64LE, xs, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(tset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t);
  H5Dwrite(xset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x);
  H5Dclose(tset), H5Dclose(xset), H5Sclose(ts), H5Sclose(xs), H5Gclose(g), H5Fclose(f);
  TEST_FAILS_WITH(solace_koopman_traj_sizes(bad, &d, &nt, &ns), SOLACE_ERR_FORMAT);
  TEST_ASSERT(strstr(solace_error_message(), "mismatched"), "%s", solace_error_message());
  remove(path), remove(bad);
  return 0;
}

int main(void) {
  if (check_data_errors() || check_files()) test_failures++;
  return test_finish("koopman-errors");
}
