/* AVX-512 kernels: VPOPCNTQ for the bit precisions, VPDPBUSD (VNNI) for int8, FMA for fp32.
 * Compiled for AVX-512 by a target pragma so the rest of the addon stays baseline x86-64;
 * plan.c calls these only when CPUID says the CPU and OS support them. */
#include "fatnn_native.h"

#if defined(__x86_64__) || defined(_M_X64)

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512vpopcntdq,avx512vnni,popcnt,fma"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512vpopcntdq,avx512vnni,popcnt,fma")
#endif

#include <immintrin.h>

#define KFN(name) fn_avx512_##name

typedef __m512i VB;
#define VB_LANES 8
static inline VB vb_zero(void) { return _mm512_setzero_si512(); }
static inline VB vb_load(const uint64_t *p) { return _mm512_loadu_si512((const void *)p); }
static inline VB vb_bcast(const uint64_t *p) { return _mm512_set1_epi64((long long)*p); }
static inline VB vb_and(VB a, VB b) { return _mm512_and_si512(a, b); }
static inline VB vb_xor(VB a, VB b) { return _mm512_xor_si512(a, b); }
/* ~t & (a ^ b) in one VPTERNLOGQ (t = 0xF0, a = 0xCC, b = 0xAA): ~0xF0 & (0xCC ^ 0xAA) = 0x06 */
static inline VB vb_andnxor(VB t, VB a, VB b) { return _mm512_ternarylogic_epi64(t, a, b, 0x06); }
static inline VB vb_or(VB a, VB b) { return _mm512_or_si512(a, b); }
/* fatnn keeps two popcounts per word pair here: with VPOPCNTQ + VPTERNLOGQ the carry-save form
 * costs the same ~6 ops per 512 products and measured 0.98-1.01x (../shared/PEERS.md probe);
 * they run in a loop of their own (kernels.inc fatnn_zn says why). */
#define FAT_ZN_LOOP 1
static inline VB vb_pc(VB a) { return _mm512_popcnt_epi64(a); }
static inline VB vb_add(VB a, VB b) { return _mm512_add_epi64(a, b); }
static inline VB vb_sub(VB a, VB b) { return _mm512_sub_epi64(a, b); }
static inline VB vb_set1(uint64_t v) { return _mm512_set1_epi64((long long)v); }
/* Narrow in registers, then a plain store (masked only at the edge of C): the memory form of
 * a masked VPMOVQD is microcoded on AMD. */
static inline void vb_store_i32n(int32_t *p, VB v, int n) {
  __m256i narrow = _mm512_cvtepi64_epi32(v);
  if (n == VB_LANES) _mm256_storeu_si256((__m256i *)p, narrow);
  else _mm256_mask_storeu_epi32(p, (__mmask8)((1u << n) - 1), narrow);
}
#define VB_STORE_I32N vb_store_i32n
static inline void vb_store(uint64_t *p, VB a) { _mm512_storeu_si512((void *)p, a); }

typedef __m512 VF;
#define VF_LANES 16
static inline VF vf_zero(void) { return _mm512_setzero_ps(); }
static inline VF vf_load(const float *p) { return _mm512_loadu_ps(p); }
static inline VF vf_bcast(const float *p) { return _mm512_set1_ps(*p); }
static inline VF vf_fma(VF acc, VF a, VF b) { return _mm512_fmadd_ps(a, b, acc); }
static inline void vf_store(float *p, VF a) { _mm512_storeu_ps(p, a); }
static inline void vf_store_n(float *p, VF v, int n) {
  if (n == VF_LANES) _mm512_storeu_ps(p, v);
  else _mm512_mask_storeu_ps(p, (__mmask16)((1u << n) - 1), v);
}
#define VF_STORE_N vf_store_n

/* VPDPBUSD multiplies unsigned by signed bytes: the lane side is packed as x + 128 (u8),
 * the broadcast side as plain int8, and 128 * sum_k(broadcast row) is subtracted at the end. */
