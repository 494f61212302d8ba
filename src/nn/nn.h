/* Neural-network core shared by the DCDM kernel and the neural-ODE kernel: float64 tensors,
 * layers with hand-written vector-Jacobian products, a sequential network with skip connections,
 * Adam, seeded initialisation and HDF5 weight files. Internal to the library (no public ABI yet);
 * docs/nn.md describes the design, the file layout and the measured speed.
 *
 * Tensors. Activations are dense C-order (row-major) arrays [n, c, d0, d1, d2] with `ndim` = 0..3
 * spatial dimensions, the last one fastest: NCHW in 2D, NCDHW in 3D, [n, c] (one feature vector
 * per sample) for dense layers. A 2D tensor's dims are {H, W}; unused entries of dims are 1.
 *
 * Layers. Each layer kind is an ops table: `shape` (output shape of an input), `forward`, and
 * `backward`, the VJP: given x, y = layer(x) and dy = dL/dy it ACCUMULATES dL/d(parameters)
 * into the gradients of the layer's parameter blocks and WRITES dL/dx into dx (dx may be NULL
 * when the input gradient is not needed, which saves the work). Kinds: dense (y = W x + b,
 * W [out, in]; a spatial input is flattened per sample), conv2d / conv3d (kernel 3 or 1 per
 * spatial dimension, "same" zero padding, stride 1, bias; W [out, in, k, k(, k)] as in PyTorch),
 * pool2d / pool3d (2x2(x2) average pooling, even sizes), up2d / up3d (nearest upsampling by 2),
 * relu, tanh, append (adds one constant feature per sample). Convolutions are im2col + cblas_dgemm
 * on tiles of whole grid lines, so the column buffer stays small (about 1-5 MB) at any grid size.
 *
 * Networks. A network is a list of steps applied in order to one running activation a:
 *   LAYER     a = layer(a)
 *   SAVE s    remember a in slot s (no copy: the activation is kept for the backward pass)
 *   ADD s     a = a + saved[s] (same shape), the residual / skip add
 * That expresses residual blocks (SAVE s; conv; relu; ADD s: a = relu(conv(a)) + a), U-Net-like
 * skips across a pooling level, and MLPs. Every step's output is kept from forward to backward.
 * The backward pass walks the steps in reverse with one running gradient g: LAYER calls the
 * layer's VJP, ADD s adds g into the slot gradient gs, SAVE s adds gs into g.
 *
 * Parameters. Each parameterised layer owns blocks (weight, then bias) of values and gradients.
 * solace_nn_net_init() draws weights from Solace's Philox normals (stream = index of the
 * parameterised layer, positions 0..count-1, scaled to He or Glorot variance) and zeroes the
 * biases, so a seed fixes the network exactly.
 *
 * Weight files (HDF5). Root attributes format = "solace-nn-weights", version = 1, layers = count
 * of groups. One group /layers/NNN_<kind> per parameterised layer (NNN = its order among them,
 * from 000), with float64 datasets "weight" and "bias" and attributes kind, step (the position
 * in the network), in, out, kernel, ndim, weight_shape, bias_shape. Loading checks the number
 * of groups, every kind and every dataset shape against the network in memory before reading any
 * value, and refuses a mismatch with SOLACE_ERR_FORMAT naming the layer and both shapes.
 */
#ifndef SOLACE_NN_H
#define SOLACE_NN_H

#include "../core/solace-impl.h"

#include <stdint.h>

/* ------------------------------------------------------------------------------------------ */
/* Tensors and parameter blocks                                                               */

typedef struct {
  int ndim;         /* spatial dimensions, 0..3 */
  int64_t n, c;     /* batch and channels (features when ndim = 0) */
  int64_t dims[3];  /* spatial sizes, slowest first; 1 beyond ndim */
  double *data;     /* n * c * dims[0] * dims[1] * dims[2] values, C order */
  int64_t capacity; /* values allocated here; 0 when data is borrowed */
} solace_nn_tensor;

