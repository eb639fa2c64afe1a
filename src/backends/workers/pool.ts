// Persistent worker pools, one per size, started on first use and shared by every parallel
// kernel. Operations are signalled through shared control words and the calling thread blocks
// in Atomics.wait until all participating workers are done, so a GEMM costs no message round
// trips. Workers are unref'd once started: an idle pool never keeps the process alive.

import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type MessagePort, type WorkerOptions } from 'node:worker_threads';
import { FatnnError } from '../../errors.js';
import { onShutdown } from '../../lifecycle.js';
import {
  blockOf, CMD_SEQ, controlWords, ERROR_AREA_BYTES, ERROR_BYTES, FAULT, Op, OP, PENDING, SLOT, Status, STATUS,
  SPIN_MICROSECONDS, Spinner, type CreateMessage, type ErrorReport,
} from './protocol.js';
import type { WorkerData } from './worker.js';
import { WorkerFault, type PoolLike, type PoolProvider, type WorkerError } from './pool-provider.js';

const WORKER_SCRIPT = new URL('./worker.js', import.meta.url);

/** Polling pays only when the workers plus the calling thread each have a core. */
function spinMicrosFor(workers: number): number {
  return workers + 1 <= availableParallelism() ? SPIN_MICROSECONDS : 0;
}

/**
 * Workers inherit the main thread's flags (loaders, conditions) where Node allows it; some
 * flags are process-wide (--expose-gc, --input-type) and make the Worker constructor throw, and
 * then the worker starts with none, as the compiled worker script needs none.
 */
