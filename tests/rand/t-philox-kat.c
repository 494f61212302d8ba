/* Philox4x32-10 against Random123's published known-answer vectors (tests/kat_vectors, the three
 * "philox4x32 10" lines), and the documented stream layout built on it: block p/2, lane p%2, the
 * bits-to-(0,1) map and Box-Muller. The generator is integer arithmetic: exact equality. */
#include "test-util.h"

#include <stdint.h>
#include <string.h>

#include "rand/rand-impl.h"

#define TWO_PI 6.283185307179586476925286766559

/* One Random123 known answer: counter, key, expected output. */
struct kat {
  uint32_t ctr[4], key[2], expected[4];
};

static const struct kat kats[] = {
    {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
     {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
     {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};

/* Checks the raw block function against the known answers, bit for bit. */
static void check_known_answers(void) {
  for (size_t v = 0; v < sizeof kats / sizeof kats[0]; v++) {
    uint32_t out[4];
    solace_philox4x32_10(kats[v].ctr, kats[v].key, out);
    for (int w = 0; w < 4; w++)
      TEST_ASSERT(out[w] == kats[v].expected[w], "vector %zu word %d: %08x, expected %08x", v, w,
                  out[w], kats[v].expected[w]);
  }
}

/* Recomputes the two 64-bit words of block `block` of (seed, stream) from the raw function. */
static void block_words(uint64_t seed, uint64_t stream, uint64_t block, uint64_t w[2]) {
  uint32_t ctr[4] = {(uint32_t)block, (uint32_t)(block >> 32), (uint32_t)stream,
                     (uint32_t)(stream >> 32)};
  uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
  uint32_t x[4];
  solace_philox4x32_10(ctr, key, x);
  w[0] = (uint64_t)x[0] | (uint64_t)x[1] << 32;
  w[1] = (uint64_t)x[2] | (uint64_t)x[3] << 32;
}

/* Checks solace_rand_uniform/normal at position p against the layout; exact for uniform, a few
 * ulps of the radius for normal (libm cos/sin/log and the compiler's evaluation order). */
static int check_position(uint64_t seed, uint64_t stream, uint64_t p) {
  uint64_t w[2];
  block_words(seed, stream, p / 2, w);
  double u, z, u0 = solace_philox_unit(w[0]), u1 = solace_philox_unit(w[1]);
  TEST_CALL(solace_rand_uniform(seed, stream, p, 1, &u));
  TEST_ASSERT(u == (p % 2 ? u1 : u0), "uniform at p = %llu: %.17g", (unsigned long long)p, u);
  double r = sqrt(-2.0 * log(u0));
  double expected = p % 2 ? r * sin(TWO_PI * u1) : r * cos(TWO_PI * u1);
  TEST_CALL(solace_rand_normal(seed, stream, p, 1, &z));
  TEST_NEAR(z, expected, 8 * 2.2e-16 * r);
  return 0;
}

/* Checks the bits-to-double map at its extremes: strictly inside (0,1), exactly (k + 1/2) 2^-52. */
static void check_unit_map(void) {
  TEST_ASSERT(solace_philox_unit(0) == 0x1p-53, "unit(0) = %a", solace_philox_unit(0));
  TEST_ASSERT(solace_philox_unit(UINT64_MAX) == 1.0 - 0x1p-53, "unit(max) = %a",
              solace_philox_unit(UINT64_MAX));
  TEST_ASSERT(solace_philox_unit(UINT64_MAX) < 1.0, "unit(max) is not below 1");
  TEST_ASSERT(solace_philox_unit((uint64_t)5 << 12 | 0xfff) == 5.5 * 0x1p-52, "unit(5 << 12)");
}

/* Known answers, then the layout at assorted seeds, streams and positions (wrapping ones too). */
int main(void) {
  check_known_answers();
  check_unit_map();
  const uint64_t seeds[] = {0, 42, 0x243f6a8885a308d3ull, UINT64_MAX};
  const uint64_t streams[] = {0, 7, 0x13198a2e03707344ull, UINT64_MAX};
  const uint64_t positions[] = {0, 1, 2, 3, 1001, 0x100000000ull, 0xfffffffffull, UINT64_MAX};
  for (int s = 0; s < 4; s++)
    for (int p = 0; p < 8; p++)
      if (check_position(seeds[s], streams[(s + p) % 4], positions[p])) return 1;
  return test_finish("rand-philox-kat");
}
