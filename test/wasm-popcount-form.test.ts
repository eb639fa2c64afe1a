// The two popcount forms of the simd128 fatnn and ternary2b loops (kernels/simd128.ts,
// "Popcounts on i64 lanes"): each host runs one of them by default (i64 lanes on x86, i8x16.popcnt
// byte counts elsewhere, src/backends/wasm/popcount-form.ts), so both are checked here on every
// host, forced through FATNN_WASM_POPCOUNT, against the exact reference at the K where their
// loops change: the half group (K mod 128 in 1..64), one and two groups (ternary2b's one-level
// and chain forms on lanes: 128 | 129), the byte-count forms' boundaries (256 | 257, 512 | 513,
// 1920 | 1921, 3968 | 3969), and all-max operands that fill every counter.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { POPCOUNT_FORM_ENV } from '../src/backends/wasm/popcount-form.js';
import { WasmBitKernel } from '../src/backends/wasm/kernels.js';
import { KERNELS } from '../src/registry.js';
import { describeFailure, verifyCase, verifyCasesFor } from '../src/verify.js';
import type { Shape } from '../src/types.js';

const KS = [1, 63, 64, 65, 127, 128, 129, 191, 192, 193, 255, 256, 257, 320, 511, 512, 513, 576, 577, 640, 1152, 1919, 1920, 1921, 2304, 3968, 3969, 4608];
const FORMS = ['lanes', 'bytes'] as const;
const saved = process.env[POPCOUNT_FORM_ENV];
after(() => {
  if (saved === undefined) delete process.env[POPCOUNT_FORM_ENV];
  else process.env[POPCOUNT_FORM_ENV] = saved;
});

/** The GEMM export a fresh kernel instance picks for this shape under `form` (undefined: the host default). */
async function gemmExport(precision: 'fatnn' | 'ternary2b', shape: Shape, form: string | undefined): Promise<string> {
  if (form === undefined) delete process.env[POPCOUNT_FORM_ENV];
  else process.env[POPCOUNT_FORM_ENV] = form;
  const kernel = await WasmBitKernel.create(`${precision}/wasm-simd128`, precision, shape, 'simd128');
  try {
    return kernel.gemmExport;
  } finally {
    await kernel.dispose();
  }
}

const simd = KERNELS.filter((k) => k.backend === 'wasm' && k.id.endsWith('wasm-simd128') && (k.precision === 'fatnn' || k.precision === 'ternary2b'));

for (const decl of simd) {
  const availability = decl.availability();
  for (const form of FORMS) {
    describe(`${decl.id}, popcounts as ${form}`, { skip: availability.available ? false : availability.reason }, () => {
      it('matches the reference at every K where its loops change', async () => {
        process.env[POPCOUNT_FORM_ENV] = form;
        for (const K of KS) {
          for (const c of [...verifyCasesFor({ M: 3, N: 5, K }, 500 + K), { shape: { M: 4, N: 6, K }, seed: 9, modes: { w: 'max' as const, x: 'max' as const } }]) {
            const failure = await verifyCase(decl, c);
            assert.equal(failure && describeFailure(failure), null, `K = ${K}`);
          }
        }
      });
      it('matches the reference on a layer-sized shape with odd M and N', async () => {
        process.env[POPCOUNT_FORM_ENV] = form;
        for (const c of verifyCasesFor({ M: 33, N: 65, K: 1152 }, 77)) {
          const failure = await verifyCase(decl, c);
          assert.equal(failure && describeFailure(failure), null);
        }
      });
    });
  }
}

describe('popcount form selection', { skip: simd.every((k) => k.availability().available) ? false : 'needs WebAssembly SIMD' }, () => {
  it('runs the loop of the forced form', async () => {
    assert.equal(await gemmExport('fatnn', { M: 3, N: 5, K: 576 }, 'lanes'), 'fatnnLanes');
    assert.equal(await gemmExport('fatnn', { M: 3, N: 5, K: 64 }, 'lanes'), 'fatnnLanes');
    assert.equal(await gemmExport('fatnn', { M: 3, N: 5, K: 576 }, 'bytes'), 'fatnnCS');
    assert.equal(await gemmExport('fatnn', { M: 3, N: 5, K: 2304 }, 'bytes'), 'fatnnCSLong');
    assert.equal(await gemmExport('fatnn', { M: 3, N: 5, K: 64 }, 'bytes'), 'fatnn');
    assert.equal(await gemmExport('ternary2b', { M: 3, N: 5, K: 128 }, 'lanes'), 'ternary2bOneLevelLanes');
    assert.equal(await gemmExport('ternary2b', { M: 3, N: 5, K: 129 }, 'lanes'), 'ternary2bChainLanes');
    assert.equal(await gemmExport('ternary2b', { M: 3, N: 5, K: 512 }, 'bytes'), 'ternary2bOneLevel');
    assert.equal(await gemmExport('ternary2b', { M: 3, N: 5, K: 513 }, 'bytes'), 'ternary2bChain');
  });

  it('counts on i64 lanes by default on x86 and in byte counters elsewhere', async () => {
    const x86 = process.arch === 'x64' || process.arch === 'ia32';
    assert.equal(await gemmExport('fatnn', { M: 3, N: 5, K: 1152 }, undefined), x86 ? 'fatnnLanes' : 'fatnnCS');
    assert.equal(await gemmExport('ternary2b', { M: 3, N: 5, K: 1152 }, undefined), x86 ? 'ternary2bChainLanes' : 'ternary2bChain');
  });

  it('refuses an unknown form, naming the variable and the value', async () => {
    await assert.rejects(gemmExport('fatnn', { M: 3, N: 5, K: 64 }, 'fast'), (err: Error) => err.name === 'UsageError' && /FATNN_WASM_POPCOUNT must be "lanes" or "bytes", not "fast"/.test(err.message));
  });
});
