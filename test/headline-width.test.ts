// The headline grid stays within 100 columns with the longest class label a host can produce
// (arm64 with SDOT: "workers-native (neon+dotprod)"), found by the emulated arm64 suite.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignGrid } from '../src/report/headline.js';
import { consoleWidth } from '../src/report/console.js';

test('the headline grid with arm64 class labels fits 100 columns', () => {
  const head = ['kernel class', 'fp32', 'int8', 'bit2', 'ternary2b', 'fatnn', 'binary', 'fatnn/ternary2b'];
  const rows = [
    ['native (neon+dotprod)', '1.00x', '2.03x~', '4.65x~', '4.04x~', '7.73x~', '12.69x~', '1.91x~'],
    ['workers-native (neon+dotprod)', '1.00x~', '1.54x~', '12.00x~', '11.01x~', '20.11x~', '33.53x~', '1.83x~'],
    ['op-count model', '1.00x', '1.33x', '5.33x', '5.33x', '10.67x', '21.33x', '2.00x (paper 2x)'],
  ];
  const lines = alignGrid(head, rows);
  for (const line of lines) assert.ok([...line].length <= 100, `${[...line].length} columns: ${line}`);
  // still aligned: every value column ends at the same place
  assert.equal(new Set(lines.map((l) => l.length)).size, 1);
  // narrow grids keep two spaces between columns
  assert.deepEqual(alignGrid(['a', 'b'], [['x', 'y']]), ['a  b', 'x  y']);
});

test('the console width is the terminal width (at least 60), and 100 columns when not a terminal', () => {
  assert.equal(consoleWidth({ isTTY: true, columns: 90 }), 90, 'a 90-column terminal gets 90, not text wrapped twice');
  assert.equal(consoleWidth({ isTTY: true, columns: 160 }), 160);
  assert.equal(consoleWidth({ isTTY: true, columns: 30 }), 60);
  assert.equal(consoleWidth({ isTTY: false, columns: 90 }), 100);
  assert.equal(consoleWidth({}), 100);
});
