// Pure-JS popcount kernels (bit2, ternary2b, fatnn, binary) on 32-bit words.
// Each uses a 2x2 register tile: the planes of two weight rows and two activation rows are
// loaded once per word and used four times. Planes are interleaved per word (packing.ts, one
// word per group) so one row's planes for a word sit side by side.

import { KernelBase, storeTile2x2 } from '../../kernel-base.js';
import { packPlanes, planeLayout, rowSums, type BitPrecision, type PlaneLayout } from '../../packing.js';
import type { QuantizerParams } from '../../quantize.js';
import type { LogicalArray, Shape } from '../../types.js';
import { nanError, packPlanesFromFloat } from './from-float-packing.js';
import { popcnt32 as pc } from './popcount.js';

abstract class BitJsKernel extends KernelBase<Int32Array> {
  protected readonly wLayout: PlaneLayout;
  protected readonly xLayout: PlaneLayout;
  protected readonly w: Uint32Array;
  protected readonly x: Uint32Array;

  constructor(id: string, precision: BitPrecision, shape: Shape) {
    super(id, precision, shape);
    this.wLayout = planeLayout(precision, shape.K, shape.M, 1, { rowMultiple: 2 });
    this.xLayout = planeLayout(precision, shape.K, shape.N, 1, { rowMultiple: 2 });
    this.w = new Uint32Array(this.wLayout.rows * this.wLayout.strideWords);
    this.x = new Uint32Array(this.xLayout.rows * this.xLayout.strideWords);
  }

  protected packWeights(w: LogicalArray): void {
    packPlanes(this.precision as BitPrecision, w, this.shape.M, this.shape.K, this.wLayout, this.w);
  }

  protected packActivations(x: LogicalArray): void {
    packPlanes(this.precision as BitPrecision, x, this.shape.N, this.shape.K, this.xLayout, this.x);
  }

  /** fromFloat: floats straight to planes (from-float-packing.ts); `sums` for ternary2b. */
  protected override packActivationsFromFloat(x: Float32Array, q: QuantizerParams, sums?: Int32Array): boolean {
    const bad = packPlanesFromFloat(q as QuantizerParams & { precision: BitPrecision }, x, this.shape.N, this.shape.K, this.xLayout, this.x, 0, sums);
    if (bad >= 0) throw nanError(this.precision, bad, this.shape.K);
    return true;
  }
}

/**
 * sum_{i,j} 2^(i+j) popcount(x_i & w_j): the raw 2-bit inner products into `out`.
 * A 1x2 tile, not 2x2: with four planes per row a 2x2 tile needs more live values than x64
 * has registers, and the spills cost more than the reuse gains (measured: 2x2 ~1.5x slower).
 *
 * The popcounts are written out here, with no call left in the loop, so the speed does not
 * depend on V8's inlining (issue #15). With `pc()` calls, TurboFan sometimes optimized
 * Ternary2bJsKernel.compute before this function had optimized code of its own and inlined it
 * there: its 401 bytes of bytecode used most of the 920-byte cumulative inlining budget, only
 * 5-6 of the 8 popcnt32 calls were inlined, and the rest stayed real calls in the inner loop.
 * Which of the two concurrent compile jobs came first decided the isolate's mode
 * (--trace-turbo-inlining, ternary2b/js on 128x784x1152, 20 fresh processes: 12 inlined
 * bit2Gemm into compute and ran at 47-57 ms, 8 did not and ran at 26-32 ms). The loop has no
 * calls and its bytecode is over the 460-byte limit for inlining it anywhere.
 *
 * Carry-save (issue #14): per word the weighted sum ll + 2 (lh + hl) + 4 hh goes through
 * adders instead of four popcounts. Per output a bit vector `ones` (weight 1) and `twos`
 * (weight 2): ll into ones (carry c), lh + hl + c into twos (a full adder, then a half adder:
 * carries k2, k3 of weight 4), and hh + k2 + k3 through one more full adder into s4 (weight 4)
 * and k8 (weight 8). Only s4 and k8 are counted: two SWAR popcounts per word instead of four,
 * stopped at nibbles (s4 + 2 k8 <= 12 per nibble) and bytes (<= 24 per byte and word), which
 * add up for 10 words before the bytes are summed. At the end sum = 4 count + 2 popcount(twos)
 * + popcount(ones). Measured against the four-popcount loop (one shared byte gather per word)
 * in one process, two runs of 7 and 9 interleaved rounds in both orders, loaded machine:
 * median per layer 1.24x and 1.18x (ResNet-18 shapes; 0.78-0.81x once on 64x3136x576, up to
 * 1.7x at K = 4608).
 */
