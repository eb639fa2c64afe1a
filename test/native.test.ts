// Native backend behaviour beyond the shared reference checks: the addon never touches memory
// outside the buffers it is given, a missing addon leaves the kernels listed with a reason,
// the addon loads in worker threads, and plans that put W on the vector lanes are exact.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { addonPath, nativeAddon, NATIVE_ISAS } from '../src/backends/native/addon.js';
import { nativeKernels } from '../src/backends/native/index.js';
import { NativeKernel } from '../src/backends/native/native-kernel.js';
import { FatnnError } from '../src/errors.js';
import { randomOperands } from '../src/precisions.js';
import { referenceGemm } from '../src/reference.js';
import { PRECISIONS } from '../src/types.js';

const addon = nativeAddon();
const noAddon = addon ? false : 'native addon not built';
const available = nativeKernels.filter((k) => k.availability().available);
/** An ISA this CPU runs for every precision (scalar always, when the addon is built). */
const SCALAR = NATIVE_ISAS.scalar;
const FATNN = PRECISIONS.indexOf('fatnn');
const FP32 = PRECISIONS.indexOf('fp32');

describe('native kernel listing', () => {
  it('lists four instruction sets for each of the six precisions', () => {
    assert.equal(nativeKernels.length, 24);
    for (const p of PRECISIONS) for (const isa of ['avx512', 'avx2', 'scalar', 'neon']) assert.ok(nativeKernels.some((k) => k.id === `${p}/native-${isa}`));
  });

  it('gives a reason for every unavailable native kernel', () => {
    for (const k of nativeKernels) {
      const a = k.availability();
      assert.equal(k.backend, 'native');
      if (!a.available) assert.ok(a.reason && a.reason.length > 0, k.id);
    }
  });

  it('marks NEON kernels arm64-only and x86 kernels x86-only on the other architecture', { skip: noAddon }, () => {
    const neon = nativeKernels.find((k) => k.id === 'fatnn/native-neon')!.availability();
    const avx2 = nativeKernels.find((k) => k.id === 'fatnn/native-avx2')!.availability();
    if (process.arch === 'x64') assert.equal(neon.reason, 'arm64 only');
    if (process.arch === 'arm64') assert.equal(avx2.reason, 'x86-64 only');
  });
});

