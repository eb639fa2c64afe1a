// wasm-simd128 GEMM kernels for every precision (AssemblyScript; built by scripts/build-wasm.mjs).
// Operands live in this module's linear memory, packed before timing (packBits / panelize at the
// end of this file); each GEMM export computes C for padded M x N into `out` (row stride Np), so
// loops never need a tail.
//
// Bit layouts (src/packing.ts): a row is `groups` groups of K positions, a group holds its planes
// back to back. Plain kernels: groupWords = 4, 128 positions, planes at +0 and +16 bytes.
// `*Hybrid` kernels: groupWords = 6, 192 positions, planes at +0 and +24 bytes; the first 128 bits
// of a plane go through v128 ops and the last 64 through i64.popcnt. On x86 engines the v128
// popcount is a 6-op nibble lookup on the vector ports while i64.popcnt is one instruction on
// the otherwise idle scalar ALUs, so doing both in one loop measured 10-18% faster than v128
// alone for K >= 576 (the caller picks hybrid only when it needs fewer groups than plain).

// i8x16.popcnt yields 0..8 per byte. Counts stay in byte lanes for several K groups and are
// widened to i32 only once per chunk: widening (two extadd_pairwise + add) every group instead
// measured 22% slower for fatnn on 256x196x2304 (83 -> 65 GMAC/s).
// fatnn's two-popcount step adds 0..16 per byte per group: 15 groups keep sum <= 240 < 256.
const FATNN_CHUNK = 15;
// binary and fatnnCSLong add 0..8 unsigned per step: 31 groups keep sum <= 248 < 256.
const BINARY_CHUNK = 31;
// bit2 adds ll + 2(lh + hl) + 4hh <= 72 per byte per group: 3 groups keep sum <= 216 < 256.
const BIT2_CHUNK = 3;

@inline function widenU(acc: v128, bytes: v128): v128 {
  return i32x4.add(acc, i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(bytes)));
}

/** hsum4 (below) for f32 lanes; integer-valued test data keep any summation order exact. */
@inline function hsum4F(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 2, 6), v128.shuffle<f32>(a, b, 1, 5, 3, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 2, 6), v128.shuffle<f32>(c, d, 1, 5, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

// ---------------------------------------------------------------------------------------------
// fatnn on the zero plane z (1 = value 0) and the sign plane s (src/packing.ts). Per position
// the product is 0 on z = zw | zx, -1 on neg = ~z & (sw ^ sx), +1 elsewhere, so
// dot = K - popcount(z) - 2 popcount(neg); padding (z = s = 0 in both) cancels against the real K.
//
// fatnnStep (few groups): popcount(z | d) + popcount(neg) = popcount(z) + 2 popcount(neg), two
// popcounts per group, <= 16 per byte, so 15 groups fit an unsigned byte accumulator.
// fatnnCarrySave (see fatnnCS below): one popcount per group through a carry-save adder.

@inline function fatnnStep(acc: v128, zw: v128, sw: v128, zx: v128, sx: v128): v128 {
  const z = v128.or(zw, zx);
  const d = v128.xor(sw, sx);
  return i8x16.add(acc, i8x16.add(i8x16.popcnt(v128.or(z, d)), i8x16.popcnt(v128.andnot(d, z))));
}

/**
 * [sum(a), sum(b), sum(c), sum(d)]: one transposed reduction for the four outputs of a 2x2 tile
 * (6 shuffles + 3 adds) instead of four lane-by-lane sums; measured +10% on K <= 256 layers,
 * +2% at K = 576, where this per-output epilogue weighs most.
 */
@inline function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = i32x4.add(v128.shuffle<i32>(a, b, 0, 4, 2, 6), v128.shuffle<i32>(a, b, 1, 5, 3, 7));
  const cd = i32x4.add(v128.shuffle<i32>(c, d, 0, 4, 2, 6), v128.shuffle<i32>(c, d, 1, 5, 3, 7));
  return i32x4.add(v128.shuffle<i32>(ab, cd, 0, 1, 4, 5), v128.shuffle<i32>(ab, cd, 2, 3, 6, 7));
}

/** The i64 part of the hybrid kernels' counts, in the lane order of hsum4. */
@inline function lanes4(s00: i32, s01: i32, s10: i32, s11: i32): v128 {
  return i32x4.replace_lane(i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(s00), 1, s01), 2, s10), 3, s11);
}

/** Stores [c00, c01, c10, c11] as the 2x2 tile at (m, n) of C (row stride Np). */
@inline function storeTile(out: usize, Np: i32, m: i32, n: i32, r: v128): void {
  const o0 = out + ((<usize>m * <usize>Np + <usize>n) << 2);
  v128.store64_lane(o0, r, 0);
  v128.store64_lane(o0 + (<usize>Np << 2), r, 1);
}

@inline function pc64(v: u64): i32 {
  return <i32>popcnt<u64>(v);
}

/** popcount(z) + 2 popcount(neg) of one 64-bit word pair: 2 popcount(z | d) - popcount(z). */
@inline function fatnnWord(zw: u64, sw: u64, zx: u64, sx: u64): i32 {
  const z = zw | zx;
  return 2 * pc64(z | (sw ^ sx)) - pc64(z);
}

@inline function bit2Word(wl: u64, wh: u64, xl: u64, xh: u64): i32 {
  return pc64(wl & xl) + ((pc64(wl & xh) + pc64(wh & xl)) << 1) + (pc64(wh & xh) << 2);
}

// Pointers advance by one group per iteration instead of being recomputed from a group index:
// fewer live registers in the 2x2 tile, fewer spills in V8's code, measured ~5% faster.

/** K - counts in each lane: the fatnn result from popcount(z) + 2 popcount(neg). */
@inline function storeFatnn(out: usize, Np: i32, m: i32, n: i32, counts: v128, K: i32): void {
  storeTile(out, Np, m, n, i32x4.sub(i32x4.splat(K), counts));
}

/** fatnn, 128-bit groups, two popcounts per group, 2x2 tile (Mp, Np even): the K <= 256 form. */
export function fatnn(w: usize, x: usize, out: usize, Mp: i32, Np: i32, groups: i32, K: i32): void {
  const stride = <usize>groups * 32;
  for (let m = 0; m < Mp; m += 2) {
    const w0 = w + <usize>m * stride;
    for (let n = 0; n < Np; n += 2) {
      let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
      let pw = w0, px = x + <usize>n * stride;
      const pwEnd = w0 + stride;
      while (pw < pwEnd) {
        const chunkEnd = min(pw + FATNN_CHUNK * 32, pwEnd);
        let b00 = i32x4.splat(0), b01 = i32x4.splat(0), b10 = i32x4.splat(0), b11 = i32x4.splat(0);
        do {
          const aw0 = v128.load(pw), bw0 = v128.load(pw, 16);
          const aw1 = v128.load(pw + stride), bw1 = v128.load(pw + stride, 16);
          const ax0 = v128.load(px), bx0 = v128.load(px, 16);
          const ax1 = v128.load(px + stride), bx1 = v128.load(px + stride, 16);
          b00 = fatnnStep(b00, aw0, bw0, ax0, bx0);
          b01 = fatnnStep(b01, aw0, bw0, ax1, bx1);
          b10 = fatnnStep(b10, aw1, bw1, ax0, bx0);
          b11 = fatnnStep(b11, aw1, bw1, ax1, bx1);
          pw += 32;
          px += 32;
        } while (pw < chunkEnd);
        c00 = widenU(c00, b00);
        c01 = widenU(c01, b01);
        c10 = widenU(c10, b10);
        c11 = widenU(c11, b11);
      }
      storeFatnn(out, Np, m, n, hsum4(c00, c01, c10, c11), K);
    }
  }
}

/** One carry-save step: twos += popcount(z ? ones : d) (the carry ones & z, or neg = d & ~z). */
@inline function csStep(t: v128, ones: v128, zw: v128, sw: v128, zx: v128, sx: v128): v128 {
  return i8x16.add(t, i8x16.popcnt(v128.bitselect(ones, v128.xor(sw, sx), v128.or(zw, zx))));
}

/**
 * [sum(a), sum(b), sum(c), sum(d)] of four byte vectors (bytes <= 255): 4 pairwise widenings,
 * 2 i64 interleaves, 2 i16 dot products with ones and one shufps pair, about half the
 * instructions of widening each vector to i32 and then hsum4 (the per-tile epilogue weighs ~25%
 * at K = 576, where a tile has 5 groups).
 */
@inline function hsumBytes4(a: v128, b: v128, c: v128, d: v128): v128 {
  const pa = i16x8.extadd_pairwise_i8x16_u(a), pb = i16x8.extadd_pairwise_i8x16_u(b);
  const pc = i16x8.extadd_pairwise_i8x16_u(c), pd = i16x8.extadd_pairwise_i8x16_u(d);
  const ab = i16x8.add(v128.shuffle<i64>(pa, pb, 0, 2), v128.shuffle<i64>(pa, pb, 1, 3));
  const cd = i16x8.add(v128.shuffle<i64>(pc, pd, 0, 2), v128.shuffle<i64>(pc, pd, 1, 3));
  const one = i16x8.splat(1);
  const sab = i32x4.dot_i16x8_s(ab, one), scd = i32x4.dot_i16x8_s(cd, one);
  return i32x4.add(v128.shuffle<i32>(sab, scd, 0, 2, 4, 6), v128.shuffle<i32>(sab, scd, 1, 3, 5, 7));
}

/** popcount(z) + 2 popcount(neg) of one 64-bit word pair, in one pass (the half-group tail). */
@inline function fatnnHalf(zw: u64, sw: u64, zx: u64, sx: u64): i32 {
  const z = zw | zx;
  return pc64(z) + (pc64((sw ^ sx) & ~z) << 1);
}


