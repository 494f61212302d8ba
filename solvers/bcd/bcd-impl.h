/* Internal state of the BCD solver (solace_bcd) and the interfaces between its files:
 * partitions, selection, updates, forest solves, the main loop. Not installed. */
#ifndef SOLACE_BCD_IMPL_H
#define SOLACE_BCD_IMPL_H

#include "operators/objectives/bcd-objective.h"
#include "solace/bcd.h"

/* Blocks as a CSR-like list: block q holds idx[ptr[q] .. ptr[q + 1] - 1]. */
typedef struct {
  int64_t count, *ptr, *idx;
} bcd_blocks;

struct solace_bcd_s {
  bcd_objective *obj;
  int penalty;
  double lambda;
  int partition, rule, update, working_set;
  int64_t tau, max_iter, lattice[2];
  double tol;
  uint64_t seed;
  double *x0;
  /* set up by a solve */
  bcd_blocks blocks; /* fixed partitions */
  double *Lb;        /* lambda_max(M_bb) per fixed block */
  double *Ladapt;    /* adaptive estimates per fixed block (one for variable blocks) */
  double *chol;      /* GSQ: Cholesky factors of M_bb, block q at cholptr[q] */
  int64_t *cholptr;
  double *rowsum, iht_mu, l1, F0;
  int forest; /* blocks induce forests of Q: Newton by elimination */
  /* result */
  double *x, *hist_f, *hist_gap, *hist_t;
  int64_t iters, settled, support;
  int solved;
};

/* The work of one iteration: the block, its gradient and step, scratch. */
typedef struct {
  int64_t nb, block, cap;
  int64_t *idx;
  double *g, *d, *H, *score, *xt;
  int64_t *order;
} bcd_work;

/* Partitions (bcd-partition.c). */
SOLACE_INTERN int bcd_partition_fixed(solace_bcd s, bcd_blocks *blocks);
SOLACE_INTERN void bcd_blocks_free(bcd_blocks *blocks);
SOLACE_INTERN int bcd_partition_is_forest(int partition);
/* Variable forest block grown by descending score over the graph of Q (TREE partition). */
SOLACE_INTERN int bcd_tree_block(solace_bcd s, const double *score, bcd_work *w);
/* Indices of the tau largest scores into w->idx (w->nb = tau). */
SOLACE_INTERN int bcd_top_scores(int64_t n, const double *score, int64_t tau, bcd_work *w);

/* Selection (bcd-select.c): fills w->idx / w->nb / w->block for iteration it. */
SOLACE_INTERN int bcd_select(solace_bcd s, int64_t it, bcd_work *w);
/* Effective gradients e_i = L_i (x_i - prox(x_i - g_i / L_i)) from the full gradient. */
SOLACE_INTERN void bcd_effective_gradient(solace_bcd s, double *e);
/* Block-level setup of the rules: Lb, Cholesky factors for GSQ, IHT step. */
SOLACE_INTERN int bcd_select_setup(solace_bcd s);

/* Updates (bcd-update.c): the step d of the selected block; applies it. */
SOLACE_INTERN int bcd_step(solace_bcd s, bcd_work *w);
/* prox of the penalty with threshold t at v. */
SOLACE_INTERN double bcd_prox(int penalty, double v, double t);
/* The largest eigenvalue of the nb x nb symmetric matrix M (destroyed). */
SOLACE_INTERN int bcd_lambda_max(int64_t nb, double *M, double *lmax);
/* Solves the SPD system M d = r (nb x nb, M overwritten by its factor) with a tiny ridge. */
SOLACE_INTERN int bcd_spd_solve(int64_t nb, double *M, double *r);

/* Forest solves (bcd-forest.c): solves Q_bb d = r by elimination on the forest induced by
 * the block in the graph of Q (CSR qptr/qind/qval); SOLACE_ERR_ARG if it is not a forest.
 * pos: n entries, all -1 (scratch, restored). */
SOLACE_INTERN int bcd_forest_solve(int64_t *pos, const int64_t *qptr, const int64_t *qind,
                                   const double *qval, int64_t nb, const int64_t *idx,
                                   const double *r, double *d);

/* Working-set proximal coordinate descent for L1 problems (bcd-workingset.c). */
SOLACE_INTERN int bcd_solve_working_set(solace_bcd s);

/* Releases what a solve set up and its result (bcd.c). */
SOLACE_INTERN void bcd_release(solace_bcd s);

/* Shared by the solve loops (bcd-solve.c). */
SOLACE_INTERN int bcd_gap(solace_bcd s, double *gap);
SOLACE_INTERN void bcd_record(solace_bcd s, int64_t it, double gap, double t0);
SOLACE_INTERN void bcd_apply_l1(solace_bcd s, int64_t it, int64_t nb, const int64_t *idx,
                                const double *d);

#endif
