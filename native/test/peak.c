/* Throughput ceilings of this CPU for the instruction mixes the AVX-512 kernels are made of,
 * measured in thread CPU time (so time slices lost to other processes do not count): what
 * "GMAC/s" a kernel could reach at best here, to read the native results against.
 * Build: gcc -O2 -o build/peak native/test/peak.c (x86-64 with AVX-512 VPOPCNTDQ/VNNI). */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

#define ITERS 40000000L

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* 16 independent accumulators, operands re-read through an empty asm each iteration so the
 * compiler cannot hoist anything out of the loop. */
__attribute__((target("avx512f,fma"), noinline)) static double fma_per_ns(void) {
  __m512 a[16], x = _mm512_set1_ps(1.0f), y = _mm512_set1_ps(0.0f);
  for (int j = 0; j < 16; j++) a[j] = _mm512_set1_ps((float)j);
  double t = now();
  for (long i = 0; i < ITERS; i++) {
    __asm__ volatile("" : "+v"(x), "+v"(y));
    _Pragma("GCC unroll 16") for (int j = 0; j < 16; j++) a[j] = _mm512_fmadd_ps(a[j], x, y);
  }
  double dt = now() - t;
  float s = 0;
  for (int j = 0; j < 16; j++) s += _mm512_reduce_add_ps(a[j]);
  return s == -1.0f ? 0 : 16.0 * ITERS / dt / 1e9;
}

/* binary's inner step: XOR, VPOPCNTQ, add (one 512-bit word of one output pair) */
__attribute__((target("avx512f,avx512vpopcntdq"), noinline)) static double xor_pc_add_per_ns(void) {
  __m512i a[12], x = _mm512_set1_epi64(0x5555), k[12];
  for (int j = 0; j < 12; j++) a[j] = _mm512_setzero_si512(), k[j] = _mm512_set1_epi64(j * 0x9e3779b97f4a7c15ll);
  double t = now();
  for (long i = 0; i < ITERS; i++) {
    __asm__ volatile("" : "+v"(x));
    _Pragma("GCC unroll 12") for (int j = 0; j < 12; j++)
      a[j] = _mm512_add_epi64(a[j], _mm512_popcnt_epi64(_mm512_xor_si512(x, k[j])));
  }
  double dt = now() - t;
  long long s = 0;
  for (int j = 0; j < 12; j++) s += _mm512_reduce_add_epi64(a[j]);
  return s == -1 ? 0 : 12.0 * ITERS / dt / 1e9;
}

/* int8's inner step: one VPDPBUSD (64 int8 MACs) */
__attribute__((target("avx512f,avx512vnni"), noinline)) static double dpbusd_per_ns(void) {
  __m512i a[16], x = _mm512_set1_epi8(3), y = _mm512_set1_epi8(-2);
  for (int j = 0; j < 16; j++) a[j] = _mm512_setzero_si512();
  double t = now();
  for (long i = 0; i < ITERS; i++) {
    __asm__ volatile("" : "+v"(x), "+v"(y));
    _Pragma("GCC unroll 16") for (int j = 0; j < 16; j++) a[j] = _mm512_dpbusd_epi32(a[j], x, y);
  }
  double dt = now() - t;
  long long s = 0;
  for (int j = 0; j < 16; j++) s += _mm512_reduce_add_epi32(a[j]);
  return s == -1 ? 0 : 16.0 * ITERS / dt / 1e9;
}

int main(void) {
  double f = fma_per_ns(), b = xor_pc_add_per_ns(), d = dpbusd_per_ns();
  printf("zmm FMA            %5.2f /ns -> fp32 ceiling   %6.0f GMAC/s\n", f, f * 16);
  printf("zmm XOR+POPCNT+ADD %5.2f /ns -> binary ceiling %6.0f GMAC/s, fatnn (2 of each) %6.0f\n", b, b * 512, b * 256);
  printf("zmm VPDPBUSD       %5.2f /ns -> int8 ceiling   %6.0f GMAC/s\n", d, d * 64);
  return 0;
}
