/* HDF5 store of neural-operator datasets (include/solace/store.h).
 *
 * Crash safety rests on one property: after the first sample, the writer never changes HDF5
 * metadata. A new file is built complete under a temporary name in the same directory, with every
 * chunk of every dataset allocated (unfiltered, no fill written), and renamed into place. A
 * sample's write then only overwrites raw data at addresses fixed at creation: its chunks of
 * /inputs and /outputs, its entries in /params and /stats, flushed and fsync'ed, and only then
 * its byte of /stats/done, flushed and fsync'ed in turn. A writer killed at any moment (even in
 * the middle of a write() call) can only leave the sample in flight half-written, and that
 * sample is not marked done. Writing runs in HDF5's SWMR mode (latest file format, started at
 * the first sample because attributes cannot change afterwards) so that readers can open the
 * file meanwhile; RESUME reopens a killed writer's file as `h5clear -s --increment=0` would.
 *
 * (Compressed chunks were tried and rejected: every sample then allocates space and rewrites the
 * chunk index, a multi-page block that a kill in mid-write() tears, which made every sample of
 * the dataset unreadable; and a killed writer's end-of-allocation could lag behind its writes.) */
#include "io/store-impl.h"
#include "solace/store.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STORE_FORMAT_NAME     "solace-dataset"
#define STORE_REFRESH_SECONDS 0.05
enum {
  STORE_FORMAT_VERSION = 1,
  STORE_SMALL_CHUNK = 512,         /* rows per chunk of /order, /stats/...: 4 KiB rewritten */
  STORE_PARAMS_CHUNK_VALUES = 512, /* per sample, not 32 KiB; /params likewise */
  STORE_READ_ATTEMPTS = 20 /* SWMR reads of a bad checksum: HDF5 backs off 2^k ns, ~1 ms total */
};

/* The datasets of a store, in the order of store.h's table. */
enum {
  STORE_INPUTS,
  STORE_OUTPUTS,
  STORE_PARAMS,
  STORE_ORDER,
  STORE_ITERATIONS,
  STORE_SECONDS,
  STORE_RESIDUAL,
  STORE_DONE,
  STORE_NDATASETS
};

static const char *const dataset_path[STORE_NDATASETS] = {
    "/inputs",           "/outputs",       "/params",         "/order",
    "/stats/iterations", "/stats/seconds", "/stats/residual", "/stats/done"};

/* Root attributes the store writes itself; callers may not set them. */
static const char *const reserved_attributes[] = {"solace_format",  "format_version", "family",
                                                  "grid",           "count",          "nparams",
                                                  "solace_version", "created"};

struct solace_store_s {
  char *path, *family;
  hid_t file, dset[STORE_NDATASETS];
  int64_t count, nparams, npoints, ndone, grid[3];
  int ndim;
  int writable;   /* opened for writing */
  int swmr_read;  /* read-only open of a file being written, or left by a killed writer */
  int swmr_write; /* SWMR writing has started (first sample written by this process) */
  int fd;         /* writable stores: descriptor for fsync and the shared writer lock */
  unsigned char *done;
  double refreshed; /* SWMR readers: solace_wtime() of the last refresh */
};

/* Allocates an empty store for `path`, with every handle invalid. */
static int store_alloc(const char *path, solace_store *store) {
  solace_store s;
  SolaceCall(SolaceCalloc(1, &s));
  s->file = H5I_INVALID_HID;
  for (int d = 0; d < STORE_NDATASETS; d++) s->dset[d] = H5I_INVALID_HID;
  s->fd = -1;
  s->grid[0] = s->grid[1] = s->grid[2] = 1;
  s->path = strdup(path);
  *store = s;
  if (s->path) return SOLACE_SUCCESS;
  free(s);
  *store = NULL;
  return solace_error_set(SOLACE_ERR_MEM, __func__, "cannot copy the path");
}

/* Closes the datasets and the file, releases the writer lock, frees the store; reports a failed
 * close (which may have lost data). */
static int store_free(solace_store s) {
  int status = SOLACE_SUCCESS;
  if (!s) return status;
  for (int d = 0; d < STORE_NDATASETS; d++) solace_h5_close(&s->dset[d]);
  if (s->file >= 0 && H5Fclose(s->file) < 0)
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot close '%s'", s->path);
  if (s->fd >= 0) close(s->fd);
  free(s->done);
  free(s->family);
  free(s->path);
  free(s);
  return status;
}

/* Memory type of dataset d. */
static hid_t mem_type(int d) {
  if (d == STORE_ORDER || d == STORE_ITERATIONS) return H5T_NATIVE_INT64;
  return d == STORE_DONE ? H5T_NATIVE_UINT8 : H5T_NATIVE_DOUBLE;
}

/* File type of dataset d. */
static hid_t file_type(int d) {
  if (d == STORE_ORDER || d == STORE_ITERATIONS) return H5T_STD_I64LE;
  return d == STORE_DONE ? H5T_STD_U8LE : H5T_IEEE_F64LE;
}

/* Dimensions and chunk of dataset d in the store's layout; returns the rank. Fields are
 * [count, nz, ny, nx] cut to ndim (x fastest), one sample per chunk. */
static int dataset_shape(const struct solace_store_s *s, int d, hsize_t dims[4], hsize_t chunk[4]) {
  dims[0] = (hsize_t)s->count;
  chunk[0] = (hsize_t)(s->count < STORE_SMALL_CHUNK ? s->count : STORE_SMALL_CHUNK);
  if (d == STORE_INPUTS || d == STORE_OUTPUTS) {
    chunk[0] = 1;
    for (int k = 0; k < s->ndim; k++)
      dims[1 + k] = chunk[1 + k] = (hsize_t)s->grid[s->ndim - 1 - k];
    return 1 + s->ndim;
  }
  if (d != STORE_PARAMS) return 1;
  hsize_t rows = (hsize_t)(STORE_PARAMS_CHUNK_VALUES / s->nparams);
  if (rows < chunk[0]) chunk[0] = rows > 0 ? rows : 1;
  dims[1] = chunk[1] = (hsize_t)s->nparams;
  return 2;
}

