// The six precisions: logical value sets, random operand generation and the op-count model.
// Bit-level semantics are in the README's Precisions table; packing lives in packing.ts.

import { createRng, randomInt } from './rng.js';
import { checkShape } from './shapes.js';
import type { LogicalArray, Precision, Shape } from './types.js';

export interface PrecisionSpec {
  readonly id: Precision;
  readonly title: string;
  /** Inclusive range of logical values (fp32 test data uses small integers so sums stay exact). */
  readonly min: number;
  readonly max: number;
  /** Values inside [min, max] that are not allowed (binary has no 0). */
  readonly excluded?: number;
  /**
   * Op-count model: 128-bit vector instructions per 128 logical elements of one inner product
   * (fp32: 32 mul + 32 add; int8: 8 x (2 extmul + 2 extadd_pairwise + 2 add); bit2/ternary2b:
   * 4 AND + 4 popcount + 4 accumulate; fatnn: AND, XOR, AND + 2 popcount + 2 accumulate;
   * binary: XOR + popcount + accumulate). Expected speedup of A over B is ops(B) / ops(A).
   */
  readonly opsPer128: number;
  /** Popcounts per 128 elements: the paper's own measure (4 / 2 / 1). 0 for fp32 and int8. */
  readonly popcountsPer128: number;
}

export const PRECISION_SPECS: Readonly<Record<Precision, PrecisionSpec>> = {
  fp32: { id: 'fp32', title: 'float32 x float32', min: -8, max: 8, opsPer128: 64, popcountsPer128: 0 },
  int8: { id: 'int8', title: 'int8 x int8 -> int32', min: -128, max: 127, opsPer128: 48, popcountsPer128: 0 },
  bit2: { id: 'bit2', title: 'unsigned 2-bit {0..3}, 4 AND+popcount', min: 0, max: 3, opsPer128: 12, popcountsPer128: 4 },
  ternary2b: { id: 'ternary2b', title: 'ternary {-1,0,1} on the 2-bit kernel', min: -1, max: 1, opsPer128: 12, popcountsPer128: 4 },
  fatnn: { id: 'fatnn', title: 'FATNN ternary {-1,0,1}, 2 popcounts', min: -1, max: 1, opsPer128: 7, popcountsPer128: 2 },
  binary: { id: 'binary', title: 'binary {-1,+1}, XOR+popcount', min: -1, max: 1, excluded: 0, opsPer128: 3, popcountsPer128: 1 },
};

/** Expected speedup of `precision` over `baseline` from the op-count model. */
export function modelSpeedup(precision: Precision, baseline: Precision): number {
  return PRECISION_SPECS[baseline].opsPer128 / PRECISION_SPECS[precision].opsPer128;
}

export function allocLogical(precision: Precision, length: number): LogicalArray {
  return precision === 'fp32' ? new Float32Array(length) : new Int8Array(length);
}

/** `random`, or every value at the extreme: `max`/`min` (worst cases for overflow and signs). */
export type FillMode = 'random' | 'max' | 'min';

/** Logical operand values for one side of a GEMM. */
export function randomLogical(precision: Precision, length: number, seed: number, mode: FillMode = 'random'): LogicalArray {
  const spec = PRECISION_SPECS[precision];
  const out = allocLogical(precision, length);
  if (mode !== 'random') {
    out.fill(mode === 'max' ? spec.max : spec.min);
    return out;
  }
  const rng = createRng(seed);
  for (let i = 0; i < length; i++) {
    let v = randomInt(rng, spec.min, spec.max);
    if (v === spec.excluded) v = rng() & 1 ? spec.max : spec.min;
    out[i] = v;
  }
  return out;
}

export interface Operands {
  readonly w: LogicalArray;
  readonly x: LogicalArray;
}

/** W (M*K) and X (N*K) from one seed; X uses a derived seed so W != X. */
export function randomOperands(
  precision: Precision,
  shape: Shape,
  seed: number,
  modes: { w: FillMode; x: FillMode } = { w: 'random', x: 'random' },
): Operands {
  // The size rule every shape source shares, before anything is allocated.
  checkShape(shape);
  return {
    w: randomLogical(precision, shape.M * shape.K, seed, modes.w),
    x: randomLogical(precision, shape.N * shape.K, (seed ^ 0x9e3779b9) >>> 0, modes.x),
  };
}

export function isPrecision(value: string): value is Precision {
  return Object.prototype.hasOwnProperty.call(PRECISION_SPECS, value);
}
