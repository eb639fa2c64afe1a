// Change detection between two measurements of the same kernel and layer: the relative change
// of the median, whether the samples show it is real, and a verdict a reader can act on.

import type { TimingStats } from '../results/schema.js';
import { mannWhitneyU } from './mann-whitney.js';

export interface ChangeOptions {
  /** Significance level of the rank test (two-sided). */
  readonly alpha: number;
  /** Relative median changes smaller than this (fraction, 0.02 = 2%) are noise: "no change". */
  readonly noise: number;
}

export const DEFAULT_CHANGE_OPTIONS: ChangeOptions = { alpha: 0.05, noise: 0.02 };

/** Fewer raw samples than this on either side and the rank test is not attempted. */
export const MIN_SAMPLES_FOR_TEST = 5;

export type Verdict = 'slower' | 'faster' | 'no change' | 'untested';

export interface Change {
  /** median(after) / median(before) - 1: +0.10 is 10% slower. */
  readonly relative: number;
  /** Two-sided Mann–Whitney p-value, absent when a side kept too few raw samples. */
  readonly pValue?: number;
  readonly significant: boolean;
  readonly verdict: Verdict;
}

/**
 * Classifies the change from `before` to `after`. A change is reported only when it is both
 * significant (p < alpha) and at least `noise` in size; otherwise it is "no change", because
 * a tiny but significant shift is as unactionable as a large one the samples cannot confirm.
 */
export function detectChange(before: TimingStats, after: TimingStats, options: ChangeOptions = DEFAULT_CHANGE_OPTIONS): Change {
  const relative = after.medianMs / before.medianMs - 1;
  if (before.sampleMs.length < MIN_SAMPLES_FOR_TEST || after.sampleMs.length < MIN_SAMPLES_FOR_TEST) {
    return { relative, significant: false, verdict: 'untested' };
  }
  const { pValue } = mannWhitneyU(before.sampleMs, after.sampleMs);
  const significant = pValue < options.alpha;
  const verdict: Verdict = !significant || Math.abs(relative) < options.noise ? 'no change' : relative > 0 ? 'slower' : 'faster';
  return { relative, pValue, significant, verdict };
}
