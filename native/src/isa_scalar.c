/* Portable scalar kernels: one 64-bit word (or one value) per step, hardware POPCNT on
 * x86-64. Auto-vectorisation is switched off so "scalar" stays scalar in the reports. */
#include "fatnn_native.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-vectorize", "no-tree-slp-vectorize")
#if defined(__x86_64__)
#pragma GCC target("popcnt")
#endif
#elif defined(__clang__) && defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("popcnt"))), apply_to = function)
#endif

#define KFN(name) fn_scalar_##name

typedef uint64_t VB;
#define VB_LANES 1
static inline VB vb_zero(void) { return 0; }
static inline VB vb_load(const uint64_t *p) { return *p; }
static inline VB vb_bcast(const uint64_t *p) { return *p; }
static inline VB vb_and(VB a, VB b) { return a & b; }
static inline VB vb_xor(VB a, VB b) { return a ^ b; }
static inline VB vb_or(VB a, VB b) { return a | b; }
static inline VB vb_andnxor(VB t, VB a, VB b) { return ~t & (a ^ b); }
static inline VB vb_pc(VB a) { return (VB)__builtin_popcountll(a); }
static inline VB vb_add(VB a, VB b) { return a + b; }
static inline VB vb_sub(VB a, VB b) { return a - b; }
static inline VB vb_set1(uint64_t v) { return v; }
static inline void vb_store(uint64_t *p, VB a) { *p = a; }

typedef float VF;
#define VF_LANES 1
static inline VF vf_zero(void) { return 0.0f; }
static inline VF vf_load(const float *p) { return *p; }
static inline VF vf_bcast(const float *p) { return *p; }
static inline VF vf_fma(VF acc, VF a, VF b) { return acc + a * b; }
static inline void vf_store(float *p, VF a) { *p = a; }

typedef int32_t VI;
#define VI_LANES 1
#define I8_G 1
#define I8_E 1
#define I8_OFFSET 0
static inline VI vi_zero(void) { return 0; }
static inline VI vi_load(const uint8_t *p) { return (int8_t)*p; }
static inline VI vi_bcast(const uint8_t *p) { return (int8_t)*p; }
static inline VI vi_dot(VI acc, VI a, VI b) { return (VI)((uint32_t)acc + (uint32_t)(a * b)); }
static inline void vi_store(int32_t *p, VI a) { *p = a; }

/* fatnn: with POPCNT one instruction on x86-64 the carry-save loop (one popcount per word pair
 * but four more logic ops) measured 0.86x (65 vs 77 GMAC/s median over the ResNet-18 layers,
 * thread CPU time, alternating runs), like wasm-scalar's i64.popcnt probe: two popcounts stay
 * (75 vs 77 GMAC/s for the zero-plane form of kernels.inc against the old nonzero-mask loop).
 * On arm64 a scalar popcount is an FMOV + CNT + ADDV sequence, so carry-save is kept there
 * (not measured on hardware). */
#if defined(__x86_64__) || defined(_M_X64)
#define FAT_TWO_POPCOUNTS 1
#endif

/* ternary2b's one-popcount carry-save chain (kernels.inc): on x86-64 it measured 0.91x the
 * four-POPCNT loop (38-39 vs 42 GMAC/s median over the ResNet-18 layers, 3 alternating CLI runs,
 * load 1.3), so it is used on arm64 only, for the same reason as fatnn's carry-save (not
 * measured on hardware). x86-64 runs the three-POPCNT form instead (ternary2b_pc3: offset values
 * never set both planes, so lh | hl replaces two popcounts): 1.08x the four-POPCNT loop (44.7 vs
 * 41.7 GMAC/s median over the ResNet-18 layers, per layer 1.00-1.09x, 8 alternating CLI runs,
 * load 1.9-3.0; unchanged fatnn/native-scalar in the same runs 0.96-1.02x). Keeping three counts
 * per output as bit2_common does (12 accumulators in the 2x2 tile) measured 1.02x (first 4 of
 * those runs): one weighted count per output (two LEAs) is kept. */
#if !defined(__x86_64__) && !defined(_M_X64)
#define T2B_CARRY_SAVE 1
#else
#define T2B_THREE_POPCOUNTS 1
#endif

#define BIN_MR 4
#define BIN_NV 2
#define FAT_MR 2
#define FAT_NV 2
#define B2_MR 2
#define B2_NV 2
#define F32_MR 4
#define F32_NV 2
#define I8_MR 4
#define I8_NV 2

#include "kernels.inc"

#if defined(__clang__) && defined(__x86_64__)
#pragma clang attribute pop
#endif

const fn_isa_table *fn_table_scalar(void) { return &fn_scalar_table; }
