// A parallel kernel: one logical GEMM split over a worker pool, each worker running its own
// instance of a single-thread base kernel on a chunk of C. Logical operands are copied once
// into shared memory; the workers pack their parts from there and, when result() asks, copy
// their part of C into one shared result, so run() moves no data between threads.

import { expectOperand } from '../../kernel-base.js';
import { FatnnError } from '../../errors.js';
import { macs, shapeLabel } from '../../shapes.js';
import type { Kernel, LogicalArray, Precision, ResultArray, Shape } from '../../types.js';
import { choosePartition, type Axis, type Partition } from './partition.js';
import { logicalView, Op, type CreateMessage } from './protocol.js';
import { getWorkerPool, getWorkerPoolNow, WorkerFault, type WorkerError, type WorkerPool } from './pool.js';

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

/** Where a kernel's shares live, kept apart from the kernel so the finalizer can reach them. */
interface Placement {
  pool: WorkerPool;
  slot: number;
  readonly workers: number;
}

/** Frees the workers' shares of kernels collected without dispose() (library users forget). */
const orphans = new FinalizationRegistry<Placement>(({ pool, slot, workers }) => {
  if (!pool.alive) return;
  try {
    pool.dispatch(Op.Dispose, slot, workers, MIN_TIMEOUT_MS, false);
  } catch {
    // A pool that fails while freeing is dead and freed anyway.
  }
});

interface SharedOperands {
  readonly w: SharedArrayBuffer;
  readonly x: SharedArrayBuffer;
  readonly out: SharedArrayBuffer;
}

export class ParallelKernel implements Kernel {
  private weightsSet = false;
  private activationsSet = false;
  private disposed = false;
  /** C in the workers is newer than the shared result. */
  private stale = false;
  /** Set when this kernel's own GEMM faulted: retrying would only kill pool after pool. */
  private brokenBy: string | null = null;
  private readonly w: LogicalArray;
  private readonly x: LogicalArray;
  private readonly out: ResultArray;

  private constructor(
    readonly id: string,
    private readonly baseId: string,
    readonly precision: Precision,
    readonly shape: Shape,
    private readonly placement: Placement,
    private readonly partition: Partition,
    private readonly settings: ParallelSettings,
    private readonly shared: SharedOperands,
  ) {
    const fp32 = precision === 'fp32';
    this.w = logicalView(fp32, shared.w);
    this.x = logicalView(fp32, shared.x);
    this.out = fp32 ? new Float32Array(shared.out) : new Int32Array(shared.out);
    orphans.register(this, placement, placement);
  }

  private get pool(): WorkerPool {
    return this.placement.pool;
  }

  private get slot(): number {
    return this.placement.slot;
  }

  static async create(id: string, baseId: string, precision: Precision, shape: Shape, threads: number, settings: ParallelSettings): Promise<ParallelKernel> {
    const pool = await getWorkerPool(threads);
    const { M, N, K } = shape;
    const bytes = precision === 'fp32' ? 4 : 1;
    const shared = { w: new SharedArrayBuffer(M * K * bytes), x: new SharedArrayBuffer(N * K * bytes), out: new SharedArrayBuffer(M * N * 4) };
    const partition = choosePartition(shape, pool.size, settings.axis);
    const placement = { pool, slot: pool.allocateSlot(), workers: partition.chunks.length };
    const kernel = new ParallelKernel(id, baseId, precision, shape, placement, partition, settings, shared);
    kernel.createShares();
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
    this.weightsSet = false;
    this.pack(Op.PackWeights, this.shape.M * this.shape.K);
    this.weightsSet = true;
  }

  setActivations(x: LogicalArray): void {
    expectOperand(this.precision, x, this.shape.N * this.shape.K, 'X');
    this.x.set(x);
    this.activationsSet = false;
    this.pack(Op.PackActivations, this.shape.N * this.shape.K);
    this.activationsSet = true;
  }

  run(): void {
    if (!this.weightsSet || !this.activationsSet) throw new FatnnError(`${this.id}: run() before setWeights() and setActivations()`);
    this.stale = true;
    this.dispatch(Op.Run, deadline(this.settings, macs(this.shape) / this.workers), true);
  }