/* Creates a zeroed tensor [n, c, dims[0..ndim-1]] (dims may be NULL when ndim = 0). */
SOLACE_INTERN int solace_nn_tensor_create(int ndim, int64_t n, int64_t c, const int64_t *dims,
                                          solace_nn_tensor **t);

/* Releases a tensor made by solace_nn_tensor_create and sets *t to NULL; accepts NULL. */
SOLACE_INTERN void solace_nn_tensor_destroy(solace_nn_tensor **t);

/* Number of spatial points per channel (1 when ndim = 0) and number of values. */
SOLACE_INTERN int64_t solace_nn_tensor_spatial(const solace_nn_tensor *t);
SOLACE_INTERN int64_t solace_nn_tensor_size(const solace_nn_tensor *t);

/* 1 if a and b have the same ndim, n, c and dims. */
SOLACE_INTERN int solace_nn_tensor_same_shape(const solace_nn_tensor *a, const solace_nn_tensor *b);

/* Writes the shape as "[n, c, d0, ...]" into buf (for messages). */
SOLACE_INTERN const char *solace_nn_tensor_shape_string(const solace_nn_tensor *t, char *buf,
                                                        size_t size);

/* Gives an owned tensor the shape of `shape`, growing its storage if needed (values undefined). */
SOLACE_INTERN int solace_nn_tensor_reshape(solace_nn_tensor *t, const solace_nn_tensor *shape);

/* Frees the storage of an embedded tensor it owns and clears it. */
SOLACE_INTERN void solace_nn_tensor_release(solace_nn_tensor *t);

#define SOLACE_NN_MAX_RANK 5

/* A parameter block: values and their gradient, with the array shape stored in weight files. */
typedef struct {
  const char *name; /* "weight" or "bias" */
  int rank;
  int64_t shape[SOLACE_NN_MAX_RANK];
  int64_t count;
  double *value, *grad;
} solace_nn_param;

/* ------------------------------------------------------------------------------------------ */
/* Layers                                                                                     */

typedef struct solace_nn_layer_s solace_nn_layer;

/* A layer kind. `name` is also the kind recorded in weight files. */
typedef struct {
  const char *name;
  int (*shape)(const solace_nn_layer *layer, const solace_nn_tensor *x, solace_nn_tensor *y);
  int (*forward)(solace_nn_layer *layer, const solace_nn_tensor *x, solace_nn_tensor *y);
  int (*backward)(solace_nn_layer *layer, const solace_nn_tensor *x, const solace_nn_tensor *y,
                  const solace_nn_tensor *dy, solace_nn_tensor *dx);
} solace_nn_ops;

/* Weight initialisation: normal with variance 2/fan_in (He, before ReLU) or
 * 2/(fan_in + fan_out) (Glorot, before tanh or a linear output). */
enum solace_nn_init { SOLACE_NN_INIT_HE = 0, SOLACE_NN_INIT_GLOROT = 1 };

struct solace_nn_layer_s {
  const solace_nn_ops *ops;
  int ndim;        /* spatial dimensions the layer accepts (conv, pool, upsample) */
  int64_t in, out; /* input and output channels (features) */
  int kernel;      /* convolution kernel size per dimension: 3 or 1 */
  int init;        /* enum solace_nn_init */
  double gain;     /* initial weights are scaled by gain (0 means 1) */
  int nparams;     /* 0 or 2 (weight, bias); 0 for a tied layer */
  solace_nn_param params[2];
  int tied;     /* 1: params[] are another layer's blocks (solace_nn_layer_tie), not owned here */
  double value; /* append: the value appended to every sample's features; upsampling: its gain
                   (0 means 1) */
  int64_t tile; /* convolution: target columns of one im2col tile */
  double *work; /* convolution: im2col buffer */
  int64_t work_size;
};

/* Creates a dense layer in -> out features (Glorot initialisation by default). */
SOLACE_INTERN int solace_nn_layer_create_dense(int64_t in, int64_t out, solace_nn_layer **layer);

