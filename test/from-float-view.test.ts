// The fromFloat cost view end to end: `run` writes it into json, csv, md and html (and leaves it
// out with --no-from-float), the sweep verifies it on the very operands it times (a kernel
// whose from-float packing is wrong is caught), version 1 and 2 files read back upgraded, and
// the validator rejects a malformed fromFloat block or quantizer.

import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { renderCsv } from '../src/report/csv.js';
import { renderHtml } from '../src/report/html.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { findKernel } from '../src/registry.js';
import { parseResults, readResultsFile } from '../src/results/io.js';
import { runSweep } from '../src/runner/sweep.js';
import type { KernelDeclaration } from '../src/types.js';
import { cli, FAST } from './support/spawn-cli.js';

const tmpDir = () => mkdtemp(path.join(os.tmpdir(), 'fatnn-fromfloat-test-'));
const REPORTS = new URL('../../reports/', import.meta.url).pathname;
const KERNELS = ['-k', 'fp32/js', '-k', 'fatnn/js', '-k', 'int8/wasm-simd128', '-k', 'binary/native-scalar'];

test('run measures the from-float view and writes it into json, csv, md and html', async () => {
  const out = path.join(await tmpDir(), 'r');
  const r = await cli(['run', '--shape', '8x9x70', ...KERNELS, ...FAST, '--forks', '1', '--format', 'md,csv,html', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const results = await readResultsFile(path.join(out, 'results.json'));
  assert.equal(results.schemaVersion, 3);
  assert.equal(results.config.fromFloat, true);
  assert.deepEqual(results.config.quantizers?.fatnn, { precision: 'fatnn', low: -0.625, high: 0.5 });
  const ms = results.layers[0]!.measurements;
  for (const m of ms) assert.ok(m.fromFloat && m.fromFloat.medianMs > 0, `${m.kernel} has a from-float time`);
  const csv = (await readFile(path.join(out, 'results.csv'), 'utf8')).trim().split('\n').map((l) => l.split(','));
  const col = (name: string) => csv[0]!.indexOf(name);
  const fatnnRow = csv.find((row) => row[0] === 'layer' && row[col('kernel')] === 'fatnn/js')!;
  const fatnn = ms.find((m) => m.kernel === 'fatnn/js')!;
  const fp32 = ms.find((m) => m.kernel === 'fp32/js')!;
  // fp32 from float is its GEMM alone: the same timings stand for both views.
  assert.deepEqual(fp32.fromFloat!.sampleMs, fp32.gemm!.sampleMs);
  assert.equal(Number(fatnnRow[col('float_median_ms')]), fatnn.fromFloat!.medianMs);
  assert.equal(Number(fatnnRow[col('float_speedup_vs_fp32')]), fp32.fromFloat!.medianMs / fatnn.fromFloat!.medianMs);
  const md = await readFile(path.join(out, 'results.md'), 'utf8');
  assert.match(md, /from float total ms/);
  assert.match(md, /^\|   from float \|/m);
  assert.match(md, /fatnn: x < -0\.625 -> -1, x >= 0\.5 -> \+1/);
  assert.match(await readFile(path.join(out, 'results-detail.md'), 'utf8'), /from float median ms/);
  const html = await readFile(path.join(out, 'results.html'), 'utf8');
  assert.match(html, /Speedup vs fp32 per layer: from float/);
  assert.match(html, /js, from float/);
  assert.match(r.stdout, /^ {2}from float /m);
});

test('--no-from-float leaves the view out of every file', async () => {
  const out = path.join(await tmpDir(), 'r');
  const r = await cli(['run', '--shape', '8x9x70', '-k', 'fp32/js', '-k', 'fatnn/js', ...FAST, '--forks', '1', '--no-from-float', '--format', 'md,csv,html', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const results = await readResultsFile(path.join(out, 'results.json'));
  assert.equal(results.config.fromFloat, false);
  assert.equal(results.config.quantizers, undefined);
  assert.ok(results.layers[0]!.measurements.every((m) => m.fromFloat === undefined && m.withPacking !== undefined));
  assert.doesNotMatch(await readFile(path.join(out, 'results.md'), 'utf8'), /from float/);
  assert.doesNotMatch(await readFile(path.join(out, 'results.html'), 'utf8'), /from float/);
  assert.doesNotMatch(r.stdout, /from float/);
  const csv = (await readFile(path.join(out, 'results.csv'), 'utf8')).trim().split('\n').map((l) => l.split(','));
  const fatnnRow = csv.find((row) => row[0] === 'layer' && row.includes('fatnn/js'))!;
  assert.equal(fatnnRow[csv[0]!.indexOf('float_median_ms')], '');
});

test('--quantizer sets a precision\'s quantizer, recorded in the config; a malformed one is a usage error', async () => {
  const out = path.join(await tmpDir(), 'r');
  const r = await cli(['run', '--shape', '4x6x40', '-k', 'fatnn/js', '-k', 'bit2/js', ...FAST, '--forks', '1', '--quantizer', 'fatnn:-0.1,0.2', '--quantizer', 'bit2:0,0.5,0.5', '--format', 'json', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const results = await readResultsFile(path.join(out, 'results.json'));
  assert.deepEqual(results.config.quantizers, { fatnn: { precision: 'fatnn', low: -0.1, high: 0.2 }, bit2: { precision: 'bit2', thresholds: [0, 0.5, 0.5] } });
  for (const [arg, why] of [
    ['fatnn:1,0', /low \(1\) must not exceed high \(0\)/],
    ['bit2:0,1', /expected bit2:T0,T1,T2 with finite numbers/],
    ['binary:1', /binary and fp32 take no parameters/],
    ['int8:0', /scale must be positive/],
  ] as const) {
    const bad = await cli(['run', '--shape', '4x6x40', '-k', 'fatnn/js', '--quantizer', arg, '--out', path.join(await tmpDir(), 'x')]);
    assert.equal(bad.code, 2, arg);
    assert.match(bad.stderr, why);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  }
});

test('the sweep verifies the from-float path on the operands it times: a wrong fused packer fails', async () => {
  const base = findKernel('fatnn/js');
  // A "fused" packer that forgot the low threshold: every value below it packs as 0, not -1.
  const broken: KernelDeclaration = {
    ...base,
    id: 'fatnn/js-broken-float',
    create: async (shape, options) => {
      const k = await base.create(shape, options);
      k.setActivationsFromFloat = (x) => k.setActivations(Int8Array.from(x, (v) => (v >= 0.5 ? 1 : 0)));
      return k;
    },
  };
  const settings = { threads: 1, timeMs: 10, minSamples: 1, warmupMs: 0, rounds: 1, forks: 1, isolate: false, seed: 3, withPacking: false, fromFloat: true };
  const [layer] = await runSweep([{ name: 'l', M: 4, N: 6, K: 40, count: 1 }], [broken, base], settings);
  const [bad, good] = layer!.measurements;
  assert.equal(bad!.verification, 'failed');
  assert.match(bad!.error!, /wrong result from float on 4x6x40/);
  assert.equal(good!.verification, 'passed');
  assert.ok(good!.fromFloat);
});

test('version 2 and version 1 reports read back as version 3 without the view, and render', async () => {
  for (const [dir, version] of [['resnet18-2026-12-01', 2], ['resnet18-2026-11-27', 1]] as const) {
    const text = await readFile(path.join(REPORTS, dir, 'results.json'), 'utf8');
    assert.equal(JSON.parse(text).schemaVersion, version);
    const doc = parseResults(text, dir);
    assert.equal(doc.schemaVersion, 3);
    assert.equal(doc.upgradedFrom, version);
    assert.equal(doc.config.fromFloat, false);
    assert.doesNotMatch(renderMarkdown(doc), /from float/);
    assert.doesNotMatch(renderHtml(doc), /from float/);
    assert.match(renderCsv(doc).split('\n')[0]!, /float_median_ms/);
  }
});

test('the validator rejects a malformed fromFloat block, config and quantizer', async () => {
  const v2 = JSON.parse(await readFile(path.join(REPORTS, 'resnet18-2026-12-01', 'results.json'), 'utf8')) as Record<string, any>;
  const v3 = () => {
    const d = structuredClone(v2);
    d.schemaVersion = 3;
    d.config.fromFloat = true;
    d.config.quantizers = { fatnn: { precision: 'fatnn', low: -0.5, high: 0.5 } };
    d.layers[0].measurements[0].fromFloat = structuredClone(d.layers[0].measurements[0].gemm);
    return d;
  };
  const parse = (d: unknown) => parseResults(JSON.stringify(d), 'f');
  assert.ok(parse(v3()).layers[0]!.measurements[0]!.fromFloat);
  const bad = v3();
  bad.layers[0].measurements[0].fromFloat.medianMs = -1;
  assert.throws(() => parse(bad), /layers\[0\]\.measurements\[0\]\.fromFloat\.medianMs: expected at least 0/);
  const unordered = v3();
  unordered.layers[0].measurements[0].fromFloat.p25Ms = unordered.layers[0].measurements[0].fromFloat.maxMs + 1;
  assert.throws(() => parse(unordered), /fromFloat: quantiles out of order/);
  const notStats = v3();
  notStats.layers[0].measurements[0].fromFloat = 3.2;
  assert.throws(() => parse(notStats), /fromFloat: expected an object, got 3\.2/);
  const noFlag = v3();
  delete noFlag.config.fromFloat;
  assert.throws(() => parse(noFlag), /config\.fromFloat: expected true or false/);
  const badQ = v3();
  badQ.config.quantizers.fatnn.low = 1;
  assert.throws(() => parse(badQ), /config\.quantizers\.fatnn: fatnn quantizer: low \(1\) must not exceed high/);
  const wrongQ = v3();
  wrongQ.config.quantizers.fatnn.precision = 'int8';
  assert.throws(() => parse(wrongQ), /config\.quantizers\.fatnn\.precision: expected "fatnn"/);
  const oldWithView = v3();
  oldWithView.schemaVersion = 2;
  assert.throws(() => parse(oldWithView), /a version 2 file cannot hold fromFloat timings/);
});