function bit2Gemm(w: Uint32Array, x: Uint32Array, stride: number, M: number, N: number, out: Int32Array): void {
  for (let m = 0; m < M; m++) {
    const w0 = m * stride;
    for (let n = 0; n < N; n += 2) {
      const x0 = n * stride;
      const x1 = x0 + stride;
      let c0 = 0, c1 = 0;
      let ones0 = 0, twos0 = 0, ones1 = 0, twos1 = 0;
      for (let i0 = 0; i0 < stride; i0 += BIT2_CHUNK) {
        const end = Math.min(i0 + BIT2_CHUNK, stride);
        let t0 = 0, t1 = 0;
        for (let i = i0; i < end; i += 2) {
          const al = w[w0 + i], ah = w[w0 + i + 1];
          let bl = x[x0 + i], bh = x[x0 + i + 1];
          let ll = al & bl, lh = al & bh, hl = ah & bl, hh = ah & bh;
          let c = ones0 & ll;
          ones0 ^= ll;
          let s = twos0 ^ lh;
          let k2 = (twos0 & lh) | (s & hl);
          s ^= hl;
          let k3 = s & c;
          twos0 = s ^ c;
          let s4 = hh ^ k2;
          let k8 = (hh & k2) | (s4 & k3);
          s4 ^= k3;
          s4 -= (s4 >>> 1) & 0x55555555;
          k8 -= (k8 >>> 1) & 0x55555555;
          s4 = (s4 & 0x33333333) + ((s4 >>> 2) & 0x33333333) + 2 * ((k8 & 0x33333333) + ((k8 >>> 2) & 0x33333333));
          t0 += (s4 & 0x0f0f0f0f) + ((s4 >>> 4) & 0x0f0f0f0f);
          bl = x[x1 + i];
          bh = x[x1 + i + 1];
          ll = al & bl;
          lh = al & bh;
          hl = ah & bl;
          hh = ah & bh;
          c = ones1 & ll;
          ones1 ^= ll;
          s = twos1 ^ lh;
          k2 = (twos1 & lh) | (s & hl);
          s ^= hl;
          k3 = s & c;
          twos1 = s ^ c;
          s4 = hh ^ k2;
          k8 = (hh & k2) | (s4 & k3);
          s4 ^= k3;
          s4 -= (s4 >>> 1) & 0x55555555;
          k8 -= (k8 >>> 1) & 0x55555555;
          s4 = (s4 & 0x33333333) + ((s4 >>> 2) & 0x33333333) + 2 * ((k8 & 0x33333333) + ((k8 >>> 2) & 0x33333333));
          t1 += (s4 & 0x0f0f0f0f) + ((s4 >>> 4) & 0x0f0f0f0f);
        }
        c0 += (t0 & 0xff) + ((t0 >>> 8) & 0xff) + ((t0 >>> 16) & 0xff) + (t0 >>> 24);
        c1 += (t1 & 0xff) + ((t1 >>> 8) & 0xff) + ((t1 >>> 16) & 0xff) + (t1 >>> 24);
      }
      // 2 popcount(twos) + popcount(ones) per output in one SWAR pass: 2-bit fields of
      // 2 pairs(twos) + pairs(ones) <= 6, then 4-bit fields <= 12, bytes <= 24
      let v = twos0 - ((twos0 >>> 1) & 0x55555555);
      let u = ones0 - ((ones0 >>> 1) & 0x55555555);
      v = 2 * ((v & 0x33333333) + ((v >>> 2) & 0x33333333)) + (u & 0x33333333) + ((u >>> 2) & 0x33333333);
      v = (v & 0x0f0f0f0f) + ((v >>> 4) & 0x0f0f0f0f);
      out[m * N + n] = 4 * c0 + ((Math.imul(v, 0x01010101) >>> 24) & 0xff);
      if (n + 1 < N) {
        v = twos1 - ((twos1 >>> 1) & 0x55555555);
        u = ones1 - ((ones1 >>> 1) & 0x55555555);
        v = 2 * ((v & 0x33333333) + ((v >>> 2) & 0x33333333)) + (u & 0x33333333) + ((u >>> 2) & 0x33333333);
        v = (v & 0x0f0f0f0f) + ((v >>> 4) & 0x0f0f0f0f);
        out[m * N + n + 1] = 4 * c1 + ((Math.imul(v, 0x01010101) >>> 24) & 0xff);
      }
    }
  }
}