/* Creates a convolution over ndim = 2 or 3 spatial dimensions, in -> out channels, kernel 3
 * ("same" zero padding) or 1, stride 1, with bias (He initialisation by default). */
SOLACE_INTERN int solace_nn_layer_create_conv(int ndim, int64_t in, int64_t out, int kernel,
                                              solace_nn_layer **layer);

/* Creates 2x2(x2) average pooling (ndim = 2 or 3); sizes must be even. */
SOLACE_INTERN int solace_nn_layer_create_pool(int ndim, solace_nn_layer **layer);

/* Creates nearest-neighbour upsampling by 2 in every spatial dimension (ndim = 2 or 3); the
 * copies are multiplied by layer->value when it is nonzero (a gain, see
 * solace_nn_net_set_upsample_gain). */
SOLACE_INTERN int solace_nn_layer_create_upsample(int ndim, solace_nn_layer **layer);

/* Creates cell-centred linear upsampling by 2 (kinds lin2d / lin3d): each fine cell is 3/4 of
 * its coarse cell plus 1/4 of the coarse neighbour on its side in each dimension (products of
 * those weights in 2-D / 3-D: 9/16, 3/16, 3/16, 1/16), zero beyond the grid; times
 * layer->value when nonzero. Its VJP is the transpose. */
SOLACE_INTERN int solace_nn_layer_create_upsample_linear(int ndim, solace_nn_layer **layer);

/* Turns a nearest upsampling layer into the linear one of the same ndim (SOLACE_ERR_ARG for any
 * other kind). */
SOLACE_INTERN int solace_nn_layer_make_linear(solace_nn_layer *layer);

/* Creates an elementwise activation (any shape). */
SOLACE_INTERN int solace_nn_layer_create_relu(solace_nn_layer **layer);
SOLACE_INTERN int solace_nn_layer_create_tanh(solace_nn_layer **layer);

/* Creates the layer that appends one feature to each sample: [n, c] -> [n, c + 1], the new last
 * column equal to layer->value (set it before each forward, e.g. the time of an ODE field). No
 * parameters; the VJP drops the appended column. Dense (ndim = 0) inputs only. */
SOLACE_INTERN int solace_nn_layer_create_append(solace_nn_layer **layer);

/* Makes `layer` use the parameter blocks of `owner` (same kind, channels, kernel and ndim): its
 * own blocks are freed, its forward reads the owner's values and its VJP accumulates into the
 * owner's gradients. The tied layer then has nparams = 0, so parameter lists, counts,
 * initialisation and weight files see the blocks once, through the owner, which must outlive it.
 * A layer without parameters, or one that is already tied, cannot be tied (SOLACE_ERR_ARG). */
SOLACE_INTERN int solace_nn_layer_tie(solace_nn_layer *layer, const solace_nn_layer *owner);

/* Releases a layer and sets *layer to NULL; accepts NULL. */
SOLACE_INTERN void solace_nn_layer_destroy(solace_nn_layer **layer);

/* Number of parameters (all blocks) of a layer. */
SOLACE_INTERN int64_t solace_nn_layer_param_count(const solace_nn_layer *layer);

/* Allocates a layer of kind `ops` with the given blocks (weight shape, then bias of `out`). */
SOLACE_INTERN int solace_nn_layer_alloc(const solace_nn_ops *ops, int wrank, const int64_t *wshape,
                                        int64_t bias, solace_nn_layer **layer);

/* Residual add y = x + s (all of the same shape); its VJP is dx = ds = dy (used by ADD steps). */
SOLACE_INTERN void solace_nn_add_forward(const solace_nn_tensor *x, const solace_nn_tensor *s,
                                         solace_nn_tensor *y);

/* ------------------------------------------------------------------------------------------ */
/* Networks                                                                                   */

typedef struct solace_nn_net_s *solace_nn_net;

#define SOLACE_NN_MAX_SLOTS 8

