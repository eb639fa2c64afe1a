// wasm-scalar GEMM kernels for the popcount precisions (AssemblyScript, built without SIMD so it
// loads on any engine): 64-bit words and i64.popcnt, which engines map to the CPU's POPCNT.
// The comparison point that shows what wasm SIMD (with its emulated byte popcount on x86) buys.
//
// Layout (src/packing.ts, groupWords = 2): a row is `groups` groups of 64 K positions; a group
// holds plane 0 at +0 and plane 1 at +8 bytes. Output is padded Mp x Np (row stride Np), tiles 2x2.
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

/** bit2, and ternary2b when rowBias/colBias are set (stores raw - rowBias[m] - colBias[n]). */
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

// ---------------------------------------------------------------------------------------------
// Bit-plane packing without SIMD: 8 int8 values per u64 load, SWAR per-byte tests, and one
// multiply that gathers the low bit of each byte into a byte (bit i = byte i). Same layout and
// bits as src/packing.ts; about 10x faster than packing value by value in JS.

const KIND_BIT2 = 0;
const KIND_TERNARY2B = 1;
const KIND_FATNN = 2;
const KIND_BINARY = 3;
const LOW_BITS: u64 = 0x0101010101010101;
const HIGH_BITS: u64 = 0x8080808080808080;
// x * GATHER >> 56 moves bit 8i of x to bit i (all partial products are distinct powers of two).
const GATHER: u64 = 0x0102040810204080;

@inline function gather(lowBits: u64): u32 {
  return <u32>((lowBits * GATHER) >> 56);
}

/** Per byte (v + 1) mod 256, without carries between bytes. */
@inline function plusOne(v: u64): u64 {
  return ((v & ~HIGH_BITS) + LOW_BITS) ^ (v & HIGH_BITS);
}

/** Plane bits of one value (the precision's code), or -1 if it is outside the set. */
@inline function code(kind: i32, v: i32): i32 {
  if (kind == KIND_BIT2) return v >= 0 && v <= 3 ? v : -1;
  if (kind == KIND_BINARY) return v == 1 ? 0 : v == -1 ? 1 : -1;
  if (v < -1 || v > 1) return -1;
  if (kind == KIND_FATNN) return (v == 0 ? 1 : 0) | (v < 0 ? 2 : 0);
  return v + 1;
}

/**
 * Packs `rows` rows of K int8 values at `src` into planes at `dst` (per row `groups` groups of
 * `groupWords` words per plane). Returns 1 if a value is outside the precision's set.
 */
export function packBits(src: usize, rows: i32, K: i32, dst: usize, groupWords: i32, groups: i32, kind: i32): i32 {
  const planes = kind == KIND_BINARY ? 1 : 2;
  const strideBytes = <usize>(groups * planes * groupWords) << 2;
  const planeBytes = <usize>groupWords << 2;
  // Invalid bytes are OR-ed into `badBits` and tested once per call: a branch per 8 values
  // (`bad = bad || ...`) and a division per word to find its group cost ~2x this loop.
  let badBits: u64 = 0;
  let bad = false;
  for (let r = 0; r < rows; r++) {
    const s = src + <usize>r * <usize>K;
    let d = dst + <usize>r * strideBytes;
    let k0 = 0;
    for (let g = 0; g < groups; g++, d += planeBytes * planes) {
      for (let j = 0; j < groupWords; j++, k0 += 32) {
        let p0: u32 = 0, p1: u32 = 0;
        if (k0 + 32 <= K) {
          for (let q = 0; q < 4; q++) {
            const v = load<u64>(s + <usize>k0 + (<usize>q << 3));
            const shift = <u32>q << 3;
            let lo: u64, hi: u64 = 0;
            if (kind == KIND_BIT2) {
              badBits |= v & ~(LOW_BITS * 3);
              lo = v & LOW_BITS;
              hi = (v >> 1) & LOW_BITS;
            } else if (kind == KIND_BINARY) {
              badBits |= plusOne(v) & ~(LOW_BITS * 2);
              lo = (v >> 7) & LOW_BITS;
            } else {
              // valid iff every byte of v + 1 is 0, 1 or 2: no bit above bit 1, not both low bits
              const y = plusOne(v);
              badBits |= (y & ~(LOW_BITS * 3)) | (y & (y >> 1) & LOW_BITS);
              const sign = (v >> 7) & LOW_BITS;
              lo = ~v & LOW_BITS; // valid values 0x00, 0x01, 0xff: bit 0 clear marks zero (t = 0)
              hi = kind == KIND_FATNN ? sign : v & LOW_BITS & ~sign; // fatnn: sign; ternary2b: t = +1
            }
            p0 |= gather(lo) << shift;
            p1 |= gather(hi) << shift;
          }
        } else {
          for (let k = k0; k < K; k++) {
            const c = code(kind, <i32>load<i8>(s + <usize>k));
            if (c < 0) bad = true;
            p0 |= <u32>(c & 1) << <u32>(k - k0);
            p1 |= <u32>((c >> 1) & 1) << <u32>(k - k0);
          }
        }
        const at = d + (<usize>j << 2);
        store<u32>(at, p0);
        if (planes == 2) store<u32>(at + planeBytes, p1);
      }
    }
  }
  return bad || badBits != 0 ? 1 : 0;
}
