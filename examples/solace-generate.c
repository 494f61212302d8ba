/* solace-generate: writes a neural-operator dataset (inputs, solutions, statistics) to HDF5.
 *
 *   solace-generate -family darcy -n 64 -count 100 -seed 1 -o darcy.h5 [PETSc options]
 *   mpiexec -n 4 solace-generate ...   (samples dealt over the ranks; the same file as 1 rank)
 */
#include "solace.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The command line of one run. */
typedef struct {
  const char *family, *output, *coefficient, *progress, *sort, *solver;
  int64_t n, count, compress;
  uint64_t seed;
  int resume, force, distributed, quiet, warm_start, skr_domain, keep_unconverged;
  const char *reals[7]; /* values of real_names[], NULL when not given */
} options;

static void print_usage(void) {
  printf(
      "usage: solace-generate [options] [PETSc options]\n"
      "Draws random PDE instances, solves each and writes the dataset to HDF5.\n\n"
      "  -family NAME        PDE family: darcy, poisson, helmholtz, heat (default darcy)\n"
      "  -n N                grid nodes per side, boundary included, >= 3 (default 64)\n"
      "  -count N            number of samples                          (default 100)\n"
      "  -seed S             random seed; sample i depends on (S, i) only (default 1)\n"
      "  -o FILE             output HDF5 file                           (default FAMILY.h5)\n"
      "  -resume             continue an interrupted FILE (or create it)\n"
      "  -force              overwrite an existing FILE\n"
      "  -compress L         deflate level of the finished file, 0 = none (default 4)\n"
      "  -solver NAME        family: the family's default KSP (below); skr: sorted GCRO-DR(40,20)\n"
      "                      with a recycle space carried across systems (default family)\n"
      "  -sort METHOD        solve order: none, greedy, hilbert or auto\n"
      "                      (default auto with -solver skr, else none)\n"
      "  -skr_warm_start     start each system from the solution of the one solved before it\n"
      "  -skr_domain         -solver skr with each system spread over all ranks (-distributed)\n"
      "                      (default with -solver skr: each rank solves a contiguous chunk of\n"
      "                      the sorted order with its own recycle space)\n"
      "  -alpha A            random-field smoothness                    (default 2.5)\n"
      "  -tau T              random-field inverse length scale          (default 7)\n"
      "  -coefficient KIND   exp: a = exp(g); threshold: a = coef_high/coef_low by sign of g\n"
      "                                                                 (default exp)\n"
      "  -coef_high V        threshold coefficient where g >= 0         (default 12)\n"
      "  -coef_low V         threshold coefficient where g < 0          (default 3)\n"
      "  -source F           constant right-hand side f (darcy, helmholtz) (default 1)\n"
      "  -kmax K             helmholtz: wavenumber k ~ U(0, K) per sample (default 1)\n"
      "  -slot S             heat: 1 with the insulated slot, 0 without    (default 1)\n"
      "  -keep_unconverged   write a sample whose solve misses rtol (its residual is in\n"
      "                      /stats/residual) and go on (default: stop the run there)\n"
      "  -distributed        solve each system on all MPI ranks together\n"
      "                      (default: each rank solves whole systems)\n"
      "  -progress MODE      auto, redraw, lines or silent              (default auto)\n"
      "  -quiet              no progress and no summary\n"
      "  -help               this text\n\n"
      "Any PETSc option configures the solver, e.g. -ksp_type cg -pc_type gamg -ksp_rtol 1e-10.\n"
      "Default solver: CG with ICC (one rank per system) or block Jacobi (-distributed),\n"
      "relative tolerance 1e-8; helmholtz: right-preconditioned GMRES(40) with ILU. With\n"
      "-solver skr: -ksp_gcrodr_restart M, -ksp_gcrodr_recycle K, -ksp_gcrodr_reset.\n");
}

