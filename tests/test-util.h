/* Minimal assertion helpers for Solace's C tests: each failed check prints where and why, and the
 * test exits non-zero at the end. */
#ifndef SOLACE_TEST_UTIL_H
#define SOLACE_TEST_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "solace.h"

static int test_failures = 0;

/* Fails the test if cond is false. */
#define TEST_ASSERT(cond, ...)                                                                     \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);                     \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fputc('\n', stderr);                                                                         \
      test_failures++;                                                                             \
    }                                                                                              \
  } while (0)

/* Fails the test (and returns from main) if a Solace call does not succeed. */
#define TEST_CALL(expr)                                                                            \
  do {                                                                                             \
    int test_status_ = (expr);                                                                     \
    if (test_status_ != SOLACE_SUCCESS) {                                                          \
      fprintf(stderr, "%s:%d: %s returned %s: %s\n", __FILE__, __LINE__, #expr,                    \
              solace_status_string(test_status_), solace_error_message());                         \
      return 1;                                                                                    \
    }                                                                                              \
  } while (0)

/* Checks that a Solace call fails with the expected code and leaves a message. */
#define TEST_FAILS_WITH(expr, code)                                                                \
  do {                                                                                             \
    int test_status_ = (expr);                                                                     \
    TEST_ASSERT(test_status_ == (code), "%s returned %s, expected %s (%s)", #expr,                 \
                solace_status_string(test_status_), solace_status_string(code),                    \
                solace_error_message());                                                           \
    TEST_ASSERT(solace_error_message()[0] != '\0', "%s left no error message", #expr);             \
  } while (0)

/* Checks |a - b| <= tol. */
#define TEST_NEAR(a, b, tol)                                                                       \
  TEST_ASSERT(fabs((double)(a) - (double)(b)) <= (tol), "%s = %.17g, %s = %.17g, tol %.3g", #a,    \
              (double)(a), #b, (double)(b), (double)(tol))

/* Prints the verdict and gives main's return value. */
static inline int test_finish(const char *name) {
  if (test_failures)
    fprintf(stderr, "%s: %d check(s) failed\n", name, test_failures);
  else
    printf("%s: passed\n", name);
  return test_failures ? 1 : 0;
}

/* One named case of a test program that runs a single case per ctest entry. */
typedef struct {
  const char *name;
  int (*run)(void); /* non-zero: stop, counted as a failure */
} test_case;

/* main() of such a program: initializes Solace, runs the case named by argv[1], finalizes and
 * gives the exit status; an unknown name fails with the list of known ones. */
static inline int test_run_case(int argc, char **argv, const char *program, const test_case *cases,
                                int count) {
  const char *which = argc > 1 ? argv[1] : "";
  TEST_CALL(solace_initialize(&argc, &argv));
  int k = 0;
  while (k < count && strcmp(which, cases[k].name)) k++;
  if (k == count) {
    fprintf(stderr, "%s: unknown case '%s'; known:", program, which);
    for (int j = 0; j < count; j++) fprintf(stderr, " %s", cases[j].name);
    fputc('\n', stderr);
    test_failures++;
  } else if (cases[k].run() && !test_failures) {
    test_failures++;
  }
  TEST_CALL(solace_finalize());
  return test_finish(program);
}

#endif
