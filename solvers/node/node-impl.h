/* Internals of the neural-ODE kernel (solvers/node): Butcher tables, the MLP vector field, the
 * ARKODE forward solve with its record of accepted steps, the VJP of one explicit RK step (shared
 * by the discrete adjoint and the regularizers), the local and global error-estimate regularizers,
 * the tasks (spiral regression, Fashion-MNIST classification) and the training loop.
 *
 * States. A batch of n samples of dimension d is ONE ODE state of N = n d values, stored sample
 * after sample (u[s d + i]), which is the column-major d x n matrix of the public ABI and the
 * row-major [n, d] tensor of src/nn.
 *
 * Gradients. The discrete adjoint differentiates the map the solver actually applied: the
 * accepted steps (t_n, h_n) are recorded and treated as constants, each step
 * y_{n+1} = y_n + h sum_i b_i k_i, k_i = f(y_n + h sum_j a_ij k_j, t_n + c_i h) is reversed by
 * node_step_vjp(). The step sizes depend on theta only through the error controller, whose
 * derivative is not part of the method (as in every discrete adjoint of an adaptive solver). */
#ifndef SOLACE_NODE_IMPL_H
#define SOLACE_NODE_IMPL_H

#include "nn/nn.h"
#include "solace/node.h"

#include <sundials/sundials_context.h>

/* ------------------------------------------------------------------------------------------ */
/* Butcher tables                                                                             */

#define NODE_MAX_STAGES 8

/* An explicit RK table with its embedding d (b - d is the error estimate's weights). */
typedef struct {
  int stages, q, p; /* stages, order of b, order of the embedding d */
  double c[NODE_MAX_STAGES], A[NODE_MAX_STAGES][NODE_MAX_STAGES];
  double b[NODE_MAX_STAGES], d[NODE_MAX_STAGES];
} node_table;

/* Fills the table of a ::solace_node_method (Tsit5 from its coefficients, the others from
 * ARKODE's own tables). */
SOLACE_INTERN int node_table_get(int method, node_table *table);

/* ------------------------------------------------------------------------------------------ */
/* The vector field f_theta(u, t): an MLP on [u, t]                                           */

typedef struct {
  solace_nn_net net;             /* (d + 1) -> ... -> d, or t appended before every dense layer */
  int64_t d, n;                  /* state dimension per sample, batch size of the buffers */
  int time_layers;               /* 1: t appended at every layer (input width d) */
  int64_t cin;                   /* network input width: d + 1, or d with time_layers */
  solace_nn_tensor *x, *dx, *dy; /* [n, cin], [n, cin], [n, d] */
  int64_t nfe;                   /* forward evaluations f(u, t) since the last reset */
  int64_t nvjp;                  /* VJPs (each recomputes one forward) */
} node_field;

/* Creates the field of an MLP with widths (d + 1, hidden..., d); relu selects ReLU over tanh.
 * time_layers = 1 appends t to the input of every dense layer instead: (d + 1) -> h1, (h1 + 1)
 * -> h2, ..., (hk + 1) -> d. */
SOLACE_INTERN int node_field_create(int64_t d, int nhidden, const int64_t *hidden, int relu,
                                    int time_layers, node_field **field);
SOLACE_INTERN void node_field_destroy(node_field **field);

/* Sizes the buffers for a batch of n samples. */
SOLACE_INTERN int node_field_set_batch(node_field *field, int64_t n);

/* f = f_theta(u, t) for the whole batch (N = n d values each). Counts one evaluation. */
SOLACE_INTERN int node_field_eval(node_field *field, double t, const double *u, double *f);

/* Reverse mode of f at (u, t) for the cotangent g: accumulates (df/dtheta)^T g into the
 * network's parameter gradients and ADDS (df/du)^T g to gu (gu may be NULL). */
SOLACE_INTERN int node_field_vjp(node_field *field, double t, const double *u, const double *g,
                                 double *gu);

/* ------------------------------------------------------------------------------------------ */
/* One RK step and its reverse mode                                                           */

/* Stages of one step from (t, y) with step h: k[i N .. (i+1) N - 1] = k_i for every stage; y1 =
 * y + h sum b_i k_i. If k1 is given (FSAL or a known f(y, t)), stage 1 is not evaluated. work: N.
 */
SOLACE_INTERN int node_step_forward(node_field *field, const node_table *tab, int64_t N, double t,
                                    double h, const double *y, const double *k1, double *k,
                                    double *y1, double *work);

/* Reverse mode of node_step_forward for the cotangents ybar1 on y1 and kbar (NULL or s N values
 * on the stages themselves, e.g. from an error estimate). Accumulates the parameter gradient,
 * ADDS dL/dy to ybar (NULL: not needed). first_const = 1 treats k_1 as a constant (no gradient
 * through it). kbar is overwritten when given; work: (s + 2) N values. */
