// The one table of kernels: list, verify, tests and benchmarks all read it.
// Each backend exports its declarations; adding a backend is one line here.

import { jsKernels } from './backends/js/index.js';
import { nativeKernels } from './backends/native/index.js';
import { wasmKernels } from './backends/wasm/index.js';
import { setWasmSource } from './backends/wasm/loader.js';
import { NODE_WASM_SOURCE } from './backends/wasm/node-source.js';
import { workerKernels } from './backends/workers/index.js';
import { UsageError } from './errors.js';
import { withInjectedFaults, withInjectedPollution } from './fault-injection.js';
import { IsolateHost } from './runner/kernel-host.js';
import { registerIsolateFactory } from './runner/hosts.js';
import { checkShape } from './shapes.js';
import type { Backend, Kernel, KernelDeclaration, KernelInfo, KernelOptions, Precision, Shape } from './types.js';

/** Single-thread kernels, one line per backend; the workers backend wraps each of these. */
export const SINGLE_THREAD_KERNELS: readonly KernelDeclaration[] = [...jsKernels, ...wasmKernels, ...nativeKernels];

export const KERNELS: readonly KernelDeclaration[] = withInjectedPollution(withInjectedFaults([...SINGLE_THREAD_KERNELS, ...workerKernels(SINGLE_THREAD_KERNELS)]));

// This is the Node shell's table (native addon, worker_threads): it supplies the runner's
// isolates too, worker threads that re-create a kernel of this table by id.
setWasmSource(NODE_WASM_SOURCE);
registerIsolateFactory({ start: (decl) => (KERNELS.includes(decl) ? IsolateHost.start(decl.id) : null) });

export function listKernels(): KernelInfo[] {
  return KERNELS.map((k) => {
    const a = k.availability();
    const info: KernelInfo = {
      id: k.id, precision: k.precision, backend: k.backend, description: k.description,
      ...(k.popcountForm !== undefined ? { popcountForm: k.popcountForm } : {}),
      available: a.available,
    };
    return a.available ? info : { ...info, reason: a.reason ?? 'unavailable' };
  });
}

export function findKernel(id: string): KernelDeclaration {
  const decl = KERNELS.find((k) => k.id === id);
  if (!decl) throw new UsageError(`unknown kernel "${id}" (run \`fatnn-bench list\` to see them)`);
  return decl;
}

export async function createKernel(id: string, shape: Shape, options: KernelOptions = {}): Promise<Kernel> {
  const decl = findKernel(id);
  checkShape(shape);
  const a = decl.availability();
  if (!a.available) throw new UsageError(`kernel ${id} is unavailable on this host: ${a.reason ?? 'unknown reason'}`);
  return decl.create(shape, { threads: options.threads ?? 0 });
}

export interface KernelFilter {
  readonly precisions?: readonly Precision[];
  readonly backends?: readonly Backend[];
  /** Exact kernel ids. */
  readonly ids?: readonly string[];
}

/** Declarations matching every given filter, in registry order. */
export function selectKernels(filter: KernelFilter): KernelDeclaration[] {
  for (const id of filter.ids ?? []) findKernel(id);
  return KERNELS.filter(
    (k) =>
      (!filter.precisions?.length || filter.precisions.includes(k.precision)) &&
      (!filter.backends?.length || filter.backends.includes(k.backend)) &&
      (!filter.ids?.length || filter.ids.includes(k.id)),
  );
}