typedef __m512i VI;
#define VI_LANES 16
#define I8_G 4
#define I8_E 1
#define I8_OFFSET 1
static inline VI vi_zero(void) { return _mm512_setzero_si512(); }
static inline VI vi_load(const uint8_t *p) { return _mm512_loadu_si512((const void *)p); }
static inline VI vi_bcast(const uint8_t *p) { int32_t v; __builtin_memcpy(&v, p, 4); return _mm512_set1_epi32(v); }
static inline VI vi_dot(VI acc, VI a, VI b) { return _mm512_dpbusd_epi32(acc, a, b); }
static inline void vi_store(int32_t *p, VI a) { _mm512_storeu_si512((void *)p, a); }
static inline void vi_store_n(int32_t *p, VI v, int n) {
  if (n == VI_LANES) _mm512_storeu_si512((void *)p, v);
  else _mm512_mask_storeu_epi32(p, (__mmask16)((1u << n) - 1), v);
}
#define VI_STORE_N vi_store_n

/* Register tiles (broadcast rows x lane vectors), chosen by measuring the ResNet-18 layers;
 * -D overrides make retuning a compiler flag. */
#ifndef BIN_MR
#define BIN_MR 6
#endif
#ifndef BIN_NV
#define BIN_NV 2
#endif
#ifndef FAT_MR
#define FAT_MR 5
#endif
#ifndef FAT_NV
#define FAT_NV 2
#endif
#ifndef B2_MR
#define B2_MR 2
#endif
#ifndef B2_NV
#define B2_NV 3
#endif
#ifndef F32_MR
#define F32_MR 8
#endif
#ifndef F32_NV
#define F32_NV 2
#endif
#ifndef I8_MR
#define I8_MR 6
#endif
#ifndef I8_NV
#define I8_NV 2
#endif

/* Bit-plane packing 64 values at a time: byte compares straight into plane masks (AVX-512BW). */
static int fn_avx512_encode64(int precision, const int8_t *values, int n, uint64_t planes[2]) {
  const __mmask64 live = n == 64 ? ~(__mmask64)0 : (((__mmask64)1 << n) - 1);
  const __m512i v = _mm512_maskz_loadu_epi8(live, values);
  __mmask64 valid, p0, p1 = 0;
  switch (precision) {
    case FN_BIT2: /* 0..3: the planes are bits 0 and 1 */
      valid = _mm512_cmple_epu8_mask(v, _mm512_set1_epi8(3));
      p0 = _mm512_test_epi8_mask(v, _mm512_set1_epi8(1));
      p1 = _mm512_test_epi8_mask(v, _mm512_set1_epi8(2));
      break;
    case FN_TERNARY2B: /* offset t + 1: bit 0 set for t = 0, bit 1 for t = 1 */
      valid = _mm512_cmple_epu8_mask(_mm512_add_epi8(v, _mm512_set1_epi8(1)), _mm512_set1_epi8(2));
      p0 = _mm512_cmpeq_epi8_mask(v, _mm512_setzero_si512());
      p1 = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(1));
      break;
    case FN_FATNN: /* zero plane, sign */
      valid = _mm512_cmple_epu8_mask(_mm512_add_epi8(v, _mm512_set1_epi8(1)), _mm512_set1_epi8(2));
      p0 = _mm512_cmpeq_epi8_mask(v, _mm512_setzero_si512());
      p1 = _mm512_movepi8_mask(v);
      break;
    default: /* binary: +-1, bit = sign */
      valid = _mm512_cmpeq_epi8_mask(_mm512_abs_epi8(v), _mm512_set1_epi8(1));
      p0 = _mm512_movepi8_mask(v);
      break;
  }
  const __mmask64 bad = live & ~valid;
  if (bad) return __builtin_ctzll(bad);
  planes[0] = p0 & live;
  planes[1] = p1 & live;
  return -1;
}
#define ENCODE64 fn_avx512_encode64

#include "kernels.inc"

#if defined(__clang__)
#pragma clang attribute pop
#endif

const fn_isa_table *fn_table_avx512(void) { return &fn_avx512_table; }

#else
const fn_isa_table *fn_table_avx512(void) { return 0; }
#endif
