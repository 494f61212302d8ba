/* Internal state of the DCDM solver (KSP type "dcdm", Kaneda et al., ICML 2023): the last k
 * search directions and their images, the direction map (identity or a DCDM network read from a
 * weights file) and the grid the network sees. */
#ifndef SOLACE_DCDM_IMPL_H
#define SOLACE_DCDM_IMPL_H

#include "solace/petsc.h"

#include "nn/nn.h"

#include <petsc/private/kspimpl.h>
#include <petscdmda.h>

#if defined(PETSC_USE_COMPLEX)
#error "the dcdm KSP supports real PETSc builds only"
#endif

/* The architecture of a DCDM network, as passed to solace_nn_net_create_dcdm() and stored in
 * the root attributes dcdm_ndim, dcdm_channels, dcdm_fine, dcdm_coarse, dcdm_after,
 * dcdm_levels, dcdm_bias_free, dcdm_tied, dcdm_level_gain and dcdm_linear_up of a DCDM weights
 * file (a file without dcdm_levels has one coarse level, one without dcdm_bias_free has biases,
 * one without dcdm_tied is untied, one without dcdm_level_gain has gain 1, one without
 * dcdm_linear_up upsamples to the nearest cell, one without dcdm_max_levels has no depth cap, one
 * without dcdm_deflate_block was trained without deflation). */
typedef struct {
  int ndim;         /* 2 or 3 */
  int64_t channels; /* >= 1 */
  int fine, coarse, after;
  int levels;    /* coarse levels, 1..SOLACE_NN_DCDM_MAX_LEVELS; grid sizes divisible by 2^levels */
  int bias_free; /* 1: every bias is zero and stays zero in training, so f(a r) = a f(r) for
                    a > 0 (ReLU and the linear layers are positively homogeneous) */
  int tied;      /* 1: the levels share their parameters (solace_nn_net_create_dcdm_tied) and the
                    number of levels follows the grid (solace_dcdm_grid_levels); `levels` is then
                    the depth the network was last built for (in a file: its training grid's) */
  int level_gain; /* 1..64: every upsampling multiplies by it (solace_nn_net_set_upsample_gain) */
  int linear_up;  /* 1: linear upsampling (solace_nn_net_set_upsample_linear), 0: nearest */
  int max_levels; /* tied: most levels it is built with on any grid, 0: no cap */
  int deflate_block; /* trained for subdomain deflation with blocks of this many cells (the
                        dcdm KSP's default -ksp_dcdm_deflate_block), 0: without */
} solace_dcdm_arch;

/* Smallest coarsest-level size per dimension that solace_dcdm_grid_levels() goes down to. */
#define SOLACE_DCDM_TIED_COARSEST 4

/* The depth of a tied network on a grid of `ndim` sizes: the most levels L <= the maximum with
 * every size divisible by 2^L and at least SOLACE_DCDM_TIED_COARSEST * 2^L, but at least 1
 * (every size even: SOLACE_ERR_ARG otherwise). 32^2 -> 3, 64^2 -> 4, ..., 512^2 -> 7. */
SOLACE_INTERN int solace_dcdm_grid_levels(int ndim, const int64_t *grid, int *levels);

/* Builds the network of `arch` (solace_nn_net_create_dcdm). */
SOLACE_INTERN int solace_dcdm_net_create(const solace_dcdm_arch *arch, solace_nn_net *net);

/* Writes a DCDM weights file: the weights of `net` (solace_nn_net_save) plus the root attributes
 * of `arch`; `path` is replaced atomically. `net` must have been built from `arch`. */
SOLACE_INTERN int solace_dcdm_net_save(solace_nn_net net, const solace_dcdm_arch *arch,
                                       const char *path);

/* Reads a DCDM weights file: its architecture attributes, then builds the network and loads its
 * weights (shapes checked). Missing file: SOLACE_ERR_IO; missing or bad attributes, or weights of
 * other shapes: SOLACE_ERR_FORMAT. On failure *net is NULL. arch may be NULL. */
SOLACE_INTERN int solace_dcdm_net_load(const char *path, solace_dcdm_arch *arch,
                                       solace_nn_net *net);

/* solace_dcdm_net_load for a grid of `ndim` sizes: a tied network is built with the grid's
 * depth (solace_dcdm_grid_levels), capped at max_levels when that is > 0, else at the file's
 * dcdm_max_levels when that is > 0; any other as its file says. A grid of another dimension than
 * the network's, or one a tied network cannot pool, leaves the file's depth for the caller's own
 * checks to refuse. */
SOLACE_INTERN int solace_dcdm_net_load_for_grid(const char *path, int ndim, const int64_t *grid,
                                                int max_levels, solace_dcdm_arch *arch,
                                                solace_nn_net *net);

/* A subdomain deflation space (dcdm-deflate.c): Z, the indicators of the fluid cells of blocks
 * of b^ndim cells, E = Z^T A Z and its direct coarse solver, for one operator A. */
typedef struct {
  PetscInt block;          /* b, 0: not built */
  PetscInt size;           /* columns of Z (0: no fluid cell, nothing to deflate) */
  Mat Z, E;                /* n x m block indicators; Z^T A Z */
  KSP coarse;              /* solves with E */
  Vec zt, zc, work, work2; /* coarse right-hand side and solution; fine work vectors */
  PetscObjectId id;        /* the operator it was built for, and its state */
  PetscObjectState state;
} solace_dcdm_deflation;

