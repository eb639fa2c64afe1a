// Every renderer against one fixed results fixture: each shows the host fingerprint, and every
// speedup it prints equals the ratio of the times it is computed from (exactly in CSV, within
// display rounding elsewhere), so the formats agree with each other and with the JSON.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { renderConsole } from '../src/report/console.js';
import { renderCsv } from '../src/report/csv.js';
import { renderHtml } from '../src/report/html.js';
import { FORMATS, parseFormats, renderFormat } from '../src/report/index.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { buildReportModel } from '../src/report/model.js';
import { readResultsFile, parseResults } from '../src/results/io.js';
import type { Measurement, ResultsFile, TimingStats } from '../src/results/schema.js';
import { UsageError } from '../src/errors.js';

const FIXTURE = new URL('../../test/fixtures/results-small.json', import.meta.url).pathname;
const ANSI = /\x1b\[/;

function fixture(): Promise<ResultsFile> {
  return readResultsFile(FIXTURE);
}

function median(r: ResultsFile, layer: string, kernel: string, view: 'gemm' | 'withPacking' = 'gemm'): number {
  const m = r.layers.find((l) => l.name === layer)!.measurements.find((x) => x.kernel === kernel)!;
  return m[view]!.medianMs;
}

/** RFC 4180 parser, enough for our own output. */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else field += c;
  }
  const [head, ...body] = rows;
  for (const r of body) assert.equal(r.length, head!.length, 'every CSV row has every column');
  return body.map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i]!])));
}

/** Markdown table rows after a heading line, as arrays of unescaped cells. */
function mdTableAfter(md: string, heading: string): string[][] {
  const lines = md.split('\n');
  let i = lines.findIndex((l) => l === heading || l.startsWith(heading));
  assert.ok(i >= 0, `missing heading ${heading}`);
  while (!lines[i]!.startsWith('|')) i++;
  const rows: string[][] = [];
  for (; i < lines.length && lines[i]!.startsWith('|'); i++) {
    const cells = lines[i]!.slice(2, -2).split(/ (?<!\\)\| /).map((c) => c.replace(/\\\|/g, '|').replace(/\\\\/g, '\\'));
    rows.push(cells);
  }
  return rows.filter((_, k) => k !== 1);
}

const x = (cell: string) => Number(cell.replace(/x[~†]*$/, ''));

/** A speedup printed with 2 decimals from times printed with >= 4 significant digits. */
function assertRatio(shown: string, numerator: number, denominator: number, what: string): void {
  const expected = numerator / denominator;
  assert.ok(Math.abs(x(shown) - expected) <= 0.005 + expected * 1e-3, `${what}: shown ${shown}, ratio of times ${expected}`);
}

test('CSV speedups are exactly baseline time / time, and baseline times are the baseline rows', async () => {
  const r = await fixture();
  const rows = parseCsv(renderCsv(r));
  const layerRows = rows.filter((row) => row.scope === 'layer');
  assert.equal(layerRows.length, r.layers.reduce((s, l) => s + l.measurements.length, 0));
  let checked = 0;
  for (const row of layerRows) {
    for (const v of ['gemm', 'pack']) {
      for (const b of ['fp32', 'ternary2b']) {
        const s = row[`${v}_speedup_vs_${b}`]!;
        if (s === '') continue;
        assert.equal(Number(s), Number(row[`${v}_baseline_ms_${b}`]) / Number(row[`${v}_median_ms`]));
        const base = layerRows.find((o) => o.layer === row.layer && o.kernel === row[`${v}_baseline_kernel_${b}`])!;
        assert.equal(base.precision, b);
        assert.equal(base[`${v}_median_ms`], row[`${v}_baseline_ms_${b}`]);
        checked++;
      }
    }
    if (row.gemm_median_ms) assert.equal(Number(row.gemm_median_ms), median(r, row.layer!, row.kernel!));
  }
  assert.ok(checked > 30);
});

