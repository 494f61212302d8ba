/**
 * @file skr.h
 * @brief SKR: sorting and Krylov subspace recycling for long sequences of related systems.
 *
 * Part 1, available: the sorting step. Systems whose parameters are close have close matrices
 * and solutions, so solving them in an order where neighbours are similar lets a recycled Krylov
 * subspace (GCRO-DR) and a warm start carry over from one to the next.
 */
#ifndef SOLACE_SKR_H
#define SOLACE_SKR_H

#include "solace/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How solace_skr_sort() orders the systems. */
enum solace_skr_sort_method {
  SOLACE_SKR_SORT_NONE = 0,    /**< identity order 0..N-1 */
  SOLACE_SKR_SORT_GREEDY = 1,  /**< exact greedy nearest neighbour from system 0, O(N^2 dim) */
  SOLACE_SKR_SORT_HILBERT = 2, /**< projection + PCA + Hilbert curve + greedy in windows */
  SOLACE_SKR_SORT_AUTO = 3     /**< GREEDY up to 4096 systems, HILBERT beyond */
};

/**
 * Orders `count` systems so that consecutive ones have close features.
 * @param features the features of system i at features[i*dim .. i*dim + dim-1] (a column-major
 *                 dim x count matrix with leading dimension dim), e.g. its coefficient field;
 *                 distances are Euclidean (the Frobenius norm of the field difference); finite
 * @param count    number of systems, >= 1
 * @param dim      features per system, >= 1
 * @param method   a ::solace_skr_sort_method
 * @param[out] order count entries: order[k] is the system solved k-th, a permutation of
 *                   0..count-1 starting with system 0
 *
 * GREEDY starts at system 0 and always moves to the nearest system not yet visited (the SKR
 * paper's method). HILBERT, for 10^4..10^6 systems: features are projected to at most 64
 * dimensions by a fixed Gaussian random projection (distances kept within a few percent), reduced
 * to the principal components (at most 7) that hold 99% of the variance, quantized and ordered
 * along a Hilbert curve in that many dimensions (rotated to start at system 0), then refined by a
 * greedy walk along the curve that moves to the nearest (in projected distance) of the next 2048
 * systems not yet visited; time O(count (64 dim + 2048 * 64 + log count)), memory O(64 count).
 */
SOLACE_EXPORT int solace_skr_sort(const double *features, int64_t count, int64_t dim, int method,
                                  int64_t *order);

/** Writes the length of the path through the features in `order`: sum of ||f_{k+1} - f_k||. */
SOLACE_EXPORT int solace_skr_path_length(const double *features, int64_t count, int64_t dim,
                                         const int64_t *order, double *length);

#ifdef __cplusplus
}
#endif
#endif
