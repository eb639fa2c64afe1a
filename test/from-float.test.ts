// The fromFloat view's packers: every fused path (native C per ISA) packs exactly what the
// reference quantizer + the kernel's own packActivations pack, byte for byte, on edge shapes
// (K = 1, word multiples +-1, tiny and odd M/N, swapped plans) and edge floats (thresholds
// and their float32 neighbours, +-0, subnormals, huge values, +-Infinity); NaN is rejected
// naming its place; the generic path of every registry kernel gives the reference GEMM.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nativeAddon, NATIVE_ISAS, type NativeIsa } from '../src/backends/native/addon.js';
import { packPlanesFromFloat } from '../src/backends/js/from-float-packing.js';
import { nativeKernels } from '../src/backends/native/index.js';
import { packPlanes, planeLayout, rowSums, type BitPrecision } from '../src/packing.js';
import { ceilF32, DEFAULT_QUANTIZERS, fusedQuantizerArgs, randomFloatActivations } from '../src/from-float.js';
import { randomLogical } from '../src/precisions.js';
import { quantize, quantizeValue, type QuantizerParams } from '../src/quantize.js';
import { referenceGemm } from '../src/reference.js';
import { KERNELS } from '../src/registry.js';
import { createRng } from '../src/rng.js';
import { PRECISIONS, type Precision, type Shape } from '../src/types.js';

const addon = nativeAddon();

/** Quantizers with thresholds that are not float32 values (0.1, 1/3): ceilF32 must keep them exact. */
const AWKWARD: Partial<Record<Precision, QuantizerParams>> = {
  fatnn: { precision: 'fatnn', low: -1 / 3, high: 0.1 },
  ternary2b: { precision: 'ternary2b', low: -0.1, high: -0.1 },
  bit2: { precision: 'bit2', thresholds: [-0.1, 0.1, 0.1] },
  int8: { precision: 'int8', scale: 0.1 },
  binary: { precision: 'binary' },
};

function nextUp(v: number): number {
  if (v === 0) return 2 ** -149;
  if (!Number.isFinite(v)) return v;
  const f = new Float32Array([v]);
  const bits = new Int32Array(f.buffer);
  bits[0] = bits[0]! + (v > 0 ? 1 : -1);
  return f[0]!;
}

/** Floats around every threshold of q plus the special values, repeated to fill n. */
function edgeFloats(q: QuantizerParams, n: number, seed: number): Float32Array {
  const t: number[] = q.precision === 'fatnn' || q.precision === 'ternary2b' ? [q.low, q.high] : q.precision === 'bit2' ? [...q.thresholds] : q.precision === 'int8' ? [0.5 * q.scale, -0.5 * q.scale, 127.5 * q.scale, -128.5 * q.scale, 1.5 * q.scale] : [0];
  const points = [0, -0, 1e-45, -1e-45, 1.1754942e-38, -1.1754942e-38, 3.4028234e38, -3.4028234e38, 1e30, -1e30, Infinity, -Infinity];
  for (const v of t) {
    const f = Math.fround(v);
    points.push(v, f, nextUp(f), -nextUp(-f));
  }
  const rng = createRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng() & 1 ? points[rng() % points.length]! : (rng() / 2 ** 32 - 0.5) * 6;
  return out;
}

const SHAPES: Shape[] = [1, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 577].flatMap((K) => [
  { M: 1, N: 1, K },
  { M: 3, N: 5, K },
  { M: 64, N: 49, K }, // the plan puts W on the lanes (swapped): X is the broadcast side
  { M: 2, N: 37, K },
]);

describe('ceilF32 makes float32 compares equal the double ones', () => {
  it('x < t iff x < ceilF32(t), x >= t iff x >= ceilF32(t), around awkward thresholds', () => {
    for (const t of [0.1, -0.1, 1 / 3, -1 / 3, 1e-46, -1e-46, 3.5e38, -3.5e38, 0, 2 ** -149]) {
      const c = ceilF32(t);
      const f = Math.fround(t);
      for (const x of [f, nextUp(f), -nextUp(-f), c, nextUp(c), -nextUp(-c), Infinity, -Infinity, 0, -0]) {
        assert.equal(x < t, x < c, `x ${x} t ${t}`);
        assert.equal(x >= t, x >= c, `x ${x} t ${t}`);
      }
    }
  });
});

describe('native fused fromFloat packing equals reference quantizer + pack', { skip: addon?.packFromFloat ? false : 'native addon without packFromFloat' }, () => {
  for (const isa of Object.keys(NATIVE_ISAS) as NativeIsa[]) {
    for (const precision of PRECISIONS) {
      if (precision === 'fp32') continue;
      const decl = nativeKernels.find((k) => k.id === `${precision}/native-${isa}`)!;
      const skip = decl.availability().available ? false : decl.availability().reason;
      for (const [label, q] of [['default', DEFAULT_QUANTIZERS[precision]], ['awkward thresholds', AWKWARD[precision]!]] as const) {
        it(`${decl.id}, ${label} quantizer: byte-identical on edge shapes and edge floats`, { skip }, () => {
          const code = PRECISIONS.indexOf(precision);
          const args = fusedQuantizerArgs(q);
          let seed = 1;
          for (const s of SHAPES) {
            const plan = addon!.plan(NATIVE_ISAS[isa], code, s.M, s.N, s.K);
            const x = edgeFloats(q, s.N * s.K, seed++);
            const expected = new Uint8Array(plan.xBytes).fill(0xa5);
            const actual = new Uint8Array(plan.xBytes).fill(0x5a); // stale bytes must all be overwritten
            const quantized = quantize(q, x) as Int8Array;
            assert.equal(addon!.pack(NATIVE_ISAS[isa], code, s.M, s.N, s.K, 1, quantized, expected), -1);
            const scratch: Int8Array | undefined = precision === 'int8' ? new Int8Array(s.N * s.K) : undefined;
            assert.equal(addon!.packFromFloat!(NATIVE_ISAS[isa], code, s.M, s.N, s.K, x, args, actual, scratch), -1);
            assert.deepEqual(actual, expected, `${decl.id} ${s.M}x${s.N}x${s.K} (swapped: ${plan.swapped})`);
          }
        });
      }
      it(`${decl.id}: a NaN is rejected with its row and k, through the kernel`, { skip }, async () => {
        const shape = { M: 2, N: 3, K: 70 };
        const kernel = await decl.create(shape, { threads: 1 });
        const x = randomFloatActivations(DEFAULT_QUANTIZERS[precision], shape.N * shape.K, 5);
        x[1 * 70 + 66] = NaN;
        x[2 * 70 + 3] = NaN;
        assert.throws(() => kernel.setActivationsFromFloat!(x, DEFAULT_QUANTIZERS[precision]), /NaN at row 1, k 66/);
        await kernel.dispose();
      });
    }
  }
});

