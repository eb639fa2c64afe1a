// The registry: every precision has a js kernel, ids are unique and well formed, creation
// validates its input.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createKernel, KERNELS, listKernels, selectKernels } from '../src/registry.js';
import { PRECISIONS } from '../src/types.js';

it('has a js kernel for every precision', () => {
  for (const p of PRECISIONS) assert.ok(KERNELS.some((k) => k.id === `${p}/js`), p);
});

it('has unique ids of the form precision/backend[-variant]', () => {
  const ids = KERNELS.map((k) => k.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const k of KERNELS) assert.match(k.id, new RegExp(`^${k.precision}/${k.backend}(-[a-z0-9-]+)?$`));
});

it('gives a reason for every unavailable kernel', () => {
  for (const info of listKernels()) if (!info.available) assert.ok(info.reason && info.reason.length > 0, info.id);
});

it('filters by precision and backend', () => {
  const sel = selectKernels({ precisions: ['fatnn'], backends: ['js'] });
  assert.deepEqual(sel.map((k) => k.id), ['fatnn/js']);
});

it('rejects unknown kernels and bad shapes', async () => {
  await assert.rejects(createKernel('nope/js', { M: 1, N: 1, K: 1 }), /unknown kernel "nope\/js"/);
  await assert.rejects(createKernel('fatnn/js', { M: 0, N: 1, K: 1 }), /M = 0/);
});

it('rejects operands of the wrong type, length or value set', async () => {
  const k = await createKernel('fatnn/js', { M: 2, N: 2, K: 3 });
  assert.throws(() => k.setWeights(new Float32Array(6)), /Int8Array/);
  assert.throws(() => k.setWeights(new Int8Array(5)), /expected 6/);
  assert.throws(() => k.setWeights(Int8Array.from([0, 1, -1, 2, 0, 0])), /value 2 .* not a valid fatnn value/);
  assert.throws(() => k.run(), /before setWeights/);
  const b = await createKernel('binary/js', { M: 1, N: 1, K: 2 });
  assert.throws(() => b.setActivations(Int8Array.from([1, 0])), /not a valid binary value/);
});

it('says the popcount form of every popcount kernel (workers twins included) and of no dense one', () => {
  for (const info of listKernels()) {
    if (info.precision === 'fp32' || info.precision === 'int8') assert.equal(info.popcountForm, undefined, info.id);
    else assert.match(info.popcountForm ?? '', /popc(ou)?nt/, info.id);
  }
  const fatnn = KERNELS.find((k) => k.id === 'fatnn/js');
  assert.equal(KERNELS.find((k) => k.id === 'fatnn/workers-js')?.popcountForm, fatnn?.popcountForm);
});
