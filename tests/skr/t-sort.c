/* SKR sorting. Greedy nearest neighbour: recovers a shuffled 1-D sequence exactly, and equals a
 * brute-force greedy computed here independently on random features. Hilbert: a permutation
 * starting at system 0 whose path is within 1.5x the greedy path and far shorter than the
 * shuffled one. Bad input gets SOLACE_ERR_ARG. */
#include <string.h>

#include "test-util.h"

/* A smooth curve through R^dim: the features of a system with parameter t in [0, 1]. */
static void curve_point(double t, int64_t dim, double *f) {
  for (int64_t r = 0; r < dim; r++) f[r] = sin(3.0 * t * (1 + r % 5) + 0.1 * r) + t * (r % 3);
}

/* Features of n systems at shuffled parameters; system 0 has t = 0. Returns t of each system. */
static double *shuffled_curve(int64_t n, int64_t dim, double **features) {
  double *t = malloc(sizeof(double) * n);
  *features = malloc(sizeof(double) * n * dim);
  for (int64_t i = 0; i < n; i++) t[i] = (double)i / (n - 1);
  uint64_t state = 12345;
  for (int64_t i = n - 1; i > 1; i--) { /* Fisher-Yates with a fixed LCG, keeping t[0] = 0 */
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    int64_t j = 1 + (int64_t)((state >> 33) % (uint64_t)i);
    double swap = t[i];
    t[i] = t[j], t[j] = swap;
  }
  for (int64_t i = 0; i < n; i++) curve_point(t[i], dim, *features + i * dim);
  return t;
}

/* Brute-force greedy nearest neighbour with exact distances. */
static void brute_greedy(const double *f, int64_t n, int64_t dim, int64_t *order) {
  char *used = calloc((size_t)n, 1);
  order[0] = 0, used[0] = 1;
  for (int64_t k = 1; k < n; k++) {
    double best = INFINITY;
    for (int64_t j = 0; j < n; j++) {
      if (used[j]) continue;
      double d = 0;
      for (int64_t r = 0; r < dim; r++) d += pow(f[j * dim + r] - f[order[k - 1] * dim + r], 2);
      if (d < best) best = d, order[k] = j;
    }
    used[order[k]] = 1;
  }
  free(used);
}

/* Greedy on a shuffled curve visits the systems in increasing t. */
static int check_recovers_sequence(void) {
  enum { N = 300, DIM = 40 };
  double *f, *t = shuffled_curve(N, DIM, &f);
  int64_t order[N];
  TEST_CALL(solace_skr_sort(f, N, DIM, SOLACE_SKR_SORT_GREEDY, order));
  int monotone = 1;
  for (int k = 0; k + 1 < N; k++) monotone &= t[order[k + 1]] > t[order[k]];
  TEST_ASSERT(monotone && order[0] == 0, "greedy did not recover the 1-D sequence");
  free(f), free(t);
  return 0;
}

/* Greedy equals the brute-force greedy on random features (no near ties). */
static int check_against_brute_force(void) {
  enum { N = 200, DIM = 13 };
  double f[N * DIM];
  int64_t order[N], reference[N];
  TEST_CALL(solace_rand_uniform(5, 0, 0, N * DIM, f));
  TEST_CALL(solace_skr_sort(f, N, DIM, SOLACE_SKR_SORT_GREEDY, order));
  brute_greedy(f, N, DIM, reference);
  TEST_ASSERT(!memcmp(order, reference, sizeof order), "greedy differs from the brute force");
  return 0;
}

/* True if order is a permutation of 0..n-1. */
static int is_permutation(const int64_t *order, int64_t n) {
  char *seen = calloc((size_t)n, 1);
  int ok = 1;
  for (int64_t k = 0; k < n && ok; k++) ok = order[k] >= 0 && order[k] < n && !seen[order[k]]++;
  free(seen);
  return ok;
}

/* Hilbert keeps neighbours close on a curve in 4096 dimensions (the projection path). */
static int check_hilbert(void) {
  enum { N = 3000, DIM = 4096 };
  double *f, *t = shuffled_curve(N, DIM, &f), greedy_len, hilbert_len, shuffled_len;
  int64_t *order = malloc(sizeof(int64_t) * N), *identity = malloc(sizeof(int64_t) * N);
  for (int64_t i = 0; i < N; i++) identity[i] = i;
  TEST_CALL(solace_skr_sort(f, N, DIM, SOLACE_SKR_SORT_HILBERT, order));
  TEST_ASSERT(is_permutation(order, N) && order[0] == 0, "not a permutation from system 0");
  TEST_CALL(solace_skr_path_length(f, N, DIM, order, &hilbert_len));
  TEST_CALL(solace_skr_path_length(f, N, DIM, identity, &shuffled_len));
  TEST_CALL(solace_skr_sort(f, N, DIM, SOLACE_SKR_SORT_GREEDY, order));
  TEST_CALL(solace_skr_path_length(f, N, DIM, order, &greedy_len));
  printf("path length: shuffled %.1f, greedy %.1f, hilbert %.1f\n", shuffled_len, greedy_len,
         hilbert_len);
  TEST_ASSERT(hilbert_len <= 1.5 * greedy_len, "hilbert path %.1f vs greedy %.1f", hilbert_len,
              greedy_len);
  TEST_ASSERT(hilbert_len <= 0.05 * shuffled_len, "hilbert path %.1f vs shuffled %.1f", hilbert_len,
              shuffled_len);
  free(f), free(t), free(order), free(identity);
  return 0;
}

/* Bad input is refused with a message. */
static int check_bad_input(void) {
  double f[6] = {1, 2, 3, 4, 5, 6};
  int64_t order[3];
  TEST_FAILS_WITH(solace_skr_sort(f, 0, 2, SOLACE_SKR_SORT_GREEDY, order), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_skr_sort(f, 3, 0, SOLACE_SKR_SORT_GREEDY, order), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_skr_sort(NULL, 3, 2, SOLACE_SKR_SORT_GREEDY, order), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_skr_sort(f, 3, 2, SOLACE_SKR_SORT_GREEDY, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_skr_sort(f, 3, 2, 17, order), SOLACE_ERR_ARG);
  f[4] = NAN;
  TEST_FAILS_WITH(solace_skr_sort(f, 3, 2, SOLACE_SKR_SORT_AUTO, order), SOLACE_ERR_ARG);
  f[4] = 5;
  TEST_CALL(solace_skr_sort(f, 1, 6, SOLACE_SKR_SORT_HILBERT, order));
  TEST_ASSERT(order[0] == 0, "one system");
  TEST_CALL(solace_skr_sort(f, 3, 2, SOLACE_SKR_SORT_NONE, order));
  TEST_ASSERT(order[0] == 0 && order[1] == 1 && order[2] == 2, "NONE is not the identity");
  return 0;
}

int main(void) {
  if (check_recovers_sequence() || check_against_brute_force() || check_hilbert() ||
      check_bad_input())
    return 1;
  return test_finish("skr-sort");
}
