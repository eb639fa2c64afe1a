#!/usr/bin/env node
// `npm run test:arm64`: the product on arm64 Node under qemu-user, on an x86-64 Linux host.
// Sets up the cross toolchain, qemu-user >= 8 and the arm64 Node of this Node's exact version
// (scripts/arm64-toolchain.mjs, cached), cross-builds the addon into a separate arm64 tree
// (.tmp/arm64/tree: the x86 build/ is never touched), then runs under emulation:
//   1. `fatnn-bench list` on -cpu max: all 12 NEON kernels (native + workers twins) available;
//   2. the whole dist/test suite on -cpu max (int8 NEON takes the SDOT path);
//   3. on -cpu cortex-a53 (ARMv8.0 without SDOT: the SMULL path) the int8 native kernels'
//      reference checks and the native and arm64 tests: int8's dot-product choice is the only
//      code the addon picks by CPU feature (native/src/plan.c), so the other kernels' tests
//      would run the same instructions as on -cpu max (the whole kernel file took 270 s here);
//   4. `fatnn-bench verify --preset quick` on -cpu max.
// Each emulated process is memory-capped (ulimit -d), so a runaway fails alone.
// Two lanes use the two cores: one starts on the suite's files, the other runs 3 and 4 first;
// both then take the suite's remaining files from one queue, one emulated `node --test` per file
// (one emulated process for the whole suite kept a core idle for ~16 of its 22 minutes).
// The real-browser tests are skipped under emulation: the browser would be the host's x86
// Chromium, so they would test nothing arm64 (they run in the x86 suite).
// Options: --no-build (dist/ is already built, e.g. by `npm test` just before), --setup-only,
// --serial (one lane), --files=a,b (only these suite files, by name: a smoke test of the check).

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SetupError, cacheDir, elfMachine, ensureArm64Node, ensureCrossToolchain, ensureQemu, run } from './arm64-toolchain.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, '.tmp', 'arm64');
const tree = join(work, 'tree');
const logs = join(work, 'logs');
const args = new Set(process.argv.slice(2).filter((a) => !a.startsWith('--files=')));
for (const a of args) if (!['--no-build', '--setup-only', '--serial'].includes(a)) usage(`unknown option ${a}`);
const onlyFiles = process.argv.slice(2).find((a) => a.startsWith('--files='))?.slice('--files='.length).split(',').filter(Boolean);
/**
 * Per emulated process (RLIMIT_DATA: qemu's PROT_NONE reservations do not count, written pages
 * do). Under qemu 7.2 one test file grew to 24 GiB; with the cap at 1 GiB a 4 GB allocation
 * fails alone with "Array buffer allocation failed" (checked by hand).
 */
const MEMORY_CAP_KB = Number(process.env.FATNN_ARM64_MEMORY_KB || 8 * 1024 * 1024);

function usage(message) {
  process.stderr.write(`test-arm64: ${message} (options: --no-build, --setup-only, --serial)\n`);
  process.exit(2);
}

const started = Date.now();
const seconds = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const log = (line) => process.stdout.write(`[arm64] ${line}\n`);

/** Times one step and prints its duration; the durations are summarised at the end. */
const durations = [];
async function step(name, fn) {
  const t0 = Date.now();
  log(`${name}...`);
  const value = await fn();
  durations.push([name, Date.now() - t0]);
  log(`${name}: done in ${seconds(t0)}`);
  return value;
}

/**
 * The arm64 tree: dist/, bin/, test fixtures and the addon sources, node_modules linked (it is
 * pure JavaScript), build/ holding the aarch64 addon, reports/ (tests read the published one).
 * Copied fresh each run (~6 MB).
 */
function prepareTree() {
  if (!existsSync(join(root, 'dist', 'test'))) throw new SetupError('dist/test missing: run `npm run build` first (or drop --no-build)');
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  const skip = new Set(['node_modules', '.git', '.tmp', 'build', 'fatnn-results']);
  for (const entry of readdirSync(root)) {
    if (skip.has(entry) || entry.endsWith('.tgz')) continue;
    cpSync(join(root, entry), join(tree, entry), { recursive: true });
  }
  symlinkSync(relative(tree, join(root, 'node_modules')), join(tree, 'node_modules'));
}

