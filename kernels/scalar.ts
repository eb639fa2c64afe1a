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

/** fatnn: popcount(m) - 2 popcount(m & (sx ^ sw)) per word, 2x2 tile. */
export function fatnn(w: usize, x: usize, out: usize, Mp: i32, Np: i32, groups: i32): void {
  const stride = <usize>groups << 4;
  for (let m = 0; m < Mp; m += 2) {
    const w0 = w + <usize>m * stride;
    for (let n = 0; n < Np; n += 2) {
      const x0 = x + <usize>n * stride;
      let c00 = 0, c01 = 0, c10 = 0, c11 = 0;
      let pw = w0, px = x0;
      const pwEnd = w0 + stride;
      for (; pw < pwEnd; pw += 16, px += 16) {
        const mw0 = load<u64>(pw), sw0 = load<u64>(pw, 8);
        const mw1 = load<u64>(pw + stride), sw1 = load<u64>(pw + stride, 8);
        const mx0 = load<u64>(px), sx0 = load<u64>(px, 8);
        const mx1 = load<u64>(px + stride), sx1 = load<u64>(px + stride, 8);
        let t = mw0 & mx0;
        c00 += pc(t) - 2 * pc(t & (sw0 ^ sx0));
        t = mw0 & mx1;
        c01 += pc(t) - 2 * pc(t & (sw0 ^ sx1));
        t = mw1 & mx0;
        c10 += pc(t) - 2 * pc(t & (sw1 ^ sx0));
        t = mw1 & mx1;
        c11 += pc(t) - 2 * pc(t & (sw1 ^ sx1));
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