/* Creates an empty network. */
SOLACE_INTERN int solace_nn_net_create(solace_nn_net *net);

/* Releases the network, its layers and buffers; sets *net to NULL; accepts NULL. */
SOLACE_INTERN void solace_nn_net_destroy(solace_nn_net *net);

/* Appends a LAYER step; the network takes ownership of *layer (also on failure) and nulls it. */
SOLACE_INTERN int solace_nn_net_add_layer(solace_nn_net net, solace_nn_layer **layer);

/* Appends a SAVE step (0 <= slot < SOLACE_NN_MAX_SLOTS). */
SOLACE_INTERN int solace_nn_net_add_save(solace_nn_net net, int slot);

/* Appends an ADD step: a = a + saved[slot]; the slot must have been saved by an earlier step. */
SOLACE_INTERN int solace_nn_net_add_skip(solace_nn_net net, int slot);

/* Coarse levels a DCDM network may have (one skip slot each, slot 0 is the residual blocks'). */
#define SOLACE_NN_DCDM_MAX_LEVELS (SOLACE_NN_MAX_SLOTS - 1)

/* Builds the DCDM network (Kaneda et al. 2023) in ndim = 2 or 3 with `channels` channels: a
 * linear 3x3(x3) conv 1 -> channels; `fine` residual blocks a = relu(conv(a)) + a; then per
 * coarse level (1..levels) a saved skip, 2x(x2) average pooling and `coarse` residual blocks;
 * then per level, deepest first, nearest upsampling plus that level's skip and `after` residual
 * blocks; a 1x1(x1) conv channels -> 1. levels = 1 is the paper's network (one coarse level);
 * grid sizes must be divisible by 2^levels. fine, coarse, after >= 0;
 * 1 <= levels <= SOLACE_NN_DCDM_MAX_LEVELS. */
SOLACE_INTERN int solace_nn_net_create_dcdm(int ndim, int64_t channels, int fine, int coarse,
                                            int after, int levels, solace_nn_net *net);

/* The DCDM network of solace_nn_net_create_dcdm with the coarse blocks of every level tied to
 * one set of parameters (the first level's) and the after blocks of every level to another (the
 * deepest level's): a recursive, multigrid-like network whose parameters do not depend on
 * `levels`, so one set of weights runs at any depth (the weight file is the same for every
 * levels). The initial scale follows `levels` as in the untied network. */
SOLACE_INTERN int solace_nn_net_create_dcdm_tied(int ndim, int64_t channels, int fine, int coarse,
                                                 int after, int levels, solace_nn_net *net);

/* Ties every parameterised layer of `net` to the one in the same position among the
 * parameterised layers of `owner` (solace_nn_layer_tie): both must have as many, of matching
 * kinds and shapes (SOLACE_ERR_ARG otherwise; `net` may then be partly tied and should be
 * destroyed). `owner` must outlive `net`. E.g. tied DCDM networks of several depths that train
 * one set of parameters. */
SOLACE_INTERN int solace_nn_net_tie(solace_nn_net net, solace_nn_net owner);

/* Turns every nearest upsampling layer of `net` into linear upsampling
 * (solace_nn_layer_create_upsample_linear): piecewise-constant prolongation plus average pooling
 * is too coarse a pair for a multigrid-like recursion on Poisson problems (their orders sum to
 * 2, not more), linear prolongation is not. */
SOLACE_INTERN int solace_nn_net_set_upsample_linear(solace_nn_net net);

/* Sets the gain of every upsampling layer of `net` (gain > 0, finite): y = gain * up(x). In a
 * DCDM network of Poisson systems scaled by h^2 a coarse level's answer to the same residual
 * shape is 1/4 of the fine level's (its cells are twice as wide), so a gain of 4 lets tied
 * levels compute the same thing at every depth. */
SOLACE_INTERN int solace_nn_net_set_upsample_gain(solace_nn_net net, double gain);

