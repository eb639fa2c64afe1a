// The poll-before-sleep helper of the workers backend: sees a change at once, and stops polling
// for a while after a poll that timed out.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SPIN_BACKOFF, Spinner } from '../src/backends/workers/protocol.js';

it('reports a word that already differs without backing off', () => {
  const ctrl = new Int32Array(new SharedArrayBuffer(8));
  ctrl[0] = 5;
  const spinner = new Spinner(50);
  assert.equal(spinner.spinWhileEqual(ctrl, 0, 4), true);
  assert.equal(spinner.backingOff, 0);
});

it('backs off for SPIN_BACKOFF waits after a poll that timed out, then polls again', () => {
  const ctrl = new Int32Array(new SharedArrayBuffer(8));
  const spinner = new Spinner(20);
  assert.equal(spinner.spinWhileEqual(ctrl, 0, 0), false);
  assert.equal(spinner.backingOff, SPIN_BACKOFF);
  for (let i = 0; i < SPIN_BACKOFF; i++) assert.equal(spinner.spinWhileEqual(ctrl, 0, 0), false);
  assert.equal(spinner.backingOff, 0);
  ctrl[0] = 1;
  assert.equal(spinner.spinWhileEqual(ctrl, 0, 0), true);
});

it('never polls with a zero budget', () => {
  const ctrl = new Int32Array(new SharedArrayBuffer(8));
  const spinner = new Spinner(0);
  assert.equal(spinner.spinWhileEqual(ctrl, 0, 0), false);
  assert.equal(spinner.backingOff, 0);
});
