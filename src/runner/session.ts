// One kernel on one layer, from creation to disposal: what an isolate does for the runner.
// The same class serves the isolated runner (inside a worker thread, isolate-worker.ts) and the
// in-process one (--no-isolate), so both verify and time a kernel in exactly the same way.

import { QuantizeThenPack } from '../from-float.js';
import type { QuantizerParams } from '../quantize.js';
import type { Shape } from '../types.js';
import type { Kernel, KernelDeclaration, LogicalArray, ResultArray } from '../types.js';
import { sampleOperation, type SampleOptions, type Sampled } from './measure.js';
import { realmProbe } from './speed-probe.js';

/**
 * The timed operations: GEMM on packed operands; activation packing + GEMM; and from float:
 * quantizing float activations + packing (fused where the kernel has it) + GEMM, where fp32's
 * is its GEMM alone (its activations are already floats), so "speedup vs fp32, from float" is
 * what a deployed layer gains.
 */
export type TimedView = 'gemm' | 'withPacking' | 'fromFloat';
export const TIMED_VIEWS: readonly TimedView[] = ['gemm', 'withPacking', 'fromFloat'];

/** The float activations of the fromFloat view and the quantizer that turns them into X. */
export interface FloatActivations {
  readonly x: Float32Array;
  readonly q: QuantizerParams;
}

/** What loading gives back for verification: the GEMM from X, and from the float activations. */
export interface Loaded {
  readonly result: ResultArray;
  readonly fromFloat?: ResultArray;
}

/** Keeps every result alive where the JIT cannot prove it unused. */
let sink = 0;
function consume(result: ResultArray): void {
  sink = (sink + (result[0] ?? 0) + (result[result.length - 1] ?? 0)) | 0;
}
export function sinkValue(): number {
  return sink;
}

export class KernelSession {
  private x: LogicalArray | undefined;
  private floats: FloatActivations | undefined;
  private readonly generic = new QuantizeThenPack();
  private isAsync = false;
  /** Calls per sample each view settled on in its first batch (later rounds skip calibrating). */
  private readonly calls: Partial<Record<TimedView, number>> = {};

  private constructor(private readonly kernel: Kernel) {}

  /** Creates the kernel; its own shape limits (wasm32 memory, ...) are checked here. */
  static async create(decl: KernelDeclaration, shape: Shape, threads: number): Promise<KernelSession> {
    return new KernelSession(await decl.create(shape, { threads }));
  }

  /**
   * Packs both operands and runs the kernel once; with float activations, also packs them from
   * float and runs again. The caller checks both results before timing: every view is verified
   * on the very operands it times.
   */
  async load(w: LogicalArray, x: LogicalArray, floats?: FloatActivations): Promise<Loaded> {
    const k = this.kernel;
    k.setWeights(w);
    k.setActivations(x);
    const ran = k.run();
    await ran;
    this.x = x;
    this.isAsync = ran instanceof Promise;
    const result = k.result().slice();
    if (!floats) return { result };
    this.floats = floats;
    // fp32's floats are its X and its from-float operation is its GEMM (see sample): the result
    // above is the one to check, and a second run of the slowest kernels would only cost time.
    if (k.precision === 'fp32') return { result, fromFloat: result };
    this.fromFloat(floats);
    await k.run();
    return { result, fromFloat: k.result().slice() };
  }

  private fromFloat(f: FloatActivations): void {
    const k = this.kernel;
    if (k.setActivationsFromFloat) k.setActivationsFromFloat(f.x, f.q);
    else this.generic.setActivations(k, f.x, f.q);
  }

  async sample(view: TimedView, options: SampleOptions): Promise<Sampled> {
    const k = this.kernel;
    const x = this.x;
    if (x === undefined) throw new Error('sample before load');
    let op: () => void | Promise<void>;
    const f = this.floats;
    if (view === 'gemm' || (view === 'fromFloat' && k.precision === 'fp32')) op = () => k.run();
    else if (view === 'fromFloat') {
      if (f === undefined) throw new Error('fromFloat sampled without float activations');
      op = this.isAsync ? async () => { this.fromFloat(f); await k.run(); } : () => { this.fromFloat(f); k.run(); };
    } else op = this.isAsync ? async () => { k.setActivations(x); await k.run(); } : () => { k.setActivations(x); k.run(); };
    // Not around workers kernels: their pool threads spin a while after each GEMM and would slow
    // the probe on a 2-core machine, reading as a slow spell of the machine.
    const probe = this.kernel.id.includes('/workers-') ? undefined : await realmProbe();
    const before = probe?.measure();
    const sampled = await sampleOperation(op, this.isAsync, { ...options, callsPerSample: this.calls[view] });
    const after = probe?.measure();
    this.calls[view] = sampled.callsPerSample;
    consume(k.result());
    return before === undefined || after === undefined ? sampled : { ...sampled, probeMs: [before, after] };
  }

  async dispose(): Promise<void> {
    await this.kernel.dispose();
  }
}
