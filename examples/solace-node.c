/* solace-node: train and evaluate regularized neural ODEs.
 *
 *   solace-node train -task spiral|fmnist -reg none|unbiased|biased|global -steps 300 -seed 1
 *                     -o w.h5 [options]
 *   solace-node eval  -weights w.h5 -task spiral|fmnist [options]
 *
 * train writes the weights (and, with -history, the per-step loss, regularizer, NFE, seconds and
 * accuracy; with -trajectories, the spiral training data in the /trajectories layout). eval
 * (with -trajectories: the predicted spiral test trajectories in the same layout)
 * prints "nfe <value>", "seconds <value>" and "error <value>" (spiral: RMSE over the test
 * trajectories) or "accuracy <value>" (fmnist: fraction of the test images) on stdout. */
#include "solace.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROGRAM "solace-node"

typedef struct {
  const char *command, *task, *reg, *out, *weights, *data, *history, *trajectories, *activation;
  const char *method, *hidden, *adjoint, *time, *regstep;
  int64_t steps, batch, ntrain, ntest, ntraj, ntimes, every, reg_samples;
  uint64_t seed;
  double lr, lambda0, lambda1, rtol, atol, tend;
} options;

typedef struct {
  const char *name, *fallback, *help;
} option_doc;

static const option_doc docs[] = {
    {"task", "spiral", "spiral (regression of du/dt = A u^3) or fmnist (Fashion-MNIST)"},
    {"reg", "none", "none, unbiased, biased (local regularizer) or global"},
    {"steps", "300", "training steps (Adam)"},
    {"seed", "1", "seed of the initialization, minibatches and regularizer times"},
    {"o", "w.h5", "train: weight file to write"},
    {"weights", "w.h5", "eval: weight file to read"},
    {"lr", "task: 0.01 spiral, 0.001 fmnist", "Adam learning rate"},
    {"batch", "task: 16 spiral, 64 fmnist", "minibatch size"},
    {"lambda0", "task: 0.1 spiral, 2.5 fmnist", "regularizer weight at step 0"},
    {"lambda1", "task: 0.01 spiral, 1.0 fmnist", "regularizer weight at the last step"},
    {"rtol", "task: 1e-6 spiral, 1e-5 fmnist", "relative tolerance"},
    {"atol", "task: 1e-6 spiral, 1e-5 fmnist", "absolute tolerance"},
    {"method", "tsit5", "tsit5, dopri5 or arkode4"},
    {"adjoint", "discrete",
     "train: discrete (recorded steps) or cvodes (continuous, checkpointed)"},
    {"hidden", "task: 50 spiral, 100 fmnist", "hidden widths, comma separated"},
    {"activation", "tanh", "tanh or relu"},
    {"time", "task: input spiral, layers fmnist",
     "where t enters f: input ([u, t] at the first layer) or layers (before every dense layer)"},
    {"reg_samples", "1", "train: t1 samples of the local regularizer per step (mean)"},
    {"regstep", "initial",
     "train: step of the local regularizer: initial (automatic initial step) or solver (the "
     "accepted step at t1)"},
    {"ntraj", "16", "spiral: training trajectories (test: the same number, other seed)"},
    {"ntimes", "20", "spiral: observation times"},
    {"tend", "1.5", "spiral: final time"},
    {"ntrain", "2000", "fmnist: training images (first ones of the training split)"},
    {"ntest", "1000", "fmnist: test images (first ones of the test split)"},
    {"data", "/usr/share/datasets/fashion-mnist", "fmnist: directory of the idx .gz files"},
    {"history", "(none)", "train: HDF5 file of the training history"},
    {"every", "0", "train: also write -o and -history every this many steps (0: at the end)"},
    {"trajectories", "(none)",
     "spiral: HDF5 file for the training (train) or predicted (eval) trajectories"},
    {"help", "", "this text"},
};

static void usage(void) {
  printf("usage: " PROGRAM " train|eval [options]\n\noptions (default):\n");
  for (size_t k = 0; k < sizeof docs / sizeof *docs; k++)
    printf("  -%-14s %s (%s)\n", docs[k].name, docs[k].help, docs[k].fallback);
}

static int is_spiral(const options *o) {
  return !strcmp(o->task, "spiral");
}

/* Task defaults for options left at their "task" default. */
static void task_defaults(options *o) {
  int s = is_spiral(o);
  if (o->lr <= 0) o->lr = s ? 0.01 : 0.001;
  if (o->batch <= 0) o->batch = s ? 16 : 64;
  if (o->lambda0 <= 0) o->lambda0 = s ? 0.1 : 2.5;
  if (o->lambda1 <= 0) o->lambda1 = s ? 0.01 : 1.0;
  if (o->rtol <= 0) o->rtol = s ? 1e-6 : 1e-5;
  if (o->atol <= 0) o->atol = s ? 1e-6 : 1e-5;
  if (!o->hidden) o->hidden = s ? "50" : "100";
  if (!o->time) o->time = s ? "input" : "layers";
}

