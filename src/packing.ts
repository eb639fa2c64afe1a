// Packing logical values into bit planes: the storage formats of the README's
// Precisions table, shared by backends.
// Layout per row: K is cut into groups of `groupWords` 32-bit words; each group stores its
// planes one after another (plane 0 words, plane 1 words, ...), so a kernel that reads one
// group gets every plane of those K positions from one contiguous run of memory.

import type { LogicalArray, Precision } from './types.js';

export type BitPrecision = 'bit2' | 'ternary2b' | 'fatnn' | 'binary';

export function isBitPrecision(p: Precision): p is BitPrecision {
  return p === 'bit2' || p === 'ternary2b' || p === 'fatnn' || p === 'binary';
}

export function planeCount(precision: BitPrecision): number {
  return precision === 'binary' ? 1 : 2;
}

const INVALID = -1;

/** Plane bits of each int8 value (indexed by v & 255): bit p = plane p; INVALID if out of set. */
function buildPlaneTable(precision: BitPrecision): Int8Array {
  const table = new Int8Array(256).fill(INVALID);
  for (let v = -128; v < 128; v++) {
    let code = INVALID;
    switch (precision) {
      case 'bit2':
        if (v >= 0 && v <= 3) code = v;
        break;
      case 'ternary2b': // offset t + 1 in {0,1,2}
        if (v >= -1 && v <= 1) code = v + 1;
        break;
      case 'fatnn': // plane 0: zero plane (1 = value 0), plane 1: sign. Padding stays 0 in both
        // planes: a kernel computing K - popcount(z) - 2 popcount(neg) with the real K cancels it.
        if (v >= -1 && v <= 1) code = (v === 0 ? 1 : 0) | (v < 0 ? 2 : 0);
        break;
      case 'binary': // bit = [v < 0]
        if (v === 1 || v === -1) code = v < 0 ? 1 : 0;
        break;
    }
    table[v & 255] = code;
  }
  return table;
}

const PLANE_TABLES: Record<BitPrecision, Int8Array> = {
  bit2: buildPlaneTable('bit2'),
  ternary2b: buildPlaneTable('ternary2b'),
  fatnn: buildPlaneTable('fatnn'),
  binary: buildPlaneTable('binary'),
};

export interface PlaneLayout {
  readonly planes: number;
  /** 32-bit words per plane per group (1 for scalar 32-bit code, 2 for i64, 4 for v128). */
  readonly groupWords: number;
  /** Groups per row; K is padded with zero bits up to groups * groupWords * 32. */
  readonly groups: number;
  /** Words from one row to the next: groups * planes * groupWords. */
  readonly strideWords: number;
  /** Rows stored; rows past the real ones are all-zero so tiles can overrun them. */
  readonly rows: number;
}

export function planeLayout(
  precision: BitPrecision,
  K: number,
  rows: number,
  groupWords: number,
  opts: { groupMultiple?: number; rowMultiple?: number } = {},
): PlaneLayout {
  const planes = planeCount(precision);
  const groupMultiple = opts.groupMultiple ?? 1;
  const rowMultiple = opts.rowMultiple ?? 1;
  const groups = Math.ceil(Math.ceil(K / (32 * groupWords)) / groupMultiple) * groupMultiple;
  return {
    planes,
    groupWords,
    groups,
    strideWords: groups * planes * groupWords,
    rows: Math.ceil(rows / rowMultiple) * rowMultiple,
  };
}

/**
 * Packs `rows` rows of K logical values into `out` (layout above, starting at word `offset`).
 * Validates while packing: a value outside the precision's set throws a RangeError.
 */
export function packPlanes(
  precision: BitPrecision,
  values: LogicalArray,
  rows: number,
  K: number,
  layout: PlaneLayout,
  out: Uint32Array,
  offset = 0,
): void {
  const table = PLANE_TABLES[precision];
  const { planes, groupWords, strideWords } = layout;
  out.fill(0, offset, offset + layout.rows * strideWords);
  for (let r = 0; r < rows; r++) {
    const src = r * K;
    const rowBase = offset + r * strideWords;
    for (let k0 = 0; k0 < K; k0 += 32) {
      const wordIndex = k0 >>> 5;
      const group = (wordIndex / groupWords) | 0;
      const base = rowBase + group * planes * groupWords + (wordIndex - group * groupWords);
      const end = Math.min(32, K - k0);
      let p0 = 0;
      let p1 = 0;
      for (let b = 0; b < end; b++) {
        const v = values[src + k0 + b];
        const code = table[v & 255];
        if (code < 0 || v !== (v | 0)) throw new RangeError(`value ${v} at row ${r}, k ${k0 + b} is not a valid ${precision} value`);
        p0 |= (code & 1) << b;
        p1 |= (code >>> 1) << b;
      }
      out[base] = p0;
      if (planes > 1) out[base + groupWords] = p1;
    }
  }
}

/** sum_k v over each row: the per-row constants of the ternary2b offset correction. */
export function rowSums(values: LogicalArray, rows: number, K: number, out: Int32Array): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const base = r * K;
    for (let k = 0; k < K; k++) s += values[base + k];
    out[r] = s;
  }
}
