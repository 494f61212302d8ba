/* Regularized neural ODEs side by side: for each task, the same seed trained unregularized, with
 * the global regularizer and with the local one (unbiased and biased t1); then the test set is
 * predicted by each model in turn (A B C D A B C D ...) and the table gives the test NFE, the
 * median prediction time, the accuracy (fmnist) or RMSE (spiral), the training time, and the
 * ratios to the unregularized model; then one training step of each regularizer from the same
 * weights (the unregularized model's), alternating, gives the per-step cost at equal model
 * ("step over": the regularizer's own overhead, apart from its effect on the NFE). Targets (Pal et
 * al. 2023): NFE 0.56-0.73x, prediction 1.3-2x faster at accuracy within 1 point, local-regularizer
 * training overhead < 10%.
 *
 *   bench-node [-quick] [-task spiral|fmnist|both] [-steps n] [-ntrain n] [-ntest n] [-reps n]
 *              [-seed s] [-data dir] [-lambda0 l] [-lambda1 l] [-regstep initial|solver]
 *              [-time input|layers] [-reg_samples k] [-tol t] [-batch b]
 * fmnist defaults to the paper's MNIST model with t appended at every layer (-time layers). */
#include "bench-util.h"
#include "solace.h"

#include <math.h>

/* The spiral's regularizer weights (loss 0.02 - 3; R = EEst h of one step ~ 1e-6 - 1e-2). */
#define SPIRAL_LAMBDA0 0.1
#define SPIRAL_LAMBDA1 0.01

#define NREG 4
static const char *reg_names[NREG] = {"none", "global", "unbiased", "biased"};
static const int regs[NREG] = {SOLACE_NODE_REG_NONE, SOLACE_NODE_REG_GLOBAL,
                               SOLACE_NODE_REG_UNBIASED, SOLACE_NODE_REG_BIASED};

typedef struct {
  const char *task, *data;
  int quick;
  int64_t steps, ntrain, ntest, reps, batch;
  uint64_t seed;
  double lambda0, lambda1; /* 0: the task's default */
  int reg_step;            /* solace_node_reg_step of the local regularizer */
  int time;                /* solace_node_time; -1: the task's default */
  int64_t reg_samples;     /* t1 samples of the local regularizer per step */
  double tol;              /* rtol = atol; 0: the task's default */
} config;

/* Test and training data of a task. */
typedef struct {
  int64_t n, ntimes, ntest;
  double *times, *x, *tx; /* spiral: trajectories; fmnist: images */
  int64_t *labels, *tlabels;
} dataset;

typedef struct {
  double train_seconds, predict[64], score;
  double step[64]; /* one training step from the unregularized model's weights */
  int64_t nfe;
} result;

static int spiral(const config *c) {
  return !strcmp(c->task, "spiral");
}

static int check(int status, const char *what) {
  if (status)
    fprintf(stderr, "bench-node: %s: %s: %s\n", what, solace_status_string(status),
            solace_error_message());
  return status;
}

static int load_data(const config *c, dataset *ds) {
  memset(ds, 0, sizeof *ds);
  if (spiral(c)) {
    ds->n = c->ntrain, ds->ntest = c->ntest, ds->ntimes = 20;
    ds->times = calloc(20, sizeof(double));
    ds->x = calloc((size_t)(2 * 20 * ds->n), sizeof(double));
    ds->tx = calloc((size_t)(2 * 20 * ds->ntest), sizeof(double));
    int status = solace_node_spiral_data(ds->n, 20, 1.5, c->seed, ds->times, ds->x, 2);
    return status
               ? status
               : solace_node_spiral_data(ds->ntest, 20, 1.5, c->seed + 7919, ds->times, ds->tx, 2);
  }
  ds->x = calloc((size_t)(784 * c->ntrain), sizeof(double));
  ds->tx = calloc((size_t)(784 * c->ntest), sizeof(double));
  ds->labels = calloc((size_t)c->ntrain, sizeof(int64_t));
  ds->tlabels = calloc((size_t)c->ntest, sizeof(int64_t));
  int status = solace_node_fashion_mnist(c->data, 0, c->ntrain, ds->x, 784, ds->labels, &ds->n);
  return status ? status
                : solace_node_fashion_mnist(c->data, 1, c->ntest, ds->tx, 784, ds->tlabels,
                                            &ds->ntest);
}

