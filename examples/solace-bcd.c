/* solace-bcd: fits a problem by block coordinate descent with a chosen partition, selection
 * rule and update, and writes the per-iteration history to HDF5.
 *
 *   solace-bcd -problem ls -data A -partition sort -rule gsq -update newton -block 50 \
 *              -iters 500 -o hist.h5
 *   solace-bcd -problem ls -i data.h5 -penalty l1 -lambda_ratio 0.1 -ws -tol 1e-6 -o fit.h5
 *   solace-bcd -problem logistic -libsvm a1a.txt -penalty l1 -lambda 1 -o fit.h5
 *
 * Input: -data A..E|L1 generates the paper's datasets from -seed; -i FILE reads /X (dense
 * [m, n]) or the CSR group /X/{data, indices, indptr} with attribute shape, and /y [m];
 * -libsvm FILE reads "label index:value ..." lines (1-based indices).
 * Output: /history/{objective, gap, seconds} [iterations + 1] and /solution [n].
 */
#define _POSIX_C_SOURCE 200809L

#include "solace.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROGRAM "solace-bcd"

typedef struct {
  const char *problem, *data, *input, *libsvm, *output, *penalty, *partition, *rule, *update;
  double lambda, lambda_ratio, tol, time;
  int64_t seed, block, iters, m, n, classes;
  int ws, quiet;
} options;

typedef struct {
  const char *name, *arg, *fallback, *help;
} option_doc;

static const option_doc docs[] = {
    {"problem", "P", "ls", "ls, logistic, softmax (labelprop comes with -data D or E)"},
    {"data", "NAME", "A", "generate dataset A, B, C, D, E or L1 of the paper"},
    {"seed", "S", "1", "seed of the generated dataset and of the random rules"},
    {"m", "M", "0", "rows (D: lattice side, E: points) of the generated data; 0: paper's"},
    {"n", "N", "0", "columns of the generated data; 0: the paper's"},
    {"i", "FILE", "none", "read /X and /y from an HDF5 file instead"},
    {"libsvm", "FILE", "none", "read a libsvm text file instead"},
    {"classes", "K", "0", "softmax classes of read data (0: largest label + 1)"},
    {"penalty", "G", "none", "none, l1 or l1pos (non-negative L1)"},
    {"lambda", "L", "0", "penalty weight"},
    {"lambda_ratio", "R", "0", "if > 0, lambda = R * lambda_max"},
    {"partition", "P", "order", "order, sort, avg, rowsum, variable, redblack, comb, forest, tree"},
    {"rule", "R", "cyclic", "cyclic, random, lipschitz, gs, gsl, gsd, gsq"},
    {"update", "U", "gradient", "gradient, adaptive, newton, armijo"},
    {"block", "TAU", "1", "block size"},
    {"iters", "K", "500", "iterations (with -ws: outer iterations)"},
    {"tol", "T", "0", "stop when the gap <= T F(0) (0: run all iterations)"},
    {"time", "T", "0", "repeat the solve until T seconds are spent; report the median"},
    {"ws", NULL, "off", "working sets (L1 least squares and logistic, block 1)"},
    {"o", "FILE", "hist.h5", "output HDF5 file (replaced)"},
    {"quiet", NULL, "off", "no summary"},
    {"help", NULL, "", "this text"},
};
enum { NDOCS = sizeof docs / sizeof docs[0] };

static void print_usage(void) {
  printf("usage: " PROGRAM " [options]\n"
         "Block coordinate descent with greedy rules, Newton and forest blocks, proximal L1\n"
         "steps and working sets; writes the history per iteration to HDF5.\n\n");
  for (int k = 0; k < NDOCS; k++) {
    char head[40];
    snprintf(head, sizeof head, "-%s%s%s", docs[k].name, docs[k].arg ? " " : "",
             docs[k].arg ? docs[k].arg : "");
    printf("  %-20s %s (default %s)\n", head, docs[k].help, docs[k].fallback);
  }
}

static int usage_error(const char *what, const char *value) {
  fprintf(stderr, PROGRAM ": %s '%s' (see -help)\n", what, value);
  return 2;
}

/* Index of `value` among `names` (count entries), or -1. */
static int lookup(const char *value, const char *const *names, int count) {
  for (int k = 0; k < count; k++)
    if (!strcmp(value, names[k])) return k;
  return -1;
}

