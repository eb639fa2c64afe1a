/* Plans, packing, CPU detection and dispatch: the ISA-independent part of the native
 * backend, compiled for the baseline target so it runs on every CPU. */
#include "fatnn_native.h"

#include <string.h>

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#elif defined(__aarch64__) && defined(__APPLE__)
#include <sys/sysctl.h>
#endif

static int is_bits(int precision) { return precision >= FN_BIT2; }

static const fn_isa_table *isa_table(int isa) {
  switch (isa) {
    case FN_SCALAR: return fn_table_scalar();
    case FN_AVX2: return fn_table_avx2();
    case FN_AVX512: return fn_table_avx512();
    case FN_NEON: return fn_table_neon();
    case FN_NEON_DOT: return fn_table_neon_dot();
    default: return 0;
  }
}

static uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

int fn_make_plan(int isa, int precision, uint32_t M, uint32_t N, uint32_t K, fn_plan *p) {
  const fn_isa_table *t = isa_table(isa);
  if (!t || precision < 0 || precision >= FN_PRECISIONS) return -1;
  if (M < 1 || N < 1 || K < 1 || M > FN_MAX_DIM || N > FN_MAX_DIM || K > FN_MAX_DIM) return -1;
  memset(p, 0, sizeof *p);
  p->isa = isa;
  p->precision = precision;
  p->M = M;
  p->N = N;
  p->K = K;
  p->mr = t->mr[precision];
  uint64_t unit; /* bytes per k-unit per row */
  if (is_bits(precision)) {
    p->lanes = t->bit_lanes;
    p->planes = precision == FN_BINARY ? 1 : 2;
    p->group = 64;
    p->elem = 0;
    unit = 8u * p->planes;
  } else {
    p->lanes = t->dense_lanes;
    p->group = precision == FN_FP32 ? 1 : t->int8_group;
    p->elem = precision == FN_FP32 ? 4 : t->int8_elem;
    unit = (uint64_t)p->group * p->elem;
  }
  p->nr = t->nv[precision] * p->lanes;
  p->ku = (uint32_t)ceil_div(K, p->group);
  /* Lanes go to the operand that wastes fewer padded rows: with N = 49 and 16 lanes, X as
   * the lane side would compute 64 columns for 49; W (M = 512) pads nothing. */
  uint64_t keep = ceil_div(N, p->nr) * p->nr * ceil_div(M, p->mr) * p->mr;
  uint64_t swapped = ceil_div(M, p->nr) * p->nr * ceil_div(N, p->mr) * p->mr;
  /* Swapped tiles run down columns of C and are stored element by element, so swapping
   * must save real work: at least an eighth of the padded MACs. */
  p->swap = swapped + swapped / 7 < keep;
  p->a_rows = p->swap ? M : N;
  p->b_rows = p->swap ? N : M;
  p->a_panels = ceil_div(p->a_rows, p->nr);
  p->b_panels = ceil_div(p->b_rows, p->mr);
  p->a_bytes = ceil_div(p->a_panels * p->nr * p->ku * unit, 8) * 8;
  p->b_bytes = ceil_div(p->b_panels * p->mr * p->ku * unit, 8) * 8;
  if (precision == FN_TERNARY2B || (precision == FN_INT8 && t->int8_offset)) {
    p->a_sums_off = p->a_bytes;
    p->b_sums_off = p->b_bytes;
    p->a_bytes += 4 * p->a_rows;
    p->b_bytes += 4 * p->b_rows;
  }
  return 0;
}

uint64_t fn_w_bytes(const fn_plan *p) { return p->swap ? p->a_bytes : p->b_bytes; }
uint64_t fn_x_bytes(const fn_plan *p) { return p->swap ? p->b_bytes : p->a_bytes; }

/* Plane encodings (bit q of a value's code = plane q), the same as src/packing.ts:
 * bit2 v (0..3); ternary2b t + 1 (bit 0 for t = 0, bit 1 for t = 1); fatnn: zero plane
 * (1 = value 0), sign plane (1 = negative); binary: sign. */
#if defined(__x86_64__) && defined(__SSE2__)
#include <emmintrin.h>
/* The baseline encoder on x86-64 (SSE2 is part of the architecture, so every x86-64 CPU has it;
 * the scalar kernels' GEMM stays scalar): byte compares and PMOVMSKB, 16 values per compare.
 * The SWAR encoder below took 1.0 ms for the 64x3136x576 activations, 60% of the scalar fatnn
 * GEMM; the value-by-value table loop before it 1.8 ms. */