/* Parses a whole decimal integer in [min, max]; 0 on success. */
static int parse_int(const char *name, const char *text, int64_t min, int64_t max, int64_t *out) {
  char *end;
  errno = 0;
  long long value = strtoll(text, &end, 10);
  if (errno || end == text || *end || value < min || value > max) {
    fprintf(stderr, "solace-generate: error: %s '%s' is not an integer in [%lld, %lld]\n", name,
            text, (long long)min, (long long)max);
    return 1;
  }
  *out = value;
  return 0;
}

/* The family's real options, in the order of options.reals. */
static const char *const real_names[] = {"alpha",  "tau",  "coef_high", "coef_low",
                                         "source", "kmax", "slot"};
enum { NREALS = sizeof real_names / sizeof real_names[0] };

/* Sets a flag option; returns 1 if `name` is one. */
static int take_flag(const char *name, options *opt) {
  int *flag = !strcmp(name, "resume")             ? &opt->resume
              : !strcmp(name, "force")            ? &opt->force
              : !strcmp(name, "distributed")      ? &opt->distributed
              : !strcmp(name, "quiet")            ? &opt->quiet
              : !strcmp(name, "skr_warm_start")   ? &opt->warm_start
              : !strcmp(name, "skr_domain")       ? &opt->skr_domain
              : !strcmp(name, "keep_unconverged") ? &opt->keep_unconverged
                                                  : NULL;
  if (flag) *flag = 1;
  return flag != NULL;
}

/* True if `name` is one of Solace's flags. */
static int is_flag(const char *name) {
  options scratch = {0};
  return take_flag(name, &scratch);
}

/* True if `name` is one of Solace's options that take a value. */
static int is_value_option(const char *name) {
  static const char *const names[] = {"family", "o", "coefficient", "progress", "sort",
                                      "solver", "n", "count",       "compress", "seed"};
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
    if (!strcmp(name, names[k])) return 1;
  for (int r = 0; r < NREALS; r++)
    if (!strcmp(name, real_names[r])) return 1;
  return 0;
}

/* Stores the value of one of Solace's value options: returns 0 if stored, 1 if the value is bad. */
static int take_value(const char *name, const char *value, options *opt, int64_t *seed) {
  const char **text = !strcmp(name, "family")        ? &opt->family
                      : !strcmp(name, "o")           ? &opt->output
                      : !strcmp(name, "coefficient") ? &opt->coefficient
                      : !strcmp(name, "progress")    ? &opt->progress
                      : !strcmp(name, "sort")        ? &opt->sort
                      : !strcmp(name, "solver")      ? &opt->solver
                                                     : NULL;
  if (text) return *text = value, 0;
  if (!strcmp(name, "n")) return parse_int("-n", value, 3, 65536, &opt->n);
  if (!strcmp(name, "count")) return parse_int("-count", value, 1, INT64_MAX / 2, &opt->count);
  if (!strcmp(name, "compress")) return parse_int("-compress", value, 0, 9, &opt->compress);
  if (!strcmp(name, "seed")) return parse_int("-seed", value, 0, INT64_MAX, seed);
  for (int r = 0; r < NREALS; r++)
    if (!strcmp(name, real_names[r])) opt->reals[r] = value;
  return 0;
}

/* Reads Solace's options; anything else is left to PETSc. Returns 0 on success. */
static int parse_options(int argc, char **argv, options *opt) {
  int64_t seed = 1;
  for (int k = 1; k < argc; k++) {
    const char *name = argv[k] + 1;
    if (argv[k][0] != '-' || take_flag(name, opt) || !is_value_option(name)) continue;
    if (k + 1 >= argc) {
      fprintf(stderr, "solace-generate: error: option %s needs a value\n", argv[k]);
      return 1;
    }
    if (take_value(name, argv[++k], opt, &seed)) return 1;
  }
  opt->seed = (uint64_t)seed;
  if (opt->resume && opt->force) {
    fprintf(stderr, "solace-generate: error: -resume and -force exclude each other\n");
    return 1;
  }
  if (opt->skr_domain) opt->solver = "skr", opt->distributed = 1;
  if (strcmp(opt->solver, "family") && strcmp(opt->solver, "skr")) {
    fprintf(stderr, "solace-generate: error: -solver '%s' is not family or skr\n", opt->solver);
    return 1;
  }
  if (!opt->sort) opt->sort = strcmp(opt->solver, "skr") ? "none" : "auto";
  return 0;
}

