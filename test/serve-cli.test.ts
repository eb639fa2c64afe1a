// `fatnn-bench serve` end to end through the real executable, on a fixture bundle: what it
// serves and with which headers, what it refuses (traversal, foreign Host, cross-origin, missing
// or wrong token, oversized or invalid results) and that each refusal is logged in one line,
// results written atomically under a server-chosen name, --once's exit codes, bad flags, Ctrl-C.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readResultsFile } from '../src/results/io.js';
import type { ResultsFile } from '../src/results/schema.js';
import { MAX_RESULTS_BYTES, type WebJob } from '../src/web/protocol.js';
import { fixtureBundle, postPartially, rawRequest, request, startServe, WEB_ROOT_ENV, type Served } from './support/serve.js';
import { cli } from './support/spawn-cli.js';

const FIXTURE = new URL('../../test/fixtures/results-small.json', import.meta.url).pathname;
/** One kernel, one layer: the job is checked, never run, so the flags only shape it. */
const SMALL = ['--shape', '8x9x70', '-k', 'fatnn/js'];

const SECURITY_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

function assertSecurityHeaders(headers: Record<string, unknown>, what: string): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) assert.equal(headers[k], v, `${what}: ${k}`);
}

/** The fixture results file, as the page would send it: the one wrong kernel removed, or kept. */
async function resultsDoc(opts: { withWrongKernel: boolean }): Promise<ResultsFile> {
  const doc = JSON.parse(await readFile(FIXTURE, 'utf8')) as ResultsFile;
  if (opts.withWrongKernel) return doc;
  return { ...doc, layers: doc.layers.map((l) => ({ ...l, measurements: l.measurements.filter((m) => m.verification === 'passed') })) };
}

