// The speed probe (issue #15): batches timed while the machine ran slow are re-taken, what stays
// slow is flagged, and the run says how steady the machine was. The sweep runs in-process here
// with a scripted probe, so the spells are exactly where the test puts them.

import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { findKernel } from '../src/registry.js';
import { readResultsFile } from '../src/results/io.js';
import { hostWarnings } from '../src/results/host-warnings.js';
import type { HostFingerprint, MachineSpeed } from '../src/results/schema.js';
import { noiseReasons } from '../src/results/stats.js';
import { validateResults } from '../src/results/validate.js';
import { overrideRealmProbe, SpeedProbe } from '../src/runner/speed-probe.js';
import { SpeedLog } from '../src/runner/slow-spells.js';
import { runSweep } from '../src/runner/sweep.js';
import { cli, FAST } from './support/spawn-cli.js';

const layer = { name: 'probe layer', M: 8, N: 64, K: 100, count: 1 };
// One fork, two rounds, GEMM only: batches in the order fatnn/js, binary/js, fatnn/js, binary/js;
// each batch reads the probe twice (before and after its samples).
const settings = { threads: 1, timeMs: 4, minSamples: 2, warmupMs: 0, rounds: 2, forks: 1, isolate: false, seed: 1, withPacking: false };
const kernels = () => [findKernel('fatnn/js'), findKernel('binary/js')];

/** A probe reading `times[i]` on its i-th read (the last value after the script ends). */
function scripted(times: number[]) {
  let i = 0;
  return { measure: () => times[Math.min(i++, times.length - 1)]! };
}

afterEach(() => overrideRealmProbe(null));

test('a batch timed in a slow spell is re-taken at the end of its fork and replaced', async () => {
  // Reads 3-4 (binary/js, round 0) are slow; the re-take (reads 9-10) is not.
  overrideRealmProbe(scripted([0.1, 0.1, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]));
  let summary: MachineSpeed | undefined;
  const [result] = await runSweep([layer], kernels(), settings, { speed: (s) => (summary = s) });
  const byId = new Map(result!.measurements.map((m) => [m.kernel, m.gemm!]));
  assert.deepEqual(byId.get('binary/js')!.speedProbe, { batches: 2, slow: 0, retaken: 1, maxFactor: 1 });
  assert.deepEqual(byId.get('fatnn/js')!.speedProbe, { batches: 2, slow: 0, retaken: 0, maxFactor: 1 });
  assert.ok(!noiseReasons(byId.get('binary/js')!).some((r) => r.startsWith('machine slow')));
  assert.equal(summary!.batches, 5, 'four batches and one re-take were probed');
  assert.equal(summary!.slowBatches, 1);
  assert.equal(summary!.retaken, 1);
  assert.equal(summary!.usualMs, 0.1);
  assert.equal(summary!.slowestFactor, 2);
});

test('a batch that stays slow through every re-take is kept and flagged, with the reason', async () => {
  overrideRealmProbe(scripted([0.1, 0.1, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1, 0.2]));
  let summary: MachineSpeed | undefined;
  const [result] = await runSweep([layer], kernels(), settings, { speed: (s) => (summary = s) });
  const binary = result!.measurements.find((m) => m.kernel === 'binary/js')!.gemm!;
  assert.deepEqual(binary.speedProbe, { batches: 2, slow: 1, retaken: 1, maxFactor: 2 });
  assert.ok(noiseReasons(binary).includes('machine slow: 1 of 2 batches ran while the speed probe was up to 2.0x its usual time'), noiseReasons(binary).join('; '));
  assert.equal(summary!.retaken, 1, 'one re-take pass, then the batch is kept');
  const host = { cpu: { cores: 2 }, speed: summary } as unknown as HostFingerprint;
  assert.match(hostWarnings(host).join('\n'), /^unsteady machine: a vector speed probe \(fatnn\/wasm-simd128 32x32x2304\) ran up to 2\.0x its usual 0\.1 ms around 40% of 5 timed batches/m);
});

test('without a probe (no wasm SIMD) nothing is re-taken and no probe statistics are written', async () => {
  overrideRealmProbe(undefined);
  let summary: MachineSpeed | undefined;
  const [result] = await runSweep([layer], kernels(), settings, { speed: (s) => (summary = s) });
  for (const m of result!.measurements) assert.equal(m.gemm!.speedProbe, undefined, m.kernel);
  assert.equal(summary, undefined);
});

test('the usual speed is the 25th percentile: a spell over most of the run still reads slow', () => {
  const log = new SpeedLog();
  for (const p of [0.3, 0.3, 0.3, 0.1, 0.1]) log.record(p);
  assert.equal(log.usual(), 0.1);
  assert.equal(log.isSlow(0.3), true);
  assert.equal(log.isSlow(0.134), false);
  log.record(undefined);
  log.record(Number.NaN);
  assert.equal(log.summary()!.batches, 5, 'unprobed batches are not counted');
});

test('the real probe times its kernel on this host', async () => {
  const probe = await SpeedProbe.create();
  if (!probe) return; // no wasm SIMD: the runner times unprobed (covered above)
  const t = probe.measure();
  assert.ok(Number.isFinite(t) && t > 0, `${t}`);
  await probe.dispose();
});

test('the probe runs the byte-count loop whatever popcount form the wasm kernels use here', async () => {
  const saved = process.env.FATNN_WASM_POPCOUNT;
  process.env.FATNN_WASM_POPCOUNT = 'lanes';
  try {
    const probe = await SpeedProbe.create();
    if (!probe) return; // no wasm SIMD
    // one workload in every version and on every host, so usual probe times stay comparable
    assert.equal((probe as unknown as { kernel: { gemmExport: string } }).kernel.gemmExport, 'fatnnCSLong');
    await probe.dispose();
  } finally {
    if (saved === undefined) delete process.env.FATNN_WASM_POPCOUNT;
    else process.env.FATNN_WASM_POPCOUNT = saved;
  }
});

test('run writes the probe into results.json (per measurement and for the run), and the validator checks it', async () => {
  const out = path.join(await mkdtemp(path.join(os.tmpdir(), 'fatnn-probe-')), 'r');
  const r = await cli(['run', '--shape', '8x64x100', '-k', 'fatnn/js', '-k', 'binary/wasm-scalar', ...FAST, '--out', out, '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const file = path.join(out, 'results.json');
  const results = await readResultsFile(file);
  const speed = results.host.speed!;
  assert.equal(speed.probe, 'fatnn/wasm-simd128 32x32x2304');
  assert.ok(speed.batches >= 4 && speed.usualMs > 0, JSON.stringify(speed));
  for (const m of results.layers[0]!.measurements) assert.ok(m.gemm!.speedProbe!.batches >= 1, m.kernel);

  const doc = JSON.parse(JSON.stringify(results)) as { host: { speed: Record<string, unknown> }; layers: { measurements: { gemm: { speedProbe: Record<string, unknown> } }[] }[] };
  doc.host.speed.slowBatches = speed.batches + 1;
  assert.throws(() => validateResults(doc), /host\.speed\.slowBatches/);
  doc.host.speed.slowBatches = 0;
  doc.layers[0]!.measurements[0]!.gemm.speedProbe.retaken = -1;
  assert.throws(() => validateResults(doc), /speedProbe\.retaken/);
});