test('CSV whole-network rows are count-weighted sums, and their speedups ratios of those sums', async () => {
  const r = await fixture();
  const rows = parseCsv(renderCsv(r));
  const net = rows.filter((row) => row.scope === 'network');
  assert.equal(net.length, 10);
  for (const row of net) {
    if (row.gemm_median_ms === '') {
      assert.equal(row.kernel, 'binary/wasm-scalar', 'only the kernel that failed on a layer has no total');
      continue;
    }
    const total = r.layers.reduce((s, l) => s + l.count * median(r, l.name, row.kernel!), 0);
    assert.ok(Math.abs(Number(row.gemm_median_ms) - total) <= total * 1e-12);
    assert.equal(Number(row.gemm_speedup_vs_fp32), Number(row.gemm_baseline_ms_fp32) / Number(row.gemm_median_ms));
    const per = rows.filter((o) => o.scope === 'layer' && o.kernel === row.kernel).map((o) => Math.log(Number(o.gemm_speedup_vs_fp32)));
    assert.ok(Math.abs(Number(row.gemm_geomean_vs_fp32) - Math.exp(per.reduce((a, b) => a + b, 0) / per.length)) < 1e-12);
  }
});

test('CSV quotes fields with commas and quotes', async () => {
  const r = await fixture();
  const renamed = { ...r, layers: r.layers.map((l, i) => (i === 0 ? { ...l, name: 'conv "a", 3x3' } : l)) };
  const rows = parseCsv(renderCsv(renamed));
  assert.equal(rows[0]!.layer, 'conv "a", 3x3');
});

test('wasm-scalar borrows its fp32 baseline from wasm-simd128 (same backend)', async () => {
  const r = await fixture();
  const row = parseCsv(renderCsv(r)).find((o) => o.kernel === 'fatnn/wasm-scalar')!;
  assert.equal(row.gemm_baseline_kernel_fp32, 'fp32/wasm-simd128');
  assert.equal(row.gemm_baseline_kernel_ternary2b, 'ternary2b/wasm-scalar');
});

test('Markdown per-layer speedups are the ratios of the medians in the same report', async () => {
  const r = await fixture();
  const md = renderMarkdown(r, { detail: true });
  const rows = mdTableAfter(md, '<summary>All measurements');
  const head = rows[0]!;
  const col = (name: string) => head.indexOf(name);
  const body = rows.slice(1);
  let checked = 0;
  for (const row of body) {
    const kernel = row[col('kernel')]!.replace(/`/g, '');
    if (row[col('vs fp32')] === '' || row[col('vs fp32')] === undefined) continue;
    const [, variant] = kernel.split('/');
    const baseKernel = body.find((o) => o[0] === row[0] && (o[col('kernel')] === `\`fp32/${variant}\`` || o[col('kernel')] === '`fp32/wasm-simd128`' && variant === 'wasm-scalar'))!;
    assertRatio(row[col('vs fp32')]!, Number(baseKernel[col('median ms')]), Number(row[col('median ms')]), `${row[0]} ${kernel}`);
    assertRatio(row[col('vs fp32')]!, median(r, row[0]!, baseKernel[col('kernel')]!.replace(/`/g, '')), median(r, row[0]!, kernel), `${kernel} vs JSON`);
    checked++;
  }
  assert.ok(checked >= 16);
});

test('Markdown matrices, network table and detail table agree', async () => {
  const r = await fixture();
  const md = renderMarkdown(r, { detail: true });
  const matrix = mdTableAfter(md, '**js**');
  assert.deepEqual(matrix[0], ['layer', 'MxNxK', 'count', 'fp32', 'int8', 'ternary2b', 'fatnn']);
  const detail = mdTableAfter(md, '<summary>All measurements');
  const dHead = detail[0]!;
  for (const mrow of matrix.slice(1, 3)) {
    for (const [j, p] of ['fp32', 'int8', 'ternary2b', 'fatnn'].entries()) {
      const d = detail.find((o) => o[0] === mrow[0] && o[dHead.indexOf('kernel')] === `\`${p}/js\``)!;
      assert.equal(mrow[3 + j], d[dHead.indexOf('vs fp32')], `${mrow[0]} ${p}`);
    }
  }
  const network = mdTableAfter(md, '<summary>Whole network, every kernel');
  const nHead = network[0]!;
  const fatnn = network.find((o) => o[0] === '`fatnn/js`')!;
  const netRow = matrix.find((o) => o[0] === '**whole network**')!;
  assert.equal(netRow[6], fatnn[nHead.indexOf('vs fp32')]);
  const fp32Total = Number(network.find((o) => o[0] === '`fp32/js`')![nHead.indexOf('total ms')]);
  assertRatio(fatnn[nHead.indexOf('vs fp32')]!, fp32Total, Number(fatnn[nHead.indexOf('total ms')]), 'network fatnn/js');
  assert.equal(matrix.find((o) => o[0] === '*op-count model*')![6], '9.14x');
});