/* Builds an MLP widths[0] -> widths[1] -> ... -> widths[nwidths-1]: dense layers with tanh (or
 * ReLU if relu) between them and a linear last layer. nwidths >= 2. */
SOLACE_INTERN int solace_nn_net_create_mlp(int nwidths, const int64_t *widths, int relu,
                                           solace_nn_net *net);

/* The same MLP with an append layer before every dense layer: each dense layer takes one more
 * input (widths[k] + 1), the column that the append layers supply (e.g. the time). */
SOLACE_INTERN int solace_nn_net_create_mlp_appended(int nwidths, const int64_t *widths, int relu,
                                                    solace_nn_net *net);

/* Number of steps; step i's layer (NULL for SAVE / ADD steps). */
SOLACE_INTERN int solace_nn_net_num_steps(solace_nn_net net);
SOLACE_INTERN solace_nn_layer *solace_nn_net_step_layer(solace_nn_net net, int i);

/* Total number of parameters. */
SOLACE_INTERN int64_t solace_nn_net_param_count(solace_nn_net net);

/* Pointers to every parameter block (weight, bias of each parameterised layer, in order) in
 * an array owned by the network; *nblocks receives their number. */
SOLACE_INTERN int solace_nn_net_params(solace_nn_net net, int *nblocks, solace_nn_param ***blocks);

/* Seeded initialisation of every parameter (see the header comment). */
SOLACE_INTERN int solace_nn_net_init(solace_nn_net net, uint64_t seed);

/* Sets the im2col tile (target columns, >= 1) of every convolution (tests and tuning). */
SOLACE_INTERN int solace_nn_net_set_tile(solace_nn_net net, int64_t columns);

/* Forward pass over a batch. *y points to the network's output tensor, valid until the next
 * forward or destroy. x is borrowed: keep it unchanged until backward has run. */
SOLACE_INTERN int solace_nn_net_forward(solace_nn_net net, const solace_nn_tensor *x,
                                        const solace_nn_tensor **y);

/* Backward pass of the last forward: dy = dL/dy (shape of y). Accumulates dL/d(parameters)
 * into the parameter gradients and writes dL/dx into dx (shape of x) unless dx is NULL. */
SOLACE_INTERN int solace_nn_net_backward(solace_nn_net net, const solace_nn_tensor *dy,
                                         solace_nn_tensor *dx);

/* Sets every parameter gradient to zero. */
SOLACE_INTERN int solace_nn_net_zero_grad(solace_nn_net net);

/* Writes the weights to `path` (replaced atomically: a temporary file then a rename). */
SOLACE_INTERN int solace_nn_net_save(solace_nn_net net, const char *path);

/* Reads the weights of `path` into the network; a missing or unreadable file is SOLACE_ERR_IO,
 * a file of another network (count, kind or shape) SOLACE_ERR_FORMAT, leaving values unchanged. */
SOLACE_INTERN int solace_nn_net_load(solace_nn_net net, const char *path);

/* ------------------------------------------------------------------------------------------ */
/* Adam (Kingma & Ba 2015, with bias correction)                                              */

typedef struct solace_nn_adam_s *solace_nn_adam;

/* Creates an Adam optimizer over `nblocks` parameter blocks (the pointers are copied, the
 * blocks stay the caller's): lr > 0, 0 <= beta1, beta2 < 1, eps > 0. */
SOLACE_INTERN int solace_nn_adam_create(int nblocks, solace_nn_param *const *blocks, double lr,
                                        double beta1, double beta2, double eps,
                                        solace_nn_adam *adam);

/* One step from the blocks' current gradients:
 * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps).
 */
SOLACE_INTERN int solace_nn_adam_step(solace_nn_adam adam);

/* Changes the learning rate (schedules). */
SOLACE_INTERN int solace_nn_adam_set_lr(solace_nn_adam adam, double lr);

/* Releases the optimizer and sets *adam to NULL; accepts NULL. */
SOLACE_INTERN void solace_nn_adam_destroy(solace_nn_adam *adam);

#endif
