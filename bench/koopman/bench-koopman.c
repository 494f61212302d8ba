/* bench-koopman: Solace's EDMD + ResDMD residuals + grid pseudospectrum against a
 * straightforward numpy/scipy implementation (bench/koopman/baseline.py) on the same data,
 * alternating Solace and numpy runs, checking that both give the same eigenvalues, residuals
 * and tau (eigenpairs with residual <= 0.1: eigenvalue and residual within 1e-6; tau within
 * 1e-6 relative), and printing median times and ratios.
 *
 * Data: M snapshot pairs of the circle map x -> x + 1 + 0.3 sin(x) (mod 2 pi) from uniform
 * samples; Fourier dictionary of degree k (N = 2k + 1 functions). Grid: G x G points over
 * [-1.5, 1.5]^2; where numpy would need hours (N >= 500), an evenly strided subset of P
 * points is evaluated by both and the times are also given per full grid (scaled by G^2 / P).
 * The pseudospectrum is evaluated for the first M of the list only (its cost does not depend
 * on M). With MPI (mpiexec -n 2) Solace's pseudospectrum is split over the ranks; the other
 * ranks wait without spinning while numpy runs.
 *
 * Solace runs with its default factorization (SOLACE_KOOPMAN_QR_AUTO: the Gram path on these
 * tall, well-conditioned data; the row names the path used); with -qr, each repetition also
 * times compute() with SOLACE_KOOPMAN_QR_HOUSEHOLDER (residuals accurate to eps) and prints a
 * "QR" row checked against numpy the same way.
 *
 * usage: bench-koopman [-quick] [-m 10000,100000] [-n 100,500,1000] [-points 10000,100,20]
 *                      [-grid 100] [-reps 2] [-qr] [-workdir DIR] */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <mpi.h>
#include <stdint.h>
#include <time.h>

#include "bench-util.h"
#include "solace.h"

enum { MAX_CASES = 8, MAX_REPS = 9 };
static const double TWO_PI = 6.283185307179586;

typedef struct {
  int64_t m[MAX_CASES], n[MAX_CASES], points[MAX_CASES];
  int n_m, n_n, n_points, grid, reps, quick, qr;
  char workdir[256];
} options;

/* Results of one run (Solace or numpy). */
typedef struct {
  double t_edmd, t_res, t_ps; /* numpy: EDMD, residuals, grid; Solace: compute() in t_edmd */
  int64_t r;
  int used; /* Solace: the factorization used (solace_koopman_get_qr) */
  double *lambda, *res, *tau;
} run_result;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int parse_list(const char *arg, int64_t *out) {
  int count = 0;
  for (const char *p = arg; *p && count < MAX_CASES; count++) {
    char *end;
    out[count] = strtoll(p, &end, 10);
    if (end == p || out[count] <= 0) return -1;
    p = *end == ',' ? end + 1 : end;
  }
  return count;
}

static int parse_options(int argc, char **argv, options *o) {
  *o = (options){.m = {10000, 100000}, .n = {100, 500, 1000}, .points = {10000, 100, 20}};
  o->n_m = 2, o->n_n = 3, o->n_points = 3, o->grid = 100, o->reps = 2;
  snprintf(o->workdir, sizeof o->workdir, "%s", "/tmp");
  for (int i = 1; i < argc; i++) {
    const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(opt, "-quick")) {
      o->quick = 1, o->m[0] = 2000, o->n[0] = 21, o->n[1] = 41, o->points[0] = o->points[1] = 400;
      o->n_m = 1, o->n_n = 2, o->n_points = 2, o->grid = 20, o->reps = 1, o->qr = 1;
    } else if (val && !strcmp(opt, "-m"))
      o->n_m = parse_list(argv[++i], o->m);
    else if (val && !strcmp(opt, "-n"))
      o->n_n = parse_list(argv[++i], o->n);
    else if (val && !strcmp(opt, "-points"))
      o->n_points = parse_list(argv[++i], o->points);
    else if (val && !strcmp(opt, "-grid"))
      o->grid = atoi(argv[++i]);
    else if (!strcmp(opt, "-qr"))
      o->qr = 1;
    else if (val && !strcmp(opt, "-reps"))
      o->reps = atoi(argv[++i]);
    else if (val && !strcmp(opt, "-workdir"))
      snprintf(o->workdir, sizeof o->workdir, "%s", argv[++i]);
    else {
      fprintf(stderr, "bench-koopman: unknown or incomplete option %s\n", opt);
      return -1;
    }
  }
  if (o->n_m < 1 || o->n_n < 1 || o->n_points != o->n_n || o->grid < 2 || o->reps < 1 ||
      o->reps > MAX_REPS) {
    fprintf(stderr, "bench-koopman: bad sizes (-points needs one entry per -n)\n");
    return -1;
  }
  return 0;
}