/* Checks a layout (count, grid, nparams); failures are `code` (ARG for a request, FORMAT for a
 * file). Sets *npoints, the grid size, which must fit one HDF5 chunk (4 GiB). */
static int check_layout(int code, int64_t count, int ndim, const int64_t *grid, int64_t nparams,
                        int64_t *npoints) {
  const int64_t max_points = ((int64_t)1 << 32) / 8 - 1;
  SolaceCheck(count > 0, code, "count = %lld must be > 0", (long long)count);
  SolaceCheck(ndim >= 1 && ndim <= 3, code, "ndim = %d must be 1, 2 or 3", ndim);
  SolaceCheck(nparams >= 0, code, "nparams = %lld must be >= 0", (long long)nparams);
  SolaceCheck(nparams <= max_points, SOLACE_ERR_UNSUPPORTED,
              "nparams = %lld exceeds one HDF5 chunk (4 GiB)", (long long)nparams);
  *npoints = 1;
  for (int k = 0; k < ndim; k++) {
    SolaceCheck(grid[k] > 0, code, "grid[%d] = %lld must be > 0", k, (long long)grid[k]);
    SolaceCheck(grid[k] <= max_points / *npoints, SOLACE_ERR_UNSUPPORTED,
                "grid[%d] = %lld: one sample exceeds one HDF5 chunk (4 GiB)", k,
                (long long)grid[k]);
    *npoints *= grid[k];
  }
  return SOLACE_SUCCESS;
}

/* Formats a grid as "nx x ny x nz". */
static void format_grid(int ndim, const int64_t *grid, char *buf, size_t size) {
  int used = 0;
  buf[0] = '\0';
  for (int k = 0; k < ndim && used >= 0 && (size_t)used < size; k++)
    used += snprintf(buf + used, size - (size_t)used, "%s%lld", k ? "x" : "", (long long)grid[k]);
}

/* Writes (write = 1) or reads row `index` of dataset d (one sample's values). */
static int row(solace_store s, int d, int64_t index, void *buf, int write) {
  return solace_h5_row(s->dset[d], dataset_path[d], mem_type(d), index, buf, write);
}

/* Writes (write = 1) or reads the whole of the 1-D dataset d. */
static int whole(solace_store s, int d, void *buf, int write) {
  hid_t id = s->dset[d], type = mem_type(d);
  herr_t err = write ? H5Dwrite(id, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf)
                     : H5Dread(id, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
  if (err >= 0) return SOLACE_SUCCESS;
  return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot %s %s of '%s'", write ? "write" : "read",
                         dataset_path[d], s->path);
}

/* Writes an int64 attribute: n values, or a scalar if n = 0. */
static int put_int64(hid_t loc, const char *name, hsize_t n, const int64_t *value) {
  return solace_h5_attr_put(loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, n, value);
}

/* Reads an integer attribute of 1 to max values into value; *n receives the count. */
static int get_int64(hid_t loc, const char *name, hsize_t max, int64_t *value, hsize_t *n) {
  return solace_h5_attr_get(loc, name, 1, H5T_NATIVE_INT64, max, value, n);
}

/* ------------------------------------------------------------------------------------------ */
/* Creation: the complete file under a temporary name, then an atomic rename.                 */

/* Sets HDF5's private file-access property `name` (one of those h5clear uses) if it exists. */
static int set_private(hid_t fapl, const char *name) {
  hbool_t yes = 1;
  return H5Pexist(fapl, name) > 0 && H5Pset(fapl, name, &yes) >= 0;
}

/* Recovery levels of make_fapl(). */
enum { STORE_OPEN_PLAIN, STORE_OPEN_CLEAR_FLAGS, STORE_OPEN_RECOVER };

/* Creates a file-access list: latest file format (SWMR needs it), a bounded number of SWMR read
 * attempts (HDF5's default, 100, backs off ~2^100 ns on a block a killed writer tore). From
 * STORE_OPEN_CLEAR_FLAGS on, also the private properties with which h5clear opens a killed
 * writer's file: ignore its status flags; for STORE_OPEN_RECOVER (writing), also skip the EOF
 * check and forget free-space managers. *recovering = 1 if this HDF5 has them. */
static int make_fapl(int level, hid_t *fapl, int *recovering) {
  *recovering = 0;
  *fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (*fapl < 0 || H5Pset_libver_bounds(*fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST) < 0 ||
      H5Pset_metadata_read_attempts(*fapl, STORE_READ_ATTEMPTS) < 0) {
    int status = solace_h5_error(SOLACE_ERR_BACKEND, __func__, "cannot make a file-access list");
    solace_h5_close(fapl);
    return status;
  }
  if (level >= STORE_OPEN_CLEAR_FLAGS) *recovering = set_private(*fapl, "clear_status_flags");
  if (level >= STORE_OPEN_RECOVER)
    *recovering =
        *recovering && set_private(*fapl, "skip_eof_check") && set_private(*fapl, "null_fsm_addr");
  H5Eclear2(H5E_DEFAULT);
  return SOLACE_SUCCESS;
}

/* Creates dataset d of the layout: chunked, unfiltered, every chunk allocated now (in the
 * temporary file, without writing fill values) so that a sample's write never changes HDF5
 * metadata: it only overwrites raw data at addresses fixed at creation. */
static int create_dataset(solace_store s, int d) {
  hsize_t dims[4], chunk[4];
  int rank = dataset_shape(s, d, dims, chunk), status = SOLACE_SUCCESS;
  hid_t space = H5Screate_simple(rank, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
  if (space < 0 || dcpl < 0 || H5Pset_chunk(dcpl, rank, chunk) < 0 ||
      H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY) < 0 ||
      H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) < 0)
    goto fail;
  s->dset[d] =
      H5Dcreate2(s->file, dataset_path[d], file_type(d), space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  if (s->dset[d] >= 0) goto done;
fail:
  status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot create %s of '%s'", dataset_path[d],
                           s->path);
