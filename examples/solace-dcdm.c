/* solace-dcdm: train a DCDM network, or solve obstacle pressure-Poisson systems with it.
 *
 *   solace-dcdm train -ndim 2 -grid 64 -steps 3000 -seed 0 -o dcdm-2d.h5
 *   solace-dcdm solve -weights dcdm-2d.h5 -ndim 2 -n 256 -obstacle blobs -rtol 1e-6
 *
 * train: every option but -o and -help goes to solace_dcdm_train() (docs/dcdm.md lists them).
 * solve: DCDM with the weights against the identity map (which is CG) on one obstacle problem;
 * prints iterations, time and the true relative residual of each. With -deflate_block b both also
 * run with subdomain deflation (the identity map then being deflated CG).
 */
#include "solace.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROGRAM "solace-dcdm"

static void print_usage(void) {
  printf("usage: " PROGRAM " train [training options] [-o FILE]\n"
         "       " PROGRAM " solve [solve options]\n\n"
         "train: trains a DCDM network on Ritz vectors of the training operator, writes weights.\n"
         "  -o FILE                    output weights file (default dcdm.h5)\n"
         "  -ndim D                    2 or 3 (default 2)\n"
         "  -channels C                channels of the hidden convolutions (default 16)\n"
         "  -fine F -coarse K -after A convolutions per level (default 4 6 4, the paper's)\n"
         "  -levels L                  coarse levels, each pooling by 2 again (default 1)\n"
         "  -bias_free B               1: no biases, so f(a r) = a f(r) for a > 0 (default 0)\n"
         "  -tied T                    1: one set of coarse / after blocks for every level, and\n"
         "                             as many levels as each grid allows (default 0)\n"
         "  -tied_depths K             tied: steps cycle through the K deepest depths (default 1)\n"
         "  -level_gain G              every upsampling multiplies by G (default 1)\n"
         "  -linear_up U               1: linear upsampling, 0: nearest (default 0)\n"
         "  -max_levels M              tied: most levels on any grid, kept in the file\n"
         "                             (default 0: as many as the grid allows)\n"
         "  -deflate_block B           train for DCDM with subdomain deflation, blocks of B\n"
         "                             cells per side; kept in the file (default 0: without)\n"
         "  -init FILE                 start from the weights (and architecture) of FILE\n"
         "  -grid N                    training grid, N^ndim cells, N divisible by 2^L\n"
         "                             (default 64)\n"
         "  -obstacle KIND             training operator's obstacles: empty, sphere, blobs\n"
         "                             (default empty)\n"
         "  -obstacle_seed S           seed of the blobs of operator 0 (default 1)\n"
         "  -operators K               training operators, obstacle seeds S..S+K-1 (default 1)\n"
         "  -seed S                    network init, Lanczos start and samples (default 0)\n"
         "  -lanczos M                 Lanczos steps (default 1000, at most the fluid cells)\n"
         "  -low_fraction F            lowest share of the Ritz values weighted (default 0.55)\n"
         "  -low_weight W              their weight (default 9)\n"
         "  -samples S                 data set size, reused cyclically (default 20000)\n"
         "  -steps T                   Adam steps (default 1000)\n"
         "  -batch B                   samples per step (default 10)\n"
         "  -lr L                      Adam learning rate (default 1e-3)\n"
         "  -lr_final L                rate at the last step, exponential decay from -lr\n"
         "                             (default 0: constant -lr)\n"
         "  -checkpoint K              write the file every K steps, 0: at the end (default 100)\n"
         "  -validate_grid N1,N2       held-out problems (up to 4 sizes) solved at every\n"
         "                             checkpoint; FILE gets the best, FILE.latest the last\n"
         "  -validate_seed S           their obstacle and right-hand side seed (default 1000)\n"
         "  -validate_rtol R           their tolerance (default 1e-6)\n"
         "  -validate_max_it M         their iteration limit (default 500)\n"
         "  -max_seconds T             stop after T seconds of wall time, 0: never (default 0)\n"
         "  -progress M                0 auto, 1 redraw, 2 lines, 3 silent (default 0)\n\n"
         "solve: DCDM with a weights file against CG on an obstacle problem.\n"
         "  -weights FILE              DCDM weights file (required)\n"
         "  -ndim D                    2 or 3, the network's dimension (default 2)\n"
         "  -n N                       cells per side, divisible by 2^levels (default 128)\n"
         "  -obstacle KIND             empty, sphere or blobs (default blobs)\n"
         "  -obstacle_seed S           seed of the blobs (default 7)\n"
         "  -rhs_seed S                seed of the right-hand side (default 11)\n"
         "  -rtol R                    relative residual to reach (default 1e-6)\n"
         "  -max_it M                  iteration limit (default 10000)\n"
         "  -directions K              previous directions kept (default 2)\n"
         "  -max_levels L              most levels of a tied network (default 0: the file's)\n"
         "  -deflate_block B           also solve with subdomain deflation, blocks of B cells\n"
         "                             per side (default 0: no; the dcdm row deflates anyway\n"
         "                             with a network trained for it)\n");
}