static int parse_int(const char *text, int64_t *out) {
  char *end;
  long long v = strtoll(text, &end, 10);
  if (*text == '\0' || *end != '\0' || v < 0) return usage_error("bad integer", text);
  *out = v;
  return 0;
}

static int parse_real(const char *text, double *out) {
  char *end;
  double v = strtod(text, &end);
  if (*text == '\0' || *end != '\0' || !isfinite(v) || v < 0)
    return usage_error("bad number", text);
  *out = v;
  return 0;
}

/* Stores the value of option `name`. */
static int take(options *o, const char *name, const char *v) {
  const char **strings[] = {&o->problem, &o->data,      &o->input, &o->libsvm, &o->output,
                            &o->penalty, &o->partition, &o->rule,  &o->update};
  const char *snames[] = {"problem", "data",      "i",    "libsvm", "o",
                          "penalty", "partition", "rule", "update"};
  for (int k = 0; k < 9; k++)
    if (!strcmp(name, snames[k])) return *strings[k] = v, 0;
  int64_t *ints[] = {&o->seed, &o->block, &o->iters, &o->m, &o->n, &o->classes};
  const char *inames[] = {"seed", "block", "iters", "m", "n", "classes"};
  for (int k = 0; k < 6; k++)
    if (!strcmp(name, inames[k])) return parse_int(v, ints[k]);
  double *reals[] = {&o->lambda, &o->lambda_ratio, &o->tol, &o->time};
  const char *rnames[] = {"lambda", "lambda_ratio", "tol", "time"};
  for (int k = 0; k < 4; k++)
    if (!strcmp(name, rnames[k])) return parse_real(v, reals[k]);
  return usage_error("unknown option", name);
}

static int parse_options(int argc, char **argv, options *o) {
  *o = (options){"ls", "A", NULL, NULL, "hist.h5", "none", "order", "cyclic", "gradient", 0, 0,
                 0,    0,   1,    1,    500,       0,      0,       0,        0,          0};
  for (int a = 1; a < argc; a++) {
    const char *name = argv[a] + (argv[a][0] == '-');
    if (!strcmp(name, "help")) return print_usage(), 1;
    if (!strcmp(name, "ws") || !strcmp(name, "quiet")) {
      *(!strcmp(name, "ws") ? &o->ws : &o->quiet) = 1;
      continue;
    }
    if (a + 1 >= argc) return usage_error("missing value of option", argv[a]);
    int status = take(o, name, argv[++a]);
    if (status) return status;
  }
  return 0;
}

/* Reports a failed Solace call and gives the exit status. */
static int fail(const char *what, int status) {
  fprintf(stderr, PROGRAM ": %s: %s: %s\n", what, solace_status_string(status),
          solace_error_message());
  return 1;
}

