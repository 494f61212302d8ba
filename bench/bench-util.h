/* Helpers shared by the C benchmarks: medians and a description of the machine. */
#ifndef SOLACE_BENCH_UTIL_H
#define SOLACE_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int bench_compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median of n values (sorts them in place). */
static double bench_median(double *values, int n) {
  qsort(values, (size_t)n, sizeof(double), bench_compare_doubles);
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

/* Prints cores, CPU model and the BLAS library the process loaded. */
static void bench_print_machine(void) {
  char line[512], model[512] = "unknown", blas[512] = "unknown";
  FILE *f = fopen("/proc/cpuinfo", "r");
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, "model name", 10)) {
      snprintf(model, sizeof model, "%s", strchr(line, ':') + 2);
      model[strcspn(model, "\n")] = 0;
      break;
    }
  if (f) fclose(f);
  f = fopen("/proc/self/maps", "r");
  while (f && fgets(line, sizeof line, f))
    if (strstr(line, "libopenblas") || strstr(line, "libblas")) {
      snprintf(blas, sizeof blas, "%s", strchr(line, '/') ? strchr(line, '/') : line);
      blas[strcspn(blas, "\n")] = 0;
      break;
    }
  if (f) fclose(f);
  printf("machine: %ld cores, %s; BLAS: %s\n", sysconf(_SC_NPROCESSORS_ONLN), model, blas);
}

#endif
