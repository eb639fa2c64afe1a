// `fatnn-bench verify`: every selected kernel against the exact reference on the preset layers,
// the edge shapes and any --shape, with random and extreme values. Exit 1 on the first
// kind of wrong answer, naming the kernel and the first wrong element.

import { FatnnError } from '../errors.js';
import { randomOperands } from '../precisions.js';
import { referenceGemm } from '../reference.js';
import { edgeShapes, parseShape, presetLayers, shapeLabel } from '../shapes.js';
import type { KernelDeclaration, Precision, Shape } from '../types.js';
import { checkKernel, describeFailure, verifyCasesFor, type CaseData, type VerifyCase } from '../verify.js';
import { selectFromOptions, type FilterOptions } from './options.js';
import { writeProgress } from './progress.js';

export interface VerifyOptions extends FilterOptions {
  /** Default: resnet18. */
  preset?: string;
  shape?: string[];
  threads: number;
  seed: number;
  quiet?: boolean;
}

export async function verifyCommand(opts: VerifyOptions): Promise<number> {
  const { available, unavailable } = selectFromOptions(opts);
  const custom = (opts.shape ?? []).map(parseShape);
  const layerShapes: Shape[] = [...presetLayers(opts.preset ?? 'resnet18'), ...custom];
  // Extremes on every edge shape; random data on the (large) layer shapes.
  const cases: VerifyCase[] = [
    ...edgeShapes().flatMap((s) => verifyCasesFor(s, opts.seed)),
    ...layerShapes.map((shape) => ({ shape: { M: shape.M, N: shape.N, K: shape.K }, seed: opts.seed, modes: { w: 'random', x: 'random' } }) as const),
  ];
  const log = (line: string) => {
    if (!opts.quiet) process.stderr.write(`${line}\n`);
  };
  for (const u of unavailable) log(`skip  ${u.kernel}: ${u.reason}`);

  const failures: string[] = [];
  const failedKernels = new Set<string>();
  const byPrecision = new Map<Precision, KernelDeclaration[]>();
  for (const d of available) byPrecision.set(d.precision, [...(byPrecision.get(d.precision) ?? []), d]);

  let done = 0;
  for (const c of cases) {
    for (const [precision, decls] of byPrecision) {
      let data: ReturnType<CaseData> | undefined;
      const dataOnce: CaseData = () => {
        if (!data) {
          const operands = randomOperands(precision, c.shape, c.seed, c.modes);
          data = { operands, expected: referenceGemm(precision, c.shape, operands.w, operands.x) };
        }
        return data;
      };
      for (const decl of decls) {
        if (failedKernels.has(decl.id)) continue;
        try {
          const failure = await checkKernel(decl, c, dataOnce, { threads: opts.threads });
          if (failure) {
            failedKernels.add(decl.id);
            failures.push(describeFailure(failure));
          }
        } catch (err) {
          failedKernels.add(decl.id);
          failures.push(`${decl.id} failed on ${shapeLabel(c.shape)}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
    done += 1;
    if (process.stderr.isTTY && !opts.quiet) writeProgress(process.stderr, `verify: ${done}/${cases.length} shapes`);
  }
  if (process.stderr.isTTY && !opts.quiet) process.stderr.write('\r\x1b[K');

  for (const decl of available) {
    if (!failedKernels.has(decl.id)) process.stdout.write(`ok    ${decl.id} (${cases.length} cases)\n`);
  }
  if (failures.length > 0) {
    for (const f of failures) process.stdout.write(`FAIL  ${f}\n`);
    throw new FatnnError(`${failures.length} kernel(s) returned wrong results: ${[...failedKernels].join(', ')}`);
  }
  process.stdout.write(`all ${available.length} available kernels match the reference on ${cases.length} cases\n`);
  return 0;
}
