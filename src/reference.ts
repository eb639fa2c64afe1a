// The exact reference: a naive triple loop over logical values, the ground truth for every kernel.

import { checkShape } from './shapes.js';
import type { LogicalArray, Precision, ResultArray, Shape } from './types.js';

/**
 * C[m][n] = sum_k W[m][k] * X[n][k] on logical values. Integer precisions sum exactly in
 * doubles (|C| < 2^53) and return Int32Array; fp32 returns the double sum rounded once.
 */
export function referenceGemm(precision: Precision, shape: Shape, w: LogicalArray, x: LogicalArray): ResultArray {
  checkShape(shape);
  const { M, N, K } = shape;
  if (w.length !== M * K) throw new RangeError(`W has ${w.length} values, expected M*K = ${M * K}`);
  if (x.length !== N * K) throw new RangeError(`X has ${x.length} values, expected N*K = ${N * K}`);
  const out = precision === 'fp32' ? new Float32Array(M * N) : new Int32Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += w[m * K + k] * x[n * K + k];
      out[m * N + n] = acc;
    }
  }
  return out;
}

/** Index of the first element where two results differ, or -1. */
export function firstMismatch(expected: ResultArray, actual: ResultArray): number {
  if (expected.length !== actual.length) return Math.min(expected.length, actual.length);
  for (let i = 0; i < expected.length; i++) if (expected[i] !== actual[i]) return i;
  return -1;
}
