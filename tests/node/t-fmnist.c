/* The Fashion-MNIST reader against an independent one: Python's gzip + numpy read the first 5
 * training and test images and labels; pixel sums (exact: multiples of 1/255 summed in double,
 * tolerance 1e-9) and labels must match. Skipped (passes with a note) without the Debian data. */
#define _POSIX_C_SOURCE 200809L
#include "test-util.h"

#include <string.h>

#define DIR "/usr/share/datasets/fashion-mnist"

/* Expected "label sum" pairs from Python for split `name` ("train" or "t10k"). */
static int python_reference(const char *name, int64_t *labels, double *sums) {
  char cmd[1024];
  snprintf(
      cmd, sizeof cmd,
      "/usr/bin/python3 -c \"import gzip, numpy as np\n"
      "x = np.frombuffer(gzip.open('" DIR
      "/%s-images-idx3-ubyte.gz').read(), np.uint8, offset=16)\n"
      "y = np.frombuffer(gzip.open('" DIR "/%s-labels-idx1-ubyte.gz').read(), np.uint8, offset=8)\n"
      "for j in range(5): print(int(y[j]), repr(x[784*j:784*(j+1)].astype(float).sum() / 255))\"",
      name, name);
  FILE *p = popen(cmd, "r");
  if (!p) return 1;
  int ok = 1;
  for (int j = 0; j < 5 && ok; j++)
    ok = fscanf(p, "%lld %lf", (long long *)&labels[j], &sums[j]) == 2;
  return pclose(p) != 0 || !ok;
}

static void compare(int test, const char *name) {
  double x[5 * 784], sums[5];
  int64_t labels[5], ref_labels[5], n = 0;
  if (solace_node_fashion_mnist(DIR, test, 5, x, 784, labels, &n) || n != 5) {
    TEST_ASSERT(0, "%s: %s", name, solace_error_message());
    return;
  }
  TEST_ASSERT(!python_reference(name, ref_labels, sums), "python reference failed for %s", name);
  for (int j = 0; j < 5; j++) {
    double s = 0;
    for (int i = 0; i < 784; i++) s += x[j * 784 + i];
    TEST_ASSERT(labels[j] == ref_labels[j], "%s label %d: %lld vs %lld", name, j,
                (long long)labels[j], (long long)ref_labels[j]);
    TEST_NEAR(s, sums[j], 1e-9);
  }
  printf("%s: labels %lld %lld %lld %lld %lld match\n", name, (long long)labels[0],
         (long long)labels[1], (long long)labels[2], (long long)labels[3], (long long)labels[4]);
}

int main(void) {
  FILE *f = fopen(DIR "/t10k-labels-idx1-ubyte.gz", "rb");
  if (!f) return printf("node-fmnist: no data in " DIR ", skipped\n"), 0;
  fclose(f);
  compare(0, "train");
  compare(1, "t10k");
  return test_finish("node-fmnist");
}
