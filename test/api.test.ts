// The package's main export, used the way the README's Library API section documents it.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as api from '../src/index.js';

it('creates a kernel, runs one GEMM and returns C exactly', async () => {
  const shape = { M: 5, N: 7, K: 100 };
  const { w, x } = api.randomOperands('fatnn', shape, 3);
  const kernel = await api.createKernel('fatnn/js', shape);
  kernel.setWeights(w);
  kernel.setActivations(x);
  await kernel.run();
  assert.deepEqual(kernel.result(), api.referenceGemm('fatnn', shape, w, x));
  await kernel.dispose();
});

it('computes the documented example by hand', () => {
  // W = [1, -1, 1]; X rows [1, 1, -1] and [-1, 0, 1]: 1 - 1 - 1 = -1 and -1 + 0 + 1 = 0
  const w = Int8Array.from([1, -1, 1]);
  const x = Int8Array.from([1, 1, -1, -1, 0, 1]);
  assert.deepEqual(api.referenceGemm('fatnn', { M: 1, N: 2, K: 3 }, w, x), Int32Array.from([-1, 0]));
});

it('lists kernels with availability and exposes the presets', () => {
  const infos = api.listKernels();
  assert.ok(infos.some((k) => k.id === 'binary/js' && k.available));
  assert.equal(api.RESNET18_LAYERS.reduce((n, l) => n + l.count, 0), 19); // 16 3x3 convolutions + 3 downsampling 1x1
  assert.equal(api.shapeLabel(api.parseShape('64x3136x576')), '64x3136x576');
});
