/* Internal helpers shared by every Solace source file: error checking and backend error mapping.
 * Not installed; nothing outside the library includes it. */
#ifndef SOLACE_IMPL_H
#define SOLACE_IMPL_H

#include "solace/base.h"

#include <stddef.h>

#if defined(__GNUC__)
#define SOLACE_INTERN       __attribute__((visibility("hidden")))
#define SOLACE_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SOLACE_INTERN
#define SOLACE_PRINTF(a, b)
#endif

/* Records `code` and a formatted message for function `func` on this thread; returns `code`. */
SOLACE_INTERN int solace_error_set(int code, const char *func, const char *fmt, ...)
    SOLACE_PRINTF(3, 4);

/* Appends " <- func" to the current message (a traceback) and returns `code`. */
SOLACE_INTERN int solace_error_trace(int code, const char *func);

/* Clears the calling thread's message (called on entry to public functions that may fail). */
SOLACE_INTERN void solace_error_clear(void);

/* Maps a failed PETSc call to SOLACE_ERR_BACKEND with PETSc's own message. */
SOLACE_INTERN int solace_error_petsc(int petsc_code, const char *func, const char *expr);

/* Maps a failed HDF5 call to `code` with the innermost HDF5 message of the error stack. */
SOLACE_INTERN int solace_error_hdf5(int code, const char *func, const char *what);

/* Maps a LAPACK info value to a status: info < 0 is an argument error, info > 0 a numerical one. */
SOLACE_INTERN int solace_error_lapack(int info, const char *routine, const char *func);

/* Maps a negative SUNDIALS return flag to SOLACE_ERR_BACKEND, naming it with `flag_name`. */
SOLACE_INTERN int solace_error_sundials(int flag, const char *flag_name, const char *func);

/* Writes a log line "solace: <msg>" to stderr when `level` <= the current level. */
SOLACE_INTERN void solace_log(int level, const char *fmt, ...) SOLACE_PRINTF(2, 3);

/* Checks `cond`; on failure records the message and returns `code` from the calling function. */
#define SolaceCheck(cond, code, ...)                                                               \
  do {                                                                                             \
    if (!(cond)) return solace_error_set((code), __func__, __VA_ARGS__);                           \
  } while (0)

/* Calls a Solace function; on failure extends the traceback and returns its status. */
#define SolaceCall(expr)                                                                           \
  do {                                                                                             \
    int solace_call_status_ = (expr);                                                              \
    if (solace_call_status_) return solace_error_trace(solace_call_status_, __func__);             \
  } while (0)

/* As SolaceCall, but stores the status in `status` and jumps to `label` (for cleanup). */
#define SolaceCallGoto(status, label, expr)                                                        \
  do {                                                                                             \
    (status) = (expr);                                                                             \
    if (status) {                                                                                  \
      (status) = solace_error_trace((status), __func__);                                           \
      goto label;                                                                                  \
    }                                                                                              \
  } while (0)

/* As SolaceCheck, but stores the status in `status` and jumps to `label`. */
#define SolaceCheckGoto(cond, status, label, code, ...)                                            \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      (status) = solace_error_set((code), __func__, __VA_ARGS__);                                  \
      goto label;                                                                                  \
    }                                                                                              \
  } while (0)

/* Calls a PETSc function; on failure returns SOLACE_ERR_BACKEND with PETSc's message. */
#define SolacePetscCall(expr)                                                                      \
  do {                                                                                             \
    int solace_petsc_code_ = (int)(expr);                                                          \
    if (solace_petsc_code_) return solace_error_petsc(solace_petsc_code_, __func__, #expr);        \
  } while (0)

/* As SolacePetscCall, but stores the status and jumps to `label`. */
#define SolacePetscCallGoto(status, label, expr)                                                   \
  do {                                                                                             \
    int solace_petsc_code_ = (int)(expr);                                                          \
    if (solace_petsc_code_) {                                                                      \
      (status) = solace_error_petsc(solace_petsc_code_, __func__, #expr);                          \
      goto label;                                                                                  \
    }                                                                                              \
  } while (0)

/* Checks that a pointer argument is not NULL. */
#define SolaceCheckNotNull(ptr) SolaceCheck((ptr) != NULL, SOLACE_ERR_ARG, "%s is NULL", #ptr)

/* Allocates `n` zeroed elements of *ptr's type; returns SOLACE_ERR_MEM on failure. */
SOLACE_INTERN int solace_calloc(size_t n, size_t size, void *ptr_address);
#define SolaceCalloc(n, ptr) solace_calloc((size_t)(n), sizeof(**(ptr)), (ptr))

#endif
