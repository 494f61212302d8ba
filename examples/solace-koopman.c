/* solace-koopman: Koopman spectra (EDMD eigenvalues, ResDMD residuals, the verified set and the
 * pseudospectrum) from trajectories, written to HDF5.
 *
 *   solace-koopman -system duffing -dt 0.25 -ntraj 100 -steps 50 -dict hermite -degree 8 \
 *                  -residual_tol 1e-2 -pseudospectra -grid 100 -o spectrum.h5
 *   solace-koopman -i traj.h5 -dict legendre -degree 6 -o spectrum.h5
 *
 * Output file: /eigenvalues [N, 2] (re, im; sorted by decreasing modulus), /residuals [N],
 * /ct_eigenvalues [N, 2] (log(lambda) / dt), /verified [K] (indices into /eigenvalues of the
 * eigenpairs with residual <= residual_tol; attributes bound and residual_tol), and with
 * -pseudospectra /pseudospectrum [G, G] (entry [a, b] is tau at grid/re[b] + i grid/im[a]),
 * /grid/re [G], /grid/im [G]; with -verify_grid EPS /verified_grid/points [K, 2] (the grid
 * verified spectrum, attributes bound, eps, measure_preserving); with -measure /measure/theta,
 * /measure/density [A] and mpEDMD's atoms /measure/atoms_theta, /measure/atoms_weight [N]. Root
 * attributes record the options. -method mpedmd uses measure-preserving EDMD (eigenvalues on the
 * unit circle, residuals still ResDMD's); -delays n embeds the state (x_t, .., x_{t-n});
 * -kernel K replaces -dict by kernelized ResDMD (a dictionary learned by kernel EDMD on
 * -kernel_learn of the pairs, EDMD and residuals on the others).
 */
#include "solace.h"

#include <errno.h>
#include <hdf5.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROGRAM "solace-koopman"

/* The command line of one run. */
typedef struct {
  const char *system, *input, *output, *dict, *truncation, *grid_box, *method, *measure, *filter;
  const char *kernel;
  double dt, box, rcond, residual_tol, verify_grid, epsilon, kernel_param, kernel_rcond;
  int64_t ntraj, steps, seed, degree, grid, delays, observable, moments, angles, kernel_n, learn;
  int pseudospectra, quiet, system_given, isometry;
} options;

/* One option: its name, whether it takes a value, its default as shown by -help, and help text. */
typedef struct {
  const char *name, *arg, *fallback, *help;
} option_doc;

static const option_doc docs[] = {
    {"system", "NAME", "duffing",
     "system to simulate: pendulum, duffing, vanderpol, lorenz, rotation,\n"
     "                             gauss"},
    {"dt", "DT", "0.25", "sampling interval of the simulated flows, > 0"},
    {"ntraj", "N", "100", "number of simulated trajectories"},
    {"steps", "T", "50", "states per simulated trajectory, >= 2"},
    {"seed", "S", "1", "seed of the random initial states"},
    {"box", "B", "2",
     "initial states uniform in [-B, B]^d ([0, 2 pi) for rotation)\n"
     "                            "},
    {"i", "FILE", "none",
     "read trajectories from FILE (/trajectories/t [T],\n"
     "                             /trajectories/x [n_traj, T, d]) instead of simulating"},
    {"dict", "KIND", "hermite", "dictionary: monomial, legendre, hermite, fourier, rbf"},
    {"degree", "D", "8", "largest degree (rbf: number of centres)"},
    {"truncation", "T", "total",
     "product truncation: total (sum of degrees <= D), tensor (max <= D)\n"
     "                             or hyperbolic (prod (1 + degree) <= D + 1)"},
    {"delays", "n", "0", "time-delay embedding: the state is (x_t, x_{t-1}, .., x_{t-n})"},
    {"kernel", "K", "off",
     "kernelized ResDMD instead of -dict: gaussian, laplacian or polynomial;\n"
     "                             a dictionary learned on -kernel_learn pairs, EDMD on the rest"},
    {"kernel_param", "P", "1", "kernel width (polynomial: the degree, an integer)"},
    {"kernel_n", "n", "20", "eigenvectors of kernel EDMD kept (a conjugate pair whole)"},
    {"kernel_learn", "L", "auto",
     "learning pairs, evenly spread over all pairs (default min(M/2, 1000))"},
    {"kernel_rcond", "R", "1e-6",
     "kernel EDMD: relative cut of the square roots of G's eigenvalues"},
    {"method", "M", "edmd",
     "edmd (least squares) or mpedmd (measure-preserving EDMD: the\n"
     "                             unitary polar factor, eigenvalues on the unit circle)"},
    {"rcond", "R", "1e-12", "relative singular-value cut of the pseudo-inverse, in [0, 1)"},
    {"residual_tol", "EPS", "1e-2", "keep eigenpairs with residual <= EPS in /verified"},
    {"pseudospectra", NULL, "off", "evaluate the pseudospectrum tau(z) on a grid"},
    {"grid", "G", "100", "grid points per side of the pseudospectrum, >= 2"},
    {"grid_box", "X0,X1,Y0,Y1", "-1.5,1.5,-1.5,1.5", "the box of the grid (around the unit disc)"},
    {"verify_grid", "EPS", "off",
     "with -pseudospectra: the verified spectrum on the grid (local\n"
     "                             minimisers of tau <= EPS) in /verified_grid/points"},
    {"isometry", NULL, "off",
     "-verify_grid for a measure-preserving system: gamma = max(tau, |1 - |z||)"},
    {"measure", "FORM", "off",
     "spectral measure of -observable: moments (filtered moments of\n"
     "                             mpEDMD) or resolvent (Poisson-smoothed), in /measure"},
    {"observable", "K", "0", "the observable of -measure: coordinate K of the (delay) state"},
    {"moments", "N", "20", "-measure moments: number of moments"},
    {"filter", "F", "vandeven", "-measure moments: fejer, cosine, vandeven or bump"},
    {"epsilon", "E", "0.1", "-measure resolvent: smoothing width, > 0"},
    {"angles", "A", "256", "-measure: angles in [-pi, pi) where the density is evaluated"},
    {"o", "FILE", "spectrum.h5", "output HDF5 file (replaced)"},
    {"quiet", NULL, "off", "no progress and no summary"},
    {"help", NULL, "", "this text"},
};
enum { NDOCS = sizeof docs / sizeof docs[0] };

