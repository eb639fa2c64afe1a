// A grouped bar chart of speedups per layer as inline SVG (no scripts, no external assets),
// on a log2 axis so 0.5x and 2x are equally far from the 1x baseline line.

import type { Precision } from '../types.js';
import { layoutGroupLabels, textWidth } from './chart-labels.js';
import { formatSpeedupValue } from './format.js';
import type { VariantMatrix } from './model.js';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Colour-blind-friendly palette (Okabe-Ito), one fixed colour per precision. */
export const PRECISION_COLOURS: Readonly<Record<Precision, string>> = {
  fp32: '#999999',
  int8: '#E69F00',
  bit2: '#56B4E9',
  ternary2b: '#0072B2',
  fatnn: '#D55E00',
  binary: '#009E73',
};

/** A generous estimate of a text's width in pixels (system-ui averages ~0.6 em per character). */
function titleWidth(text: string, fontSize: number): number {
  return Math.ceil(text.length * fontSize * 0.62) + 16;
}

interface Group {
  readonly label: string;
  readonly values: readonly (number | undefined)[];
}

/** The chart of one variant: a group of bars per layer plus the whole-network group. */
export function speedupChartSvg(mx: VariantMatrix, baseline: Precision, title: string): string {
  const shown = mx.precisions.map((p, i) => ({ p, i })).filter(({ p }) => p !== baseline);
  const groups: Group[] = [
    ...mx.rows.map((r) => ({ label: r.layer.name, values: shown.map(({ i }) => r.cells[i]?.value) })),
    { label: 'whole network', values: shown.map(({ i }) => mx.network[i]?.value) },
  ];
  const all = groups.flatMap((g) => g.values).filter((v): v is number => v !== undefined && v > 0);
  if (shown.length === 0 || all.length === 0) return '';
  const lo = Math.min(-1, Math.floor(Math.log2(Math.min(...all))));
  const hi = Math.max(1, Math.ceil(Math.log2(Math.max(...all))));
  const bar = 12;
  const gap = 18;
  const groupWidth = shown.length * bar + gap;
  const left = 48;
  const top = 30;
  const plotH = 220;
  const bottom = 110;
  const plotRight = left + groups.length * groupWidth;
  // Room on the right for the last rotated layer label, and for the whole title.
  const width = Math.max(plotRight + 90, left + titleWidth(title, 13));
  const height = top + plotH + bottom;
  const y = (v: number) => top + plotH - ((Math.log2(v) - lo) / (hi - lo)) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}" font-family="system-ui, sans-serif" font-size="11">`,
    `<title>${escapeXml(title)}</title>`,
    `<text x="${left}" y="16" font-size="13" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (let e = lo; e <= hi; e++) {
    const v = 2 ** e;
    const yy = y(v).toFixed(1);
    out.push(`<line x1="${left}" x2="${plotRight}" y1="${yy}" y2="${yy}" stroke="${e === 0 ? '#333' : '#ddd'}" stroke-width="${e === 0 ? 1.5 : 1}"/>`);
    out.push(`<text x="${left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${v >= 1 ? v : `1/${2 ** -e}`}x</text>`);
  }
  groups.forEach((g, gi) => {
    const x0 = left + gi * groupWidth + gap / 2;
    g.values.forEach((v, bi) => {
      if (v === undefined || v <= 0) return;
      const p = shown[bi]!.p;
      const y1 = y(1);
      const yv = y(v);
      const x = x0 + bi * bar;
      out.push(
        `<rect x="${x.toFixed(1)}" y="${Math.min(y1, yv).toFixed(1)}" width="${bar - 2}" height="${Math.max(1, Math.abs(y1 - yv)).toFixed(1)}" fill="${PRECISION_COLOURS[p]}"><title>${escapeXml(`${p}/${mx.variant}, ${g.label}: ${formatSpeedupValue(v)} vs ${baseline}`)}</title></rect>`,
      );
    });
    const cx = x0 + (shown.length * bar) / 2;
    out.push(`<text transform="translate(${cx.toFixed(1)},${top + plotH + 8}) rotate(40)" font-size="10">${escapeXml(g.label)}</text>`);
  });
  let lx = left;
  const ly = height - 12;
  for (const { p } of shown) {
    out.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${PRECISION_COLOURS[p]}"/><text x="${lx + 14}" y="${ly}">${p}</text>`);
    lx += 24 + p.length * 7;
  }
  out.push('</svg>');
  return out.join('\n');
}

export interface ChartRange {
  /** log2 of the lowest and highest gridline. */
  readonly lo: number;
  readonly hi: number;
}

/** The log2 gridline range covering every value (and always 1/2x..2x). */
export function chartRange(values: readonly (number | undefined)[]): ChartRange {
  const all = values.filter((v): v is number => v !== undefined && v > 0);
  if (all.length === 0) return { lo: -1, hi: 1 };
  return { lo: Math.min(-1, Math.floor(Math.log2(Math.min(...all)))), hi: Math.max(1, Math.ceil(Math.log2(Math.max(...all)))) };
}

