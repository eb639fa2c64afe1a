// Which baseline kernel a speedup divides by: same variant first, else the closest variant of
// the same backend, never another backend.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerResult, Measurement, TimingStats } from '../src/results/schema.js';
import { summarize } from '../src/results/stats.js';
import { baselineFor, speedupVs } from '../src/results/speedups.js';
import type { Backend, Precision } from '../src/types.js';

function stats(ms: number): TimingStats {
  return summarize([ms, ms, ms]);
}

function timed(kernel: string, backend: Backend, ms: number): Measurement {
  return { kernel, precision: kernel.split('/')[0] as Precision, backend, verification: 'passed', gemm: stats(ms) };
}

const layer: LayerResult = {
  name: 'l',
  M: 4,
  N: 4,
  K: 4,
  count: 1,
  measurements: [
    timed('fp32/workers-js', 'workers', 100),
    timed('fp32/workers-wasm-simd128', 'workers', 10),
    timed('fatnn/workers-wasm-scalar', 'workers', 4),
    timed('fatnn/workers-js', 'workers', 20),
    timed('fp32/wasm-simd128', 'wasm', 12),
    timed('fatnn/wasm-scalar', 'wasm', 5),
    timed('fatnn/native-scalar', 'native', 3),
  ],
};
const m = (id: string) => layer.measurements.find((x) => x.kernel === id)!;

test('a kernel is compared with the baseline of its own variant', () => {
  assert.equal(baselineFor(layer, m('fatnn/workers-js'), 'fp32', 'gemm')?.kernel, 'fp32/workers-js');
  assert.equal(speedupVs(layer, m('fatnn/workers-js'), 'fp32'), 5);
});

test('a variant without the baseline borrows the closest variant of its backend', () => {
  assert.equal(baselineFor(layer, m('fatnn/workers-wasm-scalar'), 'fp32', 'gemm')?.kernel, 'fp32/workers-wasm-simd128');
  assert.equal(speedupVs(layer, m('fatnn/workers-wasm-scalar'), 'fp32'), 2.5);
  assert.equal(baselineFor(layer, m('fatnn/wasm-scalar'), 'fp32', 'gemm')?.kernel, 'fp32/wasm-simd128');
});

test('no baseline in the backend means no speedup, not one against another backend', () => {
  assert.equal(baselineFor(layer, m('fatnn/native-scalar'), 'fp32', 'gemm'), undefined);
  assert.equal(speedupVs(layer, m('fatnn/native-scalar'), 'fp32'), undefined);
});
