/* Philox4x32-10 counter-based random numbers (Salmon, Moraes, Dror, Shaw, "Parallel random
 * numbers: as easy as 1, 2, 3", SC'11) and the uniform and normal streams built on it.
 *
 * Stream layout. This is the definition every Solace dataset depends on: changing any line of it
 * changes every dataset ever generated.
 *  - key = (seed mod 2^32, seed / 2^32).
 *  - Block b (0 <= b < 2^63) of stream s is the Philox4x32-10 output (x0, x1, x2, x3) for the
 *    counter (b mod 2^32, b / 2^32, s mod 2^32, s / 2^32) under that key.
 *  - Uniform position p (0 <= p < 2^64) is lane h = p mod 2 of block b = p / 2: with the 64 bits
 *    w = x[2h] + 2^32 x[2h+1], u = (floor(w / 2^12) + 1/2) 2^-52, which is exact in double and lies
 *    in [2^-53, 1 - 2^-53]: never 0 or 1. (53-bit values (k + 1/2) 2^-53 would round to 1.0 at the
 *    top, hence 52 bits plus the half.)
 *  - Normal position q uses the two uniforms of block q / 2 (uniform positions 2(q/2) and
 *    2(q/2) + 1), u1 in lane 0 and u2 in lane 1: with r = sqrt(-2 ln u1), the value is
 *    r cos(2 pi u2) for even q and r sin(2 pi u2) for odd q (Box-Muller).
 *  - A call with (offset, n) fills out[i] with position offset + i (mod 2^64), so every call is a
 *    prefix-consistent window of the same infinite sequence.
 */
#include "rand/rand-impl.h"

#include <math.h>
#include <string.h>

#include "solace/rand.h"

#define PHILOX_M0       0xD2511F53u /* multiplier of words 0 */
#define PHILOX_M1       0xCD9E8D57u /* multiplier of words 2 */
#define PHILOX_W0       0x9E3779B9u /* Weyl increment of key word 0 (golden ratio) */
#define PHILOX_W1       0xBB67AE85u /* Weyl increment of key word 1 (sqrt(3) - 1) */
#define PHILOX_ROUNDS   10
#define SOLACE_TWO_PI   6.283185307179586476925286766559
#define SOLACE_2_TO_M52 (1.0 / 4503599627370496.0) /* 2^-52 */

/* One Philox S-box/P-box round on counter c with round key k. */
static void philox_round(uint32_t c[4], const uint32_t k[2]) {
  uint64_t p0 = (uint64_t)PHILOX_M0 * c[0];
  uint64_t p1 = (uint64_t)PHILOX_M1 * c[2];
  uint32_t c1 = c[1], c3 = c[3];
  c[0] = (uint32_t)(p1 >> 32) ^ c1 ^ k[0];
  c[1] = (uint32_t)p1;
  c[2] = (uint32_t)(p0 >> 32) ^ c3 ^ k[1];
  c[3] = (uint32_t)p0;
}

/* Ten rounds, the key bumped by the Weyl increments before every round but the first. */
void solace_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
  uint32_t c[4] = {ctr[0], ctr[1], ctr[2], ctr[3]};
  uint32_t k[2] = {key[0], key[1]};
  for (int r = 0; r < PHILOX_ROUNDS; r++) {
    if (r > 0) {
      k[0] += PHILOX_W0;
      k[1] += PHILOX_W1;
    }
    philox_round(c, k);
  }
  memcpy(out, c, sizeof c);
}

/* Top 52 bits plus a half, times 2^-52: exact, strictly inside (0,1). */
double solace_philox_unit(uint64_t bits) {
  return ((double)(bits >> 12) + 0.5) * SOLACE_2_TO_M52;
}

/* Computes the two uniforms of block `block` of stream `stream` under `seed`. */
static void uniform_block(uint64_t seed, uint64_t stream, uint64_t block, double u[2]) {
  const uint32_t ctr[4] = {(uint32_t)block, (uint32_t)(block >> 32), (uint32_t)stream,
                           (uint32_t)(stream >> 32)};
  const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
  uint32_t x[4];
  solace_philox4x32_10(ctr, key, x);
  u[0] = solace_philox_unit((uint64_t)x[0] | (uint64_t)x[1] << 32);
  u[1] = solace_philox_unit((uint64_t)x[2] | (uint64_t)x[3] << 32);
}

/* Computes the two Box-Muller normals of block `block` (positions 2 block and 2 block + 1). */
static void normal_block(uint64_t seed, uint64_t stream, uint64_t block, double z[2]) {
  double u[2];
  uniform_block(seed, stream, block, u);
  double r = sqrt(-2.0 * log(u[0]));
  z[0] = r * cos(SOLACE_TWO_PI * u[1]);
  z[1] = r * sin(SOLACE_TWO_PI * u[1]);
}

typedef void (*block_fn)(uint64_t seed, uint64_t stream, uint64_t block, double v[2]);

/* Fills out[i] with lane (p mod 2) of block p / 2, p = offset + i, computing each block once. */
static void fill_positions(uint64_t seed, uint64_t stream, uint64_t offset, int64_t n, double *out,
                           block_fn block_values) {
  double v[2] = {0.0, 0.0};
  uint64_t current = 0;
  for (int64_t i = 0; i < n; i++) {
    uint64_t p = offset + (uint64_t)i;
    if (i == 0 || (p >> 1) != current) {
      current = p >> 1;
      block_values(seed, stream, current, v);
    }
    out[i] = v[p & 1u];
  }
}

/* Validates the (n, out) pair of a fill call on behalf of the public function `func`. */
static int check_fill_args(const char *func, int64_t n, const double *out) {
  if (n < 0) return solace_error_set(SOLACE_ERR_ARG, func, "n = %lld is negative", (long long)n);
  if (n > 0 && !out)
    return solace_error_set(SOLACE_ERR_ARG, func, "out is NULL with n = %lld", (long long)n);
  return SOLACE_SUCCESS;
}

/* Uniform positions offset .. offset + n - 1 of (seed, stream). */
int solace_rand_uniform(uint64_t seed, uint64_t stream, uint64_t offset, int64_t n, double *out) {
  int status = check_fill_args(__func__, n, out);
  if (status) return status;
  fill_positions(seed, stream, offset, n, out, uniform_block);
  return SOLACE_SUCCESS;
}

/* Box-Muller normal positions offset .. offset + n - 1 of (seed, stream). */
int solace_rand_normal(uint64_t seed, uint64_t stream, uint64_t offset, int64_t n, double *out) {
  int status = check_fill_args(__func__, n, out);
  if (status) return status;
  fill_positions(seed, stream, offset, n, out, normal_block);
  return SOLACE_SUCCESS;
}