static void print_usage(void) {
  printf("usage: " PROGRAM " [options]\n"
         "EDMD (or mpEDMD) eigenvalues of the Koopman operator with ResDMD residuals, the\n"
         "verified spectrum and pseudospectra, from simulated or stored trajectories, written to\n"
         "HDF5.\n\n");
  for (int k = 0; k < NDOCS; k++) {
    char head[40];
    snprintf(head, sizeof head, "-%s%s%s", docs[k].name, docs[k].arg ? " " : "",
             docs[k].arg ? docs[k].arg : "");
    printf("  %-26s %s", head, docs[k].help);
    if (docs[k].fallback[0]) printf(" (default %s)", docs[k].fallback);
    printf("\n");
  }
  printf("\nOutput: /eigenvalues [N, 2] (re, im), /residuals [N], /ct_eigenvalues [N, 2],\n"
         "/verified [K] (indices, attributes bound and residual_tol), and with -pseudospectra\n"
         "/pseudospectrum [G, G] ([a, b] at grid/re[b] + i grid/im[a]), /grid/re, /grid/im;\n"
         "with -verify_grid /verified_grid/points [K, 2] (attributes bound, eps,\n"
         "measure_preserving); with -measure /measure/theta, /measure/density [A],\n"
         "/measure/atoms_theta, /measure/atoms_weight [N].\n");
}

/* Prints an error about the command line; returns 1. */
static int usage_error(const char *format, const char *a, const char *b) {
  fprintf(stderr, PROGRAM ": error: ");
  fprintf(stderr, format, a, b);
  fprintf(stderr, " (see -help)\n");
  return 1;
}

/* Parses a whole decimal integer in [min, max]; 0 on success. */
static int parse_int(const char *name, const char *text, int64_t min, int64_t max, int64_t *out) {
  char *end;
  errno = 0;
  long long value = strtoll(text, &end, 10);
  if (errno || end == text || *end || value < min || value > max) {
    fprintf(stderr, PROGRAM ": error: -%s '%s' is not an integer in [%lld, %lld]\n", name, text,
            (long long)min, (long long)max);
    return 1;
  }
  *out = value;
  return 0;
}

/* Parses a finite real in [min, max) (max excluded when open_max); 0 on success. */
static int parse_real(const char *name, const char *text, double min, double max, int open_max,
                      double *out) {
  char *end;
  errno = 0;
  double value = strtod(text, &end);
  if (errno || end == text || *end || !isfinite(value) || value < min || value > max ||
      (open_max && value == max)) {
    fprintf(stderr, PROGRAM ": error: -%s '%s' is not a number in [%g, %g%s\n", name, text, min,
            max, open_max ? ")" : "]");
    return 1;
  }
  *out = value;
  return 0;
}

/* Stores one option (value may be NULL for flags); 0 on success. */
static int take(options *opt, const char *name, const char *value) {
  const double big = 1e300;
  if (!strcmp(name, "system")) return opt->system = value, opt->system_given = 1, 0;
  if (!strcmp(name, "i")) return opt->input = value, 0;
  if (!strcmp(name, "o")) return opt->output = value, 0;
  if (!strcmp(name, "dict")) return opt->dict = value, 0;
  if (!strcmp(name, "truncation")) return opt->truncation = value, 0;
  if (!strcmp(name, "grid_box")) return opt->grid_box = value, 0;
  if (!strcmp(name, "method")) return opt->method = value, 0;
  if (!strcmp(name, "pseudospectra")) return opt->pseudospectra = 1, 0;
  if (!strcmp(name, "quiet")) return opt->quiet = 1, 0;
  if (!strcmp(name, "isometry")) return opt->isometry = 1, 0;
  if (!strcmp(name, "measure")) return opt->measure = value, 0;
  if (!strcmp(name, "filter")) return opt->filter = value, 0;
  if (!strcmp(name, "kernel")) return opt->kernel = value, 0;
  if (!strcmp(name, "kernel_param"))
    return parse_real(name, value, 1e-300, big, 0, &opt->kernel_param);
  if (!strcmp(name, "kernel_rcond")) return parse_real(name, value, 0, 1, 1, &opt->kernel_rcond);
  if (!strcmp(name, "kernel_n")) return parse_int(name, value, 1, 1000000, &opt->kernel_n);
  if (!strcmp(name, "kernel_learn"))
    return parse_int(name, value, 1, INT64_C(1) << 40, &opt->learn);
  if (!strcmp(name, "verify_grid"))
    return parse_real(name, value, 1e-300, big, 0, &opt->verify_grid);
  if (!strcmp(name, "epsilon")) return parse_real(name, value, 1e-300, big, 0, &opt->epsilon);
  if (!strcmp(name, "delays")) return parse_int(name, value, 0, 100000, &opt->delays);
  if (!strcmp(name, "observable"))
    return parse_int(name, value, 0, INT64_C(1) << 40, &opt->observable);
  if (!strcmp(name, "moments")) return parse_int(name, value, 1, 1000000, &opt->moments);
  if (!strcmp(name, "angles")) return parse_int(name, value, 1, 100000000, &opt->angles);
  if (!strcmp(name, "dt")) return parse_real(name, value, 1e-300, big, 0, &opt->dt);
  if (!strcmp(name, "box")) return parse_real(name, value, 1e-300, big, 0, &opt->box);
  if (!strcmp(name, "rcond")) return parse_real(name, value, 0, 1, 1, &opt->rcond);
  if (!strcmp(name, "residual_tol")) return parse_real(name, value, 0, big, 0, &opt->residual_tol);
  if (!strcmp(name, "ntraj")) return parse_int(name, value, 1, INT64_C(1) << 40, &opt->ntraj);
  if (!strcmp(name, "steps")) return parse_int(name, value, 2, INT64_C(1) << 40, &opt->steps);
  if (!strcmp(name, "seed")) return parse_int(name, value, 0, INT64_MAX, &opt->seed);
  if (!strcmp(name, "degree")) return parse_int(name, value, 0, 100000, &opt->degree);
  if (!strcmp(name, "grid")) return parse_int(name, value, 2, 100000, &opt->grid);
  return 1;
}

