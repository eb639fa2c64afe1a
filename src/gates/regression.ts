// The regression gate of `compare --fail-on-regression PCT`: which measurements got slower by
// more than PCT with a significant rank test, against the first (reference) run.

import type { Comparison } from '../compare/comparison.js';
import { shapeLabel } from '../shapes.js';
import { formatSignedPercent } from './percent.js';

export interface Regression {
  /** Label of the run that got slower. */
  readonly run: string;
  /** Label of the run it is compared with (the first file). */
  readonly reference: string;
  readonly layer: string;
  readonly kernel: string;
  readonly relative: number;
  readonly pValue: number;
}

/**
 * Significant slowdowns above `threshold` (a fraction). The noise threshold of the comparison
 * does not apply here: the gate's own threshold is the bar, and significance is still required
 * so that a noisy CI runner does not fail builds on chance.
 */
export function findRegressions(comparison: Comparison, threshold: number): Regression[] {
  const found: Regression[] = [];
  for (const row of comparison.rows) {
    row.changes.forEach((change, i) => {
      if (change?.pValue !== undefined && change.significant && change.relative > threshold) {
        found.push({ run: comparison.runs[i]!.label, reference: comparison.runs[0]!.label, layer: `${row.layer.name} (${shapeLabel(row.layer)})`, kernel: row.kernel, relative: change.relative, pValue: change.pValue });
      }
    });
  }
  return found;
}

export function describeRegression(r: Regression): string {
  return `${r.kernel} on ${r.layer}: median ${formatSignedPercent(r.relative)} in ${r.run} vs ${r.reference} (p = ${r.pValue.toPrecision(2)})`;
}