test('Markdown shows the host fingerprint, escapes pipes and lists failures and skips', async () => {
  const r = await fixture();
  const md = renderMarkdown(r, { detail: true });
  for (const fact of ['Test CPU 9000', r.host.node, r.host.v8, 'avx512_vpopcntdq', '**WebAssembly SIMD** | yes', '**Worker threads used**']) assert.ok(md.includes(fact), fact);
  assert.ok(md.includes('down 1x1 \\| <s2> & co'));
  assert.match(md, /`binary\/wasm-scalar` on down 1x1 \\\| <s2> & co: WRONG RESULT/);
  assert.match(md, /`fatnn\/native-neon` skipped: needs an ARM CPU with NEON/);
  assert.match(md, /<summary>Speedup vs fp32 per layer: with activation packing/);
  assert.ok(!md.includes('Incomplete run'));
});

test('HTML is self-contained, escapes names and charts every variant', async () => {
  const r = await fixture();
  const html = renderHtml(r);
  assert.ok(html.startsWith('<!DOCTYPE html>'));
  assert.ok(!/<script|<link|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/.test(html), 'no scripts or external resources');
  assert.ok(html.includes('down 1x1 | &lt;s2&gt; &amp; co'));
  assert.ok(!html.includes('<s2>'));
  assert.equal((html.match(/<svg /g) ?? []).length, 1 + 3 * 2, 'the headline chart, then one chart per variant and cost view');
  for (const fact of ['Test CPU 9000', r.host.v8, 'avx512_vpopcntdq']) assert.ok(html.includes(fact), fact);
});

test('HTML chart bars carry the same speedups as the tables', async () => {
  const r = await fixture();
  const html = renderHtml(r);
  const model = buildReportModel(r);
  const bars = [...html.matchAll(/<title>(\w+)\/([\w-]+), (.+?): ([\d.]+)x vs fp32<\/title>/g)];
  assert.ok(bars.length > 20);
  for (const [, precision, variant, layer, value] of bars) {
    if (layer === 'whole network') continue;
    const name = layer!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    const row = model.rows.find((o) => o.layer.name === name && o.measurement.kernel === `${precision}/${variant}`)!;
    const s = html.indexOf(`${precision}/${variant}, ${layer}: ${value}x vs fp32`) < html.indexOf('with activation packing (per-inference cost)</h2>') ? row.views.gemm : row.views.withPacking;
    assert.equal(value, s!.speedups.fp32!.value.toFixed(2));
  }
});

test('console output has no ANSI codes without colour and has them with colour', async () => {
  const r = await fixture();
  const plain = renderConsole(r, { color: false, detail: true });
  assert.ok(!ANSI.test(plain));
  assert.ok(plain.includes('Test CPU 9000'));
  assert.ok(plain.includes('WRONG: wrong result on 24x10x70'));
  assert.ok(ANSI.test(renderConsole(r, { color: true, detail: true })));
});

/** The tables of a plain (no colour) console rendering, as rows of trimmed cells, header first. */
function consoleTables(text: string): string[][][] {
  const tables: string[][][] = [];
  let current: string[][] | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('┌')) tables.push((current = []));
    else if (line.startsWith('│')) current!.push(line.slice(1, -1).split('│').map((c) => c.trim()));
    else if (line.startsWith('└')) current = undefined;
  }
  return tables;
}

