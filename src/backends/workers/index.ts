// Registry lines of the workers backend: a parallel variant of every single-thread kernel,
// generated from the declarations themselves, so each new js/wasm/native kernel gets one.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Availability, KernelDeclaration } from '../../types.js';
import { MIN_TIMEOUT_MS, ParallelKernel, type DeclarationSource } from './parallel-kernel.js';
import type { Axis } from './partition.js';
import { NODE_POOLS } from './pool.js';

export { shutdownWorkerPools, workerPools, resolveThreads } from './pool.js';
export { ParallelKernel, type DeclarationSource } from './parallel-kernel.js';

/** The workers import the registry's single-thread list to build their base kernels. */
export const REGISTRY_SOURCE: DeclarationSource = {
  moduleUrl: new URL('../../registry.js', import.meta.url).href,
  exportName: 'SINGLE_THREAD_KERNELS',
};

export interface WorkerVariantOptions {
  /** Where workers find `base` by id; the registry's single-thread list by default. */
  readonly source?: DeclarationSource;
  /** Forces the split axis instead of choosePartition's choice (experiments). */
  readonly axis?: Axis;
  /** Floor of each operation's deadline in ms (tests lower it to provoke timeouts). */
  readonly minTimeoutMs?: number;
}

let threadSupport: Availability | undefined;

/** worker_threads with shared memory and a compiled worker script (absent when run from .ts). */
function workerThreadsAvailability(): Availability {
  if (threadSupport) return threadSupport;
  const script = new URL('./worker.js', import.meta.url);
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics?.wait !== 'function') {
    threadSupport = { available: false, reason: 'needs SharedArrayBuffer and Atomics.wait' };
  } else if (script.protocol === 'file:' && !existsSync(fileURLToPath(script))) {
    threadSupport = { available: false, reason: `worker script ${fileURLToPath(script)} missing (build with npm run build)` };
  } else {
    threadSupport = { available: true };
  }
  return threadSupport;
}

/** `fatnn/wasm-simd128` -> `fatnn/workers-wasm-simd128`. */
export function workerVariantId(baseId: string): string {
  const slash = baseId.indexOf('/');
  return `${baseId.slice(0, slash)}/workers-${baseId.slice(slash + 1)}`;
}

export function workerVariant(base: KernelDeclaration, options: WorkerVariantOptions = {}): KernelDeclaration {
  const id = workerVariantId(base.id);
  const settings = {
    source: options.source ?? REGISTRY_SOURCE,
    pools: NODE_POOLS,
    axis: options.axis,
    minTimeoutMs: options.minTimeoutMs ?? MIN_TIMEOUT_MS,
  };
  return {
    id,
    precision: base.precision,
    backend: 'workers',
    description: 'C split over worker_threads',
    ...(base.popcountForm !== undefined ? { popcountForm: base.popcountForm } : {}),
    availability() {
      const threads = workerThreadsAvailability();
      if (!threads.available) return threads;
      const b = base.availability();
      return b.available ? b : { available: false, reason: `base kernel ${base.id} unavailable: ${b.reason ?? 'unknown reason'}` };
    },
    create: (shape, opts) => ParallelKernel.create(id, base, shape, opts.threads, settings),
  };
}

/** One parallel variant per single-thread declaration, in the same order. */
export function workerKernels(bases: readonly KernelDeclaration[]): KernelDeclaration[] {
  return bases.filter((b) => b.backend !== 'workers').map((b) => workerVariant(b));
}