static inline uint64_t sse2_mask64(__m128i m0, __m128i m1, __m128i m2, __m128i m3) {
  return (uint64_t)(uint16_t)_mm_movemask_epi8(m0) | (uint64_t)(uint16_t)_mm_movemask_epi8(m1) << 16 |
         (uint64_t)(uint16_t)_mm_movemask_epi8(m2) << 32 | (uint64_t)(uint16_t)_mm_movemask_epi8(m3) << 48;
}

static int encode64_baseline(int precision, const int8_t *values, int n, uint64_t planes[2]) {
  int8_t tail[64];
  if (n < 64) {
    memset(tail, 0, sizeof tail);
    memcpy(tail, values, (size_t)n);
    values = tail;
  }
  __m128i v[4], ok[4], q0[4], q1[4];
  const __m128i zero = _mm_setzero_si128(), one = _mm_set1_epi8(1), two = _mm_set1_epi8(2), three = _mm_set1_epi8(3);
  for (int i = 0; i < 4; i++) {
    v[i] = _mm_loadu_si128((const __m128i *)(values + 16 * i));
    switch (precision) {
      case FN_BIT2: /* 0..3: bits 0 and 1 moved to each byte's top bit */
        ok[i] = _mm_cmpeq_epi8(_mm_max_epu8(v[i], three), three);
        q0[i] = _mm_slli_epi16(v[i], 7);
        q1[i] = _mm_slli_epi16(v[i], 6);
        break;
      case FN_TERNARY2B:
      case FN_FATNN: {
        const __m128i u = _mm_add_epi8(v[i], one);
        ok[i] = _mm_cmpeq_epi8(_mm_min_epu8(u, two), u);
        q0[i] = _mm_cmpeq_epi8(v[i], zero);
        q1[i] = precision == FN_FATNN ? v[i] : _mm_cmpeq_epi8(v[i], one);
        break;
      }
      default: /* binary */
        ok[i] = _mm_or_si128(_mm_cmpeq_epi8(v[i], one), _mm_cmpeq_epi8(v[i], _mm_set1_epi8(-1)));
        q0[i] = v[i];
        q1[i] = zero;
        break;
    }
  }
  const uint64_t live = n == 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
  const uint64_t bad = live & ~sse2_mask64(ok[0], ok[1], ok[2], ok[3]);
  if (bad) return __builtin_ctzll(bad);
  planes[0] = sse2_mask64(q0[0], q0[1], q0[2], q0[3]) & live;
  planes[1] = sse2_mask64(q1[0], q1[1], q1[2], q1[3]) & live;
  return -1;
}
#define FN_BASELINE_ENCODER encode64_baseline
#elif defined(__aarch64__) || defined(_M_ARM64)
/* arm64: NEON is part of the architecture, so the scalar kernels pack with isa_neon.c's encoder */
#define FN_BASELINE_ENCODER fn_table_neon()->encode64
#endif

#ifdef FN_BASELINE_ENCODER
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The portable encoder (other architectures) works on 8 values per 64-bit word (SWAR): per-byte
 * predicates land in each byte's top bit, and one multiply gathers the 8 top bits into a byte. The value-by-value
 * table loop cost 1.8 ms for the 64x3136x576 activations on x86-64, this 1.0 ms (the scalar
 * fatnn GEMM takes 1.7 ms), the SSE2 one above 0.27 ms. */
#define B01 0x0101010101010101ull
#define B7F 0x7f7f7f7f7f7f7f7full
#define B80 0x8080808080808080ull

/* top bit of each byte set where that byte is zero; exact: (b & 0x7f) + 0x7f never carries out */
static inline uint64_t zero_bytes(uint64_t x) { return ~((((x & B7F) + B7F) | x)) & B80; }
/* byte i's top bit -> bit i */
static inline uint64_t gather_top_bits(uint64_t m) { return ((m >> 7) * 0x0102040810204080ull) >> 56; }