/** Every speedup column of every console row equals the Markdown cell of the same row and column. */
function assertConsoleMatchesMarkdown(r: ResultsFile): number {
  const plain = renderConsole(r, { color: false, detail: true });
  assert.ok(!ANSI.test(plain));
  const md = renderMarkdown(r, { detail: true });
  const [layers, network] = consoleTables(plain);
  let compared = 0;

  const cHead = layers![0]!;
  const detail = mdTableAfter(md, '<summary>All measurements');
  const dHead = detail[0]!;
  const speedupColumns = cHead.filter((h) => /(^| )vs /.test(h) && !h.startsWith('model'));
  assert.ok(speedupColumns.length >= 3, `speedup columns: ${speedupColumns}`);
  let layer = '';
  for (const row of layers!.slice(1)) {
    if (row[0] !== '') layer = row[0]!;
    const kernel = row[cHead.indexOf('kernel')]!;
    const mdRow = detail.find((o) => o[0] === layer && o[dHead.indexOf('kernel')] === `\`${kernel}\``);
    assert.ok(mdRow, `Markdown row for ${layer} ${kernel}`);
    if (row.length !== cHead.length) {
      // A failed measurement: one spanning cell with the error, and no speedups in Markdown either.
      assert.match(row[4]!, /^(WRONG|error): /);
      for (const h of speedupColumns) assert.ok(['', '-', undefined].includes(mdRow[dHead.indexOf(h)]), `${layer} ${kernel} ${h}`);
      continue;
    }
    for (const h of speedupColumns) {
      assert.ok(dHead.includes(h), `Markdown has column ${h}`);
      assert.equal(row[cHead.indexOf(h)], mdRow[dHead.indexOf(h)], `${layer} ${kernel} ${h}`);
      compared++;
    }
  }
  assert.equal(layers!.length - 1, detail.length - 1, 'the same rows');

  const nHead = network![0]!;
  const mdNet = mdTableAfter(md, '<summary>Whole network, every kernel');
  const mHead = mdNet[0]!;
  const netColumns = nHead.filter((h) => /(^| )vs /.test(h) && !h.startsWith('model'));
  assert.ok(netColumns.length >= 4, `network columns: ${netColumns}`);
  assert.equal(network!.length, mdNet.length);
  for (const row of network!.slice(1)) {
    const mdRow = mdNet.find((o) => o[0] === `\`${row[0]}\``)!;
    for (const h of [...netColumns, 'total ms']) {
      assert.equal(row[nHead.indexOf(h)], mdRow[mHead.indexOf(h)], `network ${row[0]} ${h}`);
      compared++;
    }
  }
  return compared;
}

test('console speedups match the Markdown ones, every row and speedup column', async () => {
  const r = await fixture();
  assert.ok(assertConsoleMatchesMarkdown(r) > 100);
  assert.ok(assertConsoleMatchesMarkdown(withNativeFault(r)) > 100);
});

test('console shows the noisy and borrowed-baseline marks and notes the Markdown shows', async () => {
  const r = await fixture();
  const plain = renderConsole(r, { color: false, detail: true });
  const md = renderMarkdown(r, { detail: true });
  assert.match(plain, /\d\.\d\dx~/);
  assert.match(plain, /\d\.\d\dx~?†/);
  const note = 'baseline taken from fp32/wasm-simd128 (same backend) for ternary2b/wasm-scalar, fatnn/wasm-scalar';
  assert.ok(plain.includes(note));
  assert.ok(md.includes(note.replace(/([a-z0-9]+\/[a-z0-9-]+)/g, '`$1`')));
  assert.ok(plain.includes('A "~" after a speedup marks one computed from a noisy median'));
});

/**
 * The fixture plus native avx512 and avx2 variants (copies of the js times, avx2 slower), where
 * fp32/native-avx512 failed on the second layer.
 */
