/* SKR against GMRES(40) on the SKR paper's benchmark families: for each case (family, rtol,
 * preconditioner) the same N systems (seed 1) are solved by every configuration, alternated
 * within each repetition (gmres, skr-unsorted, skr, skr-warm per pc, then the best standard
 * solvers), and a table gives seconds per system (sort included, amortised), mean iterations,
 * the worst true relative residual, the converged count and the ratios GMRES / configuration.
 *
 * Configurations (every one: max_it 10000, rtol through its own options prefix):
 *  gmres         GMRES(40), left pc, natural order, zero initial guess (the paper's baseline);
 *  skr-unsorted  GCRO-DR(40, 20), left pc, natural order;
 *  skr           GCRO-DR(40, 20), left pc, greedy-sorted order (sort time counted);
 *  skr-warm      skr plus -ksp_initial_guess_nonzero (warm start from the previous system);
 *  best-standard CG + GAMG and CG + hypre BoomerAMG (SPD families), GMRES(40) + ASM and
 *                GMRES(40) + hypre, right preconditioned (helmholtz); once per (family, rtol).
 * Seconds per system = median over repetitions of (run wall time) / N; every run uses a fresh
 * solver, so the recycle space starts empty.
 *
 * Default (`make bench`, about 15 minutes on 2 cores): darcy, poisson, helmholtz, heat at n = 100
 * (98^2 unknowns), 100 systems, rtol 1e-5 and 1e-8, pcs none, jacobi, asm, 1 repetition.
 * -full: pcs none, jacobi, bjacobi, sor, asm, icc, ilu. -quick: darcy and helmholtz at n = 24,
 * 6 systems, jacobi, rtol 1e-5. Also -families a,b -n N -count C -rtol t1,t2 -pcs p1,p2 -reps R
 * -kmax K (helmholtz wavenumbers k ~ U(0, K); default 1, the paper's setting). BLAS runs on one
 * thread unless OPENBLAS_NUM_THREADS is set.
 * On one process bjacobi (one block) and asm (one subdomain) both apply ILU(0) to the whole
 * matrix, so they equal ilu and, on these symmetric matrices, icc. */
#include "bench-util.h"
#include "solace.h"

#include <math.h>

#define MAX_LIST 16
#define MAX_REPS 32
#define NCONFIGS 4

/* One solver configuration; pc NULL means the case's pc. */
typedef struct {
  const char *name, *ksp, *pc, *side;
  int sorted, warm;
} config;

/* The measurements of one configuration on one case. */
typedef struct {
  double seconds[MAX_REPS], iterations, max_residual;
  int64_t converged;
  int ran, error;
} result;

/* The N systems of one family: features[i*dim ..] = input field of system i, then its params. */
typedef struct {
  char family[32];
  int64_t n, grid, nparams, dim, count;
  double kmax; /* helmholtz: k ~ U(0, kmax) */
  double *features;
} systems;

/* Command-line settings. */
typedef struct {
  char families[MAX_LIST][32], pcs[MAX_LIST][32];
  double rtols[MAX_LIST];
  int nfamilies, npcs, nrtols, reps, quick, full;
  int64_t n, count;
  double kmax;
} settings;

static const config table_configs[NCONFIGS] = {
    {"gmres", "gmres", NULL, "left", 0, 0},
    {"skr-unsorted", "gcrodr", NULL, "left", 0, 0},
    {"skr", "gcrodr", NULL, "left", 1, 0},
    {"skr-warm", "gcrodr", NULL, "left", 1, 1},
};

static const config spd_standard[2] = {
    {"cg", "cg", "gamg", "left", 0, 0},
    {"cg", "cg", "hypre", "left", 0, 0},
};

static const config indefinite_standard[2] = {
    {"gmres-right", "gmres", "asm", "right", 0, 0},
    {"gmres-right", "gmres", "hypre", "right", 0, 0},
};

