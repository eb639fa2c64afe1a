// `compare` on real results files from two hosts and from repeated runs: alignment by shape and
// kernel, per-host speedups, geometric means, change detection, warnings and the renderers.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { compareRuns, labelsFor } from '../src/compare/comparison.js';
import { renderComparison } from '../src/compare/render.js';
import type { LabelledRun } from '../src/compare/warnings.js';
import { UsageError } from '../src/errors.js';
import { findLosses } from '../src/gates/regression.js';
import { readResultsFile } from '../src/results/io.js';
import type { LayerResult, Measurement, ResultsFile } from '../src/results/schema.js';

const FIXTURES = new URL('../../test/fixtures/compare/', import.meta.url);

async function fixture(name: string): Promise<LabelledRun> {
  return { label: name, results: await readResultsFile(new URL(`${name}.json`, FIXTURES).pathname) };
}

function medianOf(results: ResultsFile, shape: string, kernel: string): number {
  const layer = results.layers.find((l) => `${l.M}x${l.N}x${l.K}` === shape)!;
  return layer.measurements.find((m) => m.kernel === kernel)!.gemm!.medianMs;
}

function withLayers(run: LabelledRun, label: string, map: (layers: readonly LayerResult[]) => LayerResult[]): LabelledRun {
  return { label, results: { ...run.results, layers: map(run.results.layers) } };
}

it('aligns two hosts by layer shape and kernel, with each host speedup vs its own fp32', async () => {
  const a = await fixture('x64-threads1');
  const b = await fixture('fixture-host-b-arm64');
  const c = compareRuns([a, b]);
  assert.equal(c.layers.length, 3);
  assert.equal(c.rows.length, 9);
  const row = c.rows.find((r) => r.layer.name === 'conv4 down 1x1' && r.kernel === 'fatnn/workers-js')!;
  for (const [i, run] of [a, b].entries()) {
    const fatnn = medianOf(run.results, '256x196x128', 'fatnn/workers-js');
    const fp32 = medianOf(run.results, '256x196x128', 'fp32/workers-js');
    assert.equal(row.cells[i]!.medianMs, fatnn);
    assert.equal(row.cells[i]!.speedup, fp32 / fatnn);
  }
});

it('puts the geometric mean of each host speedups over the layers in the geomean row', async () => {
  const c = compareRuns([await fixture('x64-threads1'), await fixture('fixture-host-b-arm64')]);
  const geo = c.geomean.find((g) => g.kernel === 'fatnn/workers-js')!;
  for (const i of [0, 1]) {
    const speedups = c.rows.filter((r) => r.kernel === 'fatnn/workers-js').map((r) => r.cells[i]!.speedup!);
    assert.equal(speedups.length, 3);
    const expected = Math.cbrt(speedups[0]! * speedups[1]! * speedups[2]!);
    assert.ok(Math.abs(geo.speedups[i]! - expected) < 1e-12 * expected);
  }
  assert.equal(geo.timeRatios[0], 1);
});

it('warns that the hosts differ, and about nothing else, for the two-host fixtures', async () => {
  const c = compareRuns([await fixture('x64-threads1'), await fixture('fixture-host-b-arm64')]);
  assert.equal(c.warnings.length, 1);
  assert.match(c.warnings[0]!, /different hosts .*FIXTURE host-b/);
});

it('warns when thread counts differ', async () => {
  const c = compareRuns([await fixture('x64-threads1'), await fixture('x64-threads2')]);
  assert.ok(c.warnings.some((w) => /worker thread counts differ \(x64-threads1: 1, x64-threads2: 2\)/.test(w)));
  assert.ok(!c.warnings.some((w) => /different hosts/.test(w)));
});

