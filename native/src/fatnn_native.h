/* The native backend's C core: plans (packed layouts), packing, CPU detection and the GEMM
 * entry point. Kernels for each instruction set live in isa_*.c; one binary carries all of
 * them and picks what the CPU supports at run time. */
#ifndef FATNN_NATIVE_H
#define FATNN_NATIVE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Same order as PRECISIONS in src/types.ts. */
enum fn_precision { FN_FP32 = 0, FN_INT8, FN_BIT2, FN_TERNARY2B, FN_FATNN, FN_BINARY, FN_PRECISIONS };

/* FN_NEON_DOT is not a registry entry: it is the NEON path of int8 when the CPU has sdot. */
enum fn_isa { FN_SCALAR = 0, FN_AVX2, FN_AVX512, FN_NEON, FN_NEON_DOT, FN_ISAS };

/* Largest dimension accepted (MAX_DIM in src/shapes.ts). */
#define FN_MAX_DIM (1u << 20)

/*
 * A packed GEMM. One operand is the "lane" side A: its rows are spread across vector lanes,
 * NR rows per panel. The other is the "broadcast" side B: MR rows per panel, one value
 * broadcast per row and k-step. Normally A = X (activations) and B = W; `swap` makes A = W
 * when that wastes less padding (N = 49 in the last ResNet stage is far from any lane multiple).
 *
 * Bit precisions: k-unit = one 64-bit word per plane.
 *   A panel p: word (k, plane q, row j) at (p*KU + k)*P*NR + q*NR + j
 *   B panel p: word (k, row r, plane q) at (p*KU + k)*MR*P + r*P + q
 * Dense precisions: k-unit = a group of G consecutive k, elements of E bytes.
 *   panel p (R = NR or MR): element (k-group, row r, g) at ((p*KU + kg)*R + r)*G + g
 * Padding (k past K, rows past the real ones) is all-zero bytes. Precisions with row sums
 * (ternary2b, int8 with the VNNI offset) store int32 sums after the panels.
 */
typedef struct fn_plan {
  int isa, precision;
  uint32_t M, N, K;
  int swap;
  uint32_t mr, nr, lanes;   /* lanes: 64-bit words (bits) or 32-bit values (dense) per vector */
  uint32_t planes;          /* bit planes (bits) */
  uint32_t group, elem;     /* dense: k per group, bytes per element */
  uint32_t ku;              /* k-units per row */
  uint64_t a_rows, b_rows;  /* real rows of each side */
  uint64_t a_panels, b_panels;
  uint64_t a_bytes, b_bytes;           /* packed panels + sums */
  uint64_t a_sums_off, b_sums_off;     /* byte offset of int32 row sums, 0 when none */
} fn_plan;

/* Fills `plan`; returns 0, or -1 for an unknown (isa, precision) or a bad shape. */
int fn_make_plan(int isa, int precision, uint32_t M, uint32_t N, uint32_t K, fn_plan *plan);

/* Packed sizes of W and X (whichever side each one is). */
uint64_t fn_w_bytes(const fn_plan *plan);
uint64_t fn_x_bytes(const fn_plan *plan);

/* Packs W (M*K logical values) or X (N*K). `logical` is float for fp32, int8_t otherwise.
 * Returns -1, or the index of the first value outside the precision's set (nothing valid
 * is promised about `packed` then). `packed` must hold fn_w_bytes / fn_x_bytes. */
int64_t fn_pack_w(const fn_plan *plan, const void *logical, void *packed);
int64_t fn_pack_x(const fn_plan *plan, const void *logical, void *packed);

/* The `fromFloat` view (from_float.c): quantizes N*K float activations and packs them as
 * fn_pack_x would pack the quantized values, fused for the bit precisions. `args`: the float32
 * thresholds (fatnn/ternary2b low, high; bit2 three ascending) or the int8 scale; `scratch`
 * (int8 only) holds N*K bytes. Returns -1, or the index of the first NaN. */
int64_t fn_pack_x_from_float(const fn_plan *plan, const float *x, const double *args, void *scratch, void *packed);

/* C = W X^T into `out` (M*N float for fp32, int32 otherwise). Operands as packed above. */
void fn_gemm(const fn_plan *plan, const void *w_packed, const void *x_packed, void *out);

/* NULL when (isa, precision) runs on this CPU and is compiled in, else why not. */
const char *fn_unavailable_reason(int isa, int precision);
/* The ISA that actually runs a registry entry (NEON int8 uses sdot where present). */
int fn_effective_isa(int isa, int precision);

/* Kernel signature of every ISA: A = lane side, B = broadcast side (sums may be NULL). */
typedef void (*fn_kernel)(const fn_plan *plan, const void *a, const void *b,
                          const int32_t *a_sums, const int32_t *b_sums, void *out);

/* Per-ISA tables (NULL entries where an ISA is not compiled in). */
typedef struct fn_isa_table {
  fn_kernel kernels[FN_PRECISIONS];
  uint8_t mr[FN_PRECISIONS], nv[FN_PRECISIONS];
  uint32_t bit_lanes, dense_lanes;
  uint32_t int8_group, int8_elem;
  int int8_offset; /* lane side stored as x + 128 (u8), broadcast side sums needed */
  /* Encodes n <= 64 logical values of a bit precision into its plane words; returns the
   * index of the first invalid value or -1. NULL: the portable encoder in plan.c. */
  int (*encode64)(int precision, const int8_t *values, int n, uint64_t planes[2]);
} fn_isa_table;

/* Each isa_*.c defines its getter; it returns NULL when that ISA is not compiled in. */
const fn_isa_table *fn_table_scalar(void);
const fn_isa_table *fn_table_avx2(void);
const fn_isa_table *fn_table_avx512(void);
const fn_isa_table *fn_table_neon(void);
const fn_isa_table *fn_table_neon_dot(void);

#ifdef __cplusplus
}
#endif

#endif