/**
 * fatnn, 128-bit groups, carry-save (FasterTNN, ISLPED 2025): per output a bit vector `ones` and
 * a byte count `twos`; per group twos += popcount((ones & z) | neg), ones ^= z (the carry
 * ones & z lies inside z, neg outside it, so the OR adds them; written as one bitselect), and at
 * the end popcount(z) + 2 popcount(neg) summed over K = 2 twos + popcount(ones). One emulated
 * i8x16.popcnt (V8 on x86: 6 ALU instructions and 2 constant loads) per group instead of two.
 * A probe measured +15-23% for K >= 1152, +2-7% at K = 576 and a loss for K <= 128 (one group
 * saves nothing), break-even at K = 256, so the caller uses it from 3 groups on. Zero plane
 * rather than a nonzero mask and ~(ma & mb): V8 emits v128.not as two instructions (~8%).
 *
 * Measured beside this form (scratch probe, interleaved, 64x3136x576 / 128x784x1152 /
 * 256x196x2304, GMAC/s) and left out: Harley-Seal over group pairs (one popcount per two groups,
 * a `fours` counter) 46 / 63 / 75 vs 59 / 76 / 80: 12 live state vectors in a 2x2 tile spill
 * in V8's code; 1x2 and 1x1 passes of it 43-46 / 64-66 / 79-81; two groups per iteration
 * 47-51 / 62-68 / 65-80; 4x2 and 2x4 tiles 53 / 66-68 / 65-78; and-xor-xor instead of
 * bitselect the same. V8 keeps the loop at ~20 instructions per group and output, so what
 * helped was cutting work around it: K = 576 has 4.5 groups, so the last half group (K mod 128
 * in 1..64, whose upper half is padding) goes through i64.popcnt on the scalar ports instead of
 * a full vector step, and the epilogue reduces bytes with hsumBytes4. Both together: +12% at
 * K = 576, +3-6% at K = 1152 (best of 15 interleaved rounds on a loaded machine). The byte
 * counts then hold 2 twos + popcount(ones) for at most 15 groups (K <= 1920, the caller's
 * limit; fatnnCSLong below takes longer K), so there is no widening inside the loop.
 */
export function fatnnCS(w: usize, x: usize, out: usize, Mp: i32, Np: i32, groups: i32, K: i32): void {
  const stride = <usize>groups * 32;
  const rem = K & 127;
  const half = rem > 0 && rem <= 64;
  const vecGroups = half ? groups - 1 : groups;
  for (let m = 0; m < Mp; m += 2) {
    const w0 = w + <usize>m * stride;
    for (let n = 0; n < Np; n += 2) {
      let o00 = i32x4.splat(0), o01 = i32x4.splat(0), o10 = i32x4.splat(0), o11 = i32x4.splat(0);
      let t00 = i32x4.splat(0), t01 = i32x4.splat(0), t10 = i32x4.splat(0), t11 = i32x4.splat(0);
      let pw = w0, px = x + <usize>n * stride;
      const pwEnd = w0 + <usize>vecGroups * 32;
      do {
        // x planes first, then one weight row at a time: 6 loaded vectors live instead of 8
        // beside the 8 accumulators
        const zx0 = v128.load(px), sx0 = v128.load(px, 16);
        const zx1 = v128.load(px + stride), sx1 = v128.load(px + stride, 16);
        let zw = v128.load(pw), sw = v128.load(pw, 16);
        t00 = csStep(t00, o00, zw, sw, zx0, sx0);
        o00 = v128.xor(o00, v128.or(zw, zx0));
        t01 = csStep(t01, o01, zw, sw, zx1, sx1);
        o01 = v128.xor(o01, v128.or(zw, zx1));
        zw = v128.load(pw + stride);
        sw = v128.load(pw + stride, 16);
        t10 = csStep(t10, o10, zw, sw, zx0, sx0);
        o10 = v128.xor(o10, v128.or(zw, zx0));
        t11 = csStep(t11, o11, zw, sw, zx1, sx1);
        o11 = v128.xor(o11, v128.or(zw, zx1));
        pw += 32;
        px += 32;
      } while (pw < pwEnd);
      // 2 twos + popcount(ones) <= 2 * 8 * 15 + 8 = 248 still fits a byte
      let r = hsumBytes4(
        i8x16.add(i8x16.add(t00, t00), i8x16.popcnt(o00)), i8x16.add(i8x16.add(t01, t01), i8x16.popcnt(o01)),
        i8x16.add(i8x16.add(t10, t10), i8x16.popcnt(o10)), i8x16.add(i8x16.add(t11, t11), i8x16.popcnt(o11)));
      if (half) {
        // the low 64 bits of the last group (the rest is padding, zero in both operands)
        const zw0 = load<u64>(pw), sw0 = load<u64>(pw, 16), zw1 = load<u64>(pw + stride), sw1 = load<u64>(pw + stride, 16);
        const zx0 = load<u64>(px), sx0 = load<u64>(px, 16), zx1 = load<u64>(px + stride), sx1 = load<u64>(px + stride, 16);
        r = i32x4.add(r, lanes4(fatnnHalf(zw0, sw0, zx0, sx0), fatnnHalf(zw0, sw0, zx1, sx1), fatnnHalf(zw1, sw1, zx0, sx0), fatnnHalf(zw1, sw1, zx1, sx1)));
      }
      storeFatnn(out, Np, m, n, r, K);
    }
  }
}

// fatnnCSLong folds every 31 groups (<= 8 per byte and group).
const FATNN_CS_LONG_CHUNK = 31;

/**
 * fatnnCS's loop for K > 1920 (more than one 15-group chunk), kept as it was before the half
 * group and byte epilogue: those gain nothing there (K = 2304 and 4608 are whole groups, the
 * epilogue is a small share of 18-36 groups), and alternate CLI runs measured the fatnnCS form
 * 3-8% slower than this one at K = 2304 on N = 49 (82-84 vs 73-80 GMAC/s, 5 pairs, loaded
 * machine; a scratch probe timed them equal). The caller picks it by group count.
 */
export function fatnnCSLong(w: usize, x: usize, out: usize, Mp: i32, Np: i32, groups: i32, K: i32): void {
  const stride = <usize>groups * 32;
  for (let m = 0; m < Mp; m += 2) {
    const w0 = w + <usize>m * stride;
    for (let n = 0; n < Np; n += 2) {
      let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
      let o00 = i32x4.splat(0), o01 = i32x4.splat(0), o10 = i32x4.splat(0), o11 = i32x4.splat(0);
      let pw = w0, px = x + <usize>n * stride;
      const pwEnd = w0 + stride;
      while (pw < pwEnd) {
        const chunkEnd = min(pw + FATNN_CS_LONG_CHUNK * 32, pwEnd);
        let t00 = i32x4.splat(0), t01 = i32x4.splat(0), t10 = i32x4.splat(0), t11 = i32x4.splat(0);
        do {
          // x planes first, then one weight row at a time: 6 loaded vectors live instead of 8
          // beside the 8 accumulators
          const zx0 = v128.load(px), sx0 = v128.load(px, 16);
          const zx1 = v128.load(px + stride), sx1 = v128.load(px + stride, 16);
          let zw = v128.load(pw), sw = v128.load(pw, 16);
          let z = v128.or(zw, zx0);
          t00 = i8x16.add(t00, i8x16.popcnt(v128.or(v128.and(o00, z), v128.andnot(v128.xor(sw, sx0), z))));
          o00 = v128.xor(o00, z);
          z = v128.or(zw, zx1);
          t01 = i8x16.add(t01, i8x16.popcnt(v128.or(v128.and(o01, z), v128.andnot(v128.xor(sw, sx1), z))));
          o01 = v128.xor(o01, z);
          zw = v128.load(pw + stride);
          sw = v128.load(pw + stride, 16);
          z = v128.or(zw, zx0);
          t10 = i8x16.add(t10, i8x16.popcnt(v128.or(v128.and(o10, z), v128.andnot(v128.xor(sw, sx0), z))));
          o10 = v128.xor(o10, z);
          z = v128.or(zw, zx1);
          t11 = i8x16.add(t11, i8x16.popcnt(v128.or(v128.and(o11, z), v128.andnot(v128.xor(sw, sx1), z))));
          o11 = v128.xor(o11, z);
          pw += 32;
          px += 32;
        } while (pw < chunkEnd);
        c00 = widenU(c00, t00);
        c01 = widenU(c01, t01);
        c10 = widenU(c10, t10);
        c11 = widenU(c11, t11);
      }
      // 2 twos + popcount(ones) per lane, then one transposed reduction for the tile
      c00 = widenU(i32x4.add(c00, c00), i8x16.popcnt(o00));
      c01 = widenU(i32x4.add(c01, c01), i8x16.popcnt(o01));
      c10 = widenU(i32x4.add(c10, c10), i8x16.popcnt(o10));
      c11 = widenU(i32x4.add(c11, c11), i8x16.popcnt(o11));
      storeFatnn(out, Np, m, n, hsum4(c00, c01, c10, c11), K);
    }
  }
}