/* Published GMRES time / SKR time (Wang et al., ICLR 2024, table 2); NAN where none. */
typedef struct {
  const char *family;
  double rtol;
  double ratio[7]; /* none, jacobi, bjacobi, sor, asm, icc, ilu */
} target;

static const target targets[] = {
    {"darcy", 1e-5, {2.92, 3.42, 4.07, 3.45, 3.66, 3.18, 3.08}},
    {"darcy", 1e-8, {2.70, 3.09, 4.00, 3.54, 4.53, 4.11, 3.70}},
    {"helmholtz", 1e-5, {7.61, 8.62, 11.4, 10.5, 13.1, 6.38, 6.13}},
    {"helmholtz", 1e-8, {6.47, 7.96, 11.3, 10.6, 13.9, 6.72, 6.34}}, /* the paper's 1e-7 */
    {"poisson", 1e-8, {1.74, 1.75, 1.19, 1.35, 1.94, 1.32, 1.30}},
    {"heat", 1e-8, {5.35, 3.06, 2.73, 2.34, 2.83, 2.77, 2.69}},
};

static const char *target_pcs[7] = {"none", "jacobi", "bjacobi", "sor", "asm", "icc", "ilu"};

/* Prints the error of a setup step and exits non-zero. */
static void die(const char *what) {
  fprintf(stderr, "bench-skr: %s: %s\n", what, solace_error_message());
  solace_finalize();
  exit(1);
}

/* The published ratio for (family, rtol, pc), or NAN. */
static double published(const char *family, double rtol, const char *pc) {
  for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++)
    if (!strcmp(targets[t].family, family) && fabs(targets[t].rtol - rtol) < 1e-3 * rtol)
      for (int p = 0; p < 7; p++)
        if (!strcmp(target_pcs[p], pc)) return targets[t].ratio[p];
  return NAN;
}

/* Whether the family's matrices are symmetric positive definite. */
static int is_spd(const char *family) {
  return strcmp(family, "helmholtz") != 0;
}

/* Splits a comma-separated list into out (at most MAX_LIST entries); returns the count. */
static int split_list(const char *text, char out[][32]) {
  char copy[512];
  int count = 0;
  snprintf(copy, sizeof copy, "%s", text);
  for (char *tok = strtok(copy, ","); tok && count < MAX_LIST; tok = strtok(NULL, ","))
    snprintf(out[count++], 32, "%s", tok);
  return count;
}

/* Fills the default run: 4 families at n = 100, 100 systems, pcs none, jacobi, asm. */
static void default_settings(settings *s) {
  memset(s, 0, sizeof *s);
  s->nfamilies = split_list("darcy,poisson,helmholtz,heat", s->families);
  s->npcs = split_list("none,jacobi,asm", s->pcs);
  s->rtols[0] = 1e-5, s->rtols[1] = 1e-8, s->nrtols = 2;
  s->n = 100, s->count = 100, s->reps = 1, s->kmax = 1.0;
}

/* Reads one option and its value; returns 0 on an unknown option or missing value. */
static int parse_option(settings *s, const char *name, const char *value) {
  char list[MAX_LIST][32];
  if (!value) return 0;
  if (!strcmp(name, "-families"))
    s->nfamilies = split_list(value, s->families);
  else if (!strcmp(name, "-pcs"))
    s->npcs = split_list(value, s->pcs);
  else if (!strcmp(name, "-n"))
    s->n = atoll(value);
  else if (!strcmp(name, "-count"))
    s->count = atoll(value);
  else if (!strcmp(name, "-reps"))
    s->reps = atoi(value);
  else if (!strcmp(name, "-kmax"))
    s->kmax = atof(value);
  else if (!strcmp(name, "-rtol")) {
    s->nrtols = split_list(value, list);
    for (int k = 0; k < s->nrtols; k++) s->rtols[k] = atof(list[k]);
  } else
    return 0;
  return 1;
}

