// The headline summary (class x precision, whole network, the FATNN claim) and the busy-machine
// warnings every surface prints.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildHeadline, headlineGrid } from '../src/report/headline.js';
import { BUSY_LOAD_PER_CORE, BUSY_OTHER_CPU_PERCENT, hostWarnings } from '../src/results/host-warnings.js';
import { readResultsFile } from '../src/results/io.js';
import type { HostFingerprint, LoadSample } from '../src/results/schema.js';
import { SchemaProblem, validateResults } from '../src/results/validate.js';

const X86 = new URL('../../test/fixtures/compare/x64-native.json', import.meta.url).pathname;

test('the headline has one row per kernel class, the best native ISA only, and whole-network speedups', async () => {
  const r = await readResultsFile(X86);
  const h = buildHeadline(r);
  assert.deepEqual(
    h.rows.map((x) => x.label),
    ['js', 'wasm-simd128', 'wasm-scalar', 'native (avx2)'],
  );
  assert.deepEqual(h.precisions, ['fp32', 'ternary2b', 'fatnn']);
  const native = h.rows.find((x) => x.klass === 'native')!;
  assert.deepEqual(native.kernels, ['fp32/native-avx2', 'ternary2b/native-avx2', 'fatnn/native-avx2']);
  const total = (kernel: string) => r.layers.reduce((s, l) => s + l.count * l.measurements.find((m) => m.kernel === kernel)!.gemm!.medianMs, 0);
  assert.equal(native.cells[2]!.value, total('fp32/native-avx2') / total('fatnn/native-avx2'));
  assert.equal(native.fatnn!.value, total('ternary2b/native-avx2') / total('fatnn/native-avx2'));
  const grid = headlineGrid(h);
  assert.deepEqual(grid.head, ['kernel class', 'fp32', 'ternary2b', 'fatnn', 'fatnn/ternary2b']);
  assert.deepEqual(grid.rows.at(-1), ['op-count model', '1.00x', '5.33x', '9.14x', '1.71x (paper 2x)']);
});

function host(load?: { before: LoadSample; after?: LoadSample }, cores = 4): HostFingerprint {
  return {
    cpu: { brand: 'x', manufacturer: 'x', cores, physicalCores: cores, speedGHz: null, flags: [] },
    arch: 'x64',
    memoryBytes: 1,
    os: { platform: 'linux', distro: 'd', release: 'r', kernel: 'k' },
    node: '20',
    v8: '11',
    wasmSimd: true,
    ...(load && { load }),
  };
}

const sample = (otherCpuPercent: number | null, loadAverage1m = 0): LoadSample => ({ at: '2026-12-01T00:00:00Z', loadAverage1m, otherCpuPercent, windowMs: 300 });

test('an idle host, or one without a load record, gets no warning', () => {
  assert.deepEqual(hostWarnings(host()), []);
  assert.deepEqual(hostWarnings(host({ before: sample(2, 0.3), after: sample(BUSY_OTHER_CPU_PERCENT, 3.9) })), [], 'the load after the run counts the run itself');
});

test('a busy host before or after the run, or a high load average before it, is warned about once', () => {
  for (const load of [{ before: sample(BUSY_OTHER_CPU_PERCENT + 1) }, { before: sample(0), after: sample(40) }, { before: sample(0, BUSY_LOAD_PER_CORE * 4 + 0.1) }, { before: sample(50, 9), after: sample(60, 9) }]) {
    const w = hostWarnings(host(load));
    assert.equal(w.length, 1, JSON.stringify(load));
    assert.match(w[0]!, /^busy machine: before the run: other processes used/);
  }
  assert.match(hostWarnings(host({ before: sample(null, 9) }))[0]!, /an unknown share/);
});

test('the validator accepts host.load and names a bad field in it', async () => {
  const r = JSON.parse(JSON.stringify(await readResultsFile(X86)));
  assert.ok(r.host.load?.before, 'the recorded fixture has a load sample');
  validateResults(r);
  delete r.host.load.after;
  validateResults(r);
  r.host.load.before.otherCpuPercent = 'high';
  assert.throws(() => validateResults(r), (e: Error) => e instanceof SchemaProblem && /host\.load\.before\.otherCpuPercent/.test(e.message));
});
