/* Thread-local error messages and status names. */
#include "solace-impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SOLACE_MESSAGE_CAPACITY = 2048 };

static _Thread_local char error_message[SOLACE_MESSAGE_CAPACITY];

const char *solace_error_message(void) {
  return error_message;
}

const char *solace_status_string(int status) {
  switch (status) {
  case SOLACE_SUCCESS:
    return "SOLACE_SUCCESS";
  case SOLACE_ERR_ARG:
    return "SOLACE_ERR_ARG";
  case SOLACE_ERR_MEM:
    return "SOLACE_ERR_MEM";
  case SOLACE_ERR_IO:
    return "SOLACE_ERR_IO";
  case SOLACE_ERR_NOT_CONVERGED:
    return "SOLACE_ERR_NOT_CONVERGED";
  case SOLACE_ERR_BACKEND:
    return "SOLACE_ERR_BACKEND";
  case SOLACE_ERR_STATE:
    return "SOLACE_ERR_STATE";
  case SOLACE_ERR_FORMAT:
    return "SOLACE_ERR_FORMAT";
  case SOLACE_ERR_UNSUPPORTED:
    return "SOLACE_ERR_UNSUPPORTED";
  default:
    return "SOLACE_ERR_UNKNOWN";
  }
}

int solace_error_set(int code, const char *func, const char *fmt, ...) {
  int used = snprintf(error_message, sizeof error_message, "%s: ", func);
  if (used < 0 || (size_t)used >= sizeof error_message) return code;
  va_list args;
  va_start(args, fmt);
  vsnprintf(error_message + used, sizeof error_message - (size_t)used, fmt, args);
  va_end(args);
  return code;
}

int solace_error_trace(int code, const char *func) {
  size_t used = strlen(error_message);
  if (used + strlen(func) + 5 < sizeof error_message)
    snprintf(error_message + used, sizeof error_message - used, " <- %s", func);
  return code;
}

void solace_error_clear(void) {
  error_message[0] = '\0';
}

int solace_calloc(size_t n, size_t size, void *ptr_address) {
  void **ptr = (void **)ptr_address;
  *ptr = NULL;
  if (n == 0) n = 1;
  if (size != 0 && n > (size_t)-1 / size)
    return solace_error_set(SOLACE_ERR_MEM, __func__, "%zu x %zu bytes overflows", n, size);
  *ptr = calloc(n, size);
  if (!*ptr)
    return solace_error_set(SOLACE_ERR_MEM, __func__, "cannot allocate %zu bytes", n * size);
  return SOLACE_SUCCESS;
}
