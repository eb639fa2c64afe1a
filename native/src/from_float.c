/* The `fromFloat` view's fused quantize-and-pack of X (issue #14 item 4): float32 activations
 * go straight to the packed bit planes of the plan (same layout as pack_bits in plan.c), with
 * the precision's quantizer folded into the vector compares: AVX2/AVX-512/SSE2 compare 8/16/4
 * floats and MOVMSKPS (or a mask register) drops the plane bits in, NEON gathers compare lanes
 * with a weighted add. No int8 intermediate is written. int8 quantizes in double (as the
 * reference in src/quantize.ts does, so results are equal bit for bit) into a scratch row
 * buffer and packs with fn_pack_x: its dense layout is a transpose, nothing to fuse there.
 *
 * Thresholds arrive as float32 values that make float compares equal the reference's double
 * compares (ceilF32 in src/from-float.ts). A NaN has no level: the index of the first one is
 * returned and the caller throws. Every per-ISA function is compiled with its own target
 * attribute and only called when the plan's ISA says the CPU has it. */
#include "fatnn_native.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define FF_X86 1
#endif
#if defined(__aarch64__)
#include <arm_neon.h>
#endif

/* Comparison masks of up to 64 floats: bit b set where x[b] < t[0], >= t[1], >= t[2], is NaN. */
typedef struct { uint64_t lt0, ge1, ge2, ge0, nan; } ff_masks;

/* One encoder per ISA fills the masks the precision needs: lt0 always (x < t0, binary: x < 0),
 * ge1 for the ternaries (x >= high), ge0/ge1/ge2 for bit2. */
typedef void (*ff_compare64)(int precision, const float *t, const float *x, ff_masks *m);

__attribute__((unused)) static void compare64_portable(int precision, const float *t, const float *x, ff_masks *m) {
  uint64_t lt0 = 0, ge0 = 0, ge1 = 0, ge2 = 0, nan = 0;
  for (int b = 0; b < 64; b++) {
    const float v = x[b];
    nan |= (uint64_t)(v != v) << b;
    lt0 |= (uint64_t)(v < t[0]) << b;
    if (precision == FN_BIT2) {
      ge0 |= (uint64_t)(v >= t[0]) << b;
      ge1 |= (uint64_t)(v >= t[1]) << b;
      ge2 |= (uint64_t)(v >= t[2]) << b;
    } else if (precision != FN_BINARY) {
      ge1 |= (uint64_t)(v >= t[1]) << b;
    }
  }
  m->lt0 = lt0, m->ge0 = ge0, m->ge1 = ge1, m->ge2 = ge2, m->nan = nan;
}

#ifdef FF_X86
/* SSE2 is part of x86-64: the baseline (scalar ISA) path. CMPLTPS/CMPNLTPS are ordered for
 * "<" and the NaN test is CMPUNORDPS, so NaN gives no level bit and its own mask. */
static void compare64_sse2(int precision, const float *t, const float *x, ff_masks *m) {
  const __m128 t0 = _mm_set1_ps(t[0]), t1 = _mm_set1_ps(t[1]), t2 = _mm_set1_ps(t[2]);
  uint64_t lt0 = 0, ge0 = 0, ge1 = 0, ge2 = 0, nan = 0;
  for (int i = 0; i < 16; i++) {
    const __m128 v = _mm_loadu_ps(x + 4 * i);
    const int s = 4 * i;
    nan |= (uint64_t)_mm_movemask_ps(_mm_cmpunord_ps(v, v)) << s;
    lt0 |= (uint64_t)_mm_movemask_ps(_mm_cmplt_ps(v, t0)) << s;
    /* x >= t as t <= x: ordered (false for NaN), unlike CMPNLTPS */
    if (precision == FN_BIT2) {
      ge0 |= (uint64_t)_mm_movemask_ps(_mm_cmple_ps(t0, v)) << s;
      ge1 |= (uint64_t)_mm_movemask_ps(_mm_cmple_ps(t1, v)) << s;
      ge2 |= (uint64_t)_mm_movemask_ps(_mm_cmple_ps(t2, v)) << s;
    } else if (precision != FN_BINARY) {
      ge1 |= (uint64_t)_mm_movemask_ps(_mm_cmple_ps(t1, v)) << s;
    }
  }
  m->lt0 = lt0, m->ge0 = ge0, m->ge1 = ge1, m->ge2 = ge2, m->nan = nan;
}

