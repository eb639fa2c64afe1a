// Change detection between two measurements of the same kernel and layer: the relative change
// of the median, whether the samples show it is real, and a verdict a reader can act on.

import type { TimingStats } from '../results/schema.js';
import { forkSpread } from '../results/stats.js';
import { mannWhitneyU } from './mann-whitney.js';
import { welchLogTest } from './welch.js';

export interface ChangeOptions {
  /** Significance level of the rank test (two-sided). */
  readonly alpha: number;
  /** Relative median changes smaller than this (fraction, 0.02 = 2%) are noise: "no change". */
  readonly noise: number;
}

export const DEFAULT_CHANGE_OPTIONS: ChangeOptions = { alpha: 0.05, noise: 0.02 };

/** Fewer raw samples than this on either side and the rank test is not attempted. */
export const MIN_SAMPLES_FOR_TEST = 5;

/**
 * Forks on both sides from which the test is on fork medians (Welch's t on their logs): a fork
 * is the independent unit (a fresh isolate), and samples within one fork share its JIT and
 * placement mode, so the U-test on pooled samples would take a fork-to-fork difference for a
 * real change. Below this, the U-test on samples stays, guarded by the fork spread (below).
 */
export const MIN_FORKS_FOR_FORK_TEST = 3;

/** Which test decided: fork medians (Welch), raw samples (Mann-Whitney U), or none. */
export type ChangeTest = 'fork medians' | 'samples' | 'none';

export type Verdict = 'slower' | 'faster' | 'no change' | 'untested';

export interface Change {
  /** median(after) / median(before) - 1: +0.10 is 10% slower. */
  readonly relative: number;
  /** Two-sided Mann–Whitney p-value, absent when a side kept too few raw samples. */
  readonly pValue?: number;
  readonly significant: boolean;
  readonly verdict: Verdict;
  readonly test: ChangeTest;
  /** Set when a significant sample-level change was not called because it is within the fork spread. */
  readonly withinForkSpread?: boolean;
}

/**
 * Classifies the change from `before` to `after`. A change is reported only when it is both
 * significant (p < alpha) and at least `noise` in size; otherwise it is "no change", because
 * a tiny but significant shift is as unactionable as a large one the samples cannot confirm.
 */
export function detectChange(before: TimingStats, after: TimingStats, options: ChangeOptions = DEFAULT_CHANGE_OPTIONS): Change {
  const relative = after.medianMs / before.medianMs - 1;
  const verdictOf = (significant: boolean): Verdict => (!significant || Math.abs(relative) < options.noise ? 'no change' : relative > 0 ? 'slower' : 'faster');
  const fb = before.forks ?? [];
  const fa = after.forks ?? [];
  if (fb.length >= MIN_FORKS_FOR_FORK_TEST && fa.length >= MIN_FORKS_FOR_FORK_TEST) {
    const { pValue } = welchLogTest(fb.map((f) => f.medianMs), fa.map((f) => f.medianMs));
    const significant = pValue < options.alpha;
    return { relative, pValue, significant, verdict: verdictOf(significant), test: 'fork medians' };
  }
  if (before.sampleMs.length < MIN_SAMPLES_FOR_TEST || after.sampleMs.length < MIN_SAMPLES_FOR_TEST) {
    return { relative, significant: false, verdict: 'untested', test: 'none' };
  }
  const { pValue } = mannWhitneyU(before.sampleMs, after.sampleMs);
  // With two forks a side there are too few to test, but their spread is still evidence of how
  // far two fresh isolates land apart: a change inside it is not called, however small p is.
  const withinForkSpread = pValue < options.alpha && Math.abs(relative) <= Math.max(forkSpread(before), forkSpread(after));
  const significant = pValue < options.alpha && !withinForkSpread;
  return { relative, pValue, significant, verdict: verdictOf(significant), test: 'samples', ...(withinForkSpread ? { withinForkSpread } : {}) };
}
