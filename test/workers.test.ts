// The workers backend: exact results for every thread count (including more workers than rows
// and columns), pool reuse and shutdown, operand updates, and clean process exit.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { after, describe, it } from 'node:test';
import { ParallelKernel, shutdownWorkerPools, workerPools } from '../src/backends/workers/index.js';
import { randomOperands } from '../src/precisions.js';
import { firstMismatch, referenceGemm } from '../src/reference.js';
import { createKernel, KERNELS } from '../src/registry.js';
import { shapeLabel } from '../src/shapes.js';
import type { Shape } from '../src/types.js';
import { describeFailure, verifyCase, verifyCasesFor } from '../src/verify.js';

after(() => shutdownWorkerPools());

const WORKER_KERNELS = KERNELS.filter((k) => k.backend === 'workers' && k.availability().available);
const SMALL_SHAPES: Shape[] = [
  { M: 1, N: 1, K: 1 }, { M: 1, N: 1, K: 300 }, { M: 1, N: 9, K: 77 }, { M: 7, N: 1, K: 77 },
  { M: 1, N: 40, K: 129 }, { M: 40, N: 1, K: 129 }, { M: 3, N: 5, K: 65 }, { M: 13, N: 17, K: 200 },
];

it('has a workers variant of every single-thread kernel', () => {
  for (const k of KERNELS.filter((d) => d.backend !== 'workers')) {
    const slash = k.id.indexOf('/');
    const id = `${k.id.slice(0, slash)}/workers-${k.id.slice(slash + 1)}`;
    const variant = KERNELS.find((d) => d.id === id);
    assert.ok(variant, id);
    assert.equal(variant.precision, k.precision);
    assert.equal(variant.backend, 'workers');
    assert.equal(variant.availability().available, k.availability().available, id);
  }
});

for (const threads of [1, 2, 3, 5]) {
  describe(`with ${threads} thread(s)`, () => {
    for (const decl of WORKER_KERNELS) {
      it(`${decl.id} matches the reference on tiny and skinny shapes`, async () => {
        for (const shape of SMALL_SHAPES) {
          for (const c of verifyCasesFor(shape, 77 + shape.K)) {
            const failure = await verifyCase(decl, c, { threads });
            assert.equal(failure && describeFailure(failure), null, shapeLabel(shape));
          }
        }
      });
    }
  });
}

async function runOnce(id: string, shape: Shape, seed: number, threads: number) {
  const kernel = await createKernel(id, shape, { threads });
  const { w, x } = randomOperands(kernel.precision, shape, seed);
  kernel.setWeights(w);
  kernel.setActivations(x);
  await kernel.run();
  return { kernel, w, x };
}

it('uses fewer workers than threads when C has fewer rows and columns', async () => {
  const { kernel } = await runOnce('fatnn/workers-js', { M: 1, N: 2, K: 40 }, 1, 5);
  assert.ok(kernel instanceof ParallelKernel);
  assert.equal(kernel.threadsUsed, 2);
  assert.equal(kernel.threads, 5);
  await kernel.dispose();
});

it('uses one thread per host core when threads is 0 or not given: the caller and a pool of the rest', async () => {
  await shutdownWorkerPools();
  const { kernel } = await runOnce('int8/workers-js', { M: 4, N: 64, K: 16 }, 2, 0);
  assert.ok(kernel instanceof ParallelKernel);
  assert.equal(kernel.threads, availableParallelism());
  const pools = await workerPools();
  assert.deepEqual(pools.map((p) => p.size), availableParallelism() > 1 ? [availableParallelism() - 1] : []);
  await kernel.dispose();
});

it('runs one thread on the caller alone, without a pool', async () => {
  await shutdownWorkerPools();
  const { kernel, w, x } = await runOnce('bit2/workers-js', { M: 5, N: 7, K: 90 }, 6, 1);
  assert.deepEqual(await workerPools(), []);
  assert.equal(firstMismatch(referenceGemm('bit2', kernel.shape, w, x), kernel.result()), -1);
  await kernel.dispose();
});

it('reuses one pool per thread count across kernels and shapes', async () => {
  await shutdownWorkerPools();
  const a = await runOnce('fatnn/workers-js', { M: 8, N: 30, K: 100 }, 3, 3);
  const [pool] = await workerPools();
  assert.equal(pool!.size, 2);
  const ids = pool!.threadIds;
  const b = await runOnce('binary/workers-js', { M: 20, N: 5, K: 70 }, 4, 3);
  const c = await runOnce('fp32/workers-js', { M: 2, N: 2, K: 3 }, 5, 2);
  const pools = await workerPools();
  assert.deepEqual(pools.map((p) => p.size).sort(), [1, 2]);
  assert.deepEqual(pools.find((p) => p.size === 2)!.threadIds, ids);
  // Kernels sharing a pool keep their own operands and results.
  for (const k of [a, b, c]) {
    assert.equal(firstMismatch(referenceGemm(k.kernel.precision, k.kernel.shape, k.w, k.x), k.kernel.result()), -1, k.kernel.id);
    await k.kernel.dispose();
  }
});