__attribute__((target("avx2")))
static void compare64_avx2(int precision, const float *t, const float *x, ff_masks *m) {
  const __m256 t0 = _mm256_set1_ps(t[0]), t1 = _mm256_set1_ps(t[1]), t2 = _mm256_set1_ps(t[2]);
  uint64_t lt0 = 0, ge0 = 0, ge1 = 0, ge2 = 0, nan = 0;
  for (int i = 0; i < 8; i++) {
    const __m256 v = _mm256_loadu_ps(x + 8 * i);
    const int s = 8 * i;
    nan |= (uint64_t)_mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q)) << s;
    lt0 |= (uint64_t)_mm256_movemask_ps(_mm256_cmp_ps(v, t0, _CMP_LT_OQ)) << s;
    if (precision == FN_BIT2) {
      ge0 |= (uint64_t)_mm256_movemask_ps(_mm256_cmp_ps(v, t0, _CMP_GE_OQ)) << s;
      ge1 |= (uint64_t)_mm256_movemask_ps(_mm256_cmp_ps(v, t1, _CMP_GE_OQ)) << s;
      ge2 |= (uint64_t)_mm256_movemask_ps(_mm256_cmp_ps(v, t2, _CMP_GE_OQ)) << s;
    } else if (precision != FN_BINARY) {
      ge1 |= (uint64_t)_mm256_movemask_ps(_mm256_cmp_ps(v, t1, _CMP_GE_OQ)) << s;
    }
  }
  m->lt0 = lt0, m->ge0 = ge0, m->ge1 = ge1, m->ge2 = ge2, m->nan = nan;
}

__attribute__((target("avx512f")))
static void compare64_avx512(int precision, const float *t, const float *x, ff_masks *m) {
  const __m512 t0 = _mm512_set1_ps(t[0]), t1 = _mm512_set1_ps(t[1]), t2 = _mm512_set1_ps(t[2]);
  uint64_t lt0 = 0, ge0 = 0, ge1 = 0, ge2 = 0, nan = 0;
  for (int i = 0; i < 4; i++) {
    const __m512 v = _mm512_loadu_ps(x + 16 * i);
    const int s = 16 * i;
    nan |= (uint64_t)_mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q) << s;
    lt0 |= (uint64_t)_mm512_cmp_ps_mask(v, t0, _CMP_LT_OQ) << s;
    if (precision == FN_BIT2) {
      ge0 |= (uint64_t)_mm512_cmp_ps_mask(v, t0, _CMP_GE_OQ) << s;
      ge1 |= (uint64_t)_mm512_cmp_ps_mask(v, t1, _CMP_GE_OQ) << s;
      ge2 |= (uint64_t)_mm512_cmp_ps_mask(v, t2, _CMP_GE_OQ) << s;
    } else if (precision != FN_BINARY) {
      ge1 |= (uint64_t)_mm512_cmp_ps_mask(v, t1, _CMP_GE_OQ) << s;
    }
  }
  m->lt0 = lt0, m->ge0 = ge0, m->ge1 = ge1, m->ge2 = ge2, m->nan = nan;
}
#endif

#if defined(__aarch64__)
/* NEON has no movemask: each compare lane is all-ones, ANDed with its lane weight 1,2,4,8 and
 * summed across (ADDV) gives the 4-bit mask. */
static inline uint64_t neon_bits4(uint32x4_t m) {
  static const uint32_t w[4] = {1, 2, 4, 8};
  return vaddvq_u32(vandq_u32(m, vld1q_u32(w)));
}

static void compare64_neon(int precision, const float *t, const float *x, ff_masks *m) {
  const float32x4_t t0 = vdupq_n_f32(t[0]), t1 = vdupq_n_f32(t[1]), t2 = vdupq_n_f32(t[2]);
  uint64_t lt0 = 0, ge0 = 0, ge1 = 0, ge2 = 0, nan = 0;
  for (int i = 0; i < 16; i++) {
    const float32x4_t v = vld1q_f32(x + 4 * i);
    const int s = 4 * i;
    nan |= neon_bits4(vmvnq_u32(vceqq_f32(v, v))) << s;
    lt0 |= neon_bits4(vcltq_f32(v, t0)) << s; /* FCMGT: false for NaN */
    if (precision == FN_BIT2) {
      ge0 |= neon_bits4(vcgeq_f32(v, t0)) << s;
      ge1 |= neon_bits4(vcgeq_f32(v, t1)) << s;
      ge2 |= neon_bits4(vcgeq_f32(v, t2)) << s;
    } else if (precision != FN_BINARY) {
      ge1 |= neon_bits4(vcgeq_f32(v, t1)) << s;
    }
  }
  m->lt0 = lt0, m->ge0 = ge0, m->ge1 = ge1, m->ge2 = ge2, m->nan = nan;
}
#endif

