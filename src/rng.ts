// Seeded PRNG so every failing case can be replayed from its seed.

/** mulberry32: tiny, fast, good enough for test data; returns uint32 values. */
export function createRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Integer uniformly in [lo, hi]. */
export function randomInt(rng: () => number, lo: number, hi: number): number {
  return lo + (rng() % (hi - lo + 1));
}
