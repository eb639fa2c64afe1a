// The HTTP server of `fatnn-bench serve` (node:http, no framework: four routes and a fixed file
// list do not need one). Every request passes the same gate (Host, Origin, token) before
// routing; every refusal is answered with a 4xx and logged in one line.

import { readFile } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { FatnnError, UsageError } from '../errors.js';
import { CONFIG_PATH, ERROR_PATH, MAX_RESULTS_BYTES, RESULTS_PATH, type WebErrorReport, type WebJob, type WebPostReply } from '../web/protocol.js';
import { allowedHostNames, checkToken, hostProblem, tokenCookie } from './access.js';
import { readBody } from './body.js';
import { parseResultsBody, summarize, writeBrowserResults, type ResultsSummary } from './results-sink.js';
import type { StaticFiles } from './static-files.js';

/** An error report is one line of text; anything bigger is not one. */
export const MAX_ERROR_REPORT_BYTES = 64 * 1024;

/**
 * On every response, errors included. COOP + COEP make the page cross-origin isolated, which
 * SharedArrayBuffer (the Web Worker pool) needs; CORP keeps other sites from embedding our
 * files; nosniff makes browsers trust only the Content-Type we send; no-store keeps a stale
 * bundle or job out of caches; no-referrer keeps the token in the page URL from leaking.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
};

export interface ServerOptions {
  readonly host: string;
  readonly port: number;
  readonly outDir: string;
  readonly job: WebJob;
  readonly files: StaticFiles;
  /** Required on every request when set (non-loopback --host). */
  readonly token: string | null;
  readonly log: (line: string) => void;
  /** After a results file was written and the page has its 201. */
  readonly onResults: (file: string, summary: ResultsSummary) => void;
  /** After the page reported that it could not finish (POST /api/error). */
  readonly onPageError: (message: string) => void;
}

export interface RunningServer {
  readonly port: number;
  /** Stops accepting results (503) while the server is shutting down. */
  stopAcceptingResults(): void;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** One printable line, capped: request paths and page messages go into the log. */
export function printable(text: string, max = 200): string {
  const line = text.replace(/[\x00-\x1f\x7f]/g, '?');
  return line.length > max ? `${line.slice(0, max)}...` : line;
}

function isJson(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
}

function send(res: ServerResponse, status: number, body: string | Buffer, contentType: string, head = false): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(head ? undefined : body);
}