static int encode64_portable(int precision, const int8_t *values, int n, uint64_t planes[2]) {
  uint8_t tail[64];
  const uint8_t *src = (const uint8_t *)values;
  if (n < 64) {
    memset(tail, 0, sizeof tail);
    memcpy(tail, values, (size_t)n);
    src = tail;
  }
  uint64_t valid = 0, p0 = 0, p1 = 0;
  for (int c = 0; c < 8; c++) {
    uint64_t x, ok, q0, q1 = 0;
    memcpy(&x, src + 8 * c, 8);
    const uint64_t minus_one = zero_bytes(~x);
    switch (precision) {
      case FN_BIT2: /* 0..3: planes are bits 0 and 1 */
        ok = zero_bytes(x & (B01 * 0xfc));
        q0 = (x & B01) << 7;
        q1 = (x & (B01 * 2)) << 6;
        break;
      case FN_TERNARY2B: /* bytes 0x00, 0x01, 0xff; offset code: bit 0 for t = 0, bit 1 for t = 1 */
        ok = zero_bytes(x & ~B01) | minus_one;
        q0 = zero_bytes(x);
        q1 = zero_bytes(x ^ B01);
        break;
      case FN_FATNN: /* zero plane, sign */
        ok = zero_bytes(x & ~B01) | minus_one;
        q0 = zero_bytes(x);
        q1 = x & B80;
        break;
      default: /* binary: bytes 0x01, 0xff; bit = sign */
        ok = zero_bytes(x ^ B01) | minus_one;
        q0 = x & B80;
        break;
    }
    valid |= gather_top_bits(ok) << (8 * c);
    p0 |= gather_top_bits(q0) << (8 * c);
    p1 |= gather_top_bits(q1) << (8 * c);
  }
  const uint64_t live = n == 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
  const uint64_t bad = live & ~valid;
  if (bad) return __builtin_ctzll(bad);
  planes[0] = p0 & live;
  planes[1] = p1 & live;
  return -1;
}
#else
/* Plane bits of a logical value (bit q = plane q), -1 if outside the precision's set;
 * the same encodings as src/packing.ts. */
static int plane_code(int precision, int v) {
  switch (precision) {
    case FN_BIT2: return v >= 0 && v <= 3 ? v : -1;
    case FN_TERNARY2B: return v >= -1 && v <= 1 ? v + 1 : -1;
    case FN_FATNN: return v >= -1 && v <= 1 ? (v == 0) | ((v < 0) << 1) : -1; /* zero plane, sign */
    case FN_BINARY: return v == 1 || v == -1 ? (v < 0) : -1;
    default: return -1;
  }
}

/* Big-endian hosts: one value at a time. */
static int encode64_portable(int precision, const int8_t *values, int n, uint64_t planes[2]) {
  uint64_t p0 = 0, p1 = 0;
  for (int b = 0; b < n; b++) {
    const int code = plane_code(precision, values[b]);
    if (code < 0) return b;
    p0 |= (uint64_t)(code & 1) << b;
    p1 |= (uint64_t)((code >> 1) & 1) << b;
  }
  planes[0] = p0;
  planes[1] = p1;
  return -1;
}
#endif

static int64_t pack_bits(const fn_plan *p, int lane_side, const int8_t *v, uint64_t rows, uint8_t *out) {
  const uint64_t K = p->K, KU = p->ku, P = p->planes, R = lane_side ? p->nr : p->mr;
  /* the lane side interleaves planes by k-word (stride R), the broadcast side by row (stride 1) */
  const uint64_t k_stride = P * R, q_stride = lane_side ? R : 1;
  int (*encode)(int, const int8_t *, int, uint64_t *) = isa_table(p->isa)->encode64;
#ifdef FN_BASELINE_ENCODER
  if (!encode) encode = FN_BASELINE_ENCODER;
#else
  if (!encode) encode = encode64_portable;
#endif
  uint64_t *words = (uint64_t *)out;
  for (uint64_t r = 0; r < rows; r++) {
    const int8_t *row = v + r * K;
    const uint64_t panel = r / R, j = r % R;
    uint64_t *dst = words + panel * KU * k_stride + (lane_side ? j : j * P);
    for (uint64_t k = 0; k < KU; k++, dst += k_stride) {
      uint64_t plane[2];
      const uint64_t k0 = k * 64;
      const int n = K - k0 < 64 ? (int)(K - k0) : 64;
      const int bad = encode(p->precision, row + k0, n, plane);
      if (bad >= 0) return (int64_t)(r * K + k0 + (uint64_t)bad);
      dst[0] = plane[0];
      if (P > 1) dst[q_stride] = plane[1];
    }
  }
  return -1;
}

/* A blocked transpose: for each panel, 64 source bytes of each of its R rows at a time, so
 * reads are contiguous and the scattered writes stay inside a few KB of the packed buffer. */
