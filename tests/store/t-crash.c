/* kill -9 of a writer: a forked child writes 400 samples of 32x32 while the parent SIGKILLs it at
 * three different moments, and once before its first sample. Each time the parent (1) opens the
 * file read-only despite the killed writer and finds every sample marked done with exactly its
 * values (tolerance 0), (2) resumes, writes only the missing samples and closes, (3) finds all 400
 * done exactly once (a sample's `seconds` records which run wrote it) with exact values, in a file
 * plain H5Fopen reads. The first round also reads the file while the child writes (SWMR reader,
 * refreshed) and checks that a second writer (RESUME) is refused while the first one is alive. No
 * MPI here: the store needs neither MPI nor solace_initialize(). */
#define _POSIX_C_SOURCE 200809L
#include <hdf5.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test-util.h"

enum { COUNT = 400, NX = 32, NY = 32, NPOINTS = NX * NY };
static const int64_t grid[2] = {NX, NY};

/* The deterministic values of sample i (the same binary computes them on both sides). */
static void reference(int64_t i, double *input, double *output, double *param) {
  for (int iy = 0; iy < NY; iy++)
    for (int ix = 0; ix < NX; ix++) {
      input[ix + NX * iy] = sin(0.01 * (double)i + 0.2 * ix) * cos(0.1 * iy);
      output[ix + NX * iy] = exp(-0.001 * (double)i) * (ix - 2.0 * iy);
    }
  *param = sqrt((double)i);
}

/* The solve order: samples in reverse. */
static int64_t order_of(int64_t k) {
  return COUNT - 1 - k;
}

/* Writes sample i with the run number as its `seconds`. */
static int write_one(solace_store store, int64_t i, double run) {
  double input[NPOINTS], output[NPOINTS], param;
  reference(i, input, output, &param);
  return solace_store_write_sample(store, i, input, output, &param, i % 17, run, 1e-10);
}

/* The child: creates the store and writes every sample in order, reporting each on the pipe;
 * then waits to be killed (or dies by alarm if the parent is gone). */
static void child(const char *path, int fd, int before_samples) {
  solace_store store;
  int64_t order[COUNT];
  alarm(120);
  for (int64_t k = 0; k < COUNT; k++) order[k] = order_of(k);
  if (solace_store_create(path, "crash", COUNT, 2, grid, 1, SOLACE_STORE_OVERWRITE, &store) ||
      solace_store_set_attribute_int(store, "seed", 1234) || solace_store_write_order(store, order))
    _exit(2);
  int64_t zero = 0;
  if (before_samples && write(fd, &zero, sizeof zero) != sizeof zero) _exit(4);
  for (int64_t k = 0; k < COUNT && !before_samples; k++) {
    if (write_one(store, order_of(k), 1.0)) _exit(3);
    int64_t n = k + 1;
    if (write(fd, &n, sizeof n) != sizeof n) _exit(4);
  }
  for (;;) pause();
}

/* Reads reports from the child until at least `target` samples are done; -1 if it ended first. */
static int64_t wait_for(int fd, int64_t target) {
  int64_t n = -1;
  while (n < target)
    if (read(fd, &n, sizeof n) != sizeof n) return -1;
  return n;
}

/* Checks every done sample of the store (values, stats) and that the others are refused; *ndone
 * receives their number. Counts in *first_run the samples written by run 1 (seconds = 1). With
 * a live writer, count_done may exceed read_done's count, read before it. */
static int check_store(solace_store store, int live, int64_t *ndone, int64_t *first_run) {
  static int done[COUNT];
  double input[NPOINTS], output[NPOINTS], param, ref_in[NPOINTS], ref_out[NPOINTS], ref_param;
  double seconds, residual;
  int64_t iterations, n = 0;
  TEST_CALL(solace_store_read_done(store, done));
  *first_run = 0;
  for (int64_t i = 0; i < COUNT; i++) {
    if (!done[i]) {
      TEST_ASSERT(solace_store_read_sample(store, i, input, NULL, NULL) == SOLACE_ERR_STATE,
                  "sample %lld not done but readable", (long long)i);
      continue;
    }
    n++;
    reference(i, ref_in, ref_out, &ref_param);
    TEST_CALL(solace_store_read_sample(store, i, input, output, &param));
    TEST_CALL(solace_store_read_stats(store, i, &iterations, &seconds, &residual));
    int same = param == ref_param && iterations == i % 17 && residual == 1e-10;
    for (int j = 0; j < NPOINTS; j++)
      same = same && input[j] == ref_in[j] && output[j] == ref_out[j];
    TEST_ASSERT(same, "sample %lld differs from its reference (tolerance 0)", (long long)i);
    TEST_ASSERT(seconds == 1.0 || seconds == 2.0, "sample %lld: run %g", (long long)i, seconds);
    *first_run += seconds == 1.0;
  }
  TEST_CALL(solace_store_count_done(store, ndone));
  TEST_ASSERT(live ? *ndone >= n : *ndone == n, "read_done has %lld, count_done %lld", (long long)n,
              (long long)*ndone);
  *ndone = n;
  return 0;
}

/* While the child writes: a SWMR reader sees finished samples and, after a refresh, new ones;
 * a second writer is refused. */
