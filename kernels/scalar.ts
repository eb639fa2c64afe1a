// wasm-scalar GEMM kernels for the popcount precisions (AssemblyScript, built without SIMD so it
// loads on any engine): 64-bit words and i64.popcnt, which engines map to the CPU's POPCNT.
// The comparison point that shows what wasm SIMD (with its emulated byte popcount on x86) buys.
//
// Layout (src/packing.ts, groupWords = 2): a row is `groups` groups of 64 K positions; a group
// holds plane 0 at +0 and plane 1 at +8 bytes. This module's own packBits (below) orders the 64
// bits inside a group differently (byte-sliced); every kernel here only popcounts whole words. Output is padded Mp x Np (row stride Np), tiles 2x2.
// Loops advance pointers (as in simd128.ts) rather than index groups: fewer live registers.

@inline function pc(v: u64): i32 {
  return <i32>popcnt<u64>(v);
}

/**
 * fatnn on the zero plane z and sign plane s (src/packing.ts): K - popcount(z) - 2 popcount(neg)
 * with z = zw | zx and neg = ~z & (sw ^ sx), counted as 2 popcount(z | (sw ^ sx)) - popcount(z)
 * (padding has z = s = 0 in both operands and cancels against the real K). 2x2 tile.
 * Two popcounts per word stay here: i64.popcnt is one instruction, and the carry-save form of
 * simd128.ts (one popcount, four more logic ops) measured 0.86x in a probe (issue #14).
 */
export function fatnn(w: usize, x: usize, out: usize, Mp: i32, Np: i32, groups: i32, K: i32): void {
  const stride = <usize>groups << 4;
  for (let m = 0; m < Mp; m += 2) {
    const w0 = w + <usize>m * stride;
    for (let n = 0; n < Np; n += 2) {
      const x0 = x + <usize>n * stride;
      let c00 = 0, c01 = 0, c10 = 0, c11 = 0;
      let pw = w0, px = x0;
      const pwEnd = w0 + stride;
      for (; pw < pwEnd; pw += 16, px += 16) {
        const zw0 = load<u64>(pw), sw0 = load<u64>(pw, 8);
        const zw1 = load<u64>(pw + stride), sw1 = load<u64>(pw + stride, 8);
        const zx0 = load<u64>(px), sx0 = load<u64>(px, 8);
        const zx1 = load<u64>(px + stride), sx1 = load<u64>(px + stride, 8);
        let z = zw0 | zx0;
        c00 += 2 * pc(z | (sw0 ^ sx0)) - pc(z);
        z = zw0 | zx1;
        c01 += 2 * pc(z | (sw0 ^ sx1)) - pc(z);
        z = zw1 | zx0;
        c10 += 2 * pc(z | (sw1 ^ sx0)) - pc(z);
        z = zw1 | zx1;
        c11 += 2 * pc(z | (sw1 ^ sx1)) - pc(z);
      }
      const o0 = out + ((<usize>m * <usize>Np + <usize>n) << 2);
      const o1 = o0 + (<usize>Np << 2);
      store<i32>(o0, K - c00);
      store<i32>(o0, K - c01, 4);
      store<i32>(o1, K - c10);
      store<i32>(o1, K - c11, 4);
    }
  }
}

/** binary: K - 2 popcount(x ^ w); one plane, so a group is one 8-byte word. */
export function binary(w: usize, x: usize, out: usize, Mp: i32, Np: i32, groups: i32, K: i32): void {
  const stride = <usize>groups << 3;
  for (let m = 0; m < Mp; m += 2) {
    const w0 = w + <usize>m * stride;
    for (let n = 0; n < Np; n += 2) {
      const x0 = x + <usize>n * stride;
      let c00 = 0, c01 = 0, c10 = 0, c11 = 0;
      let pw = w0, px = x0;
      const pwEnd = w0 + stride;
      for (; pw < pwEnd; pw += 8, px += 8) {
        const a0 = load<u64>(pw), a1 = load<u64>(pw + stride);
        const b0 = load<u64>(px), b1 = load<u64>(px + stride);
        c00 += pc(a0 ^ b0);
        c01 += pc(a0 ^ b1);
        c10 += pc(a1 ^ b0);
        c11 += pc(a1 ^ b1);
      }
      const o0 = out + ((<usize>m * <usize>Np + <usize>n) << 2);
      const o1 = o0 + (<usize>Np << 2);
      store<i32>(o0, K - 2 * c00);
      store<i32>(o0, K - 2 * c01, 4);
      store<i32>(o1, K - 2 * c10);
      store<i32>(o1, K - 2 * c11, 4);
    }
  }
}

