// Warm-up per view (sweep.ts, warmupOf): the GEMM view gets the whole --warmup budget before its
// first round in each fork; the packing and from-float views, which follow on the warm GEMM
// after verification ran their operations, get a fifth of it, as does the GEMM of an isolate that
// measured the previous layer; later rounds and re-takes none. The views after the GEMM are timed
// for 30% of --time (sweep.ts, timeOf).
// A recording host sees every sample request the runner makes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findKernel } from '../src/registry.js';
import type { SampleRequestOptions } from '../src/runner/isolate-protocol.js';
import { InProcessHost, type IsolateFactory } from '../src/runner/hosts.js';
import type { TimedView } from '../src/runner/session.js';
import { runSweep, SECONDARY_TIME_SHARE, SECONDARY_WARMUP_SHARE, timeOf, warmupOf } from '../src/runner/sweep.js';

const layer = { name: 'warm-up layer', M: 4, N: 8, K: 70, count: 1 };

interface Request { kernel: string; view: TimedView; warmupMs: number; timeMs: number; minSamples: number; started: number }

function recordingFactory(log: Request[], starts = { count: 0 }): IsolateFactory {
  return {
    start: (decl) => {
      const started = ++starts.count;
      const host = new InProcessHost(decl);
      const sample = host.sample.bind(host);
      host.sample = (view: TimedView, options: SampleRequestOptions) => {
        log.push({ kernel: decl.id, view, warmupMs: options.warmupMs, timeMs: options.timeMs, minSamples: options.minSamples, started });
        return sample(view, options);
      };
      return Promise.resolve(host);
    },
  };
}

test('the GEMM view gets the whole warm-up, the other views a fifth, later rounds none', async () => {
  const log: Request[] = [];
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

test('an isolate that measured the previous layer warms its GEMM for a fifth of the budget', async () => {
  const log: Request[] = [];
  const starts = { count: 0 };
  const second = { ...layer, name: 'second layer', K: 130 };
  const settings = { threads: 1, timeMs: 2, minSamples: 1, warmupMs: 10, rounds: 1, forks: 2, maxExtraForks: 0, isolate: true, isolates: recordingFactory(log, starts), seed: 1, withPacking: false };
  const results = await runSweep([layer, second], [findKernel('fatnn/js')], settings);
  assert.equal(results.length, 2);
  assert.ok(results.every((r) => r.measurements[0]!.verification === 'passed'));
  assert.equal(starts.count, 2, 'one isolate per fork, kept from the first layer to the second');
  const firstRound = log.filter((e) => e.view === 'gemm' && e.warmupMs > 0).map((e) => e.warmupMs);
  // fork 0 and fork 1 of the first layer start cold; the same two isolates are warm on the second
  assert.deepEqual(firstRound, [10, 10, 10 * SECONDARY_WARMUP_SHARE, 10 * SECONDARY_WARMUP_SHARE]);
});

test('the packing and from-float views are timed for a share of --time, the GEMM for all of it', async () => {
  const log: Request[] = [];
  const settings = { threads: 1, timeMs: 40, minSamples: 4, warmupMs: 1, rounds: 2, forks: 2, maxExtraForks: 0, isolate: true, isolates: recordingFactory(log), seed: 1, withPacking: true, fromFloat: true };
  await runSweep([layer], [findKernel('ternary2b/js')], settings);
  const budgets = (view: TimedView) => [...new Set(log.filter((e) => e.view === view).map((e) => e.timeMs))];
  // 40 ms over 2 forks x 2 rounds: 10 ms per round for the GEMM, a share of it for the others
  assert.deepEqual(budgets('gemm'), [10]);
  assert.deepEqual(budgets('withPacking'), [10 * SECONDARY_TIME_SHARE]);
  assert.deepEqual(budgets('fromFloat'), [10 * SECONDARY_TIME_SHARE]);
  // the --min-samples floor is not halved: 4 over 4 slots, one each, in every view
  assert.ok(log.every((e) => e.minSamples === 1), JSON.stringify(log.map((e) => e.minSamples)));
  assert.equal(timeOf('gemm', 100), 100);
  assert.equal(timeOf('withPacking', 100), 30);
  assert.equal(timeOf('fromFloat', 100), 30);
});

test('warmupOf: whole budget for the GEMM view, a share for the others, zero stays zero', () => {
  assert.equal(warmupOf('gemm', 25), 25);
  assert.equal(warmupOf('gemm', 25, true), 5);
  assert.equal(warmupOf('withPacking', 25), 5);
  assert.equal(warmupOf('fromFloat', 25), 5);
  assert.equal(warmupOf('fromFloat', 0), 0);
});