static ff_compare64 compare_for(int isa) {
#ifdef FF_X86
  if (isa == FN_AVX512) return compare64_avx512;
  if (isa == FN_AVX2) return compare64_avx2;
  return compare64_sse2;
#elif defined(__aarch64__)
  (void)isa;
  return compare64_neon;
#else
  (void)isa;
  return compare64_portable;
#endif
}

/* Plane words from the masks (src/packing.ts encodings): ternary2b t + 1 (plane 0: t = 0,
 * plane 1: t = +1); fatnn zero plane, sign plane; binary sign; bit2 the level's two bits, the
 * level being ge0 + ge1 + ge2 with ge2 within ge1 within ge0 (thresholds ascend). */
static inline void planes_of(int precision, const ff_masks *m, uint64_t live, uint64_t planes[2]) {
  switch (precision) {
    case FN_TERNARY2B:
      planes[0] = ~m->lt0 & ~m->ge1 & live;
      planes[1] = m->ge1 & live;
      break;
    case FN_FATNN:
      planes[0] = ~m->lt0 & ~m->ge1 & live;
      planes[1] = m->lt0 & live;
      break;
    case FN_BIT2:
      planes[0] = ((m->ge0 & ~m->ge1) | m->ge2) & live;
      planes[1] = m->ge1 & live;
      break;
    default: /* binary */
      planes[0] = m->lt0 & live;
      planes[1] = 0;
      break;
  }
}

static int64_t pack_bits_from_float(const fn_plan *p, const float *t, const float *x, uint8_t *out) {
  const int lane_side = !p->swap; /* X is the lane side unless the plan swapped */
  const uint64_t K = p->K, KU = p->ku, P = p->planes, R = lane_side ? p->nr : p->mr;
  const uint64_t rows = lane_side ? p->a_rows : p->b_rows;
  const uint64_t panels = lane_side ? p->a_panels : p->b_panels;
  const uint64_t bytes = lane_side ? p->a_bytes : p->b_bytes;
  const uint64_t sums_off = lane_side ? p->a_sums_off : p->b_sums_off;
  const uint64_t k_stride = P * R, q_stride = lane_side ? R : 1;
  /* As pack_side: the padding rows of the last panel (and the gap before the sums) are zero. */
  const uint64_t panel_bytes = R * KU * 8u * P;
  memset(out + (panels - 1) * panel_bytes, 0, bytes - (panels - 1) * panel_bytes);
  const ff_compare64 compare = compare_for(p->isa);
  int32_t *sums = sums_off ? (int32_t *)(out + sums_off) : 0;
  uint64_t *words = (uint64_t *)out;
  float tail[64];
  for (uint64_t r = 0; r < rows; r++) {
    const float *row = x + r * K;
    const uint64_t panel = r / R, j = r % R;
    uint64_t *dst = words + panel * KU * k_stride + (lane_side ? j : j * P);
    int64_t pos = 0, zero = 0;
    for (uint64_t k = 0; k < KU; k++, dst += k_stride) {
      const uint64_t k0 = k * 64;
      const int n = K - k0 < 64 ? (int)(K - k0) : 64;
      const float *src = row + k0;
      if (n < 64) {
        memset(tail, 0, sizeof tail);
        memcpy(tail, src, (size_t)n * sizeof(float));
        src = tail;
      }
      ff_masks m;
      compare(p->precision, t, src, &m);
      const uint64_t live = n == 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
      if (m.nan & live) return (int64_t)(r * K + k0 + (uint64_t)__builtin_ctzll(m.nan & live));
      uint64_t plane[2];
      planes_of(p->precision, &m, live, plane);
      dst[0] = plane[0];
      if (P > 1) dst[q_stride] = plane[1];
      if (sums) {
        zero += __builtin_popcountll(plane[0]);
        pos += __builtin_popcountll(plane[1]);
      }
    }
    /* ternary2b's row sum of t: pos - neg, neg = K - pos - zero */
    if (sums) sums[r] = (int32_t)(2 * pos + zero - (int64_t)K);
  }
  return -1;
}