export interface HeadlineChartInput {
  readonly title: string;
  readonly baseline: Precision;
  readonly precisions: readonly Precision[];
  /**
   * One group of bars per kernel class and cost view; consecutive groups with the same `label`
   * (a class) are drawn side by side under one label, each with its `sublabel` (the view).
   */
  readonly groups: readonly { readonly label: string; readonly sublabel?: string; readonly values: readonly (number | undefined)[] }[];
  /** The op-count model, one value per precision: drawn as a tick over each bar. */
  readonly model?: readonly number[];
}

/**
 * The headline chart: whole-network speedup vs the baseline, a group of bars per kernel class,
 * one bar per precision (fixed colours, legend on top), log2 axis, the op-count model as a black
 * tick on each bar. Horizontal labels, wrapped and spaced by chart-labels.ts so none overlaps
 * another: rotated text is what made the old per-variant charts hard to read.
 */
export function headlineChartSvg(input: HeadlineChartInput, range?: ChartRange): string {
  const shown = input.precisions.map((p, i) => ({ p, i })).filter(({ p }) => p !== input.baseline);
  const values = input.groups.flatMap((g) => shown.map(({ i }) => g.values[i]));
  if (shown.length === 0 || values.every((v) => v === undefined)) return '';
  const { lo, hi } = range ?? chartRange([...values, ...(input.model ?? [])]);
  // 12 px per bar (10 drawn): eight classes in two views fit the report's 1400 px column.
  const bar = 12;
  const left = 52;
  const top = 56;
  const plotH = 260;
  // Group widths come from the labels: wide enough that no two labels can overlap (chart-labels.ts).
  const labels = layoutGroupLabels(input.groups, shown.length * bar, left);
  const plotRight = labels.right;
  const width = Math.max(plotRight + 20, left + titleWidth(input.title, 14));
  const height = top + plotH + labels.height;
  const y = (v: number) => top + plotH - ((Math.log2(v) - lo) / (hi - lo)) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(input.title)}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${escapeXml(input.title)}</title>`,
    `<text x="8" y="18" font-size="14" font-weight="bold">${escapeXml(input.title)}</text>`,
  ];
  let lx = left;
  for (const { p } of shown) {
    out.push(`<rect x="${lx}" y="30" width="12" height="12" fill="${PRECISION_COLOURS[p]}"/><text x="${lx + 16}" y="40">${escapeXml(p)}</text>`);
    lx += 16 + textWidth(p, 12) + 14;
  }
  if (input.model) out.push(`<line x1="${lx}" x2="${lx + 14}" y1="36" y2="36" stroke="#000" stroke-width="2"/><text x="${lx + 18}" y="40">op-count model</text>`);
  for (let e = lo; e <= hi; e++) {
    const v = 2 ** e;
    const yy = y(v).toFixed(1);
    out.push(`<line x1="${left}" x2="${plotRight}" y1="${yy}" y2="${yy}" stroke="${e === 0 ? '#333' : '#ddd'}" stroke-width="${e === 0 ? 1.5 : 1}"/>`);
    out.push(`<text x="${left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${v >= 1 ? v : `1/${2 ** -e}`}x</text>`);
  }
  input.groups.forEach((g, gi) => {
    const x0 = labels.groupX[gi]! + (labels.groupWidth - shown.length * bar) / 2;
    const name = g.sublabel === undefined ? g.label : `${g.label}, ${g.sublabel}`;
    shown.forEach(({ p, i }, bi) => {
      const v = g.values[i];
      const x = x0 + bi * bar;
      if (v !== undefined && v > 0) {
        const y1 = y(1);
        const yv = y(v);
        out.push(
          `<rect x="${x.toFixed(1)}" y="${Math.min(y1, yv).toFixed(1)}" width="${bar - 2}" height="${Math.max(1, Math.abs(y1 - yv)).toFixed(1)}" fill="${PRECISION_COLOURS[p]}"><title>${escapeXml(`${p}, ${name}: ${formatSpeedupValue(v)} vs ${input.baseline}`)}</title></rect>`,
        );
      }
      const m = input.model?.[i];
      if (m !== undefined && v !== undefined) out.push(`<line x1="${x.toFixed(1)}" x2="${(x + bar - 2).toFixed(1)}" y1="${y(m).toFixed(1)}" y2="${y(m).toFixed(1)}" stroke="#000" stroke-width="2"/>`);
    });
  });
  for (const l of labels.labels) {
    const attrs = l.kind === 'sublabel' ? ` font-size="${l.fontSize}" fill="#555" class="sublabel"` : ' class="group-label"';
    const tspans = l.lines.map((line, li) => `<tspan x="${l.x.toFixed(1)}" dy="${li === 0 ? 0 : 15}">${escapeXml(line)}</tspan>`).join('');
    out.push(`<text x="${l.x.toFixed(1)}" y="${top + plotH + l.y}" text-anchor="middle"${attrs}>${tspans}</text>`);
  }
  out.push('</svg>');
  return out.join('\n');
}
