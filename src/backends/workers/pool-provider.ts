// What a parallel kernel needs from a worker pool, platform-neutral: the Node shell's pool runs
// on worker_threads (pool.ts), the browser's on Web Workers (src/web/web-pool.ts); both speak the
// shared-memory protocol of protocol.ts, so ParallelKernel runs unchanged on either.

import { FatnnError } from '../../errors.js';
import type { CreateMessage, ErrorReport, Op } from './protocol.js';

/** Thrown when a worker throws, dies or misses its deadline; the pool is gone afterwards. */
export class WorkerFault extends FatnnError {}

/** A failed operation in a worker that stays healthy (a bad operand value found while packing). */
export interface WorkerError extends ErrorReport {
  readonly worker: number;
}

export interface PoolLike {
  readonly size: number;
  readonly alive: boolean;
  /** True when a worker fault (not a shutdown) ended the pool: kernels may move on. */
  readonly faulted: boolean;
  allocateSlot(): number;
  dispatch(op: Op, slot: number, participants: number, timeoutMs: number, fatal: boolean, messages?: readonly CreateMessage[]): WorkerError | null;
  signal(op: Op, slot: number, participants: number, timeoutMs: number, messages?: readonly CreateMessage[]): number;
  collect(participants: number, deadline: number, fatal: boolean): WorkerError | null;
}

/** A platform's pools, one per size, shared by every parallel kernel of an isolate. */
export interface PoolProvider {
  /** threads = 0 means one thread per core the host reports. */
  resolveThreads(threads: number): number;
  /** The live pool of this many workers, started (and booted) if there is none. */
  get(size: number): Promise<PoolLike>;
  /** Same, synchronously, to recover inside a synchronous call after a fault. */
  getNow(size: number): PoolLike;
}