// Words of bit2Gemm's byte-count chunk (x2 for the two planes): <= 24 per byte and word, 10 words <= 240.
const BIT2_CHUNK = 2 * 10;

export class Bit2JsKernel extends BitJsKernel {
  constructor(id: string, shape: Shape) {
    super(id, 'bit2', shape);
  }

  protected compute(): void {
    bit2Gemm(this.w, this.x, this.wLayout.strideWords, this.shape.M, this.shape.N, this.out);
  }
}

/**
 * Ternary on its offset values x + 1 in {0, 1, 2}: sum xw = sum (x+1)(w+1) - sum x - sum w - K,
 * the raw sum from ternary2bChain (not bit2Gemm, see there).
 */
export class Ternary2bJsKernel extends BitJsKernel {
  private readonly wSums: Int32Array;
  private readonly xSums: Int32Array;

  constructor(id: string, shape: Shape) {
    super(id, 'ternary2b', shape);
    this.wSums = new Int32Array(shape.M);
    this.xSums = new Int32Array(shape.N);
  }

  protected override packWeights(w: LogicalArray): void {
    super.packWeights(w);
    rowSums(w, this.shape.M, this.shape.K, this.wSums);
  }

  protected override packActivations(x: LogicalArray): void {
    super.packActivations(x);
    rowSums(x, this.shape.N, this.shape.K, this.xSums);
  }

  protected override packActivationsFromFloat(x: Float32Array, q: QuantizerParams): boolean {
    return super.packActivationsFromFloat(x, q, this.xSums);
  }

  protected compute(): void {
    const { M, N, K } = this.shape;
    const out = this.out;
    ternary2bChain(this.w, this.x, this.wLayout.strideWords, M, N, out);
    for (let m = 0; m < M; m++) {
      const bias = this.wSums[m] + K;
      const row = m * N;
      for (let n = 0; n < N; n++) out[row + n] -= bias + this.xSums[n];
    }
  }
}

// Words (x2 planes) of ternary2bChain's byte-count chunk: <= 8 per byte and word, 31 words <= 248.
const TERNARY2B_CHAIN_CHUNK = 2 * 31;

