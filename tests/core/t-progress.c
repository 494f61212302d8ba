/* The progress reporter's stderr output in each mode, resumed runs, bad arguments and destroy. */
#define _POSIX_C_SOURCE 200809L /* dup, dup2, fileno, nanosleep */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test-capture.h"
#include "test-util.h"

/* One parsed line "label: done/total (pct%) rate/s ETA|elapsed time [note]". */
struct line {
  char label[64], word[16], time[16], note[32];
  long long done, total;
  double percent, rate;
};

/* Parses the line starting at *text and advances past its newline; returns 0 if none is left. */
static int next_line(const char **text, struct line *l) {
  const char *end = strchr(*text, '\n');
  if (!end) return 0;
  memset(l, 0, sizeof *l);
  int n = sscanf(*text, "%63[^:]: %lld/%lld (%lf%%) %lf/s %15s %15s %31[^\n]", l->label, &l->done,
                 &l->total, &l->percent, &l->rate, l->word, l->time, l->note);
  *text = end + 1;
  return n >= 7;
}

static void sleep_seconds(double s) {
  struct timespec t = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
  nanosleep(&t, NULL);
}

/* LINES with interval 0: one line per update, then a final line with the elapsed time. */
static void check_lines_mode(void) {
  solace_progress p = NULL;
  struct capture c;
  char text[1024];
  const char *cursor = text;
  struct line l;
  capture_begin(&c);
  solace_progress_create("gen", 10, 0, &p);
  solace_progress_set_mode(p, SOLACE_PROGRESS_LINES, 0.0);
  solace_progress_update(p, 3, NULL);
  solace_progress_update(p, 7, "res=1e-8");
  solace_progress_finish(p);
  solace_progress_destroy(&p);
  capture_end(&c, text, sizeof text);
  TEST_ASSERT(next_line(&cursor, &l) && !strcmp(l.label, "gen") && l.done == 3 && l.total == 10 &&
                  l.percent == 30.0 && !strcmp(l.word, "ETA"),
              "first line of \"%s\"", text);
  TEST_ASSERT(next_line(&cursor, &l) && l.done == 7 && l.percent == 70.0 &&
                  !strcmp(l.word, "ETA") && !strcmp(l.note, "res=1e-8"),
              "second line of \"%s\"", text);
  TEST_ASSERT(next_line(&cursor, &l) && l.done == 7 && !strcmp(l.word, "elapsed"),
              "final line of \"%s\"", text);
  TEST_ASSERT(*cursor == '\0', "extra output \"%s\"", cursor);
  TEST_ASSERT(!strncmp(text, "gen: 3/10 (30.0%) ", 18), "first line \"%s\"", text);
}

/* SILENT writes nothing at all. */
static void check_silent_mode(void) {
  solace_progress p = NULL;
  struct capture c;
  char text[256];
  capture_begin(&c);
  solace_progress_create("quiet", 5, 0, &p);
  solace_progress_set_mode(p, SOLACE_PROGRESS_SILENT, 0.0);
  for (int i = 1; i <= 5; i++) solace_progress_update(p, i, "x");
  solace_progress_finish(p);
  solace_progress_destroy(&p);
  capture_end(&c, text, sizeof text);
  TEST_ASSERT(text[0] == '\0', "SILENT wrote \"%s\"", text);
}

/* REDRAW starts every write with a carriage return and ends only the final one with a newline. */
static void check_redraw_mode(void) {
  solace_progress p = NULL;
  struct capture c;
  char text[512];
  capture_begin(&c);
  solace_progress_create("draw", 4, 0, &p);
  solace_progress_set_mode(p, SOLACE_PROGRESS_REDRAW, 0.0);
  solace_progress_update(p, 4, NULL); /* the last unit is always drawn */
  solace_progress_finish(p);
  solace_progress_destroy(&p);
  capture_end(&c, text, sizeof text);
  const char *second = strchr(text + 1, '\r'), *newline = strchr(text, '\n');
  TEST_ASSERT(text[0] == '\r' && second && strstr(text, "draw: 4/4 (100.0%)"), "wrote \"%s\"",
              text);
  TEST_ASSERT(second && newline > second && newline[1] == '\0' && strstr(second, "elapsed"),
              "final redraw of \"%s\"", text);
}

