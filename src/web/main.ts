// The page `fatnn-bench serve` serves (bundled to dist/web/main.js): fetches its WebJob, runs
// the browser's kernels with the same runner as the CLI (verify before timing, interleaved
// rounds, forks, one fresh Web Worker isolate per kernel and fork), shows progress then the
// headline, offers the results file as a download and POSTs it back to the server.

import { DEFAULT_QUANTIZERS } from '../from-float.js';
import { buildHeadline, hostSummary } from '../report/headline.js';
import { headlineHtml, HTML_STYLE, legendHtml, renderHtml } from '../report/html.js';
import { RESULTS_SCHEMA, RESULTS_SCHEMA_VERSION, type LayerResult, type ResultsFile, type RunConfig, type SkippedKernel } from '../results/schema.js';
import { runSweep, type SweepProgress } from '../runner/sweep.js';
import { shapeLabel } from '../shapes.js';
import { PRECISIONS, type KernelDeclaration, type Precision } from '../types.js';
import { browserFingerprint } from './fingerprint.js';
import { webIsolates } from './isolate-host.js';
import { WEB_KERNELS, useBundleBase } from './kernels.js';
import { CONFIG_PATH, ERROR_PATH, RESULTS_PATH, TOKEN_HEADER, TOKEN_QUERY, type WebJob, type WebPostReply } from './protocol.js';
import { describeJob, progressText } from './view.js';

declare const __FATNN_VERSION__: string;

const base = new URL('./', import.meta.url).href;
const token = new URLSearchParams(location.search).get(TOKEN_QUERY);
const headers: Record<string, string> = token ? { [TOKEN_HEADER]: token } : {};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const body = document.body;

function setState(state: 'loading' | 'ready' | 'running' | 'done' | 'error', progress?: number): void {
  body.dataset.state = state;
  if (progress !== undefined) {
    body.dataset.progress = progress.toFixed(3);
    $<HTMLProgressElement>('bar').value = progress;
  }
}