static int check_live(const char *path, int fd, int64_t reported) {
  solace_store store;
  int64_t ndone, first, order[COUNT];
  TEST_CALL(solace_store_open(path, &store));
  if (check_store(store, 1, &ndone, &first)) return 1;
  TEST_ASSERT(ndone >= reported, "live reader sees %lld done, child reported %lld",
              (long long)ndone, (long long)reported);
  TEST_CALL(solace_store_read_order(store, order));
  TEST_ASSERT(order[0] == COUNT - 1 && order[COUNT - 1] == 0, "order not the child's");
  reported = wait_for(fd, reported + 40 < COUNT ? reported + 40 : COUNT);
  TEST_ASSERT(reported >= 0, "child stopped early");
  if (check_store(store, 1, &ndone, &first)) return 1;
  TEST_ASSERT(ndone >= reported, "after refresh, %lld done, child reported %lld", (long long)ndone,
              (long long)reported);
  TEST_CALL(solace_store_destroy(&store));
  TEST_FAILS_WITH(
      solace_store_create(path, "crash", COUNT, 2, grid, 1, SOLACE_STORE_RESUME, &store),
      SOLACE_ERR_IO);
  return 0;
}

/* Resumes the killed file, writes the missing samples (run 2), and checks the result. */
static int resume_and_check(const char *path, int64_t killed_ndone) {
  solace_store store;
  int64_t ndone, first;
  int is_done;
  TEST_CALL(solace_store_create(path, "crash", COUNT, 2, grid, 1, SOLACE_STORE_RESUME, &store));
  TEST_CALL(solace_store_count_done(store, &ndone));
  TEST_ASSERT(ndone == killed_ndone, "resume sees %lld done, reader saw %lld", (long long)ndone,
              (long long)killed_ndone);
  for (int64_t i = 0; i < COUNT; i++) {
    TEST_CALL(solace_store_is_done(store, i, &is_done));
    if (!is_done) TEST_CALL(write_one(store, i, 2.0));
  }
  TEST_CALL(solace_store_destroy(&store));
  TEST_CALL(solace_store_open(path, &store));
  if (check_store(store, 0, &ndone, &first)) return 1;
  TEST_ASSERT(ndone == COUNT, "%lld of %d done after resume", (long long)ndone, COUNT);
  TEST_ASSERT(first == killed_ndone, "%lld samples of run 1, %lld were done at the kill",
              (long long)first, (long long)killed_ndone);
  TEST_CALL(solace_store_destroy(&store));
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  TEST_ASSERT(file >= 0, "plain H5Fopen of the finished '%s' failed", path);
  if (file >= 0) H5Fclose(file);
  return 0;
}

/* One round: fork the writer, kill it `delay_us` after it reported `target` samples, check.
 * target = 0: the writer is killed after creating the file, before its first sample. */
static int round_trip(int round, int64_t target, long delay_us) {
  char path[64];
  int fds[2];
  int64_t ndone, first;
  solace_store store;
  snprintf(path, sizeof path, "store-crash-%d.h5", round);
  if (pipe(fds)) return 1;
  pid_t pid = fork();
  if (pid < 0) return 1;
  if (pid == 0) close(fds[0]), child(path, fds[1], target == 0);
  close(fds[1]);
  int64_t reported = wait_for(fds[0], target);
  TEST_ASSERT(reported >= target, "round %d: child ended after %lld samples", round,
              (long long)reported);
  int live_failed = round == 0 && reported > 0 && check_live(path, fds[0], reported);
  struct timespec delay = {0, delay_us * 1000};
  nanosleep(&delay, NULL);
  kill(pid, SIGKILL);
  int status;
  waitpid(pid, &status, 0);
  close(fds[0]);
  if (live_failed) return 1;
  TEST_ASSERT(WIFSIGNALED(status), "round %d: the child was not killed (status %d)", round, status);
  TEST_CALL(solace_store_open(path, &store));
  if (check_store(store, 0, &ndone, &first)) return 1;
  int64_t seed = 0; /* before the first sample, attributes are not on disk yet */
  if (target > 0) TEST_CALL(solace_store_get_attribute_int(store, "seed", &seed));
  TEST_ASSERT(seed == (target > 0 ? 1234 : 0), "round %d: seed %lld", round, (long long)seed);
  TEST_CALL(solace_store_destroy(&store));
  printf("round %d: killed after %lld reported, %lld done on disk\n", round, (long long)reported,
         (long long)ndone);
  TEST_ASSERT(ndone >= target && first == ndone, "round %d: %lld done, %lld of run 1", round,
              (long long)ndone, (long long)first);
  if (resume_and_check(path, ndone)) return 1;
  remove(path);
  return 0;
}

/* Four fixed rounds; `store-crash N` runs N rounds, the ones after the fourth at pseudo-random
 * moments (a stress test). */
int main(int argc, char **argv) {
  const int64_t targets[4] = {20, 150, 300, 0};
  const long delays_us[4] = {0, 300, 1500, 0};
  int rounds = argc > 1 ? atoi(argv[1]) : 4;
  srand(12345);
  for (int round = 0; round < rounds; round++) {
    int64_t target = round < 4 ? targets[round] : 1 + rand() % (COUNT - 1);
    long delay = round < 4 ? delays_us[round] : rand() % 4000;
    if (round_trip(round, target, delay)) return 1;
  }
  ssize_t open_ids = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
  TEST_ASSERT(open_ids == 0, "%zd HDF5 files, datasets or attributes left open", open_ids);
  return test_finish("store-crash");
}
