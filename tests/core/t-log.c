/* The log level starts at WARN, can be set to each level and read back, rejects out-of-range
 * values without changing, and decides which lines solace_log writes to stderr. */
#define _POSIX_C_SOURCE 200809L /* dup, dup2, fileno */
#include <string.h>
#include <unistd.h>

#include "solace-impl.h"
#include "test-capture.h"
#include "test-util.h"

/* Each level can be set and read back. */
static void check_set_get(void) {
  int level = -1;
  TEST_ASSERT(!solace_log_get_level(&level) && level == SOLACE_LOG_WARN, "default level %d", level);
  for (int l = SOLACE_LOG_QUIET; l <= SOLACE_LOG_DEBUG; l++) {
    TEST_ASSERT(solace_log_set_level(l) == SOLACE_SUCCESS, "set %d failed", l);
    TEST_ASSERT(!solace_log_get_level(&level) && level == l, "set %d, got %d", l, level);
  }
}

/* Out-of-range levels fail, name the value and leave the level as it was. */
static void check_out_of_range(void) {
  const int bad[] = {-1, 5, 99};
  int level = -1;
  TEST_ASSERT(solace_log_set_level(SOLACE_LOG_INFO) == SOLACE_SUCCESS, "set INFO failed");
  for (int i = 0; i < 3; i++) {
    char value[16];
    snprintf(value, sizeof value, "%d", bad[i]);
    TEST_FAILS_WITH(solace_log_set_level(bad[i]), SOLACE_ERR_ARG);
    TEST_ASSERT(strstr(solace_error_message(), "solace_log_set_level") &&
                    strstr(solace_error_message(), value),
                "message \"%s\" for %d", solace_error_message(), bad[i]);
    TEST_ASSERT(!solace_log_get_level(&level) && level == SOLACE_LOG_INFO, "level became %d",
                level);
  }
}

/* Lines at or below the level are written as "solace: <msg>"; others and QUIET write nothing. */
static void check_writer(void) {
  struct capture c;
  char text[256];
  solace_log_set_level(SOLACE_LOG_WARN);
  capture_begin(&c);
  solace_log(SOLACE_LOG_INFO, "not shown");
  solace_log(SOLACE_LOG_WARN, "shown %d", 3);
  solace_log(SOLACE_LOG_ERROR, "also shown");
  solace_log_set_level(SOLACE_LOG_QUIET);
  solace_log(SOLACE_LOG_ERROR, "quiet");
  capture_end(&c, text, sizeof text);
  TEST_ASSERT(!strcmp(text, "solace: shown 3\nsolace: also shown\n"), "wrote \"%s\"", text);
}

int main(void) {
  check_set_get();
  check_out_of_range();
  check_writer();
  return test_finish("core-log");
}