/* The ::solace_koopman_kernel named by -kernel, or -1. */
static int kernel_kind(const char *name) {
  static const char *const names[] = {"gaussian", "polynomial", "laplacian"};
  for (int k = 0; k < 3; k++)
    if (!strcmp(name, names[k])) return k;
  return -1;
}

/* The ::solace_koopman_filter named by -filter, or -1. */
static int filter_kind(const char *name) {
  static const char *const names[] = {"fejer", "cosine", "vandeven", "bump"};
  for (int k = 0; k < 4; k++)
    if (!strcmp(name, names[k])) return k;
  return -1;
}

/* Reads the command line; 0 on success. */
static int parse_options(int argc, char **argv, options *opt) {
  for (int k = 1; k < argc; k++) {
    const option_doc *doc = NULL;
    for (int d = 0; argv[k][0] == '-' && d < NDOCS; d++)
      if (!strcmp(argv[k] + 1, docs[d].name)) doc = &docs[d];
    if (!doc) return usage_error("unknown option or stray argument '%s'%s", argv[k], "");
    if (doc->arg && k + 1 >= argc)
      return usage_error("option %s needs a value %s", argv[k], doc->arg);
    if (take(opt, doc->name, doc->arg ? argv[++k] : NULL)) return 1;
  }
  if (opt->input && opt->system_given)
    return usage_error("-i %s and -system %s exclude each other", opt->input, opt->system);
  if (opt->verify_grid > 0 && !opt->pseudospectra)
    return usage_error("-verify_grid needs -pseudospectra (the grid)%s%s", "", "");
  if (opt->measure && strcmp(opt->measure, "moments") && strcmp(opt->measure, "resolvent"))
    return usage_error("-measure '%s' is not moments or resolvent%s", opt->measure, "");
  if (opt->kernel && kernel_kind(opt->kernel) < 0)
    return usage_error("-kernel '%s' is not gaussian, laplacian or polynomial%s", opt->kernel, "");
  if (filter_kind(opt->filter) < 0)
    return usage_error("-filter '%s' is not fejer, cosine, vandeven or bump%s", opt->filter, "");
  return 0;
}

/* Maps -dict and -truncation to the library's enums; 0 on success. */
static int dictionary_kind(const options *opt, int *kind, int *truncation) {
  static const char *const names[] = {"monomial", "legendre", "hermite", "fourier", "rbf"};
  *kind = -1;
  for (int k = 0; k < 5; k++)
    if (!strcmp(opt->dict, names[k])) *kind = k;
  if (*kind < 0)
    return usage_error("-dict '%s' is not monomial, legendre, hermite, fourier or rbf%s", opt->dict,
                       "");
  if (*kind == SOLACE_KOOPMAN_DICT_RBF && opt->degree < 1)
    return usage_error("-dict rbf needs -degree >= 1 (the number of centres)%s%s", "", "");
  *truncation = !strcmp(opt->truncation, "total")        ? SOLACE_KOOPMAN_TOTAL_DEGREE
                : !strcmp(opt->truncation, "tensor")     ? SOLACE_KOOPMAN_TENSOR
                : !strcmp(opt->truncation, "hyperbolic") ? SOLACE_KOOPMAN_HYPERBOLIC
                                                         : -1;
  if (*truncation < 0)
    return usage_error("-truncation '%s' is not total, tensor or hyperbolic%s", opt->truncation,
                       "");
  if (strcmp(opt->method, "edmd") && strcmp(opt->method, "mpedmd"))
    return usage_error("-method '%s' is not edmd or mpedmd%s", opt->method, "");
  return 0;
}

/* Parses -grid_box into box[4] = xmin, xmax, ymin, ymax; 0 on success. */
static int parse_grid_box(const char *text, double box[4]) {
  const char *p = text;
  for (int k = 0; k < 4; k++) {
    char *end;
    box[k] = strtod(p, &end);
    if (end == p || !isfinite(box[k]) || (k < 3 && *end != ',') || (k == 3 && *end))
      return usage_error("-grid_box '%s' is not four numbers xmin,xmax,ymin,ymax%s", text, "");
    p = end + 1;
  }
  if (!(box[0] < box[1] && box[2] < box[3]))
    return usage_error("-grid_box '%s' needs xmin < xmax and ymin < ymax%s", text, "");
  return 0;
}

