// Ratio gates (`--expect "fatnn/ternary2b>=1.8"`): expectations on speedups between kernels of
// the same run. Ratios cancel most of a shared CI machine's noise (both kernels run on the same
// busy host, interleaved), so they make steadier gates than absolute times.
//
// Grammar (whitespace allowed around the operator and number):
//   expectation := operand "/" operand op number ["x"]
//   operand     := precision ["/" variant]        e.g. fatnn, fatnn/js, fatnn/wasm-simd128
//   op          := ">=" | ">" | "<=" | "<"
//   precision   := fp32 | int8 | bit2 | ternary2b | fatnn | binary
// A variant is the part of a kernel id after its precision; variants are never precision names,
// so `fatnn/js/ternary2b` reads unambiguously as kernel fatnn/js over precision ternary2b.
//
// Value: the ratio is the speedup of the numerator over the denominator, time(den) / time(num)
// of the GEMM medians on the same layer, and the gate checks its median across layers. A bare
// denominator precision is matched inside the numerator kernel's backend (same variant first,
// as speedups vs the baseline are), so `fatnn/ternary2b>=1.8` is checked once per backend
// variant that measured both, and every one must pass.

import { UsageError } from '../errors.js';
import { isPrecision } from '../precisions.js';
import type { LayerResult, Measurement, ResultsFile } from '../results/schema.js';
import { baselineFor, median, runKernelIds, timeOf } from '../results/speedups.js';
import type { Precision } from '../types.js';

export type ComparisonOp = '>=' | '>' | '<=' | '<';

export interface Operand {
  readonly precision: Precision;
  /** A full kernel id when the operand names one, e.g. `fatnn/js`. */
  readonly kernel?: string;
}

export interface Expectation {
  /** The expression as the user wrote it, for messages. */
  readonly text: string;
  readonly numerator: Operand;
  readonly denominator: Operand;
  readonly op: ComparisonOp;
  readonly value: number;
}

export interface ExpectationCheck {
  /** The numerator kernel this ratio was measured for. */
  readonly kernel: string;
  /** The denominator kernels it was divided by (one per layer, usually the same). */
  readonly against: readonly string[];
  /** Median over layers of time(den) / time(num). */
  readonly ratio: number;
  readonly layers: number;
  readonly pass: boolean;
}

export interface ExpectationResult {
  readonly expectation: Expectation;
  readonly checks: readonly ExpectationCheck[];
  /** True when there was something to check and every check passed. */
  readonly pass: boolean;
}

const EXPECTATION = /^\s*([a-z0-9][a-z0-9/-]*?)\s*(>=|<=|>|<)\s*(\d+(?:\.\d+)?|\.\d+)\s*x?\s*$/i;

function parseOperands(text: string, source: string): [Operand, Operand] {
  const tokens = text.split('/');
  const operands: Operand[] = [];
  for (let i = 0; i < tokens.length; ) {
    const precision = tokens[i]!;
    if (!isPrecision(precision)) {
      throw new UsageError(`--expect "${source}": "${precision}" is not a precision (fp32, int8, bit2, ternary2b, fatnn, binary)`);
    }
    const next = tokens[i + 1];
    if (next !== undefined && !isPrecision(next)) {
      if (!/^[a-z0-9-]+$/.test(next)) throw new UsageError(`--expect "${source}": "${precision}/${next}" is not a kernel id`);
      operands.push({ precision, kernel: `${precision}/${next}` });
      i += 2;
    } else {
      operands.push({ precision });
      i += 1;
    }
  }
  if (operands.length !== 2) {
    throw new UsageError(`--expect "${source}": expected one ratio such as fatnn/ternary2b>=1.8 or fatnn/js/ternary2b/js>=1.8, found ${operands.length} operand(s)`);
  }
  return [operands[0]!, operands[1]!];
}

