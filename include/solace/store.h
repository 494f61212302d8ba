/**
 * @file store.h
 * @brief HDF5 store for neural-operator datasets: incremental, resumable, crash-safe.
 *
 * A dataset holds `count` samples, each an input field and an output field on the same grid,
 * `nparams` scalar parameters and solve statistics. The file layout (readable with h5py):
 *
 * | path                 | shape               | type    |
 * |----------------------|---------------------|---------|
 * | `/inputs`            | [count, grid...]    | float64 |
 * | `/outputs`           | [count, grid...]    | float64 |
 * | `/params`            | [count, nparams]    | float64 (absent when nparams = 0) |
 * | `/order`             | [count]             | int64: the k-th sample solved |
 * | `/stats/iterations`  | [count]             | int64   |
 * | `/stats/seconds`     | [count]             | float64 |
 * | `/stats/residual`    | [count]             | float64 |
 * | `/stats/done`        | [count]             | uint8: 1 once the sample is on disk |
 *
 * Root attributes `solace_format` ("solace-dataset"), `format_version`, `family`, `grid`,
 * `count`, `nparams`, `solace_version`, `created` are written by the store; callers add their
 * own (`seed`, `rtol`, `ksp_type`, ...) before the first sample. Field arrays cross the ABI in
 * natural grid order, x fastest: element (ix, iy, iz) is at ix + nx*(iy + ny*iz), which is the
 * C-order array [nz, ny, nx] that h5py returns (the grid attribute lists nx, ny, nz).
 *
 * Durability: a sample is on disk when solace_store_write_sample() returns (data flushed and
 * fsync'ed, then its done byte flushed and fsync'ed). Every chunk is allocated, unfiltered, when
 * the file is created, so writing a sample only overwrites raw data at fixed places: a writer
 * killed at any moment (SIGKILL included) loses at most the sample in flight, which is not
 * marked done. Reopening with ::SOLACE_STORE_RESUME continues where it stopped. A finished
 * dataset can then be compressed in place with solace_store_compress().
 *
 * Readers: while a file is being written (HDF5 SWMR mode, from the first sample on), or after
 * its writer was killed and before it is resumed, h5py reads it with
 * `h5py.File(path, "r", swmr=True)`; solace_store_open() handles every case. Between
 * solace_store_create() and the first sample HDF5 holds an exclusive lock and readers must wait.
 * Caller attributes and the order are written before the first sample and refused
 * (::SOLACE_ERR_STATE) once the file holds any sample: changing them afterwards would rewrite
 * metadata that a killed writer could tear.
 *
 * A store is used by one process; under MPI, rank 0 writes what the other ranks computed.
 */
#ifndef SOLACE_STORE_H
#define SOLACE_STORE_H

#include "solace/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque handle of an open dataset file. */
typedef struct solace_store_s *solace_store;

/** What solace_store_create() does with an existing file. */
enum solace_store_mode {
  SOLACE_STORE_CREATE = 0,    /**< create a new file; an existing one is an error, left untouched */
  SOLACE_STORE_OVERWRITE = 1, /**< replace any existing file */
  SOLACE_STORE_RESUME = 2     /**< reopen an existing dataset of the same layout, else create it */
};

/**
 * Creates (or, with ::SOLACE_STORE_RESUME, reopens) a dataset for writing.
 * @param path     file name
 * @param family   dataset family, e.g. "darcy" (stored as the `family` attribute)
 * @param count    number of samples, > 0
 * @param ndim     grid dimension, 1 to 3
 * @param grid     ndim grid sizes (nx, ny, nz), each > 0
 * @param nparams  scalar parameters per sample, >= 0
 * @param mode     a ::solace_store_mode
 * @param[out] store the open store
 * A file that exists but is not a Solace dataset, or whose family, count, grid or nparams differ
 * from the request, is refused with ::SOLACE_ERR_FORMAT and not modified. A new file appears
 * at `path` complete (all datasets and attributes), by an atomic rename.
 */
SOLACE_EXPORT int solace_store_create(const char *path, const char *family, int64_t count, int ndim,
                                      const int64_t *grid, int64_t nparams, int mode,
                                      solace_store *store);

/** Opens a dataset read-only, including one whose writer is running or was killed. */
SOLACE_EXPORT int solace_store_open(const char *path, solace_store *store);