describe('native addon missing', () => {
  function listWith(addonFile: string): { id: string; available: boolean; reason?: string }[] {
    const script = `
      const { listKernels } = await import(${JSON.stringify(new URL('../src/registry.js', import.meta.url).href)});
      console.log(JSON.stringify(listKernels().filter((k) => k.backend === 'native')));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, FATNN_NATIVE_ADDON: addonFile },
      encoding: 'utf8',
    });
    return JSON.parse(out) as { id: string; available: boolean; reason?: string }[];
  }

  it('lists every native kernel as unavailable with "addon not built" when the file is absent', () => {
    const listed = listWith(join(tmpdir(), 'fatnn-no-such-dir', 'fatnn_native.node'));
    assert.equal(listed.length, 24);
    for (const k of listed) {
      assert.equal(k.available, false);
      assert.match(k.reason ?? '', /^addon not built: .*fatnn_native\.node not found/);
    }
  });

  it('lists them as unavailable with "addon not loadable" when the file is not an addon', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fatnn-native-'));
    const bogus = join(dir, 'fatnn_native.node');
    writeFileSync(bogus, 'not a shared library');
    for (const k of listWith(bogus)) {
      assert.equal(k.available, false);
      assert.match(k.reason ?? '', /^addon not loadable: /);
    }
  });
});

describe('native addon bounds checks', { skip: noAddon }, () => {
  const M = 5, N = 7, K = 100;

  function planned(precision: number) {
    const plan = addon!.plan(SCALAR, precision, M, N, K);
    return { plan, w: new Uint8Array(plan.wBytes), x: new Uint8Array(plan.xBytes) };
  }

  it('refuses packed buffers one byte short', () => {
    const { plan, w, x } = planned(FATNN);
    const { w: lw, x: lx } = randomOperands('fatnn', { M, N, K }, 1);
    assert.equal(addon!.pack(SCALAR, FATNN, M, N, K, 0, lw, w), -1);
    assert.equal(addon!.pack(SCALAR, FATNN, M, N, K, 1, lx, x), -1);
    const out = new Int32Array(M * N);
    assert.throws(() => addon!.pack(SCALAR, FATNN, M, N, K, 0, lw, w.subarray(1)), RangeError);
    assert.throws(() => addon!.gemm(SCALAR, FATNN, M, N, K, w.subarray(0, plan.wBytes - 1), x, out), RangeError);
    assert.throws(() => addon!.gemm(SCALAR, FATNN, M, N, K, w, x.subarray(1), out), RangeError);
    assert.throws(() => addon!.gemm(SCALAR, FATNN, M, N, K, w, x, new Int32Array(M * N - 1)), RangeError);
  });

  it('refuses a packed buffer that does not start on a 64-bit boundary', () => {
    const { plan, w, x } = planned(FATNN);
    const shifted = new Uint8Array(new ArrayBuffer(plan.wBytes + 8), 4, plan.wBytes);
    assert.throws(() => addon!.gemm(SCALAR, FATNN, M, N, K, shifted, x, new Int32Array(M * N)), /multiple of 8 bytes/);
    assert.throws(() => addon!.pack(SCALAR, FATNN, M, N, K, 0, new Int8Array(M * K), shifted), /multiple of 8 bytes/);
    assert.equal(w.byteOffset, 0);
  });

  it('refuses a logical operand of the wrong length or element type', () => {
    const { w } = planned(FATNN);
    assert.throws(() => addon!.pack(SCALAR, FATNN, M, N, K, 0, new Int8Array(M * K - 1), w), RangeError);
    assert.throws(() => addon!.pack(SCALAR, FATNN, M, N, K, 0, new Int8Array(M * K + 1), w), RangeError);
    assert.throws(() => addon!.pack(SCALAR, FATNN, M, N, K, 0, new Float32Array(M * K), w), TypeError);
    const f = planned(FP32);
    assert.throws(() => addon!.pack(SCALAR, FP32, M, N, K, 0, new Int8Array(M * K), f.w), TypeError);
  });

  it('refuses a result array of the wrong type', () => {
    const { w, x } = planned(FATNN);
    assert.throws(() => addon!.gemm(SCALAR, FATNN, M, N, K, w, x, new Float32Array(M * N) as unknown as Int32Array), TypeError);
    assert.throws(() => addon!.gemm(SCALAR, FATNN, M, N, K, w, x as unknown as Uint8Array, new Uint32Array(M * N) as unknown as Int32Array), TypeError);
  });

  it('refuses a shape that disagrees with the packed buffers', () => {
    const { w, x } = planned(FATNN);
    // A larger K needs larger packed buffers: the addon must notice, not read past them.
    assert.throws(() => addon!.gemm(SCALAR, FATNN, M, N, K * 4, w, x, new Int32Array(M * N)), RangeError);
    assert.throws(() => addon!.gemm(SCALAR, FATNN, M * 4, N, K, w, x, new Int32Array(M * N * 4)), RangeError);
  });

  it('refuses bad dimensions, precisions and instruction sets', () => {
    for (const [isa, p, m, n, k] of [
      [SCALAR, FATNN, 0, N, K], [SCALAR, FATNN, M, -1, K], [SCALAR, FATNN, M, N, 1.5], [SCALAR, FATNN, M, N, 2 ** 21],
      [SCALAR, FATNN, M, N, NaN], [SCALAR, 6, M, N, K], [SCALAR, -1, M, N, K], [9, FATNN, M, N, K],
    ]) {
      assert.throws(() => addon!.plan(isa!, p!, m!, n!, k!), RangeError, `${isa} ${p} ${m}x${n}x${k}`);
    }
  });

  it('refuses to run an instruction set this CPU lacks instead of crashing', () => {
    const missing = (['avx512', 'avx2', 'neon'] as const).find((isa) => addon!.unavailableReason(NATIVE_ISAS[isa], FATNN) !== null);
    if (!missing) return;
    assert.throws(() => addon!.plan(NATIVE_ISAS[missing], FATNN, M, N, K), /kernel unavailable/);
  });

  it('reads and writes arrays backed by a SharedArrayBuffer at an offset', () => {
    const { plan } = planned(FATNN);
    const { w, x } = randomOperands('fatnn', { M, N, K }, 3);
    const shared = (bytes: number, offset: number) => new Uint8Array(new SharedArrayBuffer(bytes + offset), offset, bytes);
    const lw = new Int8Array(new SharedArrayBuffer(M * K + 8), 8, M * K);
    lw.set(w);
    const pw = shared(plan.wBytes, 16), px = shared(plan.xBytes, 24);
    assert.equal(addon!.pack(SCALAR, FATNN, M, N, K, 0, lw, pw), -1);
    assert.equal(addon!.pack(SCALAR, FATNN, M, N, K, 1, x, px), -1);
    const out = new Int32Array(new SharedArrayBuffer(M * N * 4 + 8), 8, M * N);
    addon!.gemm(SCALAR, FATNN, M, N, K, pw, px, out);
    assert.deepEqual(Int32Array.from(out), referenceGemm('fatnn', { M, N, K }, w, x));
  });

  it('rejects operands through the kernel before the addon sees them', async () => {
    const kernel = new NativeKernel('fatnn/native-scalar', 'fatnn', { M, N, K }, addon!, SCALAR);
    assert.throws(() => kernel.setWeights(new Int8Array(M * K - 1)), RangeError);
    assert.throws(() => kernel.setActivations(new Float32Array(N * K)), TypeError);
    assert.throws(() => kernel.run(), FatnnError);
    const w = new Int8Array(M * K);
    w[123] = 2;
    assert.throws(() => kernel.setWeights(w), /value 2 at row 1, k 23 is not a valid fatnn value/);
  });
});

describe('native plans with W on the vector lanes', { skip: noAddon }, () => {
  // N = 49 (last ResNet-18 stage) makes the addon spread W over the lanes; odd M and N check
  // the edges of both orientations.
  const shapes = [{ M: 512, N: 49, K: 256 }, { M: 130, N: 3, K: 129 }, { M: 3, N: 130, K: 65 }];
  for (const decl of available) {
    it(`${decl.id} is exact on swapped and unswapped plans`, async () => {
      for (const shape of shapes) {
        const { w, x } = randomOperands(decl.precision, shape, 77);
        const kernel = await decl.create(shape, { threads: 1 });
        kernel.setWeights(w);
        kernel.setActivations(x);
        await kernel.run();
        assert.deepEqual(kernel.result(), referenceGemm(decl.precision, shape, w, x));
      }
    });
  }

  it('swaps for 512x49 on AVX-512 and never for 64x3136', () => {
    const lanes = available.some((k) => k.id === 'fatnn/native-avx512') ? NATIVE_ISAS.avx512 : SCALAR;
    if (lanes === NATIVE_ISAS.avx512) assert.equal(addon!.plan(lanes, FATNN, 512, 49, 576).swapped, true);
    assert.equal(addon!.plan(lanes, FATNN, 64, 3136, 576).swapped, false);
  });
});

describe('native addon in worker threads', { skip: noAddon }, () => {
  it('loads and computes exactly inside a worker', async () => {
    const decl = available.find((k) => k.precision === 'fatnn')!;
    const shape = { M: 9, N: 11, K: 300 };
    const { w, x } = randomOperands('fatnn', shape, 5);
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.index).then(async ({ nativeKernels }) => {
        const decl = nativeKernels.find((k) => k.id === workerData.id);
        const kernel = await decl.create(workerData.shape, { threads: 1 });
        kernel.setWeights(workerData.w);
        kernel.setActivations(workerData.x);
        kernel.run();
        parentPort.postMessage(kernel.result());
      });`;
    const worker = new Worker(code, {
      eval: true,
      workerData: { index: new URL('../src/backends/native/index.js', import.meta.url).href, id: decl.id, shape, w, x },
    });
    const result = await new Promise<Int32Array>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    assert.deepEqual(result, referenceGemm('fatnn', shape, w, x));
    assert.ok(addonPath().endsWith('fatnn_native.node'));
  });
});

