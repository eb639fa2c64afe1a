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
static inline VB vb_or(VB a, VB b) { return vorrq_u64(a, b); }
static inline VB vb_andnxor(VB t, VB a, VB b) { return vbicq_u64(veorq_u64(a, b), t); }
static inline VB vb_pc(VB a) { return vpaddlq_u32(vpaddlq_u16(vpaddlq_u8(vcntq_u8(vreinterpretq_u8_u64(a))))); }
/* VCNT leaves byte counts; the three pairwise widening adds up to u64 cost more than the count
 * itself, so fatnn's carry-save loop keeps byte sums (VB_PC8) and widens them every 31 steps. */
#define VB_PC8 1
static inline VB vb_pc8(VB a) { return vreinterpretq_u64_u8(vcntq_u8(vreinterpretq_u8_u64(a))); }
static inline VB vb_add8(VB a, VB b) { return vreinterpretq_u64_u8(vaddq_u8(vreinterpretq_u8_u64(a), vreinterpretq_u8_u64(b))); }
static inline VB vb_widen8(VB acc, VB bytes) {
  return vaddq_u64(acc, vpaddlq_u32(vpaddlq_u16(vpaddlq_u8(vreinterpretq_u8_u64(bytes)))));
}
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
/* ternary2b: the one-popcount carry-save chain of kernels.inc, as on AVX2 (1.5x there). Not
 * measured on arm64 hardware; by op count it pays more here: 4 ANDs + 7 adder ops + CNT + ADD per
 * word pair (byte counts widened every 31 steps) against 4 x (AND + CNT + 3 pairwise widening adds
 * + ADD). bit2 and binary keep their loops. */
#define T2B_CARRY_SAVE 1
#define F32_MR 8
#define F32_NV 2
#define I8_MR 4
#define I8_NV 2

/* Bit-plane packing 64 values at a time. NEON has no byte movemask: each compare result is
 * ANDed with its bit's weight (1, 2, ..., 128 per 8 bytes) and three rounds of pairwise adds
 * fold four vectors into the 64-bit mask. A tail of fewer than 64 values goes through a zeroed
 * copy so nothing past the row is read. */
static inline uint64_t mask64(uint8x16_t m0, uint8x16_t m1, uint8x16_t m2, uint8x16_t m3) {
  static const uint8_t weights[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
  const uint8x16_t w = vld1q_u8(weights);
  uint8x16_t s01 = vpaddq_u8(vandq_u8(m0, w), vandq_u8(m1, w)), s23 = vpaddq_u8(vandq_u8(m2, w), vandq_u8(m3, w));
  uint8x16_t s = vpaddq_u8(s01, s23);
  s = vpaddq_u8(s, s);
  return vgetq_lane_u64(vreinterpretq_u64_u8(s), 0);
}

static int fn_neon_encode64(int precision, const int8_t *values, int n, uint64_t planes[2]) {
  int8_t tail[64];
  if (n < 64) {
    __builtin_memset(tail, 0, sizeof tail);
    __builtin_memcpy(tail, values, (size_t)n);
    values = tail;
  }
  int8x16_t v[4];
  for (int i = 0; i < 4; i++) v[i] = vld1q_s8(values + 16 * i);
  uint8x16_t ok[4], q0[4], q1[4];
  for (int i = 0; i < 4; i++) {
    const uint8x16_t u = vreinterpretq_u8_s8(v[i]);
    switch (precision) {
      case FN_BIT2: /* 0..3: the planes are bits 0 and 1 */
        ok[i] = vcleq_u8(u, vdupq_n_u8(3));
        q0[i] = vtstq_u8(u, vdupq_n_u8(1));
        q1[i] = vtstq_u8(u, vdupq_n_u8(2));
        break;
      case FN_TERNARY2B: /* offset t + 1: bit 0 set for t = 0, bit 1 for t = 1 */
        ok[i] = vcleq_u8(vaddq_u8(u, vdupq_n_u8(1)), vdupq_n_u8(2));
        q0[i] = vceqq_s8(v[i], vdupq_n_s8(0));
        q1[i] = vceqq_s8(v[i], vdupq_n_s8(1));
        break;
      case FN_FATNN: /* zero plane, sign */
        ok[i] = vcleq_u8(vaddq_u8(u, vdupq_n_u8(1)), vdupq_n_u8(2));
        q0[i] = vceqq_s8(v[i], vdupq_n_s8(0));
        q1[i] = vcltq_s8(v[i], vdupq_n_s8(0));
        break;
      default: /* binary: +-1, bit = sign */
        ok[i] = vceqq_s8(vabsq_s8(v[i]), vdupq_n_s8(1));
        q0[i] = vcltq_s8(v[i], vdupq_n_s8(0));
        q1[i] = vdupq_n_u8(0);
        break;
    }
  }
  const uint64_t live = n == 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
  const uint64_t bad = live & ~mask64(ok[0], ok[1], ok[2], ok[3]);
  if (bad) return __builtin_ctzll(bad);
  planes[0] = mask64(q0[0], q0[1], q0[2], q0[3]) & live;
  planes[1] = mask64(q1[0], q1[1], q1[2], q1[3]) & live;
  return -1;
}
#define ENCODE64 fn_neon_encode64

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
#if defined(__clang__) && !defined(__ARM_FEATURE_DOTPROD)
  /* clang's arm_neon.h (14 at least) declares vdotq_s32 only when the whole file is built for
   * +dotprod, not per function: the same single instruction as inline asm instead (the
   * target("dotprod") attribute above lets the integrated assembler accept it). */
  __asm__("sdot %0.4s, %1.16b, %2.16b" : "+w"(acc) : "w"(a), "w"(b));
  return acc;
#else
  return vdotq_s32(acc, vreinterpretq_s8_s32(a), vreinterpretq_s8_s32(b));
#endif
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
