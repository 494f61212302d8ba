/* Block partitions: fixed blocks of size tau by order, by L_i (sorted, "avg") or by Hessian
 * row sums; forest partitions of the graph of Q (red-black, two combs, greedy forests); the
 * variable blocks of the greedy rules (top-tau scores, greedy forest growth). */
#include "solvers/bcd/bcd-impl.h"

#include <stdlib.h>
#include <string.h>

void bcd_blocks_free(bcd_blocks *blocks) {
  free(blocks->ptr), free(blocks->idx);
  memset(blocks, 0, sizeof(*blocks));
}

int bcd_partition_is_forest(int partition) {
  return partition == SOLACE_BCD_PART_REDBLACK || partition == SOLACE_BCD_PART_COMB ||
         partition == SOLACE_BCD_PART_FOREST || partition == SOLACE_BCD_PART_TREE;
}

/* A coordinate and its sort key (qsort has no context argument: the key travels along). */
typedef struct {
  double key;
  int64_t index;
} keyed;

static int by_key(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  return x->index < y->index ? -1 : 1;
}

/* order[0..n-1] = the coordinates sorted by ascending sign * key[i] (ties by index). */
static int sort_by(int64_t n, const double *key, double sign, int64_t *order) {
  keyed *pairs;
  SolaceCall(SolaceCalloc(n, &pairs));
  for (int64_t i = 0; i < n; i++) pairs[i].key = sign * key[i], pairs[i].index = i;
  qsort(pairs, (size_t)n, sizeof(keyed), by_key);
  for (int64_t i = 0; i < n; i++) order[i] = pairs[i].index;
  free(pairs);
  return SOLACE_SUCCESS;
}

/* Chops the ordered coordinates into blocks of tau (the last may be shorter). */
static int chop(int64_t n, int64_t tau, int64_t *order, bcd_blocks *blocks) {
  blocks->count = (n + tau - 1) / tau;
  blocks->idx = order;
  SolaceCall(SolaceCalloc(blocks->count + 1, &blocks->ptr));
  for (int64_t q = 0; q <= blocks->count; q++) blocks->ptr[q] = q * tau < n ? q * tau : n;
  return SOLACE_SUCCESS;
}

/* Interleaves the sorted order: smallest, largest, second smallest, ... ("avg"). */
static int interleave(int64_t n, int64_t *order) {
  int64_t *out;
  SolaceCall(SolaceCalloc(n, &out));
  for (int64_t a = 0, lo = 0, hi = n - 1; a < n; a++) out[a] = a % 2 ? order[hi--] : order[lo++];
  memcpy(order, out, (size_t)n * sizeof(int64_t));
  free(out);
  return SOLACE_SUCCESS;
}

/* Fixed blocks of tau coordinates from an ordering. */
static int sized_blocks(solace_bcd s, bcd_blocks *blocks) {
  bcd_objective *o = s->obj;
  int64_t n = o->n, *order;
  SolaceCall(SolaceCalloc(n, &order));
  for (int64_t i = 0; i < n; i++) order[i] = i;
  int status = SOLACE_SUCCESS;
  if (s->partition == SOLACE_BCD_PART_SORT || s->partition == SOLACE_BCD_PART_AVG)
    status = sort_by(n, o->L, 1.0, order);
  else if (s->partition == SOLACE_BCD_PART_ROWSUM)
    status = sort_by(n, s->rowsum, 1.0, order);
  if (!status && s->partition == SOLACE_BCD_PART_AVG) status = interleave(n, order);
  if (!status) status = chop(n, s->tau, order, blocks);
  if (status) free(order), blocks->idx = NULL;
  return status;
}

/* Groups the coordinates by colour[i] in 0..ncolours-1 into one block per colour. */
static int colour_blocks(int64_t n, const int *colour, int ncolours, bcd_blocks *blocks) {
  blocks->count = ncolours;
  SolaceCall(SolaceCalloc(ncolours + 1, &blocks->ptr));
  SolaceCall(SolaceCalloc(n, &blocks->idx));
  for (int64_t i = 0; i < n; i++) blocks->ptr[colour[i] + 1]++;
  for (int c = 0; c < ncolours; c++) blocks->ptr[c + 1] += blocks->ptr[c];
  int64_t fill[64] = {0};
  for (int64_t i = 0; i < n; i++) blocks->idx[blocks->ptr[colour[i]] + fill[colour[i]]++] = i;
  return SOLACE_SUCCESS;
}

/* Two-colours the graph of Q by breadth-first search; fails if it is not bipartite. */
static int red_black(bcd_objective *o, int *colour) {
  int64_t n = o->n, *queue;
  SolaceCall(SolaceCalloc(n, &queue));
  for (int64_t i = 0; i < n; i++) colour[i] = -1;
  int status = SOLACE_SUCCESS;
  for (int64_t root = 0; root < n && !status; root++) {
    if (colour[root] >= 0) continue;
    int64_t head = 0, tail = 0;
    colour[root] = 0, queue[tail++] = root;
    while (head < tail && !status) {
      int64_t v = queue[head++];
      for (int64_t p = o->qptr[v]; p < o->qptr[v + 1]; p++) {
        int64_t u = o->qind[p];
        if (u == v) continue;
        if (colour[u] < 0)
          colour[u] = 1 - colour[v], queue[tail++] = u;
        else if (colour[u] == colour[v])
          status = solace_error_set(SOLACE_ERR_ARG, "red_black",
                                    "the graph is not bipartite (edge %lld - %lld)", (long long)v,
                                    (long long)u);
      }
    }
  }
  free(queue);
  return status;
}

/* Two combs of a lattice: the even rows plus column 0 form one tree, the rest of the odd rows
 * a set of paths. */
