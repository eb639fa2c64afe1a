// CI gates: percentage parsing, the --expect grammar and its evaluation on a real results file,
// and the regression finder on a real pair of runs.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { compareRuns } from '../src/compare/comparison.js';
import { UsageError } from '../src/errors.js';
import { checkExpectations, describeExpectation, evaluateExpectation, parseExpectation } from '../src/gates/expect.js';
import { parsePercent } from '../src/gates/percent.js';
import { describeLoss, describeRegression, findLosses, findRegressions } from '../src/gates/regression.js';
import { readResultsFile } from '../src/results/io.js';
import type { ResultsFile } from '../src/results/schema.js';

const FIXTURES = new URL('../../test/fixtures/compare/', import.meta.url);
const load = (name: string) => readResultsFile(new URL(`${name}.json`, FIXTURES).pathname);

function ratio(results: ResultsFile, layerIndex: number, numerator: string, denominator: string): number {
  const ms = (k: string) => results.layers[layerIndex]!.measurements.find((m) => m.kernel === k)!.gemm!.medianMs;
  return ms(denominator) / ms(numerator);
}

const usage = (pattern: RegExp) => (err: Error) => err instanceof UsageError && pattern.test(err.message);

it('parses percentages with or without the percent sign', () => {
  assert.equal(parsePercent('--x', '5%'), 0.05);
  assert.equal(parsePercent('--x', '5'), 0.05);
  assert.equal(parsePercent('--x', '0.5%'), 0.005);
  assert.equal(parsePercent('--x', ' 12.5 % '), 0.125);
  assert.equal(parsePercent('--x', '0'), 0);
});

it('rejects percentages that do not parse, naming the option', () => {
  for (const bad of ['five', '-5%', '5%%', '', '1e3', '5 percent', '2000%']) {
    assert.throws(() => parsePercent('--fail-on-regression', bad), usage(/^--fail-on-regression must be a percentage such as 5%/), bad);
  }
});

it('parses a precision ratio', () => {
  assert.deepEqual(parseExpectation('fatnn/ternary2b>=1.8'), {
    text: 'fatnn/ternary2b>=1.8',
    numerator: { precision: 'fatnn' },
    denominator: { precision: 'ternary2b' },
    op: '>=',
    value: 1.8,
  });
});

it('parses kernel ids on either side, spaces and an x suffix', () => {
  const e = parseExpectation(' fatnn/js/ternary2b/wasm-simd128 > 2x ');
  assert.deepEqual([e.numerator, e.denominator, e.op, e.value], [{ precision: 'fatnn', kernel: 'fatnn/js' }, { precision: 'ternary2b', kernel: 'ternary2b/wasm-simd128' }, '>', 2]);
  const mixed = parseExpectation('binary/fatnn/workers-js<=.5');
  assert.deepEqual([mixed.numerator, mixed.denominator, mixed.op, mixed.value], [{ precision: 'binary' }, { precision: 'fatnn', kernel: 'fatnn/workers-js' }, '<=', 0.5]);
});

it('rejects malformed expectations with a usage error', () => {
  assert.throws(() => parseExpectation('fatnn>=1.8'), usage(/found 1 operand/));
  assert.throws(() => parseExpectation('fatnn/ternary2b/int8>=1'), usage(/found 3 operand/));
  assert.throws(() => parseExpectation('foo/ternary2b>=1'), usage(/"foo" is not a precision/));
  assert.throws(() => parseExpectation('fatnn/ternary2b=>1.8'), usage(/does not parse/));
  assert.throws(() => parseExpectation('fatnn/ternary2b>=abc'), usage(/does not parse/));
  assert.throws(() => parseExpectation('fatnn/ternary2b>=0'), usage(/positive/));
});

it('checks the median across layers of time(denominator) / time(numerator) per backend variant', async () => {
  const r = await load('x64-threads1');
  const perLayer = [0, 1, 2].map((i) => ratio(r, i, 'fatnn/workers-js', 'ternary2b/workers-js')).sort((a, b) => a - b);
  const result = evaluateExpectation(r, parseExpectation('fatnn/ternary2b>=1.8'));
  assert.equal(result.checks.length, 1);
  assert.deepEqual(result.checks[0], { kernel: 'fatnn/workers-js', against: ['ternary2b/workers-js'], ratio: perLayer[1], layers: 3, pass: true });
  assert.equal(result.pass, true);
  assert.equal(evaluateExpectation(r, parseExpectation(`fatnn/ternary2b>${perLayer[1]}`)).pass, false);
  assert.equal(evaluateExpectation(r, parseExpectation(`fatnn/ternary2b<=${perLayer[1]}`)).pass, true);
});

