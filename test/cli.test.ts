// The real executable end to end: commands, exit codes, error messages, stdout/stderr roles.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

const BIN = fileURLToPath(new URL('../../bin/fatnn-bench.js', import.meta.url));
// One fork: these runs test the CLI, not forks (runner and extra-forks tests do); each fork is another
// isolate per kernel, and under the emulated arm64 check every isolate start costs seconds.
const FAST = ['--time', '5', '--warmup', '1', '--rounds', '1', '--min-samples', '2', '--forks', '1', '--quiet'];

// Runs from an empty folder, so the default output folder of `run` lands there, not in the repo.
const CWD = mkdtempSync(join(tmpdir(), 'fatnn-cli-'));

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: CWD, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

it('lists every precision with its js kernel', () => {
  const r = cli(['list']);
  assert.equal(r.code, 0);
  for (const p of ['fp32', 'int8', 'bit2', 'ternary2b', 'fatnn', 'binary']) assert.match(r.stdout, new RegExp(`${p}/js`));
});

it('lists kernels as JSON with availability', () => {
  const r = cli(['list', '--json']);
  assert.equal(r.code, 0);
  const list = JSON.parse(r.stdout) as { id: string; available: boolean; reason?: string }[];
  assert.ok(list.find((k) => k.id === 'fatnn/js')?.available);
  for (const k of list) assert.ok(k.available || k.reason, k.id);
});

it('runs a custom shape and prints a table with speedups, without ANSI codes when piped', () => {
  const r = cli(['run', '--shape', '16x20x100', '--backend', 'js', ...FAST]);
  assert.equal(r.code, 0, r.stderr);
  // The headline: the js class row with its fp32 baseline, and the FATNN column.
  assert.match(r.stdout, /^js +1\.00x/m);
  assert.match(r.stdout, /fatnn\/ternary2b/);
  assert.doesNotMatch(r.stdout, /\x1b\[/);
  assert.equal(r.stderr, '');
});

it('prints a valid results document with --json', () => {
  const r = cli(['run', '--shape', '8x9x70', '--precision', 'fatnn,binary', '--backend', 'js', '--json', ...FAST]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.schema, 'fatnn-bench/results');
  assert.equal(doc.layers.length, 1);
  assert.deepEqual(doc.layers[0].measurements.map((m: { kernel: string }) => m.kernel), ['fatnn/js', 'binary/js']);
  for (const m of doc.layers[0].measurements) {
    assert.equal(m.verification, 'passed');
    assert.ok(m.gemm.medianMs > 0 && m.gemm.samples >= 2);
  }
});

it('verify exits 1 naming the wrong kernel and its first wrong element', () => {
  const r = cli(['verify', '--backend', 'js', '--precision', 'fatnn,binary', '--preset', 'quick', '--quiet'], { FATNN_BENCH_TEST_CORRUPT: 'fatnn/js' });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /FAIL {2}fatnn\/js is wrong on .*first wrong element C\[0\]\[0\] = \S+, expected \S+/);
  assert.match(r.stdout, /ok {4}binary\/js/);
  assert.match(r.stderr, /^fatnn-bench: 1 kernel\(s\) returned wrong results: fatnn\/js\n$/);
});

it('run exits 1 and reports a kernel that fails verification, still timing the others', () => {
  const r = cli(['run', '--shape', '4x4x40', '--precision', 'fatnn,binary', '--backend', 'js', ...FAST], { FATNN_BENCH_TEST_CORRUPT: 'binary/js' });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /WRONG: wrong result on 4x4x40/);
  assert.match(r.stderr, /returned wrong results: binary\/js/);
});

it('run exits 1 when a kernel cannot run, naming it, and still reports the others', () => {
  // C alone is 4 GiB: fine for the tool's limits, beyond wasm32 memory.
  const r = cli(['run', '--shape', '32768x32768x16384', '-k', 'fatnn/wasm-simd128', ...FAST]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /wasm32 limit/);
  assert.match(r.stderr, /1 measurement\(s\) failed to run: fatnn\/wasm-simd128/);
});

const USAGE_ERRORS: [string, string[], RegExp][] = [
  ['malformed shape', ['run', '--shape', '64x3136'], /malformed shape "64x3136": expected MxNxK/],
  ['zero-sized shape', ['run', '--shape', '0x10x10'], /shape M = 0 must be an integer from 1/],
  ['unknown precision', ['run', '--precision', 'int4'], /unknown precision "int4"/],
  ['unknown backend', ['verify', '--backend', 'cuda'], /unknown backend "cuda"/],
  ['unknown flag', ['run', '--frobnicate'], /unknown option '--frobnicate'/],
  ['unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
  ['unknown preset', ['run', '--preset', 'vgg'], /unknown preset "vgg"/],
  ['bad number', ['run', '--time', 'soon'], /--time must be a positive number of milliseconds/],
  ['unknown kernel', ['run', '--kernel', 'fatnn/gpu'], /unknown kernel "fatnn\/gpu"/],
  ['empty selection', ['run', '--precision', 'fp32', '--kernel', 'fatnn/js'], /no kernel matches/],
  ['shape too large to allocate', ['verify', '--shape', '1048576x1048576x1'], /too large: C \(M\*N\) has 1099511627776 elements, the limit is 1073741824/],
];

for (const [what, args, message] of USAGE_ERRORS) {
  it(`a ${what} gives one clear line on stderr and exit code 2`, () => {
    const r = cli(args);
    assert.equal(r.code, 2);
    const lines = r.stderr.trimEnd().split('\n');
    assert.match(lines[0]!, /^fatnn-bench: /);
    assert.match(lines[0]!, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(r.stdout, '');
  });
}

it('--debug adds the stack trace to a usage error', () => {
  const r = cli(['run', '--shape', 'abc', '--debug']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\n\s+at /);
});

it('without a command prints the usage on stderr and exits 2', () => {
  const r = cli([]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^Usage: fatnn-bench \[options\] \[command\]/);
  assert.match(r.stderr, /\brun \[options\]/);
  assert.equal(r.stdout, '');
});

it('--help prints the usage on stdout and exits 0', () => {
  const r = cli(['run', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: fatnn-bench run \[options\]/);
  assert.match(r.stdout, /--shape <MxNxK>/);
});

it('stops quietly when its reader goes away (list | head -1)', async () => {
  const child = spawn(process.execPath, [BIN, 'list'], { cwd: CWD, env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0);
  assert.doesNotMatch(stderr, /EPIPE|\n\s+at /);
});
