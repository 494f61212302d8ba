/* The paper's figures: suboptimality F(x_500) - F* after 500 iterations from x0 = 0 per
 * dataset, partition, rule and update, printed next to the numbers the paper reports.
 * F* is 0 for A, B and C (n > m: least squares interpolates; B and C are separable, so 0 is the
 * infimum) and, for D, E and L1, the smaller of the objective of a run to a gap of 1e-13
 * (forest Newton for D and E, working sets for L1) and the best F of the table. -quick runs smaller
 * instances of the same datasets for 200 iterations.
 *
 * usage: bench-bcd [-quick] [-seed S] */
#include "bench-util.h"
#include "solace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  int dataset;
  const char *name;
  int64_t m, n, quick_m, quick_n;
} dataset_t;

typedef struct {
  int partition, rule, update;
  int64_t block;
  const char *paper; /* the paper's number for this setting, or "" */
} run_t;

static const char *rule_names[] = {"cyclic", "random", "lipschitz", "gs", "gsl", "gsd", "gsq"};
static const char *update_names[] = {"gradient", "adaptive", "newton", "armijo"};
static const char *part_names[] = {"order",    "sort", "avg",    "rowsum", "variable",
                                   "redblack", "comb", "forest", "tree"};

static int check(int status, const char *what) {
  if (status)
    fprintf(stderr, "bench-bcd: %s: %s: %s\n", what, solace_status_string(status),
            solace_error_message());
  return status;
}

/* F after `iters` iterations of one setting (x0 = 0). */
static int run_one(solace_bcd bcd, const run_t *r, int64_t iters, double *F, double *seconds) {
  double gap;
  int64_t it;
  if (check(solace_bcd_set_partition(bcd, r->partition, r->block), "partition") ||
      check(solace_bcd_set_rule(bcd, r->rule), "rule") ||
      check(solace_bcd_set_update(bcd, r->update), "update") ||
      check(solace_bcd_set_stop(bcd, iters, 0), "stop") || check(solace_bcd_solve(bcd), "solve"))
    return 1;
  solace_bcd_get_result(bcd, F, &gap);
  solace_bcd_get_iterations(bcd, &it);
  double *t = malloc(sizeof(double) * (size_t)(it + 1));
  solace_bcd_get_history(bcd, NULL, NULL, t);
  *seconds = t[it];
  free(t);
  return 0;
}

/* F* of D, E (forest Newton) and L1 (working sets) to a gap of 1e-13 F(0). */
static int reference(solace_bcd bcd, int dataset, double *Fstar) {
  double gap;
  int ws = dataset == SOLACE_BCD_DATA_L1;
  int part = dataset == SOLACE_BCD_DATA_D   ? SOLACE_BCD_PART_COMB
             : dataset == SOLACE_BCD_DATA_E ? SOLACE_BCD_PART_FOREST
                                            : SOLACE_BCD_PART_ORDER;
  if (check(solace_bcd_set_partition(bcd, part, ws ? 1 : 200), "partition") ||
      check(solace_bcd_set_rule(bcd, SOLACE_BCD_CYCLIC), "rule") ||
      check(solace_bcd_set_update(bcd, ws ? SOLACE_BCD_GRADIENT : SOLACE_BCD_NEWTON), "update") ||
      check(solace_bcd_set_working_set(bcd, ws), "ws") ||
      check(solace_bcd_set_stop(bcd, 200000, 1e-13), "stop") ||
      check(solace_bcd_solve(bcd), "reference solve"))
    return 1;
  solace_bcd_get_result(bcd, Fstar, &gap);
  return check(solace_bcd_set_working_set(bcd, 0), "ws");
}