/**
 * ternary2b's raw sum ll + 2 (lh + hl) + 4 hh as one carry-save chain with one SWAR popcount
 * per word pair (bit2Gemm needs two): offset values never set both planes at a position
 * (padding is 0), so ll, mid = lh | hl and hh are disjoint and every OR below adds disjoint bits:
 *   k = (ones & ll) | mid; ones ^= ll; c4 = (twos & k) | hh; twos ^= k; count += popcount(c4)
 * and sum = 4 count + 2 popcount(twos) + popcount(ones) (native/src/kernels.inc ternary2b_cs).
 * The popcount stops at byte counts (<= 8 per byte and word) summed across bytes once per 31
 * words, as fatnnByteCounts does. 2x2 tile: 12 state values plus 8 loaded words spill a little
 * on x64 but still beat the 1x2 tile of bit2Gemm's layout. Measured in one process (scratch
 * copies of the loops, 7 interleaved rounds, load ~3.8, GMAC/s median on the ResNet-18 shapes):
 * 2x2 chain 7.2-8.7 vs bit2Gemm 3.5-5.5 (1.34-1.72x, median ~1.53x; 1.40x at K = 64, 1.46x at
 * K = 128), the chain in a 1x2 tile 0.88-0.97x the 2x2 one. No K range keeps bit2Gemm.
 * Written out with no calls in the loop (issue #15, see bit2Gemm).
 */
function ternary2bChain(w: Uint32Array, x: Uint32Array, stride: number, M: number, N: number, out: Int32Array): void {
  for (let m = 0; m < M; m += 2) {
    const w0 = m * stride;
    const w1 = w0 + stride;
    for (let n = 0; n < N; n += 2) {
      const x0 = n * stride;
      const x1 = x0 + stride;
      let c00 = 0, c01 = 0, c10 = 0, c11 = 0;
      let o00 = 0, o01 = 0, o10 = 0, o11 = 0;
      let t00 = 0, t01 = 0, t10 = 0, t11 = 0;
      for (let i0 = 0; i0 < stride; i0 += TERNARY2B_CHAIN_CHUNK) {
        const end = Math.min(i0 + TERNARY2B_CHAIN_CHUNK, stride);
        let b00 = 0, b01 = 0, b10 = 0, b11 = 0;
        for (let i = i0; i < end; i += 2) {
          const xl0 = x[x0 + i], xh0 = x[x0 + i + 1], xl1 = x[x1 + i], xh1 = x[x1 + i + 1];
          let wl = w[w0 + i], wh = w[w0 + i + 1];
          let ll = wl & xl0;
          let k = (o00 & ll) | (wl & xh0) | (wh & xl0);
          o00 ^= ll;
          let u = (t00 & k) | (wh & xh0);
          t00 ^= k;
          u -= (u >>> 1) & 0x55555555;
          u = (u & 0x33333333) + ((u >>> 2) & 0x33333333);
          b00 += (u + (u >>> 4)) & 0x0f0f0f0f;
          ll = wl & xl1;
          k = (o01 & ll) | (wl & xh1) | (wh & xl1);
          o01 ^= ll;
          u = (t01 & k) | (wh & xh1);
          t01 ^= k;
          u -= (u >>> 1) & 0x55555555;
          u = (u & 0x33333333) + ((u >>> 2) & 0x33333333);
          b01 += (u + (u >>> 4)) & 0x0f0f0f0f;
          wl = w[w1 + i];
          wh = w[w1 + i + 1];
          ll = wl & xl0;
          k = (o10 & ll) | (wl & xh0) | (wh & xl0);
          o10 ^= ll;
          u = (t10 & k) | (wh & xh0);
          t10 ^= k;
          u -= (u >>> 1) & 0x55555555;
          u = (u & 0x33333333) + ((u >>> 2) & 0x33333333);
          b10 += (u + (u >>> 4)) & 0x0f0f0f0f;
          ll = wl & xl1;
          k = (o11 & ll) | (wl & xh1) | (wh & xl1);
          o11 ^= ll;
          u = (t11 & k) | (wh & xh1);
          t11 ^= k;
          u -= (u >>> 1) & 0x55555555;
          u = (u & 0x33333333) + ((u >>> 2) & 0x33333333);
          b11 += (u + (u >>> 4)) & 0x0f0f0f0f;
        }
        c00 += (b00 & 0xff) + ((b00 >>> 8) & 0xff) + ((b00 >>> 16) & 0xff) + (b00 >>> 24);
        c01 += (b01 & 0xff) + ((b01 >>> 8) & 0xff) + ((b01 >>> 16) & 0xff) + (b01 >>> 24);
        c10 += (b10 & 0xff) + ((b10 >>> 8) & 0xff) + ((b10 >>> 16) & 0xff) + (b10 >>> 24);
        c11 += (b11 & 0xff) + ((b11 >>> 8) & 0xff) + ((b11 >>> 16) & 0xff) + (b11 >>> 24);
      }
      storeTile2x2(out, M, N, m, n,
        4 * c00 + 2 * pc(t00) + pc(o00), 4 * c01 + 2 * pc(t01) + pc(o01),
        4 * c10 + 2 * pc(t10) + pc(o10), 4 * c11 + 2 * pc(t11) + pc(o11));
    }
  }
}

