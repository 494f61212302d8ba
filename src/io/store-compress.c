/* Compression of a finished dataset: a copy with shuffle + deflate chunks, swapped in atomically.
 *
 * While samples are being written the store keeps its chunks unfiltered, because only then is a
 * sample's write a pure overwrite of raw data that a killed writer cannot turn into a torn index
 * (see store.c). Once every sample is done nothing more will be written, so the dataset can be
 * rewritten compressed: the copy is built beside the file, forced to the disk and renamed over
 * it, so a process killed while compressing leaves the uncompressed file intact. */
#include "io/store-impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The per-sample fields (compressed) and the other objects (copied as they are). */
static const char *const field_names[] = {"inputs", "outputs"};
static const char *const copied_names[] = {"params", "order", "stats"};

/* Copies one attribute of the source root to the destination root (H5Aiterate2 callback). */
static herr_t copy_attribute(hid_t src, const char *name, const H5A_info_t *info, void *dst_ptr) {
  (void)info;
  hid_t dst = *(hid_t *)dst_ptr, attr = H5Aopen(src, name, H5P_DEFAULT);
  hid_t type = H5Aget_type(attr), space = H5Aget_space(attr), copy = H5I_INVALID_HID;
  hssize_t npoints = H5Sget_simple_extent_npoints(space);
  void *buf = npoints >= 0 ? calloc((size_t)npoints + 1, H5Tget_size(type)) : NULL;
  herr_t status = -1;
  if (buf && H5Aread(attr, type, buf) >= 0) {
    copy = H5Acreate2(dst, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (copy >= 0 && H5Awrite(copy, type, buf) >= 0) status = 0;
    if (H5Tdetect_class(type, H5T_VLEN) > 0 || H5Tis_variable_str(type) > 0)
      H5Dvlen_reclaim(type, space, H5P_DEFAULT, buf);
  }
  free(buf);
  solace_h5_close(&copy);
  solace_h5_close(&space);
  solace_h5_close(&type);
  solace_h5_close(&attr);
  return status;
}

/* Creates the compressed twin of a field dataset: same type and shape, one sample per chunk. */
static hid_t create_compressed(hid_t src_set, hid_t dst, const char *name, int level) {
  hid_t space = H5Dget_space(src_set), type = H5Dget_type(src_set);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE), set = H5I_INVALID_HID;
  hsize_t chunk[H5S_MAX_RANK];
  int rank = space >= 0 ? H5Sget_simple_extent_dims(space, chunk, NULL) : -1;
  chunk[0] = 1;
  if (rank >= 1 && dcpl >= 0 && H5Pset_chunk(dcpl, rank, chunk) >= 0 && H5Pset_shuffle(dcpl) >= 0 &&
      H5Pset_deflate(dcpl, (unsigned)level) >= 0)
    set = H5Dcreate2(dst, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  solace_h5_close(&dcpl);
  solace_h5_close(&type);
  solace_h5_close(&space);
  return set;
}

/* Reads (write = 0) or writes rows [first, first + rows) of a dataset whose other dimensions are
 * whole; the memory space has the same shape as the selection, so HDF5 moves whole chunks. */
static int block_io(hid_t set, const char *name, int64_t first, int64_t rows, double *buf,
                    int write) {
  hsize_t dims[H5S_MAX_RANK], start[H5S_MAX_RANK] = {0};
  hid_t file_space = H5Dget_space(set), mem_space = H5I_INVALID_HID;
  int rank = file_space >= 0 ? H5Sget_simple_extent_dims(file_space, dims, NULL) : -1;
  herr_t err = -1;
  start[0] = (hsize_t)first;
  dims[0] = (hsize_t)rows;
  if (rank >= 1) mem_space = H5Screate_simple(rank, dims, NULL);
  if (mem_space >= 0 &&
      H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, NULL, dims, NULL) >= 0)
    err = write ? H5Dwrite(set, H5T_NATIVE_DOUBLE, mem_space, file_space, H5P_DEFAULT, buf)
                : H5Dread(set, H5T_NATIVE_DOUBLE, mem_space, file_space, H5P_DEFAULT, buf);
  solace_h5_close(&mem_space);
  solace_h5_close(&file_space);
  if (err >= 0) return SOLACE_SUCCESS;
  return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot %s rows %lld.. of /%s",
                         write ? "write" : "read", (long long)first, name);
}