static void pack_dense(const fn_plan *p, int lane_side, const void *v, uint64_t rows, uint8_t *out) {
  const uint64_t K = p->K, KU = p->ku, G = p->group, R = lane_side ? p->nr : p->mr;
  const uint64_t panels = lane_side ? p->a_panels : p->b_panels;
  const int offset = p->precision == FN_INT8 && p->elem == 1 && isa_table(p->isa)->int8_offset && lane_side;
  const uint8_t flip = offset ? 0x80 : 0;
  const uint64_t src_bytes = p->precision == FN_FP32 ? 4 : 1;
  const uint64_t block = 64 / (G * src_bytes) ? 64 / (G * src_bytes) : 1; /* k-groups per block */
  for (uint64_t panel = 0; panel < panels; panel++) {
    const uint64_t r0 = panel * R, live = rows - r0 < R ? rows - r0 : R;
    for (uint64_t kb = 0; kb < KU; kb += block) {
      const uint64_t kend = kb + block < KU ? kb + block : KU;
      for (uint64_t j = 0; j < live; j++) {
        const uint64_t row = (r0 + j) * K;
        if (p->precision == FN_FP32) { /* G = 1 */
          const float *src = (const float *)v + row;
          float *dst = (float *)out + (panel * KU) * R + j;
          for (uint64_t k = kb; k < kend; k++) dst[k * R] = src[k];
          continue;
        }
        for (uint64_t kg = kb; kg < kend; kg++) {
          const uint64_t k0 = kg * G, n = K - k0 < G ? K - k0 : G;
          const uint64_t at = ((panel * KU + kg) * R + j) * G;
          const uint8_t *src = (const uint8_t *)v + row + k0;
          if (p->elem == 2) {
            for (uint64_t g = 0; g < n; g++) ((int16_t *)out)[at + g] = (int8_t)src[g];
            for (uint64_t g = n; g < G; g++) ((int16_t *)out)[at + g] = 0;
          } else if (n == 4) {
            uint32_t four;
            memcpy(&four, src, 4);
            four ^= flip * 0x01010101u;
            memcpy(out + at, &four, 4);
          } else {
            for (uint64_t g = 0; g < n; g++) out[at + g] = src[g] ^ flip;
            for (uint64_t g = n; g < G; g++) out[at + g] = 0;
          }
        }
      }
    }
  }
}

static int64_t pack_side(const fn_plan *p, int lane_side, const void *logical, void *packed) {
  const uint64_t rows = lane_side ? p->a_rows : p->b_rows;
  const uint64_t bytes = lane_side ? p->a_bytes : p->b_bytes;
  const uint64_t sums_off = lane_side ? p->a_sums_off : p->b_sums_off;
  uint8_t *out = (uint8_t *)packed;
  /* Every word of the real rows is written below (k padding included); only the padding rows
   * of the last panel and the alignment gap before the sums need zeroing. */
  const uint64_t R = lane_side ? p->nr : p->mr, panels = lane_side ? p->a_panels : p->b_panels;
  const uint64_t unit = is_bits(p->precision) ? 8u * p->planes : (uint64_t)p->group * p->elem;
  const uint64_t panel_bytes = R * p->ku * unit;
  memset(out + (panels - 1) * panel_bytes, 0, bytes - (panels - 1) * panel_bytes);
  if (is_bits(p->precision)) {
    int64_t bad = pack_bits(p, lane_side, (const int8_t *)logical, rows, out);
    if (bad >= 0) return bad;
  } else {
    pack_dense(p, lane_side, logical, rows, out);
  }
  if (sums_off) {
    int32_t *sums = (int32_t *)(out + sums_off);
    const int8_t *v = (const int8_t *)logical;
    for (uint64_t r = 0; r < rows; r++) {
      int32_t s = 0;
      for (uint64_t k = 0; k < p->K; k++) s += v[r * p->K + k];
      sums[r] = s;
    }
  }
  return -1;
}

int64_t fn_pack_w(const fn_plan *p, const void *logical, void *packed) { return pack_side(p, p->swap, logical, packed); }
int64_t fn_pack_x(const fn_plan *p, const void *logical, void *packed) { return pack_side(p, !p->swap, logical, packed); }