const postJson = (port: number, urlPath: string, body: unknown, headers: Record<string, string> = {}) =>
  request(port, { method: 'POST', path: urlPath, headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  for (const t0 = Date.now(); !cond(); ) {
    if (Date.now() - t0 > ms) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('serve on loopback (no token)', () => {
  let web: string;
  let secret: string;
  let out: string;
  let s: Served;
  before(async () => {
    ({ web, secret } = await fixtureBundle());
    out = path.join(await mkdtemp(path.join(os.tmpdir(), 'fatnn-serve-out-')), 'res');
    s = await startServe(web, [...SMALL, '--out', out, '--seed', '7', '--autostart', '--quantizer', 'fatnn:-0.25,0.75']);
  });
  after(async () => {
    await s.stop();
  });

  test('prints a loopback URL without a token and says what it waits for', () => {
    assert.equal(s.url.hostname, '127.0.0.1');
    assert.equal(s.url.search, '', 'no token on loopback');
    assert.equal(s.stdout().trim().split('\n').length, 1, 'one URL on stdout');
    assert.match(s.stderr(), /waiting for results files \(saved into .*res\)/);
  });

  test('serves the page at / and /index.html, scripts, wasm and css with their content types and the isolation headers', async () => {
    const page = await readFile(path.join(web, 'index.html'), 'utf8');
    for (const [p, type, body] of [
      ['/', 'text/html; charset=utf-8', page],
      ['/index.html', 'text/html; charset=utf-8', page],
      ['/app.js', 'text/javascript; charset=utf-8', null],
      ['/assets/empty.wasm', 'application/wasm', null],
      ['/assets/style.css', 'text/css; charset=utf-8', null],
    ] as const) {
      const r = await request(s.port, { path: p });
      assert.equal(r.status, 200, p);
      assert.equal(r.headers['content-type'], type, p);
      assertSecurityHeaders(r.headers, p);
      if (body !== null) assert.equal(r.text, body);
    }
    const wasm = await request(s.port, { path: '/assets/empty.wasm' });
    assert.ok(await WebAssembly.compile(new Uint8Array(wasm.body)), 'the wasm bytes arrive intact');
  });

  test('HEAD gives the headers without a body', async () => {
    const r = await request(s.port, { method: 'HEAD', path: '/app.js' });
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 0);
    assert.ok(Number(r.headers['content-length']) > 0);
  });

  test('the job carries the options, the browser kernels and --autostart', async () => {
    const r = await request(s.port, { path: '/api/config' });
    assert.equal(r.status, 200);
    assertSecurityHeaders(r.headers, '/api/config');
    const job = JSON.parse(r.text) as WebJob;
    assert.deepEqual(job.kernels, ['fatnn/js']);
    assert.deepEqual(job.layers, [{ name: '8x9x70', M: 8, N: 9, K: 70, count: 1 }]);
    assert.equal(job.preset, null);
    assert.equal(job.seed, 7);
    assert.equal(job.autostart, true);
    assert.equal(job.once, false);
    assert.equal(job.packing, true);
    assert.equal(job.fromFloat, true, 'the from-float view is on by default, as in run');
    assert.deepEqual(job.quantizers?.fatnn, { precision: 'fatnn', low: -0.25, high: 0.75 });
  });

  test('--no-from-float reaches the page', async () => {
    const off = await startServe(web, [...SMALL, '--no-from-float']);
    try {
      const job = JSON.parse((await request(off.port, { path: '/api/config' })).text) as WebJob;
      assert.equal(job.fromFloat, false);
      assert.equal(job.quantizers, undefined);
    } finally {
      await off.stop();
    }
  });

  test('no path outside the bundle, no dot file and no listing is served, however it is spelled', async () => {
    const secretName = path.basename(secret);
    const attempts = [
      `/../${secretName}`,
      `/%2e%2e/${secretName}`,
      `/%2E%2E/${secretName}`,
      `/..%2f${secretName}`,
      `/..%2F${secretName}`,
      `/assets/../../${secretName}`,
      `/assets/..%2f..%2f${secretName}`,
      `/%2e%2e%2f${secretName}`,
      `/..\\${secretName}`,
      '/../package.json',
      `/${secret}`,
      `//${secret.slice(1)}`,
      `http://127.0.0.1/../${secretName}`,
      '/etc/passwd',
      '/assets/',
      '/assets',
      '/.hidden',
      '/index.html/',
      '/index.html%00',
      '/%69ndex.html',
    ];
    for (const p of attempts) {
      const r = await request(s.port, { path: p });
      assert.equal(r.status, 404, `${p} gave ${r.status}`);
      assert.ok(!r.text.includes('SECRET'), `${p} leaked the file beside the bundle`);
      assertSecurityHeaders(r.headers, p);
    }
    await until('the rejections in the log', () => s.stderr().includes('/%69ndex.html: 404'));
    for (const p of ['/../package.json', '/assets/', '/.hidden']) assert.ok(s.stderr().includes(`rejected GET ${p}: 404 not a file of the page\n`), `${p} logged`);
  });

  test('a request whose Host is not this server is refused (DNS rebinding), localhost is accepted', async () => {
    for (const host of ['evil.example', `evil.example:${s.port}`, '127.0.0.1:1', `127.0.0.1:${s.port}@evil.example`]) {
      const r = await request(s.port, { path: '/', headers: { host } });
      assert.equal(r.status, 403, `Host "${host}"`);
      assertSecurityHeaders(r.headers, `Host ${host}`);
    }
    assert.equal((await request(s.port, { path: '/', headers: { host: `localhost:${s.port}` } })).status, 200);
    // HTTP/1.0 may omit Host; that is no proof of being this server either.
    assert.match(await rawRequest(s.port, 'GET / HTTP/1.0\r\n\r\n'), /^HTTP\/1\.1 403 /);
    await until('the log line', () => /rejected GET \/: 403 Host evil\.example:\d+ is not this server/.test(s.stderr()));
  });

  test('a POST from another origin is refused', async () => {
    const r = await postJson(s.port, '/api/results', await resultsDoc({ withWrongKernel: false }), { origin: 'http://evil.example' });
    assert.equal(r.status, 403);
    await until('the log line', () => s.stderr().includes('rejected POST /api/results: 403 cross-origin request from http://evil.example'));
  });

  test('unknown paths are 404 and wrong methods 405 with Allow', async () => {
    assert.equal((await request(s.port, { path: '/api/nothing' })).status, 404);
    const get = await request(s.port, { path: '/api/results' });
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
    const put = await request(s.port, { method: 'PUT', path: '/index.html', body: 'x' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.allow, 'GET, HEAD');
    assert.equal((await postJson(s.port, '/api/config', {})).status, 405);
    await until('the log line', () => s.stderr().includes('rejected GET /api/results: 405 method not allowed (use POST)'));
  });

  test('results that are not JSON, not a results file, or not sent as JSON are refused with the reason and nothing is written', async () => {
    const before = await readdir(out);
    const notJson = await postJson(s.port, '/api/results', '{"schema": ');
    assert.equal(notJson.status, 400);
    assert.match(notJson.text, /not valid JSON/);
    const doc = await resultsDoc({ withWrongKernel: false });
    const invalid = await postJson(s.port, '/api/results', { ...doc, layers: [{ ...doc.layers[0], M: -1 }] });
    assert.equal(invalid.status, 400);
    // The validator's own words and JSON path, as `report` gives them.
    assert.match(invalid.text, /invalid results file at layers\[0\]\.M: expected at least 1, got -1/);
    const text = await request(s.port, { method: 'POST', path: '/api/results', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(doc) });
    assert.equal(text.status, 415);
    assert.deepEqual(await readdir(out), before, 'nothing written');
    await until('the log line', () => s.stderr().includes('rejected POST /api/results: 400 invalid results file at layers[0].M'));
  });

  test('an oversized results body is refused with 413 before it is read in full', async () => {
    const declared = await postPartially(s.port, '/api/results', { totalBytes: MAX_RESULTS_BYTES + 1, sentBytes: 1024 });
    assert.equal(declared.status, 413);
    // Chunked, no length given: the server stops once the cap is passed; the body would go on.
    const streamed = await postPartially(s.port, '/api/results', { totalBytes: 4 * MAX_RESULTS_BYTES, sentBytes: MAX_RESULTS_BYTES + 256 * 1024, chunked: true });
    assert.equal(streamed.status, 413);
    assertSecurityHeaders(streamed.headers, '413');
    await until('the log line', () => s.stderr().includes(`rejected POST /api/results: 413 results body larger than ${MAX_RESULTS_BYTES} bytes`));
  });

  test('a valid results file is written whole under a name the server chooses, and 201 names it', async () => {
    const doc = await resultsDoc({ withWrongKernel: false });
    const r = await postJson(s.port, '/api/results?name=../../evil.json', doc, { 'x-file-name': '../evil.json' });
    assert.equal(r.status, 201, r.text);
    const { file } = JSON.parse(r.text) as { file: string };
    assert.match(file, /^browser-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-[0-9a-f]{8}\.json$/);
    const written = await readResultsFile(path.join(out, file));
    assert.deepEqual(written.layers, doc.layers);
    const files = await readdir(out);
    assert.ok(files.includes(file));
    assert.ok(!files.some((f) => f.endsWith('.tmp')), 'no temp file left behind (written by rename)');
    assert.ok(!files.includes('evil.json') && !(await readdir(path.dirname(out))).includes('evil.json'));
    await until('the log line', () => s.stderr().includes(`received results: ${path.join(out, file)} (2 layer(s), 19 measurement(s), every kernel verified)`));
  });
});

describe('serve on 0.0.0.0 (token required)', () => {
  let s: Served;
  let token: string;
  before(async () => {
    const { web } = await fixtureBundle();
    const out = path.join(await mkdtemp(path.join(os.tmpdir(), 'fatnn-serve-out-')), 'res');
    s = await startServe(web, [...SMALL, '--host', '0.0.0.0', '--out', out]);
    token = s.url.searchParams.get('token') ?? '';
  });
  after(async () => {
    await s.stop();
  });

  test('prints loopback first, a URL with a random token, and says the token is needed', () => {
    assert.equal(s.url.hostname, '127.0.0.1');
    assert.match(token, /^[A-Za-z0-9_-]{22}$/, 'a 128-bit base64url token');
    for (const line of s.stdout().trim().split('\n')) assert.ok(line.endsWith(`/?token=${token}`), line);
    assert.match(s.stderr(), /every request needs the token/);
    assert.ok(!s.stderr().includes(token), 'the token is on stdout only, never in the log');
  });

  test('without the token or with a wrong one every path is 403', async () => {
    for (const p of ['/', '/app.js', '/api/config', '/assets/empty.wasm', '/?token=', `/?token=${token.slice(0, -1)}`, `/?token=${token}x`]) {
      const r = await request(s.port, { path: p });
      assert.equal(r.status, 403, p);
      assertSecurityHeaders(r.headers, p);
    }
    assert.equal((await request(s.port, { path: '/', headers: { cookie: 'fatnn_token=nope' } })).status, 403);
    assert.equal((await request(s.port, { path: '/api/config', headers: { 'x-fatnn-token': 'nope' } })).status, 403);
    assert.equal((await postJson(s.port, '/api/results', await resultsDoc({ withWrongKernel: false }))).status, 403);
    await until('the log lines', () => s.stderr().includes('rejected GET /: 403 no token') && s.stderr().includes('rejected GET /?...: 403 wrong token'));
    assert.ok(!s.stderr().includes(token), 'the query (and its token) is never logged');
  });

  test('the right token in the URL serves the page and sets an HttpOnly SameSite=Strict cookie that then suffices', async () => {
    const page = await request(s.port, { path: `/?token=${token}` });
    assert.equal(page.status, 200);
    const cookie = String(page.headers['set-cookie']);
    assert.match(cookie, new RegExp(`^fatnn_token=${token}; HttpOnly; SameSite=Strict; Path=/`));
    const asset = await request(s.port, { path: '/app.js', headers: { cookie: `fatnn_token=${token}` } });
    assert.equal(asset.status, 200);
    assert.equal(asset.headers['set-cookie'], undefined, 'the cookie is set only from the URL token');
  });

  test('API calls may carry the token as the header', async () => {
    const r = await request(s.port, { path: '/api/config', headers: { 'x-fatnn-token': token } });
    assert.equal(r.status, 200);
    assert.deepEqual((JSON.parse(r.text) as WebJob).kernels, ['fatnn/js']);
    const post = await postJson(s.port, '/api/results', await resultsDoc({ withWrongKernel: false }), { 'x-fatnn-token': token });
    assert.equal(post.status, 201);
  });

  test('the Host check still applies with the right token', async () => {
    const r = await request(s.port, { path: `/?token=${token}`, headers: { host: `rebound.example:${s.port}` } });
    assert.equal(r.status, 403);
  });
});

describe('serve --once', () => {
  test('exits 0 after one results file in which every kernel verified', async () => {
    const { web } = await fixtureBundle();
    const out = path.join(await mkdtemp(path.join(os.tmpdir(), 'fatnn-serve-out-')), 'res');
    const s = await startServe(web, [...SMALL, '--out', out, '--once', '--autostart']);
    const job = JSON.parse((await request(s.port, { path: '/api/config' })).text) as WebJob;
    assert.equal(job.once, true);
    assert.equal(job.autostart, true);
    assert.match(s.stderr(), /waiting for one results file/);
    const r = await postJson(s.port, '/api/results', await resultsDoc({ withWrongKernel: false }));
    assert.equal(r.status, 201);
    const o = await s.done;
    assert.equal(o.code, 0, o.stderr);
    assert.equal((await readdir(out)).filter((f) => f.endsWith('.json')).length, 1);
  });

  test('exits 1 when a kernel returned a wrong result, and still writes the file', async () => {
    const { web } = await fixtureBundle();
    const out = path.join(await mkdtemp(path.join(os.tmpdir(), 'fatnn-serve-out-')), 'res');
    const s = await startServe(web, [...SMALL, '--out', out, '--once']);
    const r = await postJson(s.port, '/api/results', await resultsDoc({ withWrongKernel: true }));
    assert.equal(r.status, 201);
    const o = await s.done;
    assert.equal(o.code, 1);
    assert.match(o.stderr, /WRONG results from binary\/wasm-scalar/);
    const [file] = (await readdir(out)).filter((f) => f.endsWith('.json'));
    assert.ok(file, 'the file is written');
    await readResultsFile(path.join(out, file));
  });

  test('exits 1 when the page reports an error, and logs it in one line', async () => {
    const { web } = await fixtureBundle();
    const s = await startServe(web, [...SMALL, '--once']);
    const r = await postJson(s.port, '/api/error', { message: 'WebAssembly is not available\nin this browser' });
    assert.equal(r.status, 204);
    const o = await s.done;
    assert.equal(o.code, 1);
    assert.match(o.stderr, /the page reported an error: WebAssembly is not available\?in this browser\n/);
  });

  test('an invalid results file does not end it: the page can send a valid one', async () => {
    const { web } = await fixtureBundle();
    const s = await startServe(web, [...SMALL, '--once']);
    assert.equal((await postJson(s.port, '/api/results', { schema: 'nope' })).status, 400);
    assert.equal(s.child.exitCode, null);
    assert.equal((await postJson(s.port, '/api/results', await resultsDoc({ withWrongKernel: false }))).status, 201);
    assert.equal((await s.done).code, 0);
  });
});

describe('serve: startup errors and Ctrl-C', () => {
  let web: string;
  before(async () => {
    ({ web } = await fixtureBundle());
  });
  const serveCli = (args: readonly string[], webRoot = web) => cli(['serve', '--port', '0', ...args], { [WEB_ROOT_ENV]: webRoot });

  test('bad flags exit 2 with one line, the same line `run` gives', async () => {
    for (const bad of [['--time', '0'], ['--preset', 'nope'], ['--baseline', 'bit2'], ['-k', 'nope/js'], ['--shape', '3x3'], ['--preset', 'quick', '--shape', '8x8x8'], ['--quantizer', 'fatnn:1,0']]) {
      const served = await serveCli(bad);
      const ran = await cli(['run', ...bad, '--out', path.join(os.tmpdir(), 'never-written')]);
      assert.equal(served.code, 2, `${bad.join(' ')}: ${served.stderr}`);
      assert.equal(served.stderr.trim().split('\n').length, 1, served.stderr);
      assert.equal(served.stderr, ran.stderr, bad.join(' '));
    }
  });

  test('serve-only bad values exit 2 with one line', async () => {
    for (const [bad, msg] of [
      [['--port', '70000'], /--port must be an integer from 0 to 65535/],
      [['--host', 'a b'], /--host must be an IP address or a host name/],
      [['-b', 'native'], /no kernel a browser can run matches the filters/],
    ] as const) {
      const r = await serveCli(bad);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, msg);
    }
  });

  test('a port in use is one line, exit 2', async () => {
    const first = await startServe(web, SMALL);
    try {
      const r = await cli(['serve', ...SMALL, '--port', String(first.port)], { [WEB_ROOT_ENV]: web });
      assert.equal(r.code, 2);
      assert.equal(r.stderr, `fatnn-bench: port ${first.port} on 127.0.0.1 is already in use; choose another with --port N (--port 0: any free port)\n`);
    } finally {
      await first.stop();
    }
  });

  test('a missing bundle is one line naming it and `npm run build`, exit 1', async () => {
    const missing = path.join(await mkdtemp(path.join(os.tmpdir(), 'fatnn-serve-nobundle-')), 'web');
    const r = await serveCli(SMALL, missing);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `fatnn-bench: the browser page is not built: ${path.join(missing, 'index.html')} is missing; run \`npm run build\` in the fatnn-bench folder\n`);
  });

  test('--out that is a file, or a folder holding results, is refused (exit 2) unless --force', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fatnn-serve-out-'));
    const file = path.join(dir, 'a-file');
    await writeFile(file, 'x');
    const r = await serveCli([...SMALL, '--out', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is a file, not a folder/);
    await writeFile(path.join(dir, 'browser-2026-01-01T00-00-00Z-00000000.json'), '{}');
    const held = await serveCli([...SMALL, '--out', dir]);
    assert.equal(held.code, 2);
    assert.match(held.stderr, /already holds results \(browser-2026-01-01T00-00-00Z-00000000\.json\); pass --force/);
    const forced = await startServe(web, [...SMALL, '--out', dir, '--force']);
    assert.equal((await forced.stop()).code, 130);
  });

  test('Ctrl-C stops the server: exit 130, a clear line, the port is free again', async () => {
    const s = await startServe(web, SMALL);
    assert.equal((await request(s.port, { path: '/' })).status, 200);
    const o = await s.stop();
    assert.equal(o.code, 130);
    assert.match(o.stderr, /interrupted: stopping the server\n/);
    assert.match(o.stderr, /stopped \(Ctrl-C\); 0 results file\(s\) received\n$/);
    await assert.rejects(request(s.port, { path: '/' }), /ECONNREFUSED/);
  });

  test('serve --help gives examples and exit codes', async () => {
    const r = await cli(['serve', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Examples:\n {2}\$ fatnn-bench serve --preset quick\n/);
    assert.match(r.stdout, /Exit codes:\n {2}0 +success \(--once/);
    assert.match(r.stdout, /130 +interrupted/);
    assert.match(r.stdout, /--once/);
    assert.match(r.stdout, /--autostart/);
  });
});
