/* Process-wide log verbosity and the log writer. */
#include "solace-impl.h"

#include <stdarg.h>
#include <stdio.h>

static int log_level = SOLACE_LOG_WARN;

int solace_log_set_level(int level) {
  SolaceCheck(level >= SOLACE_LOG_QUIET && level <= SOLACE_LOG_DEBUG, SOLACE_ERR_ARG,
              "level %d is not in [%d, %d]", level, SOLACE_LOG_QUIET, SOLACE_LOG_DEBUG);
  log_level = level;
  return SOLACE_SUCCESS;
}

int solace_log_get_level(int *level) {
  SolaceCheckNotNull(level);
  *level = log_level;
  return SOLACE_SUCCESS;
}

void solace_log(int level, const char *fmt, ...) {
  if (level > log_level || level <= SOLACE_LOG_QUIET) return;
  va_list args;
  va_start(args, fmt);
  fputs("solace: ", stderr);
  vfprintf(stderr, fmt, args);
  fputc('\n', stderr);
  va_end(args);
}
