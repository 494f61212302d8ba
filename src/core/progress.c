/* Progress reporter for long loops: done/total, rate and ETA on stderr. */
#include "solace-impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct solace_progress_s {
  char label[64];
  char note[128];
  int64_t total, start_done, done;
  int mode;
  double interval, start_time, last_print;
  int printed_redraw;
};

int solace_progress_create(const char *label, int64_t total, int64_t already_done,
                           solace_progress *progress) {
  SolaceCheckNotNull(progress);
  *progress = NULL;
  SolaceCheck(total >= 0, SOLACE_ERR_ARG, "total = %lld is negative", (long long)total);
  SolaceCheck(already_done >= 0 && already_done <= total, SOLACE_ERR_ARG,
              "already_done = %lld is not in [0, total = %lld]", (long long)already_done,
              (long long)total);
  solace_progress p;
  SolaceCall(SolaceCalloc(1, &p));
  snprintf(p->label, sizeof p->label, "%s", label ? label : "progress");
  p->total = total;
  p->start_done = p->done = already_done;
  p->mode = isatty(STDERR_FILENO) ? SOLACE_PROGRESS_REDRAW : SOLACE_PROGRESS_LINES;
  p->interval = 10.0;
  p->start_time = p->last_print = solace_wtime();
  *progress = p;
  return SOLACE_SUCCESS;
}

int solace_progress_set_mode(solace_progress p, int mode, double interval) {
  SolaceCheckNotNull(p);
  SolaceCheck(mode >= SOLACE_PROGRESS_AUTO && mode <= SOLACE_PROGRESS_SILENT, SOLACE_ERR_ARG,
              "mode %d is not a solace_progress_mode", mode);
  SolaceCheck(isfinite(interval) && interval >= 0, SOLACE_ERR_ARG,
              "interval %g must be finite and >= 0", interval);
  if (mode == SOLACE_PROGRESS_AUTO)
    mode = isatty(STDERR_FILENO) ? SOLACE_PROGRESS_REDRAW : SOLACE_PROGRESS_LINES;
  p->mode = mode;
  p->interval = interval;
  return SOLACE_SUCCESS;
}

/* Formats a duration as 42s, 3m07s or 5h02m. */
static void format_duration(double seconds, char *out, size_t size) {
  if (!isfinite(seconds) || seconds < 0) {
    snprintf(out, size, "?");
    return;
  }
  long s = lround(seconds);
  if (s < 60)
    snprintf(out, size, "%lds", s);
  else if (s < 3600)
    snprintf(out, size, "%ldm%02lds", s / 60, s % 60);
  else
    snprintf(out, size, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
}

static void print_line(solace_progress p, int final) {
  double elapsed = solace_wtime() - p->start_time;
  double rate = elapsed > 0 ? (double)(p->done - p->start_done) / elapsed : 0.0;
  char eta[32], took[32];
  format_duration(rate > 0 ? (double)(p->total - p->done) / rate : NAN, eta, sizeof eta);
  format_duration(elapsed, took, sizeof took);
  double percent = p->total > 0 ? 100.0 * (double)p->done / (double)p->total : 100.0;
  const char *lead = p->mode == SOLACE_PROGRESS_REDRAW ? "\r\033[K" : "";
  fprintf(stderr, "%s%s: %lld/%lld (%.1f%%) %.3g/s %s %s%s%s", lead, p->label, (long long)p->done,
          (long long)p->total, percent, rate, final ? "elapsed" : "ETA", final ? took : eta,
          p->note[0] ? " " : "", p->note);
  if (p->mode == SOLACE_PROGRESS_LINES || final) fputc('\n', stderr);
  fflush(stderr);
}

int solace_progress_update(solace_progress p, int64_t done, const char *note) {
  SolaceCheckNotNull(p);
  SolaceCheck(done >= 0 && done <= p->total, SOLACE_ERR_ARG,
              "done = %lld is not in [0, total = %lld]", (long long)done, (long long)p->total);
  p->done = done;
  snprintf(p->note, sizeof p->note, "%s", note ? note : "");
  if (p->mode == SOLACE_PROGRESS_SILENT) return SOLACE_SUCCESS;
  double now = solace_wtime();
  double gap = p->mode == SOLACE_PROGRESS_REDRAW ? 0.1 : p->interval;
  if (now - p->last_print < gap && done < p->total) return SOLACE_SUCCESS;
  p->last_print = now;
  print_line(p, 0);
  return SOLACE_SUCCESS;
}

int solace_progress_finish(solace_progress p) {
  SolaceCheckNotNull(p);
  if (p->mode != SOLACE_PROGRESS_SILENT) print_line(p, 1);
  return SOLACE_SUCCESS;
}

int solace_progress_destroy(solace_progress *progress) {
  if (progress) {
    free(*progress);
    *progress = NULL;
  }
  return SOLACE_SUCCESS;
}