/* Parses the command line into s; returns 0 on a usage error. */
static int parse_args(int argc, char **argv, settings *s) {
  default_settings(s);
  for (int a = 1; a < argc; a++) {
    if (!strcmp(argv[a], "-quick")) {
      s->quick = 1, s->nfamilies = split_list("darcy,helmholtz", s->families);
      s->npcs = split_list("jacobi", s->pcs), s->nrtols = 1, s->rtols[0] = 1e-5;
      s->n = 24, s->count = 6, s->reps = 1;
    } else if (!strcmp(argv[a], "-full")) {
      s->full = 1, s->npcs = split_list("none,jacobi,bjacobi,sor,asm,icc,ilu", s->pcs);
    } else if (!parse_option(s, argv[a], a + 1 < argc ? argv[a + 1] : NULL))
      return 0;
    else
      a++;
  }
  return s->nfamilies > 0 && s->npcs > 0 && s->nrtols > 0 && s->n >= 5 && s->count >= 1 &&
         s->reps >= 1 && s->reps <= MAX_REPS && s->kmax >= 0;
}

/* Creates the family on the grid of sys, with its wavenumber range for helmholtz. */
static int create_family(const systems *sys, solace_pde *pde) {
  int status = solace_pde_create(sys->family, sys->n, pde);
  if (!status && !strcmp(sys->family, "helmholtz"))
    status = solace_pde_set_real(*pde, "kmax", sys->kmax);
  return status;
}

/* Draws the systems of one family (seed 1, indices 0..count-1). */
static void draw_systems(const char *family, int64_t n, int64_t count, double kmax, systems *sys) {
  solace_pde pde;
  snprintf(sys->family, sizeof sys->family, "%s", family);
  sys->n = n, sys->grid = n * n, sys->count = count, sys->kmax = kmax;
  if (create_family(sys, &pde) || solace_pde_get_nparams(pde, &sys->nparams)) die("create pde");
  sys->dim = sys->grid + sys->nparams;
  sys->features = malloc(sizeof(double) * (size_t)(sys->dim * count));
  if (!sys->features) fprintf(stderr, "bench-skr: out of memory\n"), exit(1);
  for (int64_t i = 0; i < count; i++) {
    double *f = sys->features + i * sys->dim;
    if (solace_pde_sample(pde, 1, i, f, f + sys->grid)) die("sample");
  }
  solace_pde_destroy(&pde);
}

/* Appends " -<prefix><name> <value>" to buf. */
static void add_option(char *buf, size_t cap, const char *prefix, const char *name,
                       const char *value) {
  size_t used = strlen(buf);
  snprintf(buf + used, cap - used, " -%s%s %s", prefix, name, value);
}

/* Inserts the options of configuration c with pc and rtol under prefix. */
static void insert_options(const char *prefix, const config *c, const char *pc, double rtol) {
  char buf[1024] = "", tol[32];
  snprintf(tol, sizeof tol, "%g", rtol);
  add_option(buf, sizeof buf, prefix, "ksp_type", c->ksp);
  add_option(buf, sizeof buf, prefix, "pc_type", pc);
  add_option(buf, sizeof buf, prefix, "ksp_pc_side", c->side);
  add_option(buf, sizeof buf, prefix, "ksp_rtol", tol);
  add_option(buf, sizeof buf, prefix, "ksp_max_it", "10000");
  add_option(buf, sizeof buf, prefix, "ksp_initial_guess_nonzero", c->warm ? "true" : "false");
  if (!strcmp(c->ksp, "gmres")) add_option(buf, sizeof buf, prefix, "ksp_gmres_restart", "40");
  if (!strcmp(c->ksp, "gcrodr")) {
    add_option(buf, sizeof buf, prefix, "ksp_gcrodr_restart", "40");
    add_option(buf, sizeof buf, prefix, "ksp_gcrodr_recycle", "20");
  }
  if (solace_options_insert(buf)) die("insert options");
}

/* Solves the systems in `order`; adds iterations, residuals and convergence to r. Returns 0, or
 * the first status that is neither success nor non-convergence (the rest of the run is skipped).
 */