/** Parses one `--expect` expression; a UsageError (exit 2) says what is wrong. */
export function parseExpectation(text: string): Expectation {
  const match = EXPECTATION.exec(text);
  if (!match) {
    throw new UsageError(`--expect "${text}" does not parse: expected <precision>[/<variant>]/<precision>[/<variant>] (>=|>|<=|<) <number>, e.g. "fatnn/ternary2b>=1.8"`);
  }
  const [numerator, denominator] = parseOperands(match[1]!.toLowerCase(), text);
  const value = Number(match[3]);
  if (!(value > 0)) throw new UsageError(`--expect "${text}": the ratio must be a positive number`);
  return { text: text.trim(), numerator, denominator, op: match[2] as ComparisonOp, value };
}

/** commander collector: parses at argument time so a typo fails before a long run starts. */
export function collectExpectation(text: string, previous: Expectation[] = []): Expectation[] {
  return [...previous, parseExpectation(text)];
}

function matches(m: Measurement, operand: Operand): boolean {
  return operand.kernel ? m.kernel === operand.kernel : m.precision === operand.precision;
}

function denominatorFor(layer: LayerResult, m: Measurement, operand: Operand, runKernels: ReadonlySet<string>): Measurement | undefined {
  if (operand.kernel) return layer.measurements.find((d) => d.kernel === operand.kernel && timeOf(d, 'gemm') !== undefined);
  return baselineFor(layer, m, operand.precision, 'gemm', runKernels);
}

function holds(ratio: number, op: ComparisonOp, value: number): boolean {
  switch (op) {
    case '>=':
      return ratio >= value;
    case '>':
      return ratio > value;
    case '<=':
      return ratio <= value;
    case '<':
      return ratio < value;
  }
}

export function evaluateExpectation(results: ResultsFile, expectation: Expectation): ExpectationResult {
  const perKernel = new Map<string, { ratios: number[]; against: Set<string> }>();
  const runKernels = runKernelIds(results);
  for (const layer of results.layers) {
    for (const m of layer.measurements) {
      const t = timeOf(m, 'gemm');
      if (t === undefined || !matches(m, expectation.numerator)) continue;
      const den = denominatorFor(layer, m, expectation.denominator, runKernels);
      const td = den && timeOf(den, 'gemm');
      if (den === undefined || td === undefined || den.kernel === m.kernel) continue;
      const entry = perKernel.get(m.kernel) ?? { ratios: [], against: new Set<string>() };
      entry.ratios.push(td / t);
      entry.against.add(den.kernel);
      perKernel.set(m.kernel, entry);
    }
  }
  const checks = [...perKernel].map(([kernel, { ratios, against }]) => {
    const ratio = median(ratios)!;
    return { kernel, against: [...against], ratio, layers: ratios.length, pass: holds(ratio, expectation.op, expectation.value) };
  });
  return { expectation, checks, pass: checks.length > 0 && checks.every((c) => c.pass) };
}

/** One line per check, e.g. `fatnn/js vs ternary2b/js: 1.93x (median of 3 layers) ok`. */
export function describeExpectation(result: ExpectationResult): string[] {
  const head = `expect ${result.expectation.text}`;
  if (result.checks.length === 0) {
    const { numerator: n, denominator: d } = result.expectation;
    return [`${head}: FAILED, no layer measured both ${n.kernel ?? n.precision} and ${d.kernel ?? d.precision} (check the --precision/--backend filters)`];
  }
  return result.checks.map(
    (c) => `${head}: ${c.kernel} vs ${c.against.join('+')} = ${c.ratio.toFixed(2)}x (median of ${c.layers} layer${c.layers === 1 ? '' : 's'}) ${c.pass ? 'ok' : 'FAILED'}`,
  );
}

/**
 * Evaluates every expectation on `results`, writes one line per check to `write`, and returns
 * the exit code: 1 when any expectation failed, else 0.
 */
export function checkExpectations(results: ResultsFile, expectations: readonly Expectation[], write: (line: string) => void, label?: string): number {
  let code = 0;
  for (const e of expectations) {
    const result = evaluateExpectation(results, e);
    for (const line of describeExpectation(result)) write(label ? `${label}: ${line}` : line);
    if (!result.pass) code = 1;
  }
  return code;
}