/* The trajectories of a run: d x steps x ntraj column-major. */
typedef struct {
  int64_t d, ntraj, steps;
  double dt, *x;
} trajectories;

/* Simulates the bundled system from uniform random initial states. */
static int simulate(const options *opt, trajectories *tr) {
  int status = solace_koopman_system_dimension(opt->system, &tr->d);
  if (status) return status;
  tr->ntraj = opt->ntraj, tr->steps = opt->steps, tr->dt = opt->dt;
  double *x0 = malloc(sizeof(double) * (size_t)(tr->d * tr->ntraj));
  tr->x = malloc(sizeof(double) * (size_t)(tr->d * tr->ntraj * tr->steps));
  if (!x0 || !tr->x) {
    free(x0);
    fprintf(stderr, PROGRAM ": error: out of memory for %lld x %lld states\n", (long long)tr->ntraj,
            (long long)tr->steps);
    return SOLACE_ERR_MEM;
  }
  status = solace_rand_uniform((uint64_t)opt->seed, 0, 0, tr->d * tr->ntraj, x0);
  int angle = !strcmp(opt->system, "rotation");
  for (int64_t i = 0; i < tr->d * tr->ntraj; i++)
    x0[i] = angle ? 6.28318530717958647692 * x0[i] : opt->box * (2 * x0[i] - 1);
  if (!status)
    status =
        solace_koopman_simulate(opt->system, NULL, 0, opt->dt, tr->ntraj, tr->steps, x0, tr->x);
  free(x0);
  return status;
}

/* Reads the trajectory file of -i; dt from /trajectories/t. */
static int read_input(const options *opt, trajectories *tr) {
  int status = solace_koopman_traj_sizes(opt->input, &tr->d, &tr->ntraj, &tr->steps);
  if (status) return status;
  if (tr->steps < 2) {
    fprintf(stderr, PROGRAM ": error: %s holds %lld state(s) per trajectory; 2 are needed\n",
            opt->input, (long long)tr->steps);
    return SOLACE_ERR_FORMAT;
  }
  double *t = malloc(sizeof(double) * (size_t)tr->steps);
  tr->x = malloc(sizeof(double) * (size_t)(tr->d * tr->ntraj * tr->steps));
  if (!t || !tr->x) {
    free(t);
    fprintf(stderr, PROGRAM ": error: out of memory for %s\n", opt->input);
    return SOLACE_ERR_MEM;
  }
  status = solace_koopman_traj_read(opt->input, tr->d, tr->ntraj, tr->steps, t, tr->x);
  if (!status) {
    tr->dt = t[1] - t[0];
    if (!(tr->dt > 0) || !isfinite(tr->dt)) {
      fprintf(stderr, PROGRAM ": error: %s: /trajectories/t does not increase (t1 - t0 = %g)\n",
              opt->input, tr->dt);
      status = SOLACE_ERR_FORMAT;
    }
  }
  free(t);
  return status;
}

/* What the run computed, for the file and the summary. */
typedef struct {
  int64_t n, r, count, grid_count;
  double *lambda, *res, *mu, bound, box[4], *re, *im, *tau, tau_min, grid_bound;
  double *theta, *density, *atom_theta, *atom_weight; /* -measure */
  int64_t *verified;
  int64_t dim, nl, nv;       /* -kernel: state dimension, learning, other pairs */
  double *xl, *yl, *xv, *yv; /* dim x nl, dim x nv */
} results;

static void results_free(results *out) {
  free(out->lambda), free(out->res), free(out->mu), free(out->verified);
  free(out->re), free(out->im), free(out->tau);
  free(out->theta), free(out->density), free(out->atom_theta), free(out->atom_weight);
  free(out->xl), free(out->yl), free(out->xv), free(out->yv);
}

/* Allocates n doubles (or int64s) or reports; 0 on success. */
static int grab(void **p, size_t n, size_t size) {
  *p = calloc(n ? n : 1, size);
  if (*p) return 0;
  fprintf(stderr, PROGRAM ": error: out of memory (%zu entries)\n", n);
  return SOLACE_ERR_MEM;
}

/* The library's message of a failure, kept before clean-up calls (which clear it). */
static char saved_error[2048];

/* Keeps the library's current message if status is a failure; returns status. */
static int save_error(int status) {
  if (status && !saved_error[0])
    snprintf(saved_error, sizeof saved_error, "%s", solace_error_message());
  return status;
}

/* The pseudospectrum on the G x G grid, one grid row (fixed imaginary part) per progress step. */
static int pseudospectrum(const options *opt, solace_koopman k, results *out) {
  int64_t g = opt->grid;
  int status = grab((void **)&out->re, g, sizeof(double));
  if (!status) status = grab((void **)&out->im, g, sizeof(double));
  if (!status) status = grab((void **)&out->tau, g * g, sizeof(double));
  double *z = NULL;
  if (!status) status = grab((void **)&z, 2 * g, sizeof(double));
  if (status) return free(z), status;
  for (int64_t b = 0; b < g; b++) {
    out->re[b] = out->box[0] + (out->box[1] - out->box[0]) * b / (g - 1);
    out->im[b] = out->box[2] + (out->box[3] - out->box[2]) * b / (g - 1);
  }
  solace_progress progress = NULL;
  status = solace_progress_create("pseudospectrum rows", g, 0, &progress);
  if (!status && opt->quiet) status = solace_progress_set_mode(progress, SOLACE_PROGRESS_SILENT, 1);
  out->tau_min = INFINITY;
  for (int64_t a = 0; !status && a < g; a++) {
    for (int64_t b = 0; b < g; b++) z[2 * b] = out->re[b], z[2 * b + 1] = out->im[a];
    status = solace_koopman_pseudospectrum(k, g, z, out->tau + a * g);
    for (int64_t b = 0; !status && b < g; b++)
      out->tau_min = fmin(out->tau_min, out->tau[a * g + b]);
    if (!status) status = solace_progress_update(progress, a + 1, NULL);
  }
  if (!status) status = solace_progress_finish(progress);
  save_error(status);
  solace_progress_destroy(&progress);
  free(z);
  return status;
}

