// The workers backend's pool on Web Workers: the same shared-memory protocol as the Node pool
// (../backends/workers/protocol.ts), so ParallelKernel runs on it unchanged. It lives inside a
// kernel's isolate (itself a Web Worker): the calling thread blocks in Atomics.wait, which a
// page's main thread may not do, and needs crossOriginIsolated for SharedArrayBuffer.

import { FatnnError } from '../errors.js';
import { onShutdown } from '../lifecycle.js';
import { WorkerFault, type PoolLike, type PoolProvider, type WorkerError } from '../backends/workers/pool-provider.js';
import {
  blockOf, CMD_SEQ, controlWords, ERROR_AREA_BYTES, ERROR_BYTES, FAULT, Op, OP, PENDING, SLOT, Status, STATUS,
  SPIN_MICROSECONDS, Spinner, type CreateMessage, type ErrorReport,
} from '../backends/workers/protocol.js';

/** What a pool worker gets in its first message. */
export interface WebPoolStart {
  readonly index: number;
  readonly spinMicros: number;
  readonly control: SharedArrayBuffer;
  readonly errors: SharedArrayBuffer;
  /** Where the bundle is: the worker loads its wasm from there. */
  readonly base: string;
}

/** Where the bundled pool worker script and the bundle are (set by each isolate at start). */
let workerUrl: string | undefined;
let bundleBase = '';
export function setPoolWorker(url: string, base: string): void {
  workerUrl = url;
  bundleBase = base;
}

function cores(): number {
  return Math.max(1, navigator.hardwareConcurrency || 1);
}

class WebWorkerPool implements PoolLike {
  private readonly ctrl: Int32Array;
  private readonly errors: Uint8Array;
  private readonly spinner: Spinner;
  private nextSlot = 1;
  private deadReason: string | null = null;
  private killedByFault = false;

  constructor(
    readonly size: number,
    private readonly workers: Worker[],
    control: SharedArrayBuffer,
    errors: SharedArrayBuffer,
  ) {
    this.ctrl = new Int32Array(control);
    this.errors = new Uint8Array(errors);
    this.spinner = new Spinner(size + 1 <= cores() ? SPIN_MICROSECONDS : 0);
  }

  static spawn(size: number): { pool: WebWorkerPool; ready: Promise<void> } {
    if (!workerUrl) throw new FatnnError('the pool worker script URL is not set');
    const control = new SharedArrayBuffer(controlWords(size) * 4);
    const errors = new SharedArrayBuffer(size * ERROR_AREA_BYTES);
    const spinMicros = size + 1 <= cores() ? SPIN_MICROSECONDS : 0;
    const workers: Worker[] = [];
    const booted: Promise<void>[] = [];
    for (let index = 0; index < size; index++) {
      const w = new Worker(workerUrl, { type: 'module', name: `fatnn-bench worker ${index}` });
      workers.push(w);
      booted.push(
        new Promise<void>((resolve, reject) => {
          w.addEventListener('message', (e) => e.data === 'ready' && resolve(), { once: true });
          w.addEventListener('error', (e) => reject(new FatnnError(`thread ${index + 1} failed to start: ${e.message || 'script error'}`)));
        }),
      );
      w.postMessage({ index, spinMicros, control, errors, base: bundleBase } satisfies WebPoolStart);
    }
    const pool = new WebWorkerPool(size, workers, control, errors);
    for (const [i, w] of workers.entries()) {
      w.addEventListener('error', (e) => void pool.kill(`thread ${i + 1} failed: ${e.message || 'script error'}`, true));
    }
    const ready = Promise.all(booted).then(() => undefined);
    ready.catch(() => {});
    return { pool, ready };
  }

  get alive(): boolean {
    return this.deadReason === null;
  }

  get faulted(): boolean {
    return this.killedByFault;
  }

  allocateSlot(): number {
    return this.nextSlot++;
  }

  dispatch(op: Op, slot: number, participants: number, timeoutMs: number, fatal: boolean, messages?: readonly CreateMessage[]): WorkerError | null {
    return this.collect(participants, this.signal(op, slot, participants, timeoutMs, messages), fatal);
  }