/* Writes doubles to a file; 0 on success. */
static int write_doubles(const char *path, const double *head, int nh, const double *a, int64_t na,
                         const double *b, int64_t nb) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  int ok = fwrite(head, sizeof(double), nh, f) == (size_t)nh &&
           fwrite(a, sizeof(double), na, f) == (size_t)na &&
           (!nb || fwrite(b, sizeof(double), nb, f) == (size_t)nb);
  return fclose(f) || !ok ? -1 : 0;
}

/* Circle-map data: x uniform in [0, 2 pi), y = x + 1 + 0.3 sin(x) mod 2 pi. */
static int make_data(int64_t m, double *x, double *y) {
  if (solace_rand_uniform(7, 0, 0, m, x)) return -1;
  for (int64_t j = 0; j < m; j++) {
    x[j] *= TWO_PI;
    y[j] = fmod(x[j] + 1 + 0.3 * sin(x[j]), TWO_PI);
  }
  return 0;
}

/* The P evenly strided points of the G x G grid over [-1.5, 1.5]^2 (interleaved re, im). */
static void make_points(int grid, int64_t p, double *z) {
  for (int64_t j = 0; j < p; j++) {
    int64_t idx = j * grid * grid / p, a = idx % grid, b = idx / grid;
    z[2 * j] = -1.5 + 3.0 * a / (grid - 1), z[2 * j + 1] = -1.5 + 3.0 * b / (grid - 1);
  }
}

static int run_solace(int64_t m, int64_t degree, int qr, const double *x, const double *y,
                      int64_t p, const double *z, run_result *out) {
  solace_koopman k = NULL;
  int status = solace_koopman_create(&k);
  if (!status)
    status = solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_FOURIER, degree,
                                           SOLACE_KOOPMAN_TOTAL_DEGREE);
  if (!status) status = solace_koopman_set_qr(k, qr);
  if (!status) status = solace_koopman_set_data(k, 1, m, x, 1, m, y, 1, NULL);
  double t0 = now();
  if (!status) status = solace_koopman_compute(k);
  double t1 = now();
  if (!status) status = solace_koopman_get_size(k, NULL, &out->r);
  if (!status)
    out->lambda = malloc(sizeof(double) * 2 * out->r), out->res = malloc(sizeof(double) * out->r);
  if (!status) status = solace_koopman_get_eigenvalues(k, out->lambda);
  if (!status) status = solace_koopman_get_residuals(k, out->res);
  if (!status) status = solace_koopman_get_qr(k, &out->used);
  out->tau = malloc(sizeof(double) * (p + 1));
  double t2 = now();
  if (!status && p) status = solace_koopman_pseudospectrum(k, p, z, out->tau);
  double t3 = now();
  out->t_edmd = t1 - t0, out->t_res = 0, out->t_ps = t3 - t2;
  solace_koopman_destroy(&k);
  if (status) fprintf(stderr, "bench-koopman: %s\n", solace_error_message());
  return status;
}

/* Waits for rank 0 without spinning (numpy runs on rank 0 meanwhile). */
static void quiet_barrier(void) {
  MPI_Request req;
  int done = 0;
  MPI_Ibarrier(MPI_COMM_WORLD, &req);
  while (!done) {
    MPI_Test(&req, &done, MPI_STATUS_IGNORE);
    if (!done) nanosleep(&(struct timespec){0, 10000000}, NULL);
  }
}