describe('native byte counters at saturating values', { skip: noAddon }, () => {
  // The verify cases' extremes (max x min, min x min) give bit2/ternary2b zero products, and
  // random data keeps the byte counters far below 255. All max x all max fills them fastest:
  // bit2 3 x 3 puts ~18 (at most 24) per byte and k-step into the carry-save count, widened
  // every 10 k-steps; binary max x min (every XOR bit set) 8 per byte and k-step. K at the
  // chunk boundaries and on a few chunks; a chunk of 15 k-steps would overflow the bit2 bytes.
  // Short K and word edges (1, 63, 127..129, 576 | 577) for the loops without chunks, such as
  // ternary2b/native-scalar's three-POPCNT form on x86-64, whose weighted count per output
  // carries 4 per position here (every hh bit set).
  const ks = [1, 63, 64, 65, 127, 128, 129, 576, 577, 639, 640, 641, 1280, 1281, 1984, 1985, 3969, 4608];
  for (const decl of available.filter((k) => k.precision === 'bit2' || k.precision === 'ternary2b' || k.precision === 'binary')) {
    it(`${decl.id} is exact on all-max operands at its chunk boundaries`, async () => {
      for (const K of ks) {
        const shape = { M: 3, N: 9, K };
        const modes = { w: 'max', x: decl.precision === 'binary' ? 'min' : 'max' } as const;
        const { w, x } = randomOperands(decl.precision, shape, 5, modes);
        const kernel = await decl.create(shape, { threads: 1 });
        kernel.setWeights(w);
        kernel.setActivations(x);
        await kernel.run();
        assert.deepEqual(kernel.result(), referenceGemm(decl.precision, shape, w, x), `K = ${K}`);
      }
    });
  }
});