/**
 * FATNN on the zero plane z and sign plane s (packing.ts): per 32-bit word pair the product is 0
 * on z = zw | zx, -1 on neg = ~z & (sw ^ sx), +1 elsewhere, so dot = K - popcount(z) -
 * 2 popcount(neg) over the stored words (padding has z = s = 0 in both operands and cancels
 * against the real K).
 *
 * Carry-save (FasterTNN, ISLPED 2025): per output a bit vector `ones` and a count `twos`;
 * per word twos += popcount((ones & z) | neg), ones ^= z (the carry ones & z lies inside z,
 * neg outside it, so the OR adds them); at the end popcount(z) + 2 popcount(neg) summed over K
 * is 2 twos + popcount(ones). One SWAR popcount (~12 ops) per word pair instead of two:
 * measured 1.30x the two-popcount nonzero-mask loop (median over the ResNet-18 layers, 1.25-1.46
 * per layer, interleaved in one process; it wins from K = 64 on). A second carry-save level
 * (Harley-Seal: two words per step into a `twos` bit vector, one popcount of the fours carry)
 * measured 1.00x against this one and 0.65-0.70x for K <= 128: not kept.
 */
export class FatnnJsKernel extends BitJsKernel {
  constructor(id: string, shape: Shape) {
    super(id, 'fatnn', shape);
  }

  protected compute(): void {
    const { M, N, K } = this.shape;
    const stride = this.wLayout.strideWords;
    if (stride > FATNN_BYTE_COUNT_MIN_STRIDE) fatnnByteCounts(this.w, this.x, stride, M, N, K, this.out);
    else fatnnCarrySave(this.w, this.x, stride, M, N, K, this.out);
  }
}

/** The carry-save loop with one whole SWAR popcount per word (K <= 256, see fatnnByteCounts). */
function fatnnCarrySave(w: Uint32Array, x: Uint32Array, stride: number, M: number, N: number, K: number, out: Int32Array): void {
  for (let m = 0; m < M; m += 2) {
    const w0 = m * stride;
    const w1 = w0 + stride;
    for (let n = 0; n < N; n += 2) {
      const x0 = n * stride;
      const x1 = x0 + stride;
      let o00 = 0, o01 = 0, o10 = 0, o11 = 0;
      let t00 = 0, t01 = 0, t10 = 0, t11 = 0;
      for (let i = 0; i < stride; i += 2) {
        const zw0 = w[w0 + i], sw0 = w[w0 + i + 1], zw1 = w[w1 + i], sw1 = w[w1 + i + 1];
        const zx0 = x[x0 + i], sx0 = x[x0 + i + 1], zx1 = x[x1 + i], sx1 = x[x1 + i + 1];
        let z = zw0 | zx0;
        t00 += pc((o00 & z) | (~z & (sw0 ^ sx0)));
        o00 ^= z;
        z = zw0 | zx1;
        t01 += pc((o01 & z) | (~z & (sw0 ^ sx1)));
        o01 ^= z;
        z = zw1 | zx0;
        t10 += pc((o10 & z) | (~z & (sw1 ^ sx0)));
        o10 ^= z;
        z = zw1 | zx1;
        t11 += pc((o11 & z) | (~z & (sw1 ^ sx1)));
        o11 ^= z;
      }
      storeTile2x2(out, M, N, m, n, K - 2 * t00 - pc(o00), K - 2 * t01 - pc(o01), K - 2 * t10 - pc(o10), K - 2 * t11 - pc(o11));
    }
  }
}