it('computes with the latest weights and activations after they change', async () => {
  const shape = { M: 9, N: 31, K: 130 };
  const kernel = await createKernel('ternary2b/workers-js', shape, { threads: 3 });
  const first = randomOperands('ternary2b', shape, 10);
  const second = randomOperands('ternary2b', shape, 11);
  kernel.setWeights(first.w);
  kernel.setActivations(first.x);
  await kernel.run();
  kernel.setActivations(second.x);
  await kernel.run();
  assert.equal(firstMismatch(referenceGemm('ternary2b', shape, first.w, second.x), kernel.result()), -1);
  kernel.setWeights(second.w);
  await kernel.run();
  assert.equal(firstMismatch(referenceGemm('ternary2b', shape, second.w, second.x), kernel.result()), -1);
  await kernel.dispose();
});

it('rejects a bad operand value with its own error class and keeps the pool', async () => {
  const shape = { M: 4, N: 10, K: 5 };
  const { kernel, x } = await runOnce('fatnn/workers-js', shape, 12, 2);
  const pool = (await workerPools()).find((p) => p.size === 1)!;
  const bad = x.slice();
  bad[7 * shape.K + 2] = 2;
  assert.throws(() => kernel.setActivations(bad), (err: Error) => err instanceof RangeError && /fatnn\/workers-js on 4x10x5: packing X in thread 1 \(columns 5\.\.9 of C\): .*not a valid fatnn value/.test(err.message));
  assert.throws(() => kernel.run(), /run\(\) before setWeights\(\) and setActivations\(\)/);
  const badHere = x.slice();
  badHere[1 * shape.K] = -3;
  assert.throws(() => kernel.setActivations(badHere), (err: Error) => err instanceof RangeError && /packing X in thread 0 \(columns 0\.\.4 of C\): .*not a valid fatnn value/.test(err.message));
  kernel.setActivations(x);
  await kernel.run();
  assert.ok(pool.alive);
  await kernel.dispose();
});

it('refuses operands of the wrong type or length before touching the workers', async () => {
  const kernel = await createKernel('fp32/workers-js', { M: 2, N: 3, K: 4 }, { threads: 2 });
  assert.throws(() => kernel.setWeights(new Int8Array(8)), /Float32Array/);
  assert.throws(() => kernel.setActivations(new Float32Array(11)), /expected 12/);
  await kernel.dispose();
  assert.throws(() => kernel.run(), /used after dispose|before setWeights/);
});

it('shuts pools down: kernels on them fail clearly, new kernels get a new pool', async () => {
  const { kernel } = await runOnce('bit2/workers-js', { M: 6, N: 6, K: 50 }, 13, 2);
  const before = (await workerPools()).find((p) => p.size === 1)!.threadIds;
  await shutdownWorkerPools();
  assert.deepEqual(await workerPools(), []);
  assert.throws(() => kernel.run(), /bit2\/workers-js on 6x6x50 .*worker pool is gone \(shut down by shutdownWorkerPools\(\)\)/);
  await kernel.dispose();
  const again = await runOnce('bit2/workers-js', { M: 6, N: 6, K: 50 }, 13, 2);
  const now = (await workerPools()).find((p) => p.size === 1)!.threadIds;
  assert.notDeepEqual(now, before);
  await again.kernel.dispose();
});

it('lets the process exit without shutdownWorkerPools()', () => {
  const registry = new URL('../src/registry.js', import.meta.url).href;
  const script = `
    import { createKernel } from ${JSON.stringify(registry)};
    const k = await createKernel('fatnn/workers-js', { M: 4, N: 40, K: 64 }, { threads: 2 });
    k.setWeights(new Int8Array(4 * 64).fill(1));
    k.setActivations(new Int8Array(40 * 64).fill(-1));
    k.run();
    console.log(k.result()[0]);
  `;
  // The timeout only guards the test suite against the hang this test is about.
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.signal, null, 'the process had to be killed');
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), '-64');
});

it('frees the workers\' share of a kernel that is garbage-collected without dispose()', () => {
  const workers = new URL('../src/backends/workers/index.js', import.meta.url).href;
  const registry = new URL('../src/registry.js', import.meta.url).href;
  const script = `
    import { workerPools } from ${JSON.stringify(workers)};
    import { createKernel } from ${JSON.stringify(registry)};
    await createKernel('int8/workers-js', { M: 4, N: 8, K: 16 }, { threads: 2 });
    const [pool] = await workerPools();
    const before = pool.dispatched;
    for (let i = 0; i < 5 && pool.dispatched === before; i++) {
      globalThis.gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    console.log(pool.dispatched - before);
  `;
  const child = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), '1');
});
