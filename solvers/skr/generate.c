/* Dataset generation: draw, solve and store every sample of a PDE family, resumably, with the
 * samples dealt over MPI ranks and written by rank 0. */
#include "solace-impl.h"
#include "solace/generate.h"
#include "solace/petsc.h"
#include "solace/skr.h"
#include "solace/store.h"
#include "operators/pde/pde-impl.h"

#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct solace_generate_s {
  solace_pde pde;
  int64_t count;
  uint64_t seed;
  char *path;
  int mode, progress_mode, compression, sort, solver, warm_start, keep_unconverged;
  /* figures of the last run */
  int64_t solved, skipped, unconverged;
  double sum_iterations, sum_seconds, wall_seconds;
};

/* What one rank sends to rank 0 for one sample: a header and the fields, packed in doubles. */
enum {
  HEADER_INDEX,
  HEADER_STATUS,
  HEADER_ITERATIONS,
  HEADER_SECONDS,
  HEADER_RESIDUAL,
  HEADER_UNCONVERGED, /* 1: kept although the solve missed its tolerance */
  HEADER_SIZE
};

/* The part of a run shared by its helpers. */
typedef struct {
  solace_generate gen;
  solace_store store; /* rank 0 only */
  int rank, size;
  int64_t field_size, nparams, record_size;
  int64_t *pending, npending;
  double *record, *records; /* own record; all ranks' records on rank 0 */
  solace_progress progress;
  int created; /* rank 0 created the file in this run */
} run_state;

int solace_generate_create(solace_pde pde, int64_t count, uint64_t seed, solace_generate *gen) {
  solace_error_clear();
  SolaceCheckNotNull(gen);
  *gen = NULL;
  SolaceCheckNotNull(pde);
  SolaceCheck(count > 0, SOLACE_ERR_ARG, "count = %lld must be positive", (long long)count);
  solace_generate g;
  SolaceCall(SolaceCalloc(1, &g));
  g->pde = pde;
  g->count = count;
  g->seed = seed;
  g->mode = SOLACE_STORE_CREATE;
  g->progress_mode = SOLACE_PROGRESS_AUTO;
  g->compression = 4;
  *gen = g;
  return SOLACE_SUCCESS;
}

int solace_generate_destroy(solace_generate *gen) {
  if (!gen || !*gen) return SOLACE_SUCCESS;
  free((*gen)->path);
  free(*gen);
  *gen = NULL;
  return SOLACE_SUCCESS;
}

int solace_generate_set_output(solace_generate gen, const char *path, int mode) {
  solace_error_clear();
  SolaceCheck(gen && path, SOLACE_ERR_ARG, "gen and path must not be NULL");
  SolaceCheck(path[0] != '\0', SOLACE_ERR_ARG, "path is empty");
  SolaceCheck(mode >= SOLACE_STORE_CREATE && mode <= SOLACE_STORE_RESUME, SOLACE_ERR_ARG,
              "mode %d is not a solace_store_mode", mode);
  char *copy = strdup(path);
  SolaceCheck(copy, SOLACE_ERR_MEM, "cannot copy path");
  free(gen->path);
  gen->path = copy;
  gen->mode = mode;
  return SOLACE_SUCCESS;
}

int solace_generate_set_progress(solace_generate gen, int mode) {
  solace_error_clear();
  SolaceCheckNotNull(gen);
  SolaceCheck(mode >= SOLACE_PROGRESS_AUTO && mode <= SOLACE_PROGRESS_SILENT, SOLACE_ERR_ARG,
              "mode %d is not a solace_progress_mode", mode);
  gen->progress_mode = mode;
  return SOLACE_SUCCESS;
}

int solace_generate_set_sort(solace_generate gen, int method) {
  solace_error_clear();
  SolaceCheckNotNull(gen);
  SolaceCheck(method >= SOLACE_SKR_SORT_NONE && method <= SOLACE_SKR_SORT_AUTO, SOLACE_ERR_ARG,
              "method %d is not a solace_skr_sort_method", method);
  gen->sort = method;
  return SOLACE_SUCCESS;
}

