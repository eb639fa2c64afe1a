// Pure-JS fp32 and int8 kernels: 2x2 register tiles over K-contiguous rows.
// Doubles hold every partial sum exactly (|sum| < 2^53), so int8 needs no widening tricks.

import { KernelBase, storeTile2x2 } from '../../kernel-base.js';
import type { LogicalArray, Shape } from '../../types.js';

abstract class DenseJsKernel<A extends Float32Array | Int8Array> extends KernelBase {
  // Rows padded to even counts (zeros) so the 2x2 tile never needs a tail loop.
  protected readonly w: A;
  protected readonly x: A;

  constructor(id: string, precision: 'fp32' | 'int8', shape: Shape, alloc: (n: number) => A) {
    super(id, precision, shape);
    this.w = alloc((shape.M + (shape.M & 1)) * shape.K);
    this.x = alloc((shape.N + (shape.N & 1)) * shape.K);
  }

  protected packWeights(w: LogicalArray): void {
    this.w.set(w);
  }

  protected packActivations(x: LogicalArray): void {
    this.x.set(x);
  }

  protected compute(): void {
    const { M, N, K } = this.shape;
    const w = this.w;
    const x = this.x;
    const out = this.out;
    for (let m = 0; m < M; m += 2) {
      const w0 = m * K;
      const w1 = w0 + K;
      for (let n = 0; n < N; n += 2) {
        const x0 = n * K;
        const x1 = x0 + K;
        let c00 = 0, c01 = 0, c10 = 0, c11 = 0;
        for (let k = 0; k < K; k++) {
          const a0 = w[w0 + k], a1 = w[w1 + k];
          const b0 = x[x0 + k], b1 = x[x1 + k];
          c00 += a0 * b0;
          c01 += a0 * b1;
          c10 += a1 * b0;
          c11 += a1 * b1;
        }
        storeTile2x2(out, M, N, m, n, c00, c01, c10, c11);
      }
    }
  }
}

export class Fp32JsKernel extends DenseJsKernel<Float32Array> {
  constructor(id: string, shape: Shape) {
    super(id, 'fp32', shape, (n) => new Float32Array(n));
  }
}

export class Int8JsKernel extends DenseJsKernel<Int8Array> {
  constructor(id: string, shape: Shape) {
    super(id, 'int8', shape, (n) => new Int8Array(n));
  }
}