/** Addon sources, compiler and Node version: the cache key of the cross-built addon. */
function addonKey(cxx) {
  const h = createHash('sha256');
  h.update(process.versions.node);
  h.update(run(cxx, ['--version']));
  for (const f of ['binding.gyp', ...readdirSync(join(root, 'native', 'src')).sort().map((f) => join('native', 'src', f))]) {
    h.update(f);
    h.update(readFileSync(join(root, f)));
  }
  return h.digest('hex').slice(0, 16);
}

/** Cross-builds the addon with the project's own build script, in the arm64 tree. */
function buildAddon(toolchain, node) {
  const cached = join(cacheDir(), 'addon', addonKey(toolchain.cxx), 'fatnn_native.node');
  const target = join(tree, 'build', 'Release', 'fatnn_native.node');
  mkdirSync(dirname(target), { recursive: true });
  if (existsSync(cached)) {
    cpSync(cached, target);
    writeFileSync(join(tree, 'build', 'native-build.json'), `${JSON.stringify({ ok: true, reason: null, node: process.version, cached: true })}\n`);
    return 'cached';
  }
  const env = { ...process.env, CC: toolchain.cc, CXX: toolchain.cxx, npm_config_arch: 'arm64', npm_config_nodedir: node.dir };
  run(process.execPath, [join(tree, 'scripts', 'build-native.mjs')], { cwd: tree, env });
  const status = JSON.parse(readFileSync(join(tree, 'build', 'native-build.json'), 'utf8'));
  if (!status.ok) throw new SetupError(`cross-build of the addon failed: ${status.reason}`);
  const machine = elfMachine(target);
  if (machine !== 'aarch64') throw new SetupError(`cross-built addon is ${machine}, not aarch64`);
  mkdirSync(dirname(cached), { recursive: true });
  cpSync(target, cached);
  return 'built';
}

/**
 * Without binfmt_misc the host cannot exec an aarch64 ELF, yet `node --test` and the CLI tests
 * spawn process.execPath: a preload points it at a host wrapper that re-enters qemu, memory-capped.
 */
function writeLaunchers(qemu, node) {
  const wrapper = join(work, 'node-arm64');
  writeFileSync(
    wrapper,
    `#!/bin/sh\n# Written by scripts/test-arm64.mjs: the arm64 Node under qemu-user, capped so a runaway fails alone.\nulimit -d ${MEMORY_CAP_KB} || exit 1\nexec "${qemu}" "${node.node}" "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  const preload = join(work, 'exec-path.cjs');
  writeFileSync(preload, "// Written by scripts/test-arm64.mjs: children spawned with process.execPath re-enter qemu.\nif (process.arch === 'arm64' && process.env.FATNN_ARM64_EXEC) process.execPath = process.env.FATNN_ARM64_EXEC;\n");
  return { wrapper, preload };
}

/** Environment of every emulated process (children inherit it, so they run the same way). */
function emulatedEnv(launch, cpu) {
  const env = {
    ...process.env,
    QEMU_CPU: cpu,
    QEMU_LD_PREFIX: '/usr/aarch64-linux-gnu',
    FATNN_ARM64_EXEC: launch.wrapper,
    // tells test/arm64.test.ts that the host record must say "emulated"
    FATNN_EXPECT_EMULATION: '1',
    NODE_OPTIONS: `--require ${launch.preload}`,
    NO_COLOR: '1',
    // test/support/browser.ts skips the real-browser tests with this reason (see the header).
    FATNN_CHROMIUM: '/nonexistent-under-arm64-emulation',
  };
  delete env.FATNN_NATIVE_ADDON;
  return env;
}

/** Runs the arm64 Node under qemu with `cpu`; output to a log file, progress lines to stdout. */
function emulated(launch, cpu, nodeArgs, name, { timeoutMs = 40 * 60_000, echo = () => false } = {}) {
  mkdirSync(logs, { recursive: true });
  const logFile = join(logs, `${name}.log`);
  const out = createWriteStream(logFile);
  const env = emulatedEnv(launch, cpu);
  return new Promise((resolve, reject) => {
    const child = spawn(launch.wrapper, nodeArgs, { cwd: tree, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, timeoutMs);
    let pending = '';
    const lines = [];
    // Progress once a minute: the test runner reports each file only when it has finished.
    const t0 = Date.now();
    let ok = 0;
    let notOk = 0;
    const ticker = setInterval(() => log(`  ${name}: ${ok + notOk ? `${ok} passed, ${notOk} failed so far` : 'running'} (${seconds(t0)})`), 60_000);
    const onData = (chunk) => {
      out.write(chunk);
      pending += chunk.toString('utf8');
      const parts = pending.split('\n');
      pending = parts.pop();
      for (const line of parts) {
        lines.push(line);
        if (/^\s*ok /.test(line)) ok++;
        else if (/^\s*not ok /.test(line)) notOk++;
        if (lines.length > 400) lines.shift();
        if (echo(line)) log(`  ${line.trim()}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(ticker);
      out.end();
      if (pending) lines.push(pending);
      resolve({ code, signal, lines, logFile });
    });
  });
}

