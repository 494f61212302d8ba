/* Message passing on forest blocks: when the block's nodes induce a forest in the graph of Q,
 * Q_bb d = r is solved in O(|b| + edges) by eliminating leaves towards the roots of a
 * breadth-first order and substituting back from the roots. */
#include "solvers/bcd/bcd-impl.h"

#include <stdlib.h>

/* Elimination state: local position of each variable, BFS order, parents and edge weights. */
typedef struct {
  int64_t *pos, *order, *parent;
  double *diag, *w, *rhs;
} forest;

static void forest_free(forest *f) {
  free(f->order), free(f->parent), free(f->diag), free(f->w), free(f->rhs);
}

static int forest_alloc(int64_t nb, forest *f) {
  SolaceCall(SolaceCalloc(nb, &f->order));
  SolaceCall(SolaceCalloc(nb, &f->parent));
  SolaceCall(SolaceCalloc(nb, &f->diag));
  SolaceCall(SolaceCalloc(nb, &f->w));
  SolaceCall(SolaceCalloc(nb, &f->rhs));
  return SOLACE_SUCCESS;
}

/* Breadth-first order of every tree; fails on a cycle (a visited non-parent neighbour). */
static int traverse(const int64_t *qptr, const int64_t *qind, const double *qval, int64_t nb,
                    const int64_t *idx, forest *f) {
  int64_t tail = 0;
  for (int64_t a = 0; a < nb; a++) f->parent[a] = -2; /* unvisited */
  for (int64_t root = 0; root < nb; root++) {
    if (f->parent[root] != -2) continue;
    int64_t head = tail;
    f->parent[root] = -1, f->order[tail++] = root;
    while (head < tail) {
      int64_t a = f->order[head++], v = idx[a];
      for (int64_t p = qptr[v]; p < qptr[v + 1]; p++) {
        int64_t b = f->pos[qind[p]];
        if (b < 0 || b == a) {
          if (b == a) f->diag[a] += qval[p];
          continue;
        }
        if (b == f->parent[a]) continue;
        SolaceCheck(f->parent[b] == -2, SOLACE_ERR_ARG,
                    "block is not a forest: variables %lld and %lld close a cycle", (long long)v,
                    (long long)qind[p]);
        f->parent[b] = a, f->w[b] = qval[p], f->order[tail++] = b;
      }
    }
  }
  return SOLACE_SUCCESS;
}

/* Leaves to roots: folds each node into its parent; roots to leaves: back substitution. */
static void eliminate(int64_t nb, forest *f, double *d) {
  for (int64_t k = nb - 1; k >= 0; k--) {
    int64_t a = f->order[k], p = f->parent[a];
    if (p < 0) continue;
    double ratio = f->w[a] / f->diag[a];
    f->diag[p] -= ratio * f->w[a];
    f->rhs[p] -= ratio * f->rhs[a];
  }
  for (int64_t k = 0; k < nb; k++) {
    int64_t a = f->order[k], p = f->parent[a];
    d[a] = (f->rhs[a] - (p >= 0 ? f->w[a] * d[p] : 0)) / f->diag[a];
  }
}

int bcd_forest_solve(int64_t *pos, const int64_t *qptr, const int64_t *qind, const double *qval,
                     int64_t nb, const int64_t *idx, const double *r, double *d) {
  forest f = {0};
  int status = forest_alloc(nb, &f);
  f.pos = pos;
  for (int64_t a = 0; !status && a < nb; a++) f.pos[idx[a]] = a, f.rhs[a] = r[a];
  if (!status) status = traverse(qptr, qind, qval, nb, idx, &f);
  for (int64_t a = 0; !status && a < nb; a++)
    if (!(f.diag[a] > 0))
      status = solace_error_set(SOLACE_ERR_ARG, __func__, "Q(%lld, %lld) = %g is not positive",
                                (long long)idx[a], (long long)idx[a], f.diag[a]);
  if (!status) eliminate(nb, &f, d);
  for (int64_t a = 0; f.order && a < nb; a++) pos[idx[a]] = -1;
  forest_free(&f);
  return status;
}