done:
  solace_h5_close(&dcpl);
  solace_h5_close(&space);
  return status;
}

/* Creates the /stats group and every dataset of the layout. */
static int create_datasets(solace_store s) {
  hid_t group = H5Gcreate2(s->file, "stats", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (group < 0) return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot create /stats");
  solace_h5_close(&group);
  for (int d = 0; d < STORE_NDATASETS; d++)
    if (d != STORE_PARAMS || s->nparams > 0) SolaceCall(create_dataset(s, d));
  return SOLACE_SUCCESS;
}

/* Writes the store's own root attributes (format, layout, version, creation time). */
static int write_root_attributes(solace_store s) {
  char version[64], created[64] = "unknown";
  int64_t format_version = STORE_FORMAT_VERSION;
  time_t now = time(NULL);
  struct tm utc;
  snprintf(version, sizeof version, "%d.%d.%d", SOLACE_VERSION_MAJOR, SOLACE_VERSION_MINOR,
           SOLACE_VERSION_PATCH);
  if (gmtime_r(&now, &utc)) strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &utc);
  SolaceCall(solace_h5_attr_put_string(s->file, "solace_format", STORE_FORMAT_NAME));
  SolaceCall(put_int64(s->file, "format_version", 0, &format_version));
  SolaceCall(solace_h5_attr_put_string(s->file, "family", s->family));
  SolaceCall(put_int64(s->file, "grid", (hsize_t)s->ndim, s->grid));
  SolaceCall(put_int64(s->file, "count", 0, &s->count));
  SolaceCall(put_int64(s->file, "nparams", 0, &s->nparams));
  SolaceCall(solace_h5_attr_put_string(s->file, "solace_version", version));
  SolaceCall(solace_h5_attr_put_string(s->file, "created", created));
  return SOLACE_SUCCESS;
}

/* Writes the initial order (the identity 0..count-1) and done mask (zeros). */
static int write_initial_order_and_mask(solace_store s) {
  int64_t *order;
  SolaceCall(SolaceCalloc(s->count, &order));
  int status = whole(s, STORE_DONE, order, 1); /* the zeros of the buffer's first count bytes */
  for (int64_t i = 0; i < s->count; i++) order[i] = i;
  if (!status) status = whole(s, STORE_ORDER, order, 1);
  free(order);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* Writes the complete, empty dataset at `tmp` and closes it. */
static int build_file(solace_store s, const char *tmp) {
  int status = SOLACE_SUCCESS, recovering;
  hid_t fapl;
  SolaceCall(make_fapl(STORE_OPEN_PLAIN, &fapl, &recovering));
  s->file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  if (s->file < 0)
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot create '%s' (as '%s')", s->path, tmp);
  solace_h5_close(&fapl);
  if (status) return status;
  SolaceCallGoto(status, done, create_datasets(s));
  SolaceCallGoto(status, done, write_root_attributes(s));
  SolaceCallGoto(status, done, write_initial_order_and_mask(s));
done:
  for (int d = 0; d < STORE_NDATASETS; d++) solace_h5_close(&s->dset[d]);
  if (s->file >= 0 && H5Fclose(s->file) < 0 && !status)
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot close '%s'", tmp);
  s->file = H5I_INVALID_HID;
  return status;
}

/* Forces a file's (or directory's) data to the disk; best effort, errors are ignored. */
void solace_store_sync_path(const char *path, int directory) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
  if (fd < 0) return;
  (void)fsync(fd);
  close(fd);
}

/* Forces the directory entry of `path` to the disk (best effort). */
void solace_store_sync_directory_of(const char *path) {
  char *copy = strdup(path);
  if (copy) solace_store_sync_path(dirname(copy), 1);
  free(copy);
}

/* Moves the finished temporary file to `path`: over an existing file only if overwrite. A new
 * name is made with link(), which fails on an existing one; where the file system has no hard
 * links, by rename() after a check. */
int solace_store_publish(const char *tmp, const char *path, int overwrite) {
  int err = 0;
  solace_store_sync_path(tmp, 0);
  if (!overwrite && link(tmp, path) != 0) {
    err = errno;
    if (err == EPERM || err == EOPNOTSUPP || err == ENOSYS || err == EMLINK) {
      overwrite = access(path, F_OK) != 0;
      err = overwrite ? 0 : EEXIST;
    }
  }
  if (overwrite && rename(tmp, path) != 0) err = errno;
  unlink(tmp); /* the temporary name, if link() made a second one or nothing was moved */
  SolaceCheck(err != EEXIST, SOLACE_ERR_IO, "'%s' exists (use overwrite or resume)", path);
  SolaceCheck(!err, SOLACE_ERR_IO, "cannot move '%s' to '%s': %s", tmp, path, strerror(err));
  solace_store_sync_directory_of(path);
  return SOLACE_SUCCESS;
}

static int open_store(const char *path, int writable, solace_store *store);

/* Creates the dataset described by `req` at req->path (complete, by an atomic rename) and
 * opens it for writing. */