it('warns when tool versions differ', async () => {
  const a = await fixture('x64-threads1');
  const b = await fixture('x64-threads1-rerun');
  const newer: LabelledRun = { label: 'newer', results: { ...b.results, tool: { name: 'fatnn-bench', version: '9.9.9' } } };
  const c = compareRuns([a, newer]);
  assert.ok(c.warnings.some((w) => /different fatnn-bench versions \(x64-threads1: 0\.1\.0, newer: 9\.9\.9\)/.test(w)));
});

it('leaves out layers not measured by every run, with a warning naming them', async () => {
  const a = await fixture('x64-threads1');
  const fewer = withLayers(await fixture('x64-threads1-rerun'), 'fewer', (ls) => ls.slice(1));
  const c = compareRuns([a, fewer]);
  assert.deepEqual(c.layers.map((l) => l.name), ['conv4 down 1x1', 'conv5_x 3x3 512']);
  assert.ok(c.warnings.some((w) => /left out \(x64-threads1: 128x784x1152\)/.test(w)));
});

it('keeps kernels measured by only some of three runs as blank cells, with a warning', async () => {
  const a = await fixture('x64-threads1');
  const noFatnn = withLayers(await fixture('x64-threads1-rerun'), 'nofatnn', (ls) => ls.map((l) => ({ ...l, measurements: l.measurements.filter((m) => m.precision !== 'fatnn') })));
  const c = compareRuns([a, noFatnn, await fixture('x64-threads2')]);
  const row = c.rows.find((r) => r.kernel === 'fatnn/workers-js')!;
  assert.equal(row.cells[1], undefined);
  assert.equal(row.changes[1], undefined);
  assert.ok(c.warnings.some((w) => /fatnn\/workers-js \(nofatnn: selected but not measured on these layers\)/.test(w)));
});

it('leaves out a kernel no other run has, with one warning, but the gate still counts it lost', async () => {
  const a = await fixture('x64-threads1');
  const noFatnn = withLayers(await fixture('x64-threads1-rerun'), 'nofatnn', (ls) => ls.map((l) => ({ ...l, measurements: l.measurements.filter((m) => m.precision !== 'fatnn') })));
  const c = compareRuns([a, noFatnn]);
  assert.equal(c.rows.filter((r) => r.kernel === 'fatnn/workers-js').length, 0);
  assert.equal(c.warnings.filter((w) => /left out/.test(w)).length, 1);
  assert.ok(c.warnings.some((w) => /1 kernel\(s\) left out .*x64-threads1: fatnn\/workers-js/.test(w)));
  assert.equal(findLosses(c).filter((l) => l.kernel === 'fatnn/workers-js' && l.kind === 'missing').length, 3);
});

it('refuses runs with no layer shape in common', async () => {
  const a = await fixture('x64-threads1');
  const other = withLayers(await fixture('x64-threads2'), 'other', (ls) => ls.map((l) => ({ ...l, K: l.K + 1 })));
  assert.throws(() => compareRuns([a, other]), (err: Error) => err instanceof UsageError && /no layer shape in common/.test(err.message));
});

it('detects the slowdowns of the busier rerun and leaves noise as no change', async () => {
  const c = compareRuns([await fixture('x64-threads1'), await fixture('x64-threads1-rerun')]);
  const change = (shape: string, kernel: string) => c.rows.find((r) => `${r.layer.M}x${r.layer.N}x${r.layer.K}` === shape && r.kernel === kernel)!.changes[1]!;
  const slow = change('512x49x4608', 'fp32/workers-js');
  assert.equal(slow.verdict, 'slower');
  assert.ok(slow.pValue! < 0.001);
  const a = await fixture('x64-threads1');
  const b = await fixture('x64-threads1-rerun');
  assert.equal(slow.relative, medianOf(b.results, '512x49x4608', 'fp32/workers-js') / medianOf(a.results, '512x49x4608', 'fp32/workers-js') - 1);
  // +0.5% on the median, p = 0.47: noise.
  assert.equal(change('128x784x1152', 'ternary2b/workers-js').verdict, 'no change');
});

