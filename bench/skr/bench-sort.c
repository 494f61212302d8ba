/* SKR sorting on Darcy coefficient fields (64 x 64, a = exp(GRF), alpha 2.5, tau 7): exact greedy
 * against the scalable Hilbert sort, run alternately, median times, and the path length of each
 * order (sum of ||a_{k+1} - a_k||) against the unsorted order. */
#include "bench-util.h"
#include "solace.h"

#include <math.h>

/* Draws `count` Darcy coefficient fields of sample indices 0..count-1 under seed 1. */
static double *darcy_fields(solace_pde pde, int64_t count, int64_t dim) {
  double *fields = malloc(sizeof(double) * (size_t)(count * dim));
  for (int64_t i = 0; fields && i < count; i++)
    if (solace_pde_sample(pde, 1, i, fields + i * dim, NULL)) return free(fields), NULL;
  return fields;
}

/* Times one sort and returns its path length in *length. */
static double time_sort(const double *f, int64_t count, int64_t dim, int method, int64_t *order,
                        double *length) {
  double start = solace_wtime();
  if (solace_skr_sort(f, count, dim, method, order)) return NAN;
  double seconds = solace_wtime() - start;
  solace_skr_path_length(f, count, dim, order, length);
  return seconds;
}

/* One case: reps alternating greedy / hilbert; prints the medians and ratios. */
static void run_case(solace_pde pde, int64_t count, int reps) {
  const int64_t dim = 64 * 64;
  double *f = darcy_fields(pde, count, dim), tg[8], th[8], lg = 0, lh = 0, lu = 0;
  int64_t *order = malloc(sizeof(int64_t) * (size_t)count);
  if (!f || !order) return;
  for (int64_t i = 0; i < count; i++) order[i] = i;
  solace_skr_path_length(f, count, dim, order, &lu);
  for (int r = 0; r < reps; r++) {
    tg[r] = time_sort(f, count, dim, SOLACE_SKR_SORT_GREEDY, order, &lg);
    th[r] = time_sort(f, count, dim, SOLACE_SKR_SORT_HILBERT, order, &lh);
  }
  double mg = bench_median(tg, reps), mh = bench_median(th, reps);
  printf("%7lld %10.3f %10.3f %8.2f %12.3f %12.3f\n", (long long)count, mg, mh, mh / mg, lg / lu,
         lh / lu);
  free(f), free(order);
}

int main(int argc, char **argv) {
  int quick = argc > 1 && !strcmp(argv[1], "-quick");
  solace_pde pde;
  if (solace_initialize(NULL, NULL) || solace_pde_create("darcy", 64, &pde)) {
    fprintf(stderr, "bench-sort: %s\n", solace_error_message());
    return 1;
  }
  bench_print_machine();
  printf("SKR sort of Darcy fields (4096 values each): seconds, and path length / unsorted\n");
  printf("%7s %10s %10s %8s %12s %12s\n", "systems", "greedy s", "hilbert s", "ratio",
         "greedy path", "hilbert path");
  const int64_t counts[] = {200, 1000, 4000};
  for (int c = 0; c < (quick ? 1 : 3); c++) run_case(pde, counts[c], quick ? 1 : 3);
  solace_pde_destroy(&pde);
  solace_finalize();
  return 0;
}
