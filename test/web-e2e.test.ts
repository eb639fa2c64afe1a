// Issue #13 end to end in a real browser: `fatnn-bench serve --preset quick --once --autostart`
// with the js, wasm and workers kernels; headless Chromium opens the printed URL, the page
// measures and POSTs its results file, the server writes it and exits 0. The file must validate,
// say a browser measured it, and hold every js, wasm-simd128, wasm-scalar and workers kernel
// verified on every layer. Skipped, saying why, where no Chromium is found.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { readResultsFile } from '../src/results/io.js';
import { PRECISIONS } from '../src/types.js';
import { launchChromium } from './support/browser.js';
import { startServe } from './support/serve.js';

/**
 * Small budgets keep it to ~15 s on 2 busy cores: every kernel is still verified on every layer
 * and timed at least once, in its own Web Worker isolate. Results are checked, never times.
 */
const BUDGET = ['--time', '10', '--warmup', '1', '--min-samples', '1', '--rounds', '1', '--forks', '1', '--no-packing'];
const BACKENDS = ['js', 'wasm-simd128', 'wasm-scalar', 'workers-js', 'workers-wasm-simd128', 'workers-wasm-scalar'];

it('serve --once --autostart in headless Chromium: a valid browser results file, every js, wasm and workers kernel verified', { timeout: 300_000 }, async (t) => {
  const launched = await launchChromium();
  if (launched.browser === null) {
    t.skip(`no browser to drive: ${launched.reason}`);
    return;
  }
  const out = join(mkdtempSync(join(tmpdir(), 'fatnn-web-e2e-')), 'out');
  try {
    // null: the real bundle `npm run build` made into dist/web/ (pretest builds it).
    const served = await startServe(null, ['--preset', 'quick', '-b', 'js,wasm,workers', '--threads', '2', '--once', '--autostart', '--out', out, ...BUDGET]);
    const page = await launched.browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(served.url.href);
    // A page that hangs would leave the server waiting: stop it after a generous deadline.
    const deadline = setTimeout(() => void served.stop(), 240_000);
    const outcome = await served.done.finally(() => clearTimeout(deadline));
    const state = await page.evaluate(() => ({ state: document.body.dataset.state, error: document.body.dataset.error, file: document.body.dataset.resultsFile }));
    assert.equal(outcome.code, 0, `serve exited ${outcome.code}; page: ${JSON.stringify(state)}; stderr: ${outcome.stderr}`);
    assert.deepEqual(pageErrors, []);

    const files = readdirSync(out).filter((f) => f.endsWith('.json'));
    assert.equal(files.length, 1, `one results file in --out: ${files.join(', ')}`);
    // readResultsFile validates with the project's validator (the one `report` and `compare` use).
    const results = await readResultsFile(join(out, files[0]!));
    assert.ok(results.complete);
    assert.ok(results.host.browser, 'host.browser says a browser measured it');
    assert.match(results.host.browser.userAgent, /Chrom/);
    assert.equal(results.host.browser.crossOriginIsolated, true, 'serve makes the page cross-origin isolated');
    assert.equal(results.config.preset, 'quick');
    assert.equal(results.layers.length, 3);
    assert.deepEqual(results.skipped, []);

    const expected = BACKENDS.flatMap((b) => PRECISIONS.map((p) => `${p}/${b}`)).filter((id) => !/^(fp32|int8)\/(workers-)?wasm-scalar$/.test(id));
    for (const layer of results.layers) {
      const byId = new Map(layer.measurements.map((m) => [m.kernel, m]));
      for (const id of expected) {
        const m = byId.get(id);
        assert.ok(m, `${id} measured on ${layer.name}`);
        assert.equal(m.verification, 'passed', `${id} on ${layer.name}: ${m.error ?? ''}`);
        assert.ok(m.gemm && m.gemm.samples >= 1, `${id} timed on ${layer.name}`);
      }
    }
  } finally {
    await launched.browser.close();
  }
});

it('the page carries the token of a network-reachable server on its own requests (API, workers, wasm)', { timeout: 120_000 }, async (t) => {
  const launched = await launchChromium();
  if (launched.browser === null) {
    t.skip(`no browser to drive: ${launched.reason}`);
    return;
  }
  const out = join(mkdtempSync(join(tmpdir(), 'fatnn-web-token-')), 'out');
  try {
    const served = await startServe(null, ['--host', '0.0.0.0', '--shape', '8x64x100', '-k', 'fatnn/wasm-simd128', '-k', 'fatnn/workers-wasm-simd128', '--threads', '2', '--once', '--autostart', '--out', out, ...BUDGET]);
    assert.ok(served.url.searchParams.get('token'), 'a token in the printed URL');
    const page = await launched.browser.newPage();
    await page.goto(served.url.href);
    const deadline = setTimeout(() => void served.stop(), 60_000);
    const outcome = await served.done.finally(() => clearTimeout(deadline));
    assert.equal(outcome.code, 0, outcome.stderr);
    const [file] = readdirSync(out);
    const results = await readResultsFile(join(out, file!));
    assert.deepEqual(results.layers[0]!.measurements.map((m) => [m.kernel, m.verification]), [
      ['fatnn/wasm-simd128', 'passed'],
      ['fatnn/workers-wasm-simd128', 'passed'],
    ]);
  } finally {
    await launched.browser.close();
  }
});