static void free_data(dataset *ds) {
  free(ds->times), free(ds->x), free(ds->tx), free(ds->labels), free(ds->tlabels);
}

/* The training options of regularizer reg (the task's default weights unless given). */
static int set_training(const config *c, int reg, solace_node node) {
  double l0 = c->lambda0 > 0 ? c->lambda0 : spiral(c) ? SPIRAL_LAMBDA0 : 2.5;
  double l1 = c->lambda1 > 0 ? c->lambda1 : spiral(c) ? SPIRAL_LAMBDA1 : 1.0;
  int status =
      solace_node_set_training(node, reg, l0, l1, spiral(c) ? 0.01 : 1e-3, c->batch, c->seed);
  if (!status) status = solace_node_set_reg_step(node, c->reg_step);
  if (!status) status = solace_node_set_reg_samples(node, c->reg_samples);
  return status;
}

/* The model of the driver's defaults for the task. */
static int create_model(const config *c, int reg, solace_node *node) {
  int64_t hidden = spiral(c) ? 50 : 100;
  int status = solace_node_create(spiral(c) ? 2 : 784, 1, &hidden, SOLACE_NODE_TANH, c->seed, node);
  double tol = c->tol > 0 ? c->tol : spiral(c) ? 1e-6 : 1e-5;
  int time = c->time >= 0 ? c->time : spiral(c) ? SOLACE_NODE_TIME_INPUT : SOLACE_NODE_TIME_LAYERS;
  if (!status) status = solace_node_set_time(*node, time);
  if (!status) status = solace_node_set_tolerances(*node, tol, tol);
  if (!status && !spiral(c)) status = solace_node_set_classifier(*node, 10, c->seed);
  return status ? status : set_training(c, reg, *node);
}

static int train(const config *c, const dataset *ds, solace_node node, result *r) {
  double start = solace_wtime();
  int status =
      spiral(c)
          ? solace_node_train_traj(node, ds->n, ds->ntimes, ds->times, ds->x, 2, c->steps, NULL)
          : solace_node_train_labels(node, ds->n, ds->x, 784, ds->labels, 1.0, c->steps, NULL);
  r->train_seconds = solace_wtime() - start;
  return status;
}

/* Times one training step with regularizer k from the weights in `path` (the same weights,
 * minibatch and forward solve for every regularizer, so the difference is the regularizer). */
static int time_step(const config *c, const dataset *ds, const char *path, int k, double *seconds) {
  solace_node node = NULL;
  config one = *c;
  one.steps = 1;
  int status = solace_node_create_from_file(path, &node);
  if (!status) status = set_training(c, regs[k], node);
  result r = {0};
  if (!status) status = train(&one, ds, node, &r);
  *seconds = r.train_seconds;
  solace_node_destroy(&node);
  return status;
}

/* Per-step cost of each regularizer at equal weights: the unregularized model's final weights,
 * one step per regularizer in turn (A B C D A B C D ...), reps rounds. */
static int measure_steps(const config *c, const dataset *ds, solace_node base, result *res) {
  char path[4096];
  const char *dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
  snprintf(path, sizeof path, "%s/bench-node-%ld.h5", dir, (long)getpid());
  int status = check(solace_node_save(base, path), "save");
  for (int rep = 0; !status && rep < c->reps; rep++)
    for (int k = 0; !status && k < NREG; k++)
      status = check(time_step(c, ds, path, k, &res[k].step[rep]), "step");
  remove(path);
  return status;
}

