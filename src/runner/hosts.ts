// Where the runner holds a kernel while it verifies and times it, platform-neutral: the
// KernelHost steps every host offers, the in-realm host (--no-isolate), and the factory through
// which each platform shell supplies fresh isolates (worker threads in Node, kernel-host.ts;
// Web Workers in the browser, src/web/isolate-host.ts). No node: imports here.

import { FatnnError } from '../errors.js';
import type { KernelDeclaration, LogicalArray, Shape } from '../types.js';
import type { SampleRequestOptions } from './isolate-protocol.js';
import type { Sampled } from './measure.js';
import { KernelSession, type FloatActivations, type Loaded, type TimedView } from './session.js';

export interface KernelHost {
  /** Creates the kernel: it checks its own shape limits here, before any operand exists. */
  create(shape: Shape, threads: number): Promise<void>;
  /** Packs both operands (and X from float, when given) and runs the kernel; resolves to its results for verification. */
  load(w: LogicalArray, x: LogicalArray, floats?: FloatActivations): Promise<Loaded>;
  sample(view: TimedView, options: SampleRequestOptions): Promise<Sampled>;
  /** Asks a running `sample` to return at the next sample boundary (Ctrl-C). */
  requestStop(): void;
  /** Disposes the kernel, keeping the isolate for the next layer; false if that failed. */
  release(): Promise<boolean>;
  /** Disposes the kernel and the isolate; never throws. */
  close(): Promise<void>;
  /** Ends the isolate at once, whatever it is doing (second Ctrl-C, or a wedged kernel). */
  kill(): Promise<void>;
}

/** Raised by a host whose kernel threw: the message is the kernel's. */
export class KernelFailure extends FatnnError {}

/**
 * A platform's fresh isolates. `start` answers null for a declaration the isolate cannot
 * re-create by id (a test's own kernel, not in that platform's table): it is then measured in
 * the runner's realm.
 */
export interface IsolateFactory {
  start(decl: KernelDeclaration): Promise<KernelHost> | null;
}

let registered: IsolateFactory | undefined;

/** The Node registry (registry.ts) registers its worker-thread isolates here at load. */
export function registerIsolateFactory(factory: IsolateFactory): void {
  registered = factory;
}

export function registeredIsolateFactory(): IsolateFactory | undefined {
  return registered;
}

/** The kernel in the runner's own realm: history shared with every other kernel (--no-isolate). */
export class InProcessHost implements KernelHost {
  private session: KernelSession | undefined;
  private stopped = false;

  constructor(private readonly decl: KernelDeclaration) {}

  async create(shape: Shape, threads: number): Promise<void> {
    this.session = await KernelSession.create(this.decl, shape, threads);
  }

  async load(w: LogicalArray, x: LogicalArray, floats?: FloatActivations): Promise<Loaded> {
    if (!this.session) throw new FatnnError('load before create');
    // A copy, as an isolate gets: the kernel cannot write into what the next one verifies on.
    return this.session.load(w.slice(), x.slice(), floats && { x: floats.x.slice(), q: floats.q });
  }

  async sample(view: TimedView, options: SampleRequestOptions): Promise<Sampled> {
    if (!this.session) throw new FatnnError('sample before open');
    return this.session.sample(view, { ...options, stop: () => this.stopped });
  }

  requestStop(): void {
    this.stopped = true;
  }

  async release(): Promise<boolean> {
    const s = this.session;
    this.session = undefined;
    try {
      await s?.dispose();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    try {
      await s?.dispose();
    } catch {
      // Disposal failures must not hide the measurement.
    }
  }

  kill(): Promise<void> {
    return this.close();
  }
}
