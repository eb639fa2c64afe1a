/* AVX2 kernels: popcount by nibble lookup (VPSHUFB) summed per 64-bit lane with VPSADBW,
 * VPMADDWD on int16-widened int8, FMA for fp32. Compiled for AVX2 by a target pragma;
 * plan.c calls these only when CPUID reports AVX2 (and FMA). */
#include "fatnn_native.h"

#if defined(__x86_64__) || defined(_M_X64)

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,popcnt"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC target("avx2,fma,popcnt")
#endif

#include <immintrin.h>

#define KFN(name) fn_avx2_##name

typedef __m256i VB;
#define VB_LANES 4
static inline VB vb_zero(void) { return _mm256_setzero_si256(); }
static inline VB vb_load(const uint64_t *p) { return _mm256_loadu_si256((const __m256i *)p); }
static inline VB vb_bcast(const uint64_t *p) { return _mm256_set1_epi64x((long long)*p); }
static inline VB vb_and(VB a, VB b) { return _mm256_and_si256(a, b); }
static inline VB vb_xor(VB a, VB b) { return _mm256_xor_si256(a, b); }
static inline VB vb_or(VB a, VB b) { return _mm256_or_si256(a, b); }
static inline VB vb_andnxor(VB t, VB a, VB b) { return _mm256_andnot_si256(t, _mm256_xor_si256(a, b)); }
/* Two-table nibble lookup (Mula, Kurz, Lemire; FasterTNN): the low nibble looks up 4 + popcount,
 * the high one 4 - popcount, and VPSADBW's |a - b| per byte both adds them and sums the 8 bytes
 * of each 64-bit lane: the VPADDB of the one-table form disappears. */
static inline VB vb_pc(VB v) {
  const __m256i lut_plus = _mm256_setr_epi8(4, 5, 5, 6, 5, 6, 6, 7, 5, 6, 6, 7, 6, 7, 7, 8,
                                            4, 5, 5, 6, 5, 6, 6, 7, 5, 6, 6, 7, 6, 7, 7, 8);
  const __m256i lut_minus = _mm256_setr_epi8(4, 3, 3, 2, 3, 2, 2, 1, 3, 2, 2, 1, 2, 1, 1, 0,
                                             4, 3, 3, 2, 3, 2, 2, 1, 3, 2, 2, 1, 2, 1, 1, 0);
  const __m256i nibble = _mm256_set1_epi8(0x0f);
  __m256i lo = _mm256_shuffle_epi8(lut_plus, _mm256_and_si256(v, nibble));
  __m256i hi = _mm256_shuffle_epi8(lut_minus, _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble));
  return _mm256_sad_epu8(lo, hi);
}
/* fatnn's carry-save loop keeps its counts in byte lanes (one-table lookup + VPADDB, <= 8 per
 * byte per step) and runs VPSADBW once per 31 steps: measured +2% over the two-table form per
 * step (171 vs 168 GMAC/s median over the ResNet-18 layers, thread CPU time, 3 alternating runs). */
#define VB_PC8 1
static inline VB vb_pc8(VB v) {
  const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                                       0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i nibble = _mm256_set1_epi8(0x0f);
  return _mm256_add_epi8(_mm256_shuffle_epi8(lut, _mm256_and_si256(v, nibble)),
                         _mm256_shuffle_epi8(lut, _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble)));
}
static inline VB vb_add8(VB a, VB b) { return _mm256_add_epi8(a, b); }
static inline VB vb_widen8(VB acc, VB bytes) { return _mm256_add_epi64(acc, _mm256_sad_epu8(bytes, _mm256_setzero_si256())); }
static inline VB vb_add(VB a, VB b) { return _mm256_add_epi64(a, b); }
static inline VB vb_sub(VB a, VB b) { return _mm256_sub_epi64(a, b); }
static inline VB vb_set1(uint64_t v) { return _mm256_set1_epi64x((long long)v); }
static inline void vb_store(uint64_t *p, VB a) { _mm256_storeu_si256((__m256i *)p, a); }

typedef __m256 VF;
#define VF_LANES 8
static inline VF vf_zero(void) { return _mm256_setzero_ps(); }
static inline VF vf_load(const float *p) { return _mm256_loadu_ps(p); }
static inline VF vf_bcast(const float *p) { return _mm256_broadcast_ss(p); }
static inline VF vf_fma(VF acc, VF a, VF b) { return _mm256_fmadd_ps(a, b, acc); }
static inline void vf_store(float *p, VF a) { _mm256_storeu_ps(p, a); }

/* int8 widened to int16 at packing: VPMADDWD multiplies pairs exactly (no VPMADDUBSW
 * saturation) and sums them into int32 lanes. */
