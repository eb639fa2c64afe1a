// What a new user broke in an hour (issue #12): size rules for every shape source, the progress
// line in a narrow terminal, references to files that do not ship, the native rebuild hint,
// the compare pointer for kernels a run did not measure, --out safety, help texts and the
// test command itself. Each test spawns the real executable or calls the real module.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { nativeRebuildHint } from '../src/backends/native/addon.js';
import { fitToWidth } from '../src/commands/progress.js';
import { compareRuns } from '../src/compare/comparison.js';
import { UsageError } from '../src/errors.js';
import { createKernel, findKernel, randomOperands, referenceGemm, verifyCase } from '../src/index.js';
import { readResultsFile } from '../src/results/io.js';
import { parseLayersJson } from '../src/runner/layers-file.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'fatnn-bench.js');
// One fork: these runs test the CLI, not forks (runner and extra-forks tests do); each fork is another
// isolate per kernel, and under the emulated arm64 check every isolate start costs seconds.
const FAST = ['--time', '5', '--warmup', '1', '--rounds', '1', '--min-samples', '2', '--forks', '1', '--quiet'];
const CWD = mkdtempSync(join(tmpdir(), 'fatnn-robust-'));

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: CWD, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertUsageError(r: { code: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^fatnn-bench: /);
  assert.match(r.stderr, pattern);
}

// Item 2: one size rule, whatever the source of the shape.

it('a --layers file with a layer over the element limit is a usage error naming the file and layer', () => {
  assert.throws(
    () => parseLayersJson('[{ "name": "wide", "M": 40000, "N": 40000, "K": 1 }]', 'net.json'),
    (err: unknown) => err instanceof UsageError && /^--layers net\.json: layer "wide": shape 40000x40000x1 is too large: C \(M\*N\) has 1600000000 elements/.test(err.message),
  );
});

it('run --layers refuses oversized layers at once with exit 2, before any operand is made', () => {
  const file = join(CWD, 'huge-layers.json');
  for (const layer of [{ name: 'c', M: 40000, N: 40000, K: 1 }, { name: 'x', M: 1024, N: 1048576, K: 1048576 }, { name: 'w', M: 2048, N: 2048, K: 1048576 }]) {
    writeFileSync(file, JSON.stringify([{ name: 'ok', M: 4, N: 4, K: 4 }, layer]));
    assertUsageError(cli(['run', '--layers', file, '-k', 'fatnn/js', '--out', join(CWD, `o-${layer.name}`), ...FAST]), new RegExp(`layer "${layer.name}": shape \\d+x\\d+x\\d+ is too large`));
    assert.equal(existsSync(join(CWD, `o-${layer.name}`)), false, 'nothing written for a usage error');
  }
});

it('the library API applies the same size rule as the CLI (UsageError before allocating)', async () => {
  const huge = { M: 1 << 20, N: 1 << 20, K: 1 << 20 };
  const isTooLarge = (err: unknown) => err instanceof UsageError && /too large/.test(err.message);
  assert.throws(() => randomOperands('fatnn', huge, 1), isTooLarge);
  assert.throws(() => referenceGemm('fatnn', huge, new Int8Array(1), new Int8Array(1)), isTooLarge);
  await assert.rejects(createKernel('fatnn/js', huge), isTooLarge);
  await assert.rejects(verifyCase(findKernel('fatnn/js'), { shape: { M: 1 << 20, N: 1 << 20, K: 1 }, seed: 1, modes: { w: 'random', x: 'random' } }), isTooLarge);
});

// Item 4: the progress line never wraps.

it('fitToWidth keeps a line one column short of the terminal width', () => {
  const line = 'layer 1/10 conv2_x 3x3 64 | ternary2b/workers-wasm-simd128 with-packing | 12% ETA 3.1min';
  assert.equal(fitToWidth(line, 60).length, 59);
  assert.ok(fitToWidth(line, 60).endsWith('…'));
  assert.equal(fitToWidth('short', 60), 'short');
  assert.equal(fitToWidth(line, undefined), line, 'unknown width: unchanged');
});

