// The headline chart's label geometry (src/report/chart-labels.ts): wrapping keeps the text,
// and no two placed labels can overlap, for the real published report and for long class names.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { layoutGroupLabels, textWidth, wrapLabel, type LabelledGroup, type PlacedLabel } from '../src/report/chart-labels.js';
import { buildHeadline, headlineDisplayRows } from '../src/report/headline.js';
import { readResultsFile } from '../src/results/io.js';

const PUBLISHED = new URL('../../reports/resnet18-2026-12-01-v3/results.json', import.meta.url).pathname;

/** Horizontal extent of a label in the chart, by the same estimate the layout uses. */
const extent = (l: PlacedLabel) => [l.x - l.width / 2, l.x + l.width / 2] as const;

function assertNoOverlap(groups: readonly LabelledGroup[], barsWidth: number): void {
  const layout = layoutGroupLabels(groups, barsWidth, 52);
  for (const kind of ['label', 'sublabel'] as const) {
    const row = layout.labels.filter((l) => l.kind === kind).sort((a, b) => a.x - b.x);
    for (let i = 1; i < row.length; i++) {
      const [, rightOfPrevious] = extent(row[i - 1]!);
      const [leftOfThis] = extent(row[i]!);
      assert.ok(rightOfPrevious < leftOfThis, `${kind}s "${row[i - 1]!.lines.join(' ')}" and "${row[i]!.lines.join(' ')}" overlap: ${rightOfPrevious} >= ${leftOfThis}`);
    }
  }
  // Sublabels sit on their own line above the class labels.
  const sub = layout.labels.filter((l) => l.kind === 'sublabel');
  const label = layout.labels.filter((l) => l.kind === 'label');
  if (sub.length > 0) assert.ok(Math.max(...sub.map((l) => l.y)) + 12 <= Math.min(...label.map((l) => l.y)));
  // Every group fits its bars, and the groups do not overlap.
  assert.ok(layout.groupWidth >= barsWidth);
  for (let i = 1; i < layout.groupX.length; i++) assert.ok(layout.groupX[i]! >= layout.groupX[i - 1]! + layout.groupWidth);
}

it('wrapping a label keeps every character and breaks only after a dash or at a space', () => {
  for (const label of ['workers-native (avx512)', 'workers-wasm-simd128', 'js', 'native (neon, dotprod)']) {
    for (const width of [10, 60, 100, 1000]) {
      const lines = wrapLabel(label, width, 12);
      assert.equal(lines.join(' ').replace(/- /g, '-'), label, `${label} at ${width}: ${lines.join(' | ')}`);
      for (const line of lines) assert.match(line, /^\S(.*\S)?$/);
    }
  }
  assert.deepEqual(wrapLabel('workers-native (avx2)', 110, 12), ['workers-native', '(avx2)']);
  assert.deepEqual(wrapLabel('native (avx2)', 1000, 12), ['native (avx2)']);
});

it('a wrapped line is no wider than the room it was given, unless one piece alone is wider', () => {
  for (const width of [40, 80, 120]) {
    for (const line of wrapLabel('workers-wasm-simd128 (something long)', width, 12)) {
      assert.ok(textWidth(line, 12) <= width || !/[\s-]./.test(line), `${line} at ${width}`);
    }
  }
});

it('the width estimate is generous: wider letters count more, and it grows with the font', () => {
  assert.ok(textWidth('mmmm', 12) > textWidth('iiii', 12));
  assert.equal(textWidth('wasm-simd128', 24), 2 * textWidth('wasm-simd128', 12));
  // DejaVu Sans (Debian's default sans) sets "wasm-simd128" at 12 px in 91 px.
  assert.ok(textWidth('wasm-simd128', 12) >= 91);
});

it('the published report\'s headline labels (8 classes x GEMM only / from float) do not overlap', async () => {
  const h = buildHeadline(await readResultsFile(PUBLISHED));
  const rows = headlineDisplayRows(h);
  assert.ok(rows.some((r) => r.fromFloat) && rows.length >= 14, `${rows.length} rows`);
  const groups = rows.map((r) => ({ label: r.klass, sublabel: r.fromFloat ? 'from float' : 'GEMM only' }));
  assertNoOverlap(groups, 5 * 12);
});

it('long class names and many groups still give labels that do not overlap', () => {
  const classes = ['js', 'workers-native (avx512)', 'workers-wasm-simd128', 'native (neon, dotprod, i8mm)', 'x', 'workers-wasm-scalar'];
  assertNoOverlap(classes.flatMap((label) => [{ label, sublabel: 'GEMM only' }, { label, sublabel: 'from float' }]), 60);
  assertNoOverlap(classes.map((label) => ({ label })), 12);
  assertNoOverlap(classes.map((label) => ({ label })), 200);
});