static int parse(int argc, char **argv, options *o) {
  *o = (options){.task = "spiral",
                 .reg = "none",
                 .out = "w.h5",
                 .weights = "w.h5",
                 .data = "/usr/share/datasets/fashion-mnist",
                 .activation = "tanh",
                 .method = "tsit5",
                 .adjoint = "discrete",
                 .reg_samples = 1,
                 .regstep = "initial",
                 .steps = 300,
                 .ntrain = 2000,
                 .ntest = 1000,
                 .ntraj = 16,
                 .ntimes = 20,
                 .seed = 1,
                 .tend = 1.5};
  if (argc < 2 || !strcmp(argv[1], "-help")) return -1;
  o->command = argv[1];
  for (int i = 2; i < argc; i++) {
    const char *name = argv[i] + 1, *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (argv[i][0] != '-' || !strcmp(name, "help")) return -1;
    if (!v) return fprintf(stderr, PROGRAM ": -%s needs a value\n", name), -2;
    i++;
    if (!strcmp(name, "task"))
      o->task = v;
    else if (!strcmp(name, "reg"))
      o->reg = v;
    else if (!strcmp(name, "o"))
      o->out = v;
    else if (!strcmp(name, "weights"))
      o->weights = v;
    else if (!strcmp(name, "data"))
      o->data = v;
    else if (!strcmp(name, "history"))
      o->history = v;
    else if (!strcmp(name, "trajectories"))
      o->trajectories = v;
    else if (!strcmp(name, "activation"))
      o->activation = v;
    else if (!strcmp(name, "adjoint"))
      o->adjoint = v;
    else if (!strcmp(name, "method"))
      o->method = v;
    else if (!strcmp(name, "hidden"))
      o->hidden = v;
    else if (!strcmp(name, "time"))
      o->time = v;
    else if (!strcmp(name, "reg_samples"))
      o->reg_samples = atoll(v);
    else if (!strcmp(name, "regstep"))
      o->regstep = v;
    else if (!strcmp(name, "steps"))
      o->steps = atoll(v);
    else if (!strcmp(name, "batch"))
      o->batch = atoll(v);
    else if (!strcmp(name, "ntrain"))
      o->ntrain = atoll(v);
    else if (!strcmp(name, "ntest"))
      o->ntest = atoll(v);
    else if (!strcmp(name, "ntraj"))
      o->ntraj = atoll(v);
    else if (!strcmp(name, "ntimes"))
      o->ntimes = atoll(v);
    else if (!strcmp(name, "every"))
      o->every = atoll(v);
    else if (!strcmp(name, "seed"))
      o->seed = strtoull(v, NULL, 10);
    else if (!strcmp(name, "lr"))
      o->lr = atof(v);
    else if (!strcmp(name, "lambda0"))
      o->lambda0 = atof(v);
    else if (!strcmp(name, "lambda1"))
      o->lambda1 = atof(v);
    else if (!strcmp(name, "rtol"))
      o->rtol = atof(v);
    else if (!strcmp(name, "atol"))
      o->atol = atof(v);
    else if (!strcmp(name, "tend"))
      o->tend = atof(v);
    else
      return fprintf(stderr, PROGRAM ": unknown option -%s (see -help)\n", name), -2;
  }
  if (strcmp(o->task, "spiral") && strcmp(o->task, "fmnist"))
    return fprintf(stderr, PROGRAM ": -task %s is not spiral or fmnist\n", o->task), -2;
  if (strcmp(o->regstep, "initial") && strcmp(o->regstep, "solver"))
    return fprintf(stderr, PROGRAM ": -regstep %s is not initial or solver\n", o->regstep), -2;
  if (strcmp(o->adjoint, "discrete") && strcmp(o->adjoint, "cvodes"))
    return fprintf(stderr, PROGRAM ": -adjoint %s is not discrete or cvodes\n", o->adjoint), -2;
  task_defaults(o);
  return 0;
}

/* Index of `value` in the NULL-terminated `names`, or -1. */
static int lookup(const char *value, const char *const *names) {
  for (int k = 0; names[k]; k++)
    if (!strcmp(value, names[k])) return k;
  return -1;
}