/* Appends argv[i] to the option string (space separated). */
static int append(char **buf, size_t *len, const char *word) {
  size_t add = strlen(word) + 1;
  char *grown = realloc(*buf, *len + add + 1);
  if (!grown) return -1;
  *buf = grown;
  memcpy(*buf + *len, word, add - 1);
  (*buf)[*len + add - 1] = ' ';
  (*buf)[*len + add] = '\0';
  *len += add;
  return 0;
}

static int report(int status, const char *what) {
  if (status) fprintf(stderr, PROGRAM ": %s: %s\n", what, solace_error_message());
  return status;
}

static int run_train(int argc, char **argv) {
  const char *output = "dcdm.h5";
  char *options = calloc(1, 1);
  size_t len = 0;
  int status = options ? 0 : SOLACE_ERR_MEM;
  for (int i = 0; i < argc && !status; i++) {
    if (!strcmp(argv[i], "-o") && i + 1 < argc)
      output = argv[++i];
    else
      status = append(&options, &len, argv[i]) ? SOLACE_ERR_MEM : 0;
  }
  int64_t steps = 0;
  double first = 0.0, last = 0.0, start = solace_wtime();
  if (!status) status = report(solace_dcdm_train(options, output, &steps, &first, &last), "train");
  if (!status)
    printf(PROGRAM " train: %" PRId64 " Adam steps in %.1f s, loss %.4e -> %.4e (means of the "
                   "first and last 20 steps); weights written to %s\n",
           steps, solace_wtime() - start, first, last, output);
  free(options);
  return status;
}

/* The options of `solve`. */
typedef struct {
  const char *weights, *obstacle;
  int64_t ndim, n, obstacle_seed, rhs_seed, max_it, directions, max_levels, deflate_block;
  double rtol;
} solve_options;

static int parse_solve(int argc, char **argv, solve_options *o) {
  *o = (solve_options){NULL, "blobs", 0, 128, 7, 11, 10000, 2, 0, 0, 1e-6};
  for (int i = 0; i < argc; i++) {
    const char *name = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
    if (!value) return fprintf(stderr, PROGRAM " solve: %s needs a value\n", name), 1;
    if (!strcmp(name, "-weights"))
      o->weights = value;
    else if (!strcmp(name, "-obstacle"))
      o->obstacle = value;
    else if (!strcmp(name, "-ndim"))
      o->ndim = strtoll(value, NULL, 10);
    else if (!strcmp(name, "-n"))
      o->n = strtoll(value, NULL, 10);
    else if (!strcmp(name, "-obstacle_seed"))
      o->obstacle_seed = strtoll(value, NULL, 10);
    else if (!strcmp(name, "-rhs_seed"))
      o->rhs_seed = strtoll(value, NULL, 10);
    else if (!strcmp(name, "-max_it"))
      o->max_it = strtoll(value, NULL, 10);
    else if (!strcmp(name, "-directions"))
      o->directions = strtoll(value, NULL, 10);
    else if (!strcmp(name, "-max_levels"))
      o->max_levels = strtoll(value, NULL, 10);
    else if (!strcmp(name, "-deflate_block"))
      o->deflate_block = strtoll(value, NULL, 10);
    else if (!strcmp(name, "-rtol"))
      o->rtol = strtod(value, NULL);
    else
      return fprintf(stderr, PROGRAM " solve: unknown option %s (see -help)\n", name), 1;
    i++;
  }
  if (!o->weights) return fprintf(stderr, PROGRAM " solve: -weights FILE is required\n"), 1;
  if (!o->ndim) o->ndim = 2;
  return 0;
}

/* The CSR arrays and right-hand side of one problem. */
typedef struct {
  int64_t rows, nnz, solid, *row_start, *columns;
  double *values, *b, *x;
} system_arrays;

