/* The Hilbert key visits every cell of a 2^bits grid once, and consecutive keys are cells that
 * share a face (Manhattan distance exactly 1): checked exhaustively in 1, 2, 3 and 7 dimensions.
 * Reference: the defining property of the Hilbert curve. */
#include <stdint.h>
#include <stdlib.h>

#include "solvers/skr/sort-impl.h"
#include "test-util.h"

/* Checks the curve on a grid of ndim dimensions with `bits` bits per coordinate. */
static void check_curve(int ndim, int bits) {
  int64_t side = 1 << bits, cells = 1;
  for (int d = 0; d < ndim; d++) cells *= side;
  uint32_t *at = malloc(sizeof(uint32_t) * (size_t)(cells * ndim)); /* cell of each key */
  char *seen = calloc((size_t)cells, 1);
  for (int64_t c = 0; c < cells; c++) {
    uint32_t x[8], copy[8];
    for (int d = 0, rest = (int)c; d < ndim; d++, rest /= (int)side)
      x[d] = copy[d] = (uint32_t)(rest % side);
    uint64_t key = solace_hilbert_key(copy, ndim, bits);
    TEST_ASSERT(key < (uint64_t)cells, "key %llu out of range", (unsigned long long)key);
    if (key >= (uint64_t)cells) break;
    TEST_ASSERT(!seen[key], "key %llu given twice", (unsigned long long)key);
    seen[key] = 1;
    for (int d = 0; d < ndim; d++) at[key * ndim + d] = x[d];
  }
  int bad = 0;
  for (int64_t key = 0; key + 1 < cells; key++) {
    int64_t distance = 0;
    for (int d = 0; d < ndim; d++)
      distance += labs((long)at[(key + 1) * ndim + d] - (long)at[key * ndim + d]);
    bad += distance != 1;
  }
  TEST_ASSERT(bad == 0, "%d of %lld steps in %d-D (%d bits) are not to a neighbouring cell", bad,
              (long long)cells - 1, ndim, bits);
  free(at), free(seen);
}

int main(void) {
  check_curve(1, 6);
  check_curve(2, 1), check_curve(2, 5);
  check_curve(3, 4);
  check_curve(7, 2);
  return test_finish("skr-hilbert");
}
