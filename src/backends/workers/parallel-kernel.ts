// A parallel kernel: one logical GEMM split into chunks of C over T threads, each running its
// own instance of a single-thread base kernel on its chunk. Thread 0 is the calling thread
// (so T threads need only T - 1 workers and one fewer wake-up per GEMM); threads 1..T-1 are
// the workers of a shared pool. Logical operands are copied once into shared memory; every
// thread packs its part from there and, when result() asks, copies its part of C into one
// shared result, so run() moves no data between threads.

import { expectOperand } from '../../kernel-base.js';
import { FatnnError } from '../../errors.js';
import { macs, shapeLabel } from '../../shapes.js';
import type { Kernel, KernelDeclaration, LogicalArray, Precision, ResultArray, Shape } from '../../types.js';
import { choosePartition, type Axis, type Partition } from './partition.js';
import { logicalView, Op, packPartFromFloat, QUANTIZER_WORDS, storeQuantizerParams, type CreateMessage } from './protocol.js';
import { nanError } from '../js/from-float-packing.js';
import type { QuantizerParams } from '../../quantize.js';
import { WorkerFault, type PoolLike as WorkerPool, type PoolProvider, type WorkerError } from './pool-provider.js';

/** Where the workers find the base declaration: a module URL and the export holding the list. */
export interface DeclarationSource {
  readonly moduleUrl: string;
  readonly exportName: string;
}

export interface ParallelSettings {
  readonly source: DeclarationSource;
  /** The platform's worker pools (worker_threads in Node, Web Workers in the browser). */
  readonly pools: PoolProvider;
  /** Forces the split axis (experiments); by default choosePartition decides. */
  readonly axis?: Axis;
  /** Floor of every operation's deadline. */
  readonly minTimeoutMs: number;
}

/**
 * Deadlines are generous on purpose: they exist to end runs that would otherwise hang, not to
 * judge speed. The expected time assumes a slow 100 M logical ops per second per thread.
 */
export const MIN_TIMEOUT_MS = 10_000;
const TIMEOUT_FACTOR = 100;
const ASSUMED_OPS_PER_MS = 1e5;
/** Creating may import modules and compile wasm in every worker on first use. */
const CREATE_TIMEOUT_MS = 60_000;

function deadline(settings: ParallelSettings, ops: number): number {
  return Math.max(settings.minTimeoutMs, (TIMEOUT_FACTOR * ops) / ASSUMED_OPS_PER_MS);
}

/** Where a kernel's worker shares live, kept apart from the kernel for the finalizer. */
interface Placement {
  pool: WorkerPool | null;
  slot: number;
  readonly workers: number;
}