function withNativeFault(r: ResultsFile): ResultsFile {
  const isa = (m: Measurement, variant: string, factor: number): Measurement => {
    const scale = (s: TimingStats | undefined) => s && { ...s, medianMs: s.medianMs * factor, meanMs: s.meanMs * factor, p25Ms: s.p25Ms * factor, p75Ms: s.p75Ms * factor, minMs: s.minMs * factor, maxMs: s.maxMs * factor, madMs: s.madMs * factor, sampleMs: s.sampleMs.map((v) => v * factor) };
    return { ...m, kernel: `${m.precision}/${variant}`, backend: 'native', gemm: scale(m.gemm), withPacking: scale(m.withPacking) };
  };
  const layers = r.layers.map((l, i) => {
    const js = l.measurements.filter((m) => m.backend === 'js' && (m.precision === 'fp32' || m.precision === 'fatnn'));
    const avx512 = js.map((m) => isa(m, 'native-avx512', 0.1));
    const avx2 = js.map((m) => isa(m, 'native-avx2', 0.2));
    const faulted = avx512.map((m): Measurement => (i === 1 && m.precision === 'fp32' ? { kernel: m.kernel, precision: m.precision, backend: m.backend, verification: 'skipped', error: 'kernel threw: out of memory' } : m));
    return { ...l, measurements: [...l.measurements, ...faulted, ...avx2] };
  });
  const kernels = [...r.config.kernels, 'fp32/native-avx512', 'fatnn/native-avx512', 'fp32/native-avx2', 'fatnn/native-avx2'];
  return { ...r, config: { ...r.config, kernels }, layers };
}

test('a failed own-variant baseline gives "-" on that layer and in whole-network figures, never another variant\'s', async () => {
  const r = withNativeFault(await fixture());
  const failedLayer = r.layers[1]!.name;
  const okLayer = r.layers[0]!.name;

  const rows = parseCsv(renderCsv(r));
  const at = (layer: string, kernel: string) => rows.find((o) => o.scope === 'layer' && o.layer === layer && o.kernel === kernel)!;
  for (const v of ['gemm', 'pack']) {
    assert.equal(at(failedLayer, 'fatnn/native-avx512')[`${v}_speedup_vs_fp32`], '');
    assert.equal(at(failedLayer, 'fatnn/native-avx512')[`${v}_baseline_kernel_fp32`], '');
    assert.equal(at(okLayer, 'fatnn/native-avx512')[`${v}_baseline_kernel_fp32`], 'fp32/native-avx512');
    assert.equal(at(failedLayer, 'fatnn/native-avx2')[`${v}_baseline_kernel_fp32`], 'fp32/native-avx2');
  }
  const net = rows.find((o) => o.scope === 'network' && o.kernel === 'fatnn/native-avx512')!;
  assert.notEqual(net.gemm_median_ms, '', 'the kernel itself has a total');
  for (const c of ['gemm_speedup_vs_fp32', 'gemm_baseline_kernel_fp32', 'gemm_geomean_vs_fp32', 'pack_speedup_vs_fp32', 'pack_geomean_vs_fp32']) assert.equal(net[c], '', c);
  assert.equal(net.gemm_baseline_kernel_ternary2b, '', 'no ternary2b kernel in the native variants: none borrowed either');
  assert.ok(!rows.some((o) => o.kernel?.endsWith('native-avx512') && [o.gemm_baseline_kernel_fp32, o.pack_baseline_kernel_fp32].includes('fp32/native-avx2')));

  const md = renderMarkdown(r, { detail: true });
  const detail = mdTableAfter(md, '<summary>All measurements');
  const dHead = detail[0]!;
  const d = detail.find((o) => o[0] === failedLayer && o[dHead.indexOf('kernel')] === '`fatnn/native-avx512`')!;
  assert.equal(d[dHead.indexOf('vs fp32')], '-');
  assert.equal(d[dHead.indexOf('+pack vs fp32')], '-');
  const matrix = mdTableAfter(md, '**native-avx512**');
  assert.deepEqual(matrix[0], ['layer', 'MxNxK', 'count', 'fp32', 'fatnn']);
  assert.equal(matrix.find((o) => o[0] === failedLayer)![4], '-');
  assert.notEqual(matrix.find((o) => o[0] === okLayer)![4], '-');
  assert.equal(matrix.find((o) => o[0] === '**geometric mean**')![4], '-');
  assert.equal(matrix.find((o) => o[0] === '**whole network**')![4], '-');
  const section = md.slice(md.indexOf('**native-avx512**'), md.indexOf('\n**', md.indexOf('**native-avx512**') + 3));
  assert.ok(!section.includes('baseline taken from'), 'the variant has its own fp32 kernel: nothing borrowed');
  const network = mdTableAfter(md, '<summary>Whole network, every kernel');
  const nHead = network[0]!;
  const n = network.find((o) => o[0] === '`fatnn/native-avx512`')!;
  assert.equal(n[nHead.indexOf('vs fp32')], '-');
  assert.equal(n[nHead.indexOf(`geomean vs fp32`)], '-');
  assert.match(md, new RegExp(`\`fp32/native-avx512\` has no GEMM or \\+pack time on ${failedLayer.replace(/[|\\]/g, (c) => `\\\\\\${c}`)}`));

  const plain = renderConsole(r, { color: false, detail: true });
  assert.ok(plain.includes('fp32/native-avx512 has no GEMM or +pack time on'));
  const html = renderHtml(r);
  assert.ok(html.includes('fp32/native-avx512 has no GEMM or +pack time on'));
});

