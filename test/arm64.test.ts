// arm64 only (skipped elsewhere): every NEON kernel is available, the host record names the
// cores, NEON, SDOT and the int8 path the addon chose, and a run says whether the CPU was
// emulated. `npm run test:arm64` sets FATNN_EXPECT_EMULATION=1 (qemu-user); on a real board
// the same test checks that the record does NOT claim emulation.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hostFingerprint } from '../src/host.js';
import { listKernels } from '../src/registry.js';
import type { ResultsFile } from '../src/results/schema.js';

const BIN = new URL('../../bin/fatnn-bench.js', import.meta.url).pathname;
const skip = process.arch !== 'arm64' ? `arm64 only (this is ${process.arch}); run \`npm run test:arm64\`` : false;
const emulated = process.env.FATNN_EXPECT_EMULATION === '1';

function cli(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 300_000 });
}

test('all 12 NEON kernels (native and workers twins) are available', { skip }, () => {
  const neon = listKernels().filter((k) => /native-neon$/.test(k.id));
  assert.equal(neon.length, 12);
  assert.deepEqual(neon.filter((k) => !k.available).map((k) => `${k.id}: ${k.reason}`), []);
  const x86 = listKernels().filter((k) => /native-avx/.test(k.id));
  assert.ok(x86.every((k) => !k.available && /x86-64 only/.test(k.reason ?? '')));
});

test('the host record names the cores, NEON, SDOT and the int8 path the addon chose', { skip }, async () => {
  const host = await hostFingerprint();
  const a = host.arm64;
  assert.ok(a, 'host.arm64 is set on arm64');
  assert.equal(a.neon, true);
  if (process.platform === 'linux') {
    const features = readFileSync('/proc/cpuinfo', 'utf8');
    assert.equal(a.dotprod, /\basimddp\b/.test(features));
    assert.ok(a.cores.length > 0 && a.cores.every((c) => /^0x[0-9a-f]+$/.test(c.part)));
    assert.ok(host.cpu.flags.includes('asimd') && !host.cpu.flags.includes('avx2'), `flags are the arm64 CPU's: ${host.cpu.flags.join(' ')}`);
  }
  assert.match(a.int8Kernel, a.dotprod ? /^SDOT/ : /^SMULL/);
  assert.equal(Boolean(host.emulation), emulated, `emulation: ${JSON.stringify(host.emulation)}`);
});

test('a run records whether the CPU was emulated, and report and compare say so', { skip }, () => {
  const out = mkdtempSync(join(tmpdir(), 'fatnn-arm64-'));
  const run = cli(['run', '--shape', '8x9x70', '-k', 'fp32/native-neon', '-k', 'int8/native-neon', '-k', 'fatnn/native-neon', '--time', '5', '--warmup', '1', '--rounds', '1', '--min-samples', '2', '--out', out]);
  assert.equal(run.status, 0, run.stderr);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
  assert.equal(results.host.arch, 'arm64');
  assert.ok(results.layers[0]!.measurements.every((m) => m.verification === 'passed'));
  const report = cli(['report', join(out, 'results.json')]);
  const compare = cli(['compare', join(out, 'results.json'), join(out, 'results.json')]);
  assert.equal(report.status, 0, report.stderr);
  assert.equal(compare.status, 0, compare.stderr);
  if (emulated) {
    assert.equal(results.host.emulation?.emulator, 'qemu-user');
    assert.match(run.stderr, /warning: emulated CPU: measured under qemu-user/);
    assert.match(report.stdout, /warning: emulated CPU: measured under qemu-user/i);
    assert.match(compare.stderr, /emulated CPU: measured under qemu-user/);
  } else {
    assert.equal(results.host.emulation, undefined);
    assert.doesNotMatch(`${report.stdout}${compare.stderr}`, /emulated CPU/);
  }
});
