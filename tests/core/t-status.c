#define _POSIX_C_SOURCE 200809L /* pthread_barrier_t */
/* Status codes have distinct fixed names, the version matches the headers, error messages are
 * per thread and name the function and the bad value, and NULL arguments are argument errors. */
#include <limits.h>
#include <pthread.h>
#include <string.h>

#include "solace-impl.h"
#include <cblas.h>

#include "test-util.h"

/* Each code with the name the ABI documents for it. */
static const struct {
  int code;
  const char *name;
} known[] = {
    {SOLACE_SUCCESS, "SOLACE_SUCCESS"},
    {SOLACE_ERR_ARG, "SOLACE_ERR_ARG"},
    {SOLACE_ERR_MEM, "SOLACE_ERR_MEM"},
    {SOLACE_ERR_IO, "SOLACE_ERR_IO"},
    {SOLACE_ERR_NOT_CONVERGED, "SOLACE_ERR_NOT_CONVERGED"},
    {SOLACE_ERR_BACKEND, "SOLACE_ERR_BACKEND"},
    {SOLACE_ERR_STATE, "SOLACE_ERR_STATE"},
    {SOLACE_ERR_FORMAT, "SOLACE_ERR_FORMAT"},
    {SOLACE_ERR_UNSUPPORTED, "SOLACE_ERR_UNSUPPORTED"},
};
enum { n_known = sizeof known / sizeof known[0] };

/* Every code is named as documented, the names are distinct, unknown codes share one name. */
static void check_status_names(void) {
  for (int i = 0; i < n_known; i++) {
    const char *name = solace_status_string(known[i].code);
    TEST_ASSERT(name && !strcmp(name, known[i].name), "code %d: got %s, expected %s", known[i].code,
                name ? name : "NULL", known[i].name);
    for (int j = 0; j < i; j++)
      TEST_ASSERT(strcmp(name, solace_status_string(known[j].code)) != 0,
                  "codes %d and %d share the name %s", known[i].code, known[j].code, name);
  }
  const int unknown[] = {1, 42, -9, -100, INT_MIN, INT_MAX};
  for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
    const char *name = solace_status_string(unknown[i]);
    TEST_ASSERT(name && !strcmp(name, "SOLACE_ERR_UNKNOWN"), "code %d: got %s", unknown[i],
                name ? name : "NULL");
  }
}

/* The library reports the version the headers were built with. */
static void check_version(void) {
  int major = -1, minor = -1, patch = -1;
  TEST_ASSERT(solace_version(&major, &minor, &patch) == SOLACE_SUCCESS, "solace_version failed");
  TEST_ASSERT(major == SOLACE_VERSION_MAJOR && minor == SOLACE_VERSION_MINOR &&
                  patch == SOLACE_VERSION_PATCH,
              "library %d.%d.%d, headers %d.%d.%d", major, minor, patch, SOLACE_VERSION_MAJOR,
              SOLACE_VERSION_MINOR, SOLACE_VERSION_PATCH);
}

/* BLAS threads: at least one; the setting takes (OpenBLAS reports it back). */
static void check_blas_threads(void) {
  TEST_FAILS_WITH(solace_set_blas_threads(0), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_set_blas_threads(-3), SOLACE_ERR_ARG);
  TEST_ASSERT(solace_set_blas_threads(1) == SOLACE_SUCCESS, "%s", solace_error_message());
  TEST_ASSERT(openblas_get_num_threads() == 1, "OpenBLAS runs %d threads",
              openblas_get_num_threads());
}

/* What one thread saw: the status of its failing call and a copy of its message afterwards. */
struct thread_result {
  int status;
  char message[512];
};

static pthread_barrier_t barrier;

/* Fails, waits until the other thread has failed too, then copies its own message. */
static void finish_thread(struct thread_result *r, int status) {
  r->status = status;
  pthread_barrier_wait(&barrier);
  snprintf(r->message, sizeof r->message, "%s", solace_error_message());
}

static void *fail_log_level(void *arg) {
  finish_thread(arg, solace_log_set_level(99));
  return NULL;
}

static void *fail_progress_total(void *arg) {
  solace_progress p = NULL;
  finish_thread(arg, solace_progress_create("t", -7, 0, &p));
  solace_progress_destroy(&p);
  return NULL;
}

/* A message contains the function's name and the offending value, and no trace of the other. */
static void check_message(const struct thread_result *r, const char *func, const char *value,
                          const char *other_func) {
  TEST_ASSERT(r->status == SOLACE_ERR_ARG, "%s returned %s", func, solace_status_string(r->status));
  TEST_ASSERT(strstr(r->message, func), "message \"%s\" does not name %s", r->message, func);
  TEST_ASSERT(strstr(r->message, value), "message \"%s\" does not give %s", r->message, value);
  TEST_ASSERT(!strstr(r->message, other_func), "message \"%s\" is the other thread's", r->message);
}

/* Two threads fail differently at the same time; each sees its own message only. */
static void check_thread_local_messages(void) {
  struct thread_result a = {0}, b = {0};
  pthread_t ta, tb;
  pthread_barrier_init(&barrier, NULL, 2);
  pthread_create(&ta, NULL, fail_log_level, &a);
  pthread_create(&tb, NULL, fail_progress_total, &b);
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
  pthread_barrier_destroy(&barrier);
  check_message(&a, "solace_log_set_level", "99", "solace_progress_create");
  check_message(&b, "solace_progress_create", "-7", "solace_log_set_level");
  TEST_ASSERT(solace_error_message()[0] == '\0', "main thread got \"%s\"", solace_error_message());
}

/* A call given a NULL pointer fails with SOLACE_ERR_ARG and a message naming the function. */
static void check_null(int status, const char *func) {
  TEST_ASSERT(status == SOLACE_ERR_ARG, "%s returned %s", func, solace_status_string(status));
  TEST_ASSERT(strstr(solace_error_message(), func) && strstr(solace_error_message(), "NULL"),
              "message \"%s\" does not name %s and NULL", solace_error_message(), func);
  solace_error_clear(); /* so that the next call must write its own message */
}

/* Every pointer argument of the core rejects NULL. */
static void check_null_arguments(void) {
  int x = 0;
  check_null(solace_version(NULL, &x, &x), "solace_version");
  check_null(solace_version(&x, NULL, &x), "solace_version");
  check_null(solace_version(&x, &x, NULL), "solace_version");
  check_null(solace_initialized(NULL), "solace_initialized");
  check_null(solace_log_get_level(NULL), "solace_log_get_level");
  check_null(solace_progress_create("t", 1, 0, NULL), "solace_progress_create");
  check_null(solace_progress_set_mode(NULL, SOLACE_PROGRESS_LINES, 1.0),
             "solace_progress_set_mode");
  check_null(solace_progress_update(NULL, 0, NULL), "solace_progress_update");
  check_null(solace_progress_finish(NULL), "solace_progress_finish");
}

int main(void) {
  check_status_names();
  check_version();
  check_blas_threads();
  check_thread_local_messages();
  check_null_arguments();
  return test_finish("core-status");
}