int solace_generate_set_solver(solace_generate gen, int solver) {
  solace_error_clear();
  SolaceCheckNotNull(gen);
  SolaceCheck(solver == SOLACE_GENERATE_SOLVER_FAMILY || solver == SOLACE_GENERATE_SOLVER_SKR,
              SOLACE_ERR_ARG, "solver %d is not a solace_generate_solver", solver);
  gen->solver = solver;
  return SOLACE_SUCCESS;
}

int solace_generate_set_warm_start(solace_generate gen, int on) {
  solace_error_clear();
  SolaceCheckNotNull(gen);
  gen->warm_start = on != 0;
  return SOLACE_SUCCESS;
}

int solace_generate_set_keep_unconverged(solace_generate gen, int on) {
  solace_error_clear();
  SolaceCheckNotNull(gen);
  gen->keep_unconverged = on != 0;
  return SOLACE_SUCCESS;
}

int solace_generate_get_unconverged(solace_generate gen, int64_t *count) {
  solace_error_clear();
  SolaceCheck(gen && count, SOLACE_ERR_ARG, "gen and count must not be NULL");
  *count = gen->unconverged;
  return SOLACE_SUCCESS;
}

int solace_generate_set_compression(solace_generate gen, int level) {
  solace_error_clear();
  SolaceCheckNotNull(gen);
  SolaceCheck(level >= 0 && level <= 9, SOLACE_ERR_ARG, "deflate level %d is not in [0, 9]", level);
  gen->compression = level;
  return SOLACE_SUCCESS;
}

int solace_generate_get_summary(solace_generate gen, int64_t *solved, int64_t *skipped,
                                double *mean_iterations, double *mean_seconds,
                                double *wall_seconds) {
  solace_error_clear();
  SolaceCheckNotNull(gen);
  double n = gen->solved > 0 ? (double)gen->solved : NAN;
  if (solved) *solved = gen->solved;
  if (skipped) *skipped = gen->skipped;
  if (mean_iterations) *mean_iterations = gen->sum_iterations / n;
  if (mean_seconds) *mean_seconds = gen->sum_seconds / n;
  if (wall_seconds) *wall_seconds = gen->wall_seconds;
  return SOLACE_SUCCESS;
}

/* Makes every rank return the status of the lowest rank that failed, with that rank's message. */
static int agree_on_status(int status, MPI_Comm comm) {
  int rank, size, first_failed;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  int mine = status ? rank : size;
  MPI_Allreduce(&mine, &first_failed, 1, MPI_INT, MPI_MIN, comm);
  if (first_failed == size) return SOLACE_SUCCESS;
  char message[1024];
  snprintf(message, sizeof message, "%s", solace_error_message());
  MPI_Bcast(&status, 1, MPI_INT, first_failed, comm);
  MPI_Bcast(message, sizeof message, MPI_CHAR, first_failed, comm);
  if (rank != first_failed)
    solace_error_set(status, "generate", "rank %d: %s", first_failed, message);
  return status;
}

/* Compares a numeric attribute of a resumed file with this run's value. */
static int check_same_double(solace_store store, const char *name, double expected) {
  double found;
  SolaceCall(solace_store_get_attribute_double(store, name, &found));
  SolaceCheck(found == expected, SOLACE_ERR_FORMAT,
              "the file was generated with %s = %.17g, this run asks for %.17g", name, found,
              expected);
  return SOLACE_SUCCESS;
}

/* Compares a string attribute of a resumed file with this run's value. */
static int check_same_string(solace_store store, const char *name, const char *expected) {
  char found[256];
  SolaceCall(solace_store_get_attribute_string(store, name, found, sizeof found));
  SolaceCheck(strcmp(found, expected) == 0, SOLACE_ERR_FORMAT,
              "the file was generated with %s = '%s', this run asks for '%s'", name, found,
              expected);
  return SOLACE_SUCCESS;
}

