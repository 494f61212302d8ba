/* solace_initialize leaves the caller's signal handlers alone (PETSc would otherwise install its
 * own for SIGSEGV, SIGFPE, SIGTERM, ...), and they are still the caller's after solace_finalize. */
#define _POSIX_C_SOURCE 200809L /* sigaction */
#include <signal.h>

#include "test-util.h"

static const int watched[] = {SIGFPE, SIGSEGV, SIGBUS, SIGILL, SIGTERM, SIGUSR1, SIGUSR2};
enum { n_watched = sizeof watched / sizeof watched[0] };

static void caller_handler(int sig) {
  (void)sig;
}

/* Installs caller_handler for every watched signal. */
static void install_handlers(void) {
  struct sigaction sa = {0};
  sa.sa_handler = caller_handler;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < n_watched; i++) sigaction(watched[i], &sa, NULL);
}

/* Checks that every watched signal still goes to caller_handler. */
static void check_handlers(const char *when) {
  for (int i = 0; i < n_watched; i++) {
    struct sigaction now;
    sigaction(watched[i], NULL, &now);
    TEST_ASSERT(now.sa_handler == caller_handler, "signal %d handler replaced %s", watched[i],
                when);
  }
}

int main(void) {
  install_handlers();
  TEST_CALL(solace_initialize(NULL, NULL));
  check_handlers("by solace_initialize");
  TEST_CALL(solace_finalize());
  check_handlers("after solace_finalize");
  return test_finish("core-init-signals");
}
