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
 * Chunk boundaries fall on multiples of this when the dimension allows it, so the register
 * tiles of the base kernels (2 or 4 rows) are not split into padded half tiles.
 */
export const CHUNK_ALIGN = 4;

/**
 * Splits over N when N is large enough to give every worker at least CHUNK_ALIGN columns.
 * Splitting N instead of M also splits the activation packing (each worker packs only its
 * columns of X); the cost moves to the weights, which every worker packs whole, once, offline.
 * Falls back to M when N is too small, and to whichever is larger when both are.
 */
export function choosePartition(shape: Shape, threads: number, axis?: Axis): Partition {
  const chosen: Axis = axis ?? (shape.N >= CHUNK_ALIGN * threads || shape.N >= shape.M ? 'N' : 'M');
  return { axis: chosen, chunks: balancedChunks(chosen === 'M' ? shape.M : shape.N, threads) };
}

/**
 * min(parts, dim) non-empty chunks with boundaries at the ideal i * dim / parts, rounded to a
 * multiple of CHUNK_ALIGN when every chunk can hold at least one such unit.
 */
export function balancedChunks(dim: number, parts: number): [number, number][] {
  const count = Math.max(1, Math.min(parts, dim));
  const unit = dim >= CHUNK_ALIGN * count ? CHUNK_ALIGN : 1;
  const chunks: [number, number][] = [];
  let start = 0;
  for (let i = 1; i <= count; i++) {
    const end = i === count ? dim : Math.max(start + 1, Math.round((i * dim) / count / unit) * unit);
    chunks.push([start, end]);
    start = end;
  }
  return chunks;
}