function newWorker(options: WorkerOptions): Worker {
  try {
    return new Worker(WORKER_SCRIPT, { ...options, execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')) });
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
    return new Worker(WORKER_SCRIPT, { ...options, execArgv: [] });
  }
}

export { WorkerFault, type WorkerError } from './pool-provider.js';

export class WorkerPool implements PoolLike {
  private readonly ctrl: Int32Array;
  private readonly errors: Uint8Array;
  private readonly spinner: Spinner;
  private nextSlot = 1;
  private operations = 0;
  private deadReason: string | null = null;
  private killedByFault = false;
  private terminated: Promise<void> | null = null;

  private constructor(
    readonly size: number,
    private readonly workers: Worker[],
    private readonly ports: MessagePort[],
    control: SharedArrayBuffer,
    errors: SharedArrayBuffer,
  ) {
    this.ctrl = new Int32Array(control);
    this.errors = new Uint8Array(errors);
    this.spinner = new Spinner(spinMicrosFor(size));
    everyPool.add(this);
  }

  /** Spawns the workers; they pick up operations signalled before they finished booting. */
  private static spawn(size: number): { pool: WorkerPool; ready: Promise<void> } {
    const control = new SharedArrayBuffer(controlWords(size) * 4);
    const errors = new SharedArrayBuffer(size * ERROR_AREA_BYTES);
    const workers: Worker[] = [];
    const ports: MessagePort[] = [];
    const booted: Promise<void>[] = [];
    for (let index = 0; index < size; index++) {
      const { port1, port2 } = new MessageChannel();
      port1.unref();
      ports.push(port1);
      const data: WorkerData = { index, spinMicros: spinMicrosFor(size), control, errors, port: port2 };
      const worker = newWorker({ workerData: data, transferList: [port2], name: `fatnn-bench worker ${index}` });
      workers.push(worker);
      booted.push(new Promise<void>((resolve) => worker.once('message', () => resolve())));
    }
    const pool = new WorkerPool(size, workers, ports, control, errors);
    const ready = new Promise<void>((resolve, reject) => {
      for (const [i, w] of workers.entries()) {
        // An error or exit while nobody waits on the control words still marks the pool dead,
        // so the next operation fails at once instead of waiting for a worker that is gone.
        w.on('error', (err) => {
          pool.kill(`thread ${i + 1} failed: ${err.message}`, true);
          reject(err);
        });
        w.on('exit', (code) => {
          pool.kill(`thread ${i + 1} exited with code ${code}`, true);
          reject(new FatnnError(`thread ${i + 1} exited with code ${code}`));
        });
      }
      Promise.all(booted).then(() => resolve(), reject);
    });
    ready.catch(() => {});
    return { pool, ready };
  }

  /** Starts a pool and waits until every worker runs; the workers are unref'd afterwards. */
  static async start(size: number): Promise<WorkerPool> {
    const { pool, ready } = WorkerPool.spawn(size);
    try {
      await ready;
    } catch (err) {
      await pool.kill(`could not start: ${(err as Error).message}`, false);
      throw new FatnnError(`could not start ${size} worker threads: ${(err as Error).message}`);
    }
    for (const w of pool.workers) w.unref();
    return pool;
  }

  /**
   * Starts a pool without waiting, for kernels that must recover inside a synchronous call:
   * their first operation simply waits for the workers to boot.
   */
  static startNow(size: number): WorkerPool {
    const { pool } = WorkerPool.spawn(size);
    for (const w of pool.workers) w.unref();
    return pool;
  }

  get alive(): boolean {
    return this.deadReason === null;
  }

  /** True when a worker fault (not shutdownWorkerPools) ended the pool: kernels may move on. */
  get faulted(): boolean {
    return this.killedByFault;
  }

  /** Thread ids of the workers, to tell pools apart. */
  get threadIds(): number[] {
    return this.workers.map((w) => w.threadId);
  }

  /** Operations dispatched so far (diagnostics and tests). */
  get dispatched(): number {
    return this.operations;
  }

  allocateSlot(): number {
    return this.nextSlot++;
  }

  /**
   * Runs `op` on workers 0..participants-1 and blocks until all are done: signal() then
   * collect(). See collect() for faults.
   */
  dispatch(op: Op, slot: number, participants: number, timeoutMs: number, fatal: boolean, messages?: readonly CreateMessage[]): WorkerError | null {
    const deadline = this.signal(op, slot, participants, timeoutMs, messages);
    return this.collect(participants, deadline, fatal);
  }

  /**
   * Wakes workers 0..participants-1 for `op` and returns at once (the calling thread does its
   * own share meanwhile); returns the deadline to pass to collect().
   */
  signal(op: Op, slot: number, participants: number, timeoutMs: number, messages?: readonly CreateMessage[]): number {
    if (this.deadReason !== null) throw new WorkerFault(`the ${this.size}-worker pool is gone (${this.deadReason})`);
    const ctrl = this.ctrl;
    this.operations += 1;
    Atomics.store(ctrl, PENDING, participants);
    for (let i = 0; i < participants; i++) {
      const b = blockOf(i);
      if (messages) this.ports[i].postMessage(messages[i]);
      Atomics.store(ctrl, b + OP, op);
      Atomics.store(ctrl, b + SLOT, slot);
      Atomics.add(ctrl, b + CMD_SEQ, 1);
      Atomics.notify(ctrl, b + CMD_SEQ, 1);
    }
    return performance.now() + timeoutMs;
  }

  /**
   * Blocks until the signalled workers are done. A worker that dies or misses the deadline
   * kills the pool and throws a WorkerFault; a worker whose operation threw kills the pool too
   * when `fatal`, otherwise the first such error is returned. Workers are named as threads
   * 1..size: thread 0 is the calling thread, which takes part in every parallel operation.
   */
  collect(participants: number, deadline: number, fatal: boolean): WorkerError | null {
    const ctrl = this.ctrl;
    for (let spun = false; ; spun = true) {
      const pending = Atomics.load(ctrl, PENDING);
      if (pending === 0) break;
      if (!spun && this.spinner.spinWhileEqual(ctrl, PENDING, pending)) continue;
      const dead = Atomics.load(ctrl, FAULT);
      if (dead !== 0) {
        const why = this.errorOf(dead - 1)?.message ?? `thread ${dead} died`;
        this.kill(why, true);
        throw new WorkerFault(why);
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        const why = `no answer from ${pending} of ${participants} worker threads by the deadline`;
        this.kill(why, true);
        throw new WorkerFault(why);
      }
      Atomics.wait(ctrl, PENDING, pending, left);
    }
    for (let i = 0; i < participants; i++) {
      if (Atomics.load(ctrl, blockOf(i) + STATUS) === Status.Failed) {
        const err = this.errorOf(i) ?? { worker: i, name: 'Error', message: 'unknown failure' };
        if (fatal) {
          const why = `thread ${i + 1} threw ${err.name}: ${err.message}`;
          this.kill(why, true);
          throw new WorkerFault(why);
        }
        return err;
      }
    }
    return null;
  }

  private errorOf(worker: number): WorkerError | null {
    const length = Atomics.load(this.ctrl, blockOf(worker) + ERROR_BYTES);
    if (length === 0) return null;
    const start = worker * ERROR_AREA_BYTES;
    // TextDecoder refuses views of shared memory.
    const bytes = this.errors.slice(start, start + length);
    try {
      return { worker, ...(JSON.parse(new TextDecoder().decode(bytes)) as ErrorReport) };
    } catch {
      return { worker, name: 'Error', message: new TextDecoder().decode(bytes) };
    }
  }

  /** Terminates the workers (idempotent); later operations fail with the reason. */
  kill(reason: string, fault: boolean): Promise<void> {
    if (this.deadReason === null) {
      this.deadReason = reason;
      this.killedByFault = fault;
      if (live.get(this.size) === this) live.delete(this.size);
      this.terminated = Promise.allSettled(this.workers.map((w) => w.terminate())).then(() => {
        everyPool.delete(this);
      });
    }
    return this.terminated ?? Promise.resolve();
  }
}

/** Pools being started, live pools, and every pool not yet terminated (for shutdown). */
const starting = new Map<number, Promise<WorkerPool>>();
const live = new Map<number, WorkerPool>();
const everyPool = new Set<WorkerPool>();

/** threads = 0 means one thread per core the host reports. */
export function resolveThreads(threads: number): number {
  if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`threads must be a non-negative integer, got ${threads}`);
  return threads === 0 ? availableParallelism() : threads;
}

function adopt(pool: WorkerPool): WorkerPool {
  live.set(pool.size, pool);
  // The CLI runs its shutdown hooks at the end of a command and on Ctrl-C.
  onShutdown(shutdownWorkerPools);
  return pool;
}

/** The live pool of this many workers, started if there is none. */
export async function getWorkerPool(size: number): Promise<WorkerPool> {
  const current = live.get(size);
  if (current?.alive) return current;
  let pending = starting.get(size);
  if (!pending) {
    pending = WorkerPool.start(size).then(adopt);
    starting.set(size, pending);
    const entry = pending;
    const forget = () => starting.get(size) === entry && starting.delete(size);
    entry.then(forget, forget);
  }
  const pool = await pending;
  return pool.alive ? pool : getWorkerPool(size);
}

/** Same, synchronously: a new pool's first operation waits for its workers to boot. */
export function getWorkerPoolNow(size: number): WorkerPool {
  const current = live.get(size);
  return current?.alive ? current : adopt(WorkerPool.startNow(size));
}

/** Live pools, for tests and diagnostics. */
export async function workerPools(): Promise<WorkerPool[]> {
  await Promise.allSettled(starting.values());
  return [...live.values()].filter((p) => p.alive);
}

/** Terminates every pool; kernels created on them fail clearly if used again. */
export async function shutdownWorkerPools(): Promise<void> {
  await Promise.allSettled(starting.values());
  live.clear();
  await Promise.all([...everyPool].map((p) => p.kill('shut down by shutdownWorkerPools()', false)));
}

/** The Node shell's pools (worker_threads), as ParallelKernel takes them. */
export const NODE_POOLS: PoolProvider = { resolveThreads, get: getWorkerPool, getNow: getWorkerPoolNow };
