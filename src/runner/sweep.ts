// The measuring core: for each layer, verify every selected kernel on the layer's own data,
// then time them in interleaved rounds (A B C A B C ...) so drift hits all kernels alike.
// Knows nothing about formatting; it produces LayerResults for the results file.

import { randomOperands, type Operands } from '../precisions.js';
import { firstMismatch, referenceGemm } from '../reference.js';
import type { Layer } from '../shapes.js';
import { shapeLabel } from '../shapes.js';
import type { LayerResult, Measurement, TimingStats } from '../results/schema.js';
import { summarize } from '../results/stats.js';
import type { Kernel, KernelDeclaration, Precision, ResultArray } from '../types.js';
import { sampleOperation } from './measure.js';

export interface SweepSettings {
  readonly threads: number;
  /** Time budget per measurement (all rounds together), ms. */
  readonly timeMs: number;
  readonly minSamples: number;
  readonly warmupMs: number;
  /** Interleaved rounds per layer. */
  readonly rounds: number;
  readonly seed: number;
  /** Also time activation packing + GEMM. */
  readonly withPacking: boolean;
  readonly signal?: AbortSignal;
}

export interface SweepProgress {
  readonly layerIndex: number;
  readonly layerCount: number;
  readonly layer: Layer;
  readonly kernel: string;
  readonly phase: 'verify' | 'gemm' | 'with-packing';
  /** Fraction of the whole sweep done, 0..1. */
  readonly done: number;
}

/** Where results flow out as soon as they exist (the CLI rewrites its files here). */
export interface SweepObserver {
  progress?(p: SweepProgress): void;
  layerDone?(result: LayerResult, index: number): void | Promise<void>;
}

/** Keeps every result alive where the JIT cannot prove it unused. */
let sink = 0;
function consume(result: ResultArray): void {
  sink = (sink + (result[0] ?? 0) + (result[result.length - 1] ?? 0)) | 0;
}

interface Prepared {
  readonly decl: KernelDeclaration;
  readonly kernel: Kernel;
  readonly operands: Operands;
  readonly isAsync: boolean;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function failed(decl: KernelDeclaration, verification: Measurement['verification'], error: string): Measurement {
  return { kernel: decl.id, precision: decl.precision, backend: decl.backend, verification, error };
}

export async function runSweep(layers: readonly Layer[], kernels: readonly KernelDeclaration[], settings: SweepSettings, observer: SweepObserver = {}): Promise<LayerResult[]> {
  const results: LayerResult[] = [];
  const phasesPerKernel = 1 + (settings.withPacking ? 2 : 1) * settings.rounds;
  const totalSteps = Math.max(1, layers.length * kernels.length * phasesPerKernel);
  let steps = 0;
  const report = (layerIndex: number, kernel: string, phase: SweepProgress['phase']) =>
    observer.progress?.({ layerIndex, layerCount: layers.length, layer: layers[layerIndex]!, kernel, phase, done: steps / totalSteps });

  for (let li = 0; li < layers.length; li++) {
    const layer = layers[li]!;
    const measurements = new Map<string, Measurement>();
    const prepared: Prepared[] = [];
    const operandsByPrecision = new Map<Precision, { operands: Operands; expected?: ResultArray }>();
    const dataFor = (p: Precision) => {
      let d = operandsByPrecision.get(p);
      if (!d) operandsByPrecision.set(p, (d = { operands: randomOperands(p, layer, (settings.seed + li * 7919) >>> 0) }));
      return d;
    };

    try {
      // Verify each kernel on the very operands it will be timed on.
      for (const decl of kernels) {
        settings.signal?.throwIfAborted();
        report(li, decl.id, 'verify');
        let kernel: Kernel | undefined;
        try {
          // The kernel first: creating it checks its own shape limits (wasm32 memory, ...), so a
          // layer too large for it is refused before seconds of random operands are generated.
          kernel = await decl.create(layer, { threads: settings.threads });
          const data = dataFor(decl.precision);
          kernel.setWeights(data.operands.w);
          kernel.setActivations(data.operands.x);
          const ran = kernel.run();
          await ran;
          data.expected ??= referenceGemm(decl.precision, layer, data.operands.w, data.operands.x);
          const bad = firstMismatch(data.expected, kernel.result());
          if (bad >= 0) {
            const row = Math.floor(bad / layer.N);
            measurements.set(decl.id, failed(decl, 'failed', `wrong result on ${shapeLabel(layer)}: C[${row}][${bad % layer.N}] = ${kernel.result()[bad]}, expected ${data.expected[bad]}`));
            await kernel.dispose();
          } else {
            prepared.push({ decl, kernel, operands: data.operands, isAsync: ran instanceof Promise });
          }
        } catch (err) {
          if (settings.signal?.aborted) throw err;
          measurements.set(decl.id, failed(decl, 'skipped', `${decl.id} failed on ${layer.name} (${shapeLabel(layer)}): ${errorText(err)}`));
          await kernel?.dispose();
        }
        steps += 1;
      }
      steps += (kernels.length - prepared.length) * (phasesPerKernel - 1);

      const gemmSamples = new Map<string, number[]>();
      const packSamples = new Map<string, number[]>();
      const perRound = {
        timeMs: settings.timeMs / settings.rounds,
        minSamples: Math.max(1, Math.ceil(settings.minSamples / settings.rounds)),
      };
      for (let round = 0; round < settings.rounds; round++) {
        for (const p of prepared) {
          if (measurements.has(p.decl.id)) continue;
          const warmupMs = round === 0 ? settings.warmupMs : 0;
          try {
            report(li, p.decl.id, 'gemm');
            const gemm = await sampleOperation(p.decl.id, () => p.kernel.run(), p.isAsync, { ...perRound, warmupMs, signal: settings.signal });
            push(gemmSamples, p.decl.id, gemm);
            steps += 1;
            if (settings.withPacking) {
              report(li, p.decl.id, 'with-packing');
              const x = p.operands.x;
              const op = p.isAsync
                ? async () => { p.kernel.setActivations(x); await p.kernel.run(); }
                : () => { p.kernel.setActivations(x); p.kernel.run(); };
              push(packSamples, p.decl.id, await sampleOperation(`${p.decl.id} +pack`, op, p.isAsync, { ...perRound, warmupMs, signal: settings.signal }));
              steps += 1;
            }
            consume(p.kernel.result());
          } catch (err) {
            if (settings.signal?.aborted) throw err;
            measurements.set(p.decl.id, failed(p.decl, 'passed', `${p.decl.id} failed while timing ${layer.name} (${shapeLabel(layer)}): ${errorText(err)}`));
          }
        }
      }

      for (const p of prepared) {
        if (measurements.has(p.decl.id)) continue;
        const gemm: TimingStats = summarize(gemmSamples.get(p.decl.id)!);
        const withPacking = settings.withPacking ? summarize(packSamples.get(p.decl.id)!) : undefined;
        measurements.set(p.decl.id, { kernel: p.decl.id, precision: p.decl.precision, backend: p.decl.backend, verification: 'passed', gemm, ...(withPacking ? { withPacking } : {}) });
      }
    } finally {
      for (const p of prepared) await p.kernel.dispose();
    }

    const result: LayerResult = { ...layer, measurements: kernels.map((k) => measurements.get(k.id)!).filter(Boolean) };
    results.push(result);
    await observer.layerDone?.(result, li);
  }
  return results;
}

function push(map: Map<string, number[]>, key: string, values: readonly number[]): void {
  const list = map.get(key);
  if (list) list.push(...values);
  else map.set(key, [...values]);
}