@inline function bit2Word(wl: u64, wh: u64, xl: u64, xh: u64): i32 {
  return pc(wl & xl) + ((pc(wl & xh) + pc(wh & xl)) << 1) + (pc(wh & xh) << 2);
}

/** bit2 (rowBias/colBias 0), or with them set raw - rowBias[m] - colBias[n] (ternary2b ran this before ternary2b below). */
export function bit2(w: usize, x: usize, out: usize, Mp: i32, Np: i32, groups: i32, rowBias: usize, colBias: usize): void {
  const stride = <usize>groups << 4;
  for (let m = 0; m < Mp; m += 2) {
    const w0 = w + <usize>m * stride;
    for (let n = 0; n < Np; n += 2) {
      const x0 = x + <usize>n * stride;
      let c00 = 0, c01 = 0, c10 = 0, c11 = 0;
      let pw = w0, px = x0;
      const pwEnd = w0 + stride;
      for (; pw < pwEnd; pw += 16, px += 16) {
        const wl0 = load<u64>(pw), wh0 = load<u64>(pw, 8);
        const wl1 = load<u64>(pw + stride), wh1 = load<u64>(pw + stride, 8);
        const xl0 = load<u64>(px), xh0 = load<u64>(px, 8);
        const xl1 = load<u64>(px + stride), xh1 = load<u64>(px + stride, 8);
        c00 += bit2Word(wl0, wh0, xl0, xh0);
        c01 += bit2Word(wl0, wh0, xl1, xh1);
        c10 += bit2Word(wl1, wh1, xl0, xh0);
        c11 += bit2Word(wl1, wh1, xl1, xh1);
      }
      if (rowBias) {
        const rb0 = load<i32>(rowBias + (<usize>m << 2)), rb1 = load<i32>(rowBias + (<usize>m << 2), 4);
        const cb0 = load<i32>(colBias + (<usize>n << 2)), cb1 = load<i32>(colBias + (<usize>n << 2), 4);
        c00 -= rb0 + cb0;
        c01 -= rb0 + cb1;
        c10 -= rb1 + cb0;
        c11 -= rb1 + cb1;
      }
      const o0 = out + ((<usize>m * <usize>Np + <usize>n) << 2);
      const o1 = o0 + (<usize>Np << 2);
      store<i32>(o0, c00);
      store<i32>(o0, c01, 4);
      store<i32>(o1, c10);
      store<i32>(o1, c11, 4);
    }
  }
}

/**
 * ternary2b on its offset values x + 1 in {0, 1, 2}, with rowBias/colBias as bit2. Planes (lo,
 * hi) are never both 1 at a position (padding is 0), so lh = wl & xh and hl = wh & xl are
 * disjoint and the weighted sum ll + 2 (lh + hl) + 4 hh takes three popcounts per word pair:
 * pc(ll) + 2 pc(lh | hl) + 4 pc(hh). Measured against bit2's four (scratch probe, one process,
 * 15 interleaved rounds, load ~3.3, best GMAC/s on the ResNet-18 shapes): 1.02-1.38x (median
 * ~1.13x; 64x3136x576 46.1 vs 42.5, 512x49x4608 46.0 vs 33.3). The one-popcount carry-save chain
 * of simd128.ts (ones, twos and a count per output: 12 state words in the 2x2 tile, 11 logic
 * ops per popcount saved) measured 0.70-0.83x bit2 here (31.5 vs 42.5 at 64x3136x576): i64.popcnt
 * is one instruction, as fatnn's carry-save (0.86x) found. Not kept.
 */
