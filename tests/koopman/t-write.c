/* solace_koopman_write(): the rotation by omega = 1 with Legendre functions of
 * degree 12 (some eigenpairs verified at residual 0.1, some not), written with
 * a 7 x 5 pseudospectrum grid and read back with the HDF5 C API: /eigenvalues,
 * /residuals, /verified (+ bound, residual_tol), /grid/re, /grid/im and
 * /pseudospectrum equal the getters and solace_koopman_pseudospectrum()
 * bit for bit (tolerance 0), whether tau is given or evaluated by the writer;
 * mpEDMD records method "mpedmd"; without a grid there is no /pseudospectrum.
 * Errors: a path in a missing directory and a path that is a directory give
 * SOLACE_ERR_IO and leave no file; NULL, before compute, bad tolerance and bad
 * grids give SOLACE_ERR_ARG / SOLACE_ERR_STATE. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <dirent.h>
#include <hdf5.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test-util.h"

#define TWO_PI 6.28318530717958647692

enum { M = 2000, NRE = 7, NIM = 5 };

/* Reads a whole float64/int64 dataset into buf (at most max values); returns its size or -1. */
static long long read_set(hid_t file, const char *name, hid_t mtype, void *buf, size_t max) {
  hid_t set = H5Dopen2(file, name, H5P_DEFAULT);
  if (set < 0) return -1;
  hid_t space = H5Dget_space(set);
  long long n = H5Sget_simple_extent_npoints(space);
  int ok =
      n >= 0 && (size_t)n <= max && H5Dread(set, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0;
  H5Sclose(space), H5Dclose(set);
  return ok ? n : -1;
}

static double read_attr(hid_t loc, const char *obj, const char *name) {
  double v = NAN;
  hid_t attr = H5Aopen_by_name(loc, obj, name, H5P_DEFAULT, H5P_DEFAULT);
  if (attr >= 0) H5Aread(attr, H5T_NATIVE_DOUBLE, &v), H5Aclose(attr);
  return v;
}

/* Number of entries of directory `dir` other than . and .. */
static int count_entries(const char *dir) {
  DIR *d = opendir(dir);
  int n = 0;
  for (struct dirent *e; d && (e = readdir(d));)
    n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
  if (d) closedir(d);
  return n;
}

/* Compares the file at path with the getters of k; 0 if all equal bit for bit. */
static int compare(solace_koopman k, const char *path, double tol, int with_grid,
                   const char *method, const double *re, const double *im) {
  int64_t r, count, index[16], vfile[16];
  double lambda[32], res[16], bound, lf[32], rf[16];
  TEST_CALL(solace_koopman_get_size(k, NULL, &r));
  TEST_CALL(solace_koopman_get_eigenvalues(k, lambda));
  TEST_CALL(solace_koopman_get_residuals(k, res));
  TEST_CALL(solace_koopman_get_verified(k, tol, &count, index, &bound));
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  TEST_ASSERT(file >= 0, "cannot open %s", path);
  if (file < 0) return 1;
  TEST_ASSERT(read_set(file, "eigenvalues", H5T_NATIVE_DOUBLE, lf, 32) == 2 * r, "eigenvalues");
  TEST_ASSERT(read_set(file, "residuals", H5T_NATIVE_DOUBLE, rf, 16) == r, "residuals");
  TEST_ASSERT(read_set(file, "verified", H5T_NATIVE_INT64, vfile, 16) == count, "verified");
  TEST_ASSERT(!memcmp(lf, lambda, sizeof(double) * 2 * r), "eigenvalues differ");
  TEST_ASSERT(!memcmp(rf, res, sizeof(double) * r), "residuals differ");
  TEST_ASSERT(!memcmp(vfile, index, sizeof(int64_t) * count), "verified indices differ");
  TEST_ASSERT(read_attr(file, "verified", "bound") == bound, "bound %g vs %g",
              read_attr(file, "verified", "bound"), bound);
  TEST_ASSERT(read_attr(file, "verified", "residual_tol") == tol, "residual_tol");
  hid_t attr = H5Aopen(file, "method", H5P_DEFAULT), type = H5Aget_type(attr);
  char *value = NULL;
  TEST_ASSERT(H5Tis_variable_str(type) > 0 && H5Aread(attr, type, &value) >= 0 && value &&
                  !strcmp(value, method),
              "method attribute %s, expected %s", value ? value : "(none)", method);
  if (value) H5free_memory(value);
  H5Tclose(type), H5Aclose(attr);
  H5E_BEGIN_TRY {
    TEST_ASSERT((H5Lexists(file, "pseudospectrum", H5P_DEFAULT) > 0) == with_grid,
                "/pseudospectrum present: %d", !with_grid);
  }
  H5E_END_TRY
  if (with_grid) {
    double gre[NRE], gim[NIM], tau[NRE * NIM], ref[NRE * NIM], z[2 * NRE];
    TEST_ASSERT(read_set(file, "grid/re", H5T_NATIVE_DOUBLE, gre, NRE) == NRE, "grid/re");
    TEST_ASSERT(read_set(file, "grid/im", H5T_NATIVE_DOUBLE, gim, NIM) == NIM, "grid/im");
    TEST_ASSERT(read_set(file, "pseudospectrum", H5T_NATIVE_DOUBLE, tau, NRE * NIM) == NRE * NIM,
                "pseudospectrum");
    TEST_ASSERT(!memcmp(gre, re, sizeof gre) && !memcmp(gim, im, sizeof gim), "grid differs");
    for (int a = 0; a < NIM; a++) {
      for (int b = 0; b < NRE; b++) z[2 * b] = re[b], z[2 * b + 1] = im[a];
      TEST_CALL(solace_koopman_pseudospectrum(k, NRE, z, ref + a * NRE));
    }
    TEST_ASSERT(!memcmp(tau, ref, sizeof tau), "pseudospectrum differs");
  }
  H5Fclose(file);
  printf("%s: %lld eigenvalues, %lld verified (bound %.3g), grid %d: equal bit for bit\n", path,
         (long long)r, (long long)count, bound, with_grid);
  return 0;
}

int main(void) {
  static double x[M], y[M];
  double omega = 1.0, re[NRE], im[NIM], tau[NRE * NIM], z[2 * NRE];
  for (int j = 0; j < M; j++) {
    x[j] = TWO_PI * (j + 0.5) / M;
    y[j] = fmod(x[j] + omega, TWO_PI);
  }
  for (int b = 0; b < NRE; b++) re[b] = -1.2 + 2.4 * b / (NRE - 1);
  for (int a = 0; a < NIM; a++) im[a] = -1.1 + 2.2 * a / (NIM - 1);
  char dir[] = "/tmp/solace-koopman-write-XXXXXX", path[128], path2[128], path3[128];
  TEST_ASSERT(mkdtemp(dir), "mkdtemp");
  snprintf(path, sizeof path, "%s/spectrum.h5", dir);
  snprintf(path2, sizeof path2, "%s/given.h5", dir);
  snprintf(path3, sizeof path3, "%s/mp.h5", dir);

  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_FAILS_WITH(solace_koopman_write(k, path, 0.1, 0, NULL, 0, NULL, NULL), SOLACE_ERR_STATE);
  TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_LEGENDRE, 12,
                                          SOLACE_KOOPMAN_TOTAL_DEGREE));
  TEST_CALL(solace_koopman_set_data(k, 1, M, x, 1, M, y, 1, NULL));
  TEST_CALL(solace_koopman_compute(k));

  /* the writer evaluates tau; then a caller-given tau (the same values) */
  TEST_CALL(solace_koopman_write(k, path, 0.1, NRE, re, NIM, im, NULL));
  if (compare(k, path, 0.1, 1, "edmd", re, im)) test_failures++;
  for (int a = 0; a < NIM; a++) {
    for (int b = 0; b < NRE; b++) z[2 * b] = re[b], z[2 * b + 1] = im[a];
    TEST_CALL(solace_koopman_pseudospectrum(k, NRE, z, tau + a * NRE));
  }
  TEST_CALL(solace_koopman_write(k, path2, 0.1, NRE, re, NIM, im, tau));
  if (compare(k, path2, 0.1, 1, "edmd", re, im)) test_failures++;
  /* mpEDMD, no grid, replacing an existing file */
  TEST_CALL(solace_koopman_set_method(k, SOLACE_KOOPMAN_MPEDMD));
  TEST_CALL(solace_koopman_compute(k));
  TEST_CALL(solace_koopman_write(k, path3, 1e-3, 0, NULL, 0, NULL, NULL));
  TEST_CALL(solace_koopman_write(k, path3, 1e-3, 0, NULL, 0, NULL, NULL));
  if (compare(k, path3, 1e-3, 0, "mpedmd", re, im)) test_failures++;
  TEST_ASSERT(count_entries(dir) == 3, "%d files in %s, 3 expected", count_entries(dir), dir);

  /* errors: nothing written */
  TEST_FAILS_WITH(
      solace_koopman_write(k, "/nonexistent-solace-dir/x.h5", 0.1, 0, NULL, 0, NULL, NULL),
      SOLACE_ERR_IO);
  TEST_ASSERT(access("/nonexistent-solace-dir", F_OK) != 0, "the missing directory appeared");
  TEST_FAILS_WITH(solace_koopman_write(k, dir, 0.1, 0, NULL, 0, NULL, NULL), SOLACE_ERR_IO);
  TEST_ASSERT(count_entries(dir) == 3, "a failed write left a file: %d entries",
              count_entries(dir));
  char bad[128];
  snprintf(bad, sizeof bad, "%s/bad.h5", dir);
  double nan_re[NRE];
  memcpy(nan_re, re, sizeof re);
  nan_re[3] = NAN;
  TEST_FAILS_WITH(solace_koopman_write(NULL, bad, 0.1, 0, NULL, 0, NULL, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_write(k, NULL, 0.1, 0, NULL, 0, NULL, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_write(k, bad, -1, 0, NULL, 0, NULL, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_write(k, bad, NAN, 0, NULL, 0, NULL, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_write(k, bad, 0.1, NRE, re, 0, NULL, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_write(k, bad, 0.1, NRE, nan_re, NIM, im, NULL), SOLACE_ERR_ARG);
  TEST_ASSERT(count_entries(dir) == 3, "a refused write left a file");
  TEST_CALL(solace_koopman_destroy(&k));
  unlink(path), unlink(path2), unlink(path3), rmdir(dir);
  return test_finish("koopman-write");
}