it('computes speedups vs a chosen baseline precision', async () => {
  const c = compareRuns([await fixture('x64-threads1'), await fixture('x64-threads2')], { baseline: 'ternary2b' });
  const row = c.rows.find((r) => r.kernel === 'ternary2b/workers-js')!;
  assert.equal(row.cells[0]!.speedup, 1);
  assert.equal(c.rows.find((r) => r.kernel === 'fp32/workers-js')!.cells[1]!.speedup! < 1, true);
});

it('renders Markdown with one table row per layer and kernel plus geomean rows and warnings', async () => {
  const c = compareRuns([await fixture('x64-threads1'), await fixture('x64-threads2')]);
  const md = renderComparison(c, 'md');
  // The headline blocks come first; the per-layer table is the collapsed one after them.
  const perLayer = md.slice(md.indexOf('<summary>Per layer'));
  const tableLines = perLayer.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---'));
  assert.equal(tableLines.length, 1 + 9 + 3);
  assert.match(tableLines[0]!, /^\| layer \| MxNxK \| kernel \| x64-threads1 ms \| x64-threads1 vs fp32 \| x64-threads2 ms \| x64-threads2 vs fp32 \| x64-threads2 vs x64-threads1 \|$/);
  assert.match(md, /\| geometric mean \| 3 layers \| fatnn\/workers-js \|/);
  assert.match(md, /\*\*Warnings\*\*\n\n- worker thread counts differ/);
});

it('renders CSV with raw numbers and the same number of fields on every line', async () => {
  const a = await fixture('x64-threads1');
  const c = compareRuns([a, await fixture('x64-threads2')]);
  const lines = renderComparison(c, 'csv').trimEnd().split('\n');
  assert.equal(lines.length, 1 + 9 + 3);
  const fields = lines.map((l) => l.split(',').length);
  assert.ok(fields.every((n) => n === 14), String(fields));
  assert.deepEqual(lines[1]!.split(',').slice(12), ['fp32/workers-js', 'fp32/workers-js']);
  const first = lines[1]!.split(',');
  assert.equal(Number(first[5]), medianOf(a.results, '128x784x1152', 'fp32/workers-js'));
  assert.ok(['slower', 'faster', 'no change'].includes(first[11]!));
});

