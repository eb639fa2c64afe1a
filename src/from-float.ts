// The `fromFloat` cost view's vocabulary (issue #14 item 4): default quantizer parameters per
// precision, seeded float activations that reach every quantization level, the float32 form of
// thresholds that fused packers compare in, and the generic quantize-then-pack fallback.
// Platform-neutral: no node: imports (the browser build runs it too).

import { checkQuantizerParams, quantize, type QuantizerParams } from './quantize.js';
import { createRng } from './rng.js';
import type { Kernel, Precision } from './types.js';

/**
 * The quantizers a run uses when none are given. Activations of a BN'd layer are roughly
 * N(0, 1); the ternary thresholds are deliberately not symmetric (FATNN learns non-uniform
 * ones), bit2's are non-uniform too, and int8's scale covers +-4 in 1/32 steps. Every value is a
 * float32 (binary fraction), so the thresholds a fused packer compares in are the ones stated.
 */
export const DEFAULT_QUANTIZERS: Readonly<Record<Precision, QuantizerParams>> = {
  fp32: { precision: 'fp32' },
  int8: { precision: 'int8', scale: 0.03125 },
  bit2: { precision: 'bit2', thresholds: [0.25, 0.75, 1.5] },
  ternary2b: { precision: 'ternary2b', low: -0.625, high: 0.5 },
  fatnn: { precision: 'fatnn', low: -0.625, high: 0.5 },
  binary: { precision: 'binary' },
};

/** The float32 just above `v` (v a finite float32 value). */
function nextUpF32(v: number): number {
  if (v === 0) return 2 ** -149;
  const f = new Float32Array([v]);
  const bits = new Int32Array(f.buffer);
  bits[0] = bits[0]! + (v > 0 ? 1 : -1);
  return f[0]!;
}

/**
 * The smallest float32 >= t (+Infinity past the float32 range). For every float32 x,
 * `x < t` iff `x < ceilF32(t)` and `x >= t` iff `x >= ceilF32(t)`: a fused packer comparing in
 * float32 against it gives exactly the reference's double comparisons, whatever t is.
 */
export function ceilF32(t: number): number {
  const f = Math.fround(t);
  if (f >= t) return f;
  return f === 3.4028234663852886e38 ? Infinity : nextUpF32(f);
}

/**
 * Thresholds in the order fused packers take them (float32 values; see ceilF32), or the int8
 * scale as given (int8 divides in double, like the reference). fp32 and binary have none.
 */
export function fusedQuantizerArgs(q: QuantizerParams): Float64Array {
  checkQuantizerParams(q);
  switch (q.precision) {
    case 'fatnn':
    case 'ternary2b':
      return Float64Array.of(ceilF32(q.low), ceilF32(q.high));
    case 'bit2':
      return Float64Array.from(q.thresholds, ceilF32);
    case 'int8':
      return Float64Array.of(q.scale);
    case 'binary':
    case 'fp32':
      return new Float64Array(0);
  }
}

/** The points where the quantizer changes level (empty for fp32). */
function boundariesOf(q: QuantizerParams): number[] {
  switch (q.precision) {
    case 'fatnn':
    case 'ternary2b':
      return [q.low, q.high];
    case 'bit2':
      return [...q.thresholds];
    case 'binary':
      return [0];
    case 'int8':
      return [-128.5 * q.scale, 127.5 * q.scale];
    case 'fp32':
      return [];
  }
}

/**
 * N*K float activations from a seed, spread so that every level of `q` occurs: uniform over the
 * thresholds' span widened by its own width (at least 1; int8: 4 steps) on each side, with one value in 32 put
 * exactly on a threshold (so verification crosses the boundaries on every run), and +-0.
 */
export function randomFloatActivations(q: QuantizerParams, length: number, seed: number): Float32Array {
  checkQuantizerParams(q);
  const b = boundariesOf(q);
  const lo = Math.min(...b), hi = Math.max(...b);
  // int8: a few values past either end (clamped), most inside: a layer's scale is chosen so.
  const margin = q.precision === 'int8' ? 4 * q.scale : Math.max(1, hi - lo);
  const from = lo - margin, width = hi - lo + 2 * margin;
  const rng = createRng(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const r = rng();
    if ((r & 31) === 0) {
      const pick = (r >>> 5) % (b.length + 2);
      out[i] = pick < b.length ? b[pick]! : pick === b.length ? 0 : -0;
    } else {
      out[i] = from + (rng() / 2 ** 32) * width;
    }
  }
  return out;
}

/**
 * The generic `fromFloat` path of a kernel without a fused one: quantize into a reusable
 * Int8Array (the reference-equal `quantize`), then the kernel's own activation packing.
 * fp32's quantizer is the identity: the floats are its operand.
 */
export class QuantizeThenPack {
  private scratch: Int8Array | undefined;

  setActivations(kernel: Pick<Kernel, 'setActivations' | 'precision'>, x: Float32Array, q: QuantizerParams): void {
    if (q.precision !== kernel.precision) throw new RangeError(`a ${q.precision} quantizer cannot feed a ${kernel.precision} kernel`);
    if (kernel.precision === 'fp32') {
      kernel.setActivations(x);
      return;
    }
    if (this.scratch?.length !== x.length) this.scratch = new Int8Array(x.length);
    kernel.setActivations(quantize(q, x, this.scratch) as Int8Array);
  }
}

/**
 * A `--quantizer` argument: `fatnn:LOW,HIGH`, `ternary2b:LOW,HIGH`, `bit2:T0,T1,T2`,
 * `int8:SCALE` (binary and fp32 have no parameters). Throws a RangeError with a one-line reason.
 */
export function parseQuantizer(text: string): QuantizerParams {
  const at = text.indexOf(':');
  const precision = at < 0 ? text : text.slice(0, at);
  const numbers = at < 0 ? [] : text.slice(at + 1).split(',').map((s) => s.trim());
  const values = numbers.map((s) => (s === '' ? NaN : Number(s)));
  const want = (n: number, shape: string): void => {
    if (values.length !== n || values.some((v) => !Number.isFinite(v))) throw new RangeError(`expected ${precision}:${shape} with finite numbers, got "${text}"`);
  };
  let q: QuantizerParams;
  switch (precision) {
    case 'fatnn':
    case 'ternary2b':
      want(2, 'LOW,HIGH');
      q = { precision, low: values[0]!, high: values[1]! };
      break;
    case 'bit2':
      want(3, 'T0,T1,T2');
      q = { precision, thresholds: [values[0]!, values[1]!, values[2]!] };
      break;
    case 'int8':
      want(1, 'SCALE');
      q = { precision, scale: values[0]! };
      break;
    default:
      throw new RangeError(`expected fatnn:LOW,HIGH, ternary2b:LOW,HIGH, bit2:T0,T1,T2 or int8:SCALE, got "${text}" (binary and fp32 take no parameters)`);
  }
  checkQuantizerParams(q);
  return q;
}