/* AUTO on a stderr that is not a terminal (here a file) writes plain lines, never "\r". */
static void check_auto_mode(void) {
  solace_progress p = NULL;
  struct capture c;
  char text[512];
  capture_begin(&c);
  solace_progress_create("auto", 2, 0, &p);
  solace_progress_set_mode(p, SOLACE_PROGRESS_AUTO, 0.0);
  solace_progress_update(p, 1, NULL);
  solace_progress_finish(p);
  solace_progress_destroy(&p);
  capture_end(&c, text, sizeof text);
  TEST_ASSERT(!strchr(text, '\r') && !strncmp(text, "auto: 1/2 (50.0%) ", 18) &&
                  strstr(text, "\nauto: 1/2 (50.0%) "),
              "AUTO wrote \"%s\"", text);
}

/* A run resumed at 4/10 shows 4/10 first, and its rate counts only the units done since. */
static void check_resumed(void) {
  solace_progress p = NULL;
  struct capture c;
  char text[1024];
  const char *cursor = text;
  struct line first, second;
  const double pause = 0.3;
  capture_begin(&c);
  double t0 = solace_wtime();
  solace_progress_create("resume", 10, 4, &p);
  solace_progress_set_mode(p, SOLACE_PROGRESS_LINES, 0.0);
  solace_progress_update(p, 4, NULL);
  sleep_seconds(pause);
  solace_progress_update(p, 6, NULL);
  double t1 = solace_wtime();
  solace_progress_destroy(&p);
  capture_end(&c, text, sizeof text);
  TEST_ASSERT(next_line(&cursor, &first) && first.done == 4 && first.total == 10 &&
                  first.percent == 40.0 && first.rate == 0.0,
              "first line of \"%s\"", text);
  /* 2 new units in an elapsed time between `pause` and t1 - t0 (rate printed to 3 digits). */
  TEST_ASSERT(next_line(&cursor, &second) && second.done == 6 &&
                  second.rate >= 0.995 * 2 / (t1 - t0) && second.rate <= 1.005 * 2 / pause,
              "rate %g not in [%g, %g] in \"%s\"", second.rate, 2 / (t1 - t0), 2 / pause, text);
}

/* Invalid arguments are SOLACE_ERR_ARG and leave no reporter behind. */
static void check_bad_arguments(void) {
  solace_progress p = NULL;
  TEST_FAILS_WITH(solace_progress_create("t", -1, 0, &p), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_progress_create("t", 10, 11, &p), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_progress_create("t", 10, -1, &p), SOLACE_ERR_ARG);
  TEST_ASSERT(p == NULL, "a failed create left a handle");
  TEST_ASSERT(solace_progress_create("t", 10, 0, &p) == SOLACE_SUCCESS, "create failed");
  TEST_FAILS_WITH(solace_progress_update(p, 11, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_progress_update(p, -1, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_progress_set_mode(p, 4, 1.0), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_progress_set_mode(p, -1, 1.0), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_progress_set_mode(p, SOLACE_PROGRESS_LINES, NAN), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_progress_set_mode(p, SOLACE_PROGRESS_LINES, INFINITY), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_progress_set_mode(p, SOLACE_PROGRESS_LINES, -1.0), SOLACE_ERR_ARG);
  solace_progress_destroy(&p);
}

/* destroy accepts NULL and a NULL handle, and nulls a live handle. */
static void check_destroy(void) {
  solace_progress p = NULL;
  TEST_ASSERT(solace_progress_destroy(NULL) == SOLACE_SUCCESS, "destroy(NULL) failed");
  TEST_ASSERT(solace_progress_destroy(&p) == SOLACE_SUCCESS && !p, "destroy(&NULL) failed");
  TEST_ASSERT(solace_progress_create(NULL, 1, 0, &p) == SOLACE_SUCCESS && p, "create failed");
  TEST_ASSERT(solace_progress_destroy(&p) == SOLACE_SUCCESS && !p, "handle not nulled");
}

int main(void) {
  check_lines_mode();
  check_silent_mode();
  check_redraw_mode();
  check_auto_mode();
  check_resumed();
  check_bad_arguments();
  check_destroy();
  return test_finish("core-progress");
}
