// The wasm float packers (kernels/simd128.ts packFloat and quantizeInt8Panels, kernels/scalar.ts
// quantizeFloats) and the workers' from-float path: every wasm and workers-wasm kernel quantizes float activations exactly as
// the reference quantizer does, checked through its GEMM against referenceGemm on the
// reference-quantized X, on K at word, group and chunk boundaries +-1, floats on every
// threshold and its float32 neighbours (ceilF32), +-Infinity, and non-default quantizers;
// a NaN anywhere (first value, last value, inside the last partial word) is rejected with the
// js path's message (nanError: row and k), and stale floats of an earlier call never count.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ceilF32, DEFAULT_QUANTIZERS } from '../src/from-float.js';
import { randomLogical, randomOperands } from '../src/precisions.js';
import { quantizeValue, type QuantizerParams } from '../src/quantize.js';
import { referenceGemm } from '../src/reference.js';
import { KERNELS } from '../src/registry.js';
import { FAULT_SOURCE, FAULTY_KERNELS } from '../src/backends/workers/fault-injection.js';
import { shutdownWorkerPools, workerVariant } from '../src/backends/workers/index.js';
import { createRng } from '../src/rng.js';
import type { Kernel, KernelDeclaration, Precision, Shape } from '../src/types.js';

after(() => shutdownWorkerPools());

function nextUp(v: number): number {
  if (!Number.isFinite(v)) return v;
  if (v === 0) return 2 ** -149;
  const f = new Float32Array([v]);
  const bits = new Int32Array(f.buffer);
  bits[0] = bits[0]! + (v > 0 ? 1 : -1);
  return f[0]!;
}
const nextDown = (v: number): number => -nextUp(-v);

/** Quantizers per precision: the default, thresholds that are not float32 values, coinciding ones, and ones past the float32 range. */
const QUANTIZERS: Record<Exclude<Precision, 'fp32'>, QuantizerParams[]> = {
  fatnn: [DEFAULT_QUANTIZERS.fatnn, { precision: 'fatnn', low: -1 / 3, high: 0.1 }, { precision: 'fatnn', low: 0.2, high: 0.2 }, { precision: 'fatnn', low: -3.5e38, high: 3.5e38 }, { precision: 'fatnn', low: 1e-46, high: 2e-46 }],
  ternary2b: [DEFAULT_QUANTIZERS.ternary2b, { precision: 'ternary2b', low: -0.1, high: -0.1 }, { precision: 'ternary2b', low: -3.5e38, high: 1 / 3 }],
  bit2: [DEFAULT_QUANTIZERS.bit2, { precision: 'bit2', thresholds: [-0.1, 0.1, 0.1] }, { precision: 'bit2', thresholds: [-3.5e38, 1e-46, 3.5e38] }],
  binary: [DEFAULT_QUANTIZERS.binary],
  int8: [DEFAULT_QUANTIZERS.int8, { precision: 'int8', scale: 0.1 }, { precision: 'int8', scale: 3 }, { precision: 'int8', scale: 1e-40 }],
};

function thresholdsOf(q: QuantizerParams): number[] {
  switch (q.precision) {
    case 'fatnn':
    case 'ternary2b':
      return [q.low, q.high];
    case 'bit2':
      return [...q.thresholds];
    case 'int8': // the rounding and clamping points
      return [0.5, -0.5, 1.5, -1.5, 2.5, 126.5, 127.5, -127.5, -128.5].map((v) => v * q.scale);
    default:
      return [0];
  }
}

/** Floats on, just below and just above every threshold (as given, as float32, as ceilF32), the special values, and random ones. */
function edgeFloats(q: QuantizerParams, n: number, seed: number): Float32Array {
  const points = [0, -0, 2 ** -149, -(2 ** -149), 3.4028234663852886e38, -3.4028234663852886e38, Infinity, -Infinity, 1e30, -1e30];
  for (const t of thresholdsOf(q)) {
    for (const v of [Math.fround(t), ceilF32(t)]) points.push(v, nextUp(v), nextDown(v));
  }
  const finite = points.filter(Number.isFinite);
  const span = Math.max(1, ...finite.filter((v) => Math.abs(v) < 1e6).map(Math.abs));
  const rng = createRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng() & 1 ? points[rng() % points.length]! : (rng() / 2 ** 32 - 0.5) * 3 * span;
  return out;
}