/** `npm test`'s own `node --test` arguments (scripts/run-tests.mjs lists the files), in the tree. */
function suiteArgs() {
  return JSON.parse(run(process.execPath, [join(tree, 'scripts', 'run-tests.mjs'), '--dry-run'], { cwd: tree }));
}

/** Test counts over every emulated suite, for the closing line. */
const counts = { passed: 0, failed: 0, skipped: 0 };

/** Fails the step with the summary and the failing tests' lines, pointing at the whole log. */
function checkTests(result, what, { filtered = false } = {}) {
  const summary = result.lines.filter((l) => /^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /.test(l));
  log(`  ${summary.map((l) => l.slice(2)).join(', ')}`);
  const count = (name) => Number(summary.find((l) => l.startsWith(`# ${name} `))?.split(' ')[2] ?? 0);
  counts.passed += count('pass');
  counts.failed += count('fail') + count('cancelled');
  // a --test-name-pattern run skips every other test by name: those are not skips to report
  if (!filtered) counts.skipped += count('skipped');
  if (result.code === 0 && filtered && count('pass') === 0) throw new SetupError(`${what}: the name pattern selected no test; full log: ${relative(root, result.logFile)}`);
  if (result.code === 0) return;
  const failures = result.lines.filter((l) => /^\s*not ok |failureType|error:|Error/.test(l)).slice(0, 40);
  for (const l of failures) log(`  ${l}`);
  throw new SetupError(`${what} failed (${result.signal ?? `exit ${result.code}`}); full log: ${relative(root, result.logFile)}`);
}

