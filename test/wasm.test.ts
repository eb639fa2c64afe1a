// wasm backend behaviour beyond numerical correctness (which test/kernels.test.ts checks for
// every registered kernel): SIMD probe, memory limits and growth, repeated runs, isolation.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WasmKernel } from '../src/backends/wasm/kernels.js';
import { DISABLE_SIMD_ENV, WASM32_MAX_BYTES, wasmSimdSupported } from '../src/backends/wasm/loader.js';
import { UsageError } from '../src/errors.js';
import { randomOperands } from '../src/precisions.js';
import { referenceGemm } from '../src/reference.js';
import { createKernel, listKernels } from '../src/registry.js';
import type { Precision, Shape } from '../src/types.js';

const SIMD_KERNELS = ['fp32', 'int8', 'bit2', 'ternary2b', 'fatnn', 'binary'].map((p) => `${p}/wasm-simd128`);
const SCALAR_KERNELS = ['bit2', 'ternary2b', 'fatnn', 'binary'].map((p) => `${p}/wasm-scalar`);

function operands(precision: Precision, shape: Shape, seed: number) {
  return randomOperands(precision, shape, seed, { w: 'random', x: 'random' });
}

describe('wasm SIMD probe', () => {
  it('is cached and agrees with the registry', () => {
    const first = wasmSimdSupported();
    assert.equal(wasmSimdSupported(), first);
    const listed = listKernels().filter((k) => SIMD_KERNELS.includes(k.id));
    assert.equal(listed.length, SIMD_KERNELS.length);
    for (const k of listed) assert.equal(k.available, first, k.id);
  });

  it('lists every simd128 kernel as unavailable with a reason when SIMD is absent, scalar ones still run', () => {
    const registry = fileURLToPath(new URL('../src/registry.js', import.meta.url));
    const script = `import(${JSON.stringify(registry)}).then((r) => console.log(JSON.stringify(r.listKernels())))`;
    const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, [DISABLE_SIMD_ENV]: '1' } });
    const kernels = JSON.parse(out.toString()) as { id: string; available: boolean; reason?: string }[];
    for (const id of SIMD_KERNELS) {
      const k = kernels.find((x) => x.id === id);
      assert.deepEqual([k?.available, k?.reason], [false, 'needs WebAssembly SIMD'], id);
    }
    for (const id of SCALAR_KERNELS) assert.equal(kernels.find((x) => x.id === id)?.available, true, id);
  });
});

describe('wasm memory', () => {
  it('rejects a shape beyond the wasm32 limit with a UsageError naming the limit', async () => {
    // Every operand within the tool's 2^30-element limit, but C alone is 4 GiB of int32.
    const huge = { M: 1 << 15, N: 1 << 15, K: 1 << 14 };
    for (const id of ['fp32/wasm-simd128', 'fatnn/wasm-simd128', 'binary/wasm-scalar']) {
      await assert.rejects(createKernel(id, huge), (err: unknown) => {
        assert.ok(err instanceof UsageError, String(err));
        assert.match(err.message, /wasm32 limit of 4\.0 GiB/);
        assert.match(err.message, new RegExp(id));
        return true;
      });
    }
  });

  it('grows linear memory for a large operand and still computes exactly', async () => {
    const shape = { M: 3, N: 40000, K: 2100 };
    const { w, x } = operands('fatnn', shape, 11);
    const kernel = await createKernel('fatnn/wasm-simd128', shape);
    assert.ok(kernel instanceof WasmKernel);
    // X alone is 40000 rows x 11 groups x 48 bytes, far beyond the module's initial memory.
    assert.ok(kernel.memoryBytes > 20e6, `memory is ${kernel.memoryBytes} bytes`);
    assert.ok(kernel.memoryBytes <= WASM32_MAX_BYTES);
    kernel.setWeights(w);
    kernel.setActivations(x);
    await kernel.run();
    assert.deepEqual(kernel.result(), referenceGemm('fatnn', shape, w, x));
    await kernel.dispose();
  });
});

describe('wasm kernel lifecycle', () => {
  it('gives the same result on repeated run() calls', async () => {
    const shape = { M: 9, N: 13, K: 700 };
    for (const id of [...SIMD_KERNELS, ...SCALAR_KERNELS]) {
      const precision = id.split('/')[0] as Precision;
      const { w, x } = operands(precision, shape, 5);
      const expected = referenceGemm(precision, shape, w, x);
      const kernel = await createKernel(id, shape);
      kernel.setWeights(w);
      kernel.setActivations(x);
      for (let i = 0; i < 3; i++) {
        await kernel.run();
        assert.deepEqual(kernel.result(), expected, `${id} run ${i}`);
      }
      await kernel.dispose();
    }
  });

  it('re-packs new activations in place for the next run', async () => {
    const shape = { M: 6, N: 10, K: 600 };
    const a = operands('ternary2b', shape, 1);
    const b = operands('ternary2b', shape, 2);
    const kernel = await createKernel('ternary2b/wasm-simd128', shape);
    kernel.setWeights(a.w);
    kernel.setActivations(a.x);
    await kernel.run();
    assert.deepEqual(kernel.result(), referenceGemm('ternary2b', shape, a.w, a.x));
    kernel.setActivations(b.x);
    await kernel.run();
    assert.deepEqual(kernel.result(), referenceGemm('ternary2b', shape, a.w, b.x));
  });

  it('packs every valid int8 value and rejects every other one, naming it', async () => {
    const shape = { M: 3, N: 3, K: 70 };
    const valid: Record<string, readonly number[]> = { bit2: [0, 1, 2, 3], ternary2b: [-1, 0, 1], fatnn: [-1, 0, 1], binary: [-1, 1] };
    // (row, k): inside a full 32-value word (the first, a middle and the last byte of the
    // wasm-scalar packer's 8-value loads), and in the final partial word of a row.
    const places = [[0, 5], [1, 40], [1, 63], [2, 69]] as const;
    for (const id of [...SIMD_KERNELS, ...SCALAR_KERNELS]) {
      const precision = id.split('/')[0] as Precision;
      const set = valid[precision];
      if (!set) continue;
      const kernel = await createKernel(id, shape);
      const { w, x } = operands(precision, shape, 9);
      kernel.setWeights(w);
      for (const [row, k] of places) {
        for (let v = -128; v < 128; v++) {
          const xv = x.slice() as Int8Array;
          xv[row * shape.K + k] = v;
          if (set.includes(v)) {
            kernel.setActivations(xv);
            await kernel.run();
            assert.deepEqual(kernel.result(), referenceGemm(precision, shape, w, xv), `${id} value ${v}`);
          } else {
            assert.throws(() => kernel.setActivations(xv), new RegExp(`value ${v} at row ${row}, k ${k} is not a valid ${precision} value`), `${id} value ${v}`);
          }
        }
      }
    }
  });

  it('keeps each kernel instance in its own linear memory', async () => {
    const shape = { M: 4, N: 4, K: 300 };
    const a = operands('binary', shape, 3);
    const b = operands('binary', shape, 4);
    const ka = await createKernel('binary/wasm-simd128', shape);
    const kb = await createKernel('binary/wasm-simd128', shape);
    ka.setWeights(a.w);
    ka.setActivations(a.x);
    kb.setWeights(b.w);
    kb.setActivations(b.x);
    await ka.run();
    await kb.run();
    assert.deepEqual(ka.result(), referenceGemm('binary', shape, a.w, a.x));
    assert.deepEqual(kb.result(), referenceGemm('binary', shape, b.w, b.x));
  });
});