/* One prediction of the test set: time, NFE and RMSE or accuracy. */
static int predict(const config *c, const dataset *ds, solace_node node, int rep, result *r) {
  int64_t J = ds->ntest, T = ds->ntimes;
  double *u0 = calloc((size_t)(2 * J), sizeof(double)),
         *u = calloc((size_t)(2 * J * T), sizeof(double));
  int64_t *pred = calloc((size_t)J, sizeof(int64_t));
  if (!u0 || !u || !pred) return free(u0), free(u), free(pred), SOLACE_ERR_MEM;
  for (int64_t j = 0; spiral(c) && j < J; j++)
    u0[2 * j] = ds->tx[2 * j * T], u0[2 * j + 1] = ds->tx[2 * j * T + 1];
  double start = solace_wtime();
  int status = spiral(c) ? solace_node_integrate(node, J, u0, 2, 0.0, T, ds->times, u, 2)
                         : solace_node_classify(node, J, ds->tx, 784, 1.0, pred);
  r->predict[rep] = solace_wtime() - start;
  if (!status) status = solace_node_get_nfe(node, &r->nfe);
  double sum = 0;
  for (int64_t k = 0; spiral(c) && k < T; k++)
    for (int64_t j = 0; j < J; j++)
      for (int i = 0; i < 2; i++)
        sum += pow(u[(k * J + j) * 2 + i] - ds->tx[(j * T + k) * 2 + i], 2);
  for (int64_t j = 0; !spiral(c) && j < J; j++) sum += pred[j] == ds->tlabels[j];
  r->score = spiral(c) ? sqrt(sum / (double)(2 * J * T)) : sum / (double)J;
  free(u0), free(u), free(pred);
  return status;
}

static void print_table(const config *c, const dataset *ds, result *res) {
  printf("\ntask %s: %lld training %s, %lld test, %lld steps, batch %lld, seed %llu, %lld "
         "prediction repetitions, local step h %s, %lld t1 samples, tol %g, t %s\n",
         c->task, (long long)ds->n, spiral(c) ? "trajectories" : "images", (long long)ds->ntest,
         (long long)c->steps, (long long)c->batch, (unsigned long long)c->seed, (long long)c->reps,
         c->reg_step ? "solver" : "initial", (long long)c->reg_samples,
         c->tol > 0  ? c->tol
         : spiral(c) ? 1e-6
                     : 1e-5,
         c->time == 1 || (c->time < 0 && !spiral(c)) ? "at every layer" : "at the input");
  printf("%-9s %8s %9s %12s %9s %10s %10s %12s %10s %10s %10s\n", "reg", "test NFE", "NFE ratio",
         "predict [s]", "speedup", spiral(c) ? "RMSE" : "accuracy",
         spiral(c) ? "dRMSE" : "d[points]", "train [s]", "overhead", "step [s]", "step over");
  double base_t = bench_median(res[0].predict, (int)c->reps);
  double base_step = bench_median(res[0].step, (int)c->reps);
  for (int k = 0; k < NREG; k++) {
    double t = k ? bench_median(res[k].predict, (int)c->reps) : base_t;
    double step = k ? bench_median(res[k].step, (int)c->reps) : base_step;
    double dscore = spiral(c) ? res[k].score - res[0].score : 100 * (res[k].score - res[0].score);
    printf("%-9s %8lld %9.3f %12.4g %9.3f %10.4f %10.3f %12.1f %9.1f%% %10.4g %9.1f%%\n",
           reg_names[k], (long long)res[k].nfe, (double)res[k].nfe / (double)res[0].nfe, t,
           base_t / t, spiral(c) ? res[k].score : 100 * res[k].score, dscore, res[k].train_seconds,
           100 * (res[k].train_seconds / res[0].train_seconds - 1), step,
           100 * (step / base_step - 1));
  }
}

static int run_task(config c) {
  dataset ds;
  solace_node nodes[NREG] = {0};
  result res[NREG] = {0};
  int status = check(load_data(&c, &ds), "data");
  for (int k = 0; !status && k < NREG; k++) {
    status = check(create_model(&c, regs[k], &nodes[k]), "create");
    if (!status) fprintf(stderr, "bench-node: %s, reg %s\n", c.task, reg_names[k]);
    if (!status) status = check(train(&c, &ds, nodes[k], &res[k]), "train");
  }
  for (int rep = 0; !status && rep < c.reps; rep++)
    for (int k = 0; !status && k < NREG; k++)
      status = check(predict(&c, &ds, nodes[k], rep, &res[k]), "predict");
  if (!status) status = measure_steps(&c, &ds, nodes[0], res);
  if (!status) print_table(&c, &ds, res);
  for (int k = 0; k < NREG; k++) solace_node_destroy(&nodes[k]);
  free_data(&ds);
  return status;
}