/* Compares an integer attribute of a resumed file with this run's value. */
static int check_same_int(solace_store store, const char *name, int64_t expected) {
  int64_t found;
  SolaceCall(solace_store_get_attribute_int(store, name, &found));
  SolaceCheck(found == expected, SOLACE_ERR_FORMAT,
              "the file was generated with %s = %lld, this run asks for %lld", name,
              (long long)found, (long long)expected);
  return SOLACE_SUCCESS;
}

/* Writes (fresh file) or checks (resumed file) every attribute that determines the samples. */
static int record_recipe(solace_store store, solace_generate gen, int fresh) {
  solace_pde pde = gen->pde;
  uint64_t seed = gen->seed;
  char ksp[64], pc[64];
  double rtol;
  SolaceCall(solace_pde_get_solver(pde, ksp, pc, sizeof ksp, &rtol));
  int (*put_d)(solace_store, const char *, double) =
      fresh ? solace_store_set_attribute_double : check_same_double;
  int (*put_s)(solace_store, const char *, const char *) =
      fresh ? solace_store_set_attribute_string : check_same_string;
  SolaceCall(fresh ? solace_store_set_attribute_int(store, "seed", (int64_t)seed)
                   : check_same_int(store, "seed", (int64_t)seed));
  if (pde->coefficient[0]) SolaceCall(put_s(store, "coefficient", pde->coefficient));
  for (int k = 0; k < pde->nreals; k++)
    SolaceCall(put_d(store, pde->reals[k].name, pde->reals[k].value));
  /* The solver may differ between runs of one file: it does not change what the samples are. */
  if (!fresh) return SOLACE_SUCCESS;
  SolaceCall(solace_store_set_attribute_string(store, "discretization", pde->ops->discretization));
  SolaceCall(solace_store_set_attribute_string(store, "ksp_type", ksp));
  SolaceCall(solace_store_set_attribute_string(store, "pc_type", pc));
  SolaceCall(solace_store_set_attribute_double(store, "rtol", rtol));
  SolaceCall(solace_store_set_attribute_string(
      store, "solver", gen->solver == SOLACE_GENERATE_SOLVER_SKR ? "skr" : "family"));
  SolaceCall(solace_store_set_attribute_int(store, "warm_start", gen->warm_start));
  return SOLACE_SUCCESS;
}

/* Draws every sample's input and params as its features (params after the field). */
static int draw_features(solace_generate gen, int64_t dim, int64_t field_size, double *features) {
  for (int64_t i = 0; i < gen->count; i++) {
    double *f = features + i * dim;
    SolaceCall(solace_pde_sample(gen->pde, gen->seed, i, f, f + field_size));
  }
  return SOLACE_SUCCESS;
}