/* Applies the family options of the command line. */
static int configure_pde(const options *opt, solace_pde pde) {
  for (int r = 0; r < NREALS; r++) {
    if (!opt->reals[r]) continue;
    char *end;
    double value = strtod(opt->reals[r], &end);
    if (end == opt->reals[r] || *end) {
      fprintf(stderr, "solace-generate: error: -%s '%s' is not a number\n", real_names[r],
              opt->reals[r]);
      return SOLACE_ERR_ARG;
    }
    int status = solace_pde_set_real(pde, real_names[r], value);
    if (status) return status;
  }
  if (opt->coefficient) {
    int status = solace_pde_set_string(pde, "coefficient", opt->coefficient);
    if (status) return status;
  }
  return solace_pde_set_distributed(pde, opt->distributed);
}

/* Maps -progress to a solace_progress_mode; -1 if unknown. */
static int progress_mode(const options *opt) {
  static const char *names[] = {"auto", "redraw", "lines", "silent"};
  if (opt->quiet) return SOLACE_PROGRESS_SILENT;
  for (int k = 0; k < 4; k++)
    if (!strcmp(opt->progress, names[k])) return k;
  fprintf(stderr, "solace-generate: error: -progress '%s' is not auto, redraw, lines or silent\n",
          opt->progress);
  return -1;
}

/* Maps -sort to a solace_skr_sort_method; -1 if unknown. */
static int sort_method(const options *opt) {
  static const char *names[] = {"none", "greedy", "hilbert", "auto"};
  for (int k = 0; k < 4; k++)
    if (!strcmp(opt->sort, names[k])) return k;
  fprintf(stderr, "solace-generate: error: -sort '%s' is not none, greedy, hilbert or auto\n",
          opt->sort);
  return -1;
}

/* Prints the closing paragraph: what was written and the solve figures. */
static void print_summary(const options *opt, solace_pde pde, solace_generate gen,
                          const char *path) {
  int64_t solved, skipped;
  double mean_its, mean_seconds, wall, rtol;
  char ksp[64], pc[64];
  solace_generate_get_summary(gen, &solved, &skipped, &mean_its, &mean_seconds, &wall);
  solace_pde_get_solver(pde, ksp, pc, sizeof ksp, &rtol);
  printf("solace-generate: %s holds %" PRId64 " %s samples on a %" PRId64 "x%" PRId64
         " grid (%" PRId64 " solved now, %" PRId64 " already on disk).\n",
         path, solved + skipped, opt->family, opt->n, opt->n, solved, skipped);
  if (solved > 0)
    printf("Solver %s + %s, rtol %.1e: mean %.1f iterations and %.3g ms per solve; "
           "%.2f s wall, %.1f samples/s.\n",
           ksp, pc, rtol, mean_its, 1e3 * mean_seconds, wall, (double)solved / wall);
  int64_t unconverged = 0;
  solace_generate_get_unconverged(gen, &unconverged);
  if (unconverged > 0)
    printf("%" PRId64 " sample(s) missed rtol and were kept (-keep_unconverged): their true "
           "residuals are in /stats/residual.\n",
           unconverged);
}