// fatnnByteCounts from this many words per row (2 per 32 positions) on: K > 256.
const FATNN_BYTE_COUNT_MIN_STRIDE = 16;
// Words (of 32 positions) per byte-counter chunk: 8 per byte and word, 31 words <= 248.
const FATNN_BYTE_CHUNK_WORDS = 31;

/**
 * The carry-save loop with the SWAR popcount stopped at byte counts (<= 8 per byte and word):
 * they add up in one 32-bit counter per output for 31 words, and are summed across bytes once per
 * chunk. Saves the multiply and shift that finish each popcount; the weight-2 input is
 * d ^ ((d ^ ones) & z) (= (ones & z) | (d & ~z), 3 ops instead of 5). Written out with no
 * calls in the loop, so its speed does not depend on V8's inlining (issue #15). Measured in one
 * process, interleaved, 9 rounds, loaded machine (scratch copy of both loops): best times
 * 1.05-1.08x the whole-popcount loop for K >= 576, 0.76-0.92x for K <= 256 (a 4-byte sum per
 * output and chunk outweighs 2-8 words), hence the threshold. A second carry-save level
 * (Harley-Seal, measured 1.00x) and nibble counts of two words before the byte step (1.22x vs
 * 1.39x for this form over the pre-#14 loop, 16 loads per iteration spill) were not kept.
 */
function fatnnByteCounts(w: Uint32Array, x: Uint32Array, stride: number, M: number, N: number, K: number, out: Int32Array): void {
  const chunk = 2 * FATNN_BYTE_CHUNK_WORDS;
  for (let m = 0; m < M; m += 2) {
    const w0 = m * stride;
    const w1 = w0 + stride;
    for (let n = 0; n < N; n += 2) {
      const x0 = n * stride;
      const x1 = x0 + stride;
      let o00 = 0, o01 = 0, o10 = 0, o11 = 0;
      let c00 = 0, c01 = 0, c10 = 0, c11 = 0;
      for (let i0 = 0; i0 < stride; i0 += chunk) {
        const end = Math.min(i0 + chunk, stride);
        let t00 = 0, t01 = 0, t10 = 0, t11 = 0;
        for (let i = i0; i < end; i += 2) {
          const zw0 = w[w0 + i], sw0 = w[w0 + i + 1], zw1 = w[w1 + i], sw1 = w[w1 + i + 1];
          const zx0 = x[x0 + i], sx0 = x[x0 + i + 1], zx1 = x[x1 + i], sx1 = x[x1 + i + 1];
          let z = zw0 | zx0, d = sw0 ^ sx0;
          let u = d ^ ((d ^ o00) & z);
          o00 ^= z;
          u -= (u >>> 1) & 0x55555555;
          u = (u & 0x33333333) + ((u >>> 2) & 0x33333333);
          t00 += (u + (u >>> 4)) & 0x0f0f0f0f;
          z = zw0 | zx1;
          d = sw0 ^ sx1;
          u = d ^ ((d ^ o01) & z);
          o01 ^= z;
          u -= (u >>> 1) & 0x55555555;
          u = (u & 0x33333333) + ((u >>> 2) & 0x33333333);
          t01 += (u + (u >>> 4)) & 0x0f0f0f0f;
          z = zw1 | zx0;
          d = sw1 ^ sx0;
          u = d ^ ((d ^ o10) & z);
          o10 ^= z;
          u -= (u >>> 1) & 0x55555555;
          u = (u & 0x33333333) + ((u >>> 2) & 0x33333333);
          t10 += (u + (u >>> 4)) & 0x0f0f0f0f;
          z = zw1 | zx1;
          d = sw1 ^ sx1;
          u = d ^ ((d ^ o11) & z);
          o11 ^= z;
          u -= (u >>> 1) & 0x55555555;
          u = (u & 0x33333333) + ((u >>> 2) & 0x33333333);
          t11 += (u + (u >>> 4)) & 0x0f0f0f0f;
        }
        c00 += (t00 & 0xff) + ((t00 >>> 8) & 0xff) + ((t00 >>> 16) & 0xff) + (t00 >>> 24);
        c01 += (t01 & 0xff) + ((t01 >>> 8) & 0xff) + ((t01 >>> 16) & 0xff) + (t01 >>> 24);
        c10 += (t10 & 0xff) + ((t10 >>> 8) & 0xff) + ((t10 >>> 16) & 0xff) + (t10 >>> 24);
        c11 += (t11 & 0xff) + ((t11 >>> 8) & 0xff) + ((t11 >>> 16) & 0xff) + (t11 >>> 24);
      }
      storeTile2x2(out, M, N, m, n, K - 2 * c00 - pc(o00), K - 2 * c01 - pc(o01), K - 2 * c10 - pc(o10), K - 2 * c11 - pc(o11));
    }
  }
}