test('a run selecting only a native kernel and another ISA\'s fp32 shows no speedup between them', async () => {
  const r = withNativeFault(await fixture());
  // `-k fatnn/native-avx512 -k fp32/native-scalar`, emulated by renaming the avx2 fp32 kernel.
  const layers = r.layers.map((l) => ({
    ...l,
    measurements: l.measurements
      .filter((m) => m.kernel === 'fatnn/native-avx512' || m.kernel === 'fp32/native-avx2')
      .map((m) => (m.kernel === 'fp32/native-avx2' ? { ...m, kernel: 'fp32/native-scalar' } : m)),
  }));
  const only = { ...r, config: { ...r.config, kernels: ['fatnn/native-avx512', 'fp32/native-scalar'] }, layers, skipped: [] };
  const rows = parseCsv(renderCsv(only)).filter((o) => o.kernel === 'fatnn/native-avx512');
  assert.equal(rows.length, r.layers.length + 1);
  for (const row of rows) assert.equal(row.gemm_speedup_vs_fp32, '');
  assert.ok(!renderMarkdown(only, { detail: true }).includes('baseline taken from'));
});

test('another baseline re-renders every speedup against it', async () => {
  const r = await fixture();
  const rows = parseCsv(renderCsv(r, { baseline: 'int8' }));
  const fatnn = rows.find((o) => o.scope === 'layer' && o.kernel === 'fatnn/js')!;
  assert.equal(fatnn.gemm_baseline_kernel_int8, 'int8/js');
  assert.equal(Number(fatnn.gemm_speedup_vs_int8), median(r, fatnn.layer!, 'int8/js') / median(r, fatnn.layer!, 'fatnn/js'));
  assert.ok(renderMarkdown(r, { baseline: 'int8' }).includes('<summary>Speedup vs int8 per layer'));
  // The fixture has no int8 kernel in the wasm backend: no speedup there, rather than a wrong one.
  assert.equal(rows.find((o) => o.kernel === 'fatnn/wasm-simd128')!.gemm_speedup_vs_int8, '');
});

test('an incomplete run says so in every human format', async () => {
  const r = { ...(await fixture()), complete: false, finishedAt: null, layers: (await fixture()).layers.slice(0, 1) };
  assert.match(renderMarkdown(r, { detail: true }), /Incomplete run.*1 of 2 layers/);
  assert.match(renderHtml(r), /Incomplete run.*1 of 2 layers/);
  assert.match(renderConsole(r, { color: false, detail: true }), /INCOMPLETE/);
});

test('the json format round-trips through validation', async () => {
  const r = await fixture();
  assert.deepEqual(parseResults(renderFormat('json', r), 'x'), r);
});

test('format lists accept commas, repeats and aliases, and reject unknown names', () => {
  assert.deepEqual(parseFormats(['md,csv', 'markdown', 'html']), ['md', 'csv', 'html']);
  assert.throws(() => parseFormats(['pdf']), UsageError);
  assert.deepEqual(Object.keys(FORMATS).sort(), ['console', 'csv', 'html', 'json', 'md']);
});

test('every human format says what is timed and what setup is not', async () => {
  const r = await fixture();
  for (const format of ['md', 'html', 'console'] as const) {
    // The console wraps its notes to the terminal width: read it as one paragraph.
    const text = renderFormat(format, r, {}).replace(/\s+/g, ' ');
    assert.match(text, /Timed: one GEMM on pre-packed operands/, format);
    assert.match(text, /Not timed: kernel creation, weight packing, wasm instantiation, worker pool start-up/, format);
  }
});
