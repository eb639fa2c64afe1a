// A grouped bar chart of speedups per layer as inline SVG (no scripts, no external assets),
// on a log2 axis so 0.5x and 2x are equally far from the 1x baseline line.

import type { Precision } from '../types.js';
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
  // Room on the right for the last rotated layer label.
  const width = plotRight + 90;
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
