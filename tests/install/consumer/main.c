/* Uses the installed Solace's core ABI: version, status names, log level, a progress reporter.
 * Prints "consumer ok <version>" and exits 0 when every call behaves. */
#include <solace.h>
#include <stdio.h>
#include <string.h>

/* Prints a failed check and gives 1. */
static int fail(const char *what) {
  fprintf(stderr, "consumer: %s (%s)\n", what, solace_error_message());
  return 1;
}

int main(void) {
  int major = -1, minor = -1, patch = -1, level = -1;
  solace_progress p = NULL;
  if (solace_version(&major, &minor, &patch) || major != SOLACE_VERSION_MAJOR ||
      minor != SOLACE_VERSION_MINOR || patch != SOLACE_VERSION_PATCH)
    return fail("solace_version disagrees with the installed header");
  if (strcmp(solace_status_string(SOLACE_ERR_ARG), "SOLACE_ERR_ARG"))
    return fail("solace_status_string(SOLACE_ERR_ARG)");
  if (solace_log_set_level(SOLACE_LOG_INFO) || solace_log_get_level(&level) ||
      level != SOLACE_LOG_INFO)
    return fail("log level round trip");
  if (solace_log_set_level(99) != SOLACE_ERR_ARG) return fail("log level 99 accepted");
  if (solace_progress_create("consumer", 2, 0, &p) ||
      solace_progress_set_mode(p, SOLACE_PROGRESS_SILENT, 0) ||
      solace_progress_update(p, 2, NULL) || solace_progress_finish(p) ||
      solace_progress_destroy(&p) || p)
    return fail("progress reporter");
  printf("consumer ok %d.%d.%d\n", major, minor, patch);
  return 0;
}