export function ternary2b(w: usize, x: usize, out: usize, Mp: i32, Np: i32, groups: i32, rowBias: usize, colBias: usize): void {
  const stride = <usize>groups << 4;
  for (let m = 0; m < Mp; m += 2) {
    const w0 = w + <usize>m * stride;
    for (let n = 0; n < Np; n += 2) {
      const x0 = x + <usize>n * stride;
      let c00 = 0, c01 = 0, c10 = 0, c11 = 0;
      let pw = w0, px = x0;
      const pwEnd = w0 + stride;
      for (; pw < pwEnd; pw += 16, px += 16) {
        const wl0 = load<u64>(pw), wh0 = load<u64>(pw, 8);
        const wl1 = load<u64>(pw + stride), wh1 = load<u64>(pw + stride, 8);
        const xl0 = load<u64>(px), xh0 = load<u64>(px, 8);
        const xl1 = load<u64>(px + stride), xh1 = load<u64>(px + stride, 8);
        c00 += ternary2bWord(wl0, wh0, xl0, xh0);
        c01 += ternary2bWord(wl0, wh0, xl1, xh1);
        c10 += ternary2bWord(wl1, wh1, xl0, xh0);
        c11 += ternary2bWord(wl1, wh1, xl1, xh1);
      }
      const rb0 = load<i32>(rowBias + (<usize>m << 2)), rb1 = load<i32>(rowBias + (<usize>m << 2), 4);
      const cb0 = load<i32>(colBias + (<usize>n << 2)), cb1 = load<i32>(colBias + (<usize>n << 2), 4);
      const o0 = out + ((<usize>m * <usize>Np + <usize>n) << 2);
      const o1 = o0 + (<usize>Np << 2);
      store<i32>(o0, c00 - rb0 - cb0);
      store<i32>(o0, c01 - rb0 - cb1, 4);
      store<i32>(o1, c10 - rb1 - cb0);
      store<i32>(o1, c11 - rb1 - cb1, 4);
    }
  }
}

@inline function ternary2bWord(wl: u64, wh: u64, xl: u64, xh: u64): i32 {
  return pc(wl & xl) + (pc((wl & xh) | (wh & xl)) << 1) + (pc(wh & xh) << 2);
}

// ---------------------------------------------------------------------------------------------
// Bit-plane packing without SIMD: 8 int8 values per u64 load and SWAR per-byte tests.
//
// Byte-sliced bit order: the GEMMs here only popcount whole 64-bit words of W and X together, so
// the order of the 64 K positions inside a group's word is free as long as both operands use the
// same one. This packer puts position 8q + i of a group (q = which u64 load, i = byte in it) at
// bit 8i + q: the plane bit of each byte already sits at bit 8i (or 8i + 7), so a load's eight
// bits land with one shift and one OR, where the src/packing.ts order (bit i = position i) needed
// a gathering multiply, a shift, a shift and an OR per plane and load. Validity is OR-ed into
// accumulators and tested once per call (ternary: x = v ^ (sign * 0xff), 4 ops per load instead
// of 10). Measured on 64x3136x576 fatnn activations (old and new kernel in one process, 41
// interleaved rounds, load ~8.5): setActivations 2.73 -> 1.16 ms median (p25 1.88 -> 0.54), so
// packing/GEMM 48% -> 22% there. ternarySums (the only other reader of these planes) counts
// bits, so it is order-free too. The tail group (K mod 64 positions) is packed
// value by value in the same order.

const KIND_BIT2 = 0;
const KIND_TERNARY2B = 1;
const KIND_FATNN = 2;
const KIND_BINARY = 3;
const LOW_BITS: u64 = 0x0101010101010101;

/** Plane bits of one value (the precision's code), or -1 if it is outside the set. */
@inline function code(kind: i32, v: i32): i32 {
  if (kind == KIND_BIT2) return v >= 0 && v <= 3 ? v : -1;
  if (kind == KIND_BINARY) return v == 1 ? 0 : v == -1 ? 1 : -1;
  if (v < -1 || v > 1) return -1;
  if (kind == KIND_FATNN) return (v == 0 ? 1 : 0) | (v < 0 ? 2 : 0);
  return v + 1;
}

/**
 * packBits for one precision (`kind` is a constant at each call site, so every test on it folds
 * away). Returns 1 if a value is outside the precision's set.
 */
