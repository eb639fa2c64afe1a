// Activation quantizers: float32 (what the previous layer produces) to each precision's logical
// values, the first half of the `fromFloat` cost view of issue #14 (not wired into the runner yet).
// `quantizeValue` is the reference, one value at a time and written for obviousness;
// `quantize` is the array form a timed path would run, checked against it in the tests.

/**
 * Parameters of each precision's activation quantizer.
 * - fatnn, ternary2b: two thresholds, x < low -> -1, x >= high -> +1, else 0 (the FATNN paper's
 *   activation quantizer has learned, non-uniform thresholds: they are parameters here).
 * - bit2: three ascending thresholds, the level is how many of them x reaches (0..3).
 * - binary: sign, x < 0 -> -1, else +1 (so -0 and +0 give +1).
 * - int8: x / scale rounded half away from zero, clamped to [-128, 127].
 * - fp32: the identity (its "from float" cost is the GEMM alone).
 */
export type QuantizerParams =
  | { readonly precision: 'fatnn' | 'ternary2b'; readonly low: number; readonly high: number }
  | { readonly precision: 'bit2'; readonly thresholds: readonly [number, number, number] }
  | { readonly precision: 'binary' }
  | { readonly precision: 'int8'; readonly scale: number }
  | { readonly precision: 'fp32' };

/** Throws a RangeError when the parameters cannot define a quantizer (NaN, unordered, scale <= 0). */
export function checkQuantizerParams(p: QuantizerParams): void {
  const finite = (v: number, what: string): void => {
    if (!Number.isFinite(v)) throw new RangeError(`${p.precision} quantizer: ${what} must be a finite number, got ${v}`);
  };
  switch (p.precision) {
    case 'fatnn':
    case 'ternary2b':
      finite(p.low, 'low');
      finite(p.high, 'high');
      if (p.low > p.high) throw new RangeError(`${p.precision} quantizer: low (${p.low}) must not exceed high (${p.high})`);
      break;
    case 'bit2':
      p.thresholds.forEach((t, i) => finite(t, `thresholds[${i}]`));
      if (!(p.thresholds[0] <= p.thresholds[1] && p.thresholds[1] <= p.thresholds[2])) {
        throw new RangeError(`bit2 quantizer: thresholds must ascend, got ${p.thresholds.join(', ')}`);
      }
      break;
    case 'int8':
      finite(p.scale, 'scale');
      if (p.scale <= 0) throw new RangeError(`int8 quantizer: scale must be positive, got ${p.scale}`);
      break;
    case 'binary':
    case 'fp32':
      break;
  }
}

/**
 * The reference: one float to its logical value. NaN has no level and throws; +-Infinity
 * saturate to the highest / lowest level (int8: 127 / -128; fp32 keeps them).
 */
export function quantizeValue(p: QuantizerParams, x: number): number {
  if (Number.isNaN(x)) throw new RangeError(`${p.precision} quantizer: NaN has no quantized value`);
  switch (p.precision) {
    case 'fatnn':
    case 'ternary2b':
      if (x < p.low) return -1;
      if (x >= p.high) return 1;
      return 0;
    case 'bit2': {
      let level = 0;
      for (const t of p.thresholds) if (x >= t) level++;
      return level;
    }
    case 'binary':
      return x < 0 ? -1 : 1;
    case 'int8': {
      const scaled = x / p.scale;
      const rounded = scaled < 0 ? -Math.round(-scaled) : Math.round(scaled); // half away from zero
      return Math.min(127, Math.max(-128, rounded)) + 0; // + 0: an int8 has no -0
    }
    case 'fp32':
      return x;
  }
}

/**
 * Quantizes `input` into `out` (Int8Array, or Float32Array for fp32; allocated when absent).
 * Same results as `quantizeValue` for every element; a NaN throws a RangeError naming its index.
 */
export function quantize(p: QuantizerParams, input: Float32Array, out?: Int8Array | Float32Array): Int8Array | Float32Array {
  checkQuantizerParams(p);
  const n = input.length;
  const dst = out ?? (p.precision === 'fp32' ? new Float32Array(n) : new Int8Array(n));
  if (dst.length < n) throw new RangeError(`quantize: output holds ${dst.length} values, input ${n}`);
  if (p.precision === 'fp32') {
    dst.set(input);
    return dst;
  }
  // Every loop is branch-free (`+(a >= b)`, not `a >= b ? 1 : 0`) and in a small function of
  // its own: on random activations a branch per compare mispredicts half the time, and the
  // 64x3136x576 layer's 1.8 M floats took 35-50 ms to ternarize with branches, ~4 ms without.
  // NaN fails every comparison, so the loops would give it a level: each one counts NaNs as it
  // goes, and a NaN throws afterwards.
  const q = dst as Int8Array;
  let nans: number;
  switch (p.precision) {
    case 'fatnn':
    case 'ternary2b':
      nans = ternarize(input, q, n, p.low, p.high);
      break;
    case 'bit2':
      nans = levels3(input, q, n, p.thresholds[0], p.thresholds[1], p.thresholds[2]);
      break;
    case 'binary':
      nans = signs(input, q, n);
      break;
    case 'int8':
      nans = scaleRoundClamp(input, q, n, p.scale);
      break;
  }
  if (nans > 0) {
    for (let i = 0; i < n; i++) if (input[i] !== input[i]) throw new RangeError(`${p.precision} quantizer: NaN at index ${i}`);
  }
  return dst;
}

function ternarize(input: Float32Array, dst: Int8Array, n: number, low: number, high: number): number {
  let nans = 0;
  for (let i = 0; i < n; i++) {
    const x = input[i]!;
    nans += +(x !== x);
    dst[i] = +(x >= high) - +(x < low);
  }
  return nans;
}

function levels3(input: Float32Array, dst: Int8Array, n: number, t0: number, t1: number, t2: number): number {
  let nans = 0;
  for (let i = 0; i < n; i++) {
    const x = input[i]!;
    nans += +(x !== x);
    dst[i] = +(x >= t0) + +(x >= t1) + +(x >= t2);
  }
  return nans;
}

function signs(input: Float32Array, dst: Int8Array, n: number): number {
  let nans = 0;
  for (let i = 0; i < n; i++) {
    const x = input[i]!;
    nans += +(x !== x);
    dst[i] = 1 - 2 * +(x < 0);
  }
  return nans;
}

/**
 * Half away from zero without a branch: trunc(s) plus a step of +-1 where the fraction (exact in
 * double) reaches 0.5; the clamp is by masks from s >= 127.5 and s <= -128.5 (which also cover
 * +-Infinity and the |s| >= 2^31 that `s | 0` would wrap). Math.min/max or `?:` clamps cost 2-3x
 * as much here (20-40 ms for the 64x3136x576 activations against 9-12, loaded machine).
 */
function scaleRoundClamp(input: Float32Array, dst: Int8Array, n: number, scale: number): number {
  let nans = 0;
  for (let i = 0; i < n; i++) {
    const x = input[i]!;
    nans += +(x !== x);
    const s = x / scale;
    const t = s | 0;
    const d = s - t;
    const r = t + +(d >= 0.5) - +(d <= -0.5);
    const hi = -+(s >= 127.5);
    const lo = -+(s <= -128.5);
    dst[i] = (r & ~(hi | lo)) | (127 & hi) | (-128 & lo);
  }
  return nans;
}
