/* Store round trip: a 2-D dataset (nx = 5, ny = 3, two parameters) written in a shuffled order
 * reads back exactly (tolerance 0: a store must not change a bit), through the writing store and
 * after reopening it read-only; then resume and overwrite. With an argument, the first file is
 * written at that path and kept for t-h5py.py, which checks the same values; with a second
 * argument "--kill", the program SIGKILLs itself once the samples are written, leaving the file
 * as a killed writer does. */
#define _POSIX_C_SOURCE 200809L
#include <hdf5.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "test-util.h"

enum { COUNT = 7, NX = 5, NY = 3, NPARAMS = 2, NWRITTEN = 6 };

/* The reference values of sample i, exact in binary (t-h5py.py computes the same). */
static void reference(int64_t i, double *input, double *output, double *params) {
  for (int iy = 0; iy < NY; iy++)
    for (int ix = 0; ix < NX; ix++) {
      input[ix + NX * iy] = (double)i + ix / 8.0 + iy / 64.0;
      output[ix + NX * iy] = 100.0 * (double)i - ix * 0.25 + iy * 0.5;
    }
  params[0] = (double)i / 4.0;
  params[1] = -(double)i;
}

/* The solve order: k -> (3k + 1) mod 7, a permutation. */
static int64_t order_of(int64_t k) {
  return (3 * k + 1) % COUNT;
}

/* Writes samples order[k] for k in [from, to). */
static int write_samples(solace_store store, int from, int to) {
  double input[NX * NY], output[NX * NY], params[NPARAMS];
  for (int k = from; k < to; k++) {
    int64_t i = order_of(k);
    reference(i, input, output, params);
    TEST_CALL(solace_store_write_sample(store, i, input, output, params, 10 + i, 0.125 * i,
                                        ldexp(1.0, -(20 + (int)i))));
  }
  return 0;
}

/* Checks the layout getters and attributes of the first file. */
static int check_layout(solace_store store) {
  int64_t count, nparams, grid[3], value;
  int ndim;
  char family[16], text[64];
  double rtol, seed;
  TEST_CALL(solace_store_get_count(store, &count));
  TEST_CALL(solace_store_get_grid(store, &ndim, grid));
  TEST_CALL(solace_store_get_nparams(store, &nparams));
  TEST_CALL(solace_store_get_family(store, family, sizeof family));
  TEST_ASSERT(count == COUNT && ndim == 2 && nparams == NPARAMS, "layout %lld %d %lld",
              (long long)count, ndim, (long long)nparams);
  TEST_ASSERT(grid[0] == NX && grid[1] == NY && grid[2] == 1, "grid %lld %lld %lld",
              (long long)grid[0], (long long)grid[1], (long long)grid[2]);
  TEST_ASSERT(!strcmp(family, "darcy"), "family '%s'", family);
  TEST_CALL(solace_store_get_attribute_string(store, "ksp_type", text, sizeof text));
  TEST_ASSERT(!strcmp(text, "cg"), "ksp_type '%s'", text);
  TEST_CALL(solace_store_get_attribute_string(store, "solace_format", text, sizeof text));
  TEST_ASSERT(!strcmp(text, "solace-dataset"), "solace_format '%s'", text);
  TEST_CALL(solace_store_get_attribute_string(store, "solace_version", text, sizeof text));
  TEST_ASSERT(!strcmp(text, "0.1.0"), "solace_version '%s'", text);
  TEST_CALL(solace_store_get_attribute_string(store, "created", text, sizeof text));
  TEST_ASSERT(strlen(text) == 20 && text[4] == '-' && text[10] == 'T' && text[19] == 'Z',
              "created '%s' is not ISO-8601 UTC", text);
  TEST_CALL(solace_store_get_attribute_double(store, "rtol", &rtol));
  TEST_NEAR(rtol, 1e-8, 0.0);
  TEST_CALL(solace_store_get_attribute_int(store, "seed", &value));
  TEST_ASSERT(value == 42, "seed %lld", (long long)value);
  TEST_CALL(solace_store_get_attribute_double(store, "seed", &seed)); /* an int read as double */
  TEST_NEAR(seed, 42.0, 0.0);
  TEST_CALL(solace_store_get_attribute_int(store, "format_version", &value));
  TEST_ASSERT(value == 1, "format_version %lld", (long long)value);
  return 0;
}