// K at word (32), simd group (128), hybrid group (192) and scalar group (64) multiples +-1; 1921
// runs fatnnCSLong (> 15 groups of 128). N = 70 with K = 129 spans two float chunks of the
// simd128 packer (63 rows of 129 floats each), N = 2000 with K = 1 too (chunk 8192 rows: no).
const SHAPES: Shape[] = [
  ...[1, 31, 32, 33, 63, 64, 65, 127, 128, 129, 191, 192, 193, 255, 256, 257, 383, 384, 385, 577].flatMap((K) => [
    { M: 1, N: 1, K },
    { M: 3, N: 5, K },
    { M: 2, N: 37, K },
  ]),
  { M: 5, N: 70, K: 129 },
  { M: 4, N: 130, K: 576 },
  { M: 3, N: 9, K: 1921 },
];

const wasmish = (d: KernelDeclaration): boolean => d.precision !== 'fp32' && (d.backend === 'wasm' || (d.backend === 'workers' && d.id.includes('/workers-wasm-')));
const DECLS = KERNELS.filter(wasmish);

async function withKernel(decl: KernelDeclaration, shape: Shape, body: (k: Kernel) => Promise<void>): Promise<void> {
  const kernel = await decl.create(shape, { threads: 2 });
  try {
    await body(kernel);
  } finally {
    await kernel.dispose();
  }
}

describe('wasm and workers-wasm kernels from float equal reference quantize + GEMM', () => {
  it('covers every wasm precision and the workers-wasm variants', () => {
    const ids = DECLS.map((d) => d.id);
    for (const id of ['fatnn/wasm-simd128', 'ternary2b/wasm-simd128', 'bit2/wasm-simd128', 'binary/wasm-simd128', 'int8/wasm-simd128', 'fatnn/wasm-scalar', 'fatnn/workers-wasm-simd128']) {
      assert.ok(ids.includes(id), id);
    }
  });
  for (const decl of DECLS) {
    const a = decl.availability();
    const precision = decl.precision as Exclude<Precision, 'fp32'>;
    it(`${decl.id}: edge shapes, edge floats, ${QUANTIZERS[precision].length} quantizers`, { skip: a.available ? false : a.reason }, async () => {
      let seed = 1;
      // workers: fewer shapes (every create starts a share in each worker)
      const shapes = decl.backend === 'workers' ? SHAPES.filter((_, i) => i % 4 === 0 || i >= SHAPES.length - 3) : SHAPES;
      for (const shape of shapes) {
        await withKernel(decl, shape, async (kernel) => {
          const w = randomLogical(precision, shape.M * shape.K, seed++);
          kernel.setWeights(w);
          for (const q of QUANTIZERS[precision]) {
            const x = edgeFloats(q, shape.N * shape.K, seed++);
            const xq = Int8Array.from(x, (v) => quantizeValue(q, v));
            kernel.setActivationsFromFloat!(x, q);
            await kernel.run();
            assert.deepEqual(kernel.result(), referenceGemm(precision, shape, w, xq), `${decl.id} ${shape.M}x${shape.N}x${shape.K} ${JSON.stringify(q)}`);
          }
        });
      }
    });
  }
});

// Every workers kernel (js and native bases too) packs from float in its threads now.
const NAN_DECLS = KERNELS.filter((d) => d.precision !== 'fp32' && (d.backend === 'wasm' || d.backend === 'workers'));

