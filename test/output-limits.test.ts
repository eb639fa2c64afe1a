// Output a person reads at a glance, through the real executable: `run` prints the headline in
// at most ~40 lines of at most 100 columns (per-layer tables behind --detail), `list` is one
// line per kernel, the full-sweep Markdown stays under GitHub's comment limit, and `compare`
// of an x86 and an arm64 file shows the native row with both hosts' ISAs in every format.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { KERNELS } from '../src/registry.js';

const BIN = fileURLToPath(new URL('../../bin/fatnn-bench.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const X86 = path.join(ROOT, 'test/fixtures/compare/x64-native.json');
const ARM = path.join(ROOT, 'test/fixtures/compare/fixture-arm64-native.json');
const FULL_SWEEP = path.join(ROOT, 'reports/resnet18-2026-11-27/results.json');
// One fork: these runs test the CLI, not forks (runner and extra-forks tests do); each fork is another
// isolate per kernel, and under the emulated arm64 check every isolate start costs seconds.
const FAST = ['--time', '5', '--warmup', '1', '--rounds', '1', '--min-samples', '2', '--forks', '1', '--quiet'];
const MAX_WIDTH = 100;
const MAX_LINES = 40;

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: mkdtempSync(path.join(tmpdir(), 'fatnn-limits-')), encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const width = (line: string) => [...line].length;
const lines = (text: string) => text.replace(/\n$/, '').split('\n');

it('run with every kernel prints the headline in at most 40 lines of at most 100 columns; --detail adds the tables', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'fatnn-limits-out-'));
  // Every kernel of the registry on one small layer: the headline's size depends on the kernel
  // classes and precisions, not on the layer count.
  const r = cli(['run', '--shape', '8x16x128', ...FAST, '--out', path.join(out, 'a')]);
  assert.equal(r.code, 0, r.stderr);
  const shown = lines(r.stdout);
  // The host's warnings (emulated CPU, busy or unsteady machine) come on top of the headline and
  // depend on the machine the test runs on: under the emulated arm64 check two of them made 41.
  const warningLines = shown.filter((l, i) => l.startsWith('WARNING') || (l.startsWith('  ') && shown.slice(0, i).reverse().find((p) => !p.startsWith('  '))?.startsWith('WARNING')));
  const headline = shown.length - warningLines.length;
  assert.ok(headline <= MAX_LINES, `${headline} lines besides ${warningLines.length} warning lines:\n${r.stdout}`);
  assert.ok(warningLines.length <= 16, `${warningLines.length} warning lines:\n${r.stdout}`);
  for (const line of shown) assert.ok(width(line) <= MAX_WIDTH, `${width(line)} columns: ${line}`);
  assert.match(r.stdout, /^kernel class +fp32 +int8 +bit2 +ternary2b +fatnn +binary +fatnn\/ternary2b$/m);
  assert.match(r.stdout, /^native \((avx512|avx2|neon|neon\+dotprod|scalar)\) +1\.00x/m);
  assert.match(r.stdout, /^workers-wasm-simd128 /m);
  assert.doesNotMatch(r.stdout, /8x16x128|[│┌]/, 'no per-layer table by default');

  const d = cli(['report', path.join(out, 'a', 'results.json'), '--detail']);
  assert.equal(d.code, 0, d.stderr);
  assert.ok(d.stdout.startsWith(r.stdout.split('\n')[0]!), 'the same headline first');
  assert.match(d.stdout, /Per layer/);
  for (const k of KERNELS.filter((x) => x.availability().available)) assert.ok(d.stdout.includes(k.id), k.id);
  assert.ok(readdirSync(path.join(out, 'a')).includes('results-detail.md'));
});

it('list is one line per kernel, grouped, at most 100 columns, and filters', () => {
  const all = cli(['list']);
  assert.equal(all.code, 0, all.stderr);
  const shown = lines(all.stdout);
  for (const line of shown) assert.ok(width(line) <= MAX_WIDTH, line);
  assert.doesNotMatch(all.stdout, /[─┼│]/, 'no table borders');
  assert.equal(shown.filter((l) => /^ {2}[+-] /.test(l)).length, KERNELS.length);
  assert.deepEqual(
    shown.filter((l) => !l.startsWith('  ')).slice(0, -1).map((l) => l.split(' ')[0]),
    ['js', 'wasm', 'native', 'workers'],
    'grouped by backend, in registry order',
  );
  const some = cli(['list', '--precision', 'fatnn', '--backend', 'native', '--available']);
  assert.equal(some.code, 0, some.stderr);
  const kernels = lines(some.stdout).filter((l) => l.startsWith('  '));
  assert.ok(kernels.length >= 1);
  for (const l of kernels) assert.match(l, /^ {2}\+ fatnn\/native-/);
  assert.equal(cli(['list', '--precision', 'fp64']).code, 2);
});

it('report of the full ResNet-18 sweep as Markdown is under 60,000 characters, headline first', () => {
  const r = cli(['report', FULL_SWEEP, '--format', 'md', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.length < 60_000, `${r.stdout.length} characters`);
  const headline = r.stdout.indexOf('## Headline');
  assert.ok(headline > 0 && headline < 300, 'the headline is the first section');
  assert.ok(r.stdout.indexOf('`~`') < r.stdout.indexOf('<details>'), 'the legend comes before the collapsed detail');
  assert.match(r.stdout, /^\| native \(avx512\) \| 1\.00x \|/m);
});

it('compare of an x86 and an arm64 file shows the fatnn native row with both ISAs in console, Markdown and HTML', () => {
  const c = cli(['compare', X86, ARM]);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /fatnn\/native .*\(avx2\).*\(neon\+dotprod\)/);
  assert.match(c.stdout, /^native \(avx2\) /m);
  assert.match(c.stdout, /^native \(neon\+dotprod\) /m);
  assert.match(c.stdout, /x64-native: FATNN vs ternary2b: [\s\S]*?native\s+\(avx2\)\s+[\d.]+x/);
  assert.match(c.stderr, /x64-native: busy machine/, 'the busy x86 recording is warned about');
  const md = cli(['compare', X86, ARM, '--format', 'md']);
  assert.equal(md.code, 0, md.stderr);
  assert.match(md.stdout, /\| fatnn\/native \| [\d.]+ \(avx2\) \| [\d.]+x \| [\d.]+ \(neon\+dotprod\) \|/);
  assert.match(md.stdout, /^\| native \(neon\+dotprod\) \|/m);
  assert.match(md.stdout, /x64-native: busy machine/);
  const html = cli(['compare', X86, ARM, '--format', 'html']);
  assert.equal(html.code, 0, html.stderr);
  assert.match(html.stdout, /<code>|fatnn\/native/);
  assert.match(html.stdout, /<td>fatnn\/native<\/td><td>[\d.]+ \(avx2\)<\/td><td[^>]*>[\d.]+x<\/td><td>[\d.]+ \(neon\+dotprod\)<\/td>/);
  assert.equal((html.stdout.match(/<section>/g) ?? []).length, 2, 'one block per host');
  assert.match(html.stdout, /busy machine/);
  const id = cli(['compare', X86, ARM, '--match', 'id', '--format', 'md']);
  assert.doesNotMatch(id.stdout, /fatnn\/native \|/);
  assert.match(id.stderr + id.stdout, /left out .*fatnn\/native-avx2/);
});