/* Copies a field dataset into its compressed twin, in blocks of about 8 MiB of samples. */
static int copy_field(hid_t src, hid_t dst, const char *name, int64_t count, int64_t npoints,
                      int level) {
  int status = SOLACE_SUCCESS;
  int64_t block = (8 << 20) / (npoints * (int64_t)sizeof(double));
  double *rows = NULL;
  hid_t in = H5Dopen2(src, name, H5P_DEFAULT), out = H5I_INVALID_HID;
  if (block < 1) block = 1;
  if (block > count) block = count;
  if (in >= 0) out = create_compressed(in, dst, name, level);
  if (out < 0)
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot create compressed /%s", name);
  if (!status) status = SolaceCalloc(block * npoints, &rows);
  for (int64_t first = 0; !status && first < count; first += block) {
    int64_t n = count - first < block ? count - first : block;
    status = block_io(in, name, first, n, rows, 0);
    if (!status) status = block_io(out, name, first, n, rows, 1);
  }
  free(rows);
  solace_h5_close(&out);
  solace_h5_close(&in);
  return status;
}

/* Writes the compressed copy of the open store `store` to the new file `tmp`. */
static int write_compressed(solace_store store, const char *tmp, int level) {
  int64_t count, nparams, grid[3];
  int ndim, status = SOLACE_SUCCESS;
  SolaceCall(solace_store_get_count(store, &count));
  SolaceCall(solace_store_get_nparams(store, &nparams));
  SolaceCall(solace_store_get_grid(store, &ndim, grid));
  hid_t src = solace_store_file_id(store), fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
  hid_t dst = H5Fcreate(tmp, H5F_ACC_EXCL, H5P_DEFAULT, fapl);
  solace_h5_close(&fapl);
  if (dst < 0) return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot create '%s'", tmp);
  if (H5Aiterate2(src, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, copy_attribute, &dst) < 0)
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot copy the attributes");
  for (int k = 0; !status && k < 2; k++)
    status = copy_field(src, dst, field_names[k], count, grid[0] * grid[1] * grid[2], level);
  for (int k = 0; !status && k < 3; k++) {
    if (k == 0 && nparams == 0) continue;
    if (H5Ocopy(src, copied_names[k], dst, copied_names[k], H5P_DEFAULT, H5P_DEFAULT) < 0)
      status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot copy /%s", copied_names[k]);
  }
  if (H5Fclose(dst) < 0 && !status)
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot close '%s'", tmp);
  return status;
}

/* Compresses the finished dataset at `path` (all checks done by the caller). */
static int compress_file(const char *path, int level) {
  solace_store store = NULL;
  int64_t count, ndone;
  char tmp[4096];
  SolaceCall(solace_store_open(path, &store));
  int status = solace_store_count_done(store, &ndone);
  if (!status) status = solace_store_get_count(store, &count);
  if (!status && ndone != count)
    status = solace_error_set(SOLACE_ERR_STATE, __func__,
                              "'%s' holds %lld of %lld samples: only a finished dataset is "
                              "compressed",
                              path, (long long)ndone, (long long)count);
  snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
  if (!status) status = write_compressed(store, tmp, level);
  int close_status = solace_store_destroy(&store);
  if (!status) status = close_status;
  if (!status) status = solace_store_publish(tmp, path, 1);
  if (status) unlink(tmp);
  return status;
}

int solace_store_compress(const char *path, int level) {
  SolaceCheck(path && path[0], SOLACE_ERR_ARG, "path is NULL or empty");
  SolaceCheck(strlen(path) < 4000, SOLACE_ERR_ARG, "path is too long");
  SolaceCheck(level >= 1 && level <= 9, SOLACE_ERR_ARG, "deflate level %d is not in [1, 9]", level);
  SolaceH5QuietCall(compress_file(path, level));
  return SOLACE_SUCCESS;
}
