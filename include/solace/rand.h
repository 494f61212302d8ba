/**
 * @file rand.h
 * @brief Reproducible random numbers and Gaussian random fields.
 *
 * Random numbers come from the counter-based Philox4x32-10 generator: the value drawn at
 * position `offset` of stream `stream` under key `seed` is a pure function of those three
 * numbers. Sample i of a dataset draws from stream i, so its random input never depends on the
 * number of MPI ranks or the order in which samples are solved.
 */
#ifndef SOLACE_RAND_H
#define SOLACE_RAND_H

#include "solace/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Fills out[0..n-1] with U(0,1) values (never 0 or 1): positions offset..offset+n-1 of a stream.
 */
SOLACE_EXPORT int solace_rand_uniform(uint64_t seed, uint64_t stream, uint64_t offset, int64_t n,
                                      double *out);

/**
 * Fills out[0..n-1] with N(0,1) values: the normal at position q is Box-Muller of the uniforms at
 * positions 2*floor(q/2) and 2*floor(q/2)+1 (cosine for even q, sine for odd q). Normals and
 * uniforms of the same (seed, stream) share those positions: draw them from disjoint ranges.
 */
SOLACE_EXPORT int solace_rand_normal(uint64_t seed, uint64_t stream, uint64_t offset, int64_t n,
                                     double *out);

/** Opaque Gaussian-random-field sampler (holds FFTW plans for one grid). */
typedef struct solace_grf_s *solace_grf;

/**
 * Creates a sampler of zero-mean Gaussian random fields on the periodic unit cube
 * [0,1)^ndim sampled at shape[0] x ... points, with covariance
 * sigma^2 (-Laplacian + tau^2)^(-alpha), sigma = tau^(alpha - ndim/2) (the neural-operator
 * convention; SKR's Darcy data use alpha = 2.5, tau = 7). The constant mode is removed.
 * @param ndim 1 to 3; @param shape grid sizes, each >= 2; @param alpha > ndim/2; @param tau > 0.
 */
SOLACE_EXPORT int solace_grf_create(int ndim, const int64_t *shape, double alpha, double tau,
                                    solace_grf *grf);

/**
 * Draws field number `index` under `seed` into field (natural order, x fastest). It uses the
 * normals at positions 0..N-1 of stream `index` (N grid points): a family that draws more random
 * numbers for the same sample uses positions >= N.
 */
SOLACE_EXPORT int solace_grf_sample(solace_grf grf, uint64_t seed, uint64_t index, double *field);

/** Writes the covariance eigenvalue of any integer wavenumber k[0..ndim-1] (0 for k = 0). */
SOLACE_EXPORT int solace_grf_eigenvalue(solace_grf grf, const int64_t *k, double *lambda);

/** Releases the sampler and sets *grf to NULL; accepts NULL. */
SOLACE_EXPORT int solace_grf_destroy(solace_grf *grf);

#ifdef __cplusplus
}
#endif
#endif
