// `fatnn-bench serve`: serve the benchmark page (dist/web/) to any browser on this machine or,
// with --host and a token, on the network; write each results file the page sends back under
// --out. --once exits after one file: 0 when every kernel verified, 1 otherwise.

import { existsSync, readdirSync } from 'node:fs';
import { access, mkdir, rmdir } from 'node:fs/promises';
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
import { interfaceAddresses, isLoopbackHost, isWildcardHost, newToken, urlHost } from '../serve/access.js';
import { selectBrowserKernels } from '../serve/browser-kernels.js';
import { BROWSER_RESULTS_PREFIX, type ResultsSummary } from '../serve/results-sink.js';
import { startServer } from '../serve/server.js';
import { loadStaticFiles, webRoot } from '../serve/static-files.js';
import { TOKEN_QUERY, type WebJob } from '../web/protocol.js';
import type { MeasuringOptions } from './measuring-options.js';
import { checkOutDir, defaultOutDir, layersFromOptions, parseBaseline, parseQuantizers } from './run.js';

/** Default --port: unassigned by IANA and rarely taken by development servers. */

/**
 * Forks in the browser: 1, not run's 2. Each fork keeps a Web Worker isolate per kernel for the
 * sweep, each with its own wasm memories (and a pool of Web Workers for the workers kernels);
 * with 2 forks, `serve --preset quick` in Chromium 156 failed 9 wasm-scalar measurements with
 * "WebAssembly.instantiate(): Out of memory: Cannot allocate Wasm memory" (one page's worth of
 * wasm memories ran out); with 1 fork every kernel ran. Raise it with --forks on a roomy browser.
 */
export const SERVE_DEFAULT_FORKS = 1;
export const DEFAULT_PORT = 8390;
export const DEFAULT_HOST = '127.0.0.1';

/** serve's options: the measuring ones shared with `run` (measuring-options.ts), then its own. */
export interface ServeOptions extends MeasuringOptions {
  port: number;
  host: string;
  out?: string;
  force?: boolean;
  once?: boolean;
  autostart?: boolean;
}

function checkHostOption(host: string): string {
  if (isIP(host) === 0 && !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(host)) throw new UsageError(`--host must be an IP address or a host name, got "${host}"`);
  return host;
}

/** run's --out rules, and a folder already holding browser results is refused too unless --force. */
function checkServeOutDir(dir: string, force: boolean): void {
  checkOutDir(dir, force);
  if (force || !existsSync(dir)) return;
  const earlier = readdirSync(dir).find((f) => f.startsWith(BROWSER_RESULTS_PREFIX) && f.endsWith('.json'));
  if (earlier) throw new UsageError(`--out ${dir} already holds results (${earlier}); pass --force to add to them, or choose another folder`);
}

/** Created now so an unwritable --out fails before anyone opens the page; true when it is new. */
async function prepareOutDir(dir: string): Promise<boolean> {
  const existed = existsSync(dir);
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, 2 /* W_OK */);
  } catch (err) {
    throw new UsageError(`--out ${dir} cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return !existed;
}

/** Loopback first: the first line printed is always a URL this machine can open. */
function pageUrls(host: string, port: number, token: string | null): string[] {
  const hosts = isWildcardHost(host) ? ['127.0.0.1', ...interfaceAddresses().filter((a) => !a.internal && isIP(a.address) === 4).map((a) => a.address)] : [host];
  const query = token === null ? '' : `?${TOKEN_QUERY}=${token}`;
  return hosts.map((h) => `http://${urlHost(h)}:${port}/${query}`);
}

function describeResults(s: ResultsSummary): string {
  const problems = [
    s.wrong.length > 0 && `WRONG results from ${s.wrong.join(', ')}`,
    s.broken.length > 0 && `failed to run: ${s.broken.join(', ')}`,
    !s.complete && 'incomplete run',
  ].filter(Boolean);
  return `${s.layers} layer(s), ${s.measurements} measurement(s), ${problems.length > 0 ? problems.join('; ') : 'every kernel verified'}`;
}

export async function serveCommand(opts: ServeOptions, signal: AbortSignal): Promise<number> {
  const baseline = parseBaseline(opts.baseline);
  const kernels = selectBrowserKernels(opts);
  const { preset, layers } = await layersFromOptions(opts);
  const host = checkHostOption(opts.host);
  if (opts.out !== undefined) checkServeOutDir(opts.out, opts.force ?? false);
  const files = await loadStaticFiles(webRoot());
  const outDir = opts.out ?? defaultOutDir(new Date());
  const createdOutDir = await prepareOutDir(outDir);
  const token = isLoopbackHost(host) ? null : newToken();
  const once = opts.once ?? false;
  const job: WebJob = {
    preset,
    layers: layers.map((l) => ({ name: l.name, M: l.M, N: l.N, K: l.K, count: l.count })),
    kernels,
    timeMs: opts.time,
    minSamples: opts.minSamples,
    warmupMs: opts.warmup,
    rounds: opts.rounds,
    forks: opts.forks,
    seed: opts.seed,
    baseline,
    packing: opts.packing,
    fromFloat: opts.fromFloat,
    ...(opts.fromFloat ? { quantizers: parseQuantizers(opts.quantizer) } : {}),
    threads: opts.threads,
    autostart: opts.autostart ?? false,
    once,
  };
  const log = (line: string) => process.stderr.write(`fatnn-bench: ${line}\n`);

  let received = 0;
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const server = await startServer({
    host,
    port: opts.port,
    outDir,
    job,
    files,
    token,
    log,
    onResults: (file, summary) => {
      received++;
      log(`received results: ${file} (${describeResults(summary)})`);
      if (!once) return;
      server.stopAcceptingResults();
      finish(summary.wrong.length > 0 || summary.broken.length > 0 || !summary.complete ? 1 : 0);
    },
    onPageError: (message) => {
      log(`the page reported an error: ${message}`);
      if (once) {
        server.stopAcceptingResults();
        finish(1);
      }
    },
  });
  const onAbort = () => finish(130);
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) onAbort();

  const what = preset !== null ? `preset ${preset}` : `${layers.length} custom layer(s)`;
  log(`serving the benchmark page (${what}, ${kernels.length} kernel(s)${job.autostart ? ', starts at once' : ''}); open in a browser:`);
  for (const url of pageUrls(host, server.port, token)) process.stdout.write(`${url}\n`);
  if (token !== null) log(`listening on ${host}, reachable from the network: every request needs the token in the URL above; share it only with your own devices`);
  log(once ? `waiting for one results file (saved into ${outDir}), then exiting; Ctrl-C to stop` : `waiting for results files (saved into ${outDir}); Ctrl-C to stop`);

  const code = await finished;
  signal.removeEventListener('abort', onAbort);
  await server.close();
  if (createdOutDir && received === 0) await rmdir(outDir).catch(() => {});
  if (code === 130) log(`stopped (Ctrl-C); ${received} results file(s) received${received > 0 ? ` in ${outDir}` : ''}`);
  else if (code !== 0 && once) log('exit 1: the page reported wrong results or an error (see above)');
  return code;
}

