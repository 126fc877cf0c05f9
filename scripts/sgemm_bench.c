/* The SimpleNN step's products as libtorch hands them to BLAS (column-major sgemm_ with the transposes
 * of addmm and of autograd's weight gradient), timed on any OpenBLAS build: thread CPU time, best of 5x2000.
 *   gcc -O2 -o /tmp/sgemm_bench scripts/sgemm_bench.c -ldl
 *   OPENBLAS_NUM_THREADS=1 /tmp/sgemm_bench /path/to/libopenblas.so.0 64      (docs/profile.md) */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
typedef void (*sgemm_t)(const char*, const char*, const int*, const int*, const int*, const float*, const float*,
                        const int*, const float*, const int*, const float*, float*, const int*);
static double now(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec * 1e6 + t.tv_nsec / 1e3; }
static sgemm_t f;
static double total;
static void run(const char* name, char ta, char tb, int m, int n, int k, int lda, int ldb, int ldc) {
  float *A = malloc(4L * m * k + 64), *B = malloc(4L * n * k + 64), *C = malloc(4L * m * n + 64);
  for (long i = 0; i < (long) m * k; i++) A[i] = rand() / (float) RAND_MAX;
  for (long i = 0; i < (long) n * k; i++) B[i] = rand() / (float) RAND_MAX;
  float al = 1, be = 0;
  int reps = 2000;
  for (int i = 0; i < 200; i++) f(&ta, &tb, &m, &n, &k, &al, A, &lda, B, &ldb, &be, C, &ldc);
  double best = 1e30;
  for (int r = 0; r < 5; r++) {
    double t = now();
    for (int i = 0; i < reps; i++) f(&ta, &tb, &m, &n, &k, &al, A, &lda, B, &ldb, &be, C, &ldc);
    double us = (now() - t) / reps;
    if (us < best) best = us;
  }
  total += best;
  printf("  %-28s %c%c m=%4d n=%4d k=%4d %8.1f us %6.1f GFLOP/s\n", name, ta, tb, m, n, k, best, 2.0 * m * n * k / best / 1e3);
  free(A); free(B); free(C);
}
int main(int argc, char** argv) {
  if (argc < 3) { fprintf(stderr, "usage: %s LIBOPENBLAS BATCH\n", argv[0]); return 2; }
  void* h = dlopen(argv[1], RTLD_NOW);
  if (!h) { printf("%s\n", dlerror()); return 1; }
  f = (sgemm_t) dlsym(h, "sgemm_");
  int B = atoi(argv[2]);
  char* (*cfg)(void) = dlsym(h, "openblas_get_config");
  char* (*core)(void) = dlsym(h, "openblas_get_corename");
  printf("%s | core %s | batch %d\n", cfg ? cfg() : "?", core ? core() : "?", B);
  run("fc1 forward", 't', 'n', 128, B, 784, 784, 784, 128);
  run("fc1 weight gradient", 'n', 't', 784, 128, B, 784, 128, 784);
  run("fc2 forward", 't', 'n', 10, B, 128, 128, 128, 10);
  run("fc2 input gradient", 'n', 'n', 128, B, 10, 128, 10, 128);
  run("fc2 weight gradient", 'n', 't', 128, 10, B, 128, 10, 128);
  if (argc > 3) {
    double keep = total;
    printf("  alternatives (not in the sum):\n");
    run("fc1 dW^T (x^T dz, [784,128])", 'n', 't', 128, 784, B, 128, 784, 128);
    run("fc1 dW as tn (x^T contiguous)", 't', 'n', 784, 128, B, B, B, 784);
    run("fc2 fwd, W2^T contiguous", 'n', 'n', 10, B, 128, 10, 128, 10);
    total = keep;
  }
  printf("  sum %.1f us; %.1f MFLOP\n", total, 2.0 * B * (2 * 784 * 128 + 3 * 128 * 10) / 1e6);
  return 0;
}