int main(int argc, char **argv) {
  config c = {.task = "both",
              .data = "/usr/share/datasets/fashion-mnist",
              .seed = 1,
              .reps = 3,
              .time = -1,
              .reg_samples = 1};
  int64_t steps = 0, ntrain = 0, ntest = 0, batch = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-quick"))
      c.quick = 1;
    else if (i + 1 < argc && !strcmp(argv[i], "-task"))
      c.task = argv[++i];
    else if (i + 1 < argc && !strcmp(argv[i], "-data"))
      c.data = argv[++i];
    else if (i + 1 < argc && !strcmp(argv[i], "-steps"))
      steps = atoll(argv[++i]);
    else if (i + 1 < argc && !strcmp(argv[i], "-ntrain"))
      ntrain = atoll(argv[++i]);
    else if (i + 1 < argc && !strcmp(argv[i], "-ntest"))
      ntest = atoll(argv[++i]);
    else if (i + 1 < argc && !strcmp(argv[i], "-reps"))
      c.reps = atoll(argv[++i]);
    else if (i + 1 < argc && !strcmp(argv[i], "-seed"))
      c.seed = strtoull(argv[++i], NULL, 10);
    else if (i + 1 < argc && !strcmp(argv[i], "-lambda0"))
      c.lambda0 = atof(argv[++i]);
    else if (i + 1 < argc && !strcmp(argv[i], "-lambda1"))
      c.lambda1 = atof(argv[++i]);
    else if (i + 1 < argc && !strcmp(argv[i], "-regstep"))
      c.reg_step = !strcmp(argv[++i], "solver");
    else if (i + 1 < argc && !strcmp(argv[i], "-time"))
      c.time = !strcmp(argv[++i], "layers");
    else if (i + 1 < argc && !strcmp(argv[i], "-reg_samples"))
      c.reg_samples = atoll(argv[++i]);
    else if (i + 1 < argc && !strcmp(argv[i], "-tol"))
      c.tol = atof(argv[++i]);
    else if (i + 1 < argc && !strcmp(argv[i], "-batch"))
      batch = atoll(argv[++i]);
    else
      return fprintf(stderr, "bench-node: unknown argument %s\n", argv[i]), 1;
  }
  if (c.reps < 1 || c.reps > 64) return fprintf(stderr, "bench-node: -reps must be in 1..64\n"), 1;
  setvbuf(stdout, NULL, _IOLBF, 0); /* each table as soon as it is complete */
  solace_set_blas_threads(1);
  solace_log_set_level(SOLACE_LOG_WARN);
  bench_print_machine();
  int status = 0, both = !strcmp(c.task, "both");
  if (both || !strcmp(c.task, "spiral")) {
    config s = c;
    s.task = "spiral", s.steps = steps ? steps : c.quick ? 20 : 300;
    s.ntrain = ntrain ? ntrain : c.quick ? 4 : 16, s.ntest = ntest ? ntest : c.quick ? 4 : 16;
    s.batch = batch ? batch : s.ntrain;
    s.reps = c.quick ? c.reps : 7 * c.reps < 64 ? 7 * c.reps : 63; /* predictions take ~10 ms */
    status = run_task(s);
  }
  if (!status && (both || !strcmp(c.task, "fmnist"))) {
    config f = c;
    f.task = "fmnist", f.steps = steps ? steps : c.quick ? 3 : 80;
    f.ntrain = ntrain ? ntrain : c.quick ? 64 : 1000, f.ntest = ntest ? ntest : c.quick ? 64 : 500;
    f.batch = batch ? batch : c.quick ? 32 : 64;
    status = run_task(f);
  }
  return status ? 1 : 0;
}
