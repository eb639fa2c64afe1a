// How the workers backend splits C: balanced, covering, aligned chunks on the right axis.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { balancedChunks, choosePartition, CHUNK_ALIGN } from '../src/backends/workers/partition.js';

function sizes(chunks: readonly (readonly [number, number])[]): number[] {
  return chunks.map(([a, b]) => b - a);
}

it('covers 0..dim with contiguous non-empty chunks, one per worker at most', () => {
  for (let dim = 1; dim <= 200; dim++) {
    for (const parts of [1, 2, 3, 5, 8]) {
      const chunks = balancedChunks(dim, parts);
      assert.equal(chunks.length, Math.min(dim, parts));
      assert.equal(chunks[0]![0], 0);
      assert.equal(chunks.at(-1)![1], dim);
      for (let i = 1; i < chunks.length; i++) assert.equal(chunks[i]![0], chunks[i - 1]![1]);
      for (const s of sizes(chunks)) assert.ok(s > 0, `${dim}/${parts}`);
    }
  }
});

it('keeps chunk sizes within two alignment units of each other', () => {
  for (let dim = 1; dim <= 300; dim++) {
    for (const parts of [2, 3, 5]) {
      const s = sizes(balancedChunks(dim, parts));
      const slack = 2 * CHUNK_ALIGN;
      assert.ok(Math.max(...s) - Math.min(...s) <= slack, `${dim}/${parts}: ${s.join(',')}`);
    }
  }
});

it('puts inner chunk boundaries on multiples of the alignment when the dimension allows', () => {
  assert.deepEqual(balancedChunks(49, 2), [[0, 24], [24, 49]]);
  assert.deepEqual(balancedChunks(196, 2), [[0, 98], [98, 196]]);
  assert.deepEqual(balancedChunks(128, 3), [[0, 42], [42, 86], [86, 128]]);
  assert.deepEqual(balancedChunks(7, 3), [[0, 2], [2, 5], [5, 7]]);
});

it('splits over N when there are enough columns, over M otherwise', () => {
  assert.equal(choosePartition({ M: 64, N: 3136, K: 576 }, 2).axis, 'N');
  assert.equal(choosePartition({ M: 512, N: 49, K: 4608 }, 2).axis, 'N');
  assert.equal(choosePartition({ M: 512, N: 7, K: 4608 }, 2).axis, 'M');
  assert.equal(choosePartition({ M: 1, N: 1, K: 9 }, 4).axis, 'N');
  assert.equal(choosePartition({ M: 9, N: 1, K: 9 }, 4).axis, 'M');
  assert.equal(choosePartition({ M: 64, N: 3136, K: 576 }, 2, 'M').axis, 'M');
});
