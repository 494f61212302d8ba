/* Fashion-MNIST (Xiao, Rasul & Vollgraf 2017) from its gzip-compressed idx files: 28 x 28 images
 * of 10 classes, 60000 for training and 10000 for testing (Debian: dataset-fashion-mnist). */
#include "node-object.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Reads exactly `size` bytes or fails with a message naming the file. */
static int read_bytes(gzFile f, const char *path, void *buf, size_t size) {
  int got = gzread(f, buf, (unsigned)size);
  SolaceCheck(got == (int)size, SOLACE_ERR_FORMAT,
              "'%s' is truncated or not gzip (read %d of %zu bytes)", path, got, size);
  return SOLACE_SUCCESS;
}

/* Big-endian 32-bit integer of an idx header. */
static int64_t be32(const unsigned char *b) {
  return ((int64_t)b[0] << 24) | ((int64_t)b[1] << 16) | ((int64_t)b[2] << 8) | b[3];
}

/* Opens dir/<name> and checks its idx header: magic 0x0000080<rank>, dims. */
static int open_idx(const char *dir, const char *name, int rank, gzFile *f, char *path, size_t size,
                    int64_t *dims) {
  unsigned char header[16];
  snprintf(path, size, "%s/%s", dir, name);
  FILE *probe = fopen(path, "rb");
  SolaceCheck(probe, SOLACE_ERR_IO,
              "cannot open '%s': %s (install the Debian package dataset-fashion-mnist or pass "
              "the directory holding the idx files)",
              path, strerror(errno));
  fclose(probe);
  *f = gzopen(path, "rb");
  SolaceCheck(*f, SOLACE_ERR_IO, "cannot open '%s' with zlib", path);
  int status = read_bytes(*f, path, header, (size_t)(4 + 4 * rank));
  if (!status && (be32(header) != 0x800 + rank))
    status =
        solace_error_set(SOLACE_ERR_FORMAT, __func__, "'%s' is not an idx%d file (magic %#llx)",
                         path, rank, (unsigned long long)be32(header));
  for (int k = 0; !status && k < rank; k++) dims[k] = be32(header + 4 + 4 * k);
  if (status) gzclose(*f);
  return status;
}

/* Reads up to max images (scaled to [0, 1]) into x. */
static int read_images(const char *dir, const char *name, int64_t max, double *x, int64_t ldx,
                       int64_t *n) {
  char path[4096];
  int64_t dims[3];
  gzFile f;
  SolaceCall(open_idx(dir, name, 3, &f, path, sizeof path, dims));
  int status = dims[1] * dims[2] == 784
                   ? SOLACE_SUCCESS
                   : solace_error_set(SOLACE_ERR_FORMAT, __func__,
                                      "'%s' holds %lld x %lld images, not 28 x 28", path,
                                      (long long)dims[1], (long long)dims[2]);
  unsigned char pixels[784];
  *n = dims[0] < max ? dims[0] : max;
  for (int64_t j = 0; !status && j < *n; j++) {
    status = read_bytes(f, path, pixels, 784);
    for (int64_t i = 0; !status && i < 784; i++) x[j * ldx + i] = pixels[i] / 255.0;
  }
  gzclose(f);
  return status;
}

static int read_labels(const char *dir, const char *name, int64_t n, int64_t *labels) {
  char path[4096];
  int64_t dims[1];
  gzFile f;
  SolaceCall(open_idx(dir, name, 1, &f, path, sizeof path, dims));
  int status = dims[0] >= n ? SOLACE_SUCCESS
                            : solace_error_set(SOLACE_ERR_FORMAT, __func__,
                                               "'%s' has %lld labels for %lld images", path,
                                               (long long)dims[0], (long long)n);
  for (int64_t j = 0; !status && j < n; j++) {
    unsigned char b;
    status = read_bytes(f, path, &b, 1);
    if (!status && b > 9)
      status = solace_error_set(SOLACE_ERR_FORMAT, __func__, "'%s': label %d", path, b);
    labels[j] = b;
  }
  gzclose(f);
  return status;
}

int solace_node_fashion_mnist(const char *dir, int test, int64_t max, double *x, int64_t ldx,
                              int64_t *labels, int64_t *n) {
  solace_error_clear();
  SolaceCheckNotNull(dir);
  SolaceCheckNotNull(labels);
  SolaceCheckNotNull(n);
  SolaceCheck(max >= 1, SOLACE_ERR_ARG, "max = %lld must be >= 1", (long long)max);
  SolaceCall(node_check_matrix("x", x, 784, 0, ldx, 0, __func__));
  SolaceCall(read_images(dir, test ? "t10k-images-idx3-ubyte.gz" : "train-images-idx3-ubyte.gz",
                         max, x, ldx, n));
  SolaceCall(read_labels(dir, test ? "t10k-labels-idx1-ubyte.gz" : "train-labels-idx1-ubyte.gz", *n,
                         labels));
  return SOLACE_SUCCESS;
}