describe('wasm and workers kernels reject a NaN from float as the js path does', () => {
  for (const decl of NAN_DECLS) {
    const a = decl.availability();
    it(`${decl.id}: first value, last value, inside the last partial word; the message names row and k`, { skip: a.available ? false : a.reason }, async () => {
      const shape = { M: 2, N: 5, K: 70 };
      const q = DEFAULT_QUANTIZERS[decl.precision];
      await withKernel(decl, shape, async (kernel) => {
        kernel.setWeights(randomLogical(decl.precision, shape.M * shape.K, 3));
        for (const [index, where] of [[0, 'row 0, k 0'], [shape.N * shape.K - 1, 'row 4, k 69'], [3 * 70 + 66, 'row 3, k 66']] as const) {
          const x = edgeFloats(q, shape.N * shape.K, index);
          x[index] = NaN;
          assert.throws(() => kernel.setActivationsFromFloat!(x, q), (err: Error) => {
            assert.equal(err.name, 'RangeError');
            assert.ok(err.message.includes(`${decl.precision} quantizer: NaN at ${where} of the float activations`), err.message);
            return true;
          });
        }
      });
    });
  }
});

describe('wasm from float: a rejected NaN leaves nothing behind', () => {
  for (const decl of DECLS) {
    const a = decl.availability();
    it(`${decl.id}: after a NaN, a NaN-free input is accepted and exact`, { skip: a.available ? false : a.reason }, async () => {
      // K = 129, N = 70: two float chunks in the simd128 packer, the second one shorter, so its
      // partial words read floats the first chunk left behind.
      const shape = { M: 2, N: 70, K: 129 };
      const q = DEFAULT_QUANTIZERS[decl.precision];
      await withKernel(decl, shape, async (kernel) => {
        const w = randomLogical(decl.precision, shape.M * shape.K, 3);
        kernel.setWeights(w);
        const first = edgeFloats(q, shape.N * shape.K, 4);
        first[64 * shape.K + 5] = NaN;
        assert.throws(() => kernel.setActivationsFromFloat!(first, q), /NaN at row 64, k 5 /);
        const second = edgeFloats(q, shape.N * shape.K, 5);
        kernel.setActivationsFromFloat!(second, q);
        await kernel.run();
        assert.deepEqual(kernel.result(), referenceGemm(decl.precision, shape, w, Int8Array.from(second, (v) => quantizeValue(q, v))));
      });
    });
  }
});

describe('workers from float after a pool fault', () => {
  const decl = KERNELS.find((d) => d.id === 'fatnn/workers-wasm-simd128')!;
  const a = decl.availability();
  it('a kernel moved to a fresh pool re-packs X from its floats, not from the stale logical X', { skip: a.available ? false : a.reason }, async () => {
    const shape = { M: 6, N: 40, K: 70 };
    const q = DEFAULT_QUANTIZERS.fatnn;
    const w = randomLogical('fatnn', shape.M * shape.K, 3);
    const x = edgeFloats(q, shape.N * shape.K, 4);
    const sibling = await decl.create(shape, { threads: 2 });
    const faultyBase = FAULTY_KERNELS.find((k) => k.id === 'fatnn/js-faulty-throw')!;
    const faulty = await workerVariant(faultyBase, { source: FAULT_SOURCE }).create({ M: 8, N: 64, K: 100 }, { threads: 2 });
    try {
      sibling.setWeights(w);
      sibling.setActivationsFromFloat!(x, q); // the logical X in shared memory stays all zero
      await sibling.run();
      const ops = randomOperands('fatnn', { M: 8, N: 64, K: 100 }, 1);
      faulty.setWeights(ops.w);
      faulty.setActivations(ops.x);
      assert.throws(() => faulty.run(), /injected fault; the worker pool was shut down/);
      const expected = referenceGemm('fatnn', shape, w, Int8Array.from(x, (v) => quantizeValue(q, v)));
      assert.deepEqual(sibling.result(), expected);
      await sibling.run();
      assert.deepEqual(sibling.result(), expected);
    } finally {
      await sibling.dispose();
      await faulty.dispose();
    }
  });
});
