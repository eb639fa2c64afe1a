// Checks kernels against the exact reference before anything is timed.

import { randomOperands, type FillMode, type Operands } from './precisions.js';
import { firstMismatch, referenceGemm } from './reference.js';
import { checkShape, shapeLabel } from './shapes.js';
import type { KernelDeclaration, KernelOptions, ResultArray, Shape } from './types.js';

export interface VerifyCase {
  readonly shape: Shape;
  readonly seed: number;
  readonly modes: { readonly w: FillMode; readonly x: FillMode };
}

export interface VerifyFailure {
  readonly kernel: string;
  readonly case: VerifyCase;
  /** Row-major index of the first wrong element, with expected and actual values. */
  readonly index: number;
  readonly row: number;
  readonly col: number;
  readonly expected: number;
  readonly actual: number;
}

/** Random data plus the sign extremes (all max x all min, all min x all min). */
export function verifyCasesFor(shape: Shape, seed: number): VerifyCase[] {
  return [
    { shape, seed, modes: { w: 'random', x: 'random' } },
    { shape, seed, modes: { w: 'max', x: 'min' } },
    { shape, seed, modes: { w: 'min', x: 'min' } },
  ];
}

/** Runs one case; returns null when the kernel matches the reference exactly. */
export async function verifyCase(decl: KernelDeclaration, c: VerifyCase, options: KernelOptions = {}): Promise<VerifyFailure | null> {
  checkShape(c.shape);
  return checkKernel(decl, c, () => {
    const operands = randomOperands(decl.precision, c.shape, c.seed, c.modes);
    return { operands, expected: referenceGemm(decl.precision, c.shape, operands.w, operands.x) };
  }, options);
}

/** A case's operands and exact result, made on first use (one reference serves every kernel of a precision). */
export type CaseData = () => { readonly operands: Operands; readonly expected: ResultArray };

/**
 * Runs `decl` on the case's operands and compares with the expected result. The kernel is
 * created first: creating it checks its own shape limits (wasm32 memory, ...), so a shape too
 * large for it is refused before seconds of random operands are generated. Returns null when exact.
 */
export async function checkKernel(
  decl: KernelDeclaration,
  c: VerifyCase,
  data: CaseData,
  options: KernelOptions = {},
): Promise<VerifyFailure | null> {
  const kernel = await decl.create(c.shape, { threads: options.threads ?? 0 });
  try {
    const { operands, expected } = data();
    kernel.setWeights(operands.w);
    kernel.setActivations(operands.x);
    await kernel.run();
    const actual = kernel.result();
    const index = firstMismatch(expected, actual);
    if (index < 0) return null;
    return {
      kernel: decl.id,
      case: c,
      index,
      row: Math.floor(index / c.shape.N),
      col: index % c.shape.N,
      expected: expected[index] ?? NaN,
      actual: actual[index] ?? NaN,
    };
  } finally {
    await kernel.dispose();
  }
}

export function describeFailure(f: VerifyFailure): string {
  const c = f.case;
  return (
    `${f.kernel} is wrong on ${shapeLabel(c.shape)} (seed ${c.seed}, W ${c.modes.w}, X ${c.modes.x}): ` +
    `first wrong element C[${f.row}][${f.col}] = ${f.actual}, expected ${f.expected}`
  );
}