/** Binary: K - 2 * popcount(x ^ w) over the real K (padding bits are 0 in both, XOR to 0). */
export class BinaryJsKernel extends BitJsKernel {
  constructor(id: string, shape: Shape) {
    super(id, 'binary', shape);
  }

  protected compute(): void {
    const { M, N, K } = this.shape;
    const stride = this.wLayout.strideWords;
    if (stride >= BINARY_HARLEY_SEAL_MIN_STRIDE) binaryHarleySeal(this.w, this.x, stride, M, N, K, this.out);
    else binaryPlain(this.w, this.x, stride, M, N, K, this.out);
  }
}

/** One SWAR popcount per word (K <= 224, see binaryHarleySeal). */
function binaryPlain(w: Uint32Array, x: Uint32Array, stride: number, M: number, N: number, K: number, out: Int32Array): void {
  for (let m = 0; m < M; m += 2) {
    const w0 = m * stride;
    const w1 = w0 + stride;
    for (let n = 0; n < N; n += 2) {
      const x0 = n * stride;
      const x1 = x0 + stride;
      let c00 = 0, c01 = 0, c10 = 0, c11 = 0;
      for (let i = 0; i < stride; i++) {
        const a0 = w[w0 + i], a1 = w[w1 + i];
        const b0 = x[x0 + i], b1 = x[x1 + i];
        c00 += pc(a0 ^ b0);
        c01 += pc(a0 ^ b1);
        c10 += pc(a1 ^ b0);
        c11 += pc(a1 ^ b1);
      }
      storeTile2x2(out, M, N, m, n, K - 2 * c00, K - 2 * c01, K - 2 * c10, K - 2 * c11);
    }
  }
}

// binaryHarleySeal from this many words per row on (K > 224).
const BINARY_HARLEY_SEAL_MIN_STRIDE = 8;
// Words per byte-counter chunk: one carry (<= 8 per byte) per word pair, 31 pairs <= 248.
const BINARY_HS_CHUNK_WORDS = 62;

/**
 * Harley-Seal over word pairs: per output a bit vector `ones`; a carry-save adder takes ones and
 * the two XOR words p, q (ones' = ones ^ p ^ q, carry = majority(ones, p, q), weight 2), so one
 * SWAR popcount per two words, stopped at byte counts that add up for 31 pairs (the fatnn/js
 * trick); popcount(x ^ w) over K = 2 carries + popcount(ones). Measured against the one-popcount
 * loop in one process (scratch copy of both, 15 interleaved rounds, loaded machine): 1.05-1.59x
 * (median 1.16x) for K >= 576, 1.07x at K = 256, 0.82-0.89x for K <= 128 (hence the threshold).
 * Byte counts alone (no carry-save) measured 1.00x. The odd last word takes a whole popcount.
 */
