/* Internal pieces of SKR's sorting, exposed for the tests. */
#ifndef SOLACE_SKR_SORT_IMPL_H
#define SOLACE_SKR_SORT_IMPL_H

#include "solace-impl.h"

/* Hilbert-curve index of a point with `ndim` coordinates of `bits` bits each (ndim * bits <= 64);
 * consecutive indices are cells that share a face. `coords` is overwritten. */
SOLACE_INTERN uint64_t solace_hilbert_key(uint32_t *coords, int ndim, int bits);

#endif