void fn_gemm(const fn_plan *p, const void *w, const void *x, void *out) {
  const uint8_t *a = (const uint8_t *)(p->swap ? w : x), *b = (const uint8_t *)(p->swap ? x : w);
  const int32_t *as = p->a_sums_off ? (const int32_t *)(a + p->a_sums_off) : 0;
  const int32_t *bs = p->b_sums_off ? (const int32_t *)(b + p->b_sums_off) : 0;
  isa_table(p->isa)->kernels[p->precision](p, a, b, as, bs, out);
}

/* ---- CPU features, probed once ---- */

enum {
  F_POPCNT = 1 << 0, F_AVX2 = 1 << 1, F_FMA = 1 << 2, F_AVX512F = 1 << 3, F_AVX512BW = 1 << 4,
  F_AVX512VL = 1 << 5, F_VPOPCNTDQ = 1 << 6, F_VNNI = 1 << 7, F_DOTPROD = 1 << 8,
};

static unsigned probe_features(void) {
  unsigned f = 0;
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
  /* libgcc / compiler-rt also check XGETBV, so AVX/AVX-512 are reported only when the OS
   * saves their registers */
  __builtin_cpu_init();
  if (__builtin_cpu_supports("popcnt")) f |= F_POPCNT;
  if (__builtin_cpu_supports("avx2")) f |= F_AVX2;
  if (__builtin_cpu_supports("fma")) f |= F_FMA;
  if (__builtin_cpu_supports("avx512f")) f |= F_AVX512F;
  if (__builtin_cpu_supports("avx512bw")) f |= F_AVX512BW;
  if (__builtin_cpu_supports("avx512vl")) f |= F_AVX512VL;
  if (__builtin_cpu_supports("avx512vpopcntdq")) f |= F_VPOPCNTDQ;
  if (__builtin_cpu_supports("avx512vnni")) f |= F_VNNI;
#elif defined(__aarch64__) && defined(__linux__)
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
  if (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) f |= F_DOTPROD;
#elif defined(__aarch64__) && defined(__APPLE__)
  int dot = 0;
  size_t size = sizeof dot;
  if (sysctlbyname("hw.optional.arm.FEAT_DotProd", &dot, &size, 0, 0) == 0 && dot) f |= F_DOTPROD;
#endif
  return f;
}

static unsigned features(void) {
  /* a benign race: every thread computes the same value */
  static volatile unsigned cached = 0, ready = 0;
  if (!ready) {
    cached = probe_features();
    ready = 1;
  }
  return cached;
}

#if defined(__x86_64__) || defined(_M_X64)
#define FN_X86 1
#else
#define FN_X86 0
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
#define FN_ARM64 1
#else
#define FN_ARM64 0
#endif

const char *fn_unavailable_reason(int isa, int precision) {
  const unsigned f = features();
  if (precision < 0 || precision >= FN_PRECISIONS) return "unknown precision";
  switch (isa) {
    case FN_SCALAR:
      if (FN_X86 && !(f & F_POPCNT)) return "CPU lacks POPCNT";
      break;
    case FN_AVX2:
      if (!FN_X86) return "x86-64 only";
      if (!(f & F_AVX2)) return "CPU lacks AVX2";
      if (!(f & F_FMA)) return "CPU lacks FMA";
      break;
    case FN_AVX512:
      if (!FN_X86) return "x86-64 only";
      if ((f & (F_AVX512F | F_AVX512BW | F_AVX512VL)) != (F_AVX512F | F_AVX512BW | F_AVX512VL))
        return "CPU lacks AVX-512 F/BW/VL";
      if (!(f & F_FMA)) return "CPU lacks FMA";
      if (is_bits(precision) && !(f & F_VPOPCNTDQ)) return "CPU lacks AVX-512 VPOPCNTDQ";
      if (precision == FN_INT8 && !(f & F_VNNI)) return "CPU lacks AVX-512 VNNI";
      break;
    case FN_NEON:
      if (!FN_ARM64) return "arm64 only";
      break;
    case FN_NEON_DOT:
      if (!FN_ARM64) return "arm64 only";
      if (!(f & F_DOTPROD)) return "CPU lacks the dot-product extension (SDOT)";
      break;
    default:
      return "unknown instruction set";
  }
  if (!isa_table(isa)) return "not compiled into this build of the addon";
  return 0;
}

int fn_effective_isa(int isa, int precision) {
  if (isa == FN_NEON && precision == FN_INT8 && !fn_unavailable_reason(FN_NEON_DOT, FN_INT8)) return FN_NEON_DOT;
  return isa;
}
