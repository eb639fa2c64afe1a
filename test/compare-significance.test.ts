// The Mann–Whitney U test and change detection: exact values checked against SciPy
// (scipy.stats.mannwhitneyu, method='asymptotic', use_continuity=True, two-sided).

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { detectChange, type ChangeOptions } from '../src/compare/change.js';
import { erfc, mannWhitneyU } from '../src/compare/mann-whitney.js';
import { summarize } from '../src/results/stats.js';
import { createRng } from '../src/rng.js';

/** Skewed timing-like samples: a base time, uniform jitter and an occasional slow outlier. */
function timings(seed: number, n: number, scale: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const u = rng() / 2 ** 32;
    const v = rng() / 2 ** 32;
    return scale * (10 + 0.5 * (u + v) + (v > 0.9 ? 2 * u : 0));
  });
}

function close(actual: number, expected: number, relTol: number) {
  assert.ok(Math.abs(actual - expected) <= relTol * Math.abs(expected), `${actual} is not within ${relTol} of ${expected}`);
}

it('erfc matches known values', () => {
  close(erfc(0), 1, 1e-7);
  close(erfc(1), 0.157299207050285, 1.2e-7);
  close(erfc(-1), 1.842700792949715, 1.2e-7);
  close(erfc(3), 2.209049699858544e-5, 1.2e-7);
});

it('gives U = 0 and the SciPy p-value for completely separated samples', () => {
  const r = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
  assert.equal(r.u, 0);
  // z = (0 - 12.5 + 0.5) / sqrt(25 * 11 / 12)
  close(r.z, -12 / Math.sqrt(275 / 12), 1e-12);
  close(r.pValue, 0.012185780355344813, 1e-6);
});

it('averages tied ranks and corrects the variance for ties', () => {
  const r = mannWhitneyU([1, 2, 2, 3, 3, 4], [2, 3, 3, 4, 5, 5]);
  assert.equal(r.u, 8.5);
  close(r.pValue, 0.1380107375686596, 1e-6);
});

it('is symmetric: swapping the samples mirrors U and keeps p', () => {
  const a = timings(1, 40, 1);
  const b = timings(2, 40, 1.1);
  const ab = mannWhitneyU(a, b);
  const ba = mannWhitneyU(b, a);
  assert.equal(ab.u + ba.u, 40 * 40);
  close(ab.pValue, ba.pValue, 1e-12);
  assert.equal(ab.z, -ba.z);
});

it('returns p = 1 when every value is tied', () => {
  assert.deepEqual(mannWhitneyU([5, 5, 5], [5, 5, 5]), { u: 4.5, z: 0, pValue: 1 });
});

it('finds a known 10% shift highly significant', () => {
  const r = mannWhitneyU(timings(1, 40, 1), timings(2, 40, 1.1));
  assert.equal(r.u, 202);
  close(r.pValue, 8.953611541100931e-9, 1e-5);
});

it('finds no shift between two draws of the same distribution', () => {
  const r = mannWhitneyU(timings(1, 40, 1), timings(3, 40, 1));
  assert.equal(r.u, 761);
  close(r.pValue, 0.7110349903891797, 1e-6);
});

it('rejects an empty sample', () => {
  assert.throws(() => mannWhitneyU([], [1]), RangeError);
});

const OPTIONS: ChangeOptions = { alpha: 0.05, noise: 0.02 };

it('reports a significant 10% slowdown as slower, with the relative change of the medians', () => {
  const before = summarize(timings(1, 40, 1));
  const after = summarize(timings(2, 40, 1.1));
  const c = detectChange(before, after, OPTIONS);
  assert.equal(c.verdict, 'slower');
  assert.ok(c.significant);
  close(c.relative, after.medianMs / before.medianMs - 1, 1e-12);
  // Medians are stored at nanosecond resolution.
  close(c.relative, 11.558470292243875 / 10.519284103764221 - 1, 1e-6);
});

it('reports the reverse direction as faster', () => {
  const c = detectChange(summarize(timings(2, 40, 1.1)), summarize(timings(1, 40, 1)), OPTIONS);
  assert.equal(c.verdict, 'faster');
  assert.ok(c.relative < -0.08);
});

it('reports an unshifted rerun as no change', () => {
  const c = detectChange(summarize(timings(1, 40, 1)), summarize(timings(3, 40, 1)), OPTIONS);
  assert.equal(c.verdict, 'no change');
  assert.equal(c.significant, false);
});

it('reports a significant change inside the noise threshold as no change', () => {
  const before = summarize(timings(1, 200, 1));
  const after = summarize(timings(1, 200, 1.01));
  const c = detectChange(before, after, OPTIONS);
  assert.ok(c.significant, `p = ${c.pValue}`);
  assert.equal(c.verdict, 'no change');
  assert.equal(detectChange(before, after, { alpha: 0.05, noise: 0.005 }).verdict, 'slower');
});

it('does not test measurements that kept too few samples', () => {
  const c = detectChange(summarize([1, 2, 3]), summarize([4, 5, 6]), OPTIONS);
  assert.equal(c.verdict, 'untested');
  assert.equal(c.pValue, undefined);
  close(c.relative, 5 / 2 - 1, 1e-12);
});