function status(text: string): void {
  $('status').textContent = text;
}

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(path, { ...init, credentials: 'same-origin', headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
}

/** The job's kernels this browser can run, and the others with why. */
function selection(job: WebJob): { run: KernelDeclaration[]; skipped: SkippedKernel[] } {
  const wanted = job.kernels.length > 0 ? job.kernels : WEB_KERNELS.map((k) => k.id);
  const run: KernelDeclaration[] = [];
  const skipped: SkippedKernel[] = [];
  for (const id of wanted) {
    const decl = WEB_KERNELS.find((k) => k.id === id);
    if (!decl) {
      skipped.push({ kernel: id, reason: 'not available in a browser (native addon)' });
      continue;
    }
    const a = decl.availability();
    if (a.available) run.push(decl);
    else skipped.push({ kernel: id, reason: a.reason ?? 'unavailable' });
  }
  return { run, skipped };
}

async function measure(job: WebJob): Promise<ResultsFile> {
  const { run, skipped } = selection(job);
  if (run.length === 0) throw new Error(`none of the job's kernels can run in this browser (${skipped.map((s) => `${s.kernel}: ${s.reason}`).join('; ')})`);
  const threads = job.threads || Math.max(1, navigator.hardwareConcurrency || 1);
  const config: RunConfig = {
    preset: job.preset,
    precisions: [],
    backends: [],
    kernels: run.map((k) => k.id),
    threads: run.some((k) => k.backend === 'workers') ? threads : 0,
    timeMs: job.timeMs,
    minSamples: job.minSamples,
    warmupMs: job.warmupMs,
    seed: job.seed,
    baseline: (PRECISIONS as readonly string[]).includes(job.baseline) ? (job.baseline as Precision) : 'fp32',
    rounds: job.rounds,
    forks: job.forks,
    // A dedicated Web Worker is a worker thread with a V8 isolate of its own, as in Node.
    isolation: 'worker-thread',
    withPacking: job.packing,
    // The page measures the from-float view when the server's job asks for it (absent: no).
    fromFloat: job.fromFloat === true,
    ...(job.fromFloat === true ? { quantizers: Object.fromEntries([...new Set(run.map((k) => k.precision))].map((p) => [p, job.quantizers?.[p] ?? DEFAULT_QUANTIZERS[p]])) } : {}),
    plannedLayers: job.layers.length,
    popcountForms: Object.fromEntries(run.flatMap((k) => (k.popcountForm !== undefined ? [[k.id, k.popcountForm]] : []))),
  };
  let host = await browserFingerprint();
  const startedAt = new Date().toISOString();
  const layers: LayerResult[] = [];
  const isolates = webIsolates(new Set(run.map((k) => k.id)), new URL('isolate-worker.js', base).href, { base, poolWorkerUrl: new URL('pool-worker.js', base).href });
  await runSweep(
    job.layers,
    run,
    { threads, timeMs: job.timeMs, minSamples: job.minSamples, warmupMs: job.warmupMs, rounds: job.rounds, forks: job.forks, isolate: true, isolates, seed: job.seed, withPacking: job.packing, fromFloat: job.fromFloat === true, ...(job.quantizers ? { quantizers: job.quantizers } : {}) },
    {
      progress: (p: SweepProgress) => {
        setState('running', p.done);
        status(progressText(p, shapeLabel(p.layer)));
      },
      layerDone: (r) => void layers.push(r),
      speed: (summary) => {
        host = { ...host, speed: summary };
      },
    },
  );
  return {
    schema: RESULTS_SCHEMA,
    schemaVersion: RESULTS_SCHEMA_VERSION,
    tool: { name: 'fatnn-bench', version: __FATNN_VERSION__ },
    startedAt,
    finishedAt: new Date().toISOString(),
    complete: true,
    host,
    config,
    skipped,
    layers,
  };
}

function show(results: ResultsFile): void {
  const style = document.createElement('style');
  style.textContent = HTML_STYLE.replace(/\bbody\b/g, '#report');
  document.head.append(style);
  $('report').innerHTML = `${headlineHtml(buildHeadline(results))}\n${legendHtml()}`;
  const json = JSON.stringify(results, null, 2);
  const download = $<HTMLAnchorElement>('download');
  download.href = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  download.download = `fatnn-bench-browser-${results.startedAt.replace(/[:.]/g, '-')}.json`;
  const full = $<HTMLAnchorElement>('full-report');
  full.href = URL.createObjectURL(new Blob([renderHtml(results)], { type: 'text/html' }));
  const failed = results.layers.flatMap((l) => l.measurements).filter((m) => m.verification === 'failed');
  const verified = new Set(results.layers.flatMap((l) => l.measurements).filter((m) => m.verification === 'passed').map((m) => m.kernel));
  $('summary').textContent =
    `${verified.size} kernel${verified.size === 1 ? '' : 's'} verified and timed on ${results.layers.length} layer${results.layers.length === 1 ? '' : 's'} (${hostSummary(results)}${results.host.browser?.crossOriginIsolated ? ', cross-origin isolated' : ''})` +
    (results.skipped.length > 0 ? `; ${results.skipped.length} unavailable here (${[...new Set(results.skipped.map((s) => s.reason))].join('; ')})` : '') +
    (failed.length > 0 ? `; ${failed.length} gave a WRONG result: ${failed.map((m) => m.kernel).join(', ')}` : '');
  $('results').hidden = false;
}

async function send(results: ResultsFile, job: WebJob): Promise<void> {
  const res = await api(RESULTS_PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(results) });
  if (!res.ok) throw new Error(`the server refused the results: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  const reply = (await res.json()) as WebPostReply;
  body.dataset.resultsFile = reply.file;
  $('saved').textContent = `Saved on the server as ${reply.file}.${job.once ? ' The server has stopped; you can close this tab.' : ''}`;
}

async function reportError(message: string): Promise<void> {
  try {
    await api(ERROR_PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) });
  } catch {
    // The server may be gone already; the page shows the error anyway.
  }
}

async function start(job: WebJob): Promise<void> {
  $<HTMLButtonElement>('start').disabled = true;
  $('start').hidden = true;
  setState('running', 0);
  status('Starting isolates...');
  const results = await measure(job);
  setState('running', 1);
  show(results);
  status('Done. Sending the results file to the server...');
  await send(results, job);
  status('Done.');
  setState('done', 1);
}

async function main(): Promise<void> {
  setState('loading', 0);
  useBundleBase(base);
  const res = await api(CONFIG_PATH);
  if (!res.ok) throw new Error(`could not get the job from the server: HTTP ${res.status}`);
  const job = (await res.json()) as WebJob;
  $('job').textContent = describeJob(job);
  const { run, skipped } = selection(job);
  $('kernels').textContent = `${run.length} kernels to run here${skipped.length ? `, ${skipped.length} unavailable` : ''}${(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated ? '' : ' (page not cross-origin isolated: no workers kernels)'}.`;
  const go = () =>
    start(job).catch(async (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      fail(message);
      await reportError(message);
    });
  setState('ready', 0);
  if (job.autostart) void go();
  else {
    status('Ready. Close other tabs and apps, plug the device in, then press Start.');
    $('start').addEventListener('click', () => void go(), { once: true });
    $<HTMLButtonElement>('start').disabled = false;
  }
}

function fail(message: string): void {
  setState('error');
  body.dataset.error = message;
  status(`Error: ${message}`);
  $('status').classList.add('error');
}

main().catch(async (err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  fail(message);
  await reportError(message);
});
