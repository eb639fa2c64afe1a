// Warm-up per view (sweep.ts, warmupOf): the GEMM view gets the whole --warmup budget before its
// first round in each fork; the packing and from-float views, which follow on the warm GEMM
// after verification ran their operations, get a fifth of it; later rounds and re-takes none.
// A recording host sees every sample request the runner makes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findKernel } from '../src/registry.js';
import type { SampleRequestOptions } from '../src/runner/isolate-protocol.js';
import { InProcessHost, type IsolateFactory } from '../src/runner/hosts.js';
import type { TimedView } from '../src/runner/session.js';
import { runSweep, SECONDARY_WARMUP_SHARE, warmupOf } from '../src/runner/sweep.js';

const layer = { name: 'warm-up layer', M: 4, N: 8, K: 70, count: 1 };

function recordingFactory(log: { kernel: string; view: TimedView; warmupMs: number }[]): IsolateFactory {
  return {
    start: (decl) => {
      const host = new InProcessHost(decl);
      const sample = host.sample.bind(host);
      host.sample = (view: TimedView, options: SampleRequestOptions) => {
        log.push({ kernel: decl.id, view, warmupMs: options.warmupMs });
        return sample(view, options);
      };
      return Promise.resolve(host);
    },
  };
}

test('the GEMM view gets the whole warm-up, the other views a fifth, later rounds none', async () => {
  const log: { kernel: string; view: TimedView; warmupMs: number }[] = [];
  const settings = { threads: 1, timeMs: 2, minSamples: 1, warmupMs: 10, rounds: 2, forks: 2, isolate: true, isolates: recordingFactory(log), seed: 1, withPacking: true, fromFloat: true };
  const [result] = await runSweep([layer], [findKernel('fatnn/js'), findKernel('int8/js')], settings);
  assert.ok(result!.measurements.every((m) => m.verification === 'passed' && m.fromFloat), 'both kernels measured in all three views');
  // Per kernel and view: 2 forks x 2 rounds, plus any re-take of a batch the speed probe found slow.
  const requests = (kernel: string, view: TimedView) => log.filter((e) => e.kernel === kernel && e.view === view);
  for (const kernel of ['fatnn/js', 'int8/js']) {
    const gemm = requests(kernel, 'gemm').map((e) => e.warmupMs);
    const pack = requests(kernel, 'withPacking').map((e) => e.warmupMs);
    const float = requests(kernel, 'fromFloat').map((e) => e.warmupMs);
    // Each fork's round 0 asks for a warm-up; round 1 and any re-take ask for none.
    assert.deepEqual(gemm.filter((w) => w > 0), [10, 10], `${kernel} gemm: ${gemm}`);
    assert.deepEqual(pack.filter((w) => w > 0), [10 * SECONDARY_WARMUP_SHARE, 10 * SECONDARY_WARMUP_SHARE], `${kernel} packing: ${pack}`);
    assert.deepEqual(float.filter((w) => w > 0), [10 * SECONDARY_WARMUP_SHARE, 10 * SECONDARY_WARMUP_SHARE], `${kernel} from float: ${float}`);
    assert.ok(gemm.filter((w) => w === 0).length >= 2, `${kernel}: round 1 of each fork has no warm-up`);
  }
});

test('warmupOf: whole budget for the GEMM view, a share for the others, zero stays zero', () => {
  assert.equal(warmupOf('gemm', 25), 25);
  assert.equal(warmupOf('withPacking', 25), 5);
  assert.equal(warmupOf('fromFloat', 25), 5);
  assert.equal(warmupOf('fromFloat', 0), 0);
});