/** fatnn, hybrid 192-bit groups (see the header). */
export function fatnnHybrid(w: usize, x: usize, out: usize, Mp: i32, Np: i32, groups: i32, K: i32): void {
  const stride = <usize>groups * 48;
  for (let m = 0; m < Mp; m += 2) {
    const w0 = w + <usize>m * stride;
    for (let n = 0; n < Np; n += 2) {
      let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      let pw = w0, px = x + <usize>n * stride;
      const pwEnd = w0 + stride;
      while (pw < pwEnd) {
        const chunkEnd = min(pw + FATNN_CHUNK * 48, pwEnd);
        let b00 = i32x4.splat(0), b01 = i32x4.splat(0), b10 = i32x4.splat(0), b11 = i32x4.splat(0);
        do {
          const aw0 = v128.load(pw), bw0 = v128.load(pw, 24);
          const aw1 = v128.load(pw + stride), bw1 = v128.load(pw + stride, 24);
          const ax0 = v128.load(px), bx0 = v128.load(px, 24);
          const ax1 = v128.load(px + stride), bx1 = v128.load(px + stride, 24);
          b00 = fatnnStep(b00, aw0, bw0, ax0, bx0);
          b01 = fatnnStep(b01, aw0, bw0, ax1, bx1);
          b10 = fatnnStep(b10, aw1, bw1, ax0, bx0);
          b11 = fatnnStep(b11, aw1, bw1, ax1, bx1);
          const qaw0 = load<u64>(pw, 16), qbw0 = load<u64>(pw, 40);
          const qax0 = load<u64>(px, 16), qbx0 = load<u64>(px, 40);
          s00 += fatnnWord(qaw0, qbw0, qax0, qbx0);
          const qax1 = load<u64>(px + stride, 16), qbx1 = load<u64>(px + stride, 40);
          s01 += fatnnWord(qaw0, qbw0, qax1, qbx1);
          const qaw1 = load<u64>(pw + stride, 16), qbw1 = load<u64>(pw + stride, 40);
          s11 += fatnnWord(qaw1, qbw1, qax1, qbx1);
          s10 += fatnnWord(qaw1, qbw1, qax0, qbx0);
          pw += 48;
          px += 48;
        } while (pw < chunkEnd);
        c00 = widenU(c00, b00);
        c01 = widenU(c01, b01);
        c10 = widenU(c10, b10);
        c11 = widenU(c11, b11);
      }
      storeFatnn(out, Np, m, n, i32x4.add(hsum4(c00, c01, c10, c11), lanes4(s00, s01, s10, s11)), K);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Popcounts on i64 lanes: the x86 forms of the carry-save loops. V8 (11.3, Node 20) lowers
// i8x16.popcnt on x86 to a nibble lookup: 6 vector ALU ops plus two constant reloads (4 more
// instructions) per vector, on the same 4 vector pipes as the logic. With fatnnCS's 6 logic ops
// that made ~13 vector ALU ops and ~25 instructions per 128 positions and output, both at the
// core's limits (~100 GMAC/s at K >= 1152 here, whatever the tile). Counting the carry with
// i64x2.extract_lane (vpextrq) and i64.popcnt (POPCNT on the otherwise idle scalar ports) leaves
// 6 vector ops and 6 scalar instructions, and with no byte counters and no lookup constants the
// 2x2 tile fits the 16 xmm registers without spills. On arm64 i8x16.popcnt is one CNT while
// i64.popcnt goes through the vector unit (fmov, cnt, addv, fmov), so there the byte-count
// loops above stay (src/backends/wasm/kernels.ts picks by architecture).

@inline function pcLanes(v: v128): i32 {
  return pc64(i64x2.extract_lane(v, 0)) + pc64(i64x2.extract_lane(v, 1));
}

/**
 * fatnn, carry-save (as fatnnCS) with the carry counted on i64 lanes, for any K: the last half
 * group (K mod 128 in 1..64) on i64 words as in fatnnCS; no byte counters, so no chunks and no
 * epilogue reduction. Measured against the byte-count loops (scratch probe, same packed operands,
 * outputs equal, interleaved, 11 rounds, median GMAC/s; both cores busy with another job):
 * 64x3136x576 90.9 vs fatnnCS 83.5, 128x784x576 92.6 vs 83.6, 128x784x1152 105.9 vs 98.0,
 * 256x196x1152 108.1 vs 98.7, 256x196x2304 121.2 vs 97.4 (fatnnCSLong), 512x49x2304 119.2 vs
 * 98.2, 512x49x4608 122.4 vs 97.3, and for K <= 256, where the byte-count side runs fatnn's two
 * popcounts: 128x784x64 31.6 vs 19.7, 256x196x128 52.1 vs 39.4, 512x49x256 70.1 vs 52.7.
 * Also measured and not kept: the half group as a full vector step (0.92x at K = 576); two
 * groups per iteration with a second carry-save level (twos as a bit vector, fours counted:
 * half the extractions) 0.87-0.97x, 1.0x at K = 4608 (the tile spills again); a 1x2 tile
 * 0.89-0.99x; the carry stored and reloaded as two i64 (store forwarding) instead of extracted
 * 0.96-0.98x; one tile row on lanes and one on byte counts 0.88-0.95x (the first three against
 * this loop without its half group).
 */
export function fatnnLanes(w: usize, x: usize, out: usize, Mp: i32, Np: i32, groups: i32, K: i32): void {
  const stride = <usize>groups * 32;
  const rem = K & 127;
  const half = rem > 0 && rem <= 64;
  const vecGroups = half ? groups - 1 : groups;
  for (let m = 0; m < Mp; m += 2) {
    const w0 = w + <usize>m * stride;
    for (let n = 0; n < Np; n += 2) {
      let o00 = i32x4.splat(0), o01 = i32x4.splat(0), o10 = i32x4.splat(0), o11 = i32x4.splat(0);
      let t00 = 0, t01 = 0, t10 = 0, t11 = 0;
      let pw = w0, px = x + <usize>n * stride;
      const pwEnd = w0 + <usize>vecGroups * 32;
      while (pw < pwEnd) {
        const zx0 = v128.load(px), sx0 = v128.load(px, 16);
        const zx1 = v128.load(px + stride), sx1 = v128.load(px + stride, 16);
        let zw = v128.load(pw), sw = v128.load(pw, 16);
        let z = v128.or(zw, zx0);
        t00 += pcLanes(v128.bitselect(o00, v128.xor(sw, sx0), z));
        o00 = v128.xor(o00, z);
        z = v128.or(zw, zx1);
        t01 += pcLanes(v128.bitselect(o01, v128.xor(sw, sx1), z));
        o01 = v128.xor(o01, z);
        zw = v128.load(pw + stride);
        sw = v128.load(pw + stride, 16);
        z = v128.or(zw, zx0);
        t10 += pcLanes(v128.bitselect(o10, v128.xor(sw, sx0), z));
        o10 = v128.xor(o10, z);
        z = v128.or(zw, zx1);
        t11 += pcLanes(v128.bitselect(o11, v128.xor(sw, sx1), z));
        o11 = v128.xor(o11, z);
        pw += 32;
        px += 32;
      }
      // popcount(z) + 2 popcount(neg) summed over K = 2 twos + popcount(ones)
      let s00 = 2 * t00 + pcLanes(o00), s01 = 2 * t01 + pcLanes(o01);
      let s10 = 2 * t10 + pcLanes(o10), s11 = 2 * t11 + pcLanes(o11);
      if (half) {
        const zw0 = load<u64>(pw), sw0 = load<u64>(pw, 16), zw1 = load<u64>(pw + stride), sw1 = load<u64>(pw + stride, 16);
        const zx0 = load<u64>(px), sx0 = load<u64>(px, 16), zx1 = load<u64>(px + stride), sx1 = load<u64>(px + stride, 16);
        s00 += fatnnHalf(zw0, sw0, zx0, sx0);
        s01 += fatnnHalf(zw0, sw0, zx1, sx1);
        s10 += fatnnHalf(zw1, sw1, zx0, sx0);
        s11 += fatnnHalf(zw1, sw1, zx1, sx1);
      }
      storeFatnn(out, Np, m, n, lanes4(s00, s01, s10, s11), K);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// binary: K - 2 popcount(x ^ w); padding bits are zero in both operands so they XOR to zero.

@inline function storeBinary(out: usize, Np: i32, m: i32, n: i32, counts: v128, K: i32): void {
  storeTile(out, Np, m, n, i32x4.sub(i32x4.splat(K), i32x4.shl(counts, 1)));
}

/**
 * binary, one plane of 128-bit groups; stores K - 2 * count. Harley-Seal over group pairs (a
 * `ones` vector per output, one popcount of the majority carry per two groups, as binary/js
 * does) measured against this loop (scratch probe, best of 11 interleaved rounds, loaded
 * machine): 0.77x at K = 576, 0.89x at 1152, 1.01x at 2304, 1.06x at 4608: not kept; the
 * ResNet-18 K >= 576 layers run binaryHybrid anyway.
 */
export function binary(w: usize, x: usize, out: usize, Mp: i32, Np: i32, groups: i32, K: i32): void {
  const stride = <usize>groups * 16;
  for (let m = 0; m < Mp; m += 2) {
    const w0 = w + <usize>m * stride;
    for (let n = 0; n < Np; n += 2) {
      let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
      let pw = w0, px = x + <usize>n * stride;
      const pwEnd = w0 + stride;
      while (pw < pwEnd) {
        const chunkEnd = min(pw + BINARY_CHUNK * 16, pwEnd);
        let b00 = i32x4.splat(0), b01 = i32x4.splat(0), b10 = i32x4.splat(0), b11 = i32x4.splat(0);
        do {
          const a0 = v128.load(pw), a1 = v128.load(pw + stride);
          const v0 = v128.load(px), v1 = v128.load(px + stride);
          b00 = i8x16.add(b00, i8x16.popcnt(v128.xor(a0, v0)));
          b01 = i8x16.add(b01, i8x16.popcnt(v128.xor(a0, v1)));
          b10 = i8x16.add(b10, i8x16.popcnt(v128.xor(a1, v0)));
          b11 = i8x16.add(b11, i8x16.popcnt(v128.xor(a1, v1)));
          pw += 16;
          px += 16;
        } while (pw < chunkEnd);
        c00 = widenU(c00, b00);
        c01 = widenU(c01, b01);
        c10 = widenU(c10, b10);
        c11 = widenU(c11, b11);
      }
      storeBinary(out, Np, m, n, hsum4(c00, c01, c10, c11), K);
    }
  }
}

/** binary, hybrid layout: one plane, 24-byte groups (v128 at +0, i64 at +16). */
export function binaryHybrid(w: usize, x: usize, out: usize, Mp: i32, Np: i32, groups: i32, K: i32): void {
  const stride = <usize>groups * 24;
  for (let m = 0; m < Mp; m += 2) {
    const w0 = w + <usize>m * stride;
    for (let n = 0; n < Np; n += 2) {
      let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      let pw = w0, px = x + <usize>n * stride;
      const pwEnd = w0 + stride;
      while (pw < pwEnd) {
        const chunkEnd = min(pw + BINARY_CHUNK * 24, pwEnd);
        let b00 = i32x4.splat(0), b01 = i32x4.splat(0), b10 = i32x4.splat(0), b11 = i32x4.splat(0);
        do {
          const a0 = v128.load(pw), a1 = v128.load(pw + stride);
          const v0 = v128.load(px), v1 = v128.load(px + stride);
          b00 = i8x16.add(b00, i8x16.popcnt(v128.xor(a0, v0)));
          b01 = i8x16.add(b01, i8x16.popcnt(v128.xor(a0, v1)));
          b10 = i8x16.add(b10, i8x16.popcnt(v128.xor(a1, v0)));
          b11 = i8x16.add(b11, i8x16.popcnt(v128.xor(a1, v1)));
          const q0 = load<u64>(pw, 16), r0 = load<u64>(px, 16);
          s00 += pc64(q0 ^ r0);
          const r1 = load<u64>(px + stride, 16);
          s01 += pc64(q0 ^ r1);
          const q1 = load<u64>(pw + stride, 16);
          s11 += pc64(q1 ^ r1);
          s10 += pc64(q1 ^ r0);
          pw += 24;
          px += 24;
        } while (pw < chunkEnd);
        c00 = widenU(c00, b00);
        c01 = widenU(c01, b01);
        c10 = widenU(c10, b10);
        c11 = widenU(c11, b11);
      }
      storeBinary(out, Np, m, n, i32x4.add(hsum4(c00, c01, c10, c11), lanes4(s00, s01, s10, s11)), K);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// bit2: sum_{i,j} 2^(i+j) popcount(x_i & w_j) (ternary2b ran these loops on its offset values
// before it got its own, below; they still take its biases).
// The weights are applied in byte lanes Horner-style (4hh + 2(lh + hl) + ll) with adds, since
// wasm has no byte shift (i8x16.shl is emulated on x86).

@inline function bit2Step(acc: v128, wl: v128, wh: v128, xl: v128, xh: v128): v128 {
  let s = i8x16.popcnt(v128.and(wh, xh));
  s = i8x16.add(i8x16.add(s, s), i8x16.add(i8x16.popcnt(v128.and(wl, xh)), i8x16.popcnt(v128.and(wh, xl))));
  s = i8x16.add(i8x16.add(s, s), i8x16.popcnt(v128.and(wl, xl)));
  return i8x16.add(acc, s);
}

/**
 * With `rowBias`/`colBias` nonzero (ternary2b) stores raw - rowBias[m] - colBias[n]
 * (rowBias holds sum_k w + K, colBias sum_k x), the offset correction of DESIGN.md.
 */
@inline function storeBiased(out: usize, Np: i32, m: i32, n: i32, r: v128, rowBias: usize, colBias: usize): void {
  if (rowBias) {
    const rb = v128.load64_splat(rowBias + (<usize>m << 2)); // [rb0, rb1, rb0, rb1]
    const cb = v128.load64_splat(colBias + (<usize>n << 2)); // [cb0, cb1, cb0, cb1]
    r = i32x4.sub(r, i32x4.add(v128.shuffle<i32>(rb, rb, 0, 0, 1, 1), cb));
  }
  storeTile(out, Np, m, n, r);
}

/**
 * bit2 (or with biases ternary2b), 128-bit groups, 2x2 tile. The carry-save form of bit2/js
 * (ones/twos vectors per output, a full adder at weight 4: 2 popcounts per group instead of 4)
 * measured no faster here (scratch probe, best of 9 interleaved rounds, GMAC/s on
 * 64x3136x576 / 128x784x1152 / 256x196x2304 / 512x49x4608: 29.8 / 36.1 / 37.3 / 37.4 vs this
 * loop's 31.2 / 36.2 / 37.3 / 36.5 and bit2Hybrid's 37.0 / 38.4 / 39.3 / 39.3): 12 state
 * vectors in the tile spill, as for fatnn's Harley-Seal. Not kept.
 */
export function bit2(w: usize, x: usize, out: usize, Mp: i32, Np: i32, groups: i32, rowBias: usize, colBias: usize): void {
  const stride = <usize>groups * 32;
  for (let m = 0; m < Mp; m += 2) {
    const w0 = w + <usize>m * stride;
    for (let n = 0; n < Np; n += 2) {
      let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
      let pw = w0, px = x + <usize>n * stride;
      const pwEnd = w0 + stride;
      while (pw < pwEnd) {
        const chunkEnd = min(pw + BIT2_CHUNK * 32, pwEnd);
        let b00 = i32x4.splat(0), b01 = i32x4.splat(0), b10 = i32x4.splat(0), b11 = i32x4.splat(0);
        do {
          const aw0 = v128.load(pw), bw0 = v128.load(pw, 16);
          const aw1 = v128.load(pw + stride), bw1 = v128.load(pw + stride, 16);
          const ax0 = v128.load(px), bx0 = v128.load(px, 16);
          const ax1 = v128.load(px + stride), bx1 = v128.load(px + stride, 16);
          b00 = bit2Step(b00, aw0, bw0, ax0, bx0);
          b01 = bit2Step(b01, aw0, bw0, ax1, bx1);
          b10 = bit2Step(b10, aw1, bw1, ax0, bx0);
          b11 = bit2Step(b11, aw1, bw1, ax1, bx1);
          pw += 32;
          px += 32;
        } while (pw < chunkEnd);
        c00 = widenU(c00, b00);
        c01 = widenU(c01, b01);
        c10 = widenU(c10, b10);
        c11 = widenU(c11, b11);
      }
      storeBiased(out, Np, m, n, hsum4(c00, c01, c10, c11), rowBias, colBias);
    }
  }
}

/** bit2 (or with biases ternary2b), hybrid 192-bit groups. */
export function bit2Hybrid(w: usize, x: usize, out: usize, Mp: i32, Np: i32, groups: i32, rowBias: usize, colBias: usize): void {
  const stride = <usize>groups * 48;
  for (let m = 0; m < Mp; m += 2) {
    const w0 = w + <usize>m * stride;
    for (let n = 0; n < Np; n += 2) {
      let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      let pw = w0, px = x + <usize>n * stride;
      const pwEnd = w0 + stride;
      while (pw < pwEnd) {
        const chunkEnd = min(pw + BIT2_CHUNK * 48, pwEnd);
        let b00 = i32x4.splat(0), b01 = i32x4.splat(0), b10 = i32x4.splat(0), b11 = i32x4.splat(0);
        do {
          const aw0 = v128.load(pw), bw0 = v128.load(pw, 24);
          const aw1 = v128.load(pw + stride), bw1 = v128.load(pw + stride, 24);
          const ax0 = v128.load(px), bx0 = v128.load(px, 24);
          const ax1 = v128.load(px + stride), bx1 = v128.load(px + stride, 24);
          b00 = bit2Step(b00, aw0, bw0, ax0, bx0);
          b01 = bit2Step(b01, aw0, bw0, ax1, bx1);
          b10 = bit2Step(b10, aw1, bw1, ax0, bx0);
          b11 = bit2Step(b11, aw1, bw1, ax1, bx1);
          const qaw0 = load<u64>(pw, 16), qbw0 = load<u64>(pw, 40);
          const qax0 = load<u64>(px, 16), qbx0 = load<u64>(px, 40);
          s00 += bit2Word(qaw0, qbw0, qax0, qbx0);
          const qax1 = load<u64>(px + stride, 16), qbx1 = load<u64>(px + stride, 40);
          s01 += bit2Word(qaw0, qbw0, qax1, qbx1);
          const qaw1 = load<u64>(pw + stride, 16), qbw1 = load<u64>(pw + stride, 40);
          s11 += bit2Word(qaw1, qbw1, qax1, qbx1);
          s10 += bit2Word(qaw1, qbw1, qax0, qbx0);
          pw += 48;
          px += 48;
        } while (pw < chunkEnd);
        c00 = widenU(c00, b00);
        c01 = widenU(c01, b01);
        c10 = widenU(c10, b10);
        c11 = widenU(c11, b11);
      }
      storeBiased(out, Np, m, n, i32x4.add(hsum4(c00, c01, c10, c11), lanes4(s00, s01, s10, s11)), rowBias, colBias);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// ternary2b on its offset values x + 1 in {0, 1, 2}: planes (lo, hi) are never both 1 at a
// position (padding is 0 in both), so per position at most one of ll = wl & xl,
// mid = lh | hl (lh & hl = 0) and hh = wh & xh is set, and the weighted sum ll + 2 mid + 4 hh
// of bit2 takes fewer popcounts (native/src/kernels.inc ternary2b_cs, where it measured 1.53x
// on AVX2). Raw sums; storeBiased applies the offset correction.
//
// Measured (scratch probe in one process, interleaved, 15-21 rounds, load 3-4.7, GMAC/s median
// on the ResNet-18 shapes; raw outputs checked equal) against the bit2 / bit2Hybrid loops that
// ternary2b ran before: the chain below (2x2 tile) 1.3-1.6x for K >= 576 (64x3136x576 33 vs
// 22 / 25 hybrid, 256x196x2304 37.5 vs 23 / 25, 512x49x4608 57 vs 35 / 32); a 1x2 tile of the
// chain (6 state vectors instead of 12) 0.9-1.0x the 2x2 one, dropped; a one-level form (ones
// only, popcount(k | hh) + popcount(hh): 2 popcounts, 8 state vectors) ties the chain at
// K = 576 and is 0.88-0.92x at K >= 2304, but beats it and bit2 for K <= 256 (K = 128:
// 22.7 vs 20.6 chain, 21.2 bit2; K = 256: 29.0 vs 27.0 / 27.2), so the caller runs it up to 4
// groups (K <= 512) and the chain from 5. The 12 state vectors of the 2x2 chain spill in V8's
// code (bit2's general carry-save form lost to that, see bit2 below) but the chain's single
// popcount per group still pays. A last half group (K mod 128 in 1..64: K = 64, 576) goes
// through i64.popcnt with three popcounts per word pair (ll, mid, hh), as fatnnCS does.
// The hybrid 192-bit layout around the chain (v128 chain + i64 three popcounts on the last 64
// bits, as bit2Hybrid) measured 0.96-1.12x the chain by best of 15 rounds for K >= 576 (load ~5)
// and 0.56-0.81x for K <= 256: not kept.

@inline function ternary2bWord(wl: u64, wh: u64, xl: u64, xh: u64): i32 {
  return pc64(wl & xl) + (pc64((wl & xh) | (wh & xl)) << 1) + (pc64(wh & xh) << 2);
}

/** The half group of the ternary2b kernels, added to the tile's four raw sums. */
@inline function ternary2bHalf(r: v128, pw: usize, px: usize, stride: usize): v128 {
  const wl0 = load<u64>(pw), wh0 = load<u64>(pw, 16), wl1 = load<u64>(pw + stride), wh1 = load<u64>(pw + stride, 16);
  const xl0 = load<u64>(px), xh0 = load<u64>(px, 16), xl1 = load<u64>(px + stride), xh1 = load<u64>(px + stride, 16);
  return i32x4.add(r, lanes4(ternary2bWord(wl0, wh0, xl0, xh0), ternary2bWord(wl0, wh0, xl1, xh1), ternary2bWord(wl1, wh1, xl0, xh0), ternary2bWord(wl1, wh1, xl1, xh1)));
}

// The chain's byte counts get <= 8 per group (one c4 bit per position): 31 groups <= 248.
const TERNARY2B_CHAIN_CHUNK = 31;
// The one-level form adds popcount(k | hh) + popcount(hh) <= 16 per byte and group: 15 groups.
const TERNARY2B_ONE_LEVEL_CHUNK = 15;

/**
 * ternary2b, 128-bit groups, 2x2 tile, the carry-save chain (one popcount per group):
 *   k = (ones & ll) | mid; ones ^= ll; c4 = (twos & k) | hh; twos ^= k; count += popcount(c4)
 * (each OR adds disjoint bits: the carry ones & ll lies in ll, mid outside it; twos & k in k, hh
 * outside it; written as bitselects). At the end sum = 4 count + 2 popcount(twos) + popcount(ones).
 */
export function ternary2bChain(w: usize, x: usize, out: usize, Mp: i32, Np: i32, groups: i32, K: i32, rowBias: usize, colBias: usize): void {
  const stride = <usize>groups * 32;
  const rem = K & 127;
  const half = rem > 0 && rem <= 64;
  const vecGroups = half ? groups - 1 : groups;
  for (let m = 0; m < Mp; m += 2) {
    const w0 = w + <usize>m * stride;
    for (let n = 0; n < Np; n += 2) {
      let o00 = i32x4.splat(0), o01 = i32x4.splat(0), o10 = i32x4.splat(0), o11 = i32x4.splat(0);
      let t00 = i32x4.splat(0), t01 = i32x4.splat(0), t10 = i32x4.splat(0), t11 = i32x4.splat(0);
      let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
      let pw = w0, px = x + <usize>n * stride;
      const pwEnd = w0 + <usize>vecGroups * 32;
      while (pw < pwEnd) {
        const chunkEnd = min(pw + TERNARY2B_CHAIN_CHUNK * 32, pwEnd);
        let b00 = i32x4.splat(0), b01 = i32x4.splat(0), b10 = i32x4.splat(0), b11 = i32x4.splat(0);
        do {
          // x planes first, then one weight row at a time (as fatnnCS)
          const xl0 = v128.load(px), xh0 = v128.load(px, 16);
          const xl1 = v128.load(px + stride), xh1 = v128.load(px + stride, 16);
          let wl = v128.load(pw), wh = v128.load(pw, 16);
          let ll = v128.and(wl, xl0);
          let k = v128.bitselect(o00, v128.or(v128.and(wl, xh0), v128.and(wh, xl0)), ll);
          o00 = v128.xor(o00, ll);
          b00 = i8x16.add(b00, i8x16.popcnt(v128.bitselect(t00, v128.and(wh, xh0), k)));
          t00 = v128.xor(t00, k);
          ll = v128.and(wl, xl1);
          k = v128.bitselect(o01, v128.or(v128.and(wl, xh1), v128.and(wh, xl1)), ll);
          o01 = v128.xor(o01, ll);
          b01 = i8x16.add(b01, i8x16.popcnt(v128.bitselect(t01, v128.and(wh, xh1), k)));
          t01 = v128.xor(t01, k);
          wl = v128.load(pw + stride);
          wh = v128.load(pw + stride, 16);
          ll = v128.and(wl, xl0);
          k = v128.bitselect(o10, v128.or(v128.and(wl, xh0), v128.and(wh, xl0)), ll);
          o10 = v128.xor(o10, ll);
          b10 = i8x16.add(b10, i8x16.popcnt(v128.bitselect(t10, v128.and(wh, xh0), k)));
          t10 = v128.xor(t10, k);
          ll = v128.and(wl, xl1);
          k = v128.bitselect(o11, v128.or(v128.and(wl, xh1), v128.and(wh, xl1)), ll);
          o11 = v128.xor(o11, ll);
          b11 = i8x16.add(b11, i8x16.popcnt(v128.bitselect(t11, v128.and(wh, xh1), k)));
          t11 = v128.xor(t11, k);
          pw += 32;
          px += 32;
        } while (pw < chunkEnd);
        c00 = widenU(c00, b00);
        c01 = widenU(c01, b01);
        c10 = widenU(c10, b10);
        c11 = widenU(c11, b11);
      }
      // 2 popcount(twos) + popcount(ones) <= 24 per byte
      let r = i32x4.add(i32x4.shl(hsum4(c00, c01, c10, c11), 2), hsumBytes4(
        i8x16.add(i8x16.add(i8x16.popcnt(t00), i8x16.popcnt(t00)), i8x16.popcnt(o00)),
        i8x16.add(i8x16.add(i8x16.popcnt(t01), i8x16.popcnt(t01)), i8x16.popcnt(o01)),
        i8x16.add(i8x16.add(i8x16.popcnt(t10), i8x16.popcnt(t10)), i8x16.popcnt(o10)),
        i8x16.add(i8x16.add(i8x16.popcnt(t11), i8x16.popcnt(t11)), i8x16.popcnt(o11))));
      if (half) r = ternary2bHalf(r, pw, px, stride);
      storeBiased(out, Np, m, n, r, rowBias, colBias);
    }
  }
}

/**
 * ternary2b, 128-bit groups, 2x2 tile, one carry-save level (two popcounts per group): ll into
 * `ones`, its carry and mid at weight 2 as k, and hh at weight 4 counted as popcount(k | hh) +
 * popcount(hh) (k and hh are disjoint); sum = 2 count + popcount(ones). The K <= 512 form.
 */
export function ternary2bOneLevel(w: usize, x: usize, out: usize, Mp: i32, Np: i32, groups: i32, K: i32, rowBias: usize, colBias: usize): void {
  const stride = <usize>groups * 32;
  const rem = K & 127;
  const half = rem > 0 && rem <= 64;
  const vecGroups = half ? groups - 1 : groups;
  for (let m = 0; m < Mp; m += 2) {
    const w0 = w + <usize>m * stride;
    for (let n = 0; n < Np; n += 2) {
      let o00 = i32x4.splat(0), o01 = i32x4.splat(0), o10 = i32x4.splat(0), o11 = i32x4.splat(0);
      let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
      let pw = w0, px = x + <usize>n * stride;
      const pwEnd = w0 + <usize>vecGroups * 32;
      while (pw < pwEnd) {
        const chunkEnd = min(pw + TERNARY2B_ONE_LEVEL_CHUNK * 32, pwEnd);
        let b00 = i32x4.splat(0), b01 = i32x4.splat(0), b10 = i32x4.splat(0), b11 = i32x4.splat(0);
        do {
          const xl0 = v128.load(px), xh0 = v128.load(px, 16);
          const xl1 = v128.load(px + stride), xh1 = v128.load(px + stride, 16);
          let wl = v128.load(pw), wh = v128.load(pw, 16);
          let ll = v128.and(wl, xl0), hh = v128.and(wh, xh0);
          let k = v128.bitselect(o00, v128.or(v128.and(wl, xh0), v128.and(wh, xl0)), ll);
          o00 = v128.xor(o00, ll);
          b00 = i8x16.add(b00, i8x16.add(i8x16.popcnt(v128.or(k, hh)), i8x16.popcnt(hh)));
          ll = v128.and(wl, xl1);
          hh = v128.and(wh, xh1);
          k = v128.bitselect(o01, v128.or(v128.and(wl, xh1), v128.and(wh, xl1)), ll);
          o01 = v128.xor(o01, ll);
          b01 = i8x16.add(b01, i8x16.add(i8x16.popcnt(v128.or(k, hh)), i8x16.popcnt(hh)));
          wl = v128.load(pw + stride);
          wh = v128.load(pw + stride, 16);
          ll = v128.and(wl, xl0);
          hh = v128.and(wh, xh0);
          k = v128.bitselect(o10, v128.or(v128.and(wl, xh0), v128.and(wh, xl0)), ll);
          o10 = v128.xor(o10, ll);
          b10 = i8x16.add(b10, i8x16.add(i8x16.popcnt(v128.or(k, hh)), i8x16.popcnt(hh)));
          ll = v128.and(wl, xl1);
          hh = v128.and(wh, xh1);
          k = v128.bitselect(o11, v128.or(v128.and(wl, xh1), v128.and(wh, xl1)), ll);
          o11 = v128.xor(o11, ll);
          b11 = i8x16.add(b11, i8x16.add(i8x16.popcnt(v128.or(k, hh)), i8x16.popcnt(hh)));
          pw += 32;
          px += 32;
        } while (pw < chunkEnd);
        c00 = widenU(c00, b00);
        c01 = widenU(c01, b01);
        c10 = widenU(c10, b10);
        c11 = widenU(c11, b11);
      }
      let r = i32x4.add(i32x4.shl(hsum4(c00, c01, c10, c11), 1), hsumBytes4(i8x16.popcnt(o00), i8x16.popcnt(o01), i8x16.popcnt(o10), i8x16.popcnt(o11)));
      if (half) r = ternary2bHalf(r, pw, px, stride);
      storeBiased(out, Np, m, n, r, rowBias, colBias);
    }
  }
}

/**
 * ternary2bChain with the c4 carry counted on i64 lanes (see pcLanes), from 2 groups on (K > 128).
 * Measured as fatnnLanes (scratch probe, raw sums equal, 11 interleaved rounds, median GMAC/s):
 * 64x3136x576 64.9 vs the byte-count chain's 50.5, 128x784x1152 78.9 vs 58.7, 256x196x2304 85.5
 * vs 64.5, 512x49x4608 89.2 vs 65.2, 512x49x256 51.6 vs ternary2bOneLevel's 38.3.
 */
export function ternary2bChainLanes(w: usize, x: usize, out: usize, Mp: i32, Np: i32, groups: i32, K: i32, rowBias: usize, colBias: usize): void {
  const stride = <usize>groups * 32;
  const rem = K & 127;
  const half = rem > 0 && rem <= 64;
  const vecGroups = half ? groups - 1 : groups;
  for (let m = 0; m < Mp; m += 2) {
    const w0 = w + <usize>m * stride;
    for (let n = 0; n < Np; n += 2) {
      let o00 = i32x4.splat(0), o01 = i32x4.splat(0), o10 = i32x4.splat(0), o11 = i32x4.splat(0);
      let t00 = i32x4.splat(0), t01 = i32x4.splat(0), t10 = i32x4.splat(0), t11 = i32x4.splat(0);
      let c00 = 0, c01 = 0, c10 = 0, c11 = 0;
      let pw = w0, px = x + <usize>n * stride;
      const pwEnd = w0 + <usize>vecGroups * 32;
      while (pw < pwEnd) {
        const xl0 = v128.load(px), xh0 = v128.load(px, 16);
        const xl1 = v128.load(px + stride), xh1 = v128.load(px + stride, 16);
        let wl = v128.load(pw), wh = v128.load(pw, 16);
        let ll = v128.and(wl, xl0);
        let k = v128.bitselect(o00, v128.or(v128.and(wl, xh0), v128.and(wh, xl0)), ll);
        o00 = v128.xor(o00, ll);
        c00 += pcLanes(v128.bitselect(t00, v128.and(wh, xh0), k));
        t00 = v128.xor(t00, k);
        ll = v128.and(wl, xl1);
        k = v128.bitselect(o01, v128.or(v128.and(wl, xh1), v128.and(wh, xl1)), ll);
        o01 = v128.xor(o01, ll);
        c01 += pcLanes(v128.bitselect(t01, v128.and(wh, xh1), k));
        t01 = v128.xor(t01, k);
        wl = v128.load(pw + stride);
        wh = v128.load(pw + stride, 16);
        ll = v128.and(wl, xl0);
        k = v128.bitselect(o10, v128.or(v128.and(wl, xh0), v128.and(wh, xl0)), ll);
        o10 = v128.xor(o10, ll);
        c10 += pcLanes(v128.bitselect(t10, v128.and(wh, xh0), k));
        t10 = v128.xor(t10, k);
        ll = v128.and(wl, xl1);
        k = v128.bitselect(o11, v128.or(v128.and(wl, xh1), v128.and(wh, xl1)), ll);
        o11 = v128.xor(o11, ll);
        c11 += pcLanes(v128.bitselect(t11, v128.and(wh, xh1), k));
        t11 = v128.xor(t11, k);
        pw += 32;
        px += 32;
      }
      // 4 count + 2 popcount(twos) + popcount(ones)
      let r = lanes4(
        4 * c00 + 2 * pcLanes(t00) + pcLanes(o00), 4 * c01 + 2 * pcLanes(t01) + pcLanes(o01),
        4 * c10 + 2 * pcLanes(t10) + pcLanes(o10), 4 * c11 + 2 * pcLanes(t11) + pcLanes(o11));
      if (half) r = ternary2bHalf(r, pw, px, stride);
      storeBiased(out, Np, m, n, r, rowBias, colBias);
    }
  }
}

/**
 * ternary2bOneLevel with its two popcounts on i64 lanes: the K <= 128 form on x86 (one group or
 * the half group alone, where the chain's three-popcount epilogue weighs most): 128x784x64 30.1
 * vs 23.5 (byte counts) and 20.9 (chain on lanes), 256x196x128 39.0 vs 28.7 and 36.5.
 */
export function ternary2bOneLevelLanes(w: usize, x: usize, out: usize, Mp: i32, Np: i32, groups: i32, K: i32, rowBias: usize, colBias: usize): void {
  const stride = <usize>groups * 32;
  const rem = K & 127;
  const half = rem > 0 && rem <= 64;
  const vecGroups = half ? groups - 1 : groups;
  for (let m = 0; m < Mp; m += 2) {
    const w0 = w + <usize>m * stride;
    for (let n = 0; n < Np; n += 2) {
      let o00 = i32x4.splat(0), o01 = i32x4.splat(0), o10 = i32x4.splat(0), o11 = i32x4.splat(0);
      let c00 = 0, c01 = 0, c10 = 0, c11 = 0;
      let pw = w0, px = x + <usize>n * stride;
      const pwEnd = w0 + <usize>vecGroups * 32;
      while (pw < pwEnd) {
        const xl0 = v128.load(px), xh0 = v128.load(px, 16);
        const xl1 = v128.load(px + stride), xh1 = v128.load(px + stride, 16);
        let wl = v128.load(pw), wh = v128.load(pw, 16);
        let ll = v128.and(wl, xl0), hh = v128.and(wh, xh0);
        let k = v128.bitselect(o00, v128.or(v128.and(wl, xh0), v128.and(wh, xl0)), ll);
        o00 = v128.xor(o00, ll);
        c00 += pcLanes(v128.or(k, hh)) + pcLanes(hh);
        ll = v128.and(wl, xl1);
        hh = v128.and(wh, xh1);
        k = v128.bitselect(o01, v128.or(v128.and(wl, xh1), v128.and(wh, xl1)), ll);
        o01 = v128.xor(o01, ll);
        c01 += pcLanes(v128.or(k, hh)) + pcLanes(hh);
        wl = v128.load(pw + stride);
        wh = v128.load(pw + stride, 16);
        ll = v128.and(wl, xl0);
        hh = v128.and(wh, xh0);
        k = v128.bitselect(o10, v128.or(v128.and(wl, xh0), v128.and(wh, xl0)), ll);
        o10 = v128.xor(o10, ll);
        c10 += pcLanes(v128.or(k, hh)) + pcLanes(hh);
        ll = v128.and(wl, xl1);
        hh = v128.and(wh, xh1);
        k = v128.bitselect(o11, v128.or(v128.and(wl, xh1), v128.and(wh, xl1)), ll);
        o11 = v128.xor(o11, ll);
        c11 += pcLanes(v128.or(k, hh)) + pcLanes(hh);
        pw += 32;
        px += 32;
      }
      let r = lanes4(2 * c00 + pcLanes(o00), 2 * c01 + pcLanes(o01), 2 * c10 + pcLanes(o10), 2 * c11 + pcLanes(o11));
      if (half) r = ternary2bHalf(r, pw, px, stride);
      storeBiased(out, Np, m, n, r, rowBias, colBias);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// fp32 and int8: a 4 (M) x 2 (N) register tile; 8 accumulators + 4 weight vectors + 1 activation
// vector fit the 16 xmm registers V8 uses on x86-64 without spilling. M is a multiple of 4 in
// every ResNet layer, N sometimes only of 2 (N = 49 pads to 50), so the 4 goes on M.
// Operands are packed in panels (like XNNPACK's packed GEMM weights): the rows of one tile are
// interleaved per 16-byte K step, W as [Mp/4][K steps][4 rows][16 B] and X as [Np/2][K steps]
// [2 rows][16 B], so each step is 6 loads at constant offsets from two pointers. With plain
// K-contiguous rows V8 computed one address per load; panels measured 17 -> 22 GMAC/s for fp32.
// Small integer test data keep every fp32 summation order exact.

@inline function fmaF32(c: v128, a: v128, b: v128): v128 {
  return f32x4.add(c, f32x4.mul(a, b));
}

/** fp32 on panels; Kp (floats per row, padded with zeros) is a multiple of 4. */
export function fp32(w: usize, x: usize, out: usize, Mp: i32, Np: i32, Kp: i32): void {
  const wPanel = <usize>Kp << 4;
  const xPanel = <usize>Kp << 3;
  for (let m = 0; m < Mp; m += 4) {
    const pw0 = w + (<usize>m >> 2) * wPanel;
    for (let n = 0; n < Np; n += 2) {
      let pw = pw0;
      let px = x + (<usize>n >> 1) * xPanel;
      const end = px + xPanel;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      do {
        const a0 = v128.load(pw), a1 = v128.load(pw, 16), a2 = v128.load(pw, 32), a3 = v128.load(pw, 48);
        let b = v128.load(px);
        c00 = fmaF32(c00, a0, b);
        c10 = fmaF32(c10, a1, b);
        c20 = fmaF32(c20, a2, b);
        c30 = fmaF32(c30, a3, b);
        b = v128.load(px, 16);
        c01 = fmaF32(c01, a0, b);
        c11 = fmaF32(c11, a1, b);
        c21 = fmaF32(c21, a2, b);
        c31 = fmaF32(c31, a3, b);
        pw += 64;
        px += 32;
      } while (px < end);
      storeTile(out, Np, m, n, hsum4F(c00, c01, c10, c11));
      storeTile(out, Np, m + 2, n, hsum4F(c20, c21, c30, c31));
    }
  }
}

@inline function dotI16(c: v128, a: v128, b: v128): v128 {
  return i32x4.add(c, i32x4.dot_i16x8_s(a, b));
}

/**
 * int8 on panels of values sign-extended to i16 at packing time (Kp a multiple of 8), so the
 * loop is one i32x4.dot_i16x8_s (pmaddwd) + add per 8 MACs instead of widening every loaded
 * vector in the loop. i32 lanes wrap like the int32 result type.
 */
export function int8(w: usize, x: usize, out: usize, Mp: i32, Np: i32, Kp: i32): void {
  const wPanel = <usize>Kp << 3;
  const xPanel = <usize>Kp << 2;
  for (let m = 0; m < Mp; m += 4) {
    const pw0 = w + (<usize>m >> 2) * wPanel;
    for (let n = 0; n < Np; n += 2) {
      let pw = pw0;
      let px = x + (<usize>n >> 1) * xPanel;
      const end = px + xPanel;
      let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
      let c20 = i32x4.splat(0), c21 = i32x4.splat(0), c30 = i32x4.splat(0), c31 = i32x4.splat(0);
      do {
        const a0 = v128.load(pw), a1 = v128.load(pw, 16), a2 = v128.load(pw, 32), a3 = v128.load(pw, 48);
        let b = v128.load(px);
        c00 = dotI16(c00, a0, b);
        c10 = dotI16(c10, a1, b);
        c20 = dotI16(c20, a2, b);
        c30 = dotI16(c30, a3, b);
        b = v128.load(px, 16);
        c01 = dotI16(c01, a0, b);
        c11 = dotI16(c11, a1, b);
        c21 = dotI16(c21, a2, b);
        c31 = dotI16(c31, a3, b);
        pw += 64;
        px += 32;
      } while (px < end);
      storeTile(out, Np, m, n, hsum4(c00, c01, c10, c11));
      storeTile(out, Np, m + 2, n, hsum4(c20, c21, c30, c31));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Bit-plane packing in wasm: the logical int8 values are copied into linear memory and turned
// into the plane layout of src/packing.ts (same bits, same group layout) with i8x16.bitmask,
// 16 values per instruction. The JS packer walks values one by one and cost 2-4x the fatnn GEMM
// itself, which dominated the "with activation packing" figures.

const KIND_BIT2 = 0;
const KIND_TERNARY2B = 1;
const KIND_FATNN = 2;
const KIND_BINARY = 3;

/**
 * Packs `rows` rows of K int8 values at `src` (readable 32 bytes past the last row) into planes
 * at `dst`: per row `groups` groups of `groupWords` 32-bit words per plane, K padded with zero
 * bits. Returns 1 if any value is outside the precision's set (the caller then reports which).
 */
export function packBits(src: usize, rows: i32, K: i32, dst: usize, groupWords: i32, groups: i32, kind: i32): i32 {
  const planes = kind == KIND_BINARY ? 1 : 2;
  const strideBytes = <usize>(groups * planes * groupWords) << 2;
  const planeBytes = <usize>groupWords << 2;
  const one = i8x16.splat(1), two = i8x16.splat(2), three = i8x16.splat(3), zero = i8x16.splat(0), minusOne = i8x16.splat(-1);
  let bad: u32 = 0;
  let ok = i8x16.splat(-1);
  for (let r = 0; r < rows; r++) {
    const s = src + <usize>r * <usize>K;
    // groups, then words within a group: the word's place follows by additions (a division per
    // word to find its group cost ~15% of this loop)
    let d = dst + <usize>r * strideBytes;
    let k0 = 0;
    for (let g = 0; g < groups; g++, d += planeBytes * planes) {
      for (let j = 0; j < groupWords; j++, k0 += 32) {
        let p0: u32 = 0, p1: u32 = 0;
        if (k0 + 32 <= K) {
          // full word: validity accumulated as byte masks (unsigned min + eq, no bitmask),
          // checked once per call
          const a = v128.load(s + <usize>k0), b = v128.load(s + <usize>k0, 16);
          if (kind == KIND_BINARY) {
            p0 = <u32>i8x16.bitmask(a) | (<u32>i8x16.bitmask(b) << 16);
            ok = v128.and(ok, v128.and(v128.or(i8x16.eq(a, one), i8x16.eq(a, minusOne)), v128.or(i8x16.eq(b, one), i8x16.eq(b, minusOne))));
          } else if (kind == KIND_BIT2) {
            p0 = <u32>i8x16.bitmask(i8x16.shl(a, 7)) | (<u32>i8x16.bitmask(i8x16.shl(b, 7)) << 16);
            p1 = <u32>i8x16.bitmask(i8x16.shl(a, 6)) | (<u32>i8x16.bitmask(i8x16.shl(b, 6)) << 16);
            ok = v128.and(ok, v128.and(i8x16.eq(i8x16.min_u(a, three), a), i8x16.eq(i8x16.min_u(b, three), b)));
          } else {
            const ua = i8x16.add(a, one), ub = i8x16.add(b, one); // ternary: v + 1 in {0, 1, 2}
            ok = v128.and(ok, v128.and(i8x16.eq(i8x16.min_u(ua, two), ua), i8x16.eq(i8x16.min_u(ub, two), ub)));
            p0 = <u32>i8x16.bitmask(i8x16.eq(a, zero)) | (<u32>i8x16.bitmask(i8x16.eq(b, zero)) << 16);
            if (kind == KIND_FATNN) {
              // plane 0: zero plane, plane 1: sign
              p1 = <u32>i8x16.bitmask(a) | (<u32>i8x16.bitmask(b) << 16);
            } else {
              // ternary2b: offset code t + 1, bit 0 set for t = 0, bit 1 for t = +1
              p1 = <u32>i8x16.bitmask(i8x16.eq(a, one)) | (<u32>i8x16.bitmask(i8x16.eq(b, one)) << 16);
            }
          }
        } else if (k0 < K) {
          // the row's last, partial word: bits past K stay zero
          const left = K - k0;
          const valid: u32 = (<u32>1 << <u32>left) - 1;
          const a = v128.load(s + <usize>k0), b = v128.load(s + <usize>k0, 16);
          let invalid: u32;
          if (kind == KIND_BINARY) {
            p0 = <u32>i8x16.bitmask(a) | (<u32>i8x16.bitmask(b) << 16);
            invalid = ~(<u32>i8x16.bitmask(v128.or(i8x16.eq(a, one), i8x16.eq(a, minusOne))) |
              (<u32>i8x16.bitmask(v128.or(i8x16.eq(b, one), i8x16.eq(b, minusOne))) << 16));
          } else if (kind == KIND_BIT2) {
            p0 = <u32>i8x16.bitmask(i8x16.shl(a, 7)) | (<u32>i8x16.bitmask(i8x16.shl(b, 7)) << 16);
            p1 = <u32>i8x16.bitmask(i8x16.shl(a, 6)) | (<u32>i8x16.bitmask(i8x16.shl(b, 6)) << 16);
            invalid = <u32>i8x16.bitmask(i8x16.gt_u(a, three)) | (<u32>i8x16.bitmask(i8x16.gt_u(b, three)) << 16);
          } else {
            invalid = <u32>i8x16.bitmask(i8x16.gt_u(i8x16.add(a, one), two)) | (<u32>i8x16.bitmask(i8x16.gt_u(i8x16.add(b, one), two)) << 16);
            p0 = <u32>i8x16.bitmask(i8x16.eq(a, zero)) | (<u32>i8x16.bitmask(i8x16.eq(b, zero)) << 16);
            if (kind == KIND_FATNN) p1 = <u32>i8x16.bitmask(a) | (<u32>i8x16.bitmask(b) << 16);
            else p1 = <u32>i8x16.bitmask(i8x16.eq(a, one)) | (<u32>i8x16.bitmask(i8x16.eq(b, one)) << 16);
          }
          p0 &= valid;
          p1 &= valid;
          bad |= invalid & valid;
        }
        const at = d + (<usize>j << 2);
        store<u32>(at, p0);
        if (planes == 2) store<u32>(at + planeBytes, p1);
      }
    }
  }
  return bad != 0 || !i8x16.all_true(ok) ? 1 : 0;
}

/**
 * Copies `rows` rows of K values at `src` (fp32 floats, or int8 bytes widened here to i16) into
 * the panel layout of fp32() / int8() at `dst`: tiles of `tileRows` rows interleaved per 16-byte
 * K step, the last step of a row zero-filled past K. Rows of `dst` past `rows` are left as they
 * are (zero since allocation). Replaces a per-element JS loop that cost about as much as the GEMM.
 */
export function panelize(src: usize, rows: i32, K: i32, dst: usize, tileRows: i32, isInt8: i32): void {
  const lanes = isInt8 ? 8 : 4;
  const steps = (K + lanes - 1) / lanes;
  const full = K / lanes;
  const rem = K - full * lanes;
  const stepBytes = <usize>tileRows << 4;
  const rowBytes = <usize>K << (isInt8 ? 0 : 2);
  for (let r = 0; r < rows; r++) {
    const s = src + <usize>r * rowBytes;
    let d = dst + <usize>(r / tileRows) * <usize>steps * stepBytes + (<usize>(r % tileRows) << 4);
    if (isInt8) {
      for (let i = 0; i < full; i++, d += stepBytes) v128.store(d, v128.load8x8_s(s + (<usize>i << 3)));
      if (rem) {
        v128.store(d, i32x4.splat(0));
        for (let j = 0; j < rem; j++) store<i16>(d + (<usize>j << 1), <i16>load<i8>(s + (<usize>full << 3) + <usize>j));
      }
    } else {
      for (let i = 0; i < full; i++, d += stepBytes) v128.store(d, v128.load(s + (<usize>i << 4)));
      if (rem) {
        v128.store(d, i32x4.splat(0));
        for (let j = 0; j < rem; j++) store<f32>(d + (<usize>j << 2), load<f32>(s + (<usize>full << 4) + (<usize>j << 2)));
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// fromFloat in wasm (issue #14 item 4): float32 activations, copied into linear memory a few
// rows at a time, compared against the quantizer's float32 thresholds (src/from-float.ts
// ceilF32: a float32 compare there equals the reference's double compare) with f32x4 compares;
// the i32 lane masks are narrowed twice (i32 -> i16 -> i8, saturating keeps -1 and 0) and
// i8x16.bitmask turns 16 of them into plane bits, in packBits' plane and group layout.
// NaN fails every compare, so it is caught apart (x != x), accumulated as a vector and tested
// once per call; the caller then finds its index. +-Infinity compare like any float and land on
// the end levels, as in the reference. Measured against the JS packer it replaced
// (js/from-float-packing.ts): fatnn from float (quantize + pack + GEMM) 2.3-3.4x faster on
// 64x3136x576 and 128x784x1152; packFloat itself ~0.5 ms for those 1.8 M floats + ~0.24 ms to
// copy them in (loaded machine).

/** 16 lane masks (four i32x4 of -1/0) to 16 bits. */
@inline function maskBits16(a: v128, b: v128, c: v128, d: v128): u32 {
  return <u32>i8x16.bitmask(i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d)));
}

/**
 * The plane bits of 16 floats (a..d) in the low 16 bits of each half: p0 | p1 << 32. `kind` is
 * a constant at every call site (packFloatKind is inlined per kind), so one branch survives.
 */
@inline function floatBits16(a: v128, b: v128, c: v128, d: v128, kind: i32, t0: v128, t1: v128, t2: v128): u64 {
  if (kind == KIND_BINARY) {
    return <u64>maskBits16(f32x4.lt(a, t0), f32x4.lt(b, t0), f32x4.lt(c, t0), f32x4.lt(d, t0));
  }
  if (kind == KIND_BIT2) {
    // thresholds ascend, so the masks nest: level = m0 + m1 + m2, bit 0 = m0 ^ m1 ^ m2, bit 1 = m1
    const m1a = f32x4.ge(a, t1), m1b = f32x4.ge(b, t1), m1c = f32x4.ge(c, t1), m1d = f32x4.ge(d, t1);
    const l0 = maskBits16(
      v128.xor(v128.xor(f32x4.ge(a, t0), m1a), f32x4.ge(a, t2)),
      v128.xor(v128.xor(f32x4.ge(b, t0), m1b), f32x4.ge(b, t2)),
      v128.xor(v128.xor(f32x4.ge(c, t0), m1c), f32x4.ge(c, t2)),
      v128.xor(v128.xor(f32x4.ge(d, t0), m1d), f32x4.ge(d, t2)),
    );
    return <u64>l0 | (<u64>maskBits16(m1a, m1b, m1c, m1d) << 32);
  }
  // ternary: lt = x < low (-1), ge = x >= high (+1); the zero plane is ~(lt | ge), inverted
  // by the caller on the whole word (one scalar not instead of a v128.not per vector)
  const lta = f32x4.lt(a, t0), ltb = f32x4.lt(b, t0), ltc = f32x4.lt(c, t0), ltd = f32x4.lt(d, t0);
  const gea = f32x4.ge(a, t1), geb = f32x4.ge(b, t1), gec = f32x4.ge(c, t1), ged = f32x4.ge(d, t1);
  const nonzero = maskBits16(v128.or(lta, gea), v128.or(ltb, geb), v128.or(ltc, gec), v128.or(ltd, ged));
  const second = kind == KIND_FATNN ? maskBits16(lta, ltb, ltc, ltd) : maskBits16(gea, geb, gec, ged);
  return <u64>nonzero | (<u64>second << 32);
}

/**
 * packFloat for one kind. Rows are read from `src` (K floats each, readable 128 bytes past the
 * last row); `sums` (ternary2b, else 0) receives each row's sum of quantized values.
 * The bits of a partial last word past K come from the next row (or the slack) and are masked
 * off; a NaN there is the next row's (a real input NaN) or none: the caller zeroes the slack.
 */
@inline function packFloatKind(src: usize, rows: i32, K: i32, dst: usize, groupWords: i32, groups: i32, kind: i32, t0: v128, t1: v128, t2: v128, sums: usize): i32 {
  let nan = i32x4.splat(0);
  const planes = kind == KIND_BINARY ? 1 : 2;
  const strideBytes = <usize>(groups * planes * groupWords) << 2;
  const planeBytes = <usize>groupWords << 2;
  for (let r = 0; r < rows; r++) {
    const s = src + (<usize>r * <usize>K << 2);
    let d = dst + <usize>r * strideBytes;
    let k0 = 0;
    let zeros = 0, ones = 0;
    for (let g = 0; g < groups; g++, d += planeBytes * planes) {
      for (let j = 0; j < groupWords; j++, k0 += 32) {
        let p0: u32 = 0, p1: u32 = 0;
        if (k0 < K) {
          const p = s + (<usize>k0 << 2);
          const x0 = v128.load(p), x1 = v128.load(p, 16), x2 = v128.load(p, 32), x3 = v128.load(p, 48);
          const x4 = v128.load(p, 64), x5 = v128.load(p, 80), x6 = v128.load(p, 96), x7 = v128.load(p, 112);
          // NaN is the only float unequal to itself; OR-ed lane masks, tested once per call
          nan = v128.or(nan, v128.or(v128.or(v128.or(f32x4.ne(x0, x0), f32x4.ne(x1, x1)), v128.or(f32x4.ne(x2, x2), f32x4.ne(x3, x3))),
            v128.or(v128.or(f32x4.ne(x4, x4), f32x4.ne(x5, x5)), v128.or(f32x4.ne(x6, x6), f32x4.ne(x7, x7)))));
          const lo = floatBits16(x0, x1, x2, x3, kind, t0, t1, t2);
          const hi = floatBits16(x4, x5, x6, x7, kind, t0, t1, t2);
          p0 = <u32>lo | (<u32>hi << 16);
          p1 = <u32>(lo >> 32) | (<u32>(hi >> 32) << 16);
          if (kind == KIND_FATNN || kind == KIND_TERNARY2B) p0 = ~p0;
          if (k0 + 32 > K) {
            const valid: u32 = (<u32>1 << <u32>(K - k0)) - 1;
            p0 &= valid;
            p1 &= valid;
          }
        }
        const at = d + (<usize>j << 2);
        store<u32>(at, p0);
        if (planes == 2) store<u32>(at + planeBytes, p1);
        if (kind == KIND_TERNARY2B) {
          zeros += <i32>popcnt<u32>(p0);
          ones += <i32>popcnt<u32>(p1);
        }
      }
    }
    if (kind == KIND_TERNARY2B) store<i32>(sums + (<usize>r << 2), 2 * ones + zeros - K);
  }
  return v128.any_true(nan) ? 1 : 0;
}

/**
 * Packs `rows` rows of K float32 activations at `src` into planes at `dst` (layout of packBits),
 * quantized with float32 thresholds t0, t1, t2 (fatnn/ternary2b: low, high; bit2: the three;
 * binary: unused, the sign), ternary2b's row sums into `sums`. Returns 1 if a NaN was read (the
 * caller reports where), else 0.
 */
export function packFloat(src: usize, rows: i32, K: i32, dst: usize, groupWords: i32, groups: i32, kind: i32, t0: f32, t1: f32, t2: f32, sums: usize): i32 {
  const v0 = f32x4.splat(t0), v1 = f32x4.splat(t1), v2 = f32x4.splat(t2);
  if (kind == KIND_FATNN) return packFloatKind(src, rows, K, dst, groupWords, groups, KIND_FATNN, v0, v1, v2, sums);
  if (kind == KIND_TERNARY2B) return packFloatKind(src, rows, K, dst, groupWords, groups, KIND_TERNARY2B, v0, v1, v2, sums);
  if (kind == KIND_BIT2) return packFloatKind(src, rows, K, dst, groupWords, groups, KIND_BIT2, v0, v1, v2, sums);
  return packFloatKind(src, rows, K, dst, groupWords, groups, KIND_BINARY, f32x4.splat(0), v1, v2, sums);
}

// int8 fromFloat: x / scale in double (as the reference: the float32 promoted, then divided,
// f64x2.div is the same IEEE division), rounded half away from zero as trunc + a step where the
// exact remainder reaches +-0.5, clamped to [-128, 127] (+-Infinity: trunc keeps them, the
// remainder is NaN and adds no step, the clamp gives the end levels), then narrowed to the i16
// panels of int8() at once, replacing the JS quantizer and the int8 staging + panelize
// (int8/wasm-simd128 from float 1.8-2.7x faster on 64x3136x576 and 128x784x1152).

// The clamp uses pmin/pmax (one minpd/maxpd on x86; f64x2.min/max carry NaN and -0 fix-ups
// V8 spells out in several instructions): a NaN lane comes out as garbage, but a NaN throws anyway.
@inline function roundClampF64(x: v128, scale: v128): v128 {
  const s = f64x2.div(x, scale);
  const t = f64x2.trunc(s);
  const d = f64x2.sub(s, t);
  const one = f64x2.splat(1);
  const r = f64x2.sub(f64x2.add(t, v128.and(f64x2.ge(d, f64x2.splat(0.5)), one)), v128.and(f64x2.le(d, f64x2.splat(-0.5)), one));
  return f64x2.pmin(f64x2.pmax(r, f64x2.splat(-128)), f64x2.splat(127));
}

// 2^52 + 2^51: adding it to an integral double in [-2^31, 2^31) leaves that integer, two's
// complement, in the low 32 bits, so one add and one shuffle replace i32x4.trunc_sat_f64x2_s_zero
// (which V8 lowers with NaN and overflow fix-ups) and the shuffle that joins its halves.
const INT_MAGIC: f64 = 6755399441055744.0;

/** 4 floats to 4 i32 levels. */
@inline function quantize4(x: v128, scale: v128): v128 {
  const magic = f64x2.splat(INT_MAGIC);
  const lo = f64x2.add(roundClampF64(f64x2.promote_low_f32x4(x), scale), magic);
  const hi = f64x2.add(roundClampF64(f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 2, 3)), scale), magic);
  return i32x4.shuffle(lo, hi, 0, 2, 4, 6);
}

@inline function quantize1(x: f32, scale: f64): i16 {
  const s = <f64>x / scale;
  const t = trunc<f64>(s);
  const d = s - t;
  const r = t + (d >= 0.5 ? 1.0 : 0.0) - (d <= -0.5 ? 1.0 : 0.0);
  return <i16>max<f64>(-128, min<f64>(127, r));
}

/**
 * Quantizes `rows` rows of K floats at `src` with int8's scale straight into the i16 panel
 * layout of int8() at `dst` (as panelize with isInt8 = 1 would place them), the first of them
 * being panel row `firstRow`. Returns 1 if a NaN was read (the caller reports where), else 0.
 */
export function quantizeInt8Panels(src: usize, rows: i32, K: i32, dst: usize, tileRows: i32, firstRow: i32, scale: f64): i32 {
  const steps = (K + 7) / 8;
  const full = K / 8;
  const rem = K - full * 8;
  const stepBytes = <usize>tileRows << 4;
  const vscale = f64x2.splat(scale);
  let nan = i32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const row = firstRow + r;
    const s = src + (<usize>r * <usize>K << 2);
    let d = dst + <usize>(row / tileRows) * <usize>steps * stepBytes + (<usize>(row % tileRows) << 4);
    for (let i = 0; i < full; i++, d += stepBytes) {
      const a = v128.load(s + (<usize>i << 5)), b = v128.load(s + (<usize>i << 5), 16);
      nan = v128.or(nan, v128.or(f32x4.ne(a, a), f32x4.ne(b, b)));
      v128.store(d, i16x8.narrow_i32x4_s(quantize4(a, vscale), quantize4(b, vscale)));
    }
    if (rem) {
      v128.store(d, i32x4.splat(0));
      for (let j = 0; j < rem; j++) {
        const x = load<f32>(s + (<usize>(full * 8 + j) << 2));
        if (x != x) nan = i32x4.splat(-1); // and no conversion of it (it would trap)
        else store<i16>(d + (<usize>j << 1), quantize1(x, scale));
      }
    }
  }
  return v128.any_true(nan) ? 1 : 0;
}