function binaryHarleySeal(w: Uint32Array, x: Uint32Array, stride: number, M: number, N: number, K: number, out: Int32Array): void {
  const pairEnd = stride & ~1;
  for (let m = 0; m < M; m += 2) {
    const w0 = m * stride;
    const w1 = w0 + stride;
    for (let n = 0; n < N; n += 2) {
      const x0 = n * stride;
      const x1 = x0 + stride;
      let c00 = 0, c01 = 0, c10 = 0, c11 = 0;
      let o00 = 0, o01 = 0, o10 = 0, o11 = 0;
      for (let i0 = 0; i0 < pairEnd; i0 += BINARY_HS_CHUNK_WORDS) {
        const end = Math.min(i0 + BINARY_HS_CHUNK_WORDS, pairEnd);
        let t00 = 0, t01 = 0, t10 = 0, t11 = 0;
        for (let i = i0; i < end; i += 2) {
          const a0 = w[w0 + i], a1 = w[w1 + i], b0 = x[x0 + i], b1 = x[x1 + i];
          const A0 = w[w0 + i + 1], A1 = w[w1 + i + 1], B0 = x[x0 + i + 1], B1 = x[x1 + i + 1];
          let p = a0 ^ b0, q = A0 ^ B0, s = o00 ^ p;
          let u = (o00 & p) | (s & q);
          o00 = s ^ q;
          u -= (u >>> 1) & 0x55555555;
          u = (u & 0x33333333) + ((u >>> 2) & 0x33333333);
          t00 += (u + (u >>> 4)) & 0x0f0f0f0f;
          p = a0 ^ b1;
          q = A0 ^ B1;
          s = o01 ^ p;
          u = (o01 & p) | (s & q);
          o01 = s ^ q;
          u -= (u >>> 1) & 0x55555555;
          u = (u & 0x33333333) + ((u >>> 2) & 0x33333333);
          t01 += (u + (u >>> 4)) & 0x0f0f0f0f;
          p = a1 ^ b0;
          q = A1 ^ B0;
          s = o10 ^ p;
          u = (o10 & p) | (s & q);
          o10 = s ^ q;
          u -= (u >>> 1) & 0x55555555;
          u = (u & 0x33333333) + ((u >>> 2) & 0x33333333);
          t10 += (u + (u >>> 4)) & 0x0f0f0f0f;
          p = a1 ^ b1;
          q = A1 ^ B1;
          s = o11 ^ p;
          u = (o11 & p) | (s & q);
          o11 = s ^ q;
          u -= (u >>> 1) & 0x55555555;
          u = (u & 0x33333333) + ((u >>> 2) & 0x33333333);
          t11 += (u + (u >>> 4)) & 0x0f0f0f0f;
        }
        c00 += 2 * ((t00 & 0xff) + ((t00 >>> 8) & 0xff) + ((t00 >>> 16) & 0xff) + (t00 >>> 24));
        c01 += 2 * ((t01 & 0xff) + ((t01 >>> 8) & 0xff) + ((t01 >>> 16) & 0xff) + (t01 >>> 24));
        c10 += 2 * ((t10 & 0xff) + ((t10 >>> 8) & 0xff) + ((t10 >>> 16) & 0xff) + (t10 >>> 24));
        c11 += 2 * ((t11 & 0xff) + ((t11 >>> 8) & 0xff) + ((t11 >>> 16) & 0xff) + (t11 >>> 24));
      }
      if (pairEnd < stride) {
        const a0 = w[w0 + pairEnd], a1 = w[w1 + pairEnd], b0 = x[x0 + pairEnd], b1 = x[x1 + pairEnd];
        c00 += pc(a0 ^ b0);
        c01 += pc(a0 ^ b1);
        c10 += pc(a1 ^ b0);
        c11 += pc(a1 ^ b1);
      }
      c00 += pc(o00);
      c01 += pc(o01);
      c10 += pc(o10);
      c11 += pc(o11);
      storeTile2x2(out, M, N, m, n, K - 2 * c00, K - 2 * c01, K - 2 * c10, K - 2 * c11);
    }
  }
}