/* Reads a 1-D or 2-D double dataset into a new array; dims[0..1] get its shape. */
static double *read_doubles(hid_t file, const char *name, hsize_t dims[2], int *rank) {
  hid_t set = H5Dopen2(file, name, H5P_DEFAULT);
  if (set < 0) return NULL;
  hid_t space = H5Dget_space(set);
  dims[1] = 1;
  *rank = H5Sget_simple_extent_dims(space, dims, NULL);
  double *buf = *rank >= 1 && *rank <= 2 ? malloc(sizeof(double) * dims[0] * dims[1] + 8) : NULL;
  if (buf && H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
    free(buf), buf = NULL;
  H5Sclose(space), H5Dclose(set);
  return buf;
}

static int64_t *read_ints(hid_t file, const char *name, hsize_t *count) {
  hsize_t dims[2];
  int rank;
  double *d = read_doubles(file, name, dims, &rank);
  if (!d) return NULL;
  int64_t *out = malloc(sizeof(int64_t) * dims[0] + 8);
  for (hsize_t k = 0; out && k < dims[0]; k++) out[k] = (int64_t)d[k];
  free(d);
  *count = dims[0];
  return out;
}

/* The number of softmax classes: given, or the largest label + 1. */
static int64_t classes(const options *o, int64_t m, const double *y) {
  if (o->classes) return o->classes;
  double top = 0;
  for (int64_t i = 0; i < m; i++) top = fmax(top, y[i]);
  return (int64_t)top + 1;
}

/* Sets a CSR problem from arrays. */
static int set_csr(solace_bcd bcd, int problem, const options *o, int64_t m, int64_t n,
                   const int64_t *ptr, const int64_t *ind, const double *val, const double *y) {
  int status = solace_bcd_set_csr(bcd, problem, m, n, ptr, ind, val, y, classes(o, m, y));
  return status ? fail("reading the CSR data", status) : 0;
}

/* -i FILE: dense /X [m, n] (C order, transposed to column-major) or CSR /X/{...}. */
static int read_h5(solace_bcd bcd, int problem, const options *o) {
  hid_t file = H5Fopen(o->input, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) return fprintf(stderr, PROGRAM ": cannot open %s\n", o->input), 1;
  hsize_t dims[2], ydims[2], nnz, nptr;
  int rank, yrank, status = 1;
  double *y = read_doubles(file, "y", ydims, &yrank);
  H5E_BEGIN_TRY {
    status = H5Lexists(file, "X/indptr", H5P_DEFAULT) > 0 ? 2 : 1;
  }
  H5E_END_TRY;
  if (!y) {
    fprintf(stderr, PROGRAM ": %s has no readable /y\n", o->input);
    status = 1;
  } else if (status == 2) {
    int64_t *ptr = read_ints(file, "X/indptr", &nptr), *ind = read_ints(file, "X/indices", &nnz);
    double *val = read_doubles(file, "X/data", dims, &rank);
    int64_t n = 0;
    for (hsize_t p = 0; ind && p < nnz; p++) n = ind[p] + 1 > n ? ind[p] + 1 : n;
    hid_t set = H5Dopen2(file, "X/indptr", H5P_DEFAULT);
    int64_t shape[2] = {0, 0};
    hid_t group = H5Gopen2(file, "X", H5P_DEFAULT), attr = H5Aopen(group, "shape", H5P_DEFAULT);
    if (attr >= 0 && H5Aread(attr, H5T_NATIVE_INT64, shape) >= 0 && shape[1] > n) n = shape[1];
    H5Aclose(attr), H5Gclose(group), H5Dclose(set);
    status = ptr && ind && val ? set_csr(bcd, problem, o, (int64_t)nptr - 1, n, ptr, ind, val, y)
                               : (fprintf(stderr, PROGRAM ": bad CSR group /X\n"), 1);
    free(ptr), free(ind), free(val);
  } else {
    double *X = read_doubles(file, "X", dims, &rank), *Xc = NULL;
    int64_t m = (int64_t)dims[0], n = (int64_t)dims[1];
    if (X && rank == 2 && (Xc = malloc(sizeof(double) * (size_t)(m * n) + 8))) {
      for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) Xc[i + j * m] = X[i * n + j];
      int st = solace_bcd_set_dense(bcd, problem, m, n, Xc, m, y, classes(o, m, y));
      status = st ? fail("reading the dense data", st) : 0;
    } else {
      status = 1, fprintf(stderr, PROGRAM ": %s has no 2-D /X\n", o->input);
    }
    free(X), free(Xc);
  }
  free(y);
  H5Fclose(file);
  return status;
}

/* Growable arrays of a libsvm file. */
typedef struct {
  int64_t m, nnz, cap, n, *ptr, *ind;
  double *val, *y;
} svm_data;

static int svm_push(svm_data *d, int64_t j, double v) {
  if (d->nnz == d->cap) {
    d->cap = d->cap ? 2 * d->cap : 4096;
    d->ind = realloc(d->ind, sizeof(int64_t) * (size_t)d->cap);
    d->val = realloc(d->val, sizeof(double) * (size_t)d->cap);
    if (!d->ind || !d->val) return 1;
  }
  d->ind[d->nnz] = j, d->val[d->nnz++] = v;
  d->n = j + 1 > d->n ? j + 1 : d->n;
  return 0;
}