/* Checks order, done mask and every written sample, expecting order[0..ndone-1] done. */
static int check_samples(solace_store store, int ndone) {
  int64_t order[COUNT], n, iterations;
  int done[COUNT], one;
  double input[NX * NY], output[NX * NY], params[NPARAMS], ref_in[NX * NY], ref_out[NX * NY],
      ref_params[NPARAMS], seconds, residual;
  TEST_CALL(solace_store_read_order(store, order));
  TEST_CALL(solace_store_read_done(store, done));
  TEST_CALL(solace_store_count_done(store, &n));
  TEST_ASSERT(n == ndone, "count_done %lld, expected %d", (long long)n, ndone);
  for (int k = 0; k < COUNT; k++) {
    int64_t i = order_of(k);
    TEST_ASSERT(order[k] == i, "order[%d] = %lld", k, (long long)order[k]);
    TEST_CALL(solace_store_is_done(store, i, &one));
    TEST_ASSERT(done[i] == (k < ndone) && one == done[i], "sample %lld done %d/%d", (long long)i,
                done[i], one);
    if (k >= ndone) continue;
    reference(i, ref_in, ref_out, ref_params);
    TEST_CALL(solace_store_read_sample(store, i, input, output, params));
    for (int j = 0; j < NX * NY; j++) TEST_NEAR(input[j], ref_in[j], 0.0);
    for (int j = 0; j < NX * NY; j++) TEST_NEAR(output[j], ref_out[j], 0.0);
    for (int j = 0; j < NPARAMS; j++) TEST_NEAR(params[j], ref_params[j], 0.0);
    TEST_CALL(solace_store_read_stats(store, i, &iterations, &seconds, &residual));
    TEST_ASSERT(iterations == 10 + i, "iterations %lld", (long long)iterations);
    TEST_NEAR(seconds, 0.125 * i, 0.0);
    TEST_NEAR(residual, ldexp(1.0, -(20 + (int)i)), 0.0);
  }
  return 0;
}

/* Creates the first file: attributes, order, NWRITTEN samples, checked while open for writing;
 * with kill, the process then dies by SIGKILL instead of closing it. */
static int write_file(const char *path, int kill) {
  solace_store store;
  const int64_t grid[2] = {NX, NY};
  int64_t order[COUNT];
  for (int k = 0; k < COUNT; k++) order[k] = order_of(k);
  TEST_CALL(
      solace_store_create(path, "darcy", COUNT, 2, grid, NPARAMS, SOLACE_STORE_OVERWRITE, &store));
  TEST_CALL(solace_store_set_attribute_string(store, "ksp_type", "cg"));
  TEST_CALL(solace_store_set_attribute_double(store, "rtol", 1e-8));
  TEST_CALL(solace_store_set_attribute_int(store, "seed", 7));
  TEST_CALL(solace_store_set_attribute_int(store, "seed", 42)); /* replaces */
  TEST_CALL(solace_store_write_order(store, order));
  if (check_samples(store, 0)) return 1;
  if (write_samples(store, 0, 3) || check_samples(store, 3)) return 1;
  if (write_samples(store, 3, NWRITTEN) || check_samples(store, NWRITTEN)) return 1;
  if (check_layout(store)) return 1;
  if (kill) raise(SIGKILL);
  TEST_CALL(solace_store_destroy(&store));
  TEST_ASSERT(store == NULL, "destroy left the handle");
  return 0;
}

/* Resumes a copy of the first layout, writes the last sample, overwrites with another layout. */
static int resume_and_overwrite(const char *path) {
  solace_store store;
  const int64_t grid[2] = {NX, NY}, grid1[1] = {9};
  int64_t n, order[4];
  double input[9], output[9];
  if (write_file(path, 0)) return 1;
  TEST_CALL(
      solace_store_create(path, "darcy", COUNT, 2, grid, NPARAMS, SOLACE_STORE_RESUME, &store));
  if (check_samples(store, NWRITTEN) || write_samples(store, NWRITTEN, COUNT)) return 1;
  TEST_CALL(solace_store_destroy(&store));
  TEST_CALL(solace_store_open(path, &store));
  if (check_samples(store, COUNT) || check_layout(store)) return 1;
  TEST_CALL(solace_store_destroy(&store));
  TEST_CALL(solace_store_create(path, "heat", 4, 1, grid1, 0, SOLACE_STORE_OVERWRITE, &store));
  TEST_CALL(solace_store_count_done(store, &n));
  TEST_CALL(solace_store_read_order(store, order));
  TEST_ASSERT(n == 0, "overwritten file has %lld samples done", (long long)n);
  for (int k = 0; k < 4; k++)
    TEST_ASSERT(order[k] == k, "default order[%d] = %lld", k, (long long)order[k]);
  for (int j = 0; j < 9; j++) input[j] = j, output[j] = -j;
  TEST_CALL(solace_store_write_sample(store, 2, input, output, NULL, 1, 0.5, 0.25));
  TEST_CALL(solace_store_read_sample(store, 2, output, input, NULL)); /* swapped on purpose */
  for (int j = 0; j < 9; j++) TEST_NEAR(output[j], j, 0.0);
  TEST_CALL(solace_store_destroy(&store));
  return 0;
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "store-roundtrip.h5";
  char second[4096];
  solace_store store;
  snprintf(second, sizeof second, "%s-resume.h5", path);
  if (write_file(path, argc > 2 && !strcmp(argv[2], "--kill"))) return 1;
  TEST_CALL(solace_store_open(path, &store));
  if (check_layout(store) || check_samples(store, NWRITTEN)) return 1;
  TEST_CALL(solace_store_destroy(&store));
  TEST_CALL(solace_store_destroy(&store)); /* NULL handle: no-op */
  if (resume_and_overwrite(second)) return 1;
  remove(second);
  if (argc <= 1) remove(path);
  ssize_t open_ids = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
  TEST_ASSERT(open_ids == 0, "%zd HDF5 files, datasets or attributes left open", open_ids);
  return test_finish("store-roundtrip");
}
