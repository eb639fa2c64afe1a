// Honest host records: emulation is detected from signals qemu-user and Rosetta do not hide,
// the arm64 core types are named from /proc/cpuinfo, and a results file marked emulated makes
// every surface (console, Markdown, HTML, run, report and compare on the real CLI) warn.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseArmCpuinfo } from '../src/arm64-cpu.js';
import { detectEmulation, type EmulationProbe } from '../src/emulation.js';
import { renderConsole } from '../src/report/console.js';
import { renderHtml } from '../src/report/html.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { hostWarnings } from '../src/results/host-warnings.js';
import type { HostFingerprint, ResultsFile } from '../src/results/schema.js';
import { validateResults } from '../src/results/validate.js';

const FIXTURE = new URL('../../test/fixtures/results-small.json', import.meta.url).pathname;
const BIN = new URL('../../bin/fatnn-bench.js', import.meta.url).pathname;

/** A native x86-64 Linux process, as the probe sees it; each test changes one signal. */
function probe(over: Partial<EmulationProbe> = {}): EmulationProbe {
  return {
    platform: 'linux',
    arch: 'x64',
    pid: 42,
    readFile: (p) => (p === '/proc/self/comm' ? 'node\n' : undefined),
    readlink: () => '/usr/bin/node',
    sysctl: () => undefined,
    toolFlags: ['sse2', 'popcnt', 'avx2'],
    toolBrand: 'AMD EPYC',
    ...over,
  };
}

test('a native process is not reported as emulated', () => {
  assert.equal(detectEmulation(probe()), undefined);
  assert.equal(detectEmulation(probe({ platform: 'darwin', arch: 'arm64', toolFlags: [], sysctl: () => '0' })), undefined);
  assert.equal(detectEmulation(probe({ arch: 'arm64', toolFlags: ['fp', 'asimd', 'asimddp'], toolBrand: 'ARM Cortex-A76' })), undefined);
});

test('qemu-user is detected from the per-thread exe link, which it does not fake', () => {
  const links: Record<string, string> = { '/proc/self/exe': '/opt/node-arm64/bin/node', '/proc/self/task/42/exe': '/usr/bin/qemu-aarch64-static' };
  const e = detectEmulation(probe({ arch: 'arm64', readlink: (p) => links[p] }));
  assert.equal(e?.emulator, 'qemu-user');
  assert.match(e!.evidence, /qemu-aarch64-static/);
});

test('qemu-user is detected from the command name when the exe links are hidden', () => {
  const e = detectEmulation(probe({ arch: 'arm64', readlink: () => undefined, readFile: (p) => (p === '/proc/self/comm' ? 'qemu-aarch64\n' : undefined) }));
  assert.equal(e?.emulator, 'qemu-user');
  assert.match(e!.evidence, /comm/);
});

test('Rosetta 2 is detected from sysctl.proc_translated', () => {
  const e = detectEmulation(probe({ platform: 'darwin', arch: 'x64', toolFlags: [], sysctl: (n) => (n === 'sysctl.proc_translated' ? '1' : undefined) }));
  assert.equal(e?.emulator, 'Rosetta 2');
});

test('any other emulator: process.arch disagrees with the CPU the OS tools report', () => {
  const e = detectEmulation(probe({ arch: 'arm64', readlink: () => undefined, readFile: () => undefined }));
  assert.equal(e?.emulator, 'unknown emulator');
  assert.match(e!.evidence, /arm64 but the OS reports an x86 CPU \(AMD EPYC\)/);
});

const A53_CPUINFO = `processor\t: 0
model name\t: ARMv8 Processor rev 4 (v8l)
Features\t: fp asimd aes pmull sha1 sha2 crc32 cpuid
CPU implementer\t: 0x41
CPU architecture: 8
CPU part\t: 0xd03

processor\t: 1
Features\t: fp asimd aes pmull sha1 sha2 crc32 cpuid
CPU implementer\t: 0x41
CPU part\t: 0xd03
`;

test('/proc/cpuinfo core types are named and counted; features collected', () => {
  const { cores, features } = parseArmCpuinfo(A53_CPUINFO);
  assert.deepEqual(cores, [{ implementer: '0x41', part: '0xd03', name: 'Arm Cortex-A53', count: 2 }]);
  assert.ok(features.includes('asimd') && !features.includes('asimddp'));
  // big.LITTLE: both core types, in order; an unknown part keeps its number
  const mixed = `CPU implementer : 0x41\nCPU part : 0xd0b\n\nCPU implementer : 0x41\nCPU part : 0xd05\n\nCPU implementer : 0x41\nCPU part : 0xfff\n`;
  assert.deepEqual(
    parseArmCpuinfo(mixed).cores.map((c) => c.name),
    ['Arm Cortex-A76', 'Arm Cortex-A55', 'Arm part 0xfff'],
  );
});