/* Parses one line "label i:v i:v ..."; returns 0 or 1 on a format error. */
static int svm_line(svm_data *d, char *line) {
  char *p = line, *end;
  double label = strtod(p, &end);
  if (end == p) return 1;
  d->y = realloc(d->y, sizeof(double) * (size_t)(d->m + 1));
  d->ptr = realloc(d->ptr, sizeof(int64_t) * (size_t)(d->m + 2));
  if (!d->y || !d->ptr) return 1;
  d->y[d->m] = label;
  for (p = end; *p;) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    if (!*p) break;
    long long j = strtoll(p, &end, 10);
    if (end == p || *end != ':' || j < 1) return 1;
    double v = strtod(end + 1, &p);
    if (svm_push(d, j - 1, v)) return 1;
  }
  d->ptr[++d->m] = d->nnz;
  return 0;
}

static int read_libsvm(solace_bcd bcd, int problem, const options *o) {
  FILE *f = fopen(o->libsvm, "r");
  if (!f) return fprintf(stderr, PROGRAM ": cannot open %s\n", o->libsvm), 1;
  svm_data d = {0};
  d.ptr = calloc(1, sizeof(int64_t));
  char *line = NULL;
  size_t cap = 0;
  int64_t lineno = 0;
  int status = 0;
  while (!status && getline(&line, &cap, f) > 0) {
    lineno++;
    if (line[0] == '\n' || line[0] == '#') continue;
    if (svm_line(&d, line))
      status = 1, fprintf(stderr, PROGRAM ": %s:%lld: not libsvm\n", o->libsvm, (long long)lineno);
  }
  fclose(f), free(line);
  if (!status && problem == SOLACE_BCD_LOGISTIC) /* libsvm's 0/1 labels */
    for (int64_t i = 0; i < d.m; i++) d.y[i] = d.y[i] > 0 ? 1.0 : -1.0;
  if (!status) status = set_csr(bcd, problem, o, d.m, d.n, d.ptr, d.ind, d.val, d.y);
  free(d.ptr), free(d.ind), free(d.val), free(d.y);
  return status;
}

/* Sets the problem from the options. */
static int set_problem(solace_bcd bcd, const options *o) {
  static const char *const problems[] = {"ls", "logistic", "softmax"};
  static const char *const datasets[] = {"A", "B", "C", "D", "E", "L1"};
  int problem = lookup(o->problem, problems, 3);
  if (problem < 0) return usage_error("unknown problem", o->problem);
  if (o->input) return read_h5(bcd, problem, o);
  if (o->libsvm) return read_libsvm(bcd, problem, o);
  int data = lookup(o->data, datasets, 6);
  if (data < 0) return usage_error("unknown dataset", o->data);
  int status = solace_bcd_set_dataset(bcd, data, (uint64_t)o->seed, o->m, o->n);
  return status ? fail("generating the dataset", status) : 0;
}

/* Sets the penalty and the rules. */
static int set_rules(solace_bcd bcd, const options *o) {
  static const char *const penalties[] = {"none", "l1", "l1pos"};
  static const char *const partitions[] = {"order",    "sort", "avg",    "rowsum", "variable",
                                           "redblack", "comb", "forest", "tree"};
  static const char *const rules[] = {"cyclic", "random", "lipschitz", "gs", "gsl", "gsd", "gsq"};
  static const char *const updates[] = {"gradient", "adaptive", "newton", "armijo"};
  int pen = lookup(o->penalty, penalties, 3), part = lookup(o->partition, partitions, 9);
  int rule = lookup(o->rule, rules, 7), upd = lookup(o->update, updates, 4), status = 0;
  if (pen < 0) return usage_error("unknown penalty", o->penalty);
  if (part < 0) return usage_error("unknown partition", o->partition);
  if (rule < 0) return usage_error("unknown rule", o->rule);
  if (upd < 0) return usage_error("unknown update", o->update);
  double lambda = o->lambda;
  if (pen && o->lambda_ratio > 0) {
    double lmax;
    if ((status = solace_bcd_get_lambda_max(bcd, pen, &lmax))) return fail("lambda_max", status);
    lambda = o->lambda_ratio * lmax;
  }
  if (pen || strcmp(o->data, "L1") || o->input || o->libsvm)
    if ((status = solace_bcd_set_penalty(bcd, pen, lambda))) return fail("-penalty", status);
  if ((status = solace_bcd_set_partition(bcd, part, o->block))) return fail("-partition", status);
  if ((status = solace_bcd_set_rule(bcd, rule))) return fail("-rule", status);
  if ((status = solace_bcd_set_update(bcd, upd))) return fail("-update", status);
  if ((status = solace_bcd_set_stop(bcd, o->iters, o->tol))) return fail("-iters", status);
  if ((status = solace_bcd_set_seed(bcd, (uint64_t)o->seed))) return fail("-seed", status);
  if ((status = solace_bcd_set_working_set(bcd, o->ws))) return fail("-ws", status);
  return 0;
}