/* The observable of -measure at the snapshot pairs: coordinate K of the delay state z_t, i.e.
 * x_{t - K / d}[K mod d], in the library's pair order (trajectory, then t = delays..steps-2). */
static int observable_values(const options *opt, const trajectories *tr, const results *out,
                             double **g) {
  int64_t d = tr->d, per = tr->steps - 1 - opt->delays, k = opt->observable;
  if (k >= d * (opt->delays + 1)) {
    fprintf(stderr, PROGRAM ": error: -observable %lld: the state has %lld coordinates\n",
            (long long)k, (long long)(d * (opt->delays + 1)));
    return SOLACE_ERR_ARG;
  }
  if (opt->kernel) { /* the data are the pairs left after learning */
    int status = grab((void **)g, (size_t)out->nv, sizeof(double));
    for (int64_t j = 0; !status && j < out->nv; j++) (*g)[j] = out->xv[k + out->dim * j];
    return status;
  }
  int status = grab((void **)g, (size_t)(tr->ntraj * per), sizeof(double));
  for (int64_t j = 0; !status && j < tr->ntraj; j++)
    for (int64_t s = 0; s < per; s++)
      (*g)[j * per + s] = tr->x[d * (tr->steps * j + opt->delays + s - k / d) + k % d];
  return status;
}

/* The spectral measure of -measure: the density at -angles angles and mpEDMD's atoms. */
static int measure(const options *opt, const trajectories *tr, solace_koopman k, results *out) {
  int64_t na = opt->angles, r = out->r;
  double *g = NULL;
  int status = observable_values(opt, tr, out, &g);
  if (!status) status = grab((void **)&out->theta, na, sizeof(double));
  if (!status) status = grab((void **)&out->density, na, sizeof(double));
  if (!status) status = grab((void **)&out->atom_theta, r, sizeof(double));
  if (!status) status = grab((void **)&out->atom_weight, r, sizeof(double));
  for (int64_t j = 0; !status && j < na; j++)
    out->theta[j] = -3.14159265358979323846 + 6.28318530717958647692 * j / na;
  if (!status && !strcmp(opt->measure, "moments"))
    status = solace_koopman_measure_moments(k, g, opt->moments, filter_kind(opt->filter), na,
                                            out->theta, out->density);
  else if (!status)
    status = solace_koopman_measure_resolvent(k, g, opt->epsilon, na, out->theta, out->density);
  if (!status) status = solace_koopman_measure_weights(k, g, out->atom_theta, out->atom_weight);
  free(g);
  return save_error(status);
}

/* The delay state z_t = (x_t, .., x_{t-delays}) of trajectory j into z. */
static void delay_state(const trajectories *tr, int64_t delays, int64_t j, int64_t t, double *z) {
  for (int64_t l = 0; l <= delays; l++)
    memcpy(z + tr->d * l, tr->x + tr->d * (tr->steps * j + t - l), sizeof(double) * (size_t)tr->d);
}

/* -kernel: all delay-embedded pairs (z_t, z_{t+1}), nl of them evenly spread for learning, the
 * other nv for EDMD and the residuals. */
static int split_pairs(const options *opt, const trajectories *tr, results *out) {
  int64_t per = tr->steps - 1 - opt->delays, m = tr->ntraj * per, il = 0, iv = 0;
  out->dim = tr->d * (opt->delays + 1);
  out->nl = opt->learn ? opt->learn : (m / 2 < 1000 ? m / 2 : 1000);
  if (per < 1 || out->nl < 1 || out->nl >= m) {
    fprintf(stderr,
            PROGRAM ": error: -kernel needs learning pairs in [1, M - 1]: %lld of M = %lld\n",
            (long long)out->nl, (long long)(per < 1 ? 0 : m));
    return SOLACE_ERR_ARG;
  }
  out->nv = m - out->nl;
  int status = grab((void **)&out->xl, (size_t)(out->dim * out->nl), sizeof(double));
  if (!status) status = grab((void **)&out->yl, (size_t)(out->dim * out->nl), sizeof(double));
  if (!status) status = grab((void **)&out->xv, (size_t)(out->dim * out->nv), sizeof(double));
  if (!status) status = grab((void **)&out->yv, (size_t)(out->dim * out->nv), sizeof(double));
  for (int64_t p = 0; !status && p < m; p++) {
    int learn = il < out->nl && p == il * m / out->nl; /* pairs floor(i m / nl) */
    double *x = learn ? out->xl + out->dim * il : out->xv + out->dim * iv;
    double *y = learn ? out->yl + out->dim * il++ : out->yv + out->dim * iv++;
    delay_state(tr, opt->delays, p / per, opt->delays + p % per, x);
    delay_state(tr, opt->delays, p / per, opt->delays + p % per + 1, y);
  }
  return status;
}

