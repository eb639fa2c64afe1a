// Parsing of percentage thresholds given on the command line (`5%`, `5`, `0.5%`).

import { UsageError } from '../errors.js';
import { formatPercent } from '../report/format.js';

/**
 * Parses a percentage into a fraction: `5%` and `5` both mean 0.05. The `%` is optional because
 * shells and CI YAML make it awkward; a bare fraction like `0.05` therefore means 0.05%, which
 * is why values must be written in percent. Accepts 0 to 1000.
 */
export function parsePercent(option: string, text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*%?\s*$/.exec(text);
  const value = match ? Number(match[1]) : NaN;
  if (!match || !Number.isFinite(value) || value > 1000) {
    throw new UsageError(`${option} must be a percentage such as 5% (0 to 1000), got "${text}"`);
  }
  return value / 100;
}

/** `+12.3%` / `-4.0%`: the sign says slower or faster at a glance. */
export function formatSignedPercent(fraction: number): string {
  const text = formatPercent(fraction);
  return fraction > 0 ? `+${text}` : text;
}
