/**
 * @file base.h
 * @brief Solace core: status codes, error messages, initialization, version, logging, progress.
 *
 * Every Solace function returns an `int` status: ::SOLACE_SUCCESS (0) or a negative
 * `SOLACE_ERR_*` code. After a failure, solace_error_message() returns a message for the calling
 * thread that names the failing function and the offending value. Solace never aborts or exits
 * the calling process, and no backend (PETSc, HDF5, LAPACK, SUNDIALS) error handler may do so.
 *
 * Conventions of the whole ABI: scalars are `double`, sizes and indices `int64_t`, booleans
 * `int`; matrices are column-major with an explicit leading dimension; objects are opaque
 * handles created by `solace_<module>_create` and released by `solace_<module>_destroy`, which
 * sets the handle to NULL and accepts a NULL handle.
 */
#ifndef SOLACE_BASE_H
#define SOLACE_BASE_H

#include <stdint.h>

#if defined(__GNUC__)
#define SOLACE_EXPORT __attribute__((visibility("default")))
#else
#define SOLACE_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** @name Version of the headers (the library's own is given by solace_version()). */
/**@{*/
#define SOLACE_VERSION_MAJOR 0
#define SOLACE_VERSION_MINOR 1
#define SOLACE_VERSION_PATCH 0
/**@}*/

/** Status codes returned by every Solace function. */
enum solace_status {
  SOLACE_SUCCESS = 0,            /**< the call did what it says */
  SOLACE_ERR_ARG = -1,           /**< an argument is invalid (NULL, bad size, NaN, unknown name) */
  SOLACE_ERR_MEM = -2,           /**< memory could not be allocated */
  SOLACE_ERR_IO = -3,            /**< a file could not be created, opened, read or written */
  SOLACE_ERR_NOT_CONVERGED = -4, /**< an iterative method stopped short of its tolerance */
  SOLACE_ERR_BACKEND = -5, /**< PETSc, HDF5, LAPACK, SUNDIALS, FFTW or MPI reported an error */
  SOLACE_ERR_STATE = -6,   /**< the object is not in a state that allows this call */
  SOLACE_ERR_FORMAT = -7,  /**< a file is not what Solace expects (foreign, corrupt, other shape) */
  SOLACE_ERR_UNSUPPORTED = -8 /**< the request is valid but not supported by this build */
};

/** Returns the calling thread's message for its last failed Solace call ("" if none). */
SOLACE_EXPORT const char *solace_error_message(void);

/** Returns a constant name for a status code, e.g. "SOLACE_ERR_ARG"; never NULL. */
SOLACE_EXPORT const char *solace_status_string(int status);

/**
 * Initializes MPI and PETSc if the caller has not, and registers Solace's PETSc types.
 * @param argc, argv the program's arguments (PETSc options are read from them) or NULL, NULL.
 * Calling it again is harmless; solace_finalize() undoes only what it did.
 */
SOLACE_EXPORT int solace_initialize(int *argc, char ***argv);

/** Finalizes PETSc and MPI if, and only if, solace_initialize() initialized them. */
SOLACE_EXPORT int solace_finalize(void);

/** Sets *is_initialized to 1 between solace_initialize() and solace_finalize(), else 0. */
SOLACE_EXPORT int solace_initialized(int *is_initialized);

/** Writes this process's rank in MPI_COMM_WORLD (0 when MPI is not initialized). */
SOLACE_EXPORT int solace_mpi_rank(int *rank);

/** Writes the number of ranks in MPI_COMM_WORLD (1 when MPI is not initialized). */
SOLACE_EXPORT int solace_mpi_size(int *size);

/** Writes the library's version (which may differ from the SOLACE_VERSION_* of the headers). */
SOLACE_EXPORT int solace_version(int *major, int *minor, int *patch);

/** Log levels: messages at or below the current level are written to stderr. */
enum solace_log_level {
  SOLACE_LOG_QUIET = 0, /**< nothing */
  SOLACE_LOG_ERROR = 1, /**< failures only */
  SOLACE_LOG_WARN = 2,  /**< failures and warnings (the default) */
  SOLACE_LOG_INFO = 3,  /**< plus one-line summaries of long computations */
  SOLACE_LOG_DEBUG = 4  /**< plus per-iteration detail */
};

/** Sets the process-wide log verbosity (one of ::solace_log_level). */
SOLACE_EXPORT int solace_log_set_level(int level);

/** Writes the current log verbosity to *level. */
SOLACE_EXPORT int solace_log_get_level(int *level);

/** Opaque progress reporter for long loops. */
typedef struct solace_progress_s *solace_progress;

/** How a progress reporter writes to stderr. */
enum solace_progress_mode {
  SOLACE_PROGRESS_AUTO = 0,   /**< redrawn line on a terminal, periodic plain lines otherwise */
  SOLACE_PROGRESS_REDRAW = 1, /**< one line redrawn in place (carriage return) */
  SOLACE_PROGRESS_LINES = 2,  /**< a plain line every interval seconds and at the end */
  SOLACE_PROGRESS_SILENT = 3  /**< nothing */
};

/**
 * Creates a progress reporter for `total` units of work, of which `already_done` are done (a
 * resumed run); rates and ETA count only the work done from now on. `label` is copied.
 */
SOLACE_EXPORT int solace_progress_create(const char *label, int64_t total, int64_t already_done,
                                         solace_progress *progress);

/** Chooses how the reporter writes (::solace_progress_mode) and, for LINES, every how many seconds.
 */
SOLACE_EXPORT int solace_progress_set_mode(solace_progress progress, int mode, double interval);

/** Records that `done` units (absolute, 0..total) are finished; `note` (may be NULL) is appended.
 */
SOLACE_EXPORT int solace_progress_update(solace_progress progress, int64_t done, const char *note);

/** Writes the final line (done/total, mean rate, elapsed time). */
SOLACE_EXPORT int solace_progress_finish(solace_progress progress);

/** Releases the reporter and sets *progress to NULL; accepts NULL. */
SOLACE_EXPORT int solace_progress_destroy(solace_progress *progress);

/**
 * Sets the number of threads OpenBLAS uses (threads >= 1), process-wide. One thread is right
 * when every core runs an MPI rank or another solve: the tall, skinny products of the Krylov
 * kernels gain nothing from BLAS threads and lose much when the cores are shared. Programs that
 * leave it alone get OpenBLAS's own default (OPENBLAS_NUM_THREADS, else one per core).
 */
SOLACE_EXPORT int solace_set_blas_threads(int threads);

/** Wall-clock seconds from an arbitrary fixed origin (monotonic); for timing. */
SOLACE_EXPORT double solace_wtime(void);

#ifdef __cplusplus
}
#endif
#endif