static int solve_all(solace_pde pde, const systems *sys, const int64_t *order, double *output,
                     int rep, result *r) {
  for (int64_t k = 0; k < sys->count; k++) {
    const double *f = sys->features + order[k] * sys->dim;
    int64_t its = 0;
    double residual = NAN;
    int status = solace_pde_solve(pde, f, f + sys->grid, output, &its, &residual);
    if (status && status != SOLACE_ERR_NOT_CONVERGED) return status;
    r->iterations += (double)its;
    if (isnan(residual) || residual > r->max_residual) r->max_residual = residual; /* NaN sticks */
    if (rep == 0 && !status) r->converged++;
  }
  return 0;
}

/* One repetition of configuration c (pc, rtol) on sys with a fresh pde; records it in r. */
static void run_config(const systems *sys, const config *c, const char *pc, double rtol,
                       const char *prefix, int rep, result *r) {
  solace_pde pde;
  int64_t *order = malloc(sizeof(int64_t) * (size_t)sys->count);
  double *output = malloc(sizeof(double) * (size_t)sys->grid);
  if (!order || !output) fprintf(stderr, "bench-skr: out of memory\n"), exit(1);
  insert_options(prefix, c, pc, rtol);
  if (create_family(sys, &pde) || solace_pde_set_options_prefix(pde, prefix)) die("create solver");
  double start = solace_wtime();
  if (solace_skr_sort(sys->features, sys->count, sys->dim,
                      c->sorted ? SOLACE_SKR_SORT_GREEDY : SOLACE_SKR_SORT_NONE, order))
    die("sort");
  int status = r->error ? 0 : solve_all(pde, sys, order, output, rep, r);
  r->seconds[rep] = (solace_wtime() - start) / (double)sys->count;
  r->ran = 1;
  if (status && !r->error)
    fprintf(stderr, "bench-skr: %s %s pc %s rtol %g: %s\n", sys->family, c->name, pc, rtol,
            solace_error_message());
  if (status) r->error = 1;
  solace_pde_destroy(&pde), free(order), free(output);
}

/* Prints the table header and the meaning of the ratio columns. */
static void print_header(void) {
  printf("%-9s %8s %7s %8s %-13s %10s %9s %9s %8s %7s %8s %6s\n", "family", "unknowns", "rtol",
         "pc", "config", "s/system", "its/sys", "max res", "conv", "t-ratio", "it-ratio", "paper");
}

/* Prints one row; ratios are gmres / this row ("-" when gmres is NULL). */
static void print_row(const systems *sys, double rtol, const char *pc, const char *name,
                      const result *r, const result *gmres, int reps, double paper) {
  double t[MAX_REPS], g[MAX_REPS];
  memcpy(t, r->seconds, sizeof t), memcpy(g, gmres ? gmres->seconds : r->seconds, sizeof g);
  double sec = bench_median(t, reps), its = r->iterations / (double)(reps * sys->count);
  char conv[32], tr[16] = "-", ir[16] = "-", pp[16] = "-";
  snprintf(conv, sizeof conv, "%lld/%lld%s", (long long)r->converged, (long long)sys->count,
           r->error ? "!" : "");
  if (gmres) {
    snprintf(tr, sizeof tr, "%.2f", bench_median(g, reps) / sec);
    snprintf(ir, sizeof ir, "%.2f", gmres->iterations / r->iterations);
  }
  if (!isnan(paper)) snprintf(pp, sizeof pp, "%.2f", paper);
  printf("%-9s %8lld %7.0e %8s %-13s %10.4f %9.1f %9.2e %8s %7s %8s %6s\n", sys->family,
         (long long)((sys->n - 2) * (sys->n - 2)), rtol, pc, name, sec, its, r->max_residual, conv,
         tr, ir, pp);
}

/* Results of one (family, rtol) group: per pc and table config, plus the standard solvers. */
typedef struct {
  char pcs[MAX_LIST][32];
  int npcs;
  result table[MAX_LIST][NCONFIGS], standard[2];
} group;

