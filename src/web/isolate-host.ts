// The browser twin of the runner's worker-thread isolate (../runner/kernel-host.ts): each
// kernel in a fresh dedicated Web Worker, a V8 isolate of its own, speaking the same isolate
// protocol (../runner/isolate-protocol.ts) to the same handler (isolate-worker.ts).

import { FatnnError } from '../errors.js';
import { KernelFailure, type IsolateFactory, type KernelHost } from '../runner/hosts.js';
import type { IsolateReply, IsolateRequest, IsolateStart, SampleRequestOptions } from '../runner/isolate-protocol.js';
import type { Sampled } from '../runner/measure.js';
import type { FloatActivations, Loaded, TimedView } from '../runner/session.js';
import type { LogicalArray, Shape } from '../types.js';

/** What an isolate Web Worker gets first: the runner's start data and where the bundle is. */
export interface WebIsolateStart extends IsolateStart {
  readonly base: string;
  readonly poolWorkerUrl: string;
}

const CLOSE_TIMEOUT_MS = 5000;

class WebIsolateHost implements KernelHost {
  private pending: { resolve: (r: IsolateReply) => void; reject: (e: Error) => void } | null = null;
  private dead: string | null = null;
  private readonly stopFlag: Int32Array | null;

  constructor(private readonly worker: Worker, stop: SharedArrayBuffer | null) {
    this.stopFlag = stop ? new Int32Array(stop) : null;
    worker.onmessage = (e: MessageEvent<IsolateReply>) => {
      const p = this.pending;
      this.pending = null;
      p?.resolve(e.data);
    };
    worker.onerror = (e) => this.fail(`its isolate crashed: ${e.message || 'script error'}`);
  }

  private fail(why: string): void {
    if (this.dead !== null) return;
    this.dead = why;
    const p = this.pending;
    this.pending = null;
    p?.reject(new KernelFailure(why));
  }

  next(): Promise<IsolateReply> {
    if (this.dead !== null) return Promise.reject(new KernelFailure(this.dead));
    return new Promise((resolve, reject) => (this.pending = { resolve, reject }));
  }

  private async request(req: IsolateRequest): Promise<IsolateReply> {
    const reply = this.next();
    if (this.dead === null) this.worker.postMessage(req);
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
    if (this.stopFlag) Atomics.store(this.stopFlag, 0, 1);
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
    this.worker.terminate();
  }
}

/**
 * Fresh Web Worker isolates for the kernels of `ids` (the browser table). The stop flag is
 * shared memory when the page is cross-origin isolated, else a plain buffer (a page has no
 * Ctrl-C; closing the tab ends everything).
 */
export function webIsolates(ids: ReadonlySet<string>, isolateUrl: string, start: Omit<WebIsolateStart, 'kernelId' | 'stop'>): IsolateFactory {
  return {
    start(decl) {
      if (!ids.has(decl.id)) return null;
      return (async () => {
        const shared = typeof SharedArrayBuffer === 'function' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
        const stop = shared ? new SharedArrayBuffer(4) : (new ArrayBuffer(4) as unknown as SharedArrayBuffer);
        const worker = new Worker(isolateUrl, { type: 'module', name: `fatnn-bench isolate ${decl.id}` });
        const host = new WebIsolateHost(worker, shared ? stop : null);
        const ready = host.next();
        worker.postMessage({ ...start, kernelId: decl.id, stop } satisfies WebIsolateStart);
        const r = await ready;
        if (r.type !== 'ready') throw new FatnnError(`${decl.id}: isolate did not start (${r.type})`);
        return host as KernelHost;
      })();
    },
  };
}
