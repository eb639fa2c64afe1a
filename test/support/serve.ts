// Starting the real `fatnn-bench serve` against a tiny fixture bundle (the server's tests do not
// depend on the page's real bundle), and raw HTTP requests whose path, Host and headers the
// test controls exactly (fetch would normalise `/../` and set Host itself).

import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { start, type Outcome } from './spawn-cli.js';

/** The env seam of src/serve/static-files.ts. */
export const WEB_ROOT_ENV = 'FATNN_BENCH_TEST_WEB_ROOT';

/** The smallest wasm module (magic + version): enough to check its Content-Type and that it compiles. */
export const EMPTY_WASM = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

export const FIXTURE_PAGE = `<!doctype html><meta charset="utf-8"><title>fixture</title><script type="module" src="/app.js"></script>\n`;

/**
 * A fixture bundle under a fresh temp folder: `<tmp>/web/` holds index.html, app.js,
 * assets/empty.wasm, assets/style.css and a dot file; `<tmp>/secret.txt` sits beside it, so a
 * traversal that escaped the bundle would find something.
 */
export async function fixtureBundle(): Promise<{ root: string; web: string; secret: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'fatnn-serve-test-'));
  const web = path.join(root, 'web');
  await mkdir(path.join(web, 'assets'), { recursive: true });
  await writeFile(path.join(web, 'index.html'), FIXTURE_PAGE);
  await writeFile(path.join(web, 'app.js'), 'globalThis.fixtureLoaded = true;\n');
  await writeFile(path.join(web, 'assets', 'empty.wasm'), EMPTY_WASM);
  await writeFile(path.join(web, 'assets', 'style.css'), 'body { margin: 0 }\n');
  await writeFile(path.join(web, '.hidden'), 'not part of the bundle\n');
  const secret = path.join(root, 'secret.txt');
  await writeFile(secret, 'SECRET-OUTSIDE-THE-BUNDLE\n');
  return { root, web, secret };
}

export interface Served {
  readonly child: ChildProcess;
  readonly done: Promise<Outcome>;
  /** First line on stdout: the page URL (with ?token= when one is needed). */
  readonly url: URL;
  readonly port: number;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** SIGINT, then the outcome. */
  stop(): Promise<Outcome>;
}

/**
 * Starts `serve --port 0 ...args` on the bundle folder `web` (null: the real dist/web/) and
 * waits until it has printed its URL and what it waits for.
 */
export async function startServe(web: string | null, args: readonly string[], timeoutMs = 30_000): Promise<Served> {
  const run = start(['serve', '--port', '0', ...args], web === null ? {} : { [WEB_ROOT_ENV]: web });
  let stdout = '';
  run.child.stdout!.on('data', (d) => (stdout += d));
  const url = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL within ${timeoutMs} ms; stderr: ${run.stderr()}`)), timeoutMs);
    const check = () => {
      const line = stdout.split('\n')[0];
      // The last startup line on stderr says what the server waits for.
      if (stdout.includes('\n') && line && /waiting for .*\n/.test(run.stderr())) {
        clearTimeout(timer);
        resolve(new URL(line));
      }
    };
    run.child.stdout!.on('data', check);
    run.child.stderr!.on('data', check);
    run.done.then((o) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${o.code}) before printing a URL: ${o.stderr}`));
    });
  });
  return {
    child: run.child,
    done: run.done,
    url,
    port: Number(url.port),
    stdout: () => stdout,
    stderr: run.stderr,
    stop: () => {
      if (run.child.exitCode === null) run.child.kill('SIGINT');
      return run.done;
    },
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
}

export interface RawRequest {
  readonly method?: string;
  /** Sent exactly as given. */
  readonly path: string;
  readonly headers?: Record<string, string | number>;
  readonly body?: string | Buffer;
}

/** Raw bytes to 127.0.0.1:port (a request no HTTP client would send); resolves to the reply text. */
export function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(text));
    let reply = '';
    socket.on('data', (d) => (reply += d));
    socket.on('end', () => resolve(reply));
    socket.on('error', reject);
  });
}

/** One request to 127.0.0.1:port; Host defaults to 127.0.0.1:port. */
export function request(port: number, r: RawRequest): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: r.method ?? 'GET', path: r.path, headers: { host: `127.0.0.1:${port}`, ...r.headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

/**
 * Starts a POST whose body would be `totalBytes` long and writes only `sentBytes` of it, then
 * waits for the reply: a server that waited for the whole body would never answer.
 */
export function postPartially(port: number, urlPath: string, opts: { totalBytes: number; sentBytes: number; chunked?: boolean; headers?: Record<string, string> }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { host: `127.0.0.1:${port}`, 'content-type': 'application/json', ...opts.headers };
    if (!opts.chunked) headers['content-length'] = opts.totalBytes;
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: urlPath, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
      res.on('error', () => {});
    });
    // The server may close while we still write: that is the point, not a failure.
    req.on('error', (err) => setTimeout(() => reject(err), 2000));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < opts.sentBytes) {
        const n = Math.min(chunk.length, opts.sentBytes - sent);
        sent += n;
        if (!req.write(chunk.subarray(0, n))) return void req.once('drain', pump);
      }
    };
    pump();
  });
}