describe('js fused fromFloat packing equals reference quantizer + packPlanes', () => {
  for (const precision of ['fatnn', 'ternary2b', 'bit2', 'binary'] as const) {
    for (const [label, q] of [['default', DEFAULT_QUANTIZERS[precision]], ['awkward thresholds', AWKWARD[precision]!]] as const) {
      it(`${precision}, ${label} quantizer: word-identical for 1, 2, 4 and 6 words per group, row sums equal`, () => {
        let seed = 100;
        for (const s of SHAPES) {
          for (const groupWords of [1, 2, 4, 6]) {
            const layout = planeLayout(precision, s.K, s.N, groupWords, { rowMultiple: 2, groupMultiple: groupWords === 4 ? 2 : 1 });
            const x = edgeFloats(q, s.N * s.K, seed++);
            const quantized = quantize(q, x) as Int8Array;
            const expected = new Uint32Array(3 + layout.rows * layout.strideWords).fill(0xa5a5a5a5);
            const actual = expected.slice().fill(0x5a5a5a5a, 3);
            packPlanes(precision as BitPrecision, quantized, s.N, s.K, layout, expected, 3);
            const sums = new Int32Array(s.N);
            assert.equal(packPlanesFromFloat(q as typeof q & { precision: BitPrecision }, x, s.N, s.K, layout, actual, 3, sums), -1);
            assert.deepEqual(actual, expected, `${s.N}x${s.K}, ${groupWords} words per group`);
            const refSums = new Int32Array(s.N);
            rowSums(quantized, s.N, s.K, refSums);
            if (precision === 'ternary2b') assert.deepEqual(sums, refSums);
          }
        }
      });
    }
  }
});

describe('js and wasm kernels reject a NaN from float with its row and k', () => {
  for (const decl of KERNELS.filter((k) => (k.backend === 'js' || k.backend === 'wasm') && k.precision !== 'fp32')) {
    const a = decl.availability();
    it(decl.id, { skip: a.available ? false : a.reason }, async () => {
      const shape = { M: 2, N: 3, K: 70 };
      const kernel = await decl.create(shape, { threads: 1 });
      const q = DEFAULT_QUANTIZERS[decl.precision];
      const x = randomFloatActivations(q, shape.N * shape.K, 5);
      x[2 * 70 + 3] = NaN;
      assert.throws(() => kernel.setActivationsFromFloat!(x, q), /NaN at (row 2, k 3|index 143)/);
      await kernel.dispose();
    });
  }
});

describe('every kernel from float gives the reference GEMM over the reference-quantized activations', () => {
  for (const decl of KERNELS) {
    const a = decl.availability();
    it(`${decl.id}`, { skip: a.available ? false : a.reason }, async () => {
      for (const shape of [{ M: 3, N: 5, K: 65 }, { M: 16, N: 49, K: 128 }]) {
        const q = decl.precision === 'fp32' ? DEFAULT_QUANTIZERS.fp32 : AWKWARD[decl.precision]!;
        const kernel = await decl.create(shape, { threads: 2 });
        try {
          const w = randomLogical(decl.precision, shape.M * shape.K, 3);
          // fp32 keeps exact small-integer floats (its reference sums are then exact).
          const x = decl.precision === 'fp32' ? (randomLogical('fp32', shape.N * shape.K, 4) as Float32Array) : edgeFloats(q, shape.N * shape.K, 9);
          const xq = decl.precision === 'fp32' ? x : Int8Array.from(x, (v) => quantizeValue(q, v));
          kernel.setWeights(w);
          if (kernel.setActivationsFromFloat) kernel.setActivationsFromFloat(x, q);
          else kernel.setActivations(quantize(q, x));
          await kernel.run();
          assert.deepEqual(kernel.result(), referenceGemm(decl.precision, shape, w, xq));
        } finally {
          await kernel.dispose();
        }
      }
    });
  }
});

describe('randomFloatActivations', () => {
  it('reaches every level of each default quantizer, thresholds included, deterministically', () => {
    for (const p of PRECISIONS) {
      const q = DEFAULT_QUANTIZERS[p];
      const x = randomFloatActivations(q, 4096, 11);
      assert.deepEqual(x, randomFloatActivations(q, 4096, 11));
      if (p === 'fp32') continue;
      const levels = new Set(Array.from(x, (v) => quantizeValue(q, v)));
      const want = p === 'int8' ? [-128, 127, 0] : p === 'bit2' ? [0, 1, 2, 3] : p === 'binary' ? [-1, 1] : [-1, 0, 1];
      for (const l of want) assert.ok(levels.has(l), `${p} level ${l}`);
    }
  });
});