  /** Create details go by postMessage first; the worker reads them once it sees Op.Create. */
  signal(op: Op, slot: number, participants: number, timeoutMs: number, messages?: readonly CreateMessage[]): number {
    if (this.deadReason !== null) throw new WorkerFault(`the ${this.size}-worker pool is gone (${this.deadReason})`);
    const ctrl = this.ctrl;
    Atomics.store(ctrl, PENDING, participants);
    for (let i = 0; i < participants; i++) {
      const b = blockOf(i);
      if (messages) this.workers[i]!.postMessage(messages[i]);
      Atomics.store(ctrl, b + OP, op);
      Atomics.store(ctrl, b + SLOT, slot);
      Atomics.add(ctrl, b + CMD_SEQ, 1);
      Atomics.notify(ctrl, b + CMD_SEQ, 1);
    }
    return performance.now() + timeoutMs;
  }

  collect(participants: number, deadline: number, fatal: boolean): WorkerError | null {
    const ctrl = this.ctrl;
    for (let spun = false; ; spun = true) {
      const pending = Atomics.load(ctrl, PENDING);
      if (pending === 0) break;
      if (!spun && this.spinner.spinWhileEqual(ctrl, PENDING, pending)) continue;
      const dead = Atomics.load(ctrl, FAULT);
      if (dead !== 0) {
        const why = this.errorOf(dead - 1)?.message ?? `thread ${dead} died`;
        void this.kill(why, true);
        throw new WorkerFault(why);
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        const why = `no answer from ${pending} of ${participants} Web Workers by the deadline`;
        void this.kill(why, true);
        throw new WorkerFault(why);
      }
      Atomics.wait(ctrl, PENDING, pending, left);
    }
    for (let i = 0; i < participants; i++) {
      if (Atomics.load(ctrl, blockOf(i) + STATUS) === Status.Failed) {
        const err = this.errorOf(i) ?? { worker: i, name: 'Error', message: 'unknown failure' };
        if (fatal) {
          const why = `thread ${i + 1} threw ${err.name}: ${err.message}`;
          void this.kill(why, true);
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
    const bytes = this.errors.slice(start, start + length);
    try {
      return { worker, ...(JSON.parse(new TextDecoder().decode(bytes)) as ErrorReport) };
    } catch {
      return { worker, name: 'Error', message: new TextDecoder().decode(bytes) };
    }
  }

  kill(reason: string, fault: boolean): Promise<void> {
    if (this.deadReason === null) {
      this.deadReason = reason;
      this.killedByFault = fault;
      if (live.get(this.size) === this) live.delete(this.size);
      for (const w of this.workers) w.terminate();
    }
    return Promise.resolve();
  }
}

const live = new Map<number, WebWorkerPool>();
const starting = new Map<number, Promise<WebWorkerPool>>();

function adopt(pool: WebWorkerPool): WebWorkerPool {
  live.set(pool.size, pool);
  onShutdown(() => pool.kill('shut down', false));
  return pool;
}

export const WEB_POOLS: PoolProvider = {
  resolveThreads(threads) {
    if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`threads must be a non-negative integer, got ${threads}`);
    return threads === 0 ? cores() : threads;
  },
  async get(size) {
    const current = live.get(size);
    if (current?.alive) return current;
    let pending = starting.get(size);
    if (!pending) {
      const { pool, ready } = WebWorkerPool.spawn(size);
      pending = ready.then(
        () => adopt(pool),
        async (err: unknown) => {
          await pool.kill('could not start', false);
          throw new FatnnError(`could not start ${size} Web Workers: ${(err as Error).message}`);
        },
      );
      starting.set(size, pending);
      const entry = pending;
      const forget = () => starting.get(size) === entry && starting.delete(size);
      entry.then(forget, forget);
    }
    return pending;
  },
  getNow(size) {
    // A new pool's first operation would wait for workers whose start needs this thread's event
    // loop, which a synchronous caller holds: recovery after a fault is not offered here.
    const current = live.get(size);
    if (current?.alive) return current;
    throw new WorkerFault(`no live ${size}-worker pool (a Web Worker pool cannot be restarted inside a GEMM)`);
  },
};