it('the progress line in a 60-column terminal never wraps', (t) => {
  if (spawnSync('script', ['--version'], { stdio: 'ignore' }).status !== 0) return t.skip('util-linux `script` not available to make a terminal');
  const command = `stty cols 60 rows 20; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run --shape 64x64x64 -k ternary2b/wasm-simd128 -k fatnn/wasm-simd128 --time 50 --warmup 5 --out ${JSON.stringify(join(CWD, 'tty-out'))}`;
  const r = spawnSync('script', ['-qfec', command, '/dev/null'], { cwd: CWD, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 });
  assert.equal(r.status, 0, r.stdout);
  const updates = r.stdout.split('\r').map((s) => s.replace(/\x1b\[K/g, '')).filter((s) => / \| layer \d+\/\d+ /.test(s));
  assert.ok(updates.length > 0, `no progress line seen in: ${JSON.stringify(r.stdout.slice(0, 300))}`);
  for (const u of updates) assert.ok(u.length < 60 && !u.includes('\n'), `${u.length} columns: ${JSON.stringify(u)}`);
});

// Item 5: nothing that ships points at a file that does not.

function shippedFiles(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
  const out: string[] = [];
  const walk = (p: string) => {
    if (!existsSync(p)) return;
    if (statSync(p).isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
    else out.push(p);
  };
  for (const f of pkg.files) walk(join(ROOT, f));
  return out;
}

it('no shipped file (README, dist, native sources) refers to DESIGN.md, which does not ship', () => {
  const files = shippedFiles();
  assert.ok(files.some((f) => f.endsWith('README.md')) && files.some((f) => f.endsWith('cli.js')));
  const offenders = files.filter((f) => /\.(js|ts|md|c|cc|h|mjs|gyp)$/.test(f) && readFileSync(f, 'utf8').includes('DESIGN.md'));
  assert.deepEqual(offenders.map((f) => f.slice(ROOT.length)), []);
});

it('every README link to a section (#anchor) names a heading that exists', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const anchors = new Set(
    [...readme.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')),
  );
  const links = [...readme.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
  assert.ok(links.length > 0);
  for (const l of links) assert.ok(anchors.has(l), `#${l} has no heading`);
});

it('the op-count model is explained in the README section that reports point to', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Precisions'))!;
  assert.match(section, /op-count model/);
  const model = cli(['run', '--shape', '4x4x40', '-p', 'fp32,fatnn', '-b', 'js', ...FAST]);
  assert.equal(model.code, 0, model.stderr);
  assert.match(model.stdout, /README/);
});

// Item 6: the rebuild hint fits where the package is.

it('the native rebuild hint is the npm script only in a checkout, npm rebuild elsewhere', () => {
  const installed = mkdtempSync(join(tmpdir(), 'fatnn-installed-'));
  mkdirSync(join(installed, 'scripts'));
  writeFileSync(join(installed, 'scripts', 'build-native.mjs'), '');
  assert.equal(nativeRebuildHint(installed), '`npm rebuild fatnn-bench`');
  const checkout = mkdtempSync(join(tmpdir(), 'fatnn-checkout-'));
  mkdirSync(join(checkout, '.git'));
  assert.equal(nativeRebuildHint(checkout), '`npm run build:native`');
  assert.equal(nativeRebuildHint(ROOT), '`npm run build:native`', 'this repository is a checkout');
});

it('list names the rebuild command when the addon is not built', () => {
  const r = cli(['list', '--json'], { FATNN_NATIVE_ADDON: join(CWD, 'missing.node') });
  assert.equal(r.code, 0, r.stderr);
  const native = (JSON.parse(r.stdout) as { id: string; reason?: string }[]).filter((k) => k.id.includes('/native'));
  assert.ok(native.length > 0);
  for (const k of native) assert.match(k.reason ?? '', /not found \(run `npm run build:native`\)/);
});

// Item 7: compare's pointer is true for filtered-out kernels too.

it('compare says why a kernel is missing from a run: unavailable there, or not selected', async () => {
  const base = await readResultsFile(join(ROOT, 'test', 'fixtures', 'results-small.json'));
  const kernels = base.layers[0]!.measurements.map((m) => m.kernel);
  const [dropped, unavailable] = [kernels[2]!, kernels[3]!];
  const without = (ids: string[]) => ({ ...base, config: { ...base.config, kernels: base.config.kernels.filter((k) => !ids.includes(k)) }, layers: base.layers.map((l) => ({ ...l, measurements: l.measurements.filter((m) => !ids.includes(m.kernel)) })) });
  const other = { ...without([dropped, unavailable]), skipped: [...base.skipped, { kernel: unavailable, reason: 'needs a unicorn' }] };
  const c = compareRuns([{ label: 'a', results: base }, { label: 'b', results: other }], {});
  // Two files: a kernel only one of them has is left out of the rows, named with why (#11).
  const warning = c.warnings.find((w) => w.includes('left out because no other file has'));
  assert.ok(warning, c.warnings.join('\n'));
  assert.ok(warning.includes(`${unavailable} (b: unavailable: needs a unicorn)`), warning);
  assert.ok(warning.includes(`${dropped} (b: not selected by its filters)`), warning);
  assert.doesNotMatch(warning, /see "skipped"/);
});

// Item 8: --out never clobbers silently.

it('--out onto an existing file is a usage error naming the file', () => {
  const file = join(CWD, 'afile');
  writeFileSync(file, 'keep me');
  assertUsageError(cli(['run', '--shape', '4x4x4', '-k', 'fatnn/js', '--out', file, ...FAST]), /--out .*afile is a file, not a folder/);
  assert.equal(readFileSync(file, 'utf8'), 'keep me');
});

it('--out onto an earlier results folder is refused (exit 2) unless --force', async () => {
  const out = join(CWD, 'earlier');
  const first = cli(['run', '--shape', '4x4x4', '-k', 'fatnn/js', '--out', out, ...FAST]);
  assert.equal(first.code, 0, first.stderr);
  const before = readFileSync(join(out, 'results.json'), 'utf8');
  assertUsageError(cli(['run', '--shape', '4x4x8', '-k', 'fatnn/js', '--out', out, ...FAST]), /--out .*earlier already holds results \(results\.json\); pass --force to overwrite them/);
  assert.equal(readFileSync(join(out, 'results.json'), 'utf8'), before, 'refused run left the earlier results alone');
  const forced = cli(['run', '--shape', '4x4x8', '-k', 'fatnn/js', '--out', out, '--force', ...FAST]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal((await readResultsFile(join(out, 'results.json'))).layers[0]!.K, 8);
});

it('--out onto an existing empty folder is fine', () => {
  const out = join(CWD, 'empty');
  mkdirSync(out);
  assert.equal(cli(['run', '--shape', '4x4x4', '-k', 'fatnn/js', '--out', out, ...FAST]).code, 0);
});

// Item 10: help texts.

for (const command of ['list', 'verify', 'run', 'report', 'compare']) {
  it(`${command} --help ends with real examples and the exit codes`, () => {
    const r = cli([command, '--help']);
    assert.equal(r.code, 0, r.stderr);
    const tail = r.stdout.slice(r.stdout.indexOf('\nExamples:\n'));
    assert.ok(r.stdout.includes('\nExamples:\n'), r.stdout);
    const examples = tail.split('\n').filter((l) => l.startsWith(`  $ fatnn-bench ${command}`));
    assert.ok(examples.length >= 2 && examples.length <= 4, tail);
    assert.match(tail, /\nExit codes:\n +0 +success\n +1 +\S.*\n +2 +usage error/);
    for (const line of r.stdout.split('\n')) assert.ok(line.length <= 100, `over 100 columns: ${line}`);
  });
}

it('run --format lists json as always written, not as an extra', () => {
  const r = cli(['run', '--help']);
  const format = r.stdout.split('\n').find((l) => l.includes('--format'))!;
  assert.match(format, /results\.json is always written/);
  assert.doesNotMatch(format, /besides results\.json: json/);
});

it('verify and run word the --preset default the same way', () => {
  const line = (cmd: string) => cli([cmd, '--help']).stdout.split('\n').find((l) => l.includes('--preset'))!.replace(/^\s*--preset <name>\s*/, '');
  assert.equal(line('verify'), line('run'));
  assert.match(line('run'), /default: resnet18/);
});

// Item 11: the test command lists the test files, so `node --test` never gets a folder.

it('npm test runs an explicit list of test files (newer Node reads a folder argument as a file)', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.doesNotMatch(pkg.scripts.test!, /--test\b.*\sdist\/test\/?(\s|$)/);
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'run-tests.mjs'), '--dry-run'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const args = JSON.parse(r.stdout) as string[];
  const files = readdirSync(join(ROOT, 'dist', 'test')).filter((f) => f.endsWith('.test.js'));
  assert.ok(files.length > 10);
  for (const f of files) assert.ok(args.some((a) => a.endsWith(`dist/test/${f}`)), `${f} not run`);
  assert.ok(!args.some((a) => a.replace(/\/$/, '').endsWith('dist/test')), 'no folder argument');
});

it('test:lts picks the newest Node line whose LTS has begun', async () => {
  const { newestLtsMajor } = (await import(join(ROOT, 'scripts', 'test-lts.mjs'))) as { newestLtsMajor: (now: number, majors: number[]) => number | undefined };
  const published = [20, 21, 22, 23, 24, 25, 26];
  assert.equal(newestLtsMajor(Date.UTC(2026, 11, 1), published), 26);
  assert.equal(newestLtsMajor(Date.UTC(2026, 5, 1), published), 24, 'Node 26 is not LTS before late October 2026');
  assert.equal(newestLtsMajor(Date.UTC(2026, 11, 1), [20, 22, 24, 25]), 24, 'only lines the registry has');
});
