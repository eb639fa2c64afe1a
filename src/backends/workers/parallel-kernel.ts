// A parallel kernel: one logical GEMM split over a worker pool, each worker running its own
// instance of a single-thread base kernel on a chunk of C. Logical operands are copied once
// into shared memory; the workers pack their parts from there and write their part of C into
// one shared result, so run() moves no data between threads.

import { expectOperand } from '../../kernel-base.js';
import { FatnnError } from '../../errors.js';
import { macs, shapeLabel } from '../../shapes.js';
import type { Kernel, LogicalArray, Precision, ResultArray, Shape } from '../../types.js';
import { choosePartition, type Axis, type Partition } from './partition.js';
import { logicalView, Op, type CreateMessage } from './protocol.js';
import { getWorkerPool, WorkerFault, type WorkerError, type WorkerPool } from './pool.js';

/** Where the workers find the base declaration: a module URL and the export holding the list. */
export interface DeclarationSource {
  readonly moduleUrl: string;
  readonly exportName: string;
}

export interface ParallelSettings {
  readonly source: DeclarationSource;
  /** Forces the split axis (experiments); by default choosePartition decides. */
  readonly axis?: Axis;
  /** Floor of every operation's deadline. */
  readonly minTimeoutMs: number;
}

/**
 * Deadlines are generous on purpose: they exist to end runs that would otherwise hang, not to
 * judge speed. The expected time assumes a slow 100 M logical ops per second per worker.
 */
export const MIN_TIMEOUT_MS = 10_000;
const TIMEOUT_FACTOR = 100;
const ASSUMED_OPS_PER_MS = 1e5;
/** Creating may import modules and compile wasm in every worker on first use. */
const CREATE_TIMEOUT_MS = 60_000;

function deadline(settings: ParallelSettings, ops: number): number {
  return Math.max(settings.minTimeoutMs, (TIMEOUT_FACTOR * ops) / ASSUMED_OPS_PER_MS);
}

export class ParallelKernel implements Kernel {
  private weightsSet = false;
  private activationsSet = false;
  private disposed = false;

  private constructor(
    readonly id: string,
    readonly precision: Precision,
    readonly shape: Shape,
    private readonly pool: WorkerPool,
    private readonly slot: number,
    private readonly partition: Partition,
    private readonly settings: ParallelSettings,
    private readonly w: LogicalArray,
    private readonly x: LogicalArray,
    private readonly out: ResultArray,
  ) {}

  static async create(id: string, baseId: string, precision: Precision, shape: Shape, threads: number, settings: ParallelSettings): Promise<ParallelKernel> {
    const pool = await getWorkerPool(threads);
    const partition = choosePartition(shape, pool.size, settings.axis);
    const { M, N, K } = shape;
    const fp32 = precision === 'fp32';
    const bytes = fp32 ? 4 : 1;
    const w = new SharedArrayBuffer(M * K * bytes);
    const x = new SharedArrayBuffer(N * K * bytes);
    const out = new SharedArrayBuffer(M * N * 4);
    const slot = pool.allocateSlot();
    const messages: CreateMessage[] = partition.chunks.map(([start, end]) => ({
      slot, moduleUrl: settings.source.moduleUrl, exportName: settings.source.exportName, baseId,
      M, N, K, axis: partition.axis, start, end, w, x, out, fp32,
    }));
    const kernel = new ParallelKernel(
      id, precision, shape, pool, slot, partition, settings,
      logicalView(fp32, w), logicalView(fp32, x), fp32 ? new Float32Array(out) : new Int32Array(out),
    );
    const failed = kernel.dispatch(Op.Create, Math.max(settings.minTimeoutMs, CREATE_TIMEOUT_MS), false, messages);
    if (failed) {
      kernel.dispose();
      throw new FatnnError(kernel.describe(failed, `could not create ${baseId}`));
    }
    return kernel;
  }

  /** Workers in use (fewer than the pool when C has fewer rows and columns than threads). */
  get workers(): number {
    return this.partition.chunks.length;
  }

  get split(): Partition {
    return this.partition;
  }

  setWeights(w: LogicalArray): void {
    expectOperand(this.precision, w, this.shape.M * this.shape.K, 'W');
    this.w.set(w);
    this.pack(Op.PackWeights, this.shape.M * this.shape.K);
    this.weightsSet = true;
  }

  setActivations(x: LogicalArray): void {
    expectOperand(this.precision, x, this.shape.N * this.shape.K, 'X');
    this.x.set(x);
    this.activationsSet = true;
    this.pack(Op.PackActivations, this.shape.N * this.shape.K);
  }

  run(): void {
    if (!this.weightsSet || !this.activationsSet) throw new FatnnError(`${this.id}: run() before setWeights() and setActivations()`);
    this.dispatch(Op.Run, deadline(this.settings, macs(this.shape) / this.workers), true);
  }

  result(): ResultArray {
    return this.out;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.pool.alive) this.dispatch(Op.Dispose, this.settings.minTimeoutMs, false);
  }

  /** A bad operand value is the caller's mistake: rethrown with its class, the pool survives. */
  private pack(op: Op, values: number): void {
    const failed = this.dispatch(op, deadline(this.settings, values), false);
    if (!failed) return;
    if (op === Op.PackActivations) this.activationsSet = false;
    else this.weightsSet = false;
    const Class = failed.name === 'RangeError' ? RangeError : failed.name === 'TypeError' ? TypeError : FatnnError;
    throw new Class(this.describe(failed, op === Op.PackWeights ? 'packing W' : 'packing X'));
  }

  private dispatch(op: Op, timeoutMs: number, fatal: boolean, messages?: readonly CreateMessage[]): WorkerError | null {
    if (this.disposed && op !== Op.Dispose) throw new FatnnError(`${this.id} on ${shapeLabel(this.shape)}: used after dispose()`);
    try {
      return this.pool.dispatch(op, this.slot, this.workers, timeoutMs, fatal, messages);
    } catch (err) {
      if (!(err instanceof WorkerFault)) throw err;
      const what = op === Op.Run ? 'GEMM' : Op[op];
      throw new WorkerFault(`${this.id} on ${shapeLabel(this.shape)} (${this.pool.size} threads): ${what} failed: ${err.message}; the worker pool was shut down`, { cause: err });
    }
  }

  private describe(err: WorkerError, doing: string): string {
    const [start, end] = this.partition.chunks[err.worker] ?? [0, 0];
    const part = `${this.partition.axis === 'M' ? 'rows' : 'columns'} ${start}..${end - 1} of C`;
    return `${this.id} on ${shapeLabel(this.shape)}: ${doing} in worker ${err.worker} (${part}): ${err.message}`;
  }
}
