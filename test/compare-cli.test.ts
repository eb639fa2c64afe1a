// `fatnn-bench compare` and the gates through the real executable: exit codes, what goes to
// stdout and stderr, the GitHub step summary, and a one-line error for each bad input.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/fatnn-bench.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/compare/', import.meta.url));
const T1 = path.join(FIXTURES, 'x64-threads1.json');
const T2 = path.join(FIXTURES, 'x64-threads2.json');
const RERUN = path.join(FIXTURES, 'x64-threads1-rerun.json');
const HOST_B = path.join(FIXTURES, 'fixture-host-b-arm64.json');
// One fork: these runs test the CLI, not forks (runner and extra-forks tests do); each fork is another
// isolate per kernel, and under the emulated arm64 check every isolate start costs seconds.
const FAST = ['--time', '5', '--warmup', '1', '--rounds', '1', '--min-samples', '2', '--forks', '1', '--quiet'];

// Runs from an empty folder, so the default output folder of `run` lands there, not in the repo.
const CWD = mkdtempSync(path.join(tmpdir(), 'fatnn-compare-cwd-'));

function cli(args: string[], env: Record<string, string> = {}) {
  const { GITHUB_STEP_SUMMARY: _ignored, ...inherited } = process.env;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: CWD, encoding: 'utf8', env: { ...inherited, NO_COLOR: '1', ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempFile(name: string, content: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'fatnn-compare-')), name);
  writeFileSync(file, content);
  return file;
}

function editedFixture(name: string, edit: (doc: Record<string, unknown>) => void): string {
  const doc = JSON.parse(readFileSync(T1, 'utf8')) as Record<string, unknown>;
  edit(doc);
  return tempFile(name, JSON.stringify(doc));
}

/** Bad input: exit 2 and exactly one line on stderr, nothing on stdout. */
function assertUsageError(r: { code: number | null; stdout: string; stderr: string }, pattern: RegExp) {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, pattern);
}

it('compares two hosts side by side, exit 0, with the host warning on stderr', () => {
  const r = cli(['compare', T1, HOST_B]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /x64-threads1 vs fp32/);
  assert.match(r.stdout, /fixture-host-b-arm64 vs fp32/);
  assert.match(r.stdout, /geometric mean/);
  assert.match(r.stderr, /^fatnn-bench: warning: runs come from different hosts/);
});

it('prints Markdown and CSV with --format', () => {
  const md = cli(['compare', T1, T2, '--format', 'md']);
  assert.equal(md.code, 0, md.stderr);
  assert.match(md.stdout, /^### fatnn-bench comparison/);
  assert.match(md.stdout, /\| --- \| --- \| --- \| ---: \|/);
  const csv = cli(['compare', T1, T2, '-f', 'csv']);
  assert.equal(csv.code, 0, csv.stderr);
  assert.match(csv.stdout, /^layer,M,N,K,kernel,x64-threads1_median_ms,/);
});

it('exits 1 listing the offenders when a significant slowdown exceeds --fail-on-regression', () => {
  const r = cli(['compare', T1, RERUN, '--fail-on-regression', '5%']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /fatnn-bench: \d+ significant slowdown\(s\) above 5\.0%:/);
  assert.match(r.stderr, /fp32\/workers-js on conv5_x 3x3 512 \(512x49x4608\): median \+\d+\.\d% in x64-threads1-rerun vs x64-threads1/);
});

it('exits 0 when no significant slowdown exceeds the threshold', () => {
  for (const args of [[T1, T1, '--fail-on-regression', '5%'], [RERUN, T1, '--fail-on-regression', '5']]) {
    const r = cli(['compare', ...args]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /no significant slowdown above 5\.0%/);
  }
});

it('gates ratios within each run with --expect on compare', () => {
  const ok = cli(['compare', T1, T2, '--expect', 'fatnn/ternary2b>=1.8']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /x64-threads1: expect fatnn\/ternary2b>=1\.8: fatnn\/workers-js vs ternary2b\/workers-js = \d+\.\d\dx \(median of 3 layers\) ok/);
  assert.match(ok.stderr, /x64-threads2: expect fatnn\/ternary2b>=1\.8: .* ok/);
  const failed = cli(['compare', T1, T2, '--expect', 'fatnn/ternary2b>=1.8', '--expect', 'fatnn/ternary2b>=40']);
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /expect fatnn\/ternary2b>=40: .* FAILED/);
});