SOLACE_INTERN int node_step_vjp(node_field *field, const node_table *tab, int64_t N, double t,
                                double h, const double *y, const double *k, const double *ybar1,
                                double *kbar, int first_const, double *ybar, double *work);

/* EEst = sqrt(mean((h sum (b_i - d_i) k_i ./ (atol + rtol max(|y|, |y1|)))^2)). */
SOLACE_INTERN double node_error_estimate(const node_table *tab, int64_t N, double h, double atol,
                                         double rtol, const double *y, const double *y1,
                                         const double *k);

/* Reverse mode of node_error_estimate for the cotangent w on EEst: ADDS to kbar (s N), y1bar
 * and ybar (NULL: y constant). */
SOLACE_INTERN void node_error_estimate_vjp(const node_table *tab, int64_t N, double h, double atol,
                                           double rtol, const double *y, const double *y1,
                                           const double *k, double w, double *kbar, double *y1bar,
                                           double *ybar);

/* The automatic initial step of Hairer, Norsett & Wanner (II.4) for order q, given f0 = f(y,
 * t0); one more evaluation of f; at most tspan. work: 2 N. */
SOLACE_INTERN int node_initial_step(node_field *field, int q, int64_t N, double t0, double tspan,
                                    double atol, double rtol, const double *y, const double *f0,
                                    double *h, double *work);

/* ------------------------------------------------------------------------------------------ */
/* Forward solve with ARKODE ERKStep                                                          */

/* The accepted steps of the last solve: step j goes from t[j] with size h[j] and starts from
 * y[j N ..]; y[nsteps N ..] is the final state. out_step[k] = steps taken when output k was
 * reached. */
typedef struct {
  int64_t nsteps, capacity, N;
  double *t, *h, *y;
  int64_t nout, *out_step;
} node_record;

SOLACE_INTERN void node_record_free(node_record *rec);

typedef struct {
  node_field *field;
  node_table table;
  int method;
  double rtol, atol;
  int64_t max_steps;
  int64_t arkode_nfe; /* ERKStepGetNumRhsEvals of the last solve */
  SUNContext sun;
} node_solver;

SOLACE_INTERN int node_solver_init(node_solver *solver, node_field *field, int method, double rtol,
                                   double atol);
SOLACE_INTERN void node_solver_free(node_solver *solver);

/* Integrates the batch state u0 (N values) from t0 through the increasing times tout[0..nout-1]
 * (>= t0) and writes the states there to uout (nout N). rec (may be NULL) receives the accepted
 * steps; probe[j N ..] receives the dense-output state at probe_t[j] for each of the nprobe
 * times in [t0, tout[nout-1]] (any order). Checks that u0 and every output are finite. */
SOLACE_INTERN int node_solve(node_solver *solver, int64_t N, double t0, const double *u0,
                             int64_t nout, const double *tout, double *uout, node_record *rec,
                             int64_t nprobe, const double *probe_t, double *probe);

/* ------------------------------------------------------------------------------------------ */
/* Adjoint and regularizers                                                                   */

/* Reverse sweep over rec: ubar[k N ..] = dL/du(tout_k) for every output (nout N values, may be
 * modified). Adds the parameter gradient and, if u0bar is not NULL, writes dL/du0. When gweight
 * > 0 the global regularizer gweight * sum_n EEst_n h_n is added to the loss (its value goes to
 * *greg when not NULL) and differentiated. */
SOLACE_INTERN int node_adjoint(node_solver *solver, const node_record *rec, double *ubar,
                               double gweight, double *greg, double *u0bar);

/* The continuous adjoint by CVODES (its own forward solve with checkpoints, then backward with a
 * parameter quadrature): same contract as node_adjoint for the task loss of the outputs at tout,
 * without regularizer. ubar: nout N cotangents. */
SOLACE_INTERN int node_cvodes_adjoint(node_solver *solver, int64_t N, double t0, const double *u0,
                                      int64_t nout, const double *tout, const double *ubar,
                                      double *u0bar);

/* The local regularizer R = EEst h of one fresh Tsit5 step from (t1, u1) with the step h, or
 * with the automatic initial step when h <= 0 (at most tend - t1 either way); with weight != 0
 * adds weight * dR/dtheta through k2..k7 and u_{n+1} (u1, k1 and h constant). */
SOLACE_INTERN int node_local_reg(node_field *field, int64_t N, double t1, double tend, double h,
                                 const double *u1, double atol, double rtol, double weight,
                                 double *R);

/* The mean of node_local_reg over k samples (t1[j], h[j], u1[j]): *R = mean R_j, and with weight
 * != 0 adds weight * mean dR_j/dtheta. */
SOLACE_INTERN int node_local_reg_mean(node_field *field, int64_t N, int64_t k, const double *t1,
                                      double tend, const double *h, const double *const *u1,
                                      double atol, double rtol, double weight, double *R);

#endif
