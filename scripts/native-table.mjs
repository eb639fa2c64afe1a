#!/usr/bin/env node
// Renders a fatnn-bench results.json of native kernels as the per-layer GMAC/s table of
// reports/native-*.md: one column per kernel, the median over layers, the ratios of medians
// per instruction set and the performance goals of the native backend (issue 7).
// Usage: node scripts/native-table.mjs results.json

import { readFileSync } from 'node:fs';

const results = JSON.parse(readFileSync(process.argv[2] ?? 'results.json', 'utf8'));
const gmacs = new Map(); // kernel -> GMAC/s per layer (GEMM only, median time)
const packed = new Map(); // kernel -> GMAC/s per layer with activation packing in the timed loop
for (const layer of results.layers) {
  const macs = layer.M * layer.N * layer.K;
  for (const m of layer.measurements) {
    if (!m.gemm || m.backend !== 'native') continue;
    if (!gmacs.has(m.kernel)) gmacs.set(m.kernel, []);
    gmacs.get(m.kernel).push(macs / (m.gemm.medianMs * 1e-3) / 1e9);
    if (m.withPacking) {
      if (!packed.has(m.kernel)) packed.set(m.kernel, []);
      packed.get(m.kernel).push(macs / (m.withPacking.medianMs * 1e-3) / 1e9);
    }
  }
}
const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};
const kernels = [...gmacs.keys()];
const med = new Map(kernels.map((k) => [k, median(gmacs.get(k))]));
const isas = ['avx512', 'avx2', 'scalar', 'neon'].filter((isa) => kernels.some((k) => k.endsWith(`/native-${isa}`)));
const fmt = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

const lines = [];
for (const isa of isas) {
  const cols = kernels.filter((k) => k.endsWith(`/native-${isa}`));
  lines.push(`GMAC/s, native-${isa}:`, '');
  lines.push(`| layer | MxNxK | ${cols.map((k) => k.split('/')[0]).join(' | ')} |`);
  lines.push(`|---|---|${cols.map(() => '---:|').join('')}`);
  results.layers.forEach((layer, i) => {
    lines.push(`| ${layer.name} (x${layer.count}) | ${layer.M}x${layer.N}x${layer.K} | ${cols.map((k) => fmt(gmacs.get(k)[i])).join(' | ')} |`);
  });
  lines.push(`| **median** | | ${cols.map((k) => `**${fmt(med.get(k))}**`).join(' | ')} |`, '');
}

const best = isas[0];
const packedCols = kernels.filter((k) => k.endsWith(`/native-${best}`) && packed.get(k)?.length === results.layers.length);
if (packedCols.length) {
  lines.push(`GMAC/s with activation packing in the timed loop (setActivations + run), native-${best}:`, '');
  lines.push(`| layer | ${packedCols.map((k) => k.split('/')[0]).join(' | ')} |`);
  lines.push(`|---|${packedCols.map(() => '---:|').join('')}`);
  results.layers.forEach((layer, i) => {
    lines.push(`| ${layer.name} | ${packedCols.map((k) => fmt(packed.get(k)[i])).join(' | ')} |`);
  });
  lines.push(`| **median** | ${packedCols.map((k) => `**${fmt(median(packed.get(k)))}**`).join(' | ')} |`, '');
}

const ratio = (a, b, isa) => med.get(`${a}/native-${isa}`) / med.get(`${b}/native-${isa}`);
lines.push(`| ratio of medians | ${isas.join(' | ')} |`, `|---|${isas.map(() => '---:|').join('')}`);
for (const [a, b] of [['fatnn', 'ternary2b'], ['binary', 'fatnn'], ['fatnn', 'int8'], ['fatnn', 'fp32'], ['ternary2b', 'int8']]) {
  lines.push(`| ${a} / ${b} | ${isas.map((isa) => `${ratio(a, b, isa).toFixed(2)}x`).join(' | ')} |`);
}
lines.push('');

if (med.has('fatnn/native-avx512')) {
  const goals = [
    ['fatnn/native-avx512 median GMAC/s', med.get('fatnn/native-avx512'), 650],
    ['binary/native-avx512 median GMAC/s', med.get('binary/native-avx512'), 1400],
    ['int8/native-avx512 median GMAC/s', med.get('int8/native-avx512'), 200],
    ['fp32/native-avx512 median GMAC/s', med.get('fp32/native-avx512'), 70],
    ['fatnn / ternary2b, native-avx512', ratio('fatnn', 'ternary2b', 'avx512'), 1.6],
    ['binary / fatnn, native-avx512', ratio('binary', 'fatnn', 'avx512'), 1.8],
    ['fatnn native-avx512 / int8 native-avx512', ratio('fatnn', 'int8', 'avx512'), 3],
  ];
  lines.push('| goal | target | measured | met |', '|---|---:|---:|---|');
  for (const [name, value, target] of goals) lines.push(`| ${name} | >= ${target} | ${value.toFixed(2)} | ${value >= target ? 'yes' : 'no'} |`);
  lines.push('');
}
process.stdout.write(lines.join('\n'));