async function main() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new SetupError(`this check emulates arm64 on an x86-64 Linux host (this is ${process.platform}/${process.arch}); on an arm64 machine run \`npm test\` directly`);
  }
  const toolchain = await step('cross toolchain', () => ensureCrossToolchain(log));
  const qemu = await step('qemu-user >= 8', () => ensureQemu(log));
  const node = await step(`arm64 Node ${process.versions.node}`, () => ensureArm64Node(log));
  if (!args.has('--no-build')) await step('x86 build (tsc + wasm)', () => run('npm', ['run', '--silent', 'build'], { cwd: root }));
  await step('arm64 tree', () => prepareTree());
  const how = await step('cross-build addon (scripts/build-native.mjs)', () => buildAddon(toolchain, node));
  log(`  addon ${how}: ${relative(root, join(tree, 'build', 'Release', 'fatnn_native.node'))} (aarch64)`);
  const launch = writeLaunchers(qemu, node);
  const version = await step('arm64 Node under qemu', () => run(launch.wrapper, ['-p', 'process.arch + " " + process.version'], { env: emulatedEnv(launch, 'max') }).trim());
  if (version !== `arm64 ${process.version}`) throw new SetupError(`the emulated Node says "${version}", expected "arm64 ${process.version}"`);
  log(`  ${version} on ${run(qemu, ['--version']).split('\n')[0]}`);
  if (args.has('--setup-only')) return;

  await step('list on -cpu max', async () => {
    const kernels = JSON.parse(run(launch.wrapper, ['bin/fatnn-bench.js', 'list', '--json'], { cwd: tree, env: emulatedEnv(launch, 'max') }));
    const neon = kernels.filter((k) => /native-neon$/.test(k.id));
    const missing = neon.filter((k) => !k.available);
    log(`  ${neon.length - missing.length} of ${neon.length} NEON kernels available; ${kernels.filter((k) => k.available).length} of ${kernels.length} kernels in all`);
    if (neon.length !== 12 || missing.length) throw new SetupError(`NEON kernels unavailable: ${missing.map((k) => `${k.id} (${k.reason})`).join(', ') || `${neon.length} listed, 12 expected`}`);
  });
  const testFile = (line) => /^not ok /.test(line.trim());
  // The suite's files, the ones that spawn the CLI most first (longest first balances the lanes;
  // durations from a -cpu max run: cli, runner, robustness and output-limits take 1-3 min each).
  const suite = suiteArgs();
  const flags = suite.filter((a) => a.startsWith('--'));
  const HEAVY = ['cli', 'output-limits', 'runner', 'robustness', 'serve-cli', 'web-e2e', 'compare-cli', 'gates', 'run-cli', 'host-emulation', 'wasm', 'package'];
  const weight = (f) => {
    const i = HEAVY.indexOf(f.replace(/^.*\//, '').replace(/\.test\.js$/, ''));
    return i < 0 ? HEAVY.length : i;
  };
  let files = suite.filter((a) => !a.startsWith('--'));
  if (onlyFiles) {
    const unknown = onlyFiles.filter((n) => !files.some((f) => f.endsWith(`/${n}.test.js`)));
    if (unknown.length) throw new SetupError(`--files: no such test file: ${unknown.join(', ')}`);
    files = files.filter((f) => onlyFiles.some((n) => f.endsWith(`/${n}.test.js`)));
  }
  const queue = [...files].sort((a, b) => weight(a) - weight(b));
  const failedFiles = [];
  const suiteLane = async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const name = file.replace(/^.*\//, '').replace(/\.test\.js$/, '');
      const t0 = Date.now();
      const result = await emulated(launch, 'max', [...flags, file], `suite-max-${name}`, { echo: testFile });
      try {
        checkTests(result, `${name} on -cpu max`);
        log(`  ${name}: passed in ${seconds(t0)}`);
      } catch (err) {
        failedFiles.push(name);
        log(`  ${name}: FAILED in ${seconds(t0)} (${err.message})`);
      }
    }
  };
  const suiteMax = () => step(`dist/test suite on -cpu max (SDOT), ${files.length} files`, async () => {
    await Promise.all(args.has('--serial') ? [suiteLane()] : [suiteLane(), lanesReady.then(suiteLane)]);
    if (failedFiles.length) throw new SetupError(`the emulated suite on -cpu max failed in ${failedFiles.join(', ')}; logs in ${relative(root, logs)}`);
  });
  const a53 = () =>
    step('int8 native kernels + native and arm64 tests on -cpu cortex-a53 (SMULL)', async () => {
      checkTests(
        await emulated(launch, 'cortex-a53', ['--test', '--test-name-pattern=^int8/.*native', 'dist/test/kernels.test.js'], 'suite-a53-int8', { echo: testFile }),
        'the int8 native kernel tests on cortex-a53',
        { filtered: true },
      );
      checkTests(
        await emulated(launch, 'cortex-a53', ['--test', '--test-concurrency=1', 'dist/test/native.test.js', 'dist/test/arm64.test.js'], 'suite-a53', { echo: testFile }),
        'the native and arm64 tests on cortex-a53',
      );
    });
  const verify = () =>
    step('verify --preset quick on -cpu max', async () => {
      const r = await emulated(launch, 'max', ['bin/fatnn-bench.js', 'verify', '--preset', 'quick'], 'verify-max');
      for (const l of r.lines.filter(Boolean).slice(-2)) log(`  ${l}`);
      if (r.code !== 0) throw new SetupError(`verify --preset quick failed under emulation (exit ${r.code}); log: ${relative(root, r.logFile)}`);
    });
  // Lane two: Cortex-A53 and verify, then the suite's queue (a failure there still frees the lane).
  let lanesReady;
  if (args.has('--serial')) {
    lanesReady = Promise.resolve();
    await suiteMax();
    await a53();
    await verify();
  } else {
    const laneTwo = (async () => {
      await a53();
      await verify();
    })();
    lanesReady = laneTwo.catch(() => undefined);
    const results = await Promise.allSettled([suiteMax(), laneTwo]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

try {
  await main();
  log(`durations: ${durations.map(([n, ms]) => `${n} ${(ms / 1000).toFixed(1)} s`).join('; ')}`);
  log(`arm64 check passed in ${seconds(started)}`);
  if (!args.has('--setup-only')) process.stdout.write(`arm64: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
} catch (err) {
  if (!(err instanceof SetupError)) throw err;
  process.stderr.write(`test-arm64: ${err.message}\n`);
  process.exit(1);
}