static void free_system(system_arrays *s) {
  free(s->row_start), free(s->columns), free(s->values), free(s->b), free(s->x);
}

static int build_system(const solve_options *o, system_arrays *s) {
  solace_dcdm_problem p = NULL;
  int status =
      solace_dcdm_problem_create((int)o->ndim, o->n, o->obstacle, (uint64_t)o->obstacle_seed, &p);
  if (!status) status = solace_dcdm_problem_get_size(p, &s->rows, &s->nnz, &s->solid);
  if (!status) {
    s->row_start = malloc(sizeof(int64_t) * (size_t)(s->rows + 1));
    s->columns = malloc(sizeof(int64_t) * (size_t)s->nnz);
    s->values = malloc(sizeof(double) * (size_t)s->nnz);
    s->b = malloc(sizeof(double) * (size_t)s->rows);
    s->x = malloc(sizeof(double) * (size_t)s->rows);
    if (!s->row_start || !s->columns || !s->values || !s->b || !s->x) status = SOLACE_ERR_MEM;
  }
  if (!status) status = solace_dcdm_problem_get_csr(p, s->row_start, s->columns, s->values);
  if (!status) status = solace_dcdm_problem_get_rhs(p, (uint64_t)o->rhs_seed, 0, s->b);
  solace_dcdm_problem_destroy(&p);
  return report(status, "problem");
}

/* Solves with `weights` (NULL: CG) and deflation blocks of `block` cells (0: none, -1: the
 * weights file's, if it was trained for deflation); prints one line. */
static int solve_one(const solve_options *o, system_arrays *s, const char *weights, int64_t block,
                     const char *label) {
  int64_t grid[3] = {o->n, o->n, o->n}, its = 0;
  double res = 0.0, start = solace_wtime();
  char options[160];
  int used = snprintf(options, sizeof options, "-directions %lld -max_levels %lld",
                      (long long)o->directions, (long long)o->max_levels);
  if (block >= 0)
    snprintf(options + used, sizeof options - (size_t)used, " -deflate_block %lld",
             (long long)block);
  int status =
      solace_dcdm_solve_csr_opts(options, weights, (int)o->ndim, grid, s->rows, s->row_start,
                                 s->columns, s->values, s->b, s->x, o->rtol, o->max_it, &its, &res);
  double seconds = solace_wtime() - start;
  if (status && status != SOLACE_ERR_NOT_CONVERGED) return report(status, label);
  printf("  %-10s %6" PRId64 " iterations %9.3f s  relative residual %.2e%s\n", label, its, seconds,
         res, status ? " (NOT converged)" : "");
  return 0;
}

static int run_solve(int argc, char **argv) {
  solve_options o;
  system_arrays s = {0};
  if (parse_solve(argc, argv, &o)) return 1;
  int status = build_system(&o, &s);
  if (!status) {
    printf(PROGRAM " solve: %" PRId64 "-D, %" PRId64 " cells per side, obstacle %s (seed %" PRId64
                   "): %" PRId64 " unknowns, %" PRId64 " solid; rtol %.1e\n",
           o.ndim, o.n, o.obstacle, o.obstacle_seed, s.rows, s.solid, o.rtol);
    status = solve_one(&o, &s, o.weights, -1, "dcdm");
  }
  if (!status) status = solve_one(&o, &s, NULL, -1, "cg");
  if (!status && o.deflate_block) {
    char label[2][32];
    snprintf(label[0], sizeof label[0], "dcdm-b%lld", (long long)o.deflate_block);
    snprintf(label[1], sizeof label[1], "dcg-b%lld", (long long)o.deflate_block);
    status = solve_one(&o, &s, o.weights, o.deflate_block, label[0]);
    if (!status) status = solve_one(&o, &s, NULL, o.deflate_block, label[1]);
  }
  free_system(&s);
  return status;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "-help") || !strcmp(argv[i], "--help")) {
      print_usage();
      return 0;
    }
  if (argc < 2 || (strcmp(argv[1], "train") && strcmp(argv[1], "solve"))) {
    print_usage();
    return 2;
  }
  int pargc = 1;
  char *pargv0[] = {argv[0], NULL}, **pargv = pargv0;
  if (report(solace_initialize(&pargc, &pargv), "initialize")) return 1;
  int status =
      !strcmp(argv[1], "train") ? run_train(argc - 2, argv + 2) : run_solve(argc - 2, argv + 2);
  solace_finalize();
  return status ? 1 : 0;
}