async function emulatedFixture(): Promise<ResultsFile> {
  const doc = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  doc.host = {
    ...doc.host,
    arch: 'arm64',
    emulation: { emulator: 'qemu-user', evidence: 'the kernel runs /usr/bin/qemu-aarch64 (/proc/self/task/7/exe)', hostCpu: 'AMD EPYC' },
    arm64: { cores: [{ implementer: '0x41', part: '0xd03', name: 'Arm Cortex-A53', count: 2 }], neon: true, dotprod: false, int8Kernel: 'SMULL (int16-widened)' },
  };
  return validateResults(doc);
}

test('the validator accepts the optional emulation and arm64 host fields and checks their types', async () => {
  const good = await emulatedFixture();
  assert.equal(good.host.emulation?.emulator, 'qemu-user');
  const bad = JSON.parse(JSON.stringify(good));
  bad.host.emulation.evidence = 3;
  assert.throws(() => validateResults(bad), /host\.emulation\.evidence: expected a string/);
  const badArm = JSON.parse(JSON.stringify(good));
  badArm.host.arm64.cores[0].count = 0;
  assert.throws(() => validateResults(badArm), /host\.arm64\.cores\[0\]\.count/);
});

test('hostWarnings names the emulator and says the timings are not the device', async () => {
  const r = await emulatedFixture();
  const [w, ...rest] = hostWarnings(r.host);
  assert.equal(rest.length, 0);
  assert.match(w!, /emulated CPU: measured under qemu-user on AMD EPYC/);
  assert.match(w!, /not an arm64 device/);
  const plain = { ...r.host } as { emulation?: unknown };
  delete plain.emulation;
  assert.deepEqual(hostWarnings(plain as HostFingerprint), []);
});

test('console, Markdown and HTML reports print the emulation warning and the arm64 facts', async () => {
  const r = await emulatedFixture();
  for (const text of [renderConsole(r, { color: false }), renderMarkdown(r), renderHtml(r)]) {
    assert.match(text, /emulated CPU: measured under qemu-user/);
  }
  for (const text of [renderMarkdown(r), renderHtml(r)]) {
    assert.match(text, /2x Arm Cortex-A53 \(implementer 0x41, part 0xd03\)/);
    assert.match(text, /dot product \(SDOT\) no; int8\/native-neon runs SMULL/);
  }
  const plain = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  assert.doesNotMatch(renderMarkdown(validateResults(plain)), /emulated CPU/);
});

test('report and compare on the CLI warn about an emulated results file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fatnn-emu-'));
  const emulated = join(dir, 'board.json');
  writeFileSync(emulated, JSON.stringify(await emulatedFixture()));
  const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 });
  const report = cli('report', emulated);
  assert.equal(report.status, 0, report.stderr);
  assert.match(report.stdout, /warning: emulated CPU: measured under qemu-user/i);
  const md = cli('report', emulated, '--format', 'md');
  assert.match(md.stdout, /> \*\*Warning\*\*: emulated CPU/);
  const compare = cli('compare', FIXTURE, emulated);
  assert.equal(compare.status, 0, compare.stderr);
  assert.match(compare.stderr, /board: emulated CPU: measured under qemu-user/);
  const compareMd = cli('compare', FIXTURE, emulated, '--format', 'md');
  assert.match(compareMd.stdout, /board: emulated CPU: measured under qemu-user/);
});

test('the kept emulated arm64 quick run validates, has every NEON kernel verified, and its reports warn', async () => {
  // Made by `fatnn-bench run --preset quick` on arm64 Node under qemu-aarch64 -cpu max (README "arm64 check").
  const r = validateResults(JSON.parse(readFileSync(new URL('../../test/fixtures/arm64-emulated-quick.json', import.meta.url), 'utf8')));
  assert.equal(r.host.arch, 'arm64');
  assert.equal(r.host.emulation?.emulator, 'qemu-user');
  assert.equal(r.host.arm64?.dotprod, true);
  assert.match(r.host.arm64!.int8Kernel, /^SDOT/);
  const neon = r.layers.flatMap((l) => l.measurements.filter((m) => /native-neon$/.test(m.kernel)));
  assert.equal(new Set(neon.map((m) => m.kernel)).size, 12);
  assert.ok(neon.every((m) => m.verification === 'passed' && m.gemm));
  assert.match(renderMarkdown(r), /> \*\*Warning\*\*: emulated CPU: measured under qemu-user on AMD EPYC/);
});
