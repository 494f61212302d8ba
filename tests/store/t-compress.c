/* solace_store_compress: a finished dataset is rewritten with shuffle + deflate and reads back
 * bit for bit (tolerance 0: compression is lossless); an unfinished, foreign or missing file is
 * refused and left byte for byte as it was. */
#include <hdf5.h>
#include <string.h>
#include <sys/stat.h>

#include "test-util.h"

enum { COUNT = 6, N = 32, NPARAMS = 1 };

/* A smooth field of sample i (compressible, as solutions are). */
static void field(int64_t i, double *values, double scale) {
  for (int k = 0; k < N * N; k++) {
    double x = (double)(k % N) / N, y = (double)(k / N) / N;
    values[k] = scale * x * (1 - x) * y * (1 - y) * (1 + 0.01 * (double)i);
  }
}

/* Writes a store with the first `ndone` samples done. */
static int write_store(const char *path, int ndone) {
  solace_store store;
  int64_t grid[2] = {N, N};
  double input[N * N], output[N * N], param;
  TEST_CALL(
      solace_store_create(path, "test", COUNT, 2, grid, NPARAMS, SOLACE_STORE_OVERWRITE, &store));
  TEST_CALL(solace_store_set_attribute_string(store, "note", "kept through compression"));
  TEST_CALL(solace_store_set_attribute_double(store, "rtol", 1e-8));
  for (int64_t i = 0; i < ndone; i++) {
    field(i, input, 1.0), field(i, output, -2.0), param = (double)i;
    TEST_CALL(solace_store_write_sample(store, i, input, output, &param, i + 1, 0.5, 1e-9));
  }
  TEST_CALL(solace_store_destroy(&store));
  return 0;
}

/* Reads every sample, its stats and the attributes back and compares them exactly. */
static int check_values(const char *path) {
  solace_store store;
  double input[N * N], output[N * N], want_in[N * N], want_out[N * N], param, rtol;
  int64_t its, ndone;
  char note[64];
  TEST_CALL(solace_store_open(path, &store));
  TEST_CALL(solace_store_count_done(store, &ndone));
  TEST_ASSERT(ndone == COUNT, "%lld done after compression", (long long)ndone);
  for (int64_t i = 0; i < COUNT; i++) {
    TEST_CALL(solace_store_read_sample(store, i, input, output, &param));
    TEST_CALL(solace_store_read_stats(store, i, &its, NULL, NULL));
    field(i, want_in, 1.0), field(i, want_out, -2.0);
    TEST_ASSERT(!memcmp(input, want_in, sizeof input) && !memcmp(output, want_out, sizeof output),
                "sample %lld changed", (long long)i);
    TEST_ASSERT(param == (double)i && its == i + 1, "params/stats of %lld changed", (long long)i);
  }
  TEST_CALL(solace_store_get_attribute_string(store, "note", note, sizeof note));
  TEST_CALL(solace_store_get_attribute_double(store, "rtol", &rtol));
  TEST_ASSERT(!strcmp(note, "kept through compression") && rtol == 1e-8, "attributes lost");
  TEST_CALL(solace_store_destroy(&store));
  return 0;
}

/* True if /inputs and /outputs carry the deflate filter. */
static int fields_deflated(const char *path) {
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  int both = file >= 0;
  for (int k = 0; k < 2 && both; k++) {
    hid_t set = H5Dopen2(file, k ? "outputs" : "inputs", H5P_DEFAULT),
          dcpl = H5Dget_create_plist(set);
    both = H5Pget_filter_by_id2(dcpl, H5Z_FILTER_DEFLATE, NULL, NULL, NULL, 0, NULL, NULL) >= 0;
    H5Pclose(dcpl), H5Dclose(set);
  }
  if (file >= 0) H5Fclose(file);
  return both;
}

/* Returns the whole content of a file (caller frees) and its size. */
static char *slurp(const char *path, long *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END), *size = ftell(f), fseek(f, 0, SEEK_SET);
  char *bytes = malloc((size_t)*size + 1);
  if (bytes && fread(bytes, 1, (size_t)*size, f) != (size_t)*size) *size = -1;
  fclose(f);
  return bytes;
}

/* The call must fail with `code` and leave the file's bytes unchanged. */
static int refused_unchanged(const char *path, int level, int code) {
  long before_size, after_size;
  char *before = slurp(path, &before_size);
  TEST_FAILS_WITH(solace_store_compress(path, level), code);
  char *after = slurp(path, &after_size);
  TEST_ASSERT(before && after && before_size == after_size &&
                  !memcmp(before, after, (size_t)before_size),
              "%s changed by a refused compression", path);
  free(before), free(after);
  return 0;
}

int main(void) {
  struct stat plain, packed;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  if (write_store("store-compress.h5", COUNT)) return 1;
  stat("store-compress.h5", &plain);
  TEST_CALL(solace_store_compress("store-compress.h5", 6));
  stat("store-compress.h5", &packed);
  printf("size %lld -> %lld bytes\n", (long long)plain.st_size, (long long)packed.st_size);
  TEST_ASSERT(packed.st_size < plain.st_size / 2, "smooth fields did not shrink");
  TEST_ASSERT(fields_deflated("store-compress.h5"), "fields are not deflated");
  if (check_values("store-compress.h5")) return 1;
  TEST_CALL(solace_store_compress("store-compress.h5", 1)); /* again: still the same values */
  if (check_values("store-compress.h5")) return 1;
  if (write_store("store-compress-part.h5", COUNT - 2)) return 1;
  if (refused_unchanged("store-compress-part.h5", 4, SOLACE_ERR_STATE)) return 1;
  if (refused_unchanged("store-compress.h5", 0, SOLACE_ERR_ARG)) return 1;
  if (refused_unchanged("store-compress.h5", 10, SOLACE_ERR_ARG)) return 1;
  FILE *text = fopen("store-compress-text.h5", "w");
  fputs("not a dataset\n", text), fclose(text);
  if (refused_unchanged("store-compress-text.h5", 4, SOLACE_ERR_FORMAT)) return 1;
  TEST_FAILS_WITH(solace_store_compress("store-compress-missing.h5", 4), SOLACE_ERR_IO);
  TEST_FAILS_WITH(solace_store_compress(NULL, 4), SOLACE_ERR_ARG);
  remove("store-compress.h5"), remove("store-compress-part.h5"), remove("store-compress-text.h5");
  return test_finish("store-compress");
}