typedef __m256i VI;
#define VI_LANES 8
#define I8_G 2
#define I8_E 2
#define I8_OFFSET 0
static inline VI vi_zero(void) { return _mm256_setzero_si256(); }
static inline VI vi_load(const uint8_t *p) { return _mm256_loadu_si256((const __m256i *)p); }
static inline VI vi_bcast(const uint8_t *p) { int32_t v; __builtin_memcpy(&v, p, 4); return _mm256_set1_epi32(v); }
static inline VI vi_dot(VI acc, VI a, VI b) { return _mm256_add_epi32(acc, _mm256_madd_epi16(a, b)); }
static inline void vi_store(int32_t *p, VI a) { _mm256_storeu_si256((__m256i *)p, a); }

#ifndef BIN_MR
#define BIN_MR 4
#endif
#ifndef BIN_NV
#define BIN_NV 2
#endif
#ifndef FAT_MR
#define FAT_MR 2
#endif
#ifndef FAT_NV
#define FAT_NV 2
#endif
#define B2_MR 2
#define B2_NV 2
/* ternary2b: one-popcount carry-save chain (kernels.inc) */
#ifndef T2B_NO_CS
#define T2B_CARRY_SAVE 1
#endif
#define F32_MR 6
#define F32_NV 2
#define I8_MR 4
#define I8_NV 2

/* Bit-plane packing 64 values at a time: byte compares and VPMOVMSKB straight into plane words.
 * The portable encoder cost 1.9 ms for the 64x3136x576 activations, 2.3x this ISA's fatnn
 * GEMM (0.8 ms). A tail of fewer than 64 values goes through a zeroed copy so nothing past the
 * row is read. */
static inline uint64_t mask64(__m256i lo, __m256i hi) {
  return (uint64_t)(uint32_t)_mm256_movemask_epi8(lo) | (uint64_t)(uint32_t)_mm256_movemask_epi8(hi) << 32;
}

static int fn_avx2_encode64(int precision, const int8_t *values, int n, uint64_t planes[2]) {
  int8_t tail[64];
  if (n < 64) {
    __builtin_memset(tail, 0, sizeof tail);
    __builtin_memcpy(tail, values, (size_t)n);
    values = tail;
  }
  const __m256i a = _mm256_loadu_si256((const __m256i *)values), b = _mm256_loadu_si256((const __m256i *)(values + 32));
  const __m256i zero = _mm256_setzero_si256(), one = _mm256_set1_epi8(1);
  const uint64_t live = n == 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
  uint64_t valid, p0, p1 = 0;
  switch (precision) {
    case FN_BIT2: { /* 0..3: bits 0 and 1 moved to each byte's top bit (16-bit shifts keep bytes apart there) */
      const __m256i three = _mm256_set1_epi8(3);
      valid = mask64(_mm256_cmpeq_epi8(_mm256_max_epu8(a, three), three), _mm256_cmpeq_epi8(_mm256_max_epu8(b, three), three));
      p0 = mask64(_mm256_slli_epi16(a, 7), _mm256_slli_epi16(b, 7));
      p1 = mask64(_mm256_slli_epi16(a, 6), _mm256_slli_epi16(b, 6));
      break;
    }
    case FN_TERNARY2B: /* offset t + 1: bit 0 set for t = 0, bit 1 for t = 1 */
    case FN_FATNN: {   /* zero plane, sign */
      const __m256i two = _mm256_set1_epi8(2);
      const __m256i ua = _mm256_add_epi8(a, one), ub = _mm256_add_epi8(b, one);
      valid = mask64(_mm256_cmpeq_epi8(_mm256_min_epu8(ua, two), ua), _mm256_cmpeq_epi8(_mm256_min_epu8(ub, two), ub));
      p0 = mask64(_mm256_cmpeq_epi8(a, zero), _mm256_cmpeq_epi8(b, zero));
      p1 = precision == FN_FATNN ? mask64(a, b) : mask64(_mm256_cmpeq_epi8(a, one), _mm256_cmpeq_epi8(b, one));
      break;
    }
    default: /* binary: +-1, bit = sign */
      valid = mask64(_mm256_cmpeq_epi8(_mm256_abs_epi8(a), one), _mm256_cmpeq_epi8(_mm256_abs_epi8(b), one));
      p0 = mask64(a, b);
      break;
  }
  const uint64_t bad = live & ~valid;
  if (bad) return __builtin_ctzll(bad);
  planes[0] = p0 & live;
  planes[1] = p1 & live;
  return -1;
}
#define ENCODE64 fn_avx2_encode64

#include "kernels.inc"

#if defined(__clang__)
#pragma clang attribute pop
#endif

const fn_isa_table *fn_table_avx2(void) { return &fn_avx2_table; }

#else
const fn_isa_table *fn_table_avx2(void) { return 0; }
#endif