/* The data and dictionary: -kernel learns one and gives the other pairs, else -dict on all. */
static int set_data_and_dictionary(const options *opt, const trajectories *tr, results *out,
                                   solace_koopman k) {
  int kind, truncation, status;
  if (dictionary_kind(opt, &kind, &truncation)) return SOLACE_ERR_ARG;
  if (!opt->kernel) {
    status = solace_koopman_set_dictionary(k, kind, opt->degree, truncation);
    return status ? status
                  : solace_koopman_set_delay_trajectories(k, tr->d, tr->ntraj, tr->steps, tr->x,
                                                          opt->delays);
  }
  status = split_pairs(opt, tr, out);
  if (!status)
    status = solace_koopman_set_dictionary_kernel(
        k, kernel_kind(opt->kernel), opt->kernel_param, out->dim, out->nl, out->xl, out->dim,
        out->yl, out->dim, NULL, opt->kernel_rcond, opt->kernel_n, NULL);
  if (!status)
    status = solace_koopman_set_data(k, out->dim, out->nv, out->xv, out->dim, out->nv, out->yv,
                                     out->dim, NULL);
  return status;
}

/* EDMD, residuals, the verified set and (optionally) the pseudospectrum; *kp is the estimator
 * (destroyed by the caller). */
static int analyse(const options *opt, const trajectories *tr, results *out, solace_koopman *kp) {
  solace_koopman k = NULL;
  int status = solace_koopman_create(&k);
  *kp = k;
  if (!status) status = solace_koopman_set_rcond(k, opt->rcond);
  if (!status)
    status = solace_koopman_set_method(k, strcmp(opt->method, "mpedmd") ? SOLACE_KOOPMAN_EDMD
                                                                        : SOLACE_KOOPMAN_MPEDMD);
  if (!status) status = set_data_and_dictionary(opt, tr, out, k);
  if (!status) status = solace_koopman_compute(k);
  if (!status) status = solace_koopman_get_size(k, &out->n, &out->r);
  if (!status) status = grab((void **)&out->lambda, 2 * out->r, sizeof(double));
  if (!status) status = grab((void **)&out->mu, 2 * out->r, sizeof(double));
  if (!status) status = grab((void **)&out->res, out->r, sizeof(double));
  if (!status) status = grab((void **)&out->verified, out->r, sizeof(int64_t));
  if (!status) status = solace_koopman_get_eigenvalues(k, out->lambda);
  if (!status) status = solace_koopman_get_ct_eigenvalues(k, tr->dt, out->mu);
  if (!status) status = solace_koopman_get_residuals(k, out->res);
  if (!status)
    status =
        solace_koopman_get_verified(k, opt->residual_tol, &out->count, out->verified, &out->bound);
  if (!status && opt->pseudospectra) status = pseudospectrum(opt, k, out);
  if (!status && opt->measure) status = measure(opt, tr, k, out);
  return save_error(status);
}

