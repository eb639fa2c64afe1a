#!/usr/bin/env node
// A/B of the from-float view between two builds of fatnn-bench (two checkouts with dist/ built),
// in one process: the same kernel of each build side by side, timed alternately round by round
// (A gemm, B gemm, A from-float, B from-float), so a shared machine's load drift hits both alike.
// The from-float operation is what the runner times: setActivationsFromFloat (or, where a kernel
// has none, the generic quantize + setActivations) + run. Both builds' results must agree.
//   node scripts/from-float-ab.mjs A_ROOT B_ROOT MxNxK ROUNDS KERNEL_ID...
// prints one JSON line per kernel: medians [p25-p75] in ms, B's from-float speedup over A, and
// B's (from float - GEMM) / GEMM.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [aRoot, bRoot, shapeArg, rounds = '31', ...ids] = process.argv.slice(2);
if (!aRoot || !bRoot || !shapeArg || ids.length === 0) {
  console.error('usage: node scripts/from-float-ab.mjs A_ROOT B_ROOT MxNxK ROUNDS KERNEL_ID...');
  process.exit(2);
}
const [M, N, K] = shapeArg.split('x').map(Number);
const load = async (root) => {
  const at = (p) => import(pathToFileURL(resolve(root, 'dist/src', p)).href);
  return { reg: await at('registry.js'), ff: await at('from-float.js'), qz: await at('quantize.js'), rl: await at('precisions.js'), wk: await at('backends/workers/index.js') };
};
const builds = { A: await load(aRoot), B: await load(bRoot) };
const med = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
const pct = (a, f) => [...a].sort((p, q) => p - q)[Math.floor(f * (a.length - 1))];
const res = [];
for (const id of ids) {
  const precision = id.split('/')[0];
  const ks = {};
  for (const [name, b] of Object.entries(builds)) {
    const k = await b.reg.createKernel(id, { M, N, K }, { threads: 2 });
    const q = b.ff.DEFAULT_QUANTIZERS[precision];
    const x = b.ff.randomFloatActivations(q, N * K, 7);
    k.setWeights(b.rl.randomLogical(precision, M * K, 3));
    const scratch = new Int8Array(N * K);
    const setF = k.setActivationsFromFloat ? () => k.setActivationsFromFloat(x, q) : () => k.setActivations(b.qz.quantize(q, x, scratch));
    setF();
    ks[name] = { k, gemm: () => k.run(), ff: () => { setF(); k.run(); }, t: { gemm: [], ff: [] } };
  }
  // check both agree
  ks.A.k.run(); ks.B.k.run();
  const ro = ks.A.k.result(), rn = ks.B.k.result();
  let same = ro.length === rn.length; for (let i = 0; same && i < ro.length; i++) same = ro[i] === rn[i];
  for (let i = 0; i < 3; i++) for (const v of Object.values(ks)) { v.gemm(); v.ff(); }
  for (let r = 0; r < Number(rounds); r++) {
    for (const view of ['gemm', 'ff']) for (const v of Object.values(ks)) { const a = performance.now(); v[view](); v.t[view].push(performance.now() - a); }
  }
  const row = { id, shape: shapeArg, same };
  for (const [name, v] of Object.entries(ks)) for (const view of ['gemm', 'ff']) row[`${name}.${view}`] = `${med(v.t[view]).toFixed(3)} [${pct(v.t[view], 0.25).toFixed(3)}-${pct(v.t[view], 0.75).toFixed(3)}]`;
  row.fromFloatSpeedup = (med(ks.A.t.ff) / med(ks.B.t.ff)).toFixed(2);
  row.bQuantizePackOverGemm = ((med(ks.B.t.ff) - med(ks.B.t.gemm)) / med(ks.B.t.gemm)).toFixed(2);
  console.log(JSON.stringify(row));
  for (const v of Object.values(ks)) await v.k.dispose();
}
for (const b of Object.values(builds)) await b.wk.shutdownWorkerPools();
