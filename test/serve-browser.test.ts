// `fatnn-bench serve` in a real browser (headless system Chromium through playwright-core), on a
// fixture bundle: the headers make the page cross-origin isolated (SharedArrayBuffer, Atomics in
// a Web Worker), wasm streams with its type, the token gate holds for the browser's own requests
// (cookie from the URL token, header on API calls), and a results POST from the page ends --once.
// Skipped, saying why, where no Chromium is installed (`.ci/run` installs it).

import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { findChromium, launchChromium } from './support/browser.js';
import { fixtureBundle, startServe, type Served } from './support/serve.js';

const FIXTURE = new URL('../../test/fixtures/results-small.json', import.meta.url).pathname;
const SMALL = ['--shape', '8x9x70', '-k', 'fatnn/js'];

const found = findChromium();
const skip = found.path === null ? `real-browser tests skipped: ${found.reason}` : false;
if (skip) process.stderr.write(`fatnn-bench tests: ${skip}\n`);

/** A page that reports what the browser allowed: isolation, a SAB shared with a module worker, streamed wasm. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>fixture</title>
<script type="module">
const probe = {};
probe.crossOriginIsolated = globalThis.crossOriginIsolated;
try {
  const sab = new SharedArrayBuffer(4);
  const worker = new Worker('/worker.js', { type: 'module' });
  probe.worker = await new Promise((resolve) => {
    worker.onmessage = () => resolve(Atomics.load(new Int32Array(sab), 0));
    worker.onerror = (e) => resolve('worker error: ' + e.message);
    worker.postMessage(sab);
  });
} catch (e) { probe.worker = String(e); }
try { await WebAssembly.instantiateStreaming(fetch('/empty.wasm')); probe.wasmStreaming = true; } catch (e) { probe.wasmStreaming = String(e); }
window.probe = probe;
</script>`;
const WORKER = `onmessage = (e) => { Atomics.add(new Int32Array(e.data), 0, 42); postMessage('done'); };\n`;

async function bundle(): Promise<string> {
  const { web } = await fixtureBundle();
  await writeFile(path.join(web, 'index.html'), PAGE);
  await writeFile(path.join(web, 'worker.js'), WORKER);
  await writeFile(path.join(web, 'empty.wasm'), Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
  return web;
}

interface Probe {
  crossOriginIsolated: boolean;
  worker: number | string;
  wasmStreaming: true | string;
}

describe('serve in headless Chromium', { skip }, () => {
  let browser: Browser;
  let web: string;
  before(async () => {
    const launched = await launchChromium();
    if (launched.browser === null) throw new Error(launched.reason);
    browser = launched.browser;
    web = await bundle();
  });
  after(async () => {
    await browser?.close();
  });

  test('the page is cross-origin isolated: a SharedArrayBuffer reaches a module worker, wasm streams', async () => {
    const s = await startServe(web, SMALL);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const response = await page.goto(s.url.href);
      assert.equal(response?.status(), 200);
      await page.waitForFunction(() => (window as unknown as { probe?: unknown }).probe !== undefined, undefined, { timeout: 30_000 });
      const probe = (await page.evaluate(() => (window as unknown as { probe: unknown }).probe)) as Probe;
      assert.deepEqual(probe, { crossOriginIsolated: true, worker: 42, wasmStreaming: true });
    } finally {
      await context.close();
      await s.stop();
    }
  });

  test('with a token: the page needs it, then its cookie carries scripts, workers and fetches; without it fetches are refused', async () => {
    const s = await startServe(web, [...SMALL, '--host', '0.0.0.0']);
    const token = s.url.searchParams.get('token');
    assert.ok(token);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const bare = new URL(s.url.href);
      bare.search = '';
      assert.equal((await page.goto(bare.href))?.status(), 403, 'the page without its token');
      assert.equal((await page.goto(s.url.href))?.status(), 200, 'the page with its token');
      await page.waitForFunction(() => (window as unknown as { probe?: unknown }).probe !== undefined, undefined, { timeout: 30_000 });
      const probe = (await page.evaluate(() => (window as unknown as { probe: unknown }).probe)) as Probe;
      assert.deepEqual(probe, { crossOriginIsolated: true, worker: 42, wasmStreaming: true }, 'the worker and the wasm came with the cookie');
      const withCookie = await page.evaluate(async () => (await fetch('/api/config')).status);
      assert.equal(withCookie, 200);
      await context.clearCookies();
      const without = await page.evaluate(async () => (await fetch('/api/config')).status);
      assert.equal(without, 403, 'a fetch without the token is refused');
      const withHeader = await page.evaluate(async (t) => (await fetch('/api/config', { headers: { 'x-fatnn-token': t } })).status, token);
      assert.equal(withHeader, 200);
    } finally {
      await context.close();
      await s.stop();
    }
  });

  test('a results POST from the page (same origin, its Origin header) is accepted and ends --once with 0', async () => {
    const s = await startServe(web, [...SMALL, '--once', '--autostart']);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(s.url.href);
      const doc = JSON.parse(await readFile(FIXTURE, 'utf8')) as { layers: { measurements: { verification: string }[] }[] };
      const passing = { ...doc, layers: doc.layers.map((l) => ({ ...l, measurements: l.measurements.filter((m) => m.verification === 'passed') })) };
      const reply = await page.evaluate(async (body) => {
        const r = await fetch('/api/results', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        return { status: r.status, json: await r.json() };
      }, JSON.stringify(passing));
      assert.equal(reply.status, 201);
      assert.match((reply.json as { file: string }).file, /^browser-.*\.json$/);
      const o = await s.done;
      assert.equal(o.code, 0, o.stderr);
    } finally {
      await context.close();
      await s.stop();
    }
  });
});
