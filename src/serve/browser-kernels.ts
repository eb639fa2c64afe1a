// The kernels the page can run: js, wasm and their Web Worker twins (the native addon does not
// exist in a browser), selected with the same filters and the same errors as `run`.

import { workerVariantId } from '../backends/workers/index.js';
import { UsageError } from '../errors.js';
import { SINGLE_THREAD_KERNELS, selectKernels } from '../registry.js';
import { parseBackends, parsePrecisions, type FilterOptions } from '../commands/options.js';

/** Backends whose single-thread kernels the page can run (and so their workers twins). */
export const BROWSER_BACKENDS = ['js', 'wasm'] as const;

/** Kernel ids a browser can run, in registry order. */
export function browserKernelIds(): Set<string> {
  const singles = SINGLE_THREAD_KERNELS.filter((k) => (BROWSER_BACKENDS as readonly string[]).includes(k.backend)).map((k) => k.id);
  return new Set([...singles, ...singles.map(workerVariantId)]);
}

/**
 * The browser kernels matching --precision/--backend/--kernel (unknown values: the same errors
 * as `run`). Availability is the browser's to decide (wasm SIMD, cross-origin isolation), so it
 * is not checked here; a selection with no browser kernel at all is a usage error.
 */
export function selectBrowserKernels(opts: FilterOptions): string[] {
  const browser = browserKernelIds();
  const selected = selectKernels({ precisions: parsePrecisions(opts.precision), backends: parseBackends(opts.backend), ids: opts.kernel ?? [] });
  if (selected.length === 0) throw new UsageError('no kernel matches the given --precision/--backend/--kernel filters');
  const ids = selected.filter((k) => browser.has(k.id)).map((k) => k.id);
  if (ids.length === 0) {
    throw new UsageError(`no kernel a browser can run matches the filters (${selected.slice(0, 3).map((k) => k.id).join(', ')}${selected.length > 3 ? ', ...' : ''}): the page runs the js, wasm-simd128 and wasm-scalar kernels and their workers twins, not native ones`);
  }
  return ids;
}
