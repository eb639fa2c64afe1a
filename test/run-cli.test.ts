// End to end through the real executable: output files in every format and consistent with
// each other, non-TTY output without ANSI codes or progress, Ctrl-C leaving a valid partial
// results file with exit 130, and clear usage errors.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readResultsFile } from '../src/results/io.js';
import { cli, FAST, start } from './support/spawn-cli.js';

const KERNELS = ['-k', 'fp32/js', '-k', 'ternary2b/js', '-k', 'fatnn/js'];


async function tmpDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'fatnn-run-test-'));
}

test('run writes json, md, csv and html that agree with each other', async () => {
  const out = path.join(await tmpDir(), 'res');
  const r = await cli(['run', '--shape', '8x9x70', '--shape', '5x12x33', ...KERNELS, ...FAST, '--format', 'md,csv,json,html', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((await readdir(out)).sort(), ['results-detail.md', 'results.csv', 'results.html', 'results.json', 'results.md']);
  const results = await readResultsFile(path.join(out, 'results.json'));
  assert.equal(results.complete, true);
  assert.equal(results.layers.length, 2);
  assert.deepEqual(results.config.kernels, ['fp32/js', 'ternary2b/js', 'fatnn/js']);
  assert.deepEqual(Object.keys(results.config.popcountForms ?? {}), ['ternary2b/js', 'fatnn/js']);
  assert.match(results.config.popcountForms?.['fatnn/js'] ?? '', /carry-save/);
  const csv = await readFile(path.join(out, 'results.csv'), 'utf8');
  const [head, ...rows] = csv.trim().split('\n').map((l) => l.split(','));
  const col = (name: string) => head!.indexOf(name);
  for (const row of rows.filter((x) => x[0] === 'layer')) {
    const layer = results.layers.find((l) => l.name === row[1])!;
    const m = layer.measurements.find((x) => x.kernel === row[col('kernel')])!;
    const base = layer.measurements.find((x) => x.kernel === 'fp32/js')!;
    assert.equal(Number(row[col('gemm_median_ms')]), m.gemm!.medianMs);
    assert.equal(Number(row[col('gemm_speedup_vs_fp32')]), base.gemm!.medianMs / m.gemm!.medianMs);
    assert.equal(Number(row[col('pack_speedup_vs_fp32')]), base.withPacking!.medianMs / m.withPacking!.medianMs);
  }
  const md = await readFile(path.join(out, 'results.md'), 'utf8');
  const fatnn = results.layers[0]!.measurements.find((x) => x.kernel === 'fatnn/js')!;
  const fp32 = results.layers[0]!.measurements.find((x) => x.kernel === 'fp32/js')!;
  assert.ok(md.includes(`${(fp32.gemm!.medianMs / fatnn.gemm!.medianMs).toFixed(2)}x`));
  assert.ok(md.includes(results.host.cpu.brand));
  const html = await readFile(path.join(out, 'results.html'), 'utf8');
  assert.ok(html.includes('<svg ') && html.includes(results.host.v8));
});

test('stdout of a non-TTY run is only the plain table, stderr has no progress line', async () => {
  const out = path.join(await tmpDir(), 'res');
  const r = await cli(['run', '--shape', '8x9x70', ...KERNELS, ...FAST, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!/\x1b\[/.test(r.stdout), 'no ANSI codes on stdout');
  assert.ok(!/\x1b\[|\r/.test(r.stderr), 'no progress line on stderr');
  assert.match(r.stdout, /^js +1\.00x/m);
  assert.match(r.stderr, /results in /);
  const q = await cli(['run', '--shape', '8x9x70', ...KERNELS, ...FAST, '--out', `${out}-quiet`, '--quiet']);
  assert.equal(q.stderr, '');
});

test('run --json prints the results document, the same as results.json', async () => {
  const out = path.join(await tmpDir(), 'res');
  const r = await cli(['run', '--shape', '8x9x70', '-k', 'fatnn/js', ...FAST, '--out', out, '--json', '-q']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), await readResultsFile(path.join(out, 'results.json')));
});

test('run reads layers from a --layers file, counts included', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'net.json');
  await writeFile(file, JSON.stringify([{ name: 'stem', M: 4, N: 6, K: 40, count: 3 }, { name: 'head', M: 3, N: 2, K: 17 }]));
  const r = await cli(['run', '--layers', file, '-k', 'binary/js', ...FAST, '--out', path.join(dir, 'o'), '-q']);
  assert.equal(r.code, 0, r.stderr);
  const results = await readResultsFile(path.join(dir, 'o', 'results.json'));
  assert.deepEqual(results.layers.map((l) => [l.name, l.count]), [['stem', 3], ['head', 1]]);
  assert.equal(results.config.layersFile, file);
});

test('usage mistakes exit 2 with one clear line', async () => {
  const dir = await tmpDir();
  const bad = path.join(dir, 'bad.json');
  await writeFile(bad, '[{"name":"x","M":2,"N":2}]');
  for (const [args, pattern] of [
    [['run', '--layers', bad, '--out', dir], /--layers .*bad\.json: layer "x": "K" must be an integer/],
    [['run', '--layers', bad, '--preset', 'quick', '--out', dir], /only one of --preset, --shape and --layers/],
    [['run', '--shape', '4x4x4', '--format', 'pdf', '--out', dir], /unknown format "pdf"/],
    [['run', '--shape', '4x4x4', '--baseline', 'bit2', '--out', dir], /--baseline must be fp32, int8 or ternary2b/],
    [['report', bad, '--format', 'md,csv'], /need --out/],
  ] as const) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('report re-renders a saved file and rejects a corrupted one', async () => {
  const dir = await tmpDir();
  const out = path.join(dir, 'res');
  assert.equal((await cli(['run', '--shape', '8x9x70', ...KERNELS, ...FAST, '--out', out, '--format', 'json', '-q'])).code, 0);
  const md = await cli(['report', path.join(out, 'results.json'), '--format', 'md']);
  assert.equal(md.code, 0, md.stderr);
  assert.match(md.stdout, /^# fatnn-bench results/);
  const csvOut = await cli(['report', path.join(out, 'results.json'), '--format', 'csv,html', '--out', path.join(dir, 'r2'), '-q']);
  assert.equal(csvOut.code, 0, csvOut.stderr);
  assert.deepEqual((await readdir(path.join(dir, 'r2'))).sort(), ['results.csv', 'results.html']);
  const text = await readFile(path.join(out, 'results.json'), 'utf8');
  await writeFile(path.join(dir, 'cut.json'), text.slice(0, 200));
  const cut = await cli(['report', path.join(dir, 'cut.json')]);
  assert.equal(cut.code, 2);
  assert.match(cut.stderr, /cut\.json: not valid JSON/);
  const missing = await cli(['report', path.join(dir, 'nope.json')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.json: no such file/);
});

test('Ctrl-C after the first layer exits 130 and leaves a valid partial results file', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'net.json');
  // Many small layers: the run lasts long enough for the signal to land mid-sweep.
  await writeFile(file, JSON.stringify(Array.from({ length: 60 }, (_, i) => ({ name: `l${i}`, M: 6 + (i % 5), N: 7, K: 40 + i, count: 1 }))));
  const out = path.join(dir, 'res');
  const { child, done } = start(['run', '--layers', file, ...KERNELS, ...FAST, '--out', out, '--format', 'json,md,csv']);
  const resultsFile = path.join(out, 'results.json');
  for (;;) {
    assert.equal(child.exitCode, null, 'the run ended before it could be interrupted');
    const layers = await readFile(resultsFile, 'utf8').then((t) => (JSON.parse(t) as { layers: unknown[] }).layers.length, () => 0);
    if (layers >= 1) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill('SIGINT');
  const r = await done;
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /interrupted/);
  const partial = await readResultsFile(resultsFile);
  assert.equal(partial.complete, false);
  assert.equal(partial.finishedAt, null);
  assert.ok(partial.layers.length >= 1 && partial.layers.length < 60, `${partial.layers.length} layers`);
  assert.equal(partial.config.plannedLayers, 60);
  assert.match(await readFile(path.join(out, 'results.md'), 'utf8'), new RegExp(`Incomplete run\\*\\*: ${partial.layers.length} of 60 layers`));
  const csvRows = (await readFile(path.join(out, 'results.csv'), 'utf8')).trim().split('\n').filter((l) => l.startsWith('layer,'));
  const measurements = partial.layers.reduce((n, l) => n + l.measurements.length, 0);
  assert.equal(csvRows.length, measurements, 'the CSV holds the same layers as the JSON');
  assert.deepEqual((await readdir(out)).filter((f) => f.endsWith('.tmp')), [], 'no temp files left behind');
});