static int fail(int status) {
  fprintf(stderr, PROGRAM ": %s: %s\n", solace_status_string(status), solace_error_message());
  return 1;
}
#define CHECK(expr)                                                                                \
  do {                                                                                             \
    int check_status_ = (expr);                                                                    \
    if (check_status_) return fail(check_status_);                                                 \
  } while (0)

/* Spiral data: ntraj trajectories, 2 x (ntimes ntraj); the test set uses another seed. */
static int spiral(const options *o, int test, double **times, double **x) {
  *times = calloc((size_t)o->ntimes, sizeof(double));
  *x = calloc((size_t)(2 * o->ntimes * o->ntraj), sizeof(double));
  if (!*times || !*x) return SOLACE_ERR_MEM;
  uint64_t seed = test ? o->seed + 7919 : o->seed;
  return solace_node_spiral_data(o->ntraj, o->ntimes, o->tend, seed, *times, *x, 2);
}

/* Fashion-MNIST: up to `max` images of a split. */
static int fmnist(const options *o, int test, int64_t max, double **x, int64_t **labels,
                  int64_t *n) {
  *x = calloc((size_t)(784 * max), sizeof(double));
  *labels = calloc((size_t)max, sizeof(int64_t));
  if (!*x || !*labels) return SOLACE_ERR_MEM;
  return solace_node_fashion_mnist(o->data, test, max, *x, 784, *labels, n);
}

/* A fresh model for the task (hidden widths parsed from "a,b,..."). */
static int create_model(const options *o, solace_node *node) {
  static const char *const acts[] = {"tanh", "relu", NULL}, *const methods[] = {"tsit5", "dopri5",
                                                                                "arkode4", NULL};
  int64_t hidden[16], nhidden = 0;
  for (const char *p = o->hidden; *p && nhidden < 16; nhidden++) {
    hidden[nhidden] = atoll(p);
    p = strchr(p, ',') ? strchr(p, ',') + 1 : p + strlen(p);
  }
  static const char *const times[] = {"input", "layers", NULL};
  int act = lookup(o->activation, acts), method = lookup(o->method, methods);
  int time = lookup(o->time, times);
  if (act < 0 || method < 0 || time < 0)
    return fprintf(stderr, PROGRAM ": -activation %s, -method %s or -time %s unknown\n",
                   o->activation, o->method, o->time),
           SOLACE_ERR_ARG;
  int status = solace_node_create(is_spiral(o) ? 2 : 784, nhidden, hidden, act, o->seed, node);
  if (!status) status = solace_node_set_time(*node, time);
  if (!status) status = solace_node_set_tolerances(*node, o->rtol, o->atol);
  if (!status) status = solace_node_set_method(*node, method, 10000);
  if (!status && !is_spiral(o)) status = solace_node_set_classifier(*node, 10, o->seed);
  return status;
}

static int train(const options *o) {
  static const char *const regs[] = {"none", "unbiased", "biased", "global", NULL};
  int reg = lookup(o->reg, regs);
  if (reg < 0)
    return fprintf(stderr, PROGRAM ": -reg %s is not none|unbiased|biased|global\n", o->reg), 1;
  solace_node node = NULL;
  double *times = NULL, *x = NULL, loss = 0, start = solace_wtime();
  int64_t *labels = NULL, n = 0;
  int status = is_spiral(o) ? spiral(o, 0, &times, &x) : fmnist(o, 0, o->ntrain, &x, &labels, &n);
  if (!status && o->trajectories && is_spiral(o))
    status = solace_node_write_traj(o->trajectories, o->ntraj, o->ntimes, times, 2, x, 2);
  if (!status) status = create_model(o, &node);
  if (!status) status = solace_node_set_adjoint(node, !strcmp(o->adjoint, "cvodes"));
  if (!status) status = solace_node_set_reg_samples(node, o->reg_samples);
  if (!status) status = solace_node_set_reg_step(node, !strcmp(o->regstep, "solver"));
  if (!status)
    status = solace_node_set_training(node, reg, o->lambda0, o->lambda1, o->lr, o->batch, o->seed);
  if (!status)
    status = solace_node_set_output(node, o->history, o->out, o->every > 0 ? o->every : o->steps);
  if (!status)
    status = is_spiral(o)
                 ? solace_node_train_traj(node, o->ntraj, o->ntimes, times, x, 2, o->steps, &loss)
                 : solace_node_train_labels(node, n, x, 784, labels, 1.0, o->steps, &loss);
  if (!status)
    printf("trained %s (%s, reg %s) for %lld steps in %.1f s: final loss %.6g; weights in %s\n",
           o->task, is_spiral(o) ? "regression" : "classification", o->reg, (long long)o->steps,
           solace_wtime() - start, loss, o->out);
  solace_node_destroy(&node);
  free(times), free(x), free(labels);
  return status ? fail(status) : 0;
}