/* The settings of each dataset. */
static int settings(int dataset, const run_t **runs) {
  enum {
    P_SORT = SOLACE_BCD_PART_SORT,
    P_VAR = SOLACE_BCD_PART_VARIABLE,
    G = SOLACE_BCD_GRADIENT,
    NW = SOLACE_BCD_NEWTON
  };
  static const run_t fit[] = {
      {P_SORT, SOLACE_BCD_CYCLIC, G, 5, ""},    {P_SORT, SOLACE_BCD_RANDOM, G, 5, ""},
      {P_SORT, SOLACE_BCD_LIPSCHITZ, G, 5, ""}, {P_SORT, SOLACE_BCD_GS, G, 5, ""},
      {P_SORT, SOLACE_BCD_GSL, G, 5, "~7.9e3"}, {P_SORT, SOLACE_BCD_GSD, G, 5, ""},
      {P_SORT, SOLACE_BCD_GSQ, G, 5, "~7.9e3"}, {P_SORT, SOLACE_BCD_RANDOM, NW, 50, ""},
      {P_SORT, SOLACE_BCD_GS, NW, 50, ""},      {P_SORT, SOLACE_BCD_GSQ, NW, 50, "~3e-2"},
      {P_VAR, SOLACE_BCD_GSL, NW, 50, "~3e-2"}};
  static const run_t soft[] = {{P_SORT, SOLACE_BCD_RANDOM, G, 50, ""},
                               {P_SORT, SOLACE_BCD_GS, G, 50, ""},
                               {P_SORT, SOLACE_BCD_GSL, G, 50, ""},
                               {P_SORT, SOLACE_BCD_GSQ, G, 50, ""}};
  static const run_t graph_d[] = {{SOLACE_BCD_PART_ORDER, SOLACE_BCD_GS, NW, 50, ""},
                                  {SOLACE_BCD_PART_REDBLACK, SOLACE_BCD_CYCLIC, NW, 1, ""},
                                  {SOLACE_BCD_PART_COMB, SOLACE_BCD_CYCLIC, NW, 1, "~1e-5"},
                                  {SOLACE_BCD_PART_TREE, SOLACE_BCD_GS, NW, 1250, "~1e-5"}};
  static const run_t graph_e[] = {{SOLACE_BCD_PART_ORDER, SOLACE_BCD_GS, NW, 50, ""},
                                  {SOLACE_BCD_PART_FOREST, SOLACE_BCD_CYCLIC, NW, 1000, "~8e-5"},
                                  {SOLACE_BCD_PART_TREE, SOLACE_BCD_GS, NW, 1000, "~8e-5"}};
  static const run_t l1[] = {{P_SORT, SOLACE_BCD_RANDOM, NW, 5, "~6e5"},
                             {P_SORT, SOLACE_BCD_RANDOM, NW, 100, "~6e2"},
                             {P_SORT, SOLACE_BCD_GSQ, NW, 5, ""},
                             {P_VAR, SOLACE_BCD_GS, NW, 5, "~7e-9"},
                             {P_VAR, SOLACE_BCD_GS, NW, 100, "~7e-9"}};
  switch (dataset) {
  case SOLACE_BCD_DATA_C:
    *runs = soft;
    return 4;
  case SOLACE_BCD_DATA_D:
    *runs = graph_d;
    return 4;
  case SOLACE_BCD_DATA_E:
    *runs = graph_e;
    return 3;
  case SOLACE_BCD_DATA_L1:
    *runs = l1;
    return 5;
  default:
    *runs = fit;
    return 11;
  }
}

static int bench_dataset(const dataset_t *d, int quick, uint64_t seed) {
  solace_bcd bcd = NULL;
  int64_t m = quick ? d->quick_m : d->m, n = quick ? d->quick_n : d->n, nvar;
  double Fstar = 0;
  if (check(solace_bcd_create(&bcd), "create") ||
      check(solace_bcd_set_dataset(bcd, d->dataset, seed, m, n), "dataset"))
    return 1;
  solace_bcd_get_size(bcd, &nvar);
  int known = d->dataset <= SOLACE_BCD_DATA_C;
  if (!known && reference(bcd, d->dataset, &Fstar)) return 1;
  const run_t *runs;
  int count = settings(d->dataset, &runs);
  double F[16], seconds[16];
  int64_t blocks[16];
  for (int k = 0; k < count; k++) {
    run_t r = runs[k];
    r.block = blocks[k] = r.block < nvar ? r.block : nvar;
    if (run_one(bcd, &r, quick ? 200 : 500, &F[k], &seconds[k])) return 1;
    if (!known && F[k] < Fstar) Fstar = F[k]; /* the best point found is the reference */
  }
  for (int k = 0; k < count; k++) {
    const run_t *r = &runs[k];
    printf("%-3s %6lld %-9s %6lld %-9s %-9s %12.4g %9s %8.2f\n", d->name, (long long)nvar,
           part_names[r->partition], (long long)blocks[k], rule_names[r->rule],
           update_names[r->update], F[k] - Fstar, r->paper, seconds[k]);
  }
  fflush(stdout);
  solace_bcd_destroy(&bcd);
  return 0;
}

int main(int argc, char **argv) {
  int quick = 0;
  uint64_t seed = 1;
  for (int a = 1; a < argc; a++) {
    if (!strcmp(argv[a], "-quick"))
      quick = 1;
    else if (!strcmp(argv[a], "-seed") && a + 1 < argc)
      seed = strtoull(argv[++a], NULL, 10);
  }
  (void)bench_median;
  solace_set_blas_threads(1);
  bench_print_machine();
  printf("suboptimality F(x_K) - F* from x0 = 0, K = %d (%s sizes); paper: Nutini, Laradji, "
         "Schmidt, JMLR 2022\n",
         quick ? 200 : 500, quick ? "quick" : "paper");
  printf("%-3s %6s %-9s %6s %-9s %-9s %12s %9s %8s\n", "set", "vars", "partition", "block", "rule",
         "update", "F - F*", "paper", "seconds");
  static const dataset_t sets[] = {{SOLACE_BCD_DATA_A, "A", 1000, 10000, 300, 2000},
                                   {SOLACE_BCD_DATA_B, "B", 1000, 10000, 300, 2000},
                                   {SOLACE_BCD_DATA_C, "C", 1000, 1000, 150, 150},
                                   {SOLACE_BCD_DATA_D, "D", 50, 0, 20, 0},
                                   {SOLACE_BCD_DATA_E, "E", 2000, 0, 400, 0},
                                   {SOLACE_BCD_DATA_L1, "L1", 1000, 10000, 300, 2000}};
  for (int k = 0; k < 6; k++)
    if (bench_dataset(&sets[k], quick, seed)) return 1;
  return 0;
}
