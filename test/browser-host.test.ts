// Results files from the browser page (issue #13): the optional host.browser record validates
// (and a wrong one is refused with its path), every report names the browser instead of an
// empty Node version, a page without cross-origin isolation gets a host warning, and `compare`
// of a Node run and a browser run says that the runtimes differ.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderConsole } from '../src/report/console.js';
import { renderHtml } from '../src/report/html.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { hostWarnings } from '../src/results/host-warnings.js';
import { runtimeLabel } from '../src/results/runtime.js';
import type { HostBrowser, ResultsFile } from '../src/results/schema.js';
import { validateResults } from '../src/results/validate.js';

const FIXTURE = new URL('../../test/fixtures/results-small.json', import.meta.url).pathname;
const BIN = new URL('../../bin/fatnn-bench.js', import.meta.url).pathname;

const CHROMIUM: HostBrowser = {
  userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  brands: ['Not_A Brand 24.0.0.0', 'Chromium 131.0.6778.200', 'Google Chrome 131.0.6778.200'],
  platform: 'Android 14.0.0',
  mobile: true,
  model: 'Pixel 8',
  hardwareConcurrency: 9,
  deviceMemoryGB: 8,
  crossOriginIsolated: true,
};

function fixture(): Record<string, unknown> & { host: Record<string, unknown> } {
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown> & { host: Record<string, unknown> };
}

function browserFile(browser: HostBrowser = CHROMIUM): ResultsFile {
  const doc = fixture();
  doc.host = { ...doc.host, cpu: { ...(doc.host.cpu as object), brand: 'Pixel 8', cores: 9, physicalCores: 9, flags: ['wasm-simd128'] }, arch: 'arm-64', node: '', v8: 'Chromium 131.0.6778.200', browser };
  return validateResults(doc);
}

test('a browser host validates, and a malformed one is refused with its path', () => {
  assert.equal(browserFile().host.browser?.model, 'Pixel 8');
  const bad = fixture();
  bad.host = { ...bad.host, browser: { ...CHROMIUM, crossOriginIsolated: 'yes' } };
  assert.throws(() => validateResults(bad), /host\.browser\.crossOriginIsolated: expected true or false/);
  const noUa = fixture();
  noUa.host = { ...noUa.host, browser: { ...CHROMIUM, userAgent: undefined } };
  assert.throws(() => validateResults(noUa), /host\.browser\.userAgent: expected a string/);
});

test('reports name the browser, not an empty Node version', () => {
  const results = browserFile();
  assert.equal(runtimeLabel(results.host), 'Chromium 131.0.6778.200 (browser)');
  // The title may wrap: read it as one line.
  const title = renderConsole(results, { color: false }).split('\n').slice(0, 2).join(' ').replace(/\s+/g, ' ');
  assert.match(title, /^fatnn-bench \S+ on Pixel 8 .*, Chromium 131\.0\.6778\.200 \(browser\)/);
  assert.doesNotMatch(title, /Node/);
  for (const text of [renderMarkdown(results), renderHtml(results)]) {
    assert.match(text, /Pixel 8/);
    assert.match(text, /Cross-origin isolated/);
    assert.doesNotMatch(text, /Node \/ V8/);
    // A page knows no OS release or kernel: no empty "OS" row.
    assert.doesNotMatch(text, /kernel unknown/);
  }
});

test('a page without cross-origin isolation gets a host warning on every surface', () => {
  const results = browserFile({ ...CHROMIUM, crossOriginIsolated: false });
  const [warning] = hostWarnings(results.host);
  assert.match(warning ?? '', /not cross-origin isolated/);
  assert.deepEqual(hostWarnings(browserFile().host), []);
  for (const text of [renderConsole(results, { color: false }), renderMarkdown(results), renderHtml(results)]) assert.match(text, /not cross-origin isolated/);
});

test('compare of a Node run and a browser run says the runtimes differ', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fatnn-browser-'));
  writeFileSync(join(dir, 'browser.json'), JSON.stringify(browserFile()));
  const r = spawnSync(process.execPath, [BIN, 'compare', FIXTURE, join(dir, 'browser.json')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const all = `${r.stdout}${r.stderr}`;
  assert.match(all, /runtimes differ \([^)]*Node [^)]*Chromium 131\.0\.6778\.200 \(browser\)/);
  assert.doesNotMatch(all, /Node\.js versions differ/);
});
