// Issue #15's table (README "The issue #15 table"): each row's kernel measured with selection A and
// selection B, RUNS (default 3) fresh CLI runs each, A and B alternating, on 128x784x1152.
// Usage: node scripts/selection-table.mjs (from the project root, after npm run build).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fatnn-selection-table-'));
const rows = [
  ['ternary2b/js', ['ternary2b/js', 'fatnn/js'], ['bit2/js', 'ternary2b/js', 'fatnn/js']],
  ['bit2/js', ['bit2/js'], ['bit2/js', 'ternary2b/js']],
  ['fatnn/js', ['fatnn/js'], ['fatnn/js', 'binary/js']],
  ['fp32/js', ['fp32/js'], ['fp32/js', 'int8/js']],
  ['fatnn/wasm-simd128', ['fatnn/wasm-simd128'], ['fatnn/wasm-simd128', 'ternary2b/wasm-simd128']],
];
const runs = Number(process.env.RUNS ?? 3);
const one = (sel, k) => {
  const args = ['bin/fatnn-bench.js', 'run', '-s', '128x784x1152', '--time', '350', '--no-packing', '--no-from-float', '-q', '--json', '-f', 'md', '--out', path.join(tmp, String(Date.now())), ...sel.flatMap((s) => ['-k', s])];
  const out = execFileSync('node', args, { cwd: new URL('..', import.meta.url).pathname, maxBuffer: 1 << 28 }).toString();
  const r = JSON.parse(out);
  const m = r.layers[0].measurements.find((x) => x.kernel === k).gemm;
  return { ms: m.medianMs, forks: m.forks.map((f) => f.medianMs.toFixed(2)).join('/'), extra: m.extraForks ?? 0, aside: (m.setAsideForks ?? []).map((f) => f.medianMs.toFixed(2) + (f.slowSpell ? ` (slow spell ${f.slowSpell}x)` : '')).join('/') };
};
console.log('| kernel | selection A | A medians (ms) | selection B | B medians (ms) | A/B | spread A | spread B |');
console.log('|---|---|---|---|---|---:|---:|---:|');
const detail = [];
for (const [k, a, b] of rows) {
  const A = [], B = [];
  for (let i = 0; i < runs; i++) { A.push(one(a, k)); B.push(one(b, k)); }
  const med = (x) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)];
  const am = A.map((x) => x.ms), bm = B.map((x) => x.ms);
  const sp = (x) => ((Math.max(...x) / Math.min(...x) - 1) * 100).toFixed(0) + '%';
  console.log(`| ${k} | ${a.map((s) => '`-k ' + s + '`').join(' ')} | ${am.map((x) => x.toFixed(2)).join(' / ')} | ${b.map((s) => '`-k ' + s + '`').join(' ')} | ${bm.map((x) => x.toFixed(2)).join(' / ')} | ${(med(am) / med(bm)).toFixed(2)} | ${sp(am)} | ${sp(bm)} |`);
  detail.push({ k, A, B });
}
console.log('\nforks (extra, set aside):');
for (const d of detail) console.log(d.k, 'A', d.A.map((x) => `${x.forks}${x.extra ? ` +${x.extra} aside ${x.aside}` : ''}`).join(' | '), 'B', d.B.map((x) => `${x.forks}${x.extra ? ` +${x.extra} aside ${x.aside}` : ''}`).join(' | '));