it('renders the console table without colour codes when colour is off', async () => {
  const c = compareRuns([await fixture('x64-threads1'), await fixture('fixture-host-b-arm64')]);
  const text = renderComparison(c, 'console', { color: false });
  assert.doesNotMatch(text, /\x1b\[/);
  assert.match(text, /x64-threads1: AMD EPYC \(x64, 2 cores\)/);
  assert.match(text, /slower \(p[<=]/);
});

it('labels columns by file name, by folder when file names repeat, else by position', () => {
  assert.deepEqual(labelsFor(['/tmp/a.json', 'b.json']), ['a', 'b']);
  assert.deepEqual(labelsFor(['results-x64/results.json', 'dl/results-arm64/results.json']), ['results-x64', 'results-arm64']);
  assert.deepEqual(labelsFor(['a/x/run.json', 'b/x/run.json', 'c/other.JSON']), ['run#1', 'run#2', 'other']);
});

it('warns when a run measured no kernel of the baseline precision', async () => {
  const a = await fixture('x64-threads1');
  const noFp32 = withLayers(await fixture('x64-threads1-rerun'), 'nofp32', (ls) => ls.map((l) => ({ ...l, measurements: l.measurements.filter((m) => m.precision !== 'fp32') })));
  const c = compareRuns([a, noFp32]);
  assert.ok(c.rows.every((r) => r.cells[1] === undefined || r.cells[1].speedup === undefined));
  assert.ok(c.warnings.some((w) => /^nofp32 measured no fp32 kernel, so its speedup columns are blank/.test(w)));
});

it('marks speedups whose baseline comes from another variant of the backend', async () => {
  // wasm-scalar has no fp32 kernel of its own: its speedups divide fp32/wasm-simd128.
  const asWasm = (m: Measurement, kernel: string): Measurement => ({ ...m, kernel, backend: 'wasm' });
  const withVariant = (run: LabelledRun) =>
    withLayers(run, run.label, (ls) =>
      ls.map((l) => {
        const by = (k: string) => l.measurements.find((m) => m.kernel === k)!;
        return { ...l, measurements: [...l.measurements, asWasm(by('fp32/workers-js'), 'fp32/wasm-simd128'), asWasm(by('fatnn/workers-js'), 'fatnn/wasm-scalar')] };
      }),
    );
  const c = compareRuns([withVariant(await fixture('x64-threads1')), withVariant(await fixture('x64-threads2'))]);
  const row = c.rows.find((r) => r.kernel === 'fatnn/wasm-scalar')!;
  assert.equal(row.cells[0]!.borrowedBaseline, 'fp32/wasm-simd128');
  assert.equal(c.rows.find((r) => r.kernel === 'fatnn/workers-js')!.cells[0]!.borrowedBaseline, undefined);
  const md = renderComparison(c, 'md');
  assert.match(md, /\| fatnn\/wasm-scalar \| [\d.]+ \| [\d.]+x\* \|/);
  assert.match(md, /\* marks a baseline borrowed from another variant of the backend: fatnn\/wasm-scalar over fp32\/wasm-simd128\./);
});

/** `run` with `kernel` on layer `index` replaced by an error measurement (no time). */
function withError(run: LabelledRun, label: string, index: number, kernel: string): LabelledRun {
  return withLayers(run, label, (ls) =>
    ls.map((l, i) => (i !== index ? l : { ...l, measurements: l.measurements.map((m) => (m.kernel !== kernel ? m : { kernel: m.kernel, precision: m.precision, backend: m.backend, verification: 'skipped' as const, error: `${kernel} failed` })) })),
  );
}

const geoOf = (values: number[]) => Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);

it('averages every run over the same layers: those where every run has a value', async () => {
  const a = await fixture('x64-threads1');
  const b = withError(await fixture('x64-threads2'), 'b', 0, 'fatnn/workers-js');
  const c = compareRuns([a, b]);
  const geo = c.geomean.find((g) => g.kernel === 'fatnn/workers-js')!;
  assert.equal(geo.speedupLayers, 2);
  assert.equal(geo.timeLayers, 2);
  const rows = c.rows.filter((r) => r.kernel === 'fatnn/workers-js');
  // Run a has all three speedups, but only layers 2 and 3 are common to both runs.
  assert.equal(rows[0]!.cells[0]!.speedup !== undefined, true);
  for (const i of [0, 1]) {
    const expected = geoOf([rows[1]!.cells[i]!.speedup!, rows[2]!.cells[i]!.speedup!]);
    assert.ok(Math.abs(geo.speedups[i]! - expected) < 1e-12 * expected, `run ${i}`);
  }
  const ratio = geoOf([1, 2].map((k) => rows[k]!.cells[1]!.medianMs! / rows[k]!.cells[0]!.medianMs!));
  assert.ok(Math.abs(geo.timeRatios[1]! - ratio) < 1e-12 * ratio);
  // The other kernels keep all three layers, and each row is labelled with its own count.
  assert.deepEqual(c.geomean.map((g) => [g.kernel, g.speedupLayers, g.timeLayers]), [
    ['fp32/workers-js', 3, 3],
    ['ternary2b/workers-js', 3, 3],
    ['fatnn/workers-js', 2, 2],
  ]);
  const md = renderComparison(c, 'md');
  assert.match(md, /\| geometric mean \| 2 layers \| fatnn\/workers-js \|/);
  assert.match(md, /\| geometric mean \| 3 layers \| ternary2b\/workers-js \|/);
});

it('counts speedup and time layers apart when a run lost the baseline but kept the time', async () => {
  const a = await fixture('x64-threads1');
  const b = withError(await fixture('x64-threads1-rerun'), 'b', 1, 'fp32/workers-js');
  const c = compareRuns([a, b]);
  const geo = c.geomean.find((g) => g.kernel === 'fatnn/workers-js')!;
  assert.deepEqual([geo.speedupLayers, geo.timeLayers], [2, 3]);
  const rows = c.rows.filter((r) => r.kernel === 'fatnn/workers-js');
  const expected = geoOf([rows[0]!.cells[0]!.speedup!, rows[2]!.cells[0]!.speedup!]);
  assert.ok(Math.abs(geo.speedups[0]! - expected) < 1e-12 * expected);
  assert.match(renderComparison(c, 'md'), /\| geometric mean \| 2 layers \(times: 3\) \| fatnn\/workers-js \|/);
});

it('keeps every occurrence of a repeated shape, matched in order, with a warning', async () => {
  const twice = (run: LabelledRun, label: string) => withLayers(run, label, (ls) => [ls[0]!, { ...ls[0]!, name: 'again' }, ...ls.slice(1)]);
  const a = twice(await fixture('x64-threads1'), 'a');
  const c = compareRuns([a, twice(await fixture('x64-threads1-rerun'), 'b')]);
  assert.deepEqual(c.layers.map((l) => l.name), ['conv3_x 3x3 128', 'again', 'conv4 down 1x1', 'conv5_x 3x3 512']);
  assert.equal(c.rows.length, 12);
  assert.deepEqual([...new Set(c.rows.map((r) => r.layerKey))], ['128x784x1152', '128x784x1152 #2', '256x196x128', '512x49x4608']);
  assert.ok(c.geomean.every((g) => g.speedupLayers === 4));
  assert.ok(c.warnings.some((w) => /^a measured the same shape more than once \(128x784x1152 2 times: conv3_x 3x3 128, again\)/.test(w)));
  assert.ok(c.warnings.some((w) => /^b measured the same shape more than once/.test(w)));

  const once = compareRuns([a, await fixture('x64-threads1')]);
  assert.equal(once.layers.length, 3);
  assert.deepEqual(once.missingLayers.map((m) => [m.run, m.layerKey, m.layer.name, m.kernels.length]), [[1, '128x784x1152 #2', 'again', 3]]);
  assert.ok(once.warnings.some((w) => /left out \(a: 128x784x1152 #2\)/.test(w)));
});

it('shows no time and no change for a kernel whose result was wrong', async () => {
  const a = await fixture('x64-threads1');
  const b = withLayers(await fixture('x64-threads1-rerun'), 'b', (ls) =>
    ls.map((l) => ({ ...l, measurements: l.measurements.map((m) => (m.kernel === 'fatnn/workers-js' ? { kernel: m.kernel, precision: m.precision, backend: m.backend, verification: 'failed' as const, error: 'wrong result' } : m)) })),
  );
  const row = compareRuns([a, b]).rows.find((r) => r.kernel === 'fatnn/workers-js')!;
  assert.deepEqual(row.cells[1], { error: 'wrong result', problem: 'wrong result' });
  assert.equal(row.changes[1], undefined);
});

it('puts the hosts\' headline blocks side by side when the terminal is wide enough, else one under the other', async () => {
  const c = compareRuns([await fixture('x64-native'), await fixture('fixture-arm64-native')]);
  const wide = renderComparison(c, 'console', { color: false, width: 220 });
  assert.match(wide, /^native \(avx2\) .* native \(neon\+dotprod\) /m);
  const narrow = renderComparison(c, 'console', { color: false, width: 100 });
  assert.match(narrow, /^native \(avx2\) +1\.00x~ +[\d.]+x~ +[\d.]+x~ +[\d.]+x~$/m);
  assert.match(narrow, /^native \(neon\+dotprod\) /m);
  const headlinePart = narrow.slice(0, narrow.indexOf('x64-native: AMD EPYC (x64'));
  for (const line of headlinePart.split('\n')) assert.ok([...line].length <= 100, line);
});
