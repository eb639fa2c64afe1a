// Pure-JS popcount kernels (bit2, ternary2b, fatnn, binary) on 32-bit words.
// Each uses a 2x2 register tile: the planes of two weight rows and two activation rows are
// loaded once per word and used four times. Planes are interleaved per word (packing.ts, one
// word per group) so one row's planes for a word sit side by side.

import { KernelBase, storeTile2x2 } from '../../kernel-base.js';
import { packPlanes, planeLayout, rowSums, type BitPrecision, type PlaneLayout } from '../../packing.js';
import type { LogicalArray, Shape } from '../../types.js';
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
}

/**
 * sum_{i,j} 2^(i+j) popcount(x_i & w_j): the raw 2-bit inner products into `out`.
 * A 1x2 tile, not 2x2: with four planes per row a 2x2 tile needs more live values than x64
 * has registers, and the spills cost more than the reuse gains (measured: 2x2 ~1.5x slower).
 */
function bit2Gemm(w: Uint32Array, x: Uint32Array, stride: number, M: number, N: number, out: Int32Array): void {
  for (let m = 0; m < M; m++) {
    const w0 = m * stride;
    for (let n = 0; n < N; n += 2) {
      const x0 = n * stride;
      const x1 = x0 + stride;
      let c0 = 0, c1 = 0;
      for (let i = 0; i < stride; i += 2) {
        const al = w[w0 + i], ah = w[w0 + i + 1];
        const b0l = x[x0 + i], b0h = x[x0 + i + 1], b1l = x[x1 + i], b1h = x[x1 + i + 1];
        c0 += pc(al & b0l) + 2 * (pc(al & b0h) + pc(ah & b0l)) + 4 * pc(ah & b0h);
        c1 += pc(al & b1l) + 2 * (pc(al & b1h) + pc(ah & b1l)) + 4 * pc(ah & b1h);
      }
      out[m * N + n] = c0;
      if (n + 1 < N) out[m * N + n + 1] = c1;
    }
  }
}

export class Bit2JsKernel extends BitJsKernel {
  constructor(id: string, shape: Shape) {
    super(id, 'bit2', shape);
  }

  protected compute(): void {
    bit2Gemm(this.w, this.x, this.wLayout.strideWords, this.shape.M, this.shape.N, this.out);
  }
}

/** Ternary on the 2-bit kernel: sum xw = sum (x+1)(w+1) - sum x - sum w - K. */
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

  protected compute(): void {
    const { M, N, K } = this.shape;
    const out = this.out;
    bit2Gemm(this.w, this.x, this.wLayout.strideWords, M, N, out);
    for (let m = 0; m < M; m++) {
      const bias = this.wSums[m] + K;
      const row = m * N;
      for (let n = 0; n < N; n++) out[row + n] -= bias + this.xSums[n];
    }
  }
}

/** FATNN: per word popcount(mx & mw) - 2 * popcount(mx & mw & (sx ^ sw)). */
export class FatnnJsKernel extends BitJsKernel {
  constructor(id: string, shape: Shape) {
    super(id, 'fatnn', shape);
  }

  protected compute(): void {
    const { M, N } = this.shape;
    const stride = this.wLayout.strideWords;
    const w = this.w;
    const x = this.x;
    for (let m = 0; m < M; m += 2) {
      const w0 = m * stride;
      const w1 = w0 + stride;
      for (let n = 0; n < N; n += 2) {
        const x0 = n * stride;
        const x1 = x0 + stride;
        let c00 = 0, c01 = 0, c10 = 0, c11 = 0;
        for (let i = 0; i < stride; i += 2) {
          const am0 = w[w0 + i], as0 = w[w0 + i + 1], am1 = w[w1 + i], as1 = w[w1 + i + 1];
          const bm0 = x[x0 + i], bs0 = x[x0 + i + 1], bm1 = x[x1 + i], bs1 = x[x1 + i + 1];
          let t = am0 & bm0;
          c00 += pc(t) - 2 * pc(t & (as0 ^ bs0));
          t = am0 & bm1;
          c01 += pc(t) - 2 * pc(t & (as0 ^ bs1));
          t = am1 & bm0;
          c10 += pc(t) - 2 * pc(t & (as1 ^ bs0));
          t = am1 & bm1;
          c11 += pc(t) - 2 * pc(t & (as1 ^ bs1));
        }
        storeTile2x2(this.out, M, N, m, n, c00, c01, c10, c11);
      }
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
    const w = this.w;
    const x = this.x;
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
        storeTile2x2(this.out, M, N, m, n, K - 2 * c00, K - 2 * c01, K - 2 * c10, K - 2 * c11);
      }
    }
  }
}
