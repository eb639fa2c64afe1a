/* Standalone check of every compiled-in, CPU-supported kernel against a naive C reference,
 * without Node: how the arm64 NEON kernels are verified under qemu-aarch64
 * (scripts/check-neon.sh), and a quick check of the x86 kernels. Exit status 1 on mismatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/fatnn_native.h"

static const char *const PRECISION_NAMES[FN_PRECISIONS] = {"fp32", "int8", "bit2", "ternary2b", "fatnn", "binary"};
static const char *const ISA_NAMES[FN_ISAS] = {"scalar", "avx2", "avx512", "neon", "neon-sdot"};
/* Logical value ranges, as in src/precisions.ts; binary excludes 0. */
static const int LO[FN_PRECISIONS] = {-8, -128, 0, -1, -1, -1};
static const int HI[FN_PRECISIONS] = {8, 127, 3, 1, 1, 1};

static uint64_t rng_state;
static uint32_t rnd(void) {
  rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(rng_state >> 33);
}

static int value(int prec, int mode) {
  if (mode == 1) return HI[prec];
  if (mode == 2) return LO[prec];
  int v = LO[prec] + (int)(rnd() % (uint32_t)(HI[prec] - LO[prec] + 1));
  if (prec == FN_BINARY && v == 0) v = rnd() & 1 ? 1 : -1;
  return v;
}

static void fill(int prec, void *buf, size_t n, int mode) {
  for (size_t i = 0; i < n; i++) {
    int v = value(prec, mode);
    if (prec == FN_FP32) ((float *)buf)[i] = (float)v;
    else ((int8_t *)buf)[i] = (int8_t)v;
  }
}

static double logical(int prec, const void *buf, size_t i) {
  return prec == FN_FP32 ? ((const float *)buf)[i] : ((const int8_t *)buf)[i];
}

/* Returns 0 when the kernel matches the reference exactly. */
static int check(int isa, int prec, uint32_t M, uint32_t N, uint32_t K, int wmode, int xmode) {
  fn_plan plan;
  if (fn_make_plan(isa, prec, M, N, K, &plan) != 0) {
    printf("FAIL %s/%s %ux%ux%u: no plan\n", PRECISION_NAMES[prec], ISA_NAMES[isa], M, N, K);
    return 1;
  }
  const size_t es = prec == FN_FP32 ? 4 : 1;
  void *w = malloc((size_t)M * K * es), *x = malloc((size_t)N * K * es);
  void *pw = malloc(fn_w_bytes(&plan)), *px = malloc(fn_x_bytes(&plan));
  int32_t *out = malloc((size_t)M * N * 4);
  fill(prec, w, (size_t)M * K, wmode);
  fill(prec, x, (size_t)N * K, xmode);
  memset(out, 0x5a, (size_t)M * N * 4);
  memset(pw, 0xa5, fn_w_bytes(&plan)); /* packing must write every byte the kernels read */
  memset(px, 0xa5, fn_x_bytes(&plan));
  int failed = 0;
  if (fn_pack_w(&plan, w, pw) >= 0 || fn_pack_x(&plan, x, px) >= 0) {
    printf("FAIL %s/%s %ux%ux%u: packing rejected valid values\n", PRECISION_NAMES[prec], ISA_NAMES[isa], M, N, K);
    failed = 1;
  } else {
    fn_gemm(&plan, pw, px, out);
    for (uint32_t m = 0; m < M && !failed; m++)
      for (uint32_t n = 0; n < N && !failed; n++) {
        double s = 0;
        for (uint32_t k = 0; k < K; k++) s += logical(prec, w, (size_t)m * K + k) * logical(prec, x, (size_t)n * K + k);
        /* both arms as double: `cond ? float : int32_t` has type float, which rounded int32 sums
         * above 2^24 (int8 127 x 127 at K = 1985 read 32016064 for 32016065) */
        double got = prec == FN_FP32 ? (double)((float *)out)[(size_t)m * N + n] : (double)out[(size_t)m * N + n];
        if (got != s) {
          printf("FAIL %s/%s %ux%ux%u modes %d/%d: C[%u][%u] = %.0f, expected %.0f (swap %d)\n", PRECISION_NAMES[prec],
                 ISA_NAMES[isa], M, N, K, wmode, xmode, m, n, got, s, plan.swap);
          failed = 1;
        }
      }
  }
  free(w); free(x); free(pw); free(px); free(out);
  return failed;
}