const sendJson = (res: ServerResponse, status: number, value: unknown, head = false) => send(res, status, `${JSON.stringify(value)}\n`, 'application/json; charset=utf-8', head);

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  let port = opts.port;
  let accepting = true;
  const allowedHosts = allowedHostNames(opts.host);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const method = req.method ?? 'GET';
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const rawPath = q < 0 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
    // The query is never logged: it may hold the token.
    const shown = `${method} ${printable(rawPath)}${q < 0 ? '' : '?...'}`;
    const reject = (status: number, why: string, headers: Record<string, string> = {}) => {
      opts.log(`rejected ${shown}: ${status} ${why}`);
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      send(res, status, `${status} ${http.STATUS_CODES[status] ?? ''}: ${why}\n`, 'text/plain; charset=utf-8', method === 'HEAD');
    };
    const onlyMethods = (allowed: readonly string[]) => {
      if (allowed.includes(method)) return true;
      reject(405, `method not allowed (use ${allowed.join(' or ')})`, { Allow: allowed.join(', ') });
      return false;
    };

    const badHost = hostProblem(req.headers.host, allowedHosts, port);
    if (badHost) return reject(403, badHost);
    // Cross-site requests carry their Origin; a same-origin fetch carries ours (or none on GET).
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`) return reject(403, `cross-origin request from ${printable(origin, 100)}`);
    if (opts.token !== null) {
      const t = checkToken(req, query, opts.token);
      if (!t.ok) return reject(403, t.why);
      if (t.fromQuery) res.setHeader('Set-Cookie', tokenCookie(opts.token));
    }

    if (rawPath === CONFIG_PATH) {
      if (onlyMethods(['GET', 'HEAD'])) sendJson(res, 200, opts.job, method === 'HEAD');
      return;
    }
    if (rawPath === RESULTS_PATH) {
      if (!onlyMethods(['POST'])) return;
      if (!isJson(req)) return reject(415, 'results must be sent as Content-Type: application/json');
      const body = await readBody(req, MAX_RESULTS_BYTES);
      if (!body.ok) {
        // Connection: close drops whatever the client is still sending, unread.
        if (body.tooLarge) return reject(413, `results body larger than ${MAX_RESULTS_BYTES} bytes`, { Connection: 'close' });
        return reject(400, body.why);
      }
      const parsed = parseResultsBody(body.text);
      if (!parsed.ok) return reject(400, parsed.why);
      if (!accepting) return reject(503, 'the server is shutting down (--once: one results file was already received)');
      let file: string;
      try {
        file = await writeBrowserResults(opts.outDir, parsed.doc);
      } catch (err) {
        const why = err instanceof FatnnError ? err.message : String(err);
        opts.log(`failed ${shown}: 500 ${why}`);
        return send(res, 500, `500 Internal Server Error: ${why}\n`, 'text/plain; charset=utf-8');
      }
      const reply: WebPostReply = { file: path.basename(file) };
      const summary = summarize(parsed.results);
      res.once('finish', () => opts.onResults(file, summary));
      sendJson(res, 201, reply);
      return;
    }
    if (rawPath === ERROR_PATH) {
      if (!onlyMethods(['POST'])) return;
      if (!isJson(req)) return reject(415, 'error reports must be sent as Content-Type: application/json');
      const body = await readBody(req, MAX_ERROR_REPORT_BYTES);
      if (!body.ok) return body.tooLarge ? reject(413, `error report larger than ${MAX_ERROR_REPORT_BYTES} bytes`, { Connection: 'close' }) : reject(400, body.why);
      let report: Partial<WebErrorReport> | null = null;
      try {
        report = JSON.parse(body.text) as Partial<WebErrorReport>;
      } catch {
        /* answered below */
      }
      if (typeof report?.message !== 'string') return reject(400, 'an error report is {"message": "..."}');
      const message = printable(report.message, 500);
      res.once('finish', () => opts.onPageError(message));
      res.statusCode = 204;
      res.end();
      return;
    }
    const file = opts.files.get(rawPath);
    if (!file) return reject(404, 'not a file of the page');
    if (!onlyMethods(['GET', 'HEAD'])) return;
    let bytes: Buffer;
    try {
      bytes = await readFile(file.file);
    } catch (err) {
      // The bundle changed under the server (a rebuild): say so rather than hang.
      opts.log(`failed ${shown}: 500 ${(err as Error).message}`);
      return send(res, 500, '500 Internal Server Error: the page file could not be read; restart `fatnn-bench serve`\n', 'text/plain; charset=utf-8');
    }
    send(res, 200, bytes, file.contentType, method === 'HEAD');
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.log(`failed ${req.method} ${printable(req.url?.split('?')[0] ?? '')}: 500 ${(err as Error).message}`);
      if (!res.headersSent) send(res, 500, '500 Internal Server Error\n', 'text/plain; charset=utf-8');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(listenError(err, opts.host, opts.port));
    server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : opts.port;
  return {
    port,
    stopAcceptingResults: () => {
      accepting = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A port or address the user can change on the command line: a usage error (exit 2), in one line. */
function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (err.code) {
    case 'EADDRINUSE':
      return new UsageError(`port ${port} on ${host} is already in use; choose another with --port N (--port 0: any free port)`);
    case 'EACCES':
      return new UsageError(`no permission to listen on port ${port} (ports below 1024 need root); choose another with --port N`);
    case 'EADDRNOTAVAIL':
      return new UsageError(`--host ${host} is not an address of this machine`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UsageError(`--host ${host}: no such host name`);
    default:
      return new FatnnError(`cannot listen on ${host}:${port}: ${err.message}`);
  }
}
