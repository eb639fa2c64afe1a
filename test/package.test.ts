// The npm tarball as a user gets it: packed, installed into a fresh `npm init -y` project
// (CommonJS by default), then the README's library example and the CLI run there. Native
// build skipped (FATNN_SKIP_NATIVE=1) to keep it quick; that also shows the rebuild hint a
// user sees. Installs from npm's cache first (the dependencies are there after `npm ci`).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, it } from 'node:test';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROJECT = mkdtempSync(join(tmpdir(), 'fatnn-user-project-'));

function sh(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 300_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.error?.message ?? ''}${r.stderr}`);
  return r.stdout;
}

before(() => {
  // --ignore-scripts: dist/ is already built by `npm test`; packing must not rebuild it.
  const packDir = mkdtempSync(join(tmpdir(), 'fatnn-pack-'));
  const tarball = sh('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', packDir], ROOT).trim().split('\n').pop()!;
  sh('npm', ['init', '-y'], PROJECT);
  sh('npm', ['install', join(packDir, tarball), '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], PROJECT, { FATNN_SKIP_NATIVE: '1' });
});

it("the README's library example runs as written in a default (CommonJS) npm project", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Library API'));
  const code = /```(?:js|ts)\n([\s\S]*?)```/.exec(section)![1]!;
  // The example names the file it is meant to be saved as on its first line.
  const file = /^\/\/ (\S+\.(?:mjs|cjs|js))\b/.exec(code)?.[1];
  assert.ok(file, `the example's first line names its file: ${code.split('\n')[0]}`);
  const type = (JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')) as { type?: string }).type;
  assert.notEqual(type, 'module', 'npm init -y makes a CommonJS project');
  writeFileSync(join(PROJECT, file), code);
  const out = sh(process.execPath, [file], PROJECT);
  assert.match(out, /exact/);
});

it('the installed CLI runs and, without the addon, names `npm rebuild fatnn-bench`', () => {
  const list = JSON.parse(sh(process.execPath, [join(PROJECT, 'node_modules', '.bin', 'fatnn-bench'), 'list', '--json'], PROJECT)) as { id: string; available: boolean; reason?: string }[];
  assert.ok(list.find((k) => k.id === 'fatnn/js')?.available);
  const native = list.filter((k) => k.id.includes('/native'));
  assert.ok(native.length > 0);
  for (const k of native) {
    assert.match(k.reason ?? '', /`npm rebuild fatnn-bench`/, k.id);
    assert.doesNotMatch(k.reason ?? '', /build:native/, k.id);
  }
});

it('the tarball ships the built browser page, so `npx fatnn-bench serve` needs no build step', () => {
  const web = join(PROJECT, 'node_modules', 'fatnn-bench', 'dist', 'web');
  for (const f of ['index.html', 'page.css', 'main.js', 'isolate-worker.js', 'pool-worker.js', 'wasm/simd128.wasm', 'wasm/scalar.wasm']) {
    assert.ok(existsSync(join(web, f)), `dist/web/${f} missing from the installed package`);
  }
  // A bundle: no import of another file at run time (the workers load by URL, the wasm by fetch).
  assert.doesNotMatch(readFileSync(join(web, 'main.js'), 'utf8'), /\bimport\s*(?:[\w{}\s,*]+from\s*)?["']\.{0,2}\//);
});