/* Runs one (family, rtol) group: reps x (pcs x configs, then the standard solvers). */
static void run_group(const settings *s, const systems *sys, double rtol, group *g) {
  const config *std = is_spd(sys->family) ? spd_standard : indefinite_standard;
  memset(g, 0, sizeof *g);
  g->npcs = s->npcs;
  memcpy(g->pcs, s->pcs, sizeof g->pcs);
  for (int rep = 0; rep < s->reps; rep++) {
    for (int p = 0; p < g->npcs; p++)
      for (int c = 0; c < NCONFIGS; c++) {
        char prefix[16];
        snprintf(prefix, sizeof prefix, "c%d_", c);
        run_config(sys, &table_configs[c], g->pcs[p], rtol, prefix, rep, &g->table[p][c]);
      }
    for (int c = 0; c < 2; c++) {
      char prefix[16];
      snprintf(prefix, sizeof prefix, "s%d_", c);
      run_config(sys, &std[c], std[c].pc, rtol, prefix, rep, &g->standard[c]);
    }
  }
}

/* Prints the rows of one group; the standard rows' ratios are against gmres with the first pc. */
static void print_group(const settings *s, const systems *sys, double rtol, const group *g) {
  const config *std = is_spd(sys->family) ? spd_standard : indefinite_standard;
  for (int p = 0; p < g->npcs; p++)
    for (int c = 0; c < NCONFIGS; c++)
      print_row(sys, rtol, g->pcs[p], table_configs[c].name, &g->table[p][c], &g->table[p][0],
                s->reps, c == 2 ? published(sys->family, rtol, g->pcs[p]) : NAN);
  for (int c = 0; c < 2; c++)
    print_row(sys, rtol, std[c].pc, std[c].name, &g->standard[c], &g->table[0][0], s->reps, NAN);
  fflush(stdout);
}

/* Median seconds per system of r. */
static double median_seconds(const result *r, int reps) {
  double t[MAX_REPS];
  memcpy(t, r->seconds, sizeof t);
  return bench_median(t, reps);
}

/* Index of the faster standard solver that converged on every system, or -1 if none did. */
static int fastest_standard(const group *g, int reps, int64_t count) {
  int fast = -1;
  for (int c = 0; c < 2; c++) {
    if (g->standard[c].converged < count || g->standard[c].error) continue;
    if (fast < 0 ||
        median_seconds(&g->standard[c], reps) < median_seconds(&g->standard[fast], reps))
      fast = c;
  }
  return fast;
}

/* Appends the ratios at pc p of group g to line: gmres/skr (time, its) and the faster standard
 * solver of std that solved every system over skr-warm. */
static void summary_part(const group *g, const config *std, int p, int reps, const systems *sys,
                         double rtol, char *line, size_t cap) {
  const result *r = g->table[p];
  double skr = median_seconds(&r[2], reps), warm = median_seconds(&r[3], reps);
  int fast = fastest_standard(g, reps, sys->count);
  double paper = published(sys->family, rtol, g->pcs[p]);
  char pp[32] = "", standard[96] = "best-standard: none solved every system";
  if (!isnan(paper)) snprintf(pp, sizeof pp, ", paper %.2f", paper);
  if (fast >= 0)
    snprintf(standard, sizeof standard, "best-standard (%s+%s)/skr-warm %.2f", std[fast].ksp,
             std[fast].pc, median_seconds(&g->standard[fast], reps) / warm);
  size_t used = strlen(line);
  snprintf(line + used, cap - used, " | pc %s: gmres/skr %.2f (its %.2f%s), %s", g->pcs[p],
           median_seconds(&r[0], reps) / skr, r[0].iterations / r[2].iterations, pp, standard);
}

