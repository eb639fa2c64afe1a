// Where the runner holds a kernel while it verifies and times it: in a fresh isolate of its own
// (a worker thread, the default) or in the runner's own realm (--no-isolate). Both expose the
// same three steps, so the sweep does not care which.
//
// Why a worker thread and not a child process: a worker is a separate V8 isolate, with its own
// JIT feedback, optimized code and heap, which is what leaked between kernels (issue #15), and
// it starts in ~50 ms on this 2-core machine against ~150-250 ms for a `node` child. What it
// shares with the runner is the process: the native addon instance (stateless), the allocator
// and the OS scheduler. The measured fork spread (README) says that is enough.

import { Worker } from 'node:worker_threads';
import { FatnnError } from '../errors.js';
import type { LogicalArray, Shape } from '../types.js';
import type { IsolateReply, IsolateRequest, IsolateStart, SampleRequestOptions } from './isolate-protocol.js';
import type { Sampled } from './measure.js';
import type { FloatActivations, Loaded, TimedView } from './session.js';
import { KernelFailure, type KernelHost } from './hosts.js';

// The platform-neutral part (the interface, the in-realm host) lives in hosts.ts, so the
// browser runner shares it; re-exported here for the modules that import it from this file.
export { InProcessHost, KernelFailure, type IsolateFactory, type KernelHost } from './hosts.js';

const ISOLATE_SCRIPT = new URL('./isolate-worker.js', import.meta.url);

/** How long a closing isolate may take to dispose its kernel before it is terminated. */
const CLOSE_TIMEOUT_MS = 5000;

/** A fresh worker-thread isolate holding one kernel. */
export class IsolateHost implements KernelHost {
  private pending: { resolve: (r: IsolateReply) => void; reject: (e: Error) => void } | null = null;
  private dead: string | null = null;
  private readonly stopFlag: Int32Array;

  private constructor(
    private readonly worker: Worker,
    stop: SharedArrayBuffer,
  ) {
    this.stopFlag = new Int32Array(stop);
    worker.on('message', (reply: IsolateReply) => {
      const p = this.pending;
      this.pending = null;
      p?.resolve(reply);
    });
    worker.on('error', (err) => this.fail(`its isolate crashed: ${err.message}`));
    worker.on('exit', (code) => this.fail(`its isolate exited (code ${code})`));
  }

  static async start(kernelId: string): Promise<IsolateHost> {
    const stop = new SharedArrayBuffer(4);
    const workerData: IsolateStart = { kernelId, stop };
    // Flags the main thread was started with (loaders) where Node allows them in workers.
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    let worker: Worker;
    try {
      worker = new Worker(ISOLATE_SCRIPT, { workerData, execArgv });
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
      worker = new Worker(ISOLATE_SCRIPT, { workerData, execArgv: [] });
    }
    const host = new IsolateHost(worker, stop);
    const ready = await host.next();
    if (ready.type !== 'ready') throw new FatnnError(`${kernelId}: isolate did not start (${ready.type})`);
    return host;
  }

  private fail(why: string): void {
    if (this.dead !== null) return;
    this.dead = why;
    const p = this.pending;
    this.pending = null;
    p?.reject(new KernelFailure(why));
  }

  private next(): Promise<IsolateReply> {
    if (this.dead !== null) return Promise.reject(new KernelFailure(this.dead));
    return new Promise((resolve, reject) => (this.pending = { resolve, reject }));
  }

  private async request(req: IsolateRequest, transfer: ArrayBuffer[] = []): Promise<IsolateReply> {
    const reply = this.next();
    if (this.dead === null) this.worker.postMessage(req, transfer);
    const r = await reply;
    if (r.type === 'error') throw new KernelFailure(r.message);
    return r;
  }

  async create(shape: Shape, threads: number): Promise<void> {
    const r = await this.request({ type: 'create', shape, threads });
    if (r.type !== 'created') throw new FatnnError(`unexpected isolate reply ${r.type}`);
  }

  async load(w: LogicalArray, x: LogicalArray, floats?: FloatActivations): Promise<Loaded> {
    const r = await this.request({ type: 'load', w, x, ...(floats && { floats }) });
    if (r.type !== 'loaded') throw new FatnnError(`unexpected isolate reply ${r.type}`);
    return r.loaded;
  }

  async sample(view: TimedView, options: SampleRequestOptions): Promise<Sampled> {
    const r = await this.request({ type: 'sample', view, options });
    if (r.type !== 'sampled') throw new FatnnError(`unexpected isolate reply ${r.type}`);
    return { samples: Array.from(r.samples), callsPerSample: r.callsPerSample, stopped: r.stopped, ...(r.probeMs ? { probeMs: r.probeMs } : {}) };
  }

  requestStop(): void {
    Atomics.store(this.stopFlag, 0, 1);
  }

  async release(): Promise<boolean> {
    try {
      return (await this.request({ type: 'release' })).type === 'released';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.dead === null) {
      const timer = setTimeout(() => void this.kill(), CLOSE_TIMEOUT_MS);
      try {
        await this.request({ type: 'close' });
      } catch {
        // A kernel that fails to dispose is ended by terminate() below.
      } finally {
        clearTimeout(timer);
      }
    }
    await this.kill();
  }

  async kill(): Promise<void> {
    this.fail('its isolate was stopped');
    await this.worker.terminate();
  }
}