/* Builds the deflation space of blocks of b cells for A on the grid nx x ny x nz (grid[2] = 1 in
 * 2-D) whose local rows are in the DMDA box (xs, ys, zs, xm, ym, zm) or, box NULL, in the
 * natural order; solid[] marks the local rows to leave out. The coarse solver reads the options
 * under `prefix` (NULL: none). Collective. */
PETSC_INTERN PetscErrorCode SolaceDCDMDeflationBuild(Mat A, const PetscInt grid[3],
                                                     const PetscInt *box, const PetscBool *solid,
                                                     PetscInt b, const char *prefix,
                                                     solace_dcdm_deflation *df);

/* *current: df was built for A's id and state. */
PETSC_INTERN PetscErrorCode SolaceDCDMDeflationIsCurrent(const solace_dcdm_deflation *df, Mat A,
                                                         PetscBool *current);

/* Frees the space and zeroes *df. */
PETSC_INTERN PetscErrorCode SolaceDCDMDeflationDestroy(solace_dcdm_deflation *df);

/* x += Z E^-1 Z^T r (no-op for an empty space). */
PETSC_INTERN PetscErrorCode SolaceDCDMDeflationCorrect(solace_dcdm_deflation *df, Vec r, Vec x);

/* q -= Z E^-1 Z^T A q (P q): q becomes A-orthogonal to range(Z). */
PETSC_INTERN PetscErrorCode SolaceDCDMDeflationProject(solace_dcdm_deflation *df, Mat A, Vec q);

/* g -= A Z E^-1 Z^T g (P^T g): the transpose of SolaceDCDMDeflationProject, and the residual of
 * the coarse correction of g (Z^T g becomes 0). */
PETSC_INTERN PetscErrorCode SolaceDCDMDeflationProjectTranspose(solace_dcdm_deflation *df, Mat A,
                                                                Vec g);

typedef struct {
  PetscInt directions;    /* k: previous directions kept (>= 1) */
  char *weights;          /* weights file, NULL: identity direction map */
  PetscInt grid_user[3];  /* -ksp_dcdm_grid nx, ny[, nz]; 0: unset */
  PetscInt grid_user_dim; /* 0 (unset), 2 or 3 */
  PetscInt grid[3];       /* grid in effect: nx, ny, nz (nz = 1 in 2D) */
  PetscInt grid_dim;      /* 2 or 3; 0 when no grid is known */
  PetscBool grid_from_dm; /* the grid came from a DMDA */
  PetscInt max_levels;    /* -ksp_dcdm_max_levels: cap on a tied network's depth, 0: none */
  solace_nn_net net;      /* the network, NULL in identity mode */
  solace_dcdm_arch arch;  /* its architecture */
  solace_nn_tensor input; /* borrowed view of `in` shaped [1, 1, (nz,) ny, nx] */
  PetscScalar *in;        /* network input buffer (the whole grid; empty on ranks > 0) */
  PetscBool *solid;       /* local rows holding only a diagonal entry (network mode) */
  PetscScalar *diag;      /* their diagonal entries */
  PetscInt nsolid;        /* number of local solid rows */
  PetscObjectId mask_id;  /* operator for which `solid` was computed */
  PetscObjectState mask_state;
  PetscInt n, nlocal, rstart; /* matrix size at setup, local rows and the first of them */
  /* several ranks: the network runs on rank 0 on the gathered grid (natural ordering) */
  PetscMPIInt rank, size;
  Vec natural;       /* a DMDA's natural-ordered vector (NULL for a bare Mat: already natural) */
  VecScatter gather; /* natural-ordered vector -> `gathered` on rank 0 */
  Vec gathered;      /* the whole grid on rank 0, empty elsewhere */
  /* work vectors (ksp->work): r, w, then P[0..k] and AP[0..k]; slot k is the spare */
  Vec r, w, *P, *AP;
  PetscReal *pAp, *dots;           /* p_i . A p_i of the stored directions; scratch of k */
  PetscInt deflate_block;          /* -ksp_dcdm_deflate_block b: blocks of b^ndim cells, 0: off,
                                      -1 (unset): the network file's dcdm_deflate_block */
  PetscInt block;                  /* the deflation block in effect (set up by KSPSetUp) */
  solace_dcdm_deflation deflation; /* built at the first solve with each operator */
} KSP_DCDM;

/* A dcdm KSP for the sequential matrix A on an nx x ny (x nz) grid (grid[2] read only for ndim
 * 3), weights NULL or "" for the identity map, stopping on the true relative residual rtol or
 * after max_it iterations; the options database is not read. */
PETSC_INTERN PetscErrorCode SolaceDCDMCreateKSP(Mat A, const char *weights, int ndim,
                                                const int64_t *grid, double rtol, int64_t max_it,
                                                KSP *ksp);

/* ||b - A x|| / ||b|| (||b - A x|| when b = 0), computed afresh. */
PETSC_INTERN PetscErrorCode SolaceDCDMRelativeResidual(Mat A, Vec b, Vec x, double *residual);

/* Builds the KSP's deflation space for A (-ksp_dcdm_deflate_block) unless built for A's id and
 * state already; needs the grid and the solid cells (d->solid). */
PETSC_INTERN PetscErrorCode SolaceDCDMDeflationSetUp(KSP ksp, Mat A);

/* The KSP constructor, registered by SolacePetscRegisterAll(). */
PETSC_INTERN PetscErrorCode SolaceKSPCreate_DCDM(KSP ksp);

/* Solves one system (KSPSolve's ops->solve), dcdm-solve.c. */
PETSC_INTERN PetscErrorCode SolaceKSPSolve_DCDM(KSP ksp);

#endif
