/* Convolution speed against the machine's GEMM: achieved GFLOP/s of Solace's im2col + dgemm
 * convolution (forward, and backward with weight and input gradients) for 16 -> 16 channels,
 * 3x3 on 64^2, 128^2, 256^2 images (batch 1 and 8) and 3x3x3 on 32^3, side by side with
 * cblas_dgemm on a large square product in the same run (the "peak"); with 1 and 2 BLAS threads.
 * GEMM and convolution runs alternate (A B A B ...); medians of the repetitions are printed.
 * Usage: bench-conv [-quick] [-reps n] [-tile columns]. */
#include "bench-util.h"
#include "solace.h"

#include "../../src/nn/nn.h"

#include <cblas.h>
#include <math.h>

#define MAX_REPS 16

typedef struct {
  int ndim;
  int64_t size, batch;
  double fwd[MAX_REPS], bwd[MAX_REPS];
  solace_nn_net net;
  solace_nn_tensor *x, *dx;
} conv_case;

/* FLOPs of one forward pass (a multiply-add is 2); backward does twice as many. */
static double conv_flops(const conv_case *c) {
  double points = pow((double)c->size, c->ndim), k = c->ndim == 2 ? 9 : 27;
  return 2.0 * 16 * 16 * k * points * (double)c->batch;
}

/* Seconds of one n x n x n dgemm. */
static double time_gemm(int n, double *a, double *b, double *c) {
  double t = solace_wtime();
  cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
  return solace_wtime() - t;
}

/* Seconds of one forward and one backward (dL/dW, dL/db, dL/dx) of a case. */
static int time_conv(conv_case *c, int rep) {
  const solace_nn_tensor *y;
  double t = solace_wtime();
  if (solace_nn_net_forward(c->net, c->x, &y)) return 1;
  c->fwd[rep] = solace_wtime() - t;
  solace_nn_tensor dy = *y;
  dy.capacity = 0; /* the output itself serves as dL/dy */
  t = solace_wtime();
  if (solace_nn_net_backward(c->net, &dy, c->dx)) return 1;
  c->bwd[rep] = solace_wtime() - t;
  return 0;
}

/* Builds a one-conv network and its input for a case. */
static int setup(conv_case *c, int64_t tile) {
  solace_nn_layer *l;
  int64_t dims[3] = {c->size, c->size, c->size};
  if (solace_nn_net_create(&c->net) || solace_nn_layer_create_conv(c->ndim, 16, 16, 3, &l) ||
      solace_nn_net_add_layer(c->net, &l) || solace_nn_net_init(c->net, 1) ||
      (tile > 0 && solace_nn_net_set_tile(c->net, tile)) ||
      solace_nn_tensor_create(c->ndim, c->batch, 16, dims, &c->x) ||
      solace_nn_tensor_create(c->ndim, c->batch, 16, dims, &c->dx))
    return 1;
  return solace_rand_normal(1, 0, 0, solace_nn_tensor_size(c->x), c->x->data);
}

static void teardown(conv_case *c) {
  solace_nn_net_destroy(&c->net);
  solace_nn_tensor_destroy(&c->x);
  solace_nn_tensor_destroy(&c->dx);
}

/* Runs every case and the GEMM alternately with `threads` BLAS threads; prints the table. */
static int run(conv_case *cases, int ncases, int gemm_n, int reps, int threads) {
  double gemm[MAX_REPS];
  double *a = malloc(sizeof(double) * gemm_n * gemm_n),
         *b = malloc(sizeof(double) * gemm_n * gemm_n);
  double *cm = malloc(sizeof(double) * gemm_n * gemm_n);
  solace_rand_normal(2, 0, 0, (int64_t)gemm_n * gemm_n, a);
  solace_rand_normal(2, 1, 0, (int64_t)gemm_n * gemm_n, b);
  openblas_set_num_threads(threads);
  time_gemm(gemm_n, a, b, cm); /* warm-up */
  for (int r = 0; r < reps; r++) {
    gemm[r] = time_gemm(gemm_n, a, b, cm);
    for (int k = 0; k < ncases; k++)
      if (time_conv(&cases[k], r)) return 1;
  }
  double peak = 2.0 * pow(gemm_n, 3) / bench_median(gemm, reps) / 1e9;
  printf("\nBLAS threads %d: dgemm %dx%dx%d peak %.2f GFLOP/s\n", threads, gemm_n, gemm_n, gemm_n,
         peak);
  printf("%-18s %6s %11s %9s %8s %11s %9s %8s\n", "case", "batch", "fwd ms", "GFLOP/s", "/peak",
         "bwd ms", "GFLOP/s", "/peak");
  for (int k = 0; k < ncases; k++) {
    conv_case *c = &cases[k];
    char name[64];
    snprintf(name, sizeof name, "conv%dd 16->16 %lld^%d", c->ndim, (long long)c->size, c->ndim);
    double f = bench_median(c->fwd, reps), bw = bench_median(c->bwd, reps);
    double gf = conv_flops(c) / f / 1e9, gb = 2 * conv_flops(c) / bw / 1e9;
    printf("%-18s %6lld %11.2f %9.2f %8.2f %11.2f %9.2f %8.2f\n", name, (long long)c->batch,
           f * 1e3, gf, gf / peak, bw * 1e3, gb, gb / peak);
  }
  free(a);
  free(b);
  free(cm);
  return 0;
}

int main(int argc, char **argv) {
  int quick = 0, reps = 5;
  int64_t tile = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-quick"))
      quick = 1;
    else if (!strcmp(argv[i], "-reps") && i + 1 < argc)
      reps = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-tile") && i + 1 < argc)
      tile = atoll(argv[++i]);
    else
      return fprintf(stderr, "usage: bench-conv [-quick] [-reps n] [-tile columns]\n"), 1;
  }
  if (quick) reps = 1;
  if (reps < 1 || reps > MAX_REPS) return fprintf(stderr, "-reps must be 1..%d\n", MAX_REPS), 1;
#define CASE(d, s, b) {.ndim = d, .size = s, .batch = b}
  conv_case full[] = {CASE(2, 64, 1),  CASE(2, 64, 8),  CASE(2, 128, 1), CASE(2, 128, 8),
                      CASE(2, 256, 1), CASE(2, 256, 8), CASE(3, 32, 1)},
            small[] = {CASE(2, 64, 1), CASE(3, 16, 1)};
  conv_case *cases = quick ? small : full;
  int ncases = quick ? 2 : 7;
  bench_print_machine();
  printf("im2col + cblas_dgemm convolution vs cblas_dgemm; %d repetitions, medians%s\n", reps,
         quick ? " (quick mode)" : "");
  for (int k = 0; k < ncases; k++)
    if (setup(&cases[k], tile)) return fprintf(stderr, "setup: %s\n", solace_error_message()), 1;
  for (int threads = 1; threads <= 2; threads++)
    if (run(cases, ncases, quick ? 400 : 2000, reps, threads))
      return fprintf(stderr, "conv: %s\n", solace_error_message()), 1;
  for (int k = 0; k < ncases; k++) teardown(&cases[k]);
  return 0;
}
