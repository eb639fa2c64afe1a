/* arm64 NEON kernels: VCNT + pairwise widening adds for the bit precisions, FMLA for fp32,
 * and for int8 either SDOT (ARMv8.2 dot product, where the CPU has it) or SMULL on
 * int16-widened values. NEON itself is mandatory on arm64, so only SDOT is probed. */
#include "fatnn_native.h"

#if defined(__aarch64__) || defined(_M_ARM64)

#include <arm_neon.h>

typedef uint64x2_t VB;
#define VB_LANES 2
static inline VB vb_zero(void) { return vdupq_n_u64(0); }
static inline VB vb_load(const uint64_t *p) { return vld1q_u64(p); }
static inline VB vb_bcast(const uint64_t *p) { return vld1q_dup_u64(p); }
static inline VB vb_and(VB a, VB b) { return vandq_u64(a, b); }
static inline VB vb_xor(VB a, VB b) { return veorq_u64(a, b); }
static inline VB vb_andxor(VB t, VB a, VB b) { return vandq_u64(t, veorq_u64(a, b)); }
static inline VB vb_pc(VB a) { return vpaddlq_u32(vpaddlq_u16(vpaddlq_u8(vcntq_u8(vreinterpretq_u8_u64(a))))); }
static inline VB vb_add(VB a, VB b) { return vaddq_u64(a, b); }
static inline VB vb_sub(VB a, VB b) { return vsubq_u64(a, b); }
static inline VB vb_set1(uint64_t v) { return vdupq_n_u64(v); }
static inline void vb_store(uint64_t *p, VB a) { vst1q_u64(p, a); }

typedef float32x4_t VF;
#define VF_LANES 4
static inline VF vf_zero(void) { return vdupq_n_f32(0.0f); }
static inline VF vf_load(const float *p) { return vld1q_f32(p); }
static inline VF vf_bcast(const float *p) { return vld1q_dup_f32(p); }
static inline VF vf_fma(VF acc, VF a, VF b) { return vfmaq_f32(acc, a, b); }
static inline void vf_store(float *p, VF a) { vst1q_f32(p, a); }

/* int8 without SDOT: values widened to int16 at packing, pairs (k, k+1) per lane; SMULL
 * gives exact int32 products, ADDP folds each pair back into its lane. */
typedef int32x4_t VI;
#define VI_LANES 4
#define I8_G 2
#define I8_E 2
#define I8_OFFSET 0
static inline VI vi_zero(void) { return vdupq_n_s32(0); }
static inline VI vi_load(const uint8_t *p) { return vreinterpretq_s32_s16(vld1q_s16((const int16_t *)p)); }
static inline VI vi_bcast(const uint8_t *p) { return vld1q_dup_s32((const int32_t *)p); }
static inline VI vi_dot(VI acc, VI a, VI b) {
  int16x8_t x = vreinterpretq_s16_s32(a), w = vreinterpretq_s16_s32(b);
  int32x4_t lo = vmull_s16(vget_low_s16(x), vget_low_s16(w));
  int32x4_t hi = vmull_high_s16(x, w);
  return vaddq_s32(acc, vpaddq_s32(lo, hi));
}
static inline void vi_store(int32_t *p, VI a) { vst1q_s32(p, a); }

#define BIN_MR 4
#define BIN_NV 2
#define FAT_MR 4
#define FAT_NV 2
#define B2_MR 4
#define B2_NV 2
#define F32_MR 8
#define F32_NV 2
#define I8_MR 4
#define I8_NV 2

#define KFN(name) fn_neon_##name
#include "kernels.inc"
#undef KFN

const fn_isa_table *fn_table_neon(void) { return &fn_neon_table; }

/* The same kernels again with int8 on SDOT: groups of 4 int8 per lane, no widening. Only the
 * int8 entry of this table is used (plan.c); it is compiled for +dotprod and called only when
 * the CPU reports it. */
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("dotprod"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("arch=armv8.2-a+dotprod")
#endif

#undef I8_G
#undef I8_E
#define I8_G 4
#define I8_E 1
static inline VI vi_dot_sdot(VI acc, VI a, VI b) {
  return vdotq_s32(acc, vreinterpretq_s8_s32(a), vreinterpretq_s8_s32(b));
}
static inline VI vi_load_s8x16(const uint8_t *p) { return vreinterpretq_s32_s8(vld1q_s8((const int8_t *)p)); }
#define vi_dot vi_dot_sdot
#define vi_load vi_load_s8x16

#define KFN(name) fn_neondot_##name
#include "kernels.inc"

#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif

const fn_isa_table *fn_table_neon_dot(void) { return &fn_neondot_table; }

#else
const fn_isa_table *fn_table_neon(void) { return 0; }
const fn_isa_table *fn_table_neon_dot(void) { return 0; }
#endif
