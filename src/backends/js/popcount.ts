// Population count of a 32-bit word for JavaScript, which has no popcount instruction.

/** SWAR popcount: 2-, 4-, 8-bit partial sums, then one multiply gathers the bytes. */
export function popcnt32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  v = (v + (v >>> 4)) & 0x0f0f0f0f;
  return Math.imul(v, 0x01010101) >>> 24;
}