it('evaluates explicit kernel ids', async () => {
  const r = await load('x64-threads1');
  const result = evaluateExpectation(r, parseExpectation('fatnn/workers-js/fp32/workers-js>=100'));
  const perLayer = [0, 1, 2].map((i) => ratio(r, i, 'fatnn/workers-js', 'fp32/workers-js')).sort((a, b) => a - b);
  assert.equal(result.checks[0]!.ratio, perLayer[1]);
  assert.equal(result.pass, false);
  assert.match(describeExpectation(result)[0]!, /^expect fatnn\/workers-js\/fp32\/workers-js>=100: fatnn\/workers-js vs fp32\/workers-js = \d+\.\d\dx \(median of 3 layers\) FAILED$/);
});

it('fails an expectation nothing in the run can check, saying why', async () => {
  const r = await load('x64-threads1');
  const result = evaluateExpectation(r, parseExpectation('binary/ternary2b>=1'));
  assert.equal(result.pass, false);
  assert.deepEqual(result.checks, []);
  assert.match(describeExpectation(result)[0]!, /no layer measured both binary and ternary2b/);
});

it('returns exit code 1 when any expectation fails and writes one line per check', async () => {
  const r = await load('x64-threads1');
  const lines: string[] = [];
  assert.equal(checkExpectations(r, [parseExpectation('fatnn/ternary2b>=1.8')], (l) => lines.push(l)), 0);
  assert.equal(checkExpectations(r, [parseExpectation('fatnn/ternary2b>=1.8'), parseExpectation('fatnn/ternary2b>=50')], (l) => lines.push(l), 'host'), 1);
  assert.equal(lines.length, 3);
  assert.match(lines[2]!, /^host: expect fatnn\/ternary2b>=50: .* FAILED$/);
});

it('lists significant slowdowns above the threshold as regressions', async () => {
  const c = compareRuns([
    { label: 'before', results: await load('x64-threads1') },
    { label: 'after', results: await load('x64-threads1-rerun') },
  ]);
  const expected = c.rows.filter((r) => r.changes[1]!.significant && r.changes[1]!.relative > 0.05).map((r) => r.kernel);
  const found = findRegressions(c, 0.05);
  assert.deepEqual(found.map((f) => f.kernel), expected);
  assert.ok(found.length >= 5);
  assert.ok(found.every((f) => f.run === 'after' && f.reference === 'before' && f.relative > 0.05 && f.pValue < 0.05));
  assert.match(describeRegression(found[0]!), /^\S+ on .* \(\d+x\d+x\d+\): median \+\d+\.\d% in after vs before \(p = /);
  assert.deepEqual(findRegressions(c, 10), []);
});

it('finds no regression in the reverse direction, where the rerun is the reference', async () => {
  const c = compareRuns([
    { label: 'busy', results: await load('x64-threads1-rerun') },
    { label: 'quiet', results: await load('x64-threads1') },
  ]);
  assert.deepEqual(findRegressions(c, 0.05), []);
});

it('lists measurements the first run timed and a later run broke or lost, in order', async () => {
  const before = await load('x64-threads1');
  const after = await load('x64-threads1-rerun');
  const layers = after.layers.slice(0, 2).map((l, i) => ({
    ...l,
    measurements: l.measurements.flatMap((m) => {
      if (i === 0 && m.kernel === 'fatnn/workers-js') return [{ kernel: m.kernel, precision: m.precision, backend: m.backend, verification: 'failed' as const, error: 'wrong result on ...' }];
      if (i === 0 && m.kernel === 'fp32/workers-js') return [];
      if (i === 1 && m.kernel === 'ternary2b/workers-js') return [{ kernel: m.kernel, precision: m.precision, backend: m.backend, verification: 'skipped' as const, error: 'boom' }];
      return [m];
    }),
  }));
  const c = compareRuns([
    { label: 'before', results: before },
    { label: 'after', results: { ...after, layers } },
  ]);
  assert.deepEqual(findLosses(c).map(describeLoss), [
    'fp32/workers-js on conv3_x 3x3 128 (128x784x1152): missing in after',
    'fatnn/workers-js on conv3_x 3x3 128 (128x784x1152): wrong result in after',
    'ternary2b/workers-js on conv4 down 1x1 (256x196x128): error in after: boom',
    'fp32/workers-js on conv5_x 3x3 512 (512x49x4608): missing in after (layer not measured)',
    'ternary2b/workers-js on conv5_x 3x3 512 (512x49x4608): missing in after (layer not measured)',
    'fatnn/workers-js on conv5_x 3x3 512 (512x49x4608): missing in after (layer not measured)',
  ]);
  // The reverse is no loss: the first run had nothing to lose there.
  assert.deepEqual(findLosses(compareRuns([{ label: 'after', results: { ...after, layers } }, { label: 'before', results: before }])), []);
});

it('finds no loss between two complete runs of the same kernels', async () => {
  const c = compareRuns([
    { label: 'a', results: await load('x64-threads1') },
    { label: 'b', results: await load('x64-threads2') },
    { label: 'c', results: await load('x64-threads1-rerun') },
  ]);
  assert.deepEqual(findLosses(c), []);
});