/* Sorts the samples by their inputs and writes the order and the sort's cost to the file. */
static int sort_samples(run_state *run) {
  static const char *const names[] = {"none", "greedy", "hilbert", "auto"};
  solace_generate gen = run->gen;
  int64_t dim = run->field_size + run->nparams, *order = NULL;
  double *features = NULL, start = solace_wtime();
  int status = SolaceCalloc(gen->count * dim, &features);
  if (!status) status = SolaceCalloc(gen->count, &order);
  if (!status) status = draw_features(gen, dim, run->field_size, features);
  if (!status) status = solace_skr_sort(features, gen->count, dim, gen->sort, order);
  if (!status) status = solace_store_write_order(run->store, order);
  if (!status) status = solace_store_set_attribute_string(run->store, "sort", names[gen->sort]);
  if (!status)
    status = solace_store_set_attribute_double(run->store, "sort_seconds", solace_wtime() - start);
  free(features), free(order);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* Opens the store (rank 0) and lists the samples still to solve, in solve order. */
static int open_store(run_state *run) {
  solace_generate gen = run->gen;
  int ndim;
  int64_t grid[3], ndone, seed;
  char family[32];
  SolaceCheck(gen->path, SOLACE_ERR_STATE, "no output file: call solace_generate_set_output()");
  SolaceCall(solace_pde_get_grid(gen->pde, &ndim, grid));
  SolaceCall(solace_pde_get_family(gen->pde, family, sizeof family));
  SolaceCall(solace_store_create(gen->path, family, gen->count, ndim, grid, run->nparams, gen->mode,
                                 &run->store));
  SolaceCall(solace_store_count_done(run->store, &ndone));
  int fresh = solace_store_get_attribute_int(run->store, "seed", &seed) != SOLACE_SUCCESS;
  run->created = fresh;
  SolaceCheck(!fresh || ndone == 0, SOLACE_ERR_FORMAT,
              "%s holds %lld samples but no generation recipe (seed, options)", gen->path,
              (long long)ndone);
  solace_error_clear();
  SolaceCall(record_recipe(run->store, gen, fresh));
  if (fresh && gen->sort != SOLACE_SKR_SORT_NONE) SolaceCall(sort_samples(run));
  return SOLACE_SUCCESS;
}

/* Lists, on rank 0, the samples not yet done, in the file's solve order. */
static int list_pending(run_state *run) {
  int64_t count = run->gen->count, *order = NULL;
  int *done = NULL, status = SOLACE_SUCCESS;
  SolaceCallGoto(status, out, SolaceCalloc(count, &order));
  SolaceCallGoto(status, out, SolaceCalloc(count, &done));
  SolaceCallGoto(status, out, solace_store_read_order(run->store, order));
  SolaceCallGoto(status, out, solace_store_read_done(run->store, done));
  run->npending = 0;
  for (int64_t k = 0; k < count; k++)
    if (!done[order[k]]) run->pending[run->npending++] = order[k];
out:
  free(order);
  free(done);
  return status;
}

/* Draws and solves one sample into a record: header, input, output, params. */
static int solve_into_record(run_state *run, int64_t index, double *record) {
  solace_generate gen = run->gen;
  double *input = record + HEADER_SIZE, *output = input + run->field_size;
  double *params = output + run->field_size, residual = NAN;
  int64_t iterations = 0;
  record[HEADER_INDEX] = (double)index;
  SolaceCall(solace_pde_sample(gen->pde, gen->seed, index, input, params));
  double start = solace_wtime();
  int status = solace_pde_solve(gen->pde, input, params, output, &iterations, &residual);
  record[HEADER_SECONDS] = solace_wtime() - start;
  record[HEADER_ITERATIONS] = (double)iterations;
  record[HEADER_RESIDUAL] = residual;
  record[HEADER_UNCONVERGED] = 0;
  if (status == SOLACE_ERR_NOT_CONVERGED && gen->keep_unconverged && isfinite(residual)) {
    solace_error_clear(); /* kept: its residual in /stats/residual says it missed rtol */
    record[HEADER_UNCONVERGED] = 1;
    return SOLACE_SUCCESS;
  }
  if (status) return solace_error_trace(status, __func__);
  return SOLACE_SUCCESS;
}

/* Writes one solved record to the store (rank 0) and counts it in the summary and progress. */
static int store_record(run_state *run, const double *record) {
  const double *input = record + HEADER_SIZE, *output = input + run->field_size;
  const double *params = run->nparams ? output + run->field_size : NULL;
  solace_generate gen = run->gen;
  SolaceCall(solace_store_write_sample(run->store, (int64_t)record[HEADER_INDEX], input, output,
                                       params, (int64_t)record[HEADER_ITERATIONS],
                                       record[HEADER_SECONDS], record[HEADER_RESIDUAL]));
  gen->solved++;
  gen->unconverged += record[HEADER_UNCONVERGED] != 0;
  gen->sum_iterations += record[HEADER_ITERATIONS];
  gen->sum_seconds += record[HEADER_SECONDS];
  char note[64];
  snprintf(note, sizeof note, "mean its %.1f", gen->sum_iterations / (double)gen->solved);
  SolaceCall(solace_progress_update(run->progress, gen->skipped + gen->solved, note));
  return SOLACE_SUCCESS;
}

/* True when each rank should solve a contiguous chunk of the solve order. */
static int uses_chunks(const run_state *run) {
  return run->gen->solver == SOLACE_GENERATE_SOLVER_SKR || run->gen->warm_start;
}

/* Position in the pending list of the system `rank` solves in round `round`, or -1. */
static int64_t assigned_position(const run_state *run, int64_t round, int rank) {
  if (!uses_chunks(run)) {
    int64_t position = round * run->size + rank;
    return position < run->npending ? position : -1;
  }
  int64_t first = run->npending * rank / run->size, end = run->npending * (rank + 1) / run->size;
  return first + round < end ? first + round : -1;
}

/* Number of rounds of independent solves: the largest share of one rank. */
static int64_t round_count(const run_state *run) {
  return (run->npending + run->size - 1) / run->size;
}

/* One round of independent solves: each rank solves its assigned system; rank 0 stores them. */
static int solve_round(run_state *run, int64_t round) {
  int64_t mine = assigned_position(run, round, run->rank);
  int status = SOLACE_SUCCESS;
  run->record[HEADER_INDEX] = -1;
  run->record[HEADER_STATUS] = 0;
  if (mine >= 0) status = solve_into_record(run, run->pending[mine], run->record);
  run->record[HEADER_STATUS] = status;
  MPI_Gather(run->record, (int)run->record_size, MPI_DOUBLE, run->records, (int)run->record_size,
             MPI_DOUBLE, 0, MPI_COMM_WORLD);
  for (int r = 0; run->rank == 0 && r < run->size; r++) {
    const double *record = run->records + (int64_t)r * run->record_size;
    if (record[HEADER_INDEX] < 0 || record[HEADER_STATUS] != 0) continue;
    int write_status = store_record(run, record);
    if (write_status && !status) status = write_status;
  }
  return agree_on_status(status, MPI_COMM_WORLD);
}

/* One system solved by all ranks together; rank 0 stores it. */
static int solve_distributed(run_state *run, int64_t position) {
  int status = solve_into_record(run, run->pending[position], run->record);
  if (!status && run->rank == 0) status = store_record(run, run->record);
  return agree_on_status(status, MPI_COMM_WORLD);
}

/* Makes the pde's KSP GCRO-DR, right-preconditioned (so that convergence bounds the true
 * residual), keeping its PC; PETSc options given for the solver still override. */
static int configure_skr(solace_pde pde) {
  SolacePetscCall(KSPSetType(pde->ksp, SOLACE_KSPGCRODR));
  SolacePetscCall(KSPSetPCSide(pde->ksp, PC_RIGHT));
  SolacePetscCall(KSPSetFromOptions(pde->ksp));
  return SOLACE_SUCCESS;
}

/* Checks what KSPSetUp would only check at the first solve (after the file exists): the
 * recycled dimension of a gcrodr KSP against its restart. */
static int check_solver(solace_pde pde) {
  PetscBool gcrodr;
  PetscInt m, k;
  SolacePetscCall(PetscObjectTypeCompare((PetscObject)pde->ksp, SOLACE_KSPGCRODR, &gcrodr));
  if (!gcrodr) return SOLACE_SUCCESS;
  SolacePetscCall(SolaceKSPGCRODRGetRestart(pde->ksp, &m));
  SolacePetscCall(SolaceKSPGCRODRGetRecycle(pde->ksp, &k));
  SolaceCheck(k < m, SOLACE_ERR_ARG,
              "gcrodr: the recycled dimension k = %d must be smaller than the restart m = %d",
              (int)k, (int)m);
  return SOLACE_SUCCESS;
}

/* Sets up the pde's solver for the job: SKR and the warm start. */
static int configure_solver(solace_generate gen) {
  if (gen->solver == SOLACE_GENERATE_SOLVER_SKR) SolaceCall(configure_skr(gen->pde));
  SolaceCall(solace_pde_set_warm_start(gen->pde, gen->warm_start));
  SolaceCall(check_solver(gen->pde));
  return SOLACE_SUCCESS;
}

/* Allocates the run's buffers; rank 0 opens the store and lists the pending samples. */
static int prepare_run(run_state *run) {
  solace_generate gen = run->gen;
  int ndim, status = SOLACE_SUCCESS;
  int64_t grid[3];
  SolaceCall(solace_pde_get_grid(gen->pde, &ndim, grid));
  SolaceCall(solace_pde_get_nparams(gen->pde, &run->nparams));
  run->field_size = grid[0] * grid[1] * grid[2];
  run->record_size = HEADER_SIZE + 2 * run->field_size + run->nparams;
  SolaceCall(SolaceCalloc(gen->count, &run->pending));
  SolaceCall(SolaceCalloc(run->record_size, &run->record));
  if (run->rank == 0) SolaceCall(SolaceCalloc(run->record_size * run->size, &run->records));
  if (run->rank == 0) {
    status = open_store(run);
    if (!status) status = list_pending(run);
  }
  SolaceCall(agree_on_status(status, MPI_COMM_WORLD));
  MPI_Bcast(&run->npending, 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
  MPI_Bcast(run->pending, (int)run->npending, MPI_INT64_T, 0, MPI_COMM_WORLD);
  gen->skipped = gen->count - run->npending;
  if (run->rank == 0) {
    SolaceCall(solace_progress_create("generate", gen->count, gen->skipped, &run->progress));
    SolaceCall(solace_progress_set_mode(run->progress, gen->progress_mode, 10.0));
  }
  return SOLACE_SUCCESS;
}

/* Closes the store, releases the buffers and shares rank 0's summary with every rank. */
static int finish_run(run_state *run, int status) {
  solace_generate gen = run->gen;
  if (run->progress && !status) solace_progress_finish(run->progress);
  solace_progress_destroy(&run->progress);
  int close_status = solace_store_destroy(&run->store);
  if (!status && close_status) status = close_status;
  /* A run that failed before its first sample leaves no empty file of its own behind. */
  if (status && run->rank == 0 && run->created && gen->solved == 0) remove(gen->path);
  if (!status && run->rank == 0 && gen->compression > 0)
    status = solace_store_compress(gen->path, gen->compression);
  free(run->pending);
  free(run->record);
  free(run->records);
  double figures[4] = {(double)gen->solved, gen->sum_iterations, gen->sum_seconds,
                       (double)gen->unconverged};
  MPI_Bcast(figures, 4, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  gen->solved = (int64_t)figures[0];
  gen->unconverged = (int64_t)figures[3];
  gen->sum_iterations = figures[1];
  gen->sum_seconds = figures[2];
  return agree_on_status(status, MPI_COMM_WORLD);
}

int solace_generate_run(solace_generate gen) {
  solace_error_clear();
  SolaceCheckNotNull(gen);
  run_state run = {.gen = gen};
  MPI_Comm_rank(MPI_COMM_WORLD, &run.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &run.size);
  double start = solace_wtime();
  gen->solved = gen->skipped = gen->unconverged = 0;
  gen->sum_iterations = gen->sum_seconds = 0;
  int status = agree_on_status(configure_solver(gen), MPI_COMM_WORLD);
  if (!status) status = prepare_run(&run);
  if (gen->pde->distributed)
    for (int64_t k = 0; !status && k < run.npending; k++) status = solve_distributed(&run, k);
  else
    for (int64_t k = 0; !status && k < round_count(&run); k++) status = solve_round(&run, k);
  status = finish_run(&run, status);
  gen->wall_seconds = solace_wtime() - start;
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}
