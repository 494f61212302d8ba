/* Internal interface of the random-number module: the raw Philox4x32-10 block function and the
 * bits-to-double conversion, exposed for the known-answer tests. Not installed. */
#ifndef SOLACE_RAND_IMPL_H
#define SOLACE_RAND_IMPL_H

#include "solace-impl.h"

#include <stdint.h>

/* Philox4x32-10 (Salmon et al., SC'11): encrypts counter ctr under key into out (32-bit words
 * in the order of Random123's philox4x32 arrays). */
SOLACE_INTERN void solace_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2],
                                        uint32_t out[4]);

/* Maps 64 random bits to (k + 1/2) 2^-52 with k = bits >> 12: a double strictly inside (0,1). */
SOLACE_INTERN double solace_philox_unit(uint64_t bits);

#endif