/* HDF5 helpers: each returns 0 on success, else reports and returns -1. */
static int h5_put(hid_t where, const char *name, hid_t type, int rank, const hsize_t *dims,
                  const void *buf) {
  hid_t space = H5Screate_simple(rank, dims, NULL), set = H5I_INVALID_HID;
  if (space >= 0) set = H5Dcreate2(where, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  int ok = set >= 0 && H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0;
  if (set >= 0) H5Dclose(set);
  if (space >= 0) H5Sclose(space);
  if (!ok) fprintf(stderr, PROGRAM ": error: cannot write dataset %s\n", name);
  return ok ? 0 : -1;
}

static int h5_attr(hid_t where, const char *name, hid_t type, const void *value) {
  hid_t space = H5Screate(H5S_SCALAR), attr = H5I_INVALID_HID;
  if (space >= 0) attr = H5Acreate2(where, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  int ok = attr >= 0 && H5Awrite(attr, type, value) >= 0;
  if (attr >= 0) H5Aclose(attr);
  if (space >= 0) H5Sclose(space);
  if (!ok) fprintf(stderr, PROGRAM ": error: cannot write attribute %s\n", name);
  return ok ? 0 : -1;
}

static int h5_attr_string(hid_t where, const char *name, const char *value) {
  hid_t type = H5Tcopy(H5T_C_S1);
  if (type < 0) return -1;
  H5Tset_size(type, strlen(value) + 1);
  H5Tset_strpad(type, H5T_STR_NULLTERM);
  int status = h5_attr(where, name, type, value);
  H5Tclose(type);
  return status;
}

/* Root attributes recording the run. */
static int write_attributes(hid_t file, const options *opt, const trajectories *tr,
                            const results *out) {
  int major = 0, minor = 0, patch = 0;
  char version[32];
  solace_version(&major, &minor, &patch);
  snprintf(version, sizeof version, "%d.%d.%d", major, minor, patch);
  const int64_t pairs = opt->kernel ? out->nv : tr->ntraj * (tr->steps - 1 - opt->delays);
  int s = h5_attr_string(file, "source", opt->input ? opt->input : opt->system);
  s = s ? s : h5_attr_string(file, "dict", opt->dict);
  s = s ? s : h5_attr_string(file, "truncation", opt->truncation);
  s = s ? s : h5_attr_string(file, "solace_version", version);
  s = s ? s : h5_attr(file, "degree", H5T_NATIVE_INT64, &opt->degree);
  s = s ? s : h5_attr(file, "dt", H5T_NATIVE_DOUBLE, &tr->dt);
  s = s ? s : h5_attr(file, "ntraj", H5T_NATIVE_INT64, &tr->ntraj);
  s = s ? s : h5_attr(file, "steps", H5T_NATIVE_INT64, &tr->steps);
  s = s ? s : h5_attr(file, "pairs", H5T_NATIVE_INT64, &pairs);
  s = s ? s : h5_attr(file, "residual_tol", H5T_NATIVE_DOUBLE, &opt->residual_tol);
  s = s ? s : h5_attr(file, "delays", H5T_NATIVE_INT64, &opt->delays);
  if (opt->kernel) {
    s = s ? s : h5_attr_string(file, "kernel", opt->kernel);
    s = s ? s : h5_attr(file, "kernel_param", H5T_NATIVE_DOUBLE, &opt->kernel_param);
    s = s ? s : h5_attr(file, "kernel_n", H5T_NATIVE_INT64, &opt->kernel_n);
    s = s ? s : h5_attr(file, "kernel_rcond", H5T_NATIVE_DOUBLE, &opt->kernel_rcond);
    s = s ? s : h5_attr(file, "learn_pairs", H5T_NATIVE_INT64, &out->nl);
  }
  if (!opt->input) {
    s = s ? s : h5_attr(file, "seed", H5T_NATIVE_INT64, &opt->seed);
    s = s ? s : h5_attr(file, "box", H5T_NATIVE_DOUBLE, &opt->box);
  }
  if (opt->pseudospectra) {
    hsize_t four = 4;
    hid_t space = H5Screate_simple(1, &four, NULL);
    hid_t attr = H5Acreate2(file, "grid_box", H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT);
    int ok = attr >= 0 && H5Awrite(attr, H5T_NATIVE_DOUBLE, out->box) >= 0;
    if (attr >= 0) H5Aclose(attr);
    if (space >= 0) H5Sclose(space);
    s = s ? s : (ok ? 0 : -1);
  }
  return s;
}

/* Writes /measure: theta, density and mpEDMD's atoms, with the settings as attributes. */
static int write_measure(hid_t file, const options *opt, const results *out) {
  hsize_t na = (hsize_t)opt->angles, r = (hsize_t)out->r;
  hid_t group = H5Gcreate2(file, "measure", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (group < 0) return fprintf(stderr, PROGRAM ": error: cannot create /measure\n"), -1;
  int s = h5_put(group, "theta", H5T_NATIVE_DOUBLE, 1, &na, out->theta);
  s = s ? s : h5_put(group, "density", H5T_NATIVE_DOUBLE, 1, &na, out->density);
  s = s ? s : h5_put(group, "atoms_theta", H5T_NATIVE_DOUBLE, 1, &r, out->atom_theta);
  s = s ? s : h5_put(group, "atoms_weight", H5T_NATIVE_DOUBLE, 1, &r, out->atom_weight);
  s = s ? s : h5_attr_string(group, "form", opt->measure);
  s = s ? s : h5_attr(group, "observable", H5T_NATIVE_INT64, &opt->observable);
  if (!strcmp(opt->measure, "moments")) {
    s = s ? s : h5_attr(group, "moments", H5T_NATIVE_INT64, &opt->moments);
    s = s ? s : h5_attr_string(group, "filter", opt->filter);
  } else {
    s = s ? s : h5_attr(group, "epsilon", H5T_NATIVE_DOUBLE, &opt->epsilon);
  }
  H5Gclose(group);
  return s;
}

/* Reads the size and bound of /verified_grid/points written by the library, for the summary. */
static int read_grid_verified(hid_t file, results *out) {
  hid_t set = H5Dopen2(file, "verified_grid/points", H5P_DEFAULT);
  hid_t space = set < 0 ? H5I_INVALID_HID : H5Dget_space(set);
  hid_t attr = set < 0 ? H5I_INVALID_HID : H5Aopen(set, "bound", H5P_DEFAULT);
  hsize_t dims[2] = {0, 0};
  int ok = space >= 0 && H5Sget_simple_extent_dims(space, dims, NULL) == 2 && attr >= 0 &&
           H5Aread(attr, H5T_NATIVE_DOUBLE, &out->grid_bound) >= 0;
  out->grid_count = (int64_t)dims[0];
  if (attr >= 0) H5Aclose(attr);
  if (space >= 0) H5Sclose(space);
  if (set >= 0) H5Dclose(set);
  if (!ok) fprintf(stderr, PROGRAM ": error: cannot read /verified_grid/points back\n");
  return ok ? 0 : -1;
}

/* Adds /ct_eigenvalues (and /measure) to the file written by the library. */
static int write_datasets(hid_t file, const options *opt, results *out) {
  hsize_t pair[2] = {(hsize_t)out->r, 2};
  int s = h5_put(file, "ct_eigenvalues", H5T_NATIVE_DOUBLE, 2, pair, out->mu);
  if (!s && opt->measure) s = write_measure(file, opt, out);
  if (!s && opt->verify_grid > 0) s = read_grid_verified(file, out);
  return s;
}

/* Writes the results to PATH.tmp (the library's solace_koopman_write(), then /ct_eigenvalues and
 * the root attributes of the run), then renames it over PATH: a failed run leaves PATH as it was.
 */
static int write_file(const options *opt, const trajectories *tr, results *out, solace_koopman k) {
  char *tmp = malloc(strlen(opt->output) + 5);
  if (!tmp) return SOLACE_ERR_MEM;
  sprintf(tmp, "%s.tmp", opt->output);
  int64_t g = opt->pseudospectra ? opt->grid : 0;
  int status =
      opt->verify_grid > 0
          ? solace_koopman_write_verified_grid(k, tmp, opt->residual_tol, g, out->re, g, out->im,
                                               out->tau, opt->verify_grid, opt->isometry)
          : solace_koopman_write(k, tmp, opt->residual_tol, g, out->re, g, out->im, out->tau);
  if (status) return free(tmp), save_error(status);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t file = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT);
  int s = file < 0 ? -1 : write_datasets(file, opt, out);
  s = s ? s : write_attributes(file, opt, tr, out);
  if (file >= 0 && H5Fclose(file) < 0) s = -1;
  if (!s && rename(tmp, opt->output)) {
    fprintf(stderr, PROGRAM ": error: cannot rename %s to %s: %s\n", tmp, opt->output,
            strerror(errno));
    s = -1;
  }
  if (s) {
    if (file < 0) fprintf(stderr, PROGRAM ": error: cannot reopen %s\n", tmp);
    remove(tmp);
  }
  free(tmp);
  return s ? SOLACE_ERR_IO : SOLACE_SUCCESS;
}

/* The total weight of the atoms of the measure. */
static double atoms_mass(const results *out) {
  double sum = 0;
  for (int64_t j = 0; j < out->r; j++) sum += out->atom_weight[j];
  return sum;
}

/* The closing paragraph. */
static void print_summary(const options *opt, const trajectories *tr, const results *out,
                          double seconds) {
  char what[96];
  if (opt->kernel)
    snprintf(what, sizeof what, "%lld learned kernel functions", (long long)out->n);
  else
    snprintf(what, sizeof what, "%lld %s functions (degree %lld)", (long long)out->n, opt->dict,
             (long long)opt->degree);
  printf(PROGRAM ": %s holds the %s spectrum of %s: %lld eigenvalues from %s on %lld snapshot "
                 "pairs (%lld trajectories x %lld steps, dt %g).\n",
         opt->output, strcmp(opt->method, "mpedmd") ? "EDMD" : "mpEDMD",
         opt->input ? opt->input : opt->system, (long long)out->r, what,
         (long long)(opt->kernel ? out->nv : tr->ntraj * (tr->steps - 1 - opt->delays)),
         (long long)tr->ntraj, (long long)tr->steps, tr->dt);
  if (opt->delays) printf("State: %lld delays.\n", (long long)opt->delays);
  if (opt->kernel)
    printf("Dictionary: kernelized ResDMD, %s kernel (parameter %g), %lld functions learned on "
           "%lld pairs; EDMD and residuals on the other %lld.\n",
           opt->kernel, opt->kernel_param, (long long)out->n, (long long)out->nl,
           (long long)out->nv);
  printf("Verified: %lld eigenvalue(s) with residual <= %g, error bound %.3g",
         (long long)out->count, opt->residual_tol, out->bound);
  for (int64_t v = 0; v < out->count && v < 4; v++)
    printf("%s %.4f%+.4fi", v ? "," : ":", out->lambda[2 * out->verified[v]],
           out->lambda[2 * out->verified[v] + 1]);
  printf("%s.", out->count > 4 ? ", ..." : "");
  if (opt->pseudospectra)
    printf(" Pseudospectrum on a %lld x %lld grid over [%g, %g] x [%g, %g], min tau %.3g.",
           (long long)opt->grid, (long long)opt->grid, out->box[0], out->box[1], out->box[2],
           out->box[3], out->tau_min);
  if (opt->verify_grid > 0)
    printf(" Grid verified spectrum: %lld point(s) with gamma <= %g, bound %.3g.",
           (long long)out->grid_count, opt->verify_grid, out->grid_bound);
  if (opt->measure)
    printf(" Spectral measure (%s) of coordinate %lld on %lld angles; mass %.6g in %lld atoms.",
           opt->measure, (long long)opt->observable, (long long)opt->angles, atoms_mass(out),
           (long long)out->r);
  printf(" %.2f s.\n", seconds);
}

/* Prints a library failure: the message, then the call chain on a second line. */
static void print_error(int status) {
  const char *message = saved_error[0] ? saved_error : solace_error_message(),
             *trace = strstr(message, " <- ");
  if (!message[0]) return; /* the driver already said what went wrong */
  int length = trace ? (int)(trace - message) : (int)strlen(message);
  fprintf(stderr, PROGRAM ": error: %.*s (%s)\n", length, message, solace_status_string(status));
  if (trace) fprintf(stderr, "  in %s\n", trace + 4);
}

int main(int argc, char **argv) {
  for (int k = 1; k < argc; k++)
    if (!strcmp(argv[k], "-help") || !strcmp(argv[k], "--help") || !strcmp(argv[k], "-h"))
      return print_usage(), 0;
  options opt = {.system = "duffing",
                 .output = "spectrum.h5",
                 .dict = "hermite",
                 .truncation = "total",
                 .method = "edmd",
                 .grid_box = "-1.5,1.5,-1.5,1.5",
                 .filter = "vandeven",
                 .epsilon = 0.1,
                 .moments = 20,
                 .angles = 256,
                 .kernel_param = 1,
                 .kernel_n = 20,
                 .kernel_rcond = 1e-6,
                 .dt = 0.25,
                 .box = 2,
                 .rcond = 1e-12,
                 .residual_tol = 1e-2,
                 .ntraj = 100,
                 .steps = 50,
                 .seed = 1,
                 .degree = 8,
                 .grid = 100};
  results out = {0};
  trajectories tr = {0};
  int kind, truncation;
  if (parse_options(argc, argv, &opt) || dictionary_kind(&opt, &kind, &truncation) ||
      parse_grid_box(opt.grid_box, out.box))
    return 1;
  if (!getenv("OPENBLAS_NUM_THREADS")) solace_set_blas_threads(1);
  double start = solace_wtime();
  int status = opt.input ? read_input(&opt, &tr) : simulate(&opt, &tr);
  solace_koopman k = NULL;
  if (!status) status = analyse(&opt, &tr, &out, &k);
  if (!status) status = write_file(&opt, &tr, &out, k);
  if (!status && !opt.quiet) print_summary(&opt, &tr, &out, solace_wtime() - start);
  if (status) print_error(status);
  solace_koopman_destroy(&k);
  results_free(&out);
  free(tr.x);
  return status ? 1 : 0;
}