/* A bad value must be reported at its index, not packed. */
static int check_rejects(int isa, int prec) {
  if (prec == FN_FP32 || prec == FN_INT8) return 0;
  fn_plan plan;
  fn_make_plan(isa, prec, 3, 2, 70, &plan);
  int8_t w[3 * 70];
  fill(prec, w, sizeof w, 0);
  w[137] = prec == FN_BIT2 ? 4 : (prec == FN_BINARY ? 0 : 2);
  void *pw = malloc(fn_w_bytes(&plan));
  int64_t bad = fn_pack_w(&plan, w, pw);
  free(pw);
  if (bad != 137) {
    printf("FAIL %s/%s: invalid value at 137 reported at %lld\n", PRECISION_NAMES[prec], ISA_NAMES[isa], (long long)bad);
    return 1;
  }
  return 0;
}

/* Every byte value at several positions (and row tails) through the packer: valid values of the
 * precision pack, any other is reported at its index. Checks each ISA's vector encoder. */
static int check_encoding(int isa, int prec) {
  if (prec == FN_FP32 || prec == FN_INT8) return 0;
  for (int v = -128; v < 128; v++)
    for (int pos = 0; pos < 64; pos += 9)
      for (uint32_t K = (uint32_t)pos + 1; K < 200; K += 61) {
        fn_plan plan;
        fn_make_plan(isa, prec, 1, 1, K, &plan);
        int8_t w[200];
        for (uint32_t i = 0; i < K; i++) w[i] = (int8_t)value(prec, 1);
        w[pos] = (int8_t)v;
        const int valid = v >= LO[prec] && v <= HI[prec] && !(prec == FN_BINARY && v == 0);
        uint8_t *pw = malloc(fn_w_bytes(&plan));
        const int64_t bad = fn_pack_w(&plan, w, pw);
        free(pw);
        if (valid ? bad != -1 : bad != pos) {
          printf("FAIL %s/%s: value %d at %d of K = %u reported at %lld\n", PRECISION_NAMES[prec], ISA_NAMES[isa], v, pos, K,
                 (long long)bad);
          return 1;
        }
      }
  return 0;
}

int main(void) {
  /* 640 | 641, 1984 | 1985, 3969: the byte-counter chunks (10 and 31 k-steps) */
  static const uint32_t EDGE_K[] = {1, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 513, 640, 641, 1152, 1984, 1985, 3969};
  static const uint32_t SHAPES[][3] = {{1, 1, 1}, {1, 1, 300}, {7, 1, 77}, {1, 9, 77}, {5, 13, 200}, {17, 3, 129},
                                       {2, 2, 4608}, {64, 96, 576}, {33, 65, 1152}, {512, 49, 256}, {49, 40, 96}};
  int failures = 0, checked = 0;
  for (int isa = 0; isa < FN_ISAS; isa++)
    for (int prec = 0; prec < FN_PRECISIONS; prec++) {
      const char *why = fn_unavailable_reason(isa, prec);
      if (why) {
        printf("skip %s/native-%s: %s\n", PRECISION_NAMES[prec], ISA_NAMES[isa], why);
        continue;
      }
      int before = failures;
      rng_state = 12345;
      /* random; max x min; min x min; max x max (fills the byte counters fastest) */
      for (int mode = 0; mode < 4; mode++) {
        int wmode = mode == 0 ? 0 : mode == 3 ? 1 : 1 + (mode == 2), xmode = mode == 0 ? 0 : mode == 3 ? 1 : 2;
        for (size_t i = 0; i < sizeof EDGE_K / sizeof *EDGE_K; i++) failures += check(isa, prec, 3, 5, EDGE_K[i], wmode, xmode);
        for (size_t i = 0; i < sizeof SHAPES / sizeof *SHAPES; i++)
          failures += check(isa, prec, SHAPES[i][0], SHAPES[i][1], SHAPES[i][2], wmode, xmode);
        for (int i = 0; i < 8; i++) failures += check(isa, prec, 1 + rnd() % 40, 1 + rnd() % 40, 1 + rnd() % 700, wmode, xmode);
      }
      failures += check_rejects(isa, prec);
      failures += check_encoding(isa, prec);
      checked++;
      printf("%s %s/native-%s\n", failures == before ? "ok  " : "FAIL", PRECISION_NAMES[prec], ISA_NAMES[isa]);
    }
  printf("%d kernels checked, %d failures\n", checked, failures);
  return failures ? 1 : 0;
}
