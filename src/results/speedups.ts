// Derived numbers every renderer shows: GMAC/s and speedups vs a baseline precision within the
// same variant (or a declared donor variant). Computed from the stored times only, so every
// format agrees by construction.

import { modelSpeedup } from '../precisions.js';
import { macs } from '../shapes.js';
import type { Precision } from '../types.js';
import type { LayerResult, Measurement } from './schema.js';

/** The timed operations (Measurement fields): GEMM only, + activation packing, from float activations. */
export type CostView = 'gemm' | 'withPacking' | 'fromFloat';

export function timeOf(m: Measurement, view: CostView): number | undefined {
  return m[view]?.medianMs;
}

export function gmacPerSecond(layer: LayerResult, ms: number): number {
  return macs(layer) / (ms * 1e6);
}

/** `fatnn/wasm-simd128` -> `wasm-simd128`: kernels with the same variant are compared first. */
export function variantOf(kernelId: string): string {
  return kernelId.slice(kernelId.indexOf('/') + 1);
}

/**
 * Variants that may lend a baseline kernel to a variant of the same ISA family when the run has
 * none of that precision in the borrower's own variant: wasm-scalar has no fp32 or int8 kernel,
 * and its nearest comparable code is the wasm-simd128 one. Native ISAs each have every precision,
 * so they never borrow (an AVX-512 kernel over a scalar fp32 would not be a precision speedup).
 */
const BASELINE_DONORS: Readonly<Record<string, string>> = { 'wasm-scalar': 'wasm-simd128' };

const WORKERS = 'workers-';

/** The variant `variant` borrows baselines from, if any: workers-X borrows from workers-Y when X borrows from Y. */
export function donorVariant(variant: string): string | undefined {
  if (variant.startsWith(WORKERS)) {
    const donor = BASELINE_DONORS[variant.slice(WORKERS.length)];
    return donor === undefined ? undefined : WORKERS + donor;
  }
  return BASELINE_DONORS[variant];
}

/** Every kernel id a run selected or measured: what decides where baselines come from. */
export function runKernelIds(results: { readonly config: { readonly kernels: readonly string[] }; readonly layers: readonly LayerResult[] }): Set<string> {
  const ids = new Set(results.config.kernels);
  for (const layer of results.layers) for (const m of layer.measurements) ids.add(m.kernel);
  return ids;
}

/**
 * The kernel `kernel` is compared against for `baseline` precision, decided once per run (so every
 * layer, total and geomean of a kernel divides the same baseline): its own variant's kernel when
 * the run has it at all, even if that kernel failed on some layers (those speedups are then
 * undefined); otherwise the donor variant's (see donorVariant) when the run has that; else none.
 */
export function baselineKernelId(kernel: string, baseline: Precision, runKernels: ReadonlySet<string>): string | undefined {
  const variant = variantOf(kernel);
  const own = `${baseline}/${variant}`;
  if (runKernels.has(own)) return own;
  const donor = donorVariant(variant);
  return donor !== undefined && runKernels.has(`${baseline}/${donor}`) ? `${baseline}/${donor}` : undefined;
}

/** True when `baselineKernel` belongs to another variant than `kernel` (a borrowed baseline). */
export function isBorrowed(kernel: string, baselineKernel: string): boolean {
  return variantOf(kernel) !== variantOf(baselineKernel);
}

/**
 * The measurement of `baseline` precision to compare `m` against on this layer (see
 * baselineKernelId), or none when that kernel has no time here in `view`. `runKernels` defaults
 * to the kernels present in this layer; pass runKernelIds(results) to decide over the whole run.
 */
export function baselineFor(layer: LayerResult, m: Measurement, baseline: Precision, view: CostView, runKernels?: ReadonlySet<string>): Measurement | undefined {
  const id = baselineKernelId(m.kernel, baseline, runKernels ?? new Set(layer.measurements.map((x) => x.kernel)));
  const base = id === undefined ? undefined : layer.measurements.find((b) => b.kernel === id);
  return base && timeOf(base, view) !== undefined ? base : undefined;
}

/** Speedup of `m` over the baseline precision in the same backend (>1: faster). */
export function speedupVs(layer: LayerResult, m: Measurement, baseline: Precision, view: CostView = 'gemm', runKernels?: ReadonlySet<string>): number | undefined {
  const t = timeOf(m, view);
  const base = baselineFor(layer, m, baseline, view, runKernels);
  const tb = base && timeOf(base, view);
  return t !== undefined && tb !== undefined ? tb / t : undefined;
}

export function expectedSpeedup(m: Measurement, baseline: Precision): number {
  return modelSpeedup(m.precision, baseline);
}

export function geometricMean(values: readonly number[]): number | undefined {
  const ok = values.filter((v) => Number.isFinite(v) && v > 0);
  if (ok.length === 0) return undefined;
  return Math.exp(ok.reduce((s, v) => s + Math.log(v), 0) / ok.length);
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length & 1 ? s[mid] : (s[mid - 1]! + s[mid]!) / 2;
}
