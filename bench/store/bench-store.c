/* What crash safety costs: Solace's store (uncompressed preallocated chunks, flush + fsync and a
 * done mark per sample, then one compression pass over the finished file) against plain HDF5
 * writing the same chunked, shuffled, deflated datasets with one flush at the end (what a script
 * would do, and which loses every sample on a crash). Alternates A B A B, prints medians and the
 * ratio; both files are read back and compared, so the speed is at equal content. */
#include "bench-util.h"
#include "solace.h"

#include <hdf5.h>
#include <math.h>

typedef struct {
  int64_t n, count;
  double *inputs, *outputs;
} workload;

/* Smooth deterministic fields, compressible like solutions are. */
static void make_workload(workload *w) {
  int64_t size = w->n * w->n;
  w->inputs = malloc(sizeof(double) * size * w->count);
  w->outputs = malloc(sizeof(double) * size * w->count);
  for (int64_t s = 0; s < w->count; s++)
    for (int64_t k = 0; k < size; k++) {
      double x = (double)(k % w->n) / w->n, y = (double)(k / w->n) / w->n;
      w->inputs[s * size + k] = exp(sin(6.3 * x + s) * cos(3.1 * y));
      w->outputs[s * size + k] = x * (1 - x) * y * (1 - y) * (1 + 0.1 * sin(s + 17 * x * y));
    }
}

/* Solace: one write_sample per sample (flush + fsync, done mark, flush + fsync); *compress gets
 * the time of the final solace_store_compress. */
static double write_solace(const workload *w, const char *path, double *compress) {
  solace_store store;
  int64_t grid[2] = {w->n, w->n};
  double start = solace_wtime();
  if (solace_store_create(path, "bench", w->count, 2, grid, 0, SOLACE_STORE_OVERWRITE, &store))
    return NAN;
  for (int64_t s = 0; s < w->count; s++)
    if (solace_store_write_sample(store, s, w->inputs + s * w->n * w->n,
                                  w->outputs + s * w->n * w->n, NULL, 10, 1e-3, 1e-9))
      return NAN;
  solace_store_destroy(&store);
  double written = solace_wtime();
  if (solace_store_compress(path, 4)) return NAN;
  *compress = solace_wtime() - written;
  return written - start;
}

/* Creates a chunked (one sample), shuffled, deflated float64 dataset [count, n, n]. */
static hid_t create_field(hid_t file, const char *name, const workload *w) {
  hsize_t dims[3] = {(hsize_t)w->count, (hsize_t)w->n, (hsize_t)w->n},
          chunk[3] = {1, dims[1], dims[2]};
  hid_t space = H5Screate_simple(3, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(dcpl, 3, chunk);
  H5Pset_shuffle(dcpl);
  H5Pset_deflate(dcpl, 4);
  hid_t set = H5Dcreate2(file, name, H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  H5Pclose(dcpl);
  H5Sclose(space);
  return set;
}

/* Writes sample s of one field dataset. */
static void write_slab(hid_t set, const workload *w, int64_t s, const double *values) {
  hsize_t start[3] = {(hsize_t)s, 0, 0}, count[3] = {1, (hsize_t)w->n, (hsize_t)w->n};
  hid_t file_space = H5Dget_space(set), mem_space = H5Screate_simple(3, count, NULL);
  H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, NULL, count, NULL);
  H5Dwrite(set, H5T_NATIVE_DOUBLE, mem_space, file_space, H5P_DEFAULT, values);
  H5Sclose(mem_space);
  H5Sclose(file_space);
}

/* Baseline: plain HDF5, same datasets and filters, one flush (the close) at the end. */
static double write_plain(const workload *w, const char *path) {
  double start = solace_wtime();
  hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t in = create_field(file, "inputs", w), out = create_field(file, "outputs", w);
  for (int64_t s = 0; s < w->count; s++) {
    write_slab(in, w, s, w->inputs + s * w->n * w->n);
    write_slab(out, w, s, w->outputs + s * w->n * w->n);
  }
  H5Dclose(in);
  H5Dclose(out);
  H5Fclose(file);
  return solace_wtime() - start;
}

/* Reads /outputs of both files and returns the largest difference (must be 0). */
static double compare_outputs(const workload *w, const char *a, const char *b) {
  int64_t total = w->count * w->n * w->n;
  double *x = malloc(sizeof(double) * total), *y = malloc(sizeof(double) * total), diff = 0;
  const char *paths[2] = {a, b};
  double *bufs[2] = {x, y};
  for (int k = 0; k < 2; k++) {
    hid_t file = H5Fopen(paths[k], H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t set = H5Dopen2(file, "outputs", H5P_DEFAULT);
    H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, bufs[k]);
    H5Dclose(set);
    H5Fclose(file);
  }
  for (int64_t k = 0; k < total; k++) diff = fmax(diff, fabs(x[k] - y[k]));
  free(x);
  free(y);
  return diff;
}

/* Runs one case: reps alternating pairs, prints medians, ratio and the content check. */
static void run_case(int64_t n, int64_t count, int reps) {
  workload w = {.n = n, .count = count};
  make_workload(&w);
  double *a = malloc(sizeof(double) * reps), *c = malloc(sizeof(double) * reps);
  double *b = malloc(sizeof(double) * reps);
  for (int r = 0; r < reps; r++) {
    a[r] = write_solace(&w, "bench-store-solace.h5", &c[r]);
    b[r] = write_plain(&w, "bench-store-plain.h5");
  }
  double diff = compare_outputs(&w, "bench-store-solace.h5", "bench-store-plain.h5");
  double ma = bench_median(a, reps), mc = bench_median(c, reps), mb = bench_median(b, reps);
  printf("%5lldx%-5lld %7lld %10.2f %10.2f %10.2f %8.2f %10.1e\n", (long long)n, (long long)n,
         (long long)count, 1e3 * ma / count, 1e3 * mc / count, 1e3 * mb / count, (ma + mc) / mb,
         diff);
  remove("bench-store-solace.h5");
  remove("bench-store-plain.h5");
  free(a), free(b), free(c), free(w.inputs), free(w.outputs);
}

int main(int argc, char **argv) {
  int quick = argc > 1 && !strcmp(argv[1], "-quick");
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  bench_print_machine();
  printf("ms per sample: Solace writes (crash-safe, fsync per sample) and compresses the finished\n"
         "file; plain HDF5 writes compressed with one flush. ratio = (write + compress) / plain\n");
  printf("%-11s %7s %10s %10s %10s %8s %10s\n", "grid", "samples", "write", "compress", "plain",
         "ratio", "max diff");
  int reps = quick ? 1 : 5;
  run_case(64, quick ? 20 : 500, reps);
  run_case(128, quick ? 10 : 300, reps);
  if (!quick) run_case(256, 100, reps);
  return 0;
}
