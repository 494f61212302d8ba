/* Store error paths: every bad argument, wrong file and wrong state fails with its status code
 * and a message, and a refused file keeps its exact bytes (compared whole). HDF5's error printing
 * is silenced during Solace calls and the caller's handler is restored afterwards. */
#define _POSIX_C_SOURCE 200809L
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "solace-impl.h"
#include "test-util.h"

/* Clears the message first, so that the one checked is this call's. */
#define FAILS(expr, code)                                                                          \
  do {                                                                                             \
    solace_error_clear();                                                                          \
    TEST_FAILS_WITH(expr, code);                                                                   \
    if (getenv("SOLACE_TEST_VERBOSE")) printf("%s\n  -> %s\n", #expr, solace_error_message());     \
  } while (0)

/* Checks that the last message contains `word`. */
#define MESSAGE_HAS(word)                                                                          \
  TEST_ASSERT(strstr(solace_error_message(), word), "message '%s' lacks '%s'",                     \
              solace_error_message(), word)

enum { COUNT = 4, NX = 6, NY = 2, NPARAMS = 1 };
static const int64_t grid[2] = {NX, NY};

/* Reads a whole file into a new buffer (NULL if missing); *size receives its length. */
static char *read_bytes(const char *path, long *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *size = ftell(f);
  rewind(f);
  char *bytes = malloc((size_t)*size + 1);
  if (bytes && fread(bytes, 1, (size_t)*size, f) != (size_t)*size) bytes[0] ^= 1;
  fclose(f);
  return bytes;
}

/* Remembers a file's bytes, to check later that a refused call did not touch them. */
typedef struct {
  const char *path;
  char *bytes;
  long size;
} snapshot;

static snapshot take(const char *path) {
  snapshot s = {path, NULL, 0};
  s.bytes = read_bytes(path, &s.size);
  return s;
}

/* Checks the file still has the snapshot's bytes, then frees the snapshot. */
static void check_unchanged(snapshot *s) {
  long size = -1;
  char *now = read_bytes(s->path, &size);
  TEST_ASSERT(now && s->bytes && size == s->size && !memcmp(now, s->bytes, (size_t)size),
              "'%s' changed (%ld -> %ld bytes)", s->path, s->size, size);
  free(now);
  free(s->bytes);
}

/* Creates a valid store file with one sample written, closed. */
static int make_store(const char *path) {
  solace_store store;
  double input[NX * NY] = {0}, output[NX * NY] = {0}, params[NPARAMS] = {0};
  TEST_CALL(
      solace_store_create(path, "darcy", COUNT, 2, grid, NPARAMS, SOLACE_STORE_OVERWRITE, &store));
  TEST_CALL(solace_store_write_sample(store, 1, input, output, params, 3, 0.1, 1e-9));
  TEST_CALL(solace_store_destroy(&store));
  return 0;
}

/* Creates an HDF5 file with plain HDF5 calls: a dataset and, if format, a solace_format
 * attribute with a foreign value. */
static void make_foreign(const char *path, const char *format) {
  hsize_t n = 3;
  double x[3] = {1, 2, 3};
  hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t space = H5Screate_simple(1, &n, NULL);
  hid_t set =
      H5Dcreate2(file, "inputs", H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x);
  if (format) {
    hid_t type = H5Tcopy(H5T_C_S1), scalar = H5Screate(H5S_SCALAR);
    H5Tset_size(type, strlen(format));
    hid_t attr = H5Acreate2(file, "solace_format", type, scalar, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attr, type, format);
    H5Aclose(attr), H5Sclose(scalar), H5Tclose(type);
  }
  H5Dclose(set), H5Sclose(space), H5Fclose(file);
}

/* Writes a small text file. */
static void make_text(const char *path) {
  FILE *f = fopen(path, "w");
  if (f) fputs("not an HDF5 file\n", f), fclose(f);
}

/* Bad arguments of create and open. */
static int test_arguments(void) {
  solace_store store = (solace_store)&store; /* not NULL: failures must reset it */
  const int64_t zero[2] = {NX, 0}, negative[2] = {-3, NY}, huge[3] = {1 << 20, 1 << 20, 1};
  const char *p = "store-bad-args.h5";
  FAILS(solace_store_create(p, "darcy", COUNT, 2, grid, 0, 0, NULL), SOLACE_ERR_ARG);
  FAILS(solace_store_create(NULL, "darcy", COUNT, 2, grid, 0, 0, &store), SOLACE_ERR_ARG);
  TEST_ASSERT(store == NULL, "failed create left a handle");
  FAILS(solace_store_create("", "darcy", COUNT, 2, grid, 0, 0, &store), SOLACE_ERR_ARG);
  FAILS(solace_store_create(p, NULL, COUNT, 2, grid, 0, 0, &store), SOLACE_ERR_ARG);
  FAILS(solace_store_create(p, "", COUNT, 2, grid, 0, 0, &store), SOLACE_ERR_ARG);
  FAILS(solace_store_create(p, "darcy", COUNT, 2, NULL, 0, 0, &store), SOLACE_ERR_ARG);
  FAILS(solace_store_create(p, "darcy", 0, 2, grid, 0, 0, &store), SOLACE_ERR_ARG);
  MESSAGE_HAS("count = 0");
  FAILS(solace_store_create(p, "darcy", -5, 2, grid, 0, 0, &store), SOLACE_ERR_ARG);
  FAILS(solace_store_create(p, "darcy", COUNT, 0, grid, 0, 0, &store), SOLACE_ERR_ARG);
  FAILS(solace_store_create(p, "darcy", COUNT, 4, grid, 0, 0, &store), SOLACE_ERR_ARG);
  MESSAGE_HAS("ndim = 4");
  FAILS(solace_store_create(p, "darcy", COUNT, 2, zero, 0, 0, &store), SOLACE_ERR_ARG);
  MESSAGE_HAS("grid[1] = 0");
  FAILS(solace_store_create(p, "darcy", COUNT, 2, negative, 0, 0, &store), SOLACE_ERR_ARG);
  MESSAGE_HAS("grid[0] = -3");
  FAILS(solace_store_create(p, "darcy", COUNT, 2, grid, -1, 0, &store), SOLACE_ERR_ARG);
  FAILS(solace_store_create(p, "darcy", COUNT, 2, grid, 0, 3, &store), SOLACE_ERR_ARG);
  MESSAGE_HAS("mode 3");
  FAILS(solace_store_create(p, "darcy", COUNT, 2, grid, 0, -1, &store), SOLACE_ERR_ARG);
  FAILS(solace_store_create(p, "darcy", COUNT, 3, huge, 0, 0, &store), SOLACE_ERR_UNSUPPORTED);
  TEST_ASSERT(access(p, F_OK) != 0, "a refused create made '%s'", p);
  FAILS(solace_store_open(NULL, &store), SOLACE_ERR_ARG);
  FAILS(solace_store_open(p, NULL), SOLACE_ERR_ARG);
  FAILS(solace_store_open("store-no-such-file.h5", &store), SOLACE_ERR_IO);
  MESSAGE_HAS("store-no-such-file.h5");
  FAILS(solace_store_open(".", &store), SOLACE_ERR_IO);
  TEST_CALL(solace_store_destroy(NULL));
  store = NULL;
  TEST_CALL(solace_store_destroy(&store));
  return 0;
}

/* Every call on a NULL handle is SOLACE_ERR_ARG. */
static int test_null_handle(void) {
  int64_t i64, g[3];
  int n, done[COUNT];
  double x[NX * NY], d;
  char buf[8];
  FAILS(solace_store_get_count(NULL, &i64), SOLACE_ERR_ARG);
  FAILS(solace_store_get_grid(NULL, &n, g), SOLACE_ERR_ARG);
  FAILS(solace_store_get_nparams(NULL, &i64), SOLACE_ERR_ARG);
  FAILS(solace_store_get_family(NULL, buf, sizeof buf), SOLACE_ERR_ARG);
  FAILS(solace_store_set_attribute_string(NULL, "a", "b"), SOLACE_ERR_ARG);
  FAILS(solace_store_set_attribute_double(NULL, "a", 1.0), SOLACE_ERR_ARG);
  FAILS(solace_store_set_attribute_int(NULL, "a", 1), SOLACE_ERR_ARG);
  FAILS(solace_store_get_attribute_string(NULL, "a", buf, sizeof buf), SOLACE_ERR_ARG);
  FAILS(solace_store_get_attribute_double(NULL, "a", &d), SOLACE_ERR_ARG);
  FAILS(solace_store_get_attribute_int(NULL, "a", &i64), SOLACE_ERR_ARG);
  FAILS(solace_store_write_order(NULL, g), SOLACE_ERR_ARG);
  FAILS(solace_store_read_order(NULL, g), SOLACE_ERR_ARG);
  FAILS(solace_store_write_sample(NULL, 0, x, x, x, 1, 1.0, 1.0), SOLACE_ERR_ARG);
  FAILS(solace_store_is_done(NULL, 0, &n), SOLACE_ERR_ARG);
  FAILS(solace_store_count_done(NULL, &i64), SOLACE_ERR_ARG);
  FAILS(solace_store_read_done(NULL, done), SOLACE_ERR_ARG);
  FAILS(solace_store_read_sample(NULL, 0, x, x, x), SOLACE_ERR_ARG);
  FAILS(solace_store_read_stats(NULL, 0, &i64, &d, &d), SOLACE_ERR_ARG);
  return 0;
}

/* CREATE on an existing file (a store, a text file) is SOLACE_ERR_IO; the file is untouched. */
static int test_existing(const char *p) {
  solace_store store;
  const char *text = "store-bad-existing.txt";
  snapshot s = take(p);
  FAILS(solace_store_create(p, "darcy", COUNT, 2, grid, NPARAMS, SOLACE_STORE_CREATE, &store),
        SOLACE_ERR_IO);
  MESSAGE_HAS("exists");
  check_unchanged(&s);
  make_text(text);
  s = take(text);
  FAILS(solace_store_create(text, "darcy", COUNT, 2, grid, 0, SOLACE_STORE_CREATE, &store),
        SOLACE_ERR_IO);
  check_unchanged(&s);
  remove(text);
  return 0;
}

/* A file that cannot be created (missing or read-only directory, a directory in the way) is
 * SOLACE_ERR_IO naming the path, for every mode. */
static int test_unwritable(void) {
  solace_store store;
  const char *missing = "store-no-such-dir/x.h5", *dir = "store-bad-dir";
  for (int mode = 0; mode < 3; mode++) {
    FAILS(solace_store_create(missing, "darcy", COUNT, 2, grid, 0, mode, &store), SOLACE_ERR_IO);
    MESSAGE_HAS(missing);
  }
  mkdir(dir, 0755);
  FAILS(solace_store_create(dir, "darcy", COUNT, 2, grid, 0, SOLACE_STORE_OVERWRITE, &store),
        SOLACE_ERR_IO);
  struct stat st;
  TEST_ASSERT(stat(dir, &st) == 0 && S_ISDIR(st.st_mode), "directory '%s' was replaced", dir);
  rmdir(dir);
  if (geteuid() != 0) { /* as root, permissions do not apply */
    const char *readonly = "store-bad-readonly/x.h5";
    mkdir("store-bad-readonly", 0555);
    FAILS(solace_store_create(readonly, "darcy", COUNT, 2, grid, 0, SOLACE_STORE_CREATE, &store),
          SOLACE_ERR_IO);
    MESSAGE_HAS(readonly);
    rmdir("store-bad-readonly");
  }
  return 0;
}

/* Files that are not Solace datasets: RESUME and open refuse them (SOLACE_ERR_FORMAT) untouched. */
static int test_foreign(void) {
  const char *paths[4] = {"store-bad-text.h5", "store-bad-empty.h5", "store-bad-plain.h5",
                          "store-bad-other.h5"};
  solace_store store;
  make_text(paths[0]);
  fclose(fopen(paths[1], "w"));
  make_foreign(paths[2], NULL);
  make_foreign(paths[3], "other-format");
  for (int k = 0; k < 4; k++) {
    snapshot s = take(paths[k]);
    FAILS(solace_store_create(paths[k], "darcy", COUNT, 2, grid, 0, SOLACE_STORE_RESUME, &store),
          SOLACE_ERR_FORMAT);
    MESSAGE_HAS(paths[k]);
    FAILS(solace_store_open(paths[k], &store), SOLACE_ERR_FORMAT);
    TEST_ASSERT(store == NULL, "failed open left a handle");
    check_unchanged(&s);
    remove(paths[k]);
  }
  return 0;
}

/* RESUME of a store whose layout differs from the request: SOLACE_ERR_FORMAT naming the field. */
static int test_mismatch(const char *p) {
  solace_store store;
  const int64_t wider[2] = {NX + 1, NY}, line[1] = {NX};
  snapshot s = take(p);
  FAILS(solace_store_create(p, "heat", COUNT, 2, grid, NPARAMS, SOLACE_STORE_RESUME, &store),
        SOLACE_ERR_FORMAT);
  MESSAGE_HAS("family");
  FAILS(solace_store_create(p, "darcy", COUNT + 1, 2, grid, NPARAMS, SOLACE_STORE_RESUME, &store),
        SOLACE_ERR_FORMAT);
  MESSAGE_HAS("count");
  FAILS(solace_store_create(p, "darcy", COUNT, 2, wider, NPARAMS, SOLACE_STORE_RESUME, &store),
        SOLACE_ERR_FORMAT);
  MESSAGE_HAS("grid 6x2, not 7x2");
  FAILS(solace_store_create(p, "darcy", COUNT, 1, line, NPARAMS, SOLACE_STORE_RESUME, &store),
        SOLACE_ERR_FORMAT);
  MESSAGE_HAS("grid");
  FAILS(solace_store_create(p, "darcy", COUNT, 2, grid, NPARAMS + 1, SOLACE_STORE_RESUME, &store),
        SOLACE_ERR_FORMAT);
  MESSAGE_HAS("nparams");
  check_unchanged(&s);
  return 0;
}

/* Refused samples: non-finite values, NULL buffers, bad index; nothing is marked done. */
static int test_bad_samples(solace_store store) {
  double x[NX * NY] = {0}, bad[NX * NY] = {0}, p[NPARAMS] = {0}, nan_p[NPARAMS] = {NAN}, d;
  int64_t n, i64;
  int done = -1;
  bad[5] = NAN;
  FAILS(solace_store_write_sample(store, 0, bad, x, p, 1, 1.0, 1.0), SOLACE_ERR_ARG);
  MESSAGE_HAS("input[5] = nan");
  bad[5] = INFINITY;
  FAILS(solace_store_write_sample(store, 0, x, bad, p, 1, 1.0, 1.0), SOLACE_ERR_ARG);
  MESSAGE_HAS("output[5] = inf");
  FAILS(solace_store_write_sample(store, 0, x, x, nan_p, 1, 1.0, 1.0), SOLACE_ERR_ARG);
  FAILS(solace_store_write_sample(store, 0, x, x, p, 1, NAN, 1.0), SOLACE_ERR_ARG);
  FAILS(solace_store_write_sample(store, 0, x, x, p, 1, 1.0, -INFINITY), SOLACE_ERR_ARG);
  FAILS(solace_store_write_sample(store, 0, x, x, NULL, 1, 1.0, 1.0), SOLACE_ERR_ARG);
  FAILS(solace_store_write_sample(store, 0, NULL, x, p, 1, 1.0, 1.0), SOLACE_ERR_ARG);
  FAILS(solace_store_write_sample(store, 0, x, NULL, p, 1, 1.0, 1.0), SOLACE_ERR_ARG);
  FAILS(solace_store_write_sample(store, -1, x, x, p, 1, 1.0, 1.0), SOLACE_ERR_ARG);
  FAILS(solace_store_write_sample(store, COUNT, x, x, p, 1, 1.0, 1.0), SOLACE_ERR_ARG);
  MESSAGE_HAS("index 4 is not in [0, 4)");
  FAILS(solace_store_is_done(store, COUNT, &done), SOLACE_ERR_ARG);
  FAILS(solace_store_is_done(store, 0, NULL), SOLACE_ERR_ARG);
  FAILS(solace_store_read_sample(store, -1, x, x, p), SOLACE_ERR_ARG);
  FAILS(solace_store_read_stats(store, COUNT, &i64, &d, &d), SOLACE_ERR_ARG);
  FAILS(solace_store_read_sample(store, 0, x, x, p), SOLACE_ERR_STATE);
  MESSAGE_HAS("not written");
  FAILS(solace_store_read_stats(store, 0, &i64, &d, &d), SOLACE_ERR_STATE);
  TEST_CALL(solace_store_is_done(store, 0, &done));
  TEST_CALL(solace_store_count_done(store, &n));
  TEST_ASSERT(done == 0 && n == 0, "a refused sample was marked done (%d, %lld)", done,
              (long long)n);
  return 0;
}

/* Refused attributes and orders before the first sample; getters of missing or other kinds. */
static int test_bad_attributes(solace_store store) {
  const int64_t duplicate[COUNT] = {0, 1, 1, 3}, outside[COUNT] = {0, 1, 2, 4};
  char buf[64];
  double d;
  int64_t i64;
  FAILS(solace_store_set_attribute_string(store, "family", "x"), SOLACE_ERR_ARG);
  MESSAGE_HAS("family");
  FAILS(solace_store_set_attribute_int(store, "count", 3), SOLACE_ERR_ARG);
  FAILS(solace_store_set_attribute_int(store, "", 3), SOLACE_ERR_ARG);
  FAILS(solace_store_set_attribute_int(store, NULL, 3), SOLACE_ERR_ARG);
  FAILS(solace_store_set_attribute_string(store, "ksp_type", NULL), SOLACE_ERR_ARG);
  FAILS(solace_store_set_attribute_double(store, "rtol", NAN), SOLACE_ERR_ARG);
  FAILS(solace_store_write_order(store, duplicate), SOLACE_ERR_ARG);
  MESSAGE_HAS("order[2] = 1");
  FAILS(solace_store_write_order(store, outside), SOLACE_ERR_ARG);
  FAILS(solace_store_write_order(store, NULL), SOLACE_ERR_ARG);
  TEST_CALL(solace_store_set_attribute_double(store, "rtol", 1e-6));
  TEST_CALL(solace_store_set_attribute_int(store, "seed", 5));
  FAILS(solace_store_get_attribute_string(store, "missing", buf, sizeof buf), SOLACE_ERR_FORMAT);
  MESSAGE_HAS("missing");
  FAILS(solace_store_get_attribute_double(store, "missing", &d), SOLACE_ERR_FORMAT);
  FAILS(solace_store_get_attribute_int(store, "missing", &i64), SOLACE_ERR_FORMAT);
  FAILS(solace_store_get_attribute_int(store, "rtol", &i64), SOLACE_ERR_FORMAT);
  FAILS(solace_store_get_attribute_string(store, "seed", buf, sizeof buf), SOLACE_ERR_FORMAT);
  FAILS(solace_store_get_attribute_double(store, "family", &d), SOLACE_ERR_FORMAT);
  FAILS(solace_store_get_attribute_int(store, "grid", &i64), SOLACE_ERR_FORMAT); /* 2 values */
  FAILS(solace_store_get_attribute_string(store, "family", buf, 5), SOLACE_ERR_ARG);
  FAILS(solace_store_get_attribute_string(store, "family", NULL, 5), SOLACE_ERR_ARG);
  FAILS(solace_store_get_family(store, buf, 5), SOLACE_ERR_ARG);
  MESSAGE_HAS("6 bytes");
  FAILS(solace_store_get_family(store, buf, -1), SOLACE_ERR_ARG);
  TEST_CALL(solace_store_get_family(store, buf, 6));
  TEST_ASSERT(!strcmp(buf, "darcy"), "family '%s'", buf);
  return 0;
}

/* After the first sample: duplicates, attributes and order changes are SOLACE_ERR_STATE. */
static int test_after_first_sample(solace_store store) {
  double x[NX * NY] = {0}, p[NPARAMS] = {0};
  const int64_t order[COUNT] = {3, 2, 1, 0};
  int64_t n;
  TEST_CALL(solace_store_write_sample(store, 2, x, x, p, 1, 1.0, 1.0));
  FAILS(solace_store_write_sample(store, 2, x, x, p, 1, 1.0, 1.0), SOLACE_ERR_STATE);
  MESSAGE_HAS("already written");
  FAILS(solace_store_set_attribute_string(store, "ksp_type", "cg"), SOLACE_ERR_STATE);
  FAILS(solace_store_set_attribute_double(store, "rtol", 1.0), SOLACE_ERR_STATE);
  FAILS(solace_store_set_attribute_int(store, "seed", 1), SOLACE_ERR_STATE);
  FAILS(solace_store_write_order(store, order), SOLACE_ERR_STATE);
  TEST_CALL(solace_store_count_done(store, &n));
  TEST_ASSERT(n == 1, "count_done %lld after one sample", (long long)n);
  return 0;
}

/* A resumed store that holds samples refuses attribute and order changes (SOLACE_ERR_STATE). */
static int test_resumed(const char *p) {
  solace_store store;
  const int64_t order[COUNT] = {3, 2, 1, 0};
  TEST_CALL(solace_store_create(p, "darcy", COUNT, 2, grid, NPARAMS, SOLACE_STORE_RESUME, &store));
  FAILS(solace_store_set_attribute_string(store, "ksp_type", "cg"), SOLACE_ERR_STATE);
  MESSAGE_HAS("holds samples");
  FAILS(solace_store_set_attribute_double(store, "rtol", 1.0), SOLACE_ERR_STATE);
  FAILS(solace_store_set_attribute_int(store, "seed", 1), SOLACE_ERR_STATE);
  FAILS(solace_store_write_order(store, order), SOLACE_ERR_STATE);
  TEST_CALL(solace_store_destroy(&store));
  return 0;
}

/* A read-only store refuses every change with SOLACE_ERR_STATE. */
static int test_read_only(const char *p) {
  solace_store store;
  double x[NX * NY] = {0}, params[NPARAMS] = {0};
  const int64_t order[COUNT] = {3, 2, 1, 0};
  TEST_CALL(solace_store_open(p, &store));
  FAILS(solace_store_write_sample(store, 0, x, x, params, 1, 1.0, 1.0), SOLACE_ERR_STATE);
  MESSAGE_HAS("read-only");
  FAILS(solace_store_set_attribute_string(store, "ksp_type", "cg"), SOLACE_ERR_STATE);
  FAILS(solace_store_set_attribute_double(store, "rtol", 1.0), SOLACE_ERR_STATE);
  FAILS(solace_store_set_attribute_int(store, "seed", 1), SOLACE_ERR_STATE);
  FAILS(solace_store_write_order(store, order), SOLACE_ERR_STATE);
  FAILS(solace_store_read_sample(store, 0, x, x, params), SOLACE_ERR_STATE);
  TEST_CALL(solace_store_destroy(&store));
  return 0;
}

static int handler_calls = 0;

/* An HDF5 automatic error handler that counts its calls. */
static herr_t count_calls(hid_t stack, void *data) {
  (void)stack;
  ++*(int *)data;
  return 0;
}

/* A corrupt file (a store cut short) fails with HDF5's reason, printing nothing; the caller's
 * HDF5 error handler is back afterwards and still called for the caller's own failures. */
static int test_error_printing(const char *p) {
  const char *cut = "store-bad-cut.h5";
  long size;
  char *bytes = read_bytes(p, &size);
  FILE *f = fopen(cut, "wb");
  if (!bytes || !f) return 1;
  fwrite(bytes, 1, (size_t)size / 2, f), fclose(f), free(bytes);
  H5E_auto2_t saved_func, func;
  void *saved_data, *data;
  solace_store store;
  H5Eget_auto2(H5E_DEFAULT, &saved_func, &saved_data);
  H5Eset_auto2(H5E_DEFAULT, count_calls, &handler_calls);
  FAILS(solace_store_open(cut, &store), SOLACE_ERR_IO);
  MESSAGE_HAS("HDF5");
  FAILS(solace_store_create(cut, "darcy", COUNT, 2, grid, NPARAMS, SOLACE_STORE_RESUME, &store),
        SOLACE_ERR_IO);
  TEST_ASSERT(handler_calls == 0, "HDF5 printed %d error stacks during Solace calls",
              handler_calls);
  H5Eget_auto2(H5E_DEFAULT, &func, &data);
  TEST_ASSERT(func == count_calls && data == &handler_calls, "the caller's handler is gone");
  TEST_ASSERT(H5Fopen("store-no-such-file.h5", H5F_ACC_RDONLY, H5P_DEFAULT) < 0, "opened?");
  TEST_ASSERT(handler_calls == 1, "the caller's handler ran %d times, expected 1", handler_calls);
  H5Eset_auto2(H5E_DEFAULT, saved_func, saved_data);
  remove(cut);
  return 0;
}

int main(void) {
  const char *p = "store-bad-input.h5", *q = "store-bad-samples.h5";
  solace_store store;
  if (test_arguments() || test_null_handle() || make_store(p) || test_existing(p) ||
      test_unwritable() || test_foreign() || test_mismatch(p) || test_resumed(p) ||
      test_read_only(p) || test_error_printing(p))
    return 1;
  TEST_CALL(
      solace_store_create(q, "darcy", COUNT, 2, grid, NPARAMS, SOLACE_STORE_OVERWRITE, &store));
  if (test_bad_samples(store) || test_bad_attributes(store) || test_after_first_sample(store))
    return 1;
  TEST_CALL(solace_store_destroy(&store));
  remove(p);
  remove(q);
  ssize_t open_ids = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
  TEST_ASSERT(open_ids == 0, "%zd HDF5 files, datasets or attributes left open", open_ids);
  return test_finish("store-bad-input");
}