  /**
   * Gathers C from the workers on demand, outside the timed run(), as single-thread kernels
   * that keep C in wasm or native memory do; the workers copy their parts in parallel.
   */
  result(): ResultArray {
    if (this.stale) {
      this.dispatch(Op.Publish, deadline(this.settings, this.shape.M * this.shape.N), true);
      this.stale = false;
    }
    return this.out;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    orphans.unregister(this.placement);
    if (this.pool.alive) this.dispatch(Op.Dispose, this.settings.minTimeoutMs, false);
  }

  /** Has every participating worker build its base kernel over the shared operands. */
  private createShares(): void {
    const { M, N, K } = this.shape;
    const { moduleUrl, exportName } = this.settings.source;
    const messages: CreateMessage[] = this.partition.chunks.map(([start, end]) => ({
      slot: this.slot, moduleUrl, exportName, baseId: this.baseId, M, N, K,
      axis: this.partition.axis, start, end, ...this.shared, fp32: this.precision === 'fp32',
    }));
    const failed = this.dispatch(Op.Create, Math.max(this.settings.minTimeoutMs, CREATE_TIMEOUT_MS), false, messages);
    if (failed) {
      this.dispose();
      throw new FatnnError(this.describe(failed, `could not create ${this.baseId}`));
    }
  }

  /**
   * After a fault (of this or another kernel) killed the shared pool, moves to a fresh pool and
   * rebuilds this kernel's shares there from the logical operands still in shared memory, so
   * one failing kernel does not take the others of a run down with it.
   */
  private moveToFreshPool(next: Op): void {
    const pool = getWorkerPoolNow(this.pool.size);
    this.placement.pool = pool;
    this.placement.slot = pool.allocateSlot();
    this.createShares();
    if (this.weightsSet) this.pack(Op.PackWeights, this.shape.M * this.shape.K);
    if (this.activationsSet) this.pack(Op.PackActivations, this.shape.N * this.shape.K);
    // C computed on the old pool is lost with it.
    if (next === Op.Publish) this.dispatch(Op.Run, deadline(this.settings, macs(this.shape) / this.workers), true);
  }

  /** A bad operand value is the caller's mistake: rethrown with its class, the pool survives. */
  private pack(op: Op.PackWeights | Op.PackActivations, values: number): void {
    const failed = this.dispatch(op, deadline(this.settings, values), false);
    if (!failed) return;
    const Class = failed.name === 'RangeError' ? RangeError : failed.name === 'TypeError' ? TypeError : FatnnError;
    throw new Class(this.describe(failed, op === Op.PackWeights ? 'packing W' : 'packing X'));
  }

  private dispatch(op: Op, timeoutMs: number, fatal: boolean, messages?: readonly CreateMessage[]): WorkerError | null {
    if (this.disposed && op !== Op.Dispose) throw new FatnnError(`${this.id} on ${shapeLabel(this.shape)}: used after dispose()`);
    if (this.brokenBy !== null && op !== Op.Dispose) throw new WorkerFault(`${this.id} on ${shapeLabel(this.shape)}: unusable after its earlier fault (${this.brokenBy})`);
    const resumable = op === Op.PackWeights || op === Op.PackActivations || op === Op.Run || op === Op.Publish;
    if (resumable && !this.pool.alive && this.pool.faulted) this.moveToFreshPool(op);
    try {
      return this.pool.dispatch(op, this.slot, this.workers, timeoutMs, fatal, messages);
    } catch (err) {
      if (!(err instanceof WorkerFault)) throw err;
      const what = op === Op.Run ? 'GEMM' : op === Op.Publish ? 'gathering C' : Op[op];
      const after = this.pool.faulted ? '; the worker pool was shut down' : '';
      if (this.pool.faulted) this.brokenBy = err.message;
      throw new WorkerFault(`${this.id} on ${shapeLabel(this.shape)} (${this.pool.size} threads): ${what} failed: ${err.message}${after}`, { cause: err });
    }
  }

  private describe(err: WorkerError, doing: string): string {
    const [start, end] = this.partition.chunks[err.worker] ?? [0, 0];
    const part = `${this.partition.axis === 'M' ? 'rows' : 'columns'} ${start}..${end - 1} of C`;
    return `${this.id} on ${shapeLabel(this.shape)}: ${doing} in worker ${err.worker} (${part}): ${err.message}`;
  }
}