/* Appends the summary line of one family (its group at the summary rtol) to out. */
static void add_summary(const settings *s, const systems *sys, double rtol, const group *g,
                        char *out, size_t cap) {
  const config *std = is_spd(sys->family) ? spd_standard : indefinite_standard;
  int none = 0, best = 0;
  for (int p = 0; p < g->npcs; p++) {
    if (!strcmp(g->pcs[p], "none")) none = p;
    if (median_seconds(&g->table[p][3], s->reps) < median_seconds(&g->table[best][3], s->reps))
      best = p;
  }
  char line[1024];
  size_t used = strlen(out);
  snprintf(line, sizeof line, "summary %-9s rtol %.0e", sys->family, rtol);
  summary_part(g, std, none, s->reps, sys, rtol, line, sizeof line);
  if (best != none) summary_part(g, std, best, s->reps, sys, rtol, line, sizeof line);
  snprintf(out + used, cap - used, "%s%s\n", line,
           best != none ? " (second pc: fastest skr-warm)" : "");
}

/* Prints which subset runs. */
static void print_settings(const settings *s) {
  printf("SKR benchmark: %s; %lld systems per case (seed 1), grid n = %lld, %d repetition(s)\n",
         s->quick  ? "-quick"
         : s->full ? "-full (whole table)"
                   : "default subset (-full: all)",
         (long long)s->count, (long long)s->n, s->reps);
  printf("families:");
  for (int f = 0; f < s->nfamilies; f++) printf(" %s", s->families[f]);
  printf("; rtol:");
  for (int t = 0; t < s->nrtols; t++) printf(" %g", s->rtols[t]);
  printf("; pcs:");
  for (int p = 0; p < s->npcs; p++) printf(" %s", s->pcs[p]);
  printf("; helmholtz kmax %g\n", s->kmax);
  printf("s/system: median over repetitions of wall time / systems (sorted configs include the "
         "greedy sort); t-ratio, it-ratio: gmres / row (standard rows: against gmres with the "
         "first pc); paper: published GMRES/SKR time ratio (helmholtz 1e-8: the paper's 1e-7); "
         "conv ending in '!': a solve failed with an error (see stderr)\n");
}

/* Runs every group of one family; prints its summary at rtol 1e-5 (or the first rtol). */
static void run_family(const settings *s, const char *family, char *summary, size_t cap) {
  systems sys;
  group *g = malloc(sizeof(group));
  if (!g) fprintf(stderr, "bench-skr: out of memory\n"), exit(1);
  draw_systems(family, s->n, s->count, s->kmax, &sys);
  int summary_rtol = 0;
  for (int t = 0; t < s->nrtols; t++)
    if (fabs(s->rtols[t] - 1e-5) < 1e-8) summary_rtol = t;
  for (int t = 0; t < s->nrtols; t++) {
    run_group(s, &sys, s->rtols[t], g);
    print_group(s, &sys, s->rtols[t], g);
    if (t == summary_rtol) add_summary(s, &sys, s->rtols[t], g, summary, cap);
  }
  free(sys.features), free(g);
}

int main(int argc, char **argv) {
  settings s;
  if (!parse_args(argc, argv, &s)) {
    fprintf(stderr, "usage: bench-skr [-quick | -full] [-families darcy,poisson,helmholtz,heat] "
                    "[-n N] [-count C] [-rtol 1e-5,1e-8] [-pcs none,bjacobi,...] [-reps R] "
                    "[-kmax K]\n");
    return 2;
  }
  if (solace_initialize(NULL, NULL)) die("initialize");
  /* one BLAS thread: the machine's other core must not make the skinny products wait */
  if (!getenv("OPENBLAS_NUM_THREADS") && solace_set_blas_threads(1)) die("blas threads");
  solace_log_set_level(SOLACE_LOG_ERROR);
  bench_print_machine();
  print_settings(&s);
  print_header();
  double start = solace_wtime();
  static char summary[8192];
  for (int f = 0; f < s.nfamilies; f++) run_family(&s, s.families[f], summary, sizeof summary);
  printf("%s", summary);
  printf("total wall time %.1f s\n", solace_wtime() - start);
  solace_finalize();
  return 0;
}