/* x / scale rounded half away from zero (C's round), clamped: the reference's arithmetic, in
 * double, so every float gives the reference's int8. */
static int64_t quantize_int8_portable(const float *x, uint64_t n, double scale, int8_t *q) {
  for (uint64_t i = 0; i < n; i++) {
    const float v = x[i];
    if (v != v) return (int64_t)i;
    double r = __builtin_round((double)v / scale);
    r = r > 127 ? 127 : r < -128 ? -128 : r;
    q[i] = (int8_t)r;
  }
  return -1;
}

#ifdef FF_X86
/* The same in AVX2, 8 floats per step as two double vectors: round half away from zero is
 * trunc(s) + (|s - trunc(s)| >= 0.5 ? sign(s) : 0), exact since s - trunc(s) is exact in double;
 * s is clamped to [-129, 128] first, so +-Infinity saturate and the int32 conversion is exact.
 * The scalar loop (libm round per value) took ~8 ns per value on the 64x3136x576 activations. */
__attribute__((target("avx2")))
static inline __m128i round_half_away_avx2(__m256d s) {
  const __m256d lo = _mm256_set1_pd(-129.0), hi = _mm256_set1_pd(128.0), half = _mm256_set1_pd(0.5);
  const __m256d sign = _mm256_set1_pd(-0.0), one = _mm256_set1_pd(1.0);
  s = _mm256_min_pd(_mm256_max_pd(s, lo), hi);
  const __m256d t = _mm256_round_pd(s, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256d d = _mm256_andnot_pd(sign, _mm256_sub_pd(s, t));
  const __m256d step = _mm256_and_pd(_mm256_cmp_pd(d, half, _CMP_GE_OQ), _mm256_or_pd(_mm256_and_pd(s, sign), one));
  return _mm256_cvttpd_epi32(_mm256_add_pd(t, step));
}

__attribute__((target("avx2")))
static int64_t quantize_int8_avx2(const float *x, uint64_t n, double scale, int8_t *q) {
  const __m256d inv = _mm256_set1_pd(scale);
  uint64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    if (_mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q))) return quantize_int8_portable(x + i, 8, scale, q + i) + (int64_t)i;
    const __m128i a = round_half_away_avx2(_mm256_div_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), inv));
    const __m128i b = round_half_away_avx2(_mm256_div_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)), inv));
    /* saturating packs clamp to [-128, 127], as the reference does */
    const __m128i bytes = _mm_packs_epi16(_mm_packs_epi32(a, b), _mm_setzero_si128());
    _mm_storel_epi64((__m128i *)(q + i), bytes);
  }
  const int64_t bad = quantize_int8_portable(x + i, n - i, scale, q + i);
  return bad >= 0 ? bad + (int64_t)i : -1;
}
#endif

static int64_t quantize_int8(int isa, const float *x, uint64_t n, double scale, int8_t *q) {
#ifdef FF_X86
  if (isa == FN_AVX2 || isa == FN_AVX512) return quantize_int8_avx2(x, n, scale, q);
#endif
  (void)isa;
  return quantize_int8_portable(x, n, scale, q);
}

int64_t fn_pack_x_from_float(const fn_plan *p, const float *x, const double *args, void *scratch, void *packed) {
  switch (p->precision) {
    case FN_INT8: {
      const int64_t bad = quantize_int8(p->isa, x, (uint64_t)p->N * p->K, args[0], (int8_t *)scratch);
      if (bad >= 0) return bad;
      return fn_pack_x(p, scratch, packed);
    }
    case FN_FP32:
      return fn_pack_x(p, x, packed);
    default: {
      float t[3] = {0, 0, 0};
      if (p->precision == FN_BIT2) t[0] = (float)args[0], t[1] = (float)args[1], t[2] = (float)args[2];
      else if (p->precision != FN_BINARY) t[0] = (float)args[0], t[1] = (float)args[1];
      return pack_bits_from_float(p, t, x, (uint8_t *)packed);
    }
  }
}