/* Writes the predicted test trajectories (u: column k J + j is trajectory j at times[k]). */
static int write_predicted(const options *o, int64_t J, int64_t T, const double *times,
                           const double *u) {
  double *x = calloc((size_t)(2 * J * T), sizeof(double));
  if (!x) return SOLACE_ERR_MEM;
  for (int64_t k = 0; k < T; k++)
    for (int64_t j = 0; j < J; j++)
      for (int i = 0; i < 2; i++) x[(j * T + k) * 2 + i] = u[(k * J + j) * 2 + i];
  int status = solace_node_write_traj(o->trajectories, J, T, times, 2, x, 2);
  free(x);
  return status;
}

/* Spiral: integrates the test trajectories' initial states as one batch; RMSE over all times. */
static int eval_spiral(const options *o, solace_node node) {
  double *times = NULL, *x = NULL, *u0 = NULL, *u = NULL, sum = 0;
  int status = spiral(o, 1, &times, &x);
  int64_t T = o->ntimes, J = o->ntraj, nfe = 0;
  u0 = calloc((size_t)(2 * J), sizeof(double)), u = calloc((size_t)(2 * J * T), sizeof(double));
  if (!status && (!u0 || !u)) status = SOLACE_ERR_MEM;
  for (int64_t j = 0; !status && j < J; j++)
    u0[2 * j] = x[2 * j * T], u0[2 * j + 1] = x[2 * j * T + 1];
  double start = solace_wtime();
  if (!status) status = solace_node_integrate(node, J, u0, 2, times[0], T, times, u, 2);
  double seconds = solace_wtime() - start;
  if (!status) status = solace_node_get_nfe(node, &nfe);
  if (!status && o->trajectories) status = write_predicted(o, J, T, times, u);
  for (int64_t k = 0; !status && k < T; k++)
    for (int64_t j = 0; j < J; j++)
      for (int i = 0; i < 2; i++) {
        double r = u[(k * J + j) * 2 + i] - x[(j * T + k) * 2 + i];
        sum += r * r;
      }
  if (!status)
    printf("nfe %lld\nseconds %.6f\nerror %.6g\n", (long long)nfe, seconds,
           sqrt(sum / (double)(2 * J * T)));
  free(times), free(x), free(u0), free(u);
  return status;
}

/* Fashion-MNIST: classifies the test images as one batch. */
static int eval_fmnist(const options *o, solace_node node) {
  double *x = NULL;
  int64_t *labels = NULL, *predicted = NULL, n = 0, nfe = 0, correct = 0;
  int status = fmnist(o, 1, o->ntest, &x, &labels, &n);
  predicted = calloc((size_t)o->ntest, sizeof(int64_t));
  if (!status && !predicted) status = SOLACE_ERR_MEM;
  double start = solace_wtime();
  if (!status) status = solace_node_classify(node, n, x, 784, 1.0, predicted);
  double seconds = solace_wtime() - start;
  if (!status) status = solace_node_get_nfe(node, &nfe);
  for (int64_t j = 0; !status && j < n; j++) correct += predicted[j] == labels[j];
  if (!status)
    printf("nfe %lld\nseconds %.6f\naccuracy %.6f\n", (long long)nfe, seconds,
           (double)correct / (double)n);
  free(x), free(labels), free(predicted);
  return status;
}

static int eval(const options *o) {
  solace_node node = NULL;
  int64_t d = 0, classes = 0;
  CHECK(solace_node_create_from_file(o->weights, &node));
  int status = solace_node_get_sizes(node, &d, &classes);
  if (!status && (d == 2) != is_spiral(o)) {
    fprintf(stderr, PROGRAM ": %s holds a model of dimension %lld, not one for -task %s\n",
            o->weights, (long long)d, o->task);
    solace_node_destroy(&node);
    return 1;
  }
  if (!status) status = is_spiral(o) ? eval_spiral(o, node) : eval_fmnist(o, node);
  solace_node_destroy(&node);
  return status ? fail(status) : 0;
}

int main(int argc, char **argv) {
  options o;
  int parsed = parse(argc, argv, &o);
  if (parsed == -1) return usage(), argc >= 2 && !strcmp(argv[argc - 1], "-help") ? 0 : 1;

  if (parsed) return 1;
  solace_set_blas_threads(1);
  if (!strcmp(o.command, "train")) return train(&o);
  if (!strcmp(o.command, "eval")) return eval(&o);
  fprintf(stderr, PROGRAM ": unknown command '%s' (train or eval)\n", o.command);
  return 1;
}
