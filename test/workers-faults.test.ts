// Faults in pool workers: a throwing, exiting or hanging base kernel makes the GEMM fail with an
// error naming the kernel and shape, tears the pool down, and never hangs the process.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, it } from 'node:test';
import { FAULT_SOURCE, FAULTY_KERNELS, type Fault } from '../src/backends/workers/fault-injection.js';
import { shutdownWorkerPools, workerPools, workerVariant } from '../src/backends/workers/index.js';
import { randomOperands } from '../src/precisions.js';
import { firstMismatch, referenceGemm } from '../src/reference.js';
import { createKernel, findKernel } from '../src/registry.js';
import { runSweep } from '../src/runner/sweep.js';
import type { Kernel } from '../src/types.js';

after(() => shutdownWorkerPools());

const SHAPE = { M: 8, N: 64, K: 100 };
const HANG_TIMEOUT_MS = 500;

async function faultyKernel(fault: Fault): Promise<Kernel> {
  const base = FAULTY_KERNELS.find((k) => k.id === `fatnn/js-faulty-${fault}`)!;
  const decl = workerVariant(base, { source: FAULT_SOURCE, minTimeoutMs: HANG_TIMEOUT_MS });
  const kernel = await decl.create(SHAPE, { threads: 2 });
  const { w, x } = randomOperands('fatnn', SHAPE, 1);
  kernel.setWeights(w);
  kernel.setActivations(x);
  return kernel;
}

const EXPECTED: Record<Exclude<Fault, 'throw-later'>, RegExp> = {
  throw: /fatnn\/workers-js-faulty-throw on 8x64x100 \(2 threads\): GEMM failed: thread 1 threw Error: injected fault; the worker pool was shut down/,
  exit: /fatnn\/workers-js-faulty-exit on 8x64x100 \(2 threads\): GEMM failed: thread 1 exited with code 3; the worker pool was shut down/,
  hang: /fatnn\/workers-js-faulty-hang on 8x64x100 \(2 threads\): GEMM failed: no answer from 1 of 1 worker threads by the deadline; the worker pool was shut down/,
};

for (const fault of ['throw', 'exit', 'hang'] as const) {
  it(`fails the GEMM clearly and replaces the pool when a worker's kernel ${fault === 'throw' ? 'throws' : fault === 'exit' ? 'exits' : 'hangs'}`, async () => {
    const kernel = await faultyKernel(fault);
    const pool = (await workerPools()).find((p) => p.size === 1)!;
    assert.throws(() => kernel.run(), EXPECTED[fault]);
    assert.equal(pool.alive, false);
    assert.throws(() => kernel.run(), /unusable after its earlier fault/);
    await kernel.dispose();

    // New kernels get a fresh pool.
    const ok = await createKernel('fatnn/workers-js', SHAPE, { threads: 2 });
    const { w, x } = randomOperands('fatnn', SHAPE, 2);
    ok.setWeights(w);
    ok.setActivations(x);
    await ok.run();
    assert.equal(firstMismatch(referenceGemm('fatnn', SHAPE, w, x), ok.result()), -1);
    const fresh = (await workerPools()).find((p) => p.size === 1)!;
    assert.notDeepEqual(fresh.threadIds, pool.threadIds);
    await ok.dispose();
  });
}

it('lets the process exit after a worker hung and was terminated', () => {
  const faults = new URL('../src/backends/workers/fault-injection.js', import.meta.url).href;
  const workers = new URL('../src/backends/workers/index.js', import.meta.url).href;
  const script = `
    import { FAULT_SOURCE, FAULTY_KERNELS } from ${JSON.stringify(faults)};
    import { workerVariant } from ${JSON.stringify(workers)};
    const decl = workerVariant(FAULTY_KERNELS[2], { source: FAULT_SOURCE, minTimeoutMs: 300 });
    const k = await decl.create({ M: 2, N: 8, K: 9 }, { threads: 2 });
    k.setWeights(new Int8Array(18));
    k.setActivations(new Int8Array(72));
    try { k.run(); } catch (err) { console.log(err.name); }
  `;
  // The timeout only guards the test suite against the hang this test is about.
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.signal, null, 'the process had to be killed');
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), 'FatnnError');
});

it('keeps the other kernels of a sweep measured when a worker fails while being timed', async () => {
  const base = FAULTY_KERNELS.find((k) => k.id === 'fatnn/js-faulty-throw-later')!;
  const faulty = workerVariant(base, { source: FAULT_SOURCE });
  const layer = { name: 'test layer', M: 8, N: 64, K: 100, count: 1 };
  const kernels = [faulty, findKernel('fatnn/workers-js'), findKernel('fatnn/js')];
  // The faulty kernel is not in the registry, so it is measured in-process whatever `isolate` says.
  const settings = { threads: 2, timeMs: 20, minSamples: 2, warmupMs: 0, rounds: 1, forks: 1, isolate: true, seed: 1, withPacking: false };
  const [result] = await runSweep([layer], kernels, settings);
  const byId = new Map(result!.measurements.map((m) => [m.kernel, m]));
  assert.match(byId.get(faulty.id)!.error ?? '', /fatnn\/workers-js-faulty-throw-later failed while timing test layer \(8x64x100\): .*thread 1 threw Error: injected fault/);
  for (const id of ['fatnn/workers-js', 'fatnn/js']) {
    assert.equal(byId.get(id)!.error, undefined, id);
    assert.ok(byId.get(id)!.gemm, id);
  }
});

it('moves the other kernels of a faulted pool to a fresh pool, operands and all', async () => {
  const shape = { M: 6, N: 40, K: 70 };
  const { w, x } = randomOperands('binary', shape, 3);
  const sibling = await createKernel('binary/workers-js', shape, { threads: 2 });
  sibling.setWeights(w);
  sibling.setActivations(x);
  await sibling.run();
  const kernel = await faultyKernel('throw');
  assert.throws(() => kernel.run(), EXPECTED.throw);
  // The sibling's C was computed on the pool that is gone: gathering it recomputes it.
  assert.equal(firstMismatch(referenceGemm('binary', shape, w, x), sibling.result()), -1);
  await sibling.run();
  assert.equal(firstMismatch(referenceGemm('binary', shape, w, x), sibling.result()), -1);
  assert.equal((await workerPools()).filter((p) => p.size === 1 && p.alive).length, 1);
  await sibling.dispose();
  await kernel.dispose();
});
