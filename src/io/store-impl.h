/* Internal HDF5 helpers of the dataset store (src/io/store*.c). Not installed. */
#ifndef SOLACE_STORE_IMPL_H
#define SOLACE_STORE_IMPL_H

#include "solace-impl.h"
#include "solace/store.h"

#include <hdf5.h>

/* HDF5's automatic error printing of the caller (set with the v2 or the old v1 API), saved while
 * a Solace call runs silenced; as HDF5's own H5E_BEGIN_TRY does. */
typedef struct {
  unsigned is_v2;
  H5E_auto2_t func2;
#ifndef H5_NO_DEPRECATED_SYMBOLS
  H5E_auto1_t func1;
#endif
  void *data;
} solace_h5_quiet;

/* Saves the caller's HDF5 error printing and silences it (the Solace message is kept: a
 * destroy in a cleanup path must not erase the failure being reported). */
SOLACE_INTERN void solace_h5_quiet_begin(solace_h5_quiet *quiet);

/* Restores the HDF5 error printing saved by solace_h5_quiet_begin(). */
SOLACE_INTERN void solace_h5_quiet_end(const solace_h5_quiet *quiet);

/* Runs `expr` with HDF5's error printing silenced; on failure returns its status (traced). */
#define SolaceH5QuietCall(expr)                                                                    \
  do {                                                                                             \
    solace_h5_quiet solace_quiet_;                                                                 \
    solace_h5_quiet_begin(&solace_quiet_);                                                         \
    int solace_quiet_status_ = (expr);                                                             \
    solace_h5_quiet_end(&solace_quiet_);                                                           \
    if (solace_quiet_status_) return solace_error_trace(solace_quiet_status_, __func__);           \
  } while (0)

/* solace_error_hdf5() with a printf-style description of what was being done. */
SOLACE_INTERN int solace_h5_error(int code, const char *func, const char *fmt, ...)
    SOLACE_PRINTF(3, 4);

/* Closes any HDF5 identifier this code created (negative ones are skipped); sets it invalid. */
SOLACE_INTERN void solace_h5_close(hid_t *id);

/* Writes (replacing) attribute `name` of `loc`: n values (n = 0: a scalar) of file type ftype. */
SOLACE_INTERN int solace_h5_attr_put(hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                                     hsize_t n, const void *buf);

/* Writes (replacing) a variable-length UTF-8 string attribute, which h5py reads as str. */
SOLACE_INTERN int solace_h5_attr_put_string(hid_t loc, const char *name, const char *value);

/* Reads numeric attribute `name` (integer class only if integer_only) as mtype into buf, at most
 * `max` values; *n receives the count. Missing or of another kind: SOLACE_ERR_FORMAT. */
SOLACE_INTERN int solace_h5_attr_get(hid_t loc, const char *name, int integer_only, hid_t mtype,
                                     hsize_t max, void *buf, hsize_t *n);

/* Reads string attribute `name` (fixed or variable length) into a new string *value (free()). */
SOLACE_INTERN int solace_h5_attr_get_string(hid_t loc, const char *name, char **value);

/* Writes (write = 1) or reads row `index` of dataset dset, named `name` in messages (the row is
 * all of the dataset's other dimensions). */
SOLACE_INTERN int solace_h5_row(hid_t dset, const char *name, hid_t mtype, int64_t index, void *buf,
                                int write);

/* Forces a file's (directory = 0) or directory's data to the disk; best effort. */
SOLACE_INTERN void solace_store_sync_path(const char *path, int directory);

/* Forces the directory entry of `path` to the disk; best effort. */
SOLACE_INTERN void solace_store_sync_directory_of(const char *path);

/* Moves the finished temporary file `tmp` to `path` atomically (over an existing file only if
 * overwrite), after forcing its data to the disk. */
SOLACE_INTERN int solace_store_publish(const char *tmp, const char *path, int overwrite);

/* The HDF5 file identifier of an open store (for the compressor). */
SOLACE_INTERN hid_t solace_store_file_id(solace_store store);

/* Forces a file's (directory = 0) or directory's data to the disk; best effort. */
SOLACE_INTERN void solace_store_sync_path(const char *path, int directory);

/* Forces the directory entry of `path` to the disk; best effort. */
SOLACE_INTERN void solace_store_sync_directory_of(const char *path);

/* Moves the finished temporary file `tmp` to `path` atomically (over an existing file only if
 * overwrite), after forcing its data to the disk. */
SOLACE_INTERN int solace_store_publish(const char *tmp, const char *path, int overwrite);

/* The HDF5 file identifier of an open store (for the compressor). */
SOLACE_INTERN hid_t solace_store_file_id(solace_store store);

#endif
