/**
 * @file generate.h
 * @brief Batch generation of a neural-operator dataset: draw, solve and store every sample.
 *
 * A generator solves samples 0..count-1 of a PDE family (solace_pde) in the order written to
 * `/order`, and writes each one to the HDF5 store (store.h) as soon as it is solved, so an
 * interrupted run resumes without redoing or losing samples.
 *
 * Under MPI with more than one rank, solace_generate_run() is collective on MPI_COMM_WORLD. If
 * the family is not distributed (the default), each rank solves whole systems on its own: dealt
 * round-robin, or, with the SKR solver or a warm start, in contiguous chunks of the solve order
 * so that each rank's systems are neighbours (each rank has its own recycle space). Rank 0 writes
 * them all. The file holds the same samples whatever the number of ranks. If the family is
 * distributed, every system is solved by all ranks together, in the solve order.
 */
#ifndef SOLACE_GENERATE_H
#define SOLACE_GENERATE_H

#include "solace/base.h"
#include "solace/pde.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque handle of a dataset-generation job. */
typedef struct solace_generate_s *solace_generate;

/** Creates a job for `count` samples of `pde` drawn under `seed`; the job borrows `pde`. */
SOLACE_EXPORT int solace_generate_create(solace_pde pde, int64_t count, uint64_t seed,
                                         solace_generate *gen);

/** Sets the output file and a ::solace_store_mode (create, overwrite or resume). */
SOLACE_EXPORT int solace_generate_set_output(solace_generate gen, const char *path, int mode);

/** Sets how progress is reported (a ::solace_progress_mode; default AUTO, on rank 0 only). */
SOLACE_EXPORT int solace_generate_set_progress(solace_generate gen, int mode);

/**
 * Sets how a new file's samples are ordered before solving (a ::solace_skr_sort_method of
 * skr.h; default NONE, the index order): the samples are drawn, sorted by their input fields and
 * parameters, and the order is written to `/order` with the attributes `sort` and
 * `sort_seconds`. A resumed file keeps the order it was created with. Sorting needs
 * count x (grid points + nparams) doubles of memory on rank 0.
 */
SOLACE_EXPORT int solace_generate_set_sort(solace_generate gen, int method);

/**
 * Sets the deflate level (1 to 9, default 4) at which the finished file is compressed, or 0 to
 * leave it uncompressed. While samples are being written the file is never compressed (see
 * solace_store_compress()); the compressed copy replaces it atomically at the end of the run.
 */
SOLACE_EXPORT int solace_generate_set_compression(solace_generate gen, int level);

/** How the job solves its systems. */
enum solace_generate_solver {
  SOLACE_GENERATE_SOLVER_FAMILY = 0, /**< the family's default KSP and PC (and PETSc options) */
  SOLACE_GENERATE_SOLVER_SKR = 1     /**< GCRO-DR(40, 20) (KSP type "gcrodr" of petsc.h), right
                                          preconditioned with the family's PC, its recycle space
                                          carried from each system to the next in solve order */
};

/**
 * Sets the solver (a ::solace_generate_solver; default FAMILY). SKR configures the pde's KSP as
 * GCRO-DR; PETSc options (-ksp_gcrodr_restart, -ksp_gcrodr_recycle, -pc_type, -ksp_rtol, ...)
 * still apply. Pair it with a sort (solace_generate_set_sort()) so that neighbours are similar.
 */
SOLACE_EXPORT int solace_generate_set_solver(solace_generate gen, int solver);

/**
 * With on = 1, the initial guess of each system is the solution of the system the same rank
 * solved just before it (its neighbour in the solve order); after a solve that did not converge
 * the next guess is zero. Default 0: zero initial guess (the SKR paper's setting).
 */
SOLACE_EXPORT int solace_generate_set_warm_start(solace_generate gen, int on);

/**
 * With on = 1, a sample whose solve stops short of its tolerance (::SOLACE_ERR_NOT_CONVERGED)
 * is still written, with its last iterate and its true residual in `/stats/residual`, and the
 * run goes on; solace_generate_get_unconverged() counts them. Default 0: the run stops at such
 * a sample with ::SOLACE_ERR_NOT_CONVERGED (the samples written before it stay, for -resume).
 * A sample whose residual is not finite always stops the run.
 */
SOLACE_EXPORT int solace_generate_set_keep_unconverged(solace_generate gen, int on);

/** Writes the number of samples the last run kept although they missed their tolerance. */
SOLACE_EXPORT int solace_generate_get_unconverged(solace_generate gen, int64_t *count);

/** Draws, solves and stores every sample not yet on disk. */
SOLACE_EXPORT int solace_generate_run(solace_generate gen);

/**
 * Writes the figures of the last run: samples solved by it, samples found already done (resume),
 * mean KSP iterations and mean seconds per solve over the samples it solved, and wall seconds.
 * Any pointer may be NULL.
 */
SOLACE_EXPORT int solace_generate_get_summary(solace_generate gen, int64_t *solved,
                                              int64_t *skipped, double *mean_iterations,
                                              double *mean_seconds, double *wall_seconds);

/** Releases the job (not the pde) and sets *gen to NULL; accepts NULL. */
SOLACE_EXPORT int solace_generate_destroy(solace_generate *gen);

#ifdef __cplusplus
}
#endif
#endif