/* Runs baseline.py on rank 0 and reads its results. */
static int run_numpy(const options *o, int64_t p, run_result *out) {
  char cmd[1024], data[300], pts[300], res[300];
  snprintf(data, sizeof data, "%s/bench-koopman-data.bin", o->workdir);
  snprintf(pts, sizeof pts, "%s/bench-koopman-points.bin", o->workdir);
  snprintf(res, sizeof res, "%s/bench-koopman-numpy.bin", o->workdir);
  snprintf(cmd, sizeof cmd, "%s %s/bench/koopman/baseline.py %s %s %s", SOLACE_BENCH_PYTHON,
           SOLACE_SOURCE_DIR, data, pts, res);
  if (system(cmd)) return fprintf(stderr, "bench-koopman: %s failed\n", cmd), -1;
  FILE *f = fopen(res, "rb");
  double head[4];
  if (!f || fread(head, sizeof(double), 4, f) != 4) return -1;
  out->t_edmd = head[0], out->t_res = head[1], out->t_ps = head[2], out->r = (int64_t)head[3];
  out->lambda = malloc(sizeof(double) * 2 * out->r), out->res = malloc(sizeof(double) * out->r);
  out->tau = malloc(sizeof(double) * (p + 1));
  int ok = fread(out->lambda, sizeof(double), 2 * out->r, f) == (size_t)(2 * out->r) &&
           fread(out->res, sizeof(double), out->r, f) == (size_t)out->r &&
           fread(out->tau, sizeof(double), p, f) == (size_t)p;
  fclose(f);
  return ok ? 0 : -1;
}

static void result_free(run_result *r) {
  free(r->lambda), free(r->res), free(r->tau);
  *r = (run_result){0};
}

/* Over the eigenpairs of a with residual <= 0.1 (those a residual certifies; spurious ones can
 * be ill-conditioned, so two stable algorithms may legitimately place them differently): the
 * largest distance to the nearest eigenvalue of b and the residual difference of that pair. */
static void compare_spectra(const run_result *a, const run_result *b, double *eig, double *res) {
  *eig = 0, *res = 0;
  for (int64_t i = 0; i < a->r; i++) {
    if (!(a->res[i] <= 0.1)) continue;
    double best = INFINITY;
    int64_t jb = 0;
    for (int64_t j = 0; j < b->r; j++) {
      double dist =
          hypot(a->lambda[2 * i] - b->lambda[2 * j], a->lambda[2 * i + 1] - b->lambda[2 * j + 1]);
      if (dist < best) best = dist, jb = j;
    }
    *eig = fmax(*eig, best), *res = fmax(*res, fabs(a->res[i] - b->res[jb]));
  }
}

static double tau_difference(const run_result *a, const run_result *b, int64_t p) {
  double worst = 0;
  for (int64_t j = 0; j < p; j++)
    worst = fmax(worst, fabs(a->tau[j] - b->tau[j]) / fmax(b->tau[j], 1e-300));
  return worst;
}

