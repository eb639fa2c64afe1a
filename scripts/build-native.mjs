#!/usr/bin/env node
// Builds the native addon (build/Release/fatnn_native.node) with node-gyp, as the package's
// install script. It never fails the install: without a C/C++ toolchain the native kernels
// are listed as unavailable, with the reason recorded here in build/native-build.json.
// FATNN_SKIP_NATIVE=1 skips the build.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const statusFile = join(root, 'build', 'native-build.json');

function record(ok, reason) {
  mkdirSync(dirname(statusFile), { recursive: true });
  writeFileSync(statusFile, JSON.stringify({ ok, reason, node: process.version, date: new Date().toISOString() }, null, 2) + '\n');
}

/** node-gyp as npm ships it: npm sets npm_config_node_gyp for scripts; otherwise look beside npm. */
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  if (process.env.npm_execpath) candidates.push(join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const prefix = dirname(dirname(process.execPath));
  candidates.push(
    join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  );
  return candidates.find((c) => c && existsSync(c));
}

/**
 * Node's own headers when they are installed beside it and match this Node (distribution
 * packages put them in <prefix>/include/node): node-gyp then needs no download. It only
 * does this check itself when Node was built with use_prefix_to_find_headers.
 */
function localNodeDir() {
  if (process.env.npm_config_nodedir) return undefined;
  const prefix = dirname(dirname(process.execPath));
  const header = join(prefix, 'include', 'node', 'node_version.h');
  if (!existsSync(header) || !existsSync(join(prefix, 'include', 'node', 'common.gypi'))) return undefined;
  const text = readFileSync(header, 'utf8');
  const part = (name) => new RegExp(`#define ${name} (\\d+)`).exec(text)?.[1];
  const version = `v${part('NODE_MAJOR_VERSION')}.${part('NODE_MINOR_VERSION')}.${part('NODE_PATCH_VERSION')}`;
  return version === process.version ? prefix : undefined;
}

/** The C++ compiler node-gyp's Makefile will use, or undefined if none answers `--version`. */
function findCompiler() {
  if (process.platform === 'win32') return 'MSVC (found by node-gyp)';
  const candidates = [process.env.CXX, 'c++', 'g++', 'clang++'].filter(Boolean);
  return candidates.find((cxx) => spawnSync(cxx, ['--version'], { stdio: 'ignore' }).status === 0);
}

/** The most telling line of a failed node-gyp run (the compiler's error, not gyp's epilogue). */
function failureLine(output) {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const noise = /^gyp (info|ERR! (node -v|node-gyp -v|not ok|cwd|command|System|stack\s+at))/;
  const telling = lines.filter((l) => !noise.test(l) && /error|not found|no such file|cannot|failed/i.test(l));
  return (telling[0] ?? lines.filter((l) => !noise.test(l)).slice(-1)[0] ?? 'no output').slice(0, 300);
}

function main() {
  if (process.env.FATNN_SKIP_NATIVE === '1') {
    record(false, 'build skipped (FATNN_SKIP_NATIVE=1)');
    console.log('fatnn-bench: native addon build skipped (FATNN_SKIP_NATIVE=1)');
    return;
  }
  const compiler = findCompiler();
  if (!compiler) {
    const reason = 'no C++ compiler found (tried $CXX, c++, g++, clang++)';
    record(false, reason);
    console.log(`fatnn-bench: native kernels unavailable (${reason}); everything else works`);
    return;
  }
  const gyp = findNodeGyp();
  const nodedir = localNodeDir();
  const args = ['rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
  const command = gyp ? [process.execPath, [gyp, ...args]] : ['node-gyp', args];
  console.log('fatnn-bench: building the native kernels (node-gyp rebuild)...');
  const r = spawnSync(command[0], command[1], { cwd: root, encoding: 'utf8', env: process.env });
  if (r.error) {
    const reason = `node-gyp could not be started: ${r.error.message}`;
    record(false, reason);
    console.log(`fatnn-bench: native kernels unavailable (${reason}); everything else works`);
    return;
  }
  if (r.status !== 0) {
    const reason = `node-gyp failed: ${failureLine(`${r.stdout ?? ''}\n${r.stderr ?? ''}`)}`;
    record(false, reason);
    console.log(`fatnn-bench: native kernels unavailable (${reason}); everything else works`);
    return;
  }
  record(true, null);
  console.log('fatnn-bench: native kernels built');
}

try {
  main();
} catch (err) {
  record(false, `build script error: ${err instanceof Error ? err.message : String(err)}`);
}