static int combs(solace_bcd s, int *colour) {
  bcd_objective *o = s->obj;
  SolaceCheck(s->lattice[1] >= 2, SOLACE_ERR_STATE,
              "the comb partition needs a lattice (solace_bcd_set_lattice)");
  for (int64_t v = 0; v < o->n; v++) {
    int64_t row = o->node[v] / s->lattice[1], col = o->node[v] % s->lattice[1];
    colour[v] = (row % 2 == 0 || col == 0) ? 0 : 1;
  }
  return SOLACE_SUCCESS;
}

/* Union-find root with path halving. */
static int64_t find(int64_t *parent, int64_t v) {
  while (parent[v] != v) parent[v] = parent[parent[v]], v = parent[v];
  return v;
}

/* Adds v to the forest of nodes with in_block[] == tag if its in-block neighbours lie in
 * distinct trees; joins those trees. Returns 1 if added. */
static int try_add(const bcd_objective *o, int64_t v, int64_t *in_block, int64_t tag,
                   int64_t *parent, int64_t *roots) {
  int64_t count = 0;
  for (int64_t p = o->qptr[v]; p < o->qptr[v + 1]; p++) {
    int64_t u = o->qind[p];
    if (u == v || in_block[u] != tag) continue;
    int64_t r = find(parent, u);
    for (int64_t a = 0; a < count; a++)
      if (roots[a] == r) return 0;
    roots[count++] = r;
  }
  in_block[v] = tag, parent[v] = v;
  for (int64_t a = 0; a < count; a++) parent[roots[a]] = v;
  return 1;
}

/* Scratch of the greedy forest growth. */
typedef struct {
  int64_t *in_block, *parent, *roots;
} forest_scratch;

static int scratch_alloc(int64_t n, forest_scratch *f) {
  SolaceCall(SolaceCalloc(n, &f->in_block));
  SolaceCall(SolaceCalloc(n, &f->parent));
  SolaceCall(SolaceCalloc(n, &f->roots));
  for (int64_t i = 0; i < n; i++) f->in_block[i] = -1;
  return SOLACE_SUCCESS;
}

static void scratch_free(forest_scratch *f) {
  free(f->in_block), free(f->parent), free(f->roots);
}

/* Greedy forest partition: passes over the unassigned nodes, each pass growing one forest
 * block of at most tau nodes. */
static int greedy_forests(solace_bcd s, bcd_blocks *blocks) {
  bcd_objective *o = s->obj;
  int64_t n = o->n, done = 0;
  forest_scratch f = {0};
  int status = scratch_alloc(n, &f);
  if (!status) status = SolaceCalloc(n + 1, &blocks->ptr);
  if (!status) status = SolaceCalloc(n, &blocks->idx);
  for (int64_t q = 0; !status && done < n; q++) {
    int64_t size = 0;
    for (int64_t v = 0; v < n && size < s->tau; v++)
      if (f.in_block[v] < 0 && try_add(o, v, f.in_block, q, f.parent, f.roots))
        blocks->idx[done + size++] = v;
    done += size;
    blocks->ptr[q + 1] = done, blocks->count = q + 1;
  }
  scratch_free(&f);
  return status;
}

int bcd_partition_fixed(solace_bcd s, bcd_blocks *blocks) {
  bcd_objective *o = s->obj;
  int p = s->partition;
  if (p <= SOLACE_BCD_PART_ROWSUM) return sized_blocks(s, blocks);
  SolaceCheck(o->problem == SOLACE_BCD_QUADRATIC, SOLACE_ERR_UNSUPPORTED,
              "forest partitions need a quadratic (graph) problem");
  if (p == SOLACE_BCD_PART_FOREST) return greedy_forests(s, blocks);
  int *colour;
  SolaceCall(SolaceCalloc(o->n, &colour));
  int status = p == SOLACE_BCD_PART_REDBLACK ? red_black(o, colour) : combs(s, colour);
  if (!status) status = colour_blocks(o->n, colour, 2, blocks);
  free(colour);
  return status;
}

int bcd_tree_block(solace_bcd s, const double *score, bcd_work *w) {
  bcd_objective *o = s->obj;
  int64_t n = o->n;
  SolaceCall(sort_by(n, score, -1.0, w->order)); /* descending scores */
  forest_scratch f = {0};
  int status = scratch_alloc(n, &f);
  w->nb = 0;
  for (int64_t a = 0; !status && a < n && w->nb < s->tau; a++)
    if (try_add(o, w->order[a], f.in_block, 0, f.parent, f.roots)) w->idx[w->nb++] = w->order[a];
  scratch_free(&f);
  return status;
}

/* Quickselect: moves the k largest scores' indices to order[0..k-1]. */
static void select_top(int64_t *order, int64_t lo, int64_t hi, int64_t k, const double *score) {
  while (hi > lo) {
    double pivot = score[order[(lo + hi) / 2]];
    int64_t i = lo, j = hi;
    while (i <= j) {
      while (score[order[i]] > pivot) i++;
      while (score[order[j]] < pivot) j--;
      if (i <= j) {
        int64_t t = order[i];
        order[i++] = order[j], order[j--] = t;
      }
    }
    if (k <= j)
      hi = j;
    else if (k >= i)
      lo = i;
    else
      return;
  }
}

int bcd_top_scores(int64_t n, const double *score, int64_t tau, bcd_work *w) {
  for (int64_t i = 0; i < n; i++) w->order[i] = i;
  select_top(w->order, 0, n - 1, tau - 1, score);
  memcpy(w->idx, w->order, (size_t)tau * sizeof(int64_t));
  w->nb = tau;
  return SOLACE_SUCCESS;
}
