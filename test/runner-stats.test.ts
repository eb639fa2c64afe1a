// Fork statistics, the noisy flags they raise, compare's fork-level test, and reading results
// files of schema version 1 (issue #15).

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { detectChange } from '../src/compare/change.js';
import { studentTwoSided, welchLogTest } from '../src/compare/welch.js';
import { buildReportModel } from '../src/report/model.js';
import { reportNotes } from '../src/report/format.js';
import { parseResults, serializeResults } from '../src/results/io.js';
import type { ResultsFile, TimingStats } from '../src/results/schema.js';
import { bimodality, forkSpread, isNoisy, noiseReasons, summarizeForks } from '../src/results/stats.js';

const FIXTURE = new URL('../../test/fixtures/results-small.json', import.meta.url);

/** Samples around `center` with a small deterministic jitter (+-1%). */
function around(center: number, n: number, seed = 1): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return center * (0.99 + 0.02 * (s / 2147483648));
  });
}

test('summarizeForks pools every sample and keeps each fork', () => {
  const stats = summarizeForks([around(2, 40), around(2.02, 30, 7)], 4);
  assert.equal(stats.samples, 70);
  assert.equal(stats.forks!.length, 2);
  assert.deepEqual(stats.forks!.map((f) => f.samples), [40, 30]);
  assert.equal(stats.callsPerSample, 4);
  assert.ok(Math.abs(stats.forks![0]!.medianMs - 2) < 0.03);
  assert.ok(forkSpread(stats) < 0.03);
  assert.deepEqual(noiseReasons(stats), []);
});

test('forks whose medians are far apart flag the measurement noisy, with the reason', () => {
  // The fatnn/wasm-simd128 case: processes landing at 1.59 and 2.24 ms.
  const stats = summarizeForks([around(1.59, 50), around(2.24, 50, 3)]);
  assert.ok(forkSpread(stats) > 0.3);
  assert.ok(isNoisy(stats));
  assert.ok(noiseReasons(stats).some((r) => /^forks disagree: fork medians 1\.\d+-2\.\d+ ms \(\d+% apart\)$/.test(r)), noiseReasons(stats).join('; '));
});

test('bimodal samples are detected, unimodal and long-tailed ones are not', () => {
  const two = [...around(10, 60), ...around(14, 40, 5)];
  const b = bimodality(two);
  assert.ok(b, 'two clusters found');
  assert.ok(Math.abs(b.lowMs - 10) < 0.2 && Math.abs(b.highMs - 14) < 0.2);
  assert.equal(bimodality(around(10, 100)), undefined);
  // A long tail (preempted calls) is not a second mode: no gap in the middle 60%.
  const tail = [...around(10, 90), 13, 15, 18, 22, 30, 40, 45, 50, 60, 80];
  assert.equal(bimodality(tail), undefined);
  const stats = summarizeForks([two]);
  assert.ok(noiseReasons(stats).some((r) => r.startsWith('bimodal: 60% of samples near')), noiseReasons(stats).join('; '));
});

test('Student t tail probabilities match tables', () => {
  assert.ok(Math.abs(studentTwoSided(2.228, 10) - 0.05) < 1e-3);
  assert.ok(Math.abs(studentTwoSided(2.0, 10) - 0.0734) < 1e-3);
  assert.ok(Math.abs(studentTwoSided(1.96, 1e6) - 0.05) < 1e-3);
  assert.equal(studentTwoSided(0, 5), 1);
});

test('compare tests fork medians when both sides have three forks', () => {
  const before = summarizeForks([around(2.0, 30), around(2.3, 30, 2), around(1.8, 30, 3)]);
  // 5% slower overall, far inside the fork-to-fork spread: samples alone would call it.
  const after = summarizeForks([around(2.1, 30, 4), around(2.4, 30, 5), around(1.9, 30, 6)]);
  const c = detectChange(before, after);
  assert.equal(c.test, 'fork medians');
  assert.equal(c.verdict, 'no change');
  const w = welchLogTest(before.forks!.map((f) => f.medianMs), after.forks!.map((f) => f.medianMs));
  assert.ok(Math.abs(c.pValue! - w.pValue) < 1e-12);
  // Consistent forks, clearly slower: significant on three forks a side.
  const slow = detectChange(summarizeForks([around(2, 30), around(2.01, 30, 2), around(1.99, 30, 3)]), summarizeForks([around(2.6, 30), around(2.61, 30, 2), around(2.59, 30, 3)]));
  assert.equal(slow.test, 'fork medians');
  assert.equal(slow.verdict, 'slower');
});

test('with two forks a side, a sample-level change inside the fork spread is not called', () => {
  const before = summarizeForks([around(2.0, 50), around(2.4, 50, 2)]);
  const after = summarizeForks([around(2.3, 50, 3), around(2.45, 50, 4)]);
  const c = detectChange(before, after);
  assert.equal(c.test, 'samples');
  assert.ok(c.pValue! < 0.05, 'the U-test alone would call it');
  assert.equal(c.withinForkSpread, true);
  assert.equal(c.verdict, 'no change');
});

test('version 1 results files are read as one un-isolated fork', async () => {
  const text = await readFile(FIXTURE, 'utf8');
  assert.equal(JSON.parse(text).schemaVersion, 1, 'the fixture is a version 1 file');
  const doc = parseResults(text, 'fixture');
  assert.equal(doc.schemaVersion, 3);
  assert.equal(doc.upgradedFrom, 1);
  assert.equal(doc.config.fromFloat, false);
  assert.equal(doc.config.forks, 1);
  assert.equal(doc.config.isolation, 'none');
  const model = buildReportModel(doc);
  assert.ok(model.rows.length > 0);
  assert.ok(reportNotes(model, (id) => id).every((n) => !/between forks/.test(n)), 'no fork spread is claimed for a one-fork file');
  // Written back it is a valid version 3 document.
  const again = parseResults(serializeResults(doc), 'again');
  assert.equal(again.config.isolation, 'none');
});

test('a version 2 file must say how it was isolated and hold consistent forks', async () => {
  const v1 = JSON.parse(await readFile(FIXTURE, 'utf8')) as { schemaVersion: number; config: Record<string, unknown>; layers: { measurements: { gemm?: TimingStats }[] }[] };
  const v2 = structuredClone(v1);
  v2.schemaVersion = 2;
  assert.throws(() => parseResults(JSON.stringify(v2), 'f'), /config\.forks: expected a finite number/);
  v2.config.forks = 2;
  v2.config.isolation = 'container';
  assert.throws(() => parseResults(JSON.stringify(v2), 'f'), /config\.isolation: expected one of worker-thread, none/);
  v2.config.isolation = 'worker-thread';
  const g = v2.layers[0]!.measurements[0]!.gemm! as { forks?: unknown; samples: number; medianMs: number };
  g.forks = [{ samples: g.samples - 1, medianMs: g.medianMs, p25Ms: g.medianMs, p75Ms: g.medianMs }];
  assert.throws(() => parseResults(JSON.stringify(v2), 'f'), /gemm\.forks: fork samples add up to/);
  g.forks = [{ samples: g.samples, medianMs: g.medianMs, p25Ms: g.medianMs, p75Ms: g.medianMs }];
  const ok: ResultsFile = parseResults(JSON.stringify(v2), 'f');
  assert.equal(ok.upgradedFrom, 2);
  assert.equal(ok.config.fromFloat, false);
});