/* One (M, N) case, reps alternating runs; prints its rows. Returns the number of failed checks. */
static int run_case(const options *o, int64_t m, int64_t n, int64_t p, int rank, int size) {
  int64_t degree = (n - 1) / 2;
  double *x = malloc(sizeof(double) * m), *y = malloc(sizeof(double) * m),
         *z = malloc(sizeof(double) * 2 * (p + 1));
  double ts_edmd[MAX_REPS], ts_ps[MAX_REPS], tn_edmd[MAX_REPS], tn_res[MAX_REPS], tn_ps[MAX_REPS];
  double tq_edmd[MAX_REPS] = {0}, eig_err = 0, res_err = 0, tau_err = 0, qeig_err = 0, qres_err = 0;
  int used = 0;
  int failed = make_data(m, x, y);
  make_points(o->grid, p, z);
  if (!failed && rank == 0) {
    char path[300];
    double head[2] = {(double)m, (double)degree}, ph = (double)p;
    snprintf(path, sizeof path, "%s/bench-koopman-data.bin", o->workdir);
    failed = write_doubles(path, head, 2, x, m, y, m);
    snprintf(path, sizeof path, "%s/bench-koopman-points.bin", o->workdir);
    if (!failed) failed = write_doubles(path, &ph, 1, z, 2 * p, NULL, 0);
  }
  for (int rep = 0; rep < o->reps && !failed; rep++) {
    run_result s = {0}, np_run = {0}, q = {0};
    failed = run_solace(m, degree, SOLACE_KOOPMAN_QR_AUTO, x, y, p, z, &s);
    if (!failed && o->qr)
      failed = run_solace(m, degree, SOLACE_KOOPMAN_QR_HOUSEHOLDER, x, y, 0, z, &q);
    if (!failed && rank == 0) failed = run_numpy(o, p, &np_run);
    if (size > 1) { /* every rank stops with rank 0 (the pseudospectrum is collective) */
      quiet_barrier();
      MPI_Bcast(&failed, 1, MPI_INT, 0, MPI_COMM_WORLD);
    }
    if (!failed && rank == 0) {
      double e, r;
      compare_spectra(&s, &np_run, &e, &r);
      eig_err = fmax(eig_err, e), res_err = fmax(res_err, r);
      compare_spectra(&np_run, &s, &e, &r);
      eig_err = fmax(eig_err, e), res_err = fmax(res_err, r);
      tau_err = fmax(tau_err, tau_difference(&s, &np_run, p));
      failed = s.r != np_run.r;
      if (o->qr) {
        compare_spectra(&q, &np_run, &e, &r);
        qeig_err = fmax(qeig_err, e), qres_err = fmax(qres_err, r);
        compare_spectra(&np_run, &q, &e, &r);
        qeig_err = fmax(qeig_err, e), qres_err = fmax(qres_err, r);
        failed = failed || q.r != np_run.r;
      }
    }
    ts_edmd[rep] = s.t_edmd, ts_ps[rep] = s.t_ps, tq_edmd[rep] = q.t_edmd, used = s.used;
    tn_edmd[rep] = np_run.t_edmd, tn_res[rep] = np_run.t_res, tn_ps[rep] = np_run.t_ps;
    result_free(&s), result_free(&np_run), result_free(&q);
  }
  free(x), free(y), free(z);
  if (failed)
    return rank == 0 ? fprintf(stderr, "bench-koopman: case M=%lld N=%lld failed\n", (long long)m,
                               (long long)n),
           1         : 1;
  if (rank) return 0;
  double se = bench_median(ts_edmd, o->reps), ne = bench_median(tn_edmd, o->reps),
         nr = bench_median(tn_res, o->reps), sp = bench_median(ts_ps, o->reps),
         npp = bench_median(tn_ps, o->reps), full = (double)o->grid * o->grid / (double)(p ? p : 1);
  int agree = eig_err <= 1e-6 && res_err <= 1e-6 && (!p || tau_err <= 1e-6) &&
              (!o->qr || (qeig_err <= 1e-6 && qres_err <= 1e-6));
  const char *path = used == SOLACE_KOOPMAN_QR_GRAM       ? "Gram"
                     : used == SOLACE_KOOPMAN_QR_CHOLESKY ? "CholQR"
                                                          : "Hh QR";
  printf("%7lld %5lld  EDMD+res %-6s  %9.3f  %9.3f (%.3f + %.3f)  %6.2f  eig %.1e res %.1e\n",
         (long long)m, (long long)n, path, se, ne + nr, ne, nr, (ne + nr) / se, eig_err, res_err);
  if (o->qr) {
    double sq = bench_median(tq_edmd, o->reps);
    printf("%7lld %5lld  EDMD+res QR      %9.3f  %9.3f (%.3f + %.3f)  %6.2f  eig %.1e res %.1e\n",
           (long long)m, (long long)n, sq, ne + nr, ne, nr, (ne + nr) / sq, qeig_err, qres_err);
  }
  if (p)
    printf("%7lld %5lld  grid %6lld pts  %9.3f  %9.3f                  %6.2f  tau %.1e (rel)"
           "  full grid: %.1f s vs %.1f s\n",
           (long long)m, (long long)n, (long long)p, sp, npp, npp / sp, tau_err, sp * full,
           npp * full);
  fflush(stdout);
  return agree ? 0 : 1;
}

int main(int argc, char **argv) {
  options o;
  if (parse_options(argc, argv, &o)) return 2;
  if (solace_initialize(&argc, &argv)) return fprintf(stderr, "%s\n", solace_error_message()), 1;
  int rank = 0, size = 1, failures = 0;
  solace_mpi_rank(&rank), solace_mpi_size(&size);
  if (rank == 0) {
    bench_print_machine();
    printf("bench-koopman: %d MPI rank(s) for Solace's pseudospectrum; numpy on one process "
           "(OPENBLAS_NUM_THREADS=%s); %d repetition(s), medians in seconds\n",
           size, getenv("OPENBLAS_NUM_THREADS") ? getenv("OPENBLAS_NUM_THREADS") : "unset", o.reps);
    printf("      M     N  part                 Solace      numpy                 numpy/Solace  "
           "max difference\n");
  }
  for (int i = 0; i < o.n_m; i++)
    for (int j = 0; j < o.n_n; j++)
      failures += run_case(&o, o.m[i], o.n[j], i == 0 ? o.points[j] : 0, rank, size);
  if (rank == 0 && failures)
    printf("bench-koopman: %d case(s) FAILED (differences above 1e-6 or errors)\n", failures);
  solace_finalize();
  return failures ? 1 : 0;
}
