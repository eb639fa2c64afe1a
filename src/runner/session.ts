// One kernel on one layer, from creation to disposal: what an isolate does for the runner.
// The same class serves the isolated runner (inside a worker thread, isolate-worker.ts) and the
// in-process one (--no-isolate), so both verify and time a kernel in exactly the same way.

import type { Shape } from '../types.js';
import type { Kernel, KernelDeclaration, LogicalArray, ResultArray } from '../types.js';
import { sampleOperation, type SampleOptions, type Sampled } from './measure.js';
import { realmProbe } from './speed-probe.js';

/** The two timed operations: GEMM on packed operands, and activation packing + GEMM. */
export type TimedView = 'gemm' | 'withPacking';

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
  private isAsync = false;
  /** Calls per sample each view settled on in its first batch (later rounds skip calibrating). */
  private readonly calls: Partial<Record<TimedView, number>> = {};

  private constructor(private readonly kernel: Kernel) {}

  /** Creates the kernel; its own shape limits (wasm32 memory, ...) are checked here. */
  static async create(decl: KernelDeclaration, shape: Shape, threads: number): Promise<KernelSession> {
    return new KernelSession(await decl.create(shape, { threads }));
  }

  /** Packs both operands and runs the kernel once; the caller checks the result before timing. */
  async load(w: LogicalArray, x: LogicalArray): Promise<ResultArray> {
    const k = this.kernel;
    k.setWeights(w);
    k.setActivations(x);
    const ran = k.run();
    await ran;
    this.x = x;
    this.isAsync = ran instanceof Promise;
    return k.result();
  }

  async sample(view: TimedView, options: SampleOptions): Promise<Sampled> {
    const k = this.kernel;
    const x = this.x;
    if (x === undefined) throw new Error('sample before load');
    let op: () => void | Promise<void>;
    if (view === 'gemm') op = () => k.run();
    else op = this.isAsync ? async () => { k.setActivations(x); await k.run(); } : () => { k.setActivations(x); k.run(); };
    const probe = await realmProbe();
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
