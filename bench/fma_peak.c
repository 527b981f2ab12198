/* The machine's fp32 multiply-add peak on one thread, measured: independent
 * chains of vector FMAs, enough of them to cover the FMA latency on every
 * port. Prints GFLOP/s (best of several runs). Built by bench/run.py with
 * the host's vector width (-march=native). */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

#if defined(__AVX512F__)
typedef __m512 vec;
#define LANES 16
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define SET1(x) _mm512_set1_ps(x)
#define SUM(v) _mm512_reduce_add_ps(v)
#elif defined(__FMA__)
typedef __m256 vec;
#define LANES 8
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define SET1(x) _mm256_set1_ps(x)
static float SUM(__m256 v) {
  float f[8];
  _mm256_storeu_ps(f, v);
  return f[0] + f[1] + f[2] + f[3] + f[4] + f[5] + f[6] + f[7];
}
#else
#error "fma_peak needs FMA (x86-64 with AVX2 or AVX-512)"
#endif

/* Chains, with the two operands, fit the vector registers: 32 with
 * AVX-512, 16 with AVX2 (16 chains there spill to memory). */
enum { CHAINS = LANES == 16 ? 16 : 12 };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(void) {
  const long iterations = 50 * 1000 * 1000;
  vec acc[CHAINS];
  vec a = SET1(0.999999f), b = SET1(1e-7f);
  float sink = 0.0f;
  double best = 0.0;
  for (int run = 0; run < 5; ++run) {
    for (int i = 0; i < CHAINS; ++i)
      acc[i] = SET1((float)i);
    double start = now();
    for (long n = 0; n < iterations; ++n)
      for (int i = 0; i < CHAINS; ++i)
        acc[i] = FMA(acc[i], a, b);
    double seconds = now() - start;
    for (int i = 0; i < CHAINS; ++i)
      sink += SUM(acc[i]);
    double gflops = 2.0 * LANES * CHAINS * (double)iterations / seconds * 1e-9;
    if (gflops > best)
      best = gflops;
  }
  printf("fma_peak_gflops=%.1f lanes=%d (checksum %g)\n", best, LANES, (double)sink);
  return 0;
}
