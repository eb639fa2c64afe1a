// The cross-device matching rules of `compare`: kernel classes, the best native ISA per host,
// kernels no other file has, and when thread counts are compared.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { compareRuns } from '../src/compare/comparison.js';
import { chooseByClass, classOf, matchKernels, threadsWarning, unmatchedKernelsWarning } from '../src/compare/matching.js';
import type { LabelledRun } from '../src/compare/warnings.js';
import { readResultsFile } from '../src/results/io.js';
import type { ResultsFile } from '../src/results/schema.js';

const FIXTURES = new URL('../../test/fixtures/compare/', import.meta.url);

async function fixture(name: string): Promise<LabelledRun> {
  return { label: name, results: await readResultsFile(new URL(`${name}.json`, FIXTURES).pathname) };
}

/** A run that measured exactly `kernels` on one layer (times are irrelevant to matching). */
function runWith(label: string, kernels: readonly string[], overrides: { flags?: string[]; threads?: number } = {}): LabelledRun {
  const stats = { samples: 3, medianMs: 1, meanMs: 1, p25Ms: 1, p75Ms: 1, minMs: 1, maxMs: 1, madMs: 0, rmePercent: 0, sampleMs: [1, 1, 1] };
  const results = {
    host: { cpu: { flags: overrides.flags ?? [] } },
    config: { kernels, threads: overrides.threads ?? 0, precisions: [], backends: [] },
    skipped: [],
    layers: [
      {
        name: 'l',
        M: 1,
        N: 1,
        K: 64,
        count: 1,
        measurements: kernels.map((k) => ({ kernel: k, precision: k.slice(0, k.indexOf('/')), backend: 'js', verification: 'passed', gemm: stats })),
      },
    ],
  } as unknown as ResultsFile;
  return { label, results };
}

it('classifies kernel ids into precision, class and native ISA', () => {
  assert.deepEqual(classOf('fatnn/js'), { precision: 'fatnn', klass: 'js' });
  assert.deepEqual(classOf('bit2/wasm-scalar'), { precision: 'bit2', klass: 'wasm-scalar' });
  assert.deepEqual(classOf('fatnn/native-avx512'), { precision: 'fatnn', klass: 'native', isa: 'avx512' });
  assert.deepEqual(classOf('int8/workers-native-neon'), { precision: 'int8', klass: 'workers-native', isa: 'neon' });
  assert.deepEqual(classOf('fp32/workers-wasm-simd128'), { precision: 'fp32', klass: 'workers-wasm-simd128' });
});

it('chooses the best native ISA per host: AVX-512 over AVX2 over scalar', () => {
  const all = chooseByClass(['fatnn/native-scalar', 'fatnn/native-avx2', 'fatnn/native-avx512', 'fp32/native-avx2', 'fp32/native-avx512']);
  assert.equal(all.kernels.get('fatnn/native'), 'fatnn/native-avx512');
  assert.equal(all.kernels.get('fp32/native'), 'fp32/native-avx512');
  assert.equal(all.isas.get('native'), 'avx512');
  const noAvx512 = chooseByClass(['fatnn/native-scalar', 'fatnn/native-avx2']);
  assert.equal(noAvx512.kernels.get('fatnn/native'), 'fatnn/native-avx2');
  assert.equal(chooseByClass(['fatnn/native-scalar']).kernels.get('fatnn/native'), 'fatnn/native-scalar');
});

it('names NEON with or without the dot-product extension from the host flags', () => {
  assert.equal(chooseByClass(['fatnn/native-neon', 'fatnn/native-scalar'], ['asimd', 'asimddp']).isas.get('native'), 'neon+dotprod');
  assert.equal(chooseByClass(['fatnn/native-neon'], ['dotprod']).isas.get('native'), 'neon+dotprod');
  assert.equal(chooseByClass(['fatnn/native-neon', 'fatnn/native-scalar'], ['asimd']).isas.get('native'), 'neon');
  assert.equal(chooseByClass(['fatnn/native-neon', 'fatnn/native-scalar'], ['asimd']).kernels.get('fatnn/native'), 'fatnn/native-neon');
});

it('falls back to the next ISA for a precision the best ISA lacks, and keeps workers-native apart', () => {
  const c = chooseByClass(['fatnn/native-avx512', 'fp32/native-avx2', 'fp32/native-scalar', 'fatnn/workers-native-avx2']);
  assert.equal(c.kernels.get('fatnn/native'), 'fatnn/native-avx512');
  assert.equal(c.kernels.get('fp32/native'), 'fp32/native-avx2');
  assert.equal(c.kernels.get('fatnn/workers-native'), 'fatnn/workers-native-avx2');
  assert.equal(c.isas.get('workers-native'), 'avx2');
});

