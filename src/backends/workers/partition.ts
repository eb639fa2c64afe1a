// How a parallel GEMM splits C between workers: balanced contiguous chunks of rows (M) or
// columns (N). Kept free of worker code so the split can be tested on its own.

import type { Shape } from '../../types.js';

export type Axis = 'M' | 'N';

export interface Partition {
  readonly axis: Axis;
  /** Non-empty [start, end) ranges covering 0..dim in order, at most one per worker. */
  readonly chunks: readonly (readonly [number, number])[];
}

/**
 * Chunk boundaries fall on multiples of this when chunks are long enough (ALIGN_MIN_UNITS
 * units each) that rounding them costs little balance, so the 2-row or 2-column register tiles
 * of the base kernels are not cut into padded half tiles.
 */
export const CHUNK_ALIGN = 2;
const ALIGN_MIN_UNITS = 8;

/**
 * Splitting over N is preferred: then each worker packs only its columns of X, so activation
 * packing runs in parallel too (every worker packs the whole W instead, once, offline). M is
 * used when it balances the work clearly better (N small or awkward for the thread count).
 */
export function choosePartition(shape: Shape, threads: number, axis?: Axis): Partition {
  const chosen: Axis = axis ?? (efficiency(shape.N, threads) + N_PREFERENCE >= efficiency(shape.M, threads) ? 'N' : 'M');
  return { axis: chosen, chunks: balancedChunks(chosen === 'M' ? shape.M : shape.N, threads) };
}

/** How much worse N may balance than M and still be chosen. */
const N_PREFERENCE = 0.05;

/** Average busy fraction of `threads` workers when `dim` is split by balancedChunks. */
function efficiency(dim: number, threads: number): number {
  const largest = Math.max(...balancedChunks(dim, threads).map(([a, b]) => b - a));
  return dim / (threads * largest);
}

/**
 * min(parts, dim) non-empty chunks with boundaries at the ideal i * dim / parts, rounded to a
 * multiple of CHUNK_ALIGN when the chunks are long enough.
 */
export function balancedChunks(dim: number, parts: number): [number, number][] {
  const count = Math.max(1, Math.min(parts, dim));
  const unit = dim >= ALIGN_MIN_UNITS * CHUNK_ALIGN * count ? CHUNK_ALIGN : 1;
  const chunks: [number, number][] = [];
  let start = 0;
  for (let i = 1; i <= count; i++) {
    const end = i === count ? dim : Math.max(start + 1, Math.round((i * dim) / count / unit) * unit);
    chunks.push([start, end]);
    start = end;
  }
  return chunks;
}
