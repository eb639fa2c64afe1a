// Which baseline kernel a speedup divides by: the kernel's own variant whenever the run has one
// (even when it failed on this layer: then no speedup), else only a declared donor variant of
// the same ISA family (wasm-scalar <- wasm-simd128, and the same for their workers versions).
// Also: the raw-sample subsample the results keep.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerResult, Measurement, TimingStats } from '../src/results/schema.js';
import { MAX_KEPT_SAMPLES, subsample, summarize } from '../src/results/stats.js';
import { baselineFor, baselineKernelId, donorVariant, runKernelIds, speedupVs } from '../src/results/speedups.js';
import type { Backend, Precision } from '../src/types.js';

function stats(ms: number): TimingStats {
  return summarize([ms, ms, ms]);
}

function timed(kernel: string, backend: Backend, ms: number): Measurement {
  return { kernel, precision: kernel.split('/')[0] as Precision, backend, verification: 'passed', gemm: stats(ms) };
}

function errored(kernel: string, backend: Backend): Measurement {
  return { kernel, precision: kernel.split('/')[0] as Precision, backend, verification: 'skipped', error: 'kernel threw' };
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
    errored('fp32/native-avx512', 'native'),
    timed('fatnn/native-avx512', 'native', 1),
    timed('fp32/native-avx2', 'native', 8),
    timed('fatnn/native-avx2', 'native', 2),
  ],
};
const m = (id: string) => layer.measurements.find((x) => x.kernel === id)!;

test('a kernel is compared with the baseline of its own variant', () => {
  assert.equal(baselineFor(layer, m('fatnn/workers-js'), 'fp32', 'gemm')?.kernel, 'fp32/workers-js');
  assert.equal(speedupVs(layer, m('fatnn/workers-js'), 'fp32'), 5);
  assert.equal(speedupVs(layer, m('fatnn/native-avx2'), 'fp32'), 4);
});

test('wasm-scalar and workers-wasm-scalar borrow from their simd128 counterpart only', () => {
  assert.equal(baselineFor(layer, m('fatnn/workers-wasm-scalar'), 'fp32', 'gemm')?.kernel, 'fp32/workers-wasm-simd128');
  assert.equal(speedupVs(layer, m('fatnn/workers-wasm-scalar'), 'fp32'), 2.5);
  assert.equal(baselineFor(layer, m('fatnn/wasm-scalar'), 'fp32', 'gemm')?.kernel, 'fp32/wasm-simd128');
  assert.equal(donorVariant('wasm-scalar'), 'wasm-simd128');
  assert.equal(donorVariant('workers-wasm-scalar'), 'workers-wasm-simd128');
  for (const v of ['js', 'wasm-simd128', 'native-scalar', 'native-avx2', 'native-avx512', 'native-neon', 'workers-js', 'workers-native-scalar']) assert.equal(donorVariant(v), undefined, v);
});

test('an own-variant baseline that failed on this layer gives no speedup, never another variant\'s', () => {
  assert.equal(baselineFor(layer, m('fatnn/native-avx512'), 'fp32', 'gemm'), undefined);
  assert.equal(speedupVs(layer, m('fatnn/native-avx512'), 'fp32'), undefined);
});

test('an own-variant baseline present elsewhere in the run but absent from this layer is not replaced', () => {
  const without: LayerResult = { ...layer, measurements: layer.measurements.filter((x) => x.kernel !== 'fp32/native-avx512') };
  const run = runKernelIds({ config: { kernels: [] }, layers: [layer, without] });
  assert.equal(baselineFor(without, m('fatnn/native-avx512'), 'fp32', 'gemm', run), undefined);
  assert.equal(baselineKernelId('fatnn/native-avx512', 'fp32', runKernelIds({ config: { kernels: ['fp32/native-avx512'] }, layers: [without] })), 'fp32/native-avx512');
});

test('native ISAs never borrow from each other, and nothing borrows across backends', () => {
  // `-k fatnn/native-avx512 -k fp32/native-scalar`: an AVX-512 over scalar ratio is no precision speedup.
  const run = new Set(['fatnn/native-avx512', 'fp32/native-scalar']);
  assert.equal(baselineKernelId('fatnn/native-avx512', 'fp32', run), undefined);
  assert.equal(baselineFor(layer, m('fatnn/native-scalar'), 'fp32', 'gemm'), undefined);
  assert.equal(speedupVs(layer, m('fatnn/native-scalar'), 'fp32'), undefined);
  assert.equal(baselineKernelId('fatnn/js', 'fp32', new Set(['fp32/workers-js', 'fp32/wasm-simd128'])), undefined);
  assert.equal(baselineKernelId('fatnn/wasm-scalar', 'fp32', new Set(['fp32/workers-wasm-simd128'])), undefined);
});

test('kept samples are a deterministic uniform subset of the raw samples, in their original order', () => {
  const raw = Array.from({ length: 5000 }, (_, i) => 5000 - i + (i % 7) / 10);
  const kept = summarize(raw).sampleMs;
  assert.equal(kept.length, MAX_KEPT_SAMPLES);
  assert.deepEqual(summarize(raw).sampleMs, kept, 'deterministic');
  let j = 0;
  for (const v of kept) {
    while (j < raw.length && Math.abs(raw[j]! - v) > 1e-9) j++;
    assert.ok(j < raw.length, 'a subsequence of the raw samples');
    j++;
  }
  // Uniform over positions: each tenth of the run holds about a tenth of the kept samples.
  const picked = subsample(raw.map((_, i) => i), MAX_KEPT_SAMPLES);
  for (let d = 0; d < 10; d++) {
    const inDecile = picked.filter((i) => Math.floor(i / 500) === d).length;
    assert.ok(inDecile > 25 && inDecile < 75, `decile ${d}: ${inDecile}`);
  }
  assert.deepEqual(subsample([3, 1, 2], 500), [3, 1, 2], 'short runs are kept whole');
});
