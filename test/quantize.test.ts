// Activation quantizers (src/quantize.ts): the array form against the one-value reference at
// every threshold boundary, the defined edge cases (NaN, infinities, signed zero, rounding,
// clamping), parameter checks, and that every output packs as its precision's values.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packPlanes, planeLayout, type BitPrecision } from '../src/packing.js';
import { quantize, quantizeValue, type QuantizerParams } from '../src/quantize.js';
import { createRng } from '../src/rng.js';

/** The float32 just above a finite float32 v. */
function nextUp(v: number): number {
  if (v === 0) return 2 ** -149;
  const f = new Float32Array([v]);
  const bits = new Int32Array(f.buffer);
  bits[0] = bits[0]! + (v > 0 ? 1 : -1);
  return f[0]!;
}

/** The float32 just below and just above v. */
function neighbours(v: number): number[] {
  return [-nextUp(-v), nextUp(v)];
}

const PARAMS: QuantizerParams[] = [
  { precision: 'fatnn', low: Math.fround(-0.37), high: Math.fround(0.81) },
  { precision: 'ternary2b', low: Math.fround(-1.5), high: Math.fround(0.25) },
  { precision: 'bit2', thresholds: [Math.fround(0.1), Math.fround(0.6), Math.fround(2.2)] },
  { precision: 'binary' },
  { precision: 'int8', scale: Math.fround(0.05) },
];

function boundaries(p: QuantizerParams): number[] {
  const points = [0, -0, 1, -1, 1e30, -1e30, Infinity, -Infinity, 3.4e38, -3.4e38, 1e-45, -1e-45];
  if (p.precision === 'fatnn' || p.precision === 'ternary2b') points.push(p.low, p.high);
  if (p.precision === 'bit2') points.push(...p.thresholds);
  if (p.precision === 'int8') for (let k = -130; k <= 130; k++) points.push(Math.fround((k + 0.5) * p.scale), Math.fround(k * p.scale));
  return points.flatMap((v) => (Number.isFinite(v) ? [v, ...neighbours(v)] : [v]));
}

for (const p of PARAMS) {
  test(`${p.precision}: the array quantizer equals the reference at every boundary and on random floats`, () => {
    const rng = createRng(42);
    const values = [...boundaries(p), ...Array.from({ length: 2000 }, () => (rng() / 2 ** 32 - 0.5) * 8)];
    const input = new Float32Array(values);
    const out = quantize(p, input);
    for (let i = 0; i < input.length; i++) assert.equal(out[i], quantizeValue(p, input[i]!), `x = ${input[i]}`);
  });

  test(`${p.precision}: NaN is rejected with its index`, () => {
    assert.throws(() => quantize(p, new Float32Array([0, 1, NaN])), /NaN at index 2/);
    assert.throws(() => quantizeValue(p, NaN), /NaN/);
  });
}

test('ternary thresholds: x < low is -1, x >= high is +1, in between 0', () => {
  const p: QuantizerParams = { precision: 'fatnn', low: -0.5, high: 0.5 };
  assert.deepEqual([...quantize(p, new Float32Array([-0.5, -0.50001, 0.5, 0.49999, -Infinity, Infinity]))], [0, -1, 1, 0, -1, 1]);
});

test('bit2 counts the thresholds reached; binary is the sign with both zeros at +1', () => {
  const p: QuantizerParams = { precision: 'bit2', thresholds: [0, 1, 1] };
  assert.deepEqual([...quantize(p, new Float32Array([-1, 0, 0.5, 1, Infinity, -Infinity]))], [0, 1, 1, 3, 3, 0]);
  assert.deepEqual([...quantize({ precision: 'binary' }, new Float32Array([0, -0, -1e-45, 1e-45]))], [1, 1, -1, 1]);
});

test('int8 rounds half away from zero and clamps (infinities saturate)', () => {
  const p: QuantizerParams = { precision: 'int8', scale: 0.5 };
  assert.deepEqual([...quantize(p, new Float32Array([1.25, -1.25, 0.75, 63.5, 64, -64, -64.5, Infinity, -Infinity]))], [3, -3, 2, 127, 127, -128, -128, 127, -128]);
});

test('bad parameters are refused', () => {
  assert.throws(() => quantize({ precision: 'fatnn', low: 1, high: 0 }, new Float32Array(1)), /low \(1\) must not exceed high/);
  assert.throws(() => quantize({ precision: 'ternary2b', low: NaN, high: 0 }, new Float32Array(1)), /low must be a finite number/);
  assert.throws(() => quantize({ precision: 'bit2', thresholds: [1, 0, 2] }, new Float32Array(1)), /must ascend/);
  assert.throws(() => quantize({ precision: 'int8', scale: 0 }, new Float32Array(1)), /scale must be positive/);
  assert.throws(() => quantize({ precision: 'binary' }, new Float32Array(4), new Int8Array(3)), /output holds 3 values, input 4/);
});

test('every quantized activation packs as its precision', () => {
  const rng = createRng(7);
  const K = 77;
  const input = new Float32Array(Array.from({ length: 3 * K }, () => (rng() / 2 ** 32 - 0.5) * 6));
  input[5] = Infinity;
  input[6] = -Infinity;
  for (const p of PARAMS) {
    if (p.precision === 'int8') continue;
    const precision = p.precision as BitPrecision;
    const layout = planeLayout(precision, K, 3, 1);
    assert.doesNotThrow(() => packPlanes(precision, quantize(p, input), 3, K, layout, new Uint32Array(layout.rows * layout.strideWords)));
  }
});
