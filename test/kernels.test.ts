// Every available kernel in the registry against the exact reference: edge shapes, random
// shapes and extreme values. New backends are covered as soon as they are registered.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KERNELS } from '../src/registry.js';
import { createRng, randomInt } from '../src/rng.js';
import { edgeShapes, shapeLabel } from '../src/shapes.js';
import type { Shape } from '../src/types.js';
import { describeFailure, verifyCase, verifyCasesFor } from '../src/verify.js';

function randomShapes(seed: number, count: number): Shape[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => ({ M: randomInt(rng, 1, 40), N: randomInt(rng, 1, 40), K: randomInt(rng, 1, 700) }));
}

/**
 * K where a kernel changes its popcount loop: native carry-save from 3 64-bit k-steps (129) and
 * byte counters widened every 31 k-steps (1984 | 1985); wasm-simd128 fatnn carry-save from
 * 3 128-bit groups (256 | 257, 384 | 385) with byte counters widened every 31 groups
 * (3968 | 3969), hybrid 192-bit groups (192 | 193). wasm-simd128 fatnn's last half group
 * (K mod 128 in 1..64) through i64.popcnt (319 | 320 | 321, 1983 | 1984 | 1985, 3904 | 3905)
 * and its byte epilogue up to 15 groups, the 31-group loop above (1919 | 1920 | 1921, 3840 | 3841). js fatnn's byte
 * counts from K = 257 on (256 | 257) in chunks of 31 words (992 | 993, 1984 | 1985, 2976 | 2977).
 * binary/js Harley-Seal from K = 225 (224 | 225) in chunks of 62 words (1984 | 1985, 3968 | 3969),
 * an odd last word (257, 1985). bit2/ternary2b js carry-save byte counts in chunks of 10 words
 * (319 | 320 | 321, 640 | 641). Native AVX2/NEON bit2/ternary2b carry-save from 2 64-bit k-steps
 * (64 | 65) with byte counts widened every 10 k-steps (640 | 641, 1280 | 1281).
 * ternary2b/wasm-simd128: the one-level carry-save loop up to 4 128-bit groups, the chain from 5
 * (512 | 513), K = 64 all in the i64 half group, a half group after whole ones (320, 576 | 577,
 * 640 | 641), the chain's byte counts widened every 31 groups (3968 | 3969, 4032 | 4033).
 * ternary2b/js chain: byte counts in chunks of 31 words (992 | 993, 1984 | 1985).
 * wasm-simd128 on x86 counts on i64 lanes (test/wasm-popcount-form.test.ts checks both forms on
 * every host): ternary2b's one-level form for one group, the chain from two (128 | 129).
 */
const POPCOUNT_FORM_SHAPES: Shape[] = [
  64, 65, 128, 129, 512, 513, 576, 577, 4032, 4033, 1280, 1281, 192, 193, 224, 225, 319, 320, 321, 384, 385, 640, 641, 992, 993, 1919, 1920, 1921, 1983, 1984, 1985, 2976, 2977, 3840, 3841, 3904, 3905, 3968, 3969,
].map((K) => ({ M: 3, N: 5, K }));

const SHAPES: Shape[] = [
  ...edgeShapes(), ...POPCOUNT_FORM_SHAPES, ...randomShapes(7, 6), { M: 64, N: 96, K: 576 }, { M: 33, N: 65, K: 1152 },
];

/**
 * All max x all max fills the byte counters fastest (the verify cases' extremes give bit2 and
 * ternary2b zero products): ternary2b's chain then carries 8 per byte and step (every hh bit set),
 * bit2's carry-save loop ~18. K at the js and wasm chunk boundaries above; the native kernels have
 * their own test of this in native.test.ts.
 */
const ALL_MAX_KS = [64, 320, 576, 640, 641, 992, 993, 1984, 1985, 3968, 3969, 4608];

describe('bit2 and ternary2b byte counters at saturating values (js, wasm)', () => {
  const decls = KERNELS.filter((k) => (k.precision === 'bit2' || k.precision === 'ternary2b') && (k.backend === 'js' || k.backend === 'wasm'));
  for (const decl of decls) {
    const availability = decl.availability();
    it(`${decl.id} is exact on all-max operands at its chunk boundaries`, { skip: availability.available ? false : availability.reason }, async () => {
      for (const K of ALL_MAX_KS) {
        const failure = await verifyCase(decl, { shape: { M: 3, N: 5, K }, seed: 9, modes: { w: 'max', x: 'max' } });
        assert.equal(failure && describeFailure(failure), null, `K = ${K}`);
      }
    });
  }
});

for (const decl of KERNELS) {
  const availability = decl.availability();
  describe(decl.id, { skip: availability.available ? false : availability.reason }, () => {
    for (const shape of SHAPES) {
      it(`matches the reference on ${shapeLabel(shape)}`, async () => {
        for (const c of verifyCasesFor(shape, 1000 + shape.K)) {
          const failure = await verifyCase(decl, c, { threads: 2 });
          assert.equal(failure && describeFailure(failure), null);
        }
      });
    }
  });
}