@inline function packKind(src: usize, rows: i32, K: i32, dst: usize, groups: i32, kind: i32): i32 {
  const planes = kind == KIND_BINARY ? 1 : 2;
  const strideBytes = <usize>(groups * planes) << 3;
  const full = K >> 6;
  // bit2: OR of all bytes (valid ones stay within bits 0-1). Ternary: x = v ^ (sign * 0xff) is
  // 0 or 1 per valid byte (0x00, 0x01, 0xff), and x & sign catches 0xfe; binary: x ^ sign is 1.
  let acc: u64 = 0, acc2: u64 = 0;
  let bad = false;
  for (let r = 0; r < rows; r++) {
    let s = src + <usize>r * <usize>K;
    let d = dst + <usize>r * strideBytes;
    for (let g = 0; g < full; g++, s += 64, d += <usize>planes << 3) {
      let p0: u64 = 0, p1: u64 = 0;
      for (let q: u64 = 0; q < 8; q++) {
        const v = load<u64>(s + (<usize>q << 3));
        if (kind == KIND_BIT2) {
          acc |= v;
          p0 |= (v & LOW_BITS) << q;
          p1 |= ((v >> 1) & LOW_BITS) << q;
        } else {
          const sign = (v >> 7) & LOW_BITS;
          const x = v ^ (sign * 0xff);
          if (kind == KIND_BINARY) {
            acc |= x ^ sign ^ LOW_BITS;
            p0 |= sign << q;
          } else {
            acc |= x;
            acc2 |= x & sign;
            const lo = v & LOW_BITS; // 1 for t = +-1
            p0 |= lo << q; // inverted below: the zero plane
            p1 |= (kind == KIND_FATNN ? sign : lo ^ sign) << q; // fatnn: sign; ternary2b: t = +1
          }
        }
      }
      if (kind == KIND_FATNN || kind == KIND_TERNARY2B) p0 = ~p0;
      store<u64>(d, p0);
      if (planes == 2) store<u64>(d, p1, 8);
    }
    if (full < groups) {
      // the tail group, value by value in the same bit order; positions past K stay zero
      let p0: u64 = 0, p1: u64 = 0;
      for (let k = 0, left = K - (full << 6); k < left; k++) {
        const c = code(kind, <i32>load<i8>(s + <usize>k));
        if (c < 0) bad = true;
        const bit = <u64>(((k & 7) << 3) | (k >> 3));
        p0 |= <u64>(c & 1) << bit;
        p1 |= <u64>((c >> 1) & 1) << bit;
      }
      store<u64>(d, p0);
      if (planes == 2) store<u64>(d, p1, 8);
    }
  }
  if (kind == KIND_BIT2) return bad || (acc & ~(LOW_BITS * 3)) != 0 ? 1 : 0;
  if (kind == KIND_BINARY) return bad || acc != 0 ? 1 : 0;
  return bad || (acc & ~LOW_BITS) != 0 || acc2 != 0 ? 1 : 0;
}

/**
 * Packs `rows` rows of K int8 values at `src` into planes at `dst` (per row `groups` groups of
 * 64 positions, one u64 per plane, in the byte-sliced order above). `groupWords` must be 2.
 * Returns 1 if a value is outside the precision's set (the caller then reports which).
 */
export function packBits(src: usize, rows: i32, K: i32, dst: usize, groupWords: i32, groups: i32, kind: i32): i32 {
  if (groupWords != 2) unreachable();
  if (kind == KIND_FATNN) return packKind(src, rows, K, dst, groups, KIND_FATNN);
  if (kind == KIND_TERNARY2B) return packKind(src, rows, K, dst, groups, KIND_TERNARY2B);
  if (kind == KIND_BIT2) return packKind(src, rows, K, dst, groups, KIND_BIT2);
  return packKind(src, rows, K, dst, groups, KIND_BINARY);
}

// fromFloat without SIMD: float32 activations (copied into linear memory a chunk of rows at a
// time) quantized to the precision's logical int8 values by float32 compares against the
// thresholds of src/from-float.ts fusedQuantizerArgs (ceilF32: equal to the reference's double
// compares), branch-free, then packed by packBits above as setActivations would. It replaces
// the JS quantizer of the generic path (the Int8Array it wrote was copied into wasm too).
// NaN fails every compare: it is counted apart (x != x) and the caller reports where.

@inline function quantizeKind(src: usize, n: i32, dst: usize, kind: i32, t0: f32, t1: f32, t2: f32): i32 {
  let nans = 0;
  for (let i = 0; i < n; i++) {
    const x = load<f32>(src + (<usize>i << 2));
    nans |= <i32>(x != x);
    let v: i32;
    if (kind == KIND_BIT2) v = <i32>(x >= t0) + <i32>(x >= t1) + <i32>(x >= t2);
    else if (kind == KIND_BINARY) v = 1 - 2 * <i32>(x < 0);
    else v = <i32>(x >= t1) - <i32>(x < t0);
    store<i8>(dst + <usize>i, <i8>v);
  }
  return nans;
}

/**
 * Quantizes `n` floats at `src` into int8 logical values at `dst` (fatnn/ternary2b: t0 = low,
 * t1 = high; bit2: the three thresholds; binary: sign). Returns 1 if a NaN was read, else 0.
 */
export function quantizeFloats(src: usize, n: i32, dst: usize, kind: i32, t0: f32, t1: f32, t2: f32): i32 {
  if (kind == KIND_BIT2) return quantizeKind(src, n, dst, KIND_BIT2, t0, t1, t2);
  if (kind == KIND_BINARY) return quantizeKind(src, n, dst, KIND_BINARY, t0, t1, t2);
  return quantizeKind(src, n, dst, KIND_FATNN, t0, t1, t2);
}