/* Builds the family and the job from the options and runs it. */
static int generate(const options *opt, const char *path, int rank) {
  solace_pde pde = NULL;
  solace_generate gen = NULL;
  int mode = opt->resume ? SOLACE_STORE_RESUME
                         : (opt->force ? SOLACE_STORE_OVERWRITE : SOLACE_STORE_CREATE);
  int status = solace_pde_create(opt->family, opt->n, &pde);
  if (!status) status = configure_pde(opt, pde);
  if (!status) status = solace_generate_create(pde, opt->count, opt->seed, &gen);
  if (!status) status = solace_generate_set_output(gen, path, mode);
  if (!status) status = solace_generate_set_progress(gen, progress_mode(opt));
  if (!status) status = solace_generate_set_compression(gen, (int)opt->compress);
  if (!status) status = solace_generate_set_sort(gen, sort_method(opt));
  if (!status)
    status =
        solace_generate_set_solver(gen, strcmp(opt->solver, "skr") ? SOLACE_GENERATE_SOLVER_FAMILY
                                                                   : SOLACE_GENERATE_SOLVER_SKR);
  if (!status) status = solace_generate_set_warm_start(gen, opt->warm_start);
  if (!status) status = solace_generate_set_keep_unconverged(gen, opt->keep_unconverged);
  if (!status) status = solace_generate_run(gen);
  if (!status && rank == 0 && !opt->quiet) print_summary(opt, pde, gen, path);
  solace_generate_destroy(&gen);
  solace_pde_destroy(&pde);
  return status;
}

/* Prints the failure: the message, then the call chain it came through on a second line. */
static void print_error(int status) {
  const char *message = solace_error_message(), *trace = strstr(message, " <- ");
  int length = trace ? (int)(trace - message) : (int)strlen(message);
  fprintf(stderr, "solace-generate: error: %.*s (%s)\n", length, message,
          solace_status_string(status));
  if (trace) fprintf(stderr, "  in %s\n", trace + 4);
}

/* Marks Solace's own options of the command line as read, so PETSc does not list them. */
static void mark_own_options(int argc, char **argv) {
  for (int k = 1; k < argc; k++)
    if (argv[k][0] == '-' && (is_value_option(argv[k] + 1) || is_flag(argv[k] + 1)))
      solace_options_mark_used(argv[k]);
}

/* Warns about options that nothing read: a typo, or an option of a solver not in use. */
static void warn_unused_options(void) {
  char names[512];
  int64_t count = 0;
  if (solace_options_unused(names, sizeof names, &count) == SOLACE_SUCCESS && count > 0)
    fprintf(stderr, "solace-generate: warning: %lld option(s) were not used: %s\n",
            (long long)count, names);
}

/* True if the command line asks for help. */
static int wants_help(int argc, char **argv) {
  for (int k = 1; k < argc; k++)
    if (!strcmp(argv[k], "-help") || !strcmp(argv[k], "--help") || !strcmp(argv[k], "-h")) return 1;
  return 0;
}

int main(int argc, char **argv) {
  if (wants_help(argc, argv)) {
    const char *rank = getenv("OMPI_COMM_WORLD_RANK");
    if (!rank || !strcmp(rank, "0")) print_usage();
    return 0;
  }
  options opt = {.family = "darcy",
                 .progress = "auto",
                 .solver = "family",
                 .n = 64,
                 .count = 100,
                 .compress = 4};
  if (parse_options(argc, argv, &opt)) return 1;
  if (progress_mode(&opt) < 0 || sort_method(&opt) < 0) return 1;
  char default_path[64];
  snprintf(default_path, sizeof default_path, "%s.h5", opt.family);
  const char *path = opt.output ? opt.output : default_path;
  int rank = 0;
  int status = solace_initialize(&argc, &argv);
  if (!status) status = solace_mpi_rank(&rank);
  /* One BLAS thread per process unless the user chose otherwise (see solace_set_blas_threads). */
  if (!status && !getenv("OPENBLAS_NUM_THREADS")) status = solace_set_blas_threads(1);
  if (!status) mark_own_options(argc, argv);
  if (!status) status = generate(&opt, path, rank);
  if (!status && rank == 0) warn_unused_options();
  if (status && rank == 0) print_error(status);
  solace_finalize();
  return status ? 1 : 0;
}
