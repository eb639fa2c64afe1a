// `fatnn-bench compare A.json B.json [...]`: runs side by side, change detection against the
// first file, and the CI gates (--fail-on-regression, --expect). Exit 0 ok, 1 a gate failed,
// 2 bad input (unreadable or incompatible file, nothing in common, unparsable threshold).

import { appendFile } from 'node:fs/promises';
import { compareRuns, labelsFor } from '../compare/comparison.js';
import { COMPARE_FORMATS, renderComparison, type CompareFormat } from '../compare/render.js';
import type { LabelledRun } from '../compare/warnings.js';
import { UsageError } from '../errors.js';
import { checkExpectations, type Expectation } from '../gates/expect.js';
import { parsePercent } from '../gates/percent.js';
import { describeLoss, describeRegression, findLosses, findRegressions } from '../gates/regression.js';
import { consoleWidth, wantsColor } from '../report/console.js';
import { MATCH_MODES, type MatchMode } from '../compare/matching.js';
import { formatPercent } from '../report/format.js';
import { readResultsArgument } from '../results/io.js';
import { parseBaseline } from './run.js';

export interface CompareCommandOptions {
  format: string;
  baseline?: string;
  threshold: string;
  alpha: string;
  failOnRegression?: string;
  match?: string;
  expect?: Expectation[];
}

function parseFormat(text: string): CompareFormat {
  if (!(COMPARE_FORMATS as readonly string[]).includes(text)) throw new UsageError(`--format must be one of ${COMPARE_FORMATS.join(', ')}, got "${text}"`);
  return text as CompareFormat;
}

function parseMatch(text: string | undefined): MatchMode {
  if (text === undefined) return 'class';
  if (!(MATCH_MODES as readonly string[]).includes(text)) throw new UsageError(`--match must be one of ${MATCH_MODES.join(', ')}, got "${text}"`);
  return text as MatchMode;
}

function parseAlpha(text: string): number {
  const v = Number(text);
  if (!/^\s*(0?\.\d+)\s*$/.test(text) || !(v > 0 && v < 1)) throw new UsageError(`--alpha must be a significance level between 0 and 1 such as 0.05, got "${text}"`);
  return v;
}

/** An input file that cannot be compared is a usage problem (exit 2), not a failed run. */
async function loadRuns(files: readonly string[]): Promise<LabelledRun[]> {
  const labels = labelsFor(files);
  return Promise.all(files.map(async (file, i) => ({ label: labels[i]!, results: await readResultsArgument(file) })));
}

export async function compareCommand(files: string[], opts: CompareCommandOptions): Promise<number> {
  // Every option is checked before any file is read, so a typo fails fast and alone.
  const format = parseFormat(opts.format);
  const noise = parsePercent('--threshold', opts.threshold);
  const alpha = parseAlpha(opts.alpha);
  const failAbove = opts.failOnRegression === undefined ? undefined : parsePercent('--fail-on-regression', opts.failOnRegression);
  const baseline = opts.baseline === undefined ? undefined : parseBaseline(opts.baseline);
  const match = parseMatch(opts.match);
  if (files.length < 2) throw new UsageError('compare needs at least two results files');

  const runs = await loadRuns(files);
  const comparison = compareRuns(runs, { noise, alpha, match, ...(baseline && { baseline }) });
  const stderr = (line: string) => process.stderr.write(`fatnn-bench: ${line}\n`);

  process.stdout.write(renderComparison(comparison, format, { color: format === 'console' && wantsColor(process.stdout), width: consoleWidth(process.stdout) }));
  // Markdown and HTML carry their warnings inside the document; the others keep stdout clean.
  if (format !== 'md' && format !== 'html') for (const w of comparison.warnings) stderr(`warning: ${w}`);

  const gateLines: string[] = [];
  let code = 0;
  if (failAbove !== undefined) {
    const regressions = findRegressions(comparison, failAbove);
    if (regressions.length > 0) {
      code = 1;
      gateLines.push(`${regressions.length} significant slowdown(s) above ${formatPercent(failAbove)}:`, ...regressions.map((r) => `  ${describeRegression(r)}`));
    } else {
      gateLines.push(`no significant slowdown above ${formatPercent(failAbove)}`);
    }
    const losses = findLosses(comparison);
    if (losses.length > 0) {
      code = 1;
      gateLines.push(`${losses.length} measurement(s) timed in ${runs[0]!.label} broken or missing in a later run:`, ...losses.map((l) => `  ${describeLoss(l)}`));
    }
  }
  for (const run of runs) {
    if (checkExpectations(run.results, opts.expect ?? [], (line) => gateLines.push(line), run.label) !== 0) code = 1;
  }
  for (const line of gateLines) stderr(line);

  const summary = process.env.GITHUB_STEP_SUMMARY;
  if (summary) {
    const gates = gateLines.length > 0 ? `\n**Gates** (${code === 0 ? 'passed' : 'FAILED'})\n\n\`\`\`\n${gateLines.join('\n')}\n\`\`\`\n` : '';
    const markdown = renderComparison(comparison, 'md');
    try {
      await appendFile(summary, `${markdown}${gates}\n`);
    } catch (err) {
      stderr(`warning: cannot append to GITHUB_STEP_SUMMARY (${summary}): ${(err as Error).message}`);
    }
  }
  return code;
}