static int create_new(solace_store req, int overwrite, solace_store *store) {
  size_t size = strlen(req->path) + 32;
  char *tmp;
  SolaceCheck(overwrite || access(req->path, F_OK) != 0, SOLACE_ERR_IO,
              "'%s' exists (use overwrite or resume)", req->path);
  SolaceCall(SolaceCalloc(size, &tmp));
  snprintf(tmp, size, "%s.tmp-%ld", req->path, (long)getpid());
  int status = build_file(req, tmp);
  if (status) unlink(tmp);
  if (!status) status = solace_store_publish(tmp, req->path, overwrite);
  if (!status) status = open_store(req->path, 1, store);
  free(tmp);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* ------------------------------------------------------------------------------------------ */
/* Opening: read-only (also while or after a writer runs) or for writing (resume).            */

/* Checks that `path` is a readable regular file in HDF5 format. */
static int check_hdf5_file(const char *path) {
  struct stat st;
  SolaceCheck(stat(path, &st) == 0, SOLACE_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
  SolaceCheck(S_ISREG(st.st_mode), SOLACE_ERR_IO, "'%s' is not a regular file", path);
  htri_t hdf5 = H5Fis_hdf5(path);
  if (hdf5 < 0) return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot read '%s'", path);
  SolaceCheck(hdf5 > 0, SOLACE_ERR_FORMAT, "'%s' is not an HDF5 file", path);
  return SOLACE_SUCCESS;
}

/* Opens the file read-only: normally; else as a SWMR reader (its writer is writing samples or
 * was killed doing so); else ignoring the status flags of a writer killed before its first
 * sample (a live one still holds HDF5's exclusive lock, which makes this fail). */
static int open_file_read(solace_store s) {
  hid_t fapl, recover = H5I_INVALID_HID;
  int recovering = 0;
  SolaceCall(make_fapl(STORE_OPEN_PLAIN, &fapl, &recovering));
  s->file = H5Fopen(s->path, H5F_ACC_RDONLY, fapl);
  if (s->file < 0) {
    s->file = H5Fopen(s->path, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, fapl);
    s->swmr_read = s->file >= 0;
  }
  if (s->file < 0 && make_fapl(STORE_OPEN_CLEAR_FLAGS, &recover, &recovering) == SOLACE_SUCCESS &&
      recovering)
    s->file = H5Fopen(s->path, H5F_ACC_RDONLY, recover);
  int status = s->file >= 0 ? SOLACE_SUCCESS
                            : solace_h5_error(SOLACE_ERR_IO, __func__,
                                              "cannot open '%s' for reading", s->path);
  solace_h5_close(&recover);
  solace_h5_close(&fapl);
  return status;
}

/* Refuses a file that another process has open: HDF5 readers and writers hold a flock on it
 * (a SWMR writer of this store too). Best effort: file systems without flock pass. */
static int check_not_in_use(solace_store s) {
  if (flock(s->fd, LOCK_EX | LOCK_NB) == 0) return flock(s->fd, LOCK_UN), SOLACE_SUCCESS;
  SolaceCheck(errno != EWOULDBLOCK, SOLACE_ERR_IO,
              "'%s' is open elsewhere (a writer or reader holds its lock)", s->path);
  return SOLACE_SUCCESS;
}

/* Opens the file read-write with the recovery properties or not; returns HDF5's file id. */
static hid_t open_rdwr(const char *path, int recover, int *recovering) {
  hid_t fapl, file = H5I_INVALID_HID;
  int level = recover ? STORE_OPEN_RECOVER : STORE_OPEN_PLAIN;
  if (make_fapl(level, &fapl, recovering)) return H5I_INVALID_HID;
  if (!recover || *recovering) file = H5Fopen(path, H5F_ACC_RDWR, fapl);
  solace_h5_close(&fapl);
  return file;
}

/* Opens the file for writing. One left by a killed writer is recovered as `h5clear -s
 * --increment=0` would: its status flags are cleared, and its end of allocation is raised to the
 * end of the file, so that new space never overlaps what that writer wrote after it last saved
 * the superblock. Also opens the descriptor used for fsync and locking. */
static int open_file_write(solace_store s) {
  int recovering = 0;
  s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
  SolaceCheck(s->fd >= 0, SOLACE_ERR_IO, "cannot open '%s': %s", s->path, strerror(errno));
  SolaceCall(check_not_in_use(s));
  s->file = open_rdwr(s->path, 0, &recovering);
  if (s->file < 0) {
    s->file = open_rdwr(s->path, 1, &recovering);
    if (s->file >= 0 && H5Fincrement_filesize(s->file, 0) < 0)
      return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot recover '%s'", s->path);
  }
  if (s->file >= 0) return SOLACE_SUCCESS;
  if (!recovering)
    return solace_h5_error(SOLACE_ERR_FORMAT, __func__,
                           "cannot open '%s' for writing (if its writer was killed, run "
                           "`h5clear -s --increment %s` first)",
                           s->path, s->path);
  return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot open '%s' for writing", s->path);
}

/* Checks the root attributes name a Solace dataset of a format version this code reads. */
static int read_format(solace_store s) {
  char *format = NULL;
  int64_t version = 0;
  hsize_t n;
  htri_t has = H5Aexists(s->file, "solace_format");
  if (has < 0)
    return solace_h5_error(SOLACE_ERR_FORMAT, __func__, "cannot read attributes of '%s'", s->path);
  SolaceCheck(has > 0, SOLACE_ERR_FORMAT, "'%s' is not a Solace dataset (no solace_format)",
              s->path);
  SolaceCall(solace_h5_attr_get_string(s->file, "solace_format", &format));
  int ok = strcmp(format, STORE_FORMAT_NAME) == 0;
  free(format);
  SolaceCheck(ok, SOLACE_ERR_FORMAT, "'%s' is not a Solace dataset (solace_format is not '%s')",
              s->path, STORE_FORMAT_NAME);
  SolaceCall(get_int64(s->file, "format_version", 1, &version, &n));
  SolaceCheck(version >= 1 && version <= STORE_FORMAT_VERSION, SOLACE_ERR_FORMAT,
              "'%s' has format_version %lld; this Solace reads 1 to %d", s->path,
              (long long)version, STORE_FORMAT_VERSION);
  return SOLACE_SUCCESS;
}

/* Reads the layout attributes (family, count, grid, nparams) and checks them. */
static int read_layout(solace_store s) {
  hsize_t n;
  SolaceCall(read_format(s));
  SolaceCall(solace_h5_attr_get_string(s->file, "family", &s->family));
  SolaceCall(get_int64(s->file, "count", 1, &s->count, &n));
  SolaceCall(get_int64(s->file, "grid", 3, s->grid, &n));
  s->ndim = (int)n;
  SolaceCall(get_int64(s->file, "nparams", 1, &s->nparams, &n));
  SolaceCall(check_layout(SOLACE_ERR_FORMAT, s->count, s->ndim, s->grid, s->nparams, &s->npoints));
  return SOLACE_SUCCESS;
}

/* Opens dataset d and checks its shape and type class against the layout. */
static int open_dataset(solace_store s, int d) {
  hsize_t want[4], chunk[4], have[H5S_MAX_RANK];
  int rank = dataset_shape(s, d, want, chunk);
  s->dset[d] = H5Dopen2(s->file, dataset_path[d], H5P_DEFAULT);
  if (s->dset[d] < 0)
    return solace_h5_error(SOLACE_ERR_FORMAT, __func__, "'%s' has no readable %s", s->path,
                           dataset_path[d]);
  hid_t space = H5Dget_space(s->dset[d]), type = H5Dget_type(s->dset[d]);
  int ok = space >= 0 && type >= 0 && H5Sget_simple_extent_dims(space, have, NULL) == rank &&
           H5Tget_class(type) == H5Tget_class(file_type(d));
  for (int k = 0; ok && k < rank; k++) ok = have[k] == want[k];
  solace_h5_close(&type);
  solace_h5_close(&space);
  H5Eclear2(H5E_DEFAULT);
  SolaceCheck(ok, SOLACE_ERR_FORMAT, "%s of '%s' does not have the layout's shape and type",
              dataset_path[d], s->path);
  return SOLACE_SUCCESS;
}

/* Reads the done mask into memory and counts the finished samples. */
static int load_done(solace_store s) {
  if (!s->done) SolaceCall(SolaceCalloc(s->count, &s->done));
  SolaceCall(whole(s, STORE_DONE, s->done, 0));
  s->ndone = 0;
  for (int64_t i = 0; i < s->count; i++) s->ndone += s->done[i] != 0;
  return SOLACE_SUCCESS;
}

/* Opens the dataset at `path` for reading or (writable) writing and loads its layout and mask. */
static int open_store(const char *path, int writable, solace_store *store) {
  solace_store s;
  int status;
  SolaceCall(store_alloc(path, &s));
  s->writable = writable;
  SolaceCallGoto(status, fail, check_hdf5_file(path));
  SolaceCallGoto(status, fail, writable ? open_file_write(s) : open_file_read(s));
  SolaceCallGoto(status, fail, read_layout(s));
  for (int d = 0; d < STORE_NDATASETS; d++)
    if (d != STORE_PARAMS || s->nparams > 0) SolaceCallGoto(status, fail, open_dataset(s, d));
  SolaceCallGoto(status, fail, load_done(s));
  s->refreshed = solace_wtime();
  *store = s;
  return SOLACE_SUCCESS;
fail:
  store_free(s);
  return status;
}

/* Checks that the file's layout (`have`) is the requested one, naming the first difference. */
static int same_layout(solace_store want, solace_store have) {
  char a[96], b[96];
  format_grid(have->ndim, have->grid, a, sizeof a);
  format_grid(want->ndim, want->grid, b, sizeof b);
  SolaceCheck(!strcmp(want->family, have->family), SOLACE_ERR_FORMAT,
              "'%s' holds family '%s', not '%s'", have->path, have->family, want->family);
  SolaceCheck(want->count == have->count, SOLACE_ERR_FORMAT, "'%s' holds count %lld, not %lld",
              have->path, (long long)have->count, (long long)want->count);
  SolaceCheck(!strcmp(a, b), SOLACE_ERR_FORMAT, "'%s' has grid %s, not %s", have->path, a, b);
  SolaceCheck(want->nparams == have->nparams, SOLACE_ERR_FORMAT, "'%s' has nparams %lld, not %lld",
              have->path, (long long)have->nparams, (long long)want->nparams);
  return SOLACE_SUCCESS;
}

/* Reopens the dataset at req->path for writing if its layout is req's (checked read-only first,
 * so a refused file is not modified), or creates it if it does not exist. */
static int resume(solace_store req, solace_store *store) {
  solace_store found = NULL;
  if (access(req->path, F_OK) != 0 && errno == ENOENT) {
    SolaceCall(create_new(req, 0, store));
    return SOLACE_SUCCESS;
  }
  SolaceCall(open_store(req->path, 0, &found));
  int status = same_layout(req, found);
  store_free(found);
  SolaceCall(status);
  SolaceCall(open_store(req->path, 1, store));
  return SOLACE_SUCCESS;
}

/* ------------------------------------------------------------------------------------------ */
/* Writing and reading samples.                                                               */

/* For a SWMR reader, loads what the writer has finished since: the done mask first, then the
 * other datasets (whose data for those samples was flushed before their flags). Unless `force`,
 * only if the last refresh is older than STORE_REFRESH_SECONDS (queries in a loop stay cheap). */
static int refresh(solace_store s, int force) {
  if (!s->swmr_read) return SOLACE_SUCCESS;
  double now = solace_wtime();
  if (!force && now - s->refreshed < STORE_REFRESH_SECONDS) return SOLACE_SUCCESS;
  s->refreshed = now;
  if (H5Drefresh(s->dset[STORE_DONE]) < 0)
    return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot refresh '%s'", s->path);
  SolaceCall(load_done(s));
  for (int d = 0; d < STORE_DONE; d++)
    if (s->dset[d] >= 0 && H5Drefresh(s->dset[d]) < 0)
      return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot refresh '%s'", s->path);
  return SOLACE_SUCCESS;
}

/* Starts SWMR writing (at the first sample), then takes a shared lock on the file that keeps a
 * second writer out, as HDF5's exclusive lock (released by SWMR) did until now. */
static int start_swmr(solace_store s) {
  if (s->swmr_write) return SOLACE_SUCCESS;
  if (H5Fstart_swmr_write(s->file) < 0)
    return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot start SWMR writing of '%s'", s->path);
  (void)flock(s->fd, LOCK_SH | LOCK_NB);
  s->swmr_write = 1;
  return SOLACE_SUCCESS;
}

/* Makes everything written so far durable: HDF5 flush, then fsync. */
static int flush(solace_store s) {
  if (H5Fflush(s->file, H5F_SCOPE_GLOBAL) < 0)
    return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot flush '%s'", s->path);
  SolaceCheck(fsync(s->fd) == 0 || errno == EINVAL, SOLACE_ERR_IO, "cannot fsync '%s': %s", s->path,
              strerror(errno));
  return SOLACE_SUCCESS;
}

/* Writes sample `index`: its data and statistics, made durable, then its done flag, likewise. */
static int put_sample(solace_store s, int64_t index, const double *input, const double *output,
                      const double *params, int64_t iterations, double seconds, double residual) {
  unsigned char one = 1;
  SolaceCall(start_swmr(s));
  SolaceCall(row(s, STORE_INPUTS, index, (void *)input, 1));
  SolaceCall(row(s, STORE_OUTPUTS, index, (void *)output, 1));
  if (s->nparams) SolaceCall(row(s, STORE_PARAMS, index, (void *)params, 1));
  SolaceCall(row(s, STORE_ITERATIONS, index, &iterations, 1));
  SolaceCall(row(s, STORE_SECONDS, index, &seconds, 1));
  SolaceCall(row(s, STORE_RESIDUAL, index, &residual, 1));
  SolaceCall(flush(s));
  SolaceCall(row(s, STORE_DONE, index, &one, 1));
  SolaceCall(flush(s));
  s->done[index] = 1;
  s->ndone++;
  return SOLACE_SUCCESS;
}

/* Checks that the n values of `what` for sample `index` are finite. */
static int check_finite(const char *what, const double *values, int64_t n, int64_t index) {
  for (int64_t i = 0; i < n; i++)
    SolaceCheck(isfinite(values[i]), SOLACE_ERR_ARG, "%s[%lld] = %g of sample %lld is not finite",
                what, (long long)i, values[i], (long long)index);
  return SOLACE_SUCCESS;
}

/* Checks that `index` is a sample of the store. */
static int check_index(solace_store s, int64_t index) {
  SolaceCheck(index >= 0 && index < s->count, SOLACE_ERR_ARG, "index %lld is not in [0, %lld)",
              (long long)index, (long long)s->count);
  return SOLACE_SUCCESS;
}

/* Checks that sample `index` is on disk (refreshing a SWMR reader's view first if needed). */
static int check_done(solace_store s, int64_t index) {
  if (!s->done[index]) SolaceCall(refresh(s, 0));
  SolaceCheck(s->done[index], SOLACE_ERR_STATE, "sample %lld of '%s' is not written yet",
              (long long)index, s->path);
  return SOLACE_SUCCESS;
}

/* Checks that attributes and the order may still change: writable, no sample in the file yet
 * (also after a resume: changing the root's attributes rewrites metadata that a kill could tear,
 * and the file's finished samples must not be put at risk). */
static int check_before_samples(solace_store s) {
  SolaceCheck(s->writable, SOLACE_ERR_STATE, "'%s' is open read-only", s->path);
  SolaceCheck(!s->swmr_write && s->ndone == 0, SOLACE_ERR_STATE,
              "'%s' holds samples: attributes and the order can only change before the first",
              s->path);
  return SOLACE_SUCCESS;
}

/* Checks that a caller's attribute may be set: a name of its own, before the first sample. */
static int check_attribute(solace_store s, const char *name) {
  SolaceCheck(name && name[0], SOLACE_ERR_ARG, "attribute name is NULL or empty");
  for (size_t i = 0; i < sizeof reserved_attributes / sizeof *reserved_attributes; i++)
    SolaceCheck(strcmp(name, reserved_attributes[i]), SOLACE_ERR_ARG,
                "attribute '%s' is written by the store itself", name);
  SolaceCall(check_before_samples(s));
  return SOLACE_SUCCESS;
}

/* Checks that order[0..n-1] is a permutation of 0..n-1. */
static int check_permutation(const int64_t *order, int64_t n) {
  unsigned char *seen;
  SolaceCall(SolaceCalloc(n, &seen));
  int64_t bad = -1;
  for (int64_t i = 0; i < n && bad < 0; i++) {
    if (order[i] < 0 || order[i] >= n || seen[order[i]])
      bad = i;
    else
      seen[order[i]] = 1;
  }
  free(seen);
  SolaceCheck(bad < 0, SOLACE_ERR_ARG, "order[%lld] = %lld: not a permutation of 0..%lld",
              (long long)bad, bad < 0 ? 0LL : (long long)order[bad], (long long)(n - 1));
  return SOLACE_SUCCESS;
}

/* Reads a finished sample's fields and parameters (NULL buffers are skipped). */
static int get_sample(solace_store s, int64_t index, double *input, double *output,
                      double *params) {
  SolaceCall(check_done(s, index));
  if (input) SolaceCall(row(s, STORE_INPUTS, index, input, 0));
  if (output) SolaceCall(row(s, STORE_OUTPUTS, index, output, 0));
  if (params && s->nparams) SolaceCall(row(s, STORE_PARAMS, index, params, 0));
  return SOLACE_SUCCESS;
}

/* Reads a finished sample's statistics (NULL pointers are skipped). */
static int get_stats(solace_store s, int64_t index, int64_t *iterations, double *seconds,
                     double *residual) {
  SolaceCall(check_done(s, index));
  if (iterations) SolaceCall(row(s, STORE_ITERATIONS, index, iterations, 0));
  if (seconds) SolaceCall(row(s, STORE_SECONDS, index, seconds, 0));
  if (residual) SolaceCall(row(s, STORE_RESIDUAL, index, residual, 0));
  return SOLACE_SUCCESS;
}

/* Copies string attribute `name` into buf (capacity bytes). */
static int get_string(solace_store s, const char *name, char *buf, int64_t capacity) {
  char *value;
  SolaceCall(solace_h5_attr_get_string(s->file, name, &value));
  size_t length = strlen(value);
  int fits = (int64_t)length < capacity;
  if (fits) memcpy(buf, value, length + 1);
  free(value);
  SolaceCheck(fits, SOLACE_ERR_ARG, "attribute '%s' needs %zu bytes, capacity is %lld", name,
              length + 1, (long long)capacity);
  return SOLACE_SUCCESS;
}

/* Describes a requested layout (a store without a file), for creating or resuming it; the
 * caller has checked it. */
static int make_request(const char *path, const char *family, int64_t count, int ndim,
                        const int64_t *grid, int64_t nparams, solace_store *req) {
  SolaceCall(store_alloc(path, req));
  solace_store r = *req;
  r->family = strdup(family);
  r->count = count, r->ndim = ndim, r->nparams = nparams;
  memcpy(r->grid, grid, (size_t)ndim * sizeof *grid);
  if (r->family) return SOLACE_SUCCESS;
  store_free(r);
  *req = NULL;
  return solace_error_set(SOLACE_ERR_MEM, __func__, "cannot copy the family");
}

/* Creates, overwrites or resumes the requested dataset, with HDF5's printing silenced. */
static int run_request(solace_store req, int mode, solace_store *store) {
  SolaceH5QuietCall(mode == SOLACE_STORE_RESUME
                        ? resume(req, store)
                        : create_new(req, mode == SOLACE_STORE_OVERWRITE, store));
  return SOLACE_SUCCESS;
}

/* ------------------------------------------------------------------------------------------ */
/* Public functions.                                                                          */

/* Creates, overwrites or resumes a dataset for writing (store.h). */
int solace_store_create(const char *path, const char *family, int64_t count, int ndim,
                        const int64_t *grid, int64_t nparams, int mode, solace_store *store) {
  int64_t npoints;
  solace_store req;
  SolaceCheckNotNull(store);
  *store = NULL;
  SolaceCheck(path && path[0], SOLACE_ERR_ARG, "path is NULL or empty");
  SolaceCheck(family && family[0], SOLACE_ERR_ARG, "family is NULL or empty");
  SolaceCheckNotNull(grid);
  SolaceCheck(mode >= SOLACE_STORE_CREATE && mode <= SOLACE_STORE_RESUME, SOLACE_ERR_ARG,
              "mode %d is not a solace_store_mode", mode);
  SolaceCall(check_layout(SOLACE_ERR_ARG, count, ndim, grid, nparams, &npoints));
  SolaceCall(make_request(path, family, count, ndim, grid, nparams, &req));
  req->npoints = npoints;
  int status = run_request(req, mode, store);
  store_free(req);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* Opens a dataset read-only, also one being written or left by a killed writer. */
int solace_store_open(const char *path, solace_store *store) {
  SolaceCheckNotNull(store);
  *store = NULL;
  SolaceCheck(path && path[0], SOLACE_ERR_ARG, "path is NULL or empty");
  SolaceH5QuietCall(open_store(path, 0, store));
  return SOLACE_SUCCESS;
}

/* Closes the file and frees the store; accepts NULL. */
int solace_store_destroy(solace_store *store) {
  if (!store || !*store) return SOLACE_SUCCESS;
  solace_store s = *store;
  *store = NULL;
  SolaceH5QuietCall(store_free(s));
  return SOLACE_SUCCESS;
}

/* Writes the number of samples. */
hid_t solace_store_file_id(solace_store store) {
  return store->file;
}

int solace_store_get_count(solace_store store, int64_t *count) {
  SolaceCheckNotNull(store);
  SolaceCheckNotNull(count);
  *count = store->count;
  return SOLACE_SUCCESS;
}

/* Writes the grid dimension and sizes (unused ones are 1). */
int solace_store_get_grid(solace_store store, int *ndim, int64_t grid[3]) {
  SolaceCheckNotNull(store);
  SolaceCheckNotNull(ndim);
  SolaceCheckNotNull(grid);
  *ndim = store->ndim;
  for (int k = 0; k < 3; k++) grid[k] = store->grid[k];
  return SOLACE_SUCCESS;
}

/* Writes the number of parameters per sample. */
int solace_store_get_nparams(solace_store store, int64_t *nparams) {
  SolaceCheckNotNull(store);
  SolaceCheckNotNull(nparams);
  *nparams = store->nparams;
  return SOLACE_SUCCESS;
}

/* Copies the family name into buf. */
int solace_store_get_family(solace_store store, char *buf, int64_t capacity) {
  SolaceCheckNotNull(store);
  SolaceCheckNotNull(buf);
  size_t length = strlen(store->family);
  SolaceCheck((int64_t)length < capacity, SOLACE_ERR_ARG,
              "family '%s' needs %zu bytes, capacity is %lld", store->family, length + 1,
              (long long)capacity);
  memcpy(buf, store->family, length + 1);
  return SOLACE_SUCCESS;
}

/* Sets a caller's string attribute (before the first sample). */
int solace_store_set_attribute_string(solace_store store, const char *name, const char *value) {
  SolaceCheckNotNull(store);
  SolaceCheckNotNull(value);
  SolaceCall(check_attribute(store, name));
  SolaceH5QuietCall(solace_h5_attr_put_string(store->file, name, value));
  return SOLACE_SUCCESS;
}

/* Sets a caller's finite float64 attribute (before the first sample). */
int solace_store_set_attribute_double(solace_store store, const char *name, double value) {
  SolaceCheckNotNull(store);
  SolaceCheck(isfinite(value), SOLACE_ERR_ARG, "value %g of '%s' is not finite", value,
              name ? name : "(null)");
  SolaceCall(check_attribute(store, name));
  SolaceH5QuietCall(
      solace_h5_attr_put(store->file, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, &value));
  return SOLACE_SUCCESS;
}

/* Sets a caller's int64 attribute (before the first sample). */
int solace_store_set_attribute_int(solace_store store, const char *name, int64_t value) {
  SolaceCheckNotNull(store);
  SolaceCall(check_attribute(store, name));
  SolaceH5QuietCall(put_int64(store->file, name, 0, &value));
  return SOLACE_SUCCESS;
}

/* Copies a string attribute into buf. */
int solace_store_get_attribute_string(solace_store store, const char *name, char *buf,
                                      int64_t capacity) {
  SolaceCheckNotNull(store);
  SolaceCheckNotNull(name);
  SolaceCheckNotNull(buf);
  SolaceH5QuietCall(get_string(store, name, buf, capacity));
  return SOLACE_SUCCESS;
}

/* Reads a numeric attribute as a double. */
int solace_store_get_attribute_double(solace_store store, const char *name, double *value) {
  hsize_t n;
  SolaceCheckNotNull(store);
  SolaceCheckNotNull(name);
  SolaceCheckNotNull(value);
  SolaceH5QuietCall(solace_h5_attr_get(store->file, name, 0, H5T_NATIVE_DOUBLE, 1, value, &n));
  return SOLACE_SUCCESS;
}

/* Reads an integer attribute. */
int solace_store_get_attribute_int(solace_store store, const char *name, int64_t *value) {
  hsize_t n;
  SolaceCheckNotNull(store);
  SolaceCheckNotNull(name);
  SolaceCheckNotNull(value);
  SolaceH5QuietCall(get_int64(store->file, name, 1, value, &n));
  return SOLACE_SUCCESS;
}

/* Writes the solve order, a permutation (before the first sample). */
int solace_store_write_order(solace_store store, const int64_t *order) {
  SolaceCheckNotNull(store);
  SolaceCheckNotNull(order);
  SolaceCall(check_before_samples(store));
  SolaceCall(check_permutation(order, store->count));
  SolaceH5QuietCall(whole(store, STORE_ORDER, (void *)order, 1));
  return SOLACE_SUCCESS;
}

/* Reads the solve order. */
int solace_store_read_order(solace_store store, int64_t *order) {
  SolaceCheckNotNull(store);
  SolaceCheckNotNull(order);
  SolaceH5QuietCall(whole(store, STORE_ORDER, order, 0));
  return SOLACE_SUCCESS;
}

/* Checks and writes one sample, durably, then marks it done. */
int solace_store_write_sample(solace_store store, int64_t index, const double *input,
                              const double *output, const double *params, int64_t iterations,
                              double seconds, double residual) {
  SolaceCheckNotNull(store);
  SolaceCall(check_index(store, index));
  SolaceCheck(store->writable, SOLACE_ERR_STATE, "'%s' is open read-only", store->path);
  SolaceCheckNotNull(input);
  SolaceCheckNotNull(output);
  SolaceCheck(params || !store->nparams, SOLACE_ERR_ARG, "params is NULL but nparams = %lld",
              (long long)store->nparams);
  SolaceCheck(!store->done[index], SOLACE_ERR_STATE, "sample %lld of '%s' is already written",
              (long long)index, store->path);
  SolaceCall(check_finite("input", input, store->npoints, index));
  SolaceCall(check_finite("output", output, store->npoints, index));
  SolaceCall(check_finite("params", params, store->nparams, index));
  SolaceCheck(isfinite(seconds) && isfinite(residual), SOLACE_ERR_ARG,
              "seconds = %g, residual = %g of sample %lld must be finite", seconds, residual,
              (long long)index);
  SolaceH5QuietCall(put_sample(store, index, input, output, params, iterations, seconds, residual));
  return SOLACE_SUCCESS;
}

/* Tells whether a sample is on disk. */
int solace_store_is_done(solace_store store, int64_t index, int *done) {
  SolaceCheckNotNull(store);
  SolaceCheckNotNull(done);
  SolaceCall(check_index(store, index));
  if (!store->done[index]) SolaceH5QuietCall(refresh(store, 0));
  *done = store->done[index] != 0;
  return SOLACE_SUCCESS;
}

/* Counts the samples on disk. */
int solace_store_count_done(solace_store store, int64_t *ndone) {
  SolaceCheckNotNull(store);
  SolaceCheckNotNull(ndone);
  SolaceH5QuietCall(refresh(store, 1));
  *ndone = store->ndone;
  return SOLACE_SUCCESS;
}

/* Fills the done mask as ints. */
int solace_store_read_done(solace_store store, int *done) {
  SolaceCheckNotNull(store);
  SolaceCheckNotNull(done);
  SolaceH5QuietCall(refresh(store, 1));
  for (int64_t i = 0; i < store->count; i++) done[i] = store->done[i] != 0;
  return SOLACE_SUCCESS;
}

/* Reads a finished sample's fields and parameters. */
int solace_store_read_sample(solace_store store, int64_t index, double *input, double *output,
                             double *params) {
  SolaceCheckNotNull(store);
  SolaceCall(check_index(store, index));
  SolaceH5QuietCall(get_sample(store, index, input, output, params));
  return SOLACE_SUCCESS;
}

/* Reads a finished sample's statistics. */
int solace_store_read_stats(solace_store store, int64_t index, int64_t *iterations, double *seconds,
                            double *residual) {
  SolaceCheckNotNull(store);
  SolaceCall(check_index(store, index));
  SolaceH5QuietCall(get_stats(store, index, iterations, seconds, residual));
  return SOLACE_SUCCESS;
}