/** Closes the file (a written file is left clean for any HDF5 reader) and sets *store to NULL. */
SOLACE_EXPORT int solace_store_destroy(solace_store *store);

/** Writes the number of samples. */
SOLACE_EXPORT int solace_store_get_count(solace_store store, int64_t *count);

/** Writes the grid dimension to *ndim and the sizes to grid[0..2] (unused entries are 1). */
SOLACE_EXPORT int solace_store_get_grid(solace_store store, int *ndim, int64_t grid[3]);

/** Writes the number of scalar parameters per sample. */
SOLACE_EXPORT int solace_store_get_nparams(solace_store store, int64_t *nparams);

/** Copies the family name into buf (capacity bytes, NUL-terminated); too small is an error. */
SOLACE_EXPORT int solace_store_get_family(solace_store store, char *buf, int64_t capacity);

/** Sets a string attribute on the root; only before the first sample (store-owned names refused).
 */
SOLACE_EXPORT int solace_store_set_attribute_string(solace_store store, const char *name,
                                                    const char *value);

/** Sets a float64 attribute on the root; only before the first sample is written. */
SOLACE_EXPORT int solace_store_set_attribute_double(solace_store store, const char *name,
                                                    double value);

/** Sets an int64 attribute on the root; only before the first sample is written. */
SOLACE_EXPORT int solace_store_set_attribute_int(solace_store store, const char *name,
                                                 int64_t value);

/** Copies a string attribute into buf (capacity bytes); a missing one is ::SOLACE_ERR_FORMAT. */
SOLACE_EXPORT int solace_store_get_attribute_string(solace_store store, const char *name, char *buf,
                                                    int64_t capacity);

/** Reads a numeric attribute as a double; a missing one is ::SOLACE_ERR_FORMAT. */
SOLACE_EXPORT int solace_store_get_attribute_double(solace_store store, const char *name,
                                                    double *value);

/** Reads an integer attribute; a missing one is ::SOLACE_ERR_FORMAT. */
SOLACE_EXPORT int solace_store_get_attribute_int(solace_store store, const char *name,
                                                 int64_t *value);

/** Writes the solve order, a permutation of 0..count-1; only before the first sample. */
SOLACE_EXPORT int solace_store_write_order(solace_store store, const int64_t *order);

/** Reads the solve order into order[0..count-1]. */
SOLACE_EXPORT int solace_store_read_order(solace_store store, int64_t *order);

/**
 * Writes sample `index` and marks it done; it is on disk when the call returns.
 * @param input, output  fields of prod(grid) values each, natural order; finite
 * @param params         nparams finite values (NULL allowed when nparams = 0)
 * @param iterations, seconds, residual  the solve's statistics (seconds, residual finite)
 * A sample already done is refused with ::SOLACE_ERR_STATE (nothing is written twice).
 */
SOLACE_EXPORT int solace_store_write_sample(solace_store store, int64_t index, const double *input,
                                            const double *output, const double *params,
                                            int64_t iterations, double seconds, double residual);

/** Sets *done to 1 if sample `index` is on disk, else 0. */
SOLACE_EXPORT int solace_store_is_done(solace_store store, int64_t index, int *done);

/** Writes the number of samples on disk. */
SOLACE_EXPORT int solace_store_count_done(solace_store store, int64_t *ndone);

/** Fills done[0..count-1] with 1 for each sample on disk, else 0. */
SOLACE_EXPORT int solace_store_read_done(solace_store store, int *done);

/** Reads a finished sample; any of input, output, params may be NULL to skip it. */
SOLACE_EXPORT int solace_store_read_sample(solace_store store, int64_t index, double *input,
                                           double *output, double *params);

/** Reads a finished sample's statistics; any pointer may be NULL to skip it. */
SOLACE_EXPORT int solace_store_read_stats(solace_store store, int64_t index, int64_t *iterations,
                                          double *seconds, double *residual);

/**
 * Rewrites a finished dataset (every sample done) with shuffle + deflate compression at `level`
 * (1 to 9), atomically: the compressed copy is built beside the file and renamed over it, so an
 * interruption leaves the uncompressed file intact. Values are unchanged. An unfinished dataset
 * is refused with ::SOLACE_ERR_STATE and left untouched (while samples are being written the
 * chunks stay uncompressed: only then is a sample's write safe against a killed writer).
 */
SOLACE_EXPORT int solace_store_compress(const char *path, int level);

#ifdef __cplusplus
}
#endif
#endif
