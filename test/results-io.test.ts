// Reading results files back: the fixture validates, and every kind of wrong file fails with
// one clear line naming the problem. Also atomic writes and the --layers file format.

import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { FatnnError, UsageError } from '../src/errors.js';
import { parseResults, readResultsFile, serializeResults, writeFileAtomic } from '../src/results/io.js';
import { validateResults } from '../src/results/validate.js';
import { parseLayersJson } from '../src/runner/layers-file.js';

const FIXTURE = new URL('../../test/fixtures/results-small.json', import.meta.url).pathname;

async function fixtureDoc(): Promise<any> {
  return JSON.parse(await readFile(FIXTURE, 'utf8'));
}

async function tmpDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'fatnn-results-test-'));
}

async function readError(text: string): Promise<FatnnError> {
  const dir = await tmpDir();
  const file = path.join(dir, 'r.json');
  await writeFile(file, text);
  try {
    await readResultsFile(file);
  } catch (err) {
    assert.ok(err instanceof FatnnError, `expected FatnnError, got ${err}`);
    assert.ok(!err.message.includes('\n'), `error must be one line: ${err.message}`);
    assert.ok(err.message.startsWith(file), 'error names the file');
    return err;
  }
  assert.fail('expected the file to be rejected');
}

async function corrupt(mutate: (doc: any) => void): Promise<string> {
  const doc = await fixtureDoc();
  mutate(doc);
  return (await readError(JSON.stringify(doc))).message;
}

test('the results fixture validates', async () => {
  const r = await readResultsFile(FIXTURE);
  assert.equal(r.layers.length, 2);
  assert.equal(r.complete, true);
});

test('a missing file is reported as missing', async () => {
  await assert.rejects(readResultsFile('/nonexistent/results.json'), (err: Error) => err instanceof FatnnError && /no such file/.test(err.message));
});

test('a folder is rejected with a hint to the JSON inside it', async () => {
  const dir = await tmpDir();
  await assert.rejects(readResultsFile(dir), (err: Error) => err instanceof FatnnError && /is a folder/.test(err.message));
});

test('an empty file says it is empty', async () => {
  assert.match((await readError('')).message, /empty/);
});

test('a truncated file is reported as invalid JSON', async () => {
  const text = await readFile(FIXTURE, 'utf8');
  assert.match((await readError(text.slice(0, text.length / 2))).message, /not valid JSON/);
});

test('JSON of another kind is not taken for a results file', async () => {
  assert.match((await readError('{"name": "package"}')).message, /not a fatnn-bench results file/);
  assert.match((await readError('[1, 2]')).message, /expected an object/);
});

test('a newer schema version asks to upgrade', async () => {
  assert.match(await corrupt((d) => (d.schemaVersion = 99)), /newer.*upgrade/);
});

test('a corrupted field is named by its path', async () => {
  assert.match(await corrupt((d) => (d.layers[1].measurements[0].gemm.medianMs = 'fast')), /layers\[1\]\.measurements\[0\]\.gemm\.medianMs: expected a finite number/);
  assert.match(await corrupt((d) => delete d.host.cpu.brand), /host\.cpu\.brand: expected a string/);
  assert.match(await corrupt((d) => (d.layers[0].K = 0)), /layers\[0\]\.K: expected at least 1/);
  assert.match(await corrupt((d) => (d.layers[0].measurements[0].precision = 'int4')), /precision: expected one of/);
});

test('quantiles out of order are rejected', async () => {
  assert.match(await corrupt((d) => (d.layers[0].measurements[0].gemm.p25Ms = d.layers[0].measurements[0].gemm.maxMs * 2)), /quantiles out of order/);
});

test('a kernel id that does not match its precision is rejected', async () => {
  assert.match(await corrupt((d) => (d.layers[0].measurements[0].kernel = 'int8/js')), /does not match precision/);
});

test('a complete run without a finish date is rejected', async () => {
  assert.match(await corrupt((d) => (d.finishedAt = null)), /finishedAt/);
});

test('serialized results read back identical', async () => {
  const r = await readResultsFile(FIXTURE);
  assert.deepEqual(parseResults(serializeResults(r), 'x'), r);
  assert.deepEqual(validateResults(JSON.parse(serializeResults(r))), r);
});

test('writeFileAtomic replaces the file and leaves no temp file', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'sub', 'out.txt');
  await writeFileAtomic(file, 'first');
  await writeFileAtomic(file, 'second');
  assert.equal(await readFile(file, 'utf8'), 'second');
  assert.deepEqual(await readdir(path.dirname(file)), ['out.txt']);
});

test('writeFileAtomic into an unwritable place fails with a FatnnError', async () => {
  const dir = await tmpDir();
  const blocker = path.join(dir, 'file');
  await writeFile(blocker, 'x');
  await assert.rejects(writeFileAtomic(path.join(blocker, 'out.txt'), 'x'), (err: Error) => err instanceof FatnnError && /cannot write/.test(err.message));
});

test('a layers file accepts a list or { layers }, count defaulting to 1', () => {
  const layers = parseLayersJson('[{"name":"a","M":2,"N":3,"K":4,"count":5},{"name":"b","M":1,"N":1,"K":1}]', 'f.json');
  assert.deepEqual(layers, [
    { name: 'a', M: 2, N: 3, K: 4, count: 5 },
    { name: 'b', M: 1, N: 1, K: 1, count: 1 },
  ]);
  assert.deepEqual(parseLayersJson('{"layers":[{"name":"a","M":2,"N":3,"K":4}]}', 'f.json').length, 1);
});

test('a bad layers file is a usage error naming the layer and field', () => {
  const bad: [string, RegExp][] = [
    ['{', /not valid JSON/],
    ['{"x":1}', /expected an array/],
    ['[]', /empty/],
    ['[{"name":"a","M":2,"N":3}]', /layer "a": "K" must be an integer/],
    ['[{"name":"a","M":2,"N":3,"K":1.5}]', /"K" must be an integer/],
    ['[{"M":2,"N":3,"K":4}]', /layer 1: "name"/],
    ['[{"name":"a","M":2,"N":3,"K":4},{"name":"a","M":2,"N":3,"K":4}]', /duplicate layer name "a"/],
    ['[{"name":"a","M":2,"N":3,"K":4,"batch":2}]', /unknown field\(s\) "batch"/],
  ];
  for (const [text, pattern] of bad) {
    assert.throws(() => parseLayersJson(text, 'f.json'), (err: Error) => err instanceof UsageError && pattern.test(err.message) && err.message.includes('f.json'), text);
  }
});

test('the optional popcount forms validate, and a form that is not text is named by its path', async () => {
  const doc = await fixtureDoc();
  doc.config.popcountForms = { 'fatnn/js': '1 SWAR popcount/word, carry-save' };
  assert.doesNotThrow(() => validateResults(doc));
  const message = await corrupt((d) => {
    d.config.popcountForms = { 'fatnn/js': 3 };
  });
  assert.match(message, /config\.popcountForms\.fatnn\/js/);
});
