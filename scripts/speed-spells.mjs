#!/usr/bin/env node
// Watches this machine's speed for a while: every 250 ms window, the median time of a scalar
// integer loop and of the runner's vector speed probe (src/runner/speed-probe.ts), alternating.
// A steady machine prints two flat rows; the 2-vCPU VM fatnn-bench is developed on shows slow
// spells of ~1.5x in the vector row only (README "How timings are made"). Needs `npm run build`.
//
//   node scripts/speed-spells.mjs [seconds=8]

// The registry registers the Node wasm loader the probe kernel needs.
import '../dist/src/registry.js';
import { SpeedProbe } from '../dist/src/runner/speed-probe.js';

const seconds = Number(process.argv[2] ?? 8);
if (!(seconds > 0 && seconds <= 600)) {
  console.error('speed-spells: seconds must be a number in (0, 600]');
  process.exit(2);
}
const probe = await SpeedProbe.create();
if (!probe) {
  console.error('speed-spells: the probe kernel (wasm SIMD) cannot run here');
  process.exit(1);
}
let sink = 0;
const scalar = () => {
  let x = 1;
  for (let i = 0; i < 20000; i++) {
    x = (x * 1664525 + 1013904223) | 0;
    x ^= x >>> 13;
  }
  sink ^= x;
};
const timeOf = (f) => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const rows = { scalar: [], vector: [] };
const end = performance.now() + seconds * 1000;
while (performance.now() < end) {
  const s = [];
  const v = [];
  const windowEnd = performance.now() + 250;
  while (performance.now() < windowEnd) {
    s.push(timeOf(scalar));
    v.push(probe.measure());
  }
  rows.scalar.push(median(s));
  rows.vector.push(median(v));
}
await probe.dispose();
const show = (name, xs) => {
  const lo = Math.min(...xs);
  console.log(`${name.padEnd(7)} ms per call, per 250 ms window (max/min ${(Math.max(...xs) / lo).toFixed(2)}x):`);
  console.log('  ' + xs.map((x) => x.toFixed(4)).join(' '));
};
show('scalar', rows.scalar);
show('vector', rows.vector);
if (sink === 42) console.log('');
