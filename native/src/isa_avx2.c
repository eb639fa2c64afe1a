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
static inline VB vb_andxor(VB t, VB a, VB b) { return _mm256_and_si256(t, _mm256_xor_si256(a, b)); }
static inline VB vb_pc(VB v) {
  const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                                       0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i nibble = _mm256_set1_epi8(0x0f);
  __m256i lo = _mm256_shuffle_epi8(lut, _mm256_and_si256(v, nibble));
  __m256i hi = _mm256_shuffle_epi8(lut, _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble));
  return _mm256_sad_epu8(_mm256_add_epi8(lo, hi), _mm256_setzero_si256());
}
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

#define BIN_MR 4
#define BIN_NV 2
#define FAT_MR 2
#define FAT_NV 2
#define B2_MR 2
#define B2_NV 2
#define F32_MR 6
#define F32_NV 2
#define I8_MR 4
#define I8_NV 2

#include "kernels.inc"

#if defined(__clang__)
#pragma clang attribute pop
#endif

const fn_isa_table *fn_table_avx2(void) { return &fn_avx2_table; }

#else
const fn_isa_table *fn_table_avx2(void) { return 0; }
#endif
