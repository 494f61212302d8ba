/* The public neural-ODE object (include/solace/node.h) shared by node.c, node-io.c and train.c. */
#ifndef SOLACE_NODE_OBJECT_H
#define SOLACE_NODE_OBJECT_H

#include "node-impl.h"

#define NODE_MAX_HIDDEN      16
#define NODE_MAX_REG_SAMPLES 64

struct solace_node_s {
  node_field *field;
  int64_t d, nhidden, hidden[NODE_MAX_HIDDEN];
  int activation, time; /* time: a solace_node_time */
  uint64_t init_seed;   /* seed of the field's weights */
  solace_nn_net head;   /* dense d -> classes, or NULL */
  int64_t classes;
  node_solver solver;
  int64_t nfe; /* of the last integrate / classify / training step */
  /* training setup */
  int reg, adjoint, reg_step;
  int64_t reg_samples;
  double lambda0, lambda1, lr;
  int64_t batch;
  uint64_t seed;
  char *history, *checkpoint;
  int64_t every;
};

/* Checks a column-major d x n array argument. */
SOLACE_INTERN int node_check_matrix(const char *name, const double *x, int64_t d, int64_t n,
                                    int64_t ld, int finite, const char *func);

/* Creates the head (dense d -> classes) from `seed`. */
SOLACE_INTERN int node_create_head(solace_node node, int64_t classes, uint64_t seed);

/* Head forward on states u (n d): logits (n classes) into the head's output *y. */
SOLACE_INTERN int node_head_forward(solace_node node, int64_t n, double *u,
                                    const solace_nn_tensor **y, solace_nn_tensor *x);

/* Writes the history arrays (steps values each) to the HDF5 file `path`. */
SOLACE_INTERN int node_write_history(solace_node node, const char *path, int64_t steps,
                                     const double *loss, const double *reg, const double *nfe,
                                     const double *seconds, const double *accuracy);

/* Reads /trajectories/t [T] and /trajectories/x [n_traj, T, d] (new arrays; free()). */
SOLACE_INTERN int node_read_trajectories(const char *path, int64_t *ntraj, int64_t *ntimes,
                                         int64_t *d, double **t, double **x);

#endif
