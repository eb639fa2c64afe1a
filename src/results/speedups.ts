// Derived numbers every renderer shows: GMAC/s and speedups vs a baseline precision within the
// same backend. Computed from the stored times only, so every format agrees by construction.

import { modelSpeedup } from '../precisions.js';
import { macs } from '../shapes.js';
import type { Precision } from '../types.js';
import type { LayerResult, Measurement } from './schema.js';

export type CostView = 'gemm' | 'withPacking';

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

function commonPrefixLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * Of `candidates` (baseline-precision kernels), the one `m` is compared against: the same
 * variant if present, else the variant of the same backend with the longest common name prefix
 * (wasm-scalar has no fp32, so it borrows fp32/wasm-simd128; workers-wasm-scalar borrows
 * fp32/workers-wasm-simd128, not fp32/workers-js), else none.
 */
export function pickBaseline<T extends Pick<Measurement, 'kernel' | 'backend'>>(candidates: readonly T[], m: Pick<Measurement, 'kernel' | 'backend'>): T | undefined {
  const variant = variantOf(m.kernel);
  const same = candidates.find((b) => variantOf(b.kernel) === variant);
  if (same) return same;
  let best: T | undefined;
  let bestLength = -1;
  for (const b of candidates) {
    if (b.backend !== m.backend) continue;
    const length = commonPrefixLength(variantOf(b.kernel), variant);
    if (length > bestLength) (best = b), (bestLength = length);
  }
  return best;
}

/** The measurement of `baseline` precision to compare `m` against (see pickBaseline), or none. */
export function baselineFor(layer: LayerResult, m: Measurement, baseline: Precision, view: CostView): Measurement | undefined {
  return pickBaseline(
    layer.measurements.filter((b) => b.precision === baseline && timeOf(b, view) !== undefined),
    m,
  );
}

/** Speedup of `m` over the baseline precision in the same backend (>1: faster). */
export function speedupVs(layer: LayerResult, m: Measurement, baseline: Precision, view: CostView = 'gemm'): number | undefined {
  const t = timeOf(m, view);
  const base = baselineFor(layer, m, baseline, view);
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