/* Adds /solution to the history file. */
static int write_solution(solace_bcd bcd, const char *path) {
  int64_t n;
  solace_bcd_get_size(bcd, &n);
  double *x = malloc(sizeof(double) * (size_t)n);
  if (!x) return 1;
  solace_bcd_get_solution(bcd, x);
  hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  hsize_t count = (hsize_t)n;
  hid_t space = H5Screate_simple(1, &count, NULL);
  hid_t set =
      H5Dcreate2(file, "solution", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  int status = set < 0 || H5Dwrite(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) < 0;
  H5Dclose(set), H5Sclose(space), H5Fclose(file), free(x);
  if (status) fprintf(stderr, PROGRAM ": cannot write /solution to %s\n", path);
  return status;
}

/* Prints the one-paragraph summary and the machine-readable result line. */
static void summary(solace_bcd bcd, const options *o, double seconds) {
  int64_t n, iters, settled = -1, support = -1;
  double F, gap, *t;
  solace_bcd_get_size(bcd, &n);
  solace_bcd_get_iterations(bcd, &iters);
  solace_bcd_get_result(bcd, &F, &gap);
  t = malloc(sizeof(double) * (size_t)(iters + 1));
  solace_bcd_get_history(bcd, NULL, NULL, t);
  int l1 = solace_bcd_get_support(bcd, &settled, &support) == SOLACE_SUCCESS;
  if (!o->quiet)
    printf(PROGRAM ": %s on %lld variables, partition %s, rule %s, update %s, block %lld: "
                   "%lld iterations in %.3f s, F = %.10g, gap %.3g%s; history in %s\n",
           o->problem, (long long)n, o->partition, o->rule, o->update, (long long)o->block,
           (long long)iters, t[iters], F, gap, o->ws ? " (working sets)" : "", o->output);
  printf("result objective=%.17g gap=%.6g seconds=%.6f iterations=%lld support=%lld "
         "settled=%lld\n",
         F, gap, seconds, (long long)iters, (long long)(l1 ? support : -1),
         (long long)(l1 ? settled : -1));
  free(t);
}

static int compare_doubles(const void *a, const void *b) {
  double u = *(const double *)a, v = *(const double *)b;
  return (u > v) - (u < v);
}

/* Solves until `budget` seconds are spent (at least once, at most 1000 times); *seconds = the
 * median wall time of one whole solace_bcd_solve call (set-up included, I/O excluded). */
static int timed_solves(solace_bcd bcd, double budget, double *seconds) {
  double t[1000], spent = 0;
  int count = 0, status = 0;
  while (!status && count < 1000 && (count == 0 || spent < budget)) {
    double t0 = solace_wtime();
    status = solace_bcd_solve(bcd);
    t[count] = solace_wtime() - t0, spent += t[count++];
  }
  qsort(t, (size_t)count, sizeof(double), compare_doubles);
  *seconds = count % 2 ? t[count / 2] : 0.5 * (t[count / 2 - 1] + t[count / 2]);
  return status;
}

int main(int argc, char **argv) {
  options o;
  int status = parse_options(argc, argv, &o);
  if (status) return status == 1 ? 0 : status;
  solace_bcd bcd = NULL;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  if ((status = solace_bcd_create(&bcd))) return fail("create", status);
  status = set_problem(bcd, &o);
  if (!status) status = set_rules(bcd, &o);
  double seconds = 0;
  int st = status ? 0 : timed_solves(bcd, o.time, &seconds);
  if (st) status = fail("solve", st);
  if (!status && (st = solace_bcd_write_history(bcd, o.output))) status = fail("write", st);
  if (!status) status = write_solution(bcd, o.output);
  if (!status) summary(bcd, &o, seconds);
  solace_bcd_destroy(&bcd);
  return status;
}
