// The browser shell's kernel table: what a page can run. The js and wasm backends are the very
// declarations the Node registry lists (platform-neutral modules); the workers backend's twin of
// each runs on Web Workers (web-pool.ts). Native kernels need the addon: never in a browser.

import { jsKernels } from '../backends/js/index.js';
import { wasmKernels } from '../backends/wasm/index.js';
import { setWasmSource, type WasmModuleName } from '../backends/wasm/loader.js';
import { MIN_TIMEOUT_MS, ParallelKernel } from '../backends/workers/parallel-kernel.js';
import { workerVariantIdOf } from './ids.js';
import type { Availability, KernelDeclaration } from '../types.js';
import { WEB_POOLS } from './web-pool.js';

/** Where the bundle's files are, relative to the bundle (dist/web/): set once per isolate. */
let baseUrl = '';

/** Points the wasm source at `<base>/wasm/<name>.wasm`; every isolate calls it first. */
export function useBundleBase(base: string): void {
  baseUrl = base;
  setWasmSource({
    problem: () => undefined,
    bytes: async (name: WasmModuleName) => {
      const url = new URL(`wasm/${name}.wasm`, baseUrl);
      const res = await fetch(url, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(`could not load ${url.pathname}: HTTP ${res.status}`);
      return res.arrayBuffer();
    },
  });
}

export const WEB_SINGLE_THREAD_KERNELS: readonly KernelDeclaration[] = [...jsKernels, ...wasmKernels];

/** Shared memory for the pool needs a cross-origin-isolated page (COOP + COEP headers). */
export function webWorkersAvailability(): Availability {
  if (typeof SharedArrayBuffer !== 'function' || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true) {
    return { available: false, reason: 'needs SharedArrayBuffer: the page is not cross-origin isolated (COOP/COEP headers)' };
  }
  return { available: true };
}

function webWorkerVariant(base: KernelDeclaration): KernelDeclaration {
  const id = workerVariantIdOf(base.id);
  return {
    id,
    precision: base.precision,
    backend: 'workers',
    description: 'C split over Web Workers',
    ...(base.popcountForm !== undefined ? { popcountForm: base.popcountForm } : {}),
    availability() {
      const threads = webWorkersAvailability();
      if (!threads.available) return threads;
      const b = base.availability();
      return b.available ? b : { available: false, reason: `base kernel ${base.id} unavailable: ${b.reason ?? 'unknown reason'}` };
    },
    create: (shape, opts) =>
      ParallelKernel.create(id, base, shape, opts.threads, {
        source: { moduleUrl: 'fatnn-bench:web-kernels', exportName: 'WEB_SINGLE_THREAD_KERNELS' },
        pools: WEB_POOLS,
        minTimeoutMs: MIN_TIMEOUT_MS,
      }),
  };
}

export const WEB_KERNELS: readonly KernelDeclaration[] = [...WEB_SINGLE_THREAD_KERNELS, ...WEB_SINGLE_THREAD_KERNELS.map(webWorkerVariant)];

/** Finds a kernel of the browser table (the pool worker looks up base kernels here too). */
export function findWebKernel(id: string): KernelDeclaration {
  const decl = WEB_KERNELS.find((k) => k.id === id);
  if (!decl) throw new Error(`unknown kernel "${id}" in the browser`);
  return decl;
}
