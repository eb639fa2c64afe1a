// The fromFloat view's fused packer for the js and wasm bit kernels (issue #14 item 4): float32
// activations straight to the bit planes of packing.ts's layout, the quantizer's compares
// giving the plane bits (no Int8Array in between, no table lookup). It writes exactly what
// packPlanes(quantize(q, x)) writes (test/from-float.test.ts); the compares are on the float
// values as doubles against the thresholds as given, i.e. the reference's own arithmetic.

import type { BitPrecision, PlaneLayout } from '../../packing.js';
import type { QuantizerParams } from '../../quantize.js';

/**
 * Packs `rows` rows of K floats into `out` (layout from planeLayout, from word `offset`) and,
 * when `sums` is given, stores each row's sum of quantized values there (ternary2b's offset
 * correction). Returns -1, or the index of the first NaN (then `out` is partly written).
 * Every plane bit is computed branch-free: random activations mispredict any per-value branch.
 */
export function packPlanesFromFloat(
  q: QuantizerParams & { precision: BitPrecision },
  x: Float32Array,
  rows: number,
  K: number,
  layout: PlaneLayout,
  out: Uint32Array,
  offset = 0,
  sums?: Int32Array,
): number {
  const { planes, groupWords, strideWords } = layout;
  out.fill(0, offset + rows * strideWords, offset + layout.rows * strideWords);
  // K padding inside a row is rewritten below word by word, but groups past K's last word are not.
  const wordsPerRow = Math.ceil(K / 32);
  const padded = layout.groups * groupWords > wordsPerRow;
  const t0 = q.precision === 'bit2' ? q.thresholds[0] : q.precision === 'binary' ? 0 : q.low;
  const t1 = q.precision === 'bit2' ? q.thresholds[1] : q.precision === 'binary' ? 0 : q.high;
  const t2 = q.precision === 'bit2' ? q.thresholds[2] : 0;
  const kind = KIND[q.precision];
  let nans = 0;
  for (let r = 0; r < rows; r++) {
    const rowBase = offset + r * strideWords;
    if (padded) out.fill(0, rowBase, rowBase + strideWords);
    let pos = 0;
    let zero = 0;
    for (let w = 0; w < wordsPerRow; w++) {
      const src = r * K + w * 32;
      const end = Math.min(32, K - w * 32);
      let p0 = 0;
      let p1 = 0;
      switch (kind) {
        case FATNN: // zero plane, sign plane
          for (let b = 0; b < end; b++) {
            const v = x[src + b]!;
            nans += +(v !== v);
            const neg = +(v < t0);
            p0 |= (1 - neg - +(v >= t1)) << b;
            p1 |= neg << b;
          }
          break;
        case TERNARY2B: // offset code t + 1: plane 0 for t = 0, plane 1 for t = +1
          for (let b = 0; b < end; b++) {
            const v = x[src + b]!;
            nans += +(v !== v);
            const hi = +(v >= t1);
            p0 |= (1 - +(v < t0) - hi) << b;
            p1 |= hi << b;
          }
          break;
        case BIT2: // level = thresholds reached (they ascend): bit 0 and bit 1 of it
          for (let b = 0; b < end; b++) {
            const v = x[src + b]!;
            nans += +(v !== v);
            const level = +(v >= t0) + +(v >= t1) + +(v >= t2);
            p0 |= (level & 1) << b;
            p1 |= (level >>> 1) << b;
          }
          break;
        default: // binary: sign
          for (let b = 0; b < end; b++) {
            const v = x[src + b]!;
            nans += +(v !== v);
            p0 |= +(v < 0) << b;
          }
      }
      const group = (w / groupWords) | 0;
      const at = rowBase + group * planes * groupWords + (w - group * groupWords);
      out[at] = p0;
      if (planes > 1) out[at + groupWords] = p1;
      if (sums) {
        zero += popcount(p0);
        pos += popcount(p1);
      }
    }
    // ternary2b: sum_k t = pos - neg, with neg = K - pos - zero
    if (sums) sums[r] = 2 * pos + zero - K;
  }
  if (nans === 0) return -1;
  for (let i = 0; i < rows * K; i++) if (x[i] !== x[i]) return i;
  return -1;
}

const FATNN = 0, TERNARY2B = 1, BIT2 = 2, BINARY = 3;
const KIND: Record<BitPrecision, number> = { fatnn: FATNN, ternary2b: TERNARY2B, bit2: BIT2, binary: BINARY };

function popcount(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** The RangeError every fused path throws for a NaN, naming its row and k. */
export function nanError(precision: string, index: number, K: number): RangeError {
  const row = Math.floor(index / K);
  return new RangeError(`${precision} quantizer: NaN at row ${row}, k ${index - row * K} of the float activations`);
}