/** Frees the workers' shares of kernels collected without dispose() (library users forget). */
const orphans = new FinalizationRegistry<Placement>(({ pool, slot, workers }) => {
  if (!pool?.alive || workers === 0) return;
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
  /** fromFloat (not fp32): float X and the quantizer's parameters (protocol.ts). */
  readonly xf?: SharedArrayBuffer;
  readonly qf?: SharedArrayBuffer;
}

/** Thread 0's share: the base kernel for chunk 0, run on the calling thread. */
interface LocalShare {
  readonly kernel: Kernel;
  readonly w: LogicalArray;
  readonly x: LogicalArray;
}

export class ParallelKernel implements Kernel {
  private weightsSet = false;
  private activationsSet = false;
  private disposed = false;
  /** C in the threads is newer than the shared result. */
  private stale = false;
  /** Set when this kernel's own GEMM faulted: retrying would only kill pool after pool. */
  private brokenBy: string | null = null;
  private readonly w: LogicalArray;
  private readonly x: LogicalArray;
  private readonly out: ResultArray;
  /** fromFloat: the shared float X and quantizer words, and the quantizer last written there. */
  private readonly xf: Float32Array | undefined;
  private readonly qf: Float64Array | undefined;
  private quantizer: QuantizerParams | undefined;
  /** The packed X came from float activations (a fresh pool must re-pack it from xf, not x). */
  private activationsFromFloat = false;

  private constructor(
    readonly id: string,
    private readonly baseId: string,
    readonly precision: Precision,
    readonly shape: Shape,
    /** Threads asked for (the pool has threads - 1 workers). */
    readonly threads: number,
    private readonly placement: Placement,
    private readonly partition: Partition,
    private readonly settings: ParallelSettings,
    private readonly shared: SharedOperands,
    private readonly local: LocalShare,
  ) {
    const fp32 = precision === 'fp32';
    this.w = logicalView(fp32, shared.w);
    this.x = logicalView(fp32, shared.x);
    this.out = fp32 ? new Float32Array(shared.out) : new Int32Array(shared.out);
    this.xf = shared.xf && new Float32Array(shared.xf);
    this.qf = shared.qf && new Float64Array(shared.qf);
    orphans.register(this, placement, placement);
  }

  static async create(id: string, base: KernelDeclaration, shape: Shape, threadsOption: number, settings: ParallelSettings): Promise<ParallelKernel> {
    const threads = settings.pools.resolveThreads(threadsOption);
    const pool = threads > 1 ? await settings.pools.get(threads - 1) : null;
    const { M, N, K } = shape;
    const fp32 = base.precision === 'fp32';
    const bytes = fp32 ? 4 : 1;
    // fromFloat's float X is allocated with the kernel (4 bytes per X value): the hot path
    // signals workers through control words only, never through messages.
    const floats = fp32 ? {} : { xf: new SharedArrayBuffer(N * K * 4), qf: new SharedArrayBuffer(QUANTIZER_WORDS * 8) };
    const shared: SharedOperands = { w: new SharedArrayBuffer(M * K * bytes), x: new SharedArrayBuffer(N * K * bytes), out: new SharedArrayBuffer(M * N * 4), ...floats };
    const partition = choosePartition(shape, threads, settings.axis);
    const [start, end] = partition.chunks[0]!;
    const onM = partition.axis === 'M';
    const local: LocalShare = {
      kernel: await base.create(onM ? { M: end - start, N, K } : { M, N: end - start, K }, { threads: 1 }),
      w: onM ? logicalView(fp32, shared.w).subarray(start * K, end * K) : logicalView(fp32, shared.w),
      x: onM ? logicalView(fp32, shared.x) : logicalView(fp32, shared.x).subarray(start * K, end * K),
    };
    const placement = { pool, slot: pool?.allocateSlot() ?? 0, workers: partition.chunks.length - 1 };
    const kernel = new ParallelKernel(id, base.id, base.precision, shape, threads, placement, partition, settings, shared, local);
    try {
      kernel.createShares();
    } catch (err) {
      await local.kernel.dispose();
      throw err;
    }
    return kernel;
  }

  /** Threads that take part (fewer than asked when C has fewer rows and columns). */
  get threadsUsed(): number {
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
    this.activationsFromFloat = false;
  }

  /**
   * fromFloat: the workers' parts of the floats are copied once into shared memory and every
   * thread quantizes and packs its own part with its base kernel's fused path (kernels/simd128.ts packFloat for
   * wasm-simd128), in parallel. Before, the runner quantized all of X on the calling thread and
   * then every thread packed the int8 values: from float measured 2.1-2.8x faster for
   * fatnn/workers-wasm-simd128 and 2.9-5.8x for fatnn/workers-native-avx2 on 64x3136x576 and
   * 128x784x1152 (README "From float in wasm and workers"). A NaN throws the js path's
   * RangeError (row, k of X).
   */
  setActivationsFromFloat(x: Float32Array, q: QuantizerParams): void {
    const { N, K } = this.shape;
    if (!(x instanceof Float32Array)) throw new TypeError('X must be a Float32Array of float activations');
    if (x.length !== N * K) throw new RangeError(`X has ${x.length} values, expected ${N * K}`);
    if (q.precision !== this.precision) throw new RangeError(`a ${q.precision} quantizer cannot feed a ${this.precision} kernel`);
    if (this.xf === undefined || this.qf === undefined) {
      this.setActivations(x); // fp32: the floats are X
      return;
    }
    if (this.quantizer !== q) {
      storeQuantizerParams(q, this.qf);
      this.quantizer = q;
    }
    // Thread 0 packs its part straight from x; only the workers' parts go through shared memory
    // (split on N: half the copy with 2 threads; on M every thread needs all of X). Against
    // copying all of X: from float 1.11-1.19x faster on 64x3136x576, 1.05-1.14x on 128x784x1152
    // (fatnn/workers-wasm-simd128, fatnn/workers-native-avx2, int8/workers-wasm-simd128).
    const [start, end] = this.partition.chunks[0]!;
    const onN = this.partition.axis === 'N';
    if (onN) {
      this.xf.set(x.subarray(0, start * K));
      this.xf.set(x.subarray(end * K), end * K);
    } else if (this.placement.workers > 0) {
      this.xf.set(x);
    }
    const mine = onN ? x.subarray(start * K, end * K) : x;
    this.activationsSet = false;
    this.activationsFromFloat = true;
    const failed = this.parallel(Op.PackActivationsFromFloat, deadline(this.settings, N * K), false, () => packPartFromFloat(this.local.kernel, mine, q));
    if (failed) {
      // a thread names rows of its own part: the NaN is named in X's rows instead
      if (failed.name === 'RangeError') for (let i = 0; i < N * K; i++) if (x[i] !== x[i]) throw nanError(this.precision, i, K);
      const Class = failed.name === 'RangeError' ? RangeError : failed.name === 'TypeError' ? TypeError : FatnnError;
      throw new Class(this.describe(failed, 'packing X from float'));
    }
    this.activationsSet = true;
  }

  run(): void {
    if (!this.weightsSet || !this.activationsSet) throw new FatnnError(`${this.id}: run() before setWeights() and setActivations()`);
    this.stale = true;
    this.parallel(Op.Run, deadline(this.settings, macs(this.shape) / this.threadsUsed), true, () => this.local.kernel.run());
  }

  /**
   * Gathers C on demand, outside the timed run(), as single-thread kernels that keep C in wasm
   * or native memory do; every thread copies its own part.
   */
  result(): ResultArray {
    if (this.stale) {
      this.parallel(Op.Publish, deadline(this.settings, this.shape.M * this.shape.N), true, () => this.publishLocal());
      this.stale = false;
    }
    return this.out;
  }

  dispose(): void | Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    orphans.unregister(this.placement);
    const local = this.local.kernel;
    try {
      if (this.placement.workers > 0 && this.pool?.alive) this.pool.dispatch(Op.Dispose, this.slot, this.placement.workers, this.settings.minTimeoutMs, false);
    } catch (err) {
      // The pool died while freeing; its workers and their shares are gone with it.
      if (!(err instanceof WorkerFault)) throw err;
    }
    return local.dispose();
  }

  private get pool(): WorkerPool | null {
    return this.placement.pool;
  }

  private get slot(): number {
    return this.placement.slot;
  }

  private publishLocal(): void {
    const [start, end] = this.partition.chunks[0]!;
    const part = this.local.kernel.result();
    const { M, N } = this.shape;
    if (this.partition.axis === 'M') {
      this.out.set(part as ResultArray & typeof this.out, start * N);
    } else {
      const width = end - start;
      for (let m = 0; m < M; m++) this.out.set(part.subarray(m * width, (m + 1) * width) as typeof this.out, m * N + start);
    }
  }

  /** Has every worker build its base kernel over the shared operands. */
  private createShares(): void {
    if (this.placement.workers === 0) return;
    const { M, N, K } = this.shape;
    const { moduleUrl, exportName } = this.settings.source;
    const messages: CreateMessage[] = this.partition.chunks.slice(1).map(([start, end]) => ({
      slot: this.slot, moduleUrl, exportName, baseId: this.baseId, M, N, K,
      axis: this.partition.axis, start, end, ...this.shared, fp32: this.precision === 'fp32',
    }));
    const failed = this.guard(Op.Create, () => this.pool!.dispatch(Op.Create, this.slot, this.placement.workers, Math.max(this.settings.minTimeoutMs, CREATE_TIMEOUT_MS), false, messages));
    if (failed) {
      this.pool!.dispatch(Op.Dispose, this.slot, this.placement.workers, this.settings.minTimeoutMs, false);
      throw new FatnnError(this.describe(failed, `could not create ${this.baseId}`));
    }
  }

  /**
   * After a fault (of this or another kernel) killed the shared pool, moves to a fresh pool and
   * rebuilds this kernel's worker shares there from the logical operands still in shared
   * memory, so one failing kernel does not take the others of a run down with it.
   */
  private moveToFreshPool(next: Op): void {
    const pool = this.settings.pools.getNow(this.threads - 1);
    this.placement.pool = pool;
    this.placement.slot = pool.allocateSlot();
    this.createShares();
    const workersOnly = () => undefined;
    if (this.weightsSet) this.parallel(Op.PackWeights, deadline(this.settings, this.shape.M * this.shape.K), false, workersOnly);
    if (this.activationsSet) this.parallel(this.activationsFromFloat ? Op.PackActivationsFromFloat : Op.PackActivations, deadline(this.settings, this.shape.N * this.shape.K), false, workersOnly);
    // C computed by the workers of the old pool is lost with it.
    if (next === Op.Publish) this.parallel(Op.Run, deadline(this.settings, macs(this.shape) / this.threadsUsed), true, workersOnly);
  }

  /** A bad operand value is the caller's mistake: rethrown with its class, the pool survives. */
  private pack(op: Op.PackWeights | Op.PackActivations, values: number): void {
    const packLocal = op === Op.PackWeights ? () => this.local.kernel.setWeights(this.local.w) : () => this.local.kernel.setActivations(this.local.x);
    const failed = this.parallel(op, deadline(this.settings, values), false, packLocal);
    if (!failed) return;
    const Class = failed.name === 'RangeError' ? RangeError : failed.name === 'TypeError' ? TypeError : FatnnError;
    throw new Class(this.describe(failed, op === Op.PackWeights ? 'packing W' : 'packing X'));
  }

  /**
   * One parallel operation: wakes the workers, does thread 0's share here, then waits for the
   * workers. A throw in thread 0 is reported like a worker's (index -1) once the workers are
   * done, so no operation is ever left running behind the caller's back.
   */
  private parallel(op: Op, timeoutMs: number, fatal: boolean, mine: () => void | Promise<void>): WorkerError | null {
    this.checkUsable(op);
    const workers = this.placement.workers;
    const deadlineAt = workers > 0 ? this.guard(op, () => this.pool!.signal(op, this.slot, workers, timeoutMs)) : 0;
    let own: WorkerError | null = null;
    try {
      const pending = mine();
      if (pending) throw new FatnnError(`${this.baseId}: asynchronous base kernels cannot run in parallel kernels`);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      own = { worker: -1, name: e.name, message: e.message, stack: e.stack };
    }
    const theirs = workers > 0 ? this.guard(op, () => this.pool!.collect(workers, deadlineAt, fatal)) : null;
    if (own && fatal) {
      this.brokenBy = `thread 0 threw ${own.name}: ${own.message}`;
      throw new FatnnError(`${this.id} on ${shapeLabel(this.shape)} (${this.threads} threads): ${this.what(op)} failed: ${this.brokenBy}`);
    }
    return own ?? theirs;
  }

  private checkUsable(op: Op): void {
    if (this.disposed) throw new FatnnError(`${this.id} on ${shapeLabel(this.shape)}: used after dispose()`);
    if (this.brokenBy !== null) throw new WorkerFault(`${this.id} on ${shapeLabel(this.shape)}: unusable after its earlier fault (${this.brokenBy})`);
    const pool = this.pool;
    if (pool && !pool.alive && pool.faulted && this.placement.workers > 0 && op !== Op.Create) this.moveToFreshPool(op);
  }

  /** Runs a pool call, turning a WorkerFault into one that names this kernel. */
  private guard<T>(op: Op, call: () => T): T {
    try {
      return call();
    } catch (err) {
      if (!(err instanceof WorkerFault)) throw err;
      const faulted = this.pool?.faulted ?? false;
      if (faulted) this.brokenBy = err.message;
      const after = faulted ? '; the worker pool was shut down' : '';
      throw new WorkerFault(`${this.id} on ${shapeLabel(this.shape)} (${this.threads} threads): ${this.what(op)} failed: ${err.message}${after}`, { cause: err });
    }
  }

  private what(op: Op): string {
    return op === Op.Run ? 'GEMM' : op === Op.Publish ? 'gathering C' : op === Op.PackWeights ? 'packing W' : op === Op.PackActivations ? 'packing X' : op === Op.PackActivationsFromFloat ? 'packing X from float' : Op[op];
  }

  private describe(err: WorkerError, doing: string): string {
    const thread = err.worker + 1;
    const [start, end] = this.partition.chunks[thread] ?? [0, 0];
    const part = `${this.partition.axis === 'M' ? 'rows' : 'columns'} ${start}..${end - 1} of C`;
    return `${this.id} on ${shapeLabel(this.shape)}: ${doing} in thread ${thread} (${part}): ${err.message}`;
  }
}