it('pairs an x86 host native row with an arm64 host native row, each cell naming its ISA', () => {
  const m = matchKernels([runWith('laptop', ['fatnn/native-avx2', 'fatnn/native-avx512', 'fp32/native-avx512']), runWith('board', ['fatnn/native-neon', 'fp32/native-neon'], { flags: ['asimddp'] })], 'class');
  const fatnn = m.rows.find((r) => r.key === 'fatnn/native')!;
  assert.deepEqual(fatnn.kernels, ['fatnn/native-avx512', 'fatnn/native-neon']);
  assert.deepEqual(fatnn.isas, ['avx512', 'neon+dotprod']);
  assert.equal(m.unmatched.length, 0);
});

it('--match id keeps exact ids: ISAs of different hosts never share a row', () => {
  const m = matchKernels([runWith('laptop', ['fatnn/native-avx2', 'fatnn/js']), runWith('board', ['fatnn/native-neon', 'fatnn/js'])], 'id');
  assert.deepEqual(
    m.rows.map((r) => r.key),
    ['fatnn/js'],
  );
  assert.deepEqual(m.unmatched.map((u) => u.label).sort(), ['fatnn/native-avx2', 'fatnn/native-neon']);
});

it('leaves out kernels no other file has, named in a single warning', async () => {
  const laptop = runWith('laptop', ['fatnn/js', 'binary/js', 'fatnn/wasm-scalar', 'fp32/js']);
  const board = runWith('board', ['fatnn/js', 'fp32/js', 'int8/js']);
  const m = matchKernels([laptop, board], 'class');
  assert.deepEqual(
    m.rows.map((r) => r.key),
    ['fatnn/js', 'fp32/js'],
  );
  const left = unmatchedKernelsWarning(m, [laptop, board]);
  assert.equal(left.length, 1);
  assert.match(left[0]!, /^3 kernel\(s\) left out .*: laptop: binary\/js \(board: not selected by its filters\), fatnn\/wasm-scalar \(board: [^)]+\); board: int8\/js \(laptop: not selected by its filters\)$/);
});

it('compares thread counts only between files that ran workers kernels', () => {
  const workers1 = runWith('w1', ['fatnn/workers-js'], { threads: 1 });
  const workers2 = runWith('w2', ['fatnn/workers-js'], { threads: 2 });
  const single = runWith('single', ['fatnn/js'], { threads: 0 });
  assert.deepEqual(threadsWarning([workers1, single]), []);
  assert.deepEqual(threadsWarning([single, workers2]), []);
  assert.equal(threadsWarning([workers1, workers2, single]).length, 1);
  assert.match(threadsWarning([workers1, workers2, single])[0]!, /worker thread counts differ \(w1: 1, w2: 2\)/);
  assert.deepEqual(threadsWarning([workers2, runWith('w2b', ['fp32/workers-js'], { threads: 2 })]), []);
});

it('compares the real x86 and arm64 fixtures row by row, each host against its own fp32 of the same ISA', async () => {
  const x86 = await fixture('x64-native');
  const arm = await fixture('fixture-arm64-native');
  const c = compareRuns([x86, arm]);
  const rows = c.rows.filter((r) => r.kernel === 'fatnn/native');
  assert.equal(rows.length, 3);
  for (const row of rows) {
    assert.deepEqual(row.kernels, ['fatnn/native-avx2', 'fatnn/native-neon']);
    assert.deepEqual(row.isas, ['avx2', 'neon+dotprod']);
    for (const [i, run] of [x86, arm].entries()) {
      const layer = run.results.layers.find((l) => l.M === row.layer.M && l.N === row.layer.N && l.K === row.layer.K)!;
      const isa = i === 0 ? 'avx2' : 'neon';
      const t = (k: string) => layer.measurements.find((m) => m.kernel === k)!.gemm!.medianMs;
      assert.equal(row.cells[i]!.speedup, t(`fp32/native-${isa}`) / t(`fatnn/native-${isa}`));
    }
  }
  assert.ok(!c.warnings.some((w) => /left out/.test(w)), 'every class is on both hosts');
  assert.ok(!c.rows.some((r) => r.kernels.some((k) => k?.includes('native-scalar'))), 'scalar is never the best native ISA here');
});