it('appends the Markdown table and the gate results to GITHUB_STEP_SUMMARY', () => {
  const summary = tempFile('summary.md', '# earlier step\n');
  const r = cli(['compare', T1, RERUN, '--fail-on-regression', '5%'], { GITHUB_STEP_SUMMARY: summary });
  assert.equal(r.code, 1);
  const text = readFileSync(summary, 'utf8');
  assert.match(text, /^# earlier step\n### fatnn-bench comparison/);
  assert.match(text, /\| layer \| MxNxK \| kernel \|/);
  assert.match(text, /\*\*Gates\*\* \(FAILED\)/);
  // The console table still goes to stdout.
  assert.match(r.stdout, /┌/);
});

it('gates a run with --expect: exit 0 when met, 1 when not', () => {
  const args = ['run', '--shape', '16x20x256', '--backend', 'js', '--precision', 'fp32,ternary2b,fatnn', ...FAST];
  const ok = cli([...args, '--expect', 'fatnn/ternary2b>=0.01']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /fatnn-bench: expect fatnn\/ternary2b>=0\.01: fatnn\/js vs ternary2b\/js = \d+\.\d\dx \(median of 1 layer\) ok/);
  const failed = cli([...args, '--expect', 'fatnn/ternary2b>=1000']);
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /FAILED/);
});

it('rejects a malformed --expect on run before measuring anything', () => {
  assertUsageError(cli(['run', '--preset', 'resnet18', '--expect', 'fatnn>=1.8']), /^fatnn-bench: --expect "fatnn>=1.8": expected one ratio/);
});

it('bad input: a missing file', () => {
  assertUsageError(cli(['compare', T1, '/nonexistent/b.json']), /^fatnn-bench: \/nonexistent\/b\.json: no such file$/m);
});

it('bad input: a results file of an incompatible schema version', () => {
  const v4 = editedFixture('v4.json', (d) => (d.schemaVersion = 4));
  assertUsageError(cli(['compare', T1, v4]), /schema version 4 is newer than this fatnn-bench reads \(3\)/);
});

it('bad input: a file that is not a results file', () => {
  assertUsageError(cli(['compare', T1, tempFile('x.json', '{"hello": 1}')]), /not a fatnn-bench results file/);
});

it('bad input: runs with no layer in common', () => {
  const other = editedFixture('other.json', (d) => {
    for (const l of d.layers as { K: number }[]) l.K += 1;
  });
  assertUsageError(cli(['compare', T1, other]), /^fatnn-bench: the runs have no layer shape in common/);
});

it('bad input: thresholds and options that do not parse', () => {
  assertUsageError(cli(['compare', T1, T2, '--fail-on-regression', 'five']), /^fatnn-bench: --fail-on-regression must be a percentage such as 5%.*got "five"/);
  assertUsageError(cli(['compare', T1, T2, '--threshold', '-1%']), /--threshold must be a percentage/);
  assertUsageError(cli(['compare', T1, T2, '--alpha', '5']), /--alpha must be a significance level/);
  assertUsageError(cli(['compare', T1, T2, '--format', 'xml']), /--format must be one of console, md, csv/);
  assertUsageError(cli(['compare', T1, T2, '--expect', 'fatnn/ternary2b=>2']), /--expect "fatnn\/ternary2b=>2" does not parse/);
  assertUsageError(cli(['compare', T1, T2, '--baseline', 'fp16']), /^fatnn-bench: --baseline must be fp32, int8 or ternary2b, got "fp16"$/m);
});

it('bad input: fewer than two files', () => {
  assertUsageError(cli(['compare', T1]), /compare needs at least two results files/);
  assertUsageError(cli(['compare']), /missing required argument/);
});

it('accepts the same --baseline precisions as run and report, and only those', () => {
  const ok = cli(['compare', T1, T2, '--baseline', 'ternary2b', '--format', 'csv']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /x64-threads1_speedup_vs_ternary2b/);
  for (const other of ['fatnn', 'binary', 'bit2']) assertUsageError(cli(['compare', T1, T2, '--baseline', other]), /--baseline must be fp32, int8 or ternary2b/);
});

interface FixtureMeasurement {
  kernel: string;
  verification: string;
  error?: string;
  gemm?: unknown;
}
interface FixtureLayer {
  name: string;
  measurements: FixtureMeasurement[];
}
const layersOf = (doc: Record<string, unknown>) => doc.layers as FixtureLayer[];
const measurementOf = (doc: Record<string, unknown>, layer: number, kernel: string) => layersOf(doc)[layer]!.measurements.find((m) => m.kernel === kernel)!;

