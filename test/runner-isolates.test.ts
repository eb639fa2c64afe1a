// The runner's isolate seam (issue #13): runSweep takes its fresh isolates from the factory it
// is given (the browser passes Web Worker isolates), falls back to the runner's realm for a
// declaration the factory cannot re-create, and uses none when isolation is off.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { findKernel } from '../src/registry.js';
import { InProcessHost, type IsolateFactory } from '../src/runner/hosts.js';
import { runSweep } from '../src/runner/sweep.js';

const LAYER = { name: 'tiny', M: 4, N: 16, K: 70, count: 1 };
const SETTINGS = { threads: 1, timeMs: 5, minSamples: 1, warmupMs: 0, rounds: 1, forks: 2, seed: 1, withPacking: false };

function recording(accept: (id: string) => boolean): { factory: IsolateFactory; started: string[] } {
  const started: string[] = [];
  return {
    started,
    factory: {
      start: (decl) => {
        if (!accept(decl.id)) return null;
        started.push(decl.id);
        return Promise.resolve(new InProcessHost(decl));
      },
    },
  };
}

it('takes one isolate per kernel and fork from the given factory, and verifies in it', async () => {
  const { factory, started } = recording(() => true);
  const kernels = [findKernel('fatnn/js'), findKernel('binary/js')];
  const [layer] = await runSweep([LAYER], kernels, { ...SETTINGS, isolate: true, isolates: factory });
  assert.deepEqual(started.sort(), ['binary/js', 'binary/js', 'fatnn/js', 'fatnn/js']);
  for (const m of layer!.measurements) assert.equal(m.verification, 'passed', m.kernel);
});

it('measures in the runner realm what the factory cannot re-create, and asks no factory without isolation', async () => {
  const some = recording((id) => id === 'fatnn/js');
  const kernels = [findKernel('fatnn/js'), findKernel('binary/js')];
  const [layer] = await runSweep([LAYER], kernels, { ...SETTINGS, isolate: true, isolates: some.factory });
  assert.deepEqual(some.started, ['fatnn/js', 'fatnn/js']);
  assert.equal(layer!.measurements.find((m) => m.kernel === 'binary/js')?.verification, 'passed');
  const none = recording(() => true);
  await runSweep([LAYER], kernels, { ...SETTINGS, isolate: false, isolates: none.factory });
  assert.deepEqual(none.started, []);
});