/** The gate on a later run that lost measurements: exit 1, the header, then exactly `offenders`. */
function assertLosses(r: { code: number | null; stderr: string }, offenders: string[]) {
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /fatnn-bench: no significant slowdown above 5\.0%/);
  const lines = r.stderr.split('\n');
  const header = lines.findIndex((l) => /^fatnn-bench: \d+ measurement\(s\) timed in x64-threads1 broken or missing in a later run:$/.test(l));
  assert.ok(header >= 0, r.stderr);
  assert.equal(lines[header], `fatnn-bench: ${offenders.length} measurement(s) timed in x64-threads1 broken or missing in a later run:`);
  assert.deepEqual(lines.slice(header + 1, header + 1 + offenders.length), offenders.map((o) => `fatnn-bench:   ${o}`));
}

it('fails --fail-on-regression when a later run computes a wrong result', () => {
  const broken = editedFixture('wrong.json', (d) => {
    const m = measurementOf(d, 0, 'fatnn/workers-js');
    m.verification = 'failed';
    m.error = 'wrong result on 128x784x1152: C[0][0] = 1, expected 2';
    delete m.gemm;
  });
  assertLosses(cli(['compare', T1, broken, '--fail-on-regression', '5%']), ['fatnn/workers-js on conv3_x 3x3 128 (128x784x1152): wrong result in wrong']);
});

it('fails --fail-on-regression when a later run has an error instead of a time, quoting it', () => {
  const broken = editedFixture('crashed.json', (d) => {
    const m = measurementOf(d, 1, 'fp32/workers-js');
    m.verification = 'passed';
    m.error = 'fp32/workers-js failed while timing conv4 down 1x1 (256x196x128): worker exited';
    delete m.gemm;
  });
  assertLosses(cli(['compare', T1, broken, '--fail-on-regression', '5%']), [
    'fp32/workers-js on conv4 down 1x1 (256x196x128): error in crashed: fp32/workers-js failed while timing conv4 down 1x1 (256x196x128): worker exited',
  ]);
});

it('fails --fail-on-regression when a kernel or a whole layer is missing from a later run', () => {
  const gone = editedFixture('gone.json', (d) => {
    const layers = layersOf(d);
    layers[0]!.measurements = layers[0]!.measurements.filter((m) => m.kernel !== 'ternary2b/workers-js');
    layers.splice(2, 1);
  });
  assertLosses(cli(['compare', T1, gone, '--fail-on-regression', '5%']), [
    'ternary2b/workers-js on conv3_x 3x3 128 (128x784x1152): missing in gone',
    'fp32/workers-js on conv5_x 3x3 512 (512x49x4608): missing in gone (layer not measured)',
    'ternary2b/workers-js on conv5_x 3x3 512 (512x49x4608): missing in gone (layer not measured)',
    'fatnn/workers-js on conv5_x 3x3 512 (512x49x4608): missing in gone (layer not measured)',
  ]);
});

it('passes --fail-on-regression when only the first run lacks a time, and without the flag', () => {
  const broken = editedFixture('broken-first.json', (d) => {
    const m = measurementOf(d, 0, 'fatnn/workers-js');
    m.verification = 'failed';
    m.error = 'wrong result on 128x784x1152: C[0][0] = 1, expected 2';
    delete m.gemm;
    layersOf(d).splice(2, 1);
  });
  const fixed = cli(['compare', broken, T1, '--fail-on-regression', '5%']);
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.doesNotMatch(fixed.stderr, /broken or missing/);
  const ungated = cli(['compare', T1, broken]);
  assert.equal(ungated.code, 0, ungated.stderr);
  assert.match(ungated.stdout, /wrong result/);
});

it('keeps a repeated layer shape as its own row and gates it like any other layer', () => {
  const repeat = (d: Record<string, unknown>) => {
    const layers = layersOf(d);
    layers.splice(1, 0, { ...structuredClone(layers[0]!), name: 'conv3_x again' });
  };
  const both = [editedFixture('twice-a.json', repeat), editedFixture('twice-b.json', repeat)];
  const r = cli(['compare', ...both, '--fail-on-regression', '5%']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /conv3_x 3x3 128 +│ 128x784x1152 +│ fatnn\/workers-js/);
  assert.match(r.stdout, /conv3_x again +│ 128x784x1152 #2 +│ fatnn\/workers-js/);
  assert.match(r.stdout, /geometric mean +│ 4 layers/);
  assert.match(r.stderr, /warning: twice-a measured the same shape more than once \(128x784x1152 2 times: conv3_x 3x3 128, conv3_x again\)/);
  const once = cli(['compare', both[0]!, T1, '--fail-on-regression', '5%']);
  assert.equal(once.code, 1, once.stderr);
  assert.match(once.stderr, /warning: layer shapes measured only by some runs were left out \(twice-a: 128x784x1152 #2\)/);
  assert.match(once.stderr, /^fatnn-bench: {3}fatnn\/workers-js on conv3_x again \(128x784x1152 #2\): missing in x64-threads1 \(layer not measured\)$/m);
});
