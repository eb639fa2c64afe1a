// `fatnn-bench run`: sweep layers x kernels, verify, time, write the results files after every
// layer (so Ctrl-C keeps what was measured), and print the speedup table on stdout.

import { setMaxListeners } from 'node:events';
import { existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { DEFAULT_QUANTIZERS, parseQuantizer } from '../from-float.js';
import type { QuantizerParams } from '../quantize.js';
import { checkExpectations, type Expectation } from '../gates/expect.js';
import { hostFingerprint } from '../host.js';
import { sampleLoad } from '../host-load.js';
import { hostWarnings } from '../results/host-warnings.js';
import { isPrecision } from '../precisions.js';
import { consoleWidth } from '../report/console.js';
import { FORMATS, formatFileNames, parseFormats, renderConsole, renderFormatFiles, wantsColor, type FormatId } from '../report/index.js';
import { writeFileAtomic } from '../results/io.js';
import { RESULTS_SCHEMA, RESULTS_SCHEMA_VERSION, type HostFingerprint, type LayerResult, type ResultsFile, type RunConfig } from '../results/schema.js';
import { readLayersFile } from '../runner/layers-file.js';
import { runSweep, type SweepProgress } from '../runner/sweep.js';
import { parseShape, presetLayers, shapeLabel, type Layer } from '../shapes.js';
import type { Precision } from '../types.js';
import { toolInfo } from '../version.js';
import type { MeasuringOptions } from './measuring-options.js';
import { parseBackends, parsePrecisions, selectFromOptions } from './options.js';
import { writeProgress } from './progress.js';

/** run's options: the measuring ones shared with `serve` (measuring-options.ts), then its own. */
export interface RunOptions extends MeasuringOptions {
  /** Extra forks for a measurement whose forks disagree (--max-extra-forks; 0: none). */
  maxExtraForks: number;
  /** false with --no-isolate: every kernel in the runner's own realm (history shared). */
  isolate: boolean;
  out?: string;
  /** Overwrite the results already in --out. */
  force?: boolean;
  format?: string[];
  json?: boolean;
  quiet?: boolean;
  /** Per-layer tables on the console after the headline. */
  detail?: boolean;
  /** Ratio gates (`--expect`), parsed when the arguments were. */
  expect?: Expectation[];
}

/**
 * Measuring defaults (README, "How timings are made"): every kernel is measured in DEFAULT_FORKS
 * fresh isolates per layer, each running DEFAULT_ROUNDS interleaved rounds, within a budget of
 * DEFAULT_TIME_MS per measurement over all of them. Two forks are the fewest that can show
 * forks disagreeing; more cost isolate start-up and warm-up per fork (see the README for the
 * measured run times that keep `--preset quick` under 2 minutes and the full sweep under 6).
 */
export const DEFAULT_FORKS = 2;
/**
 * Up to this many extra forks, one at a time, for a measurement whose forks disagree, stopping
 * as soon as a majority agrees (README, "How timings are made"): two forks that disagree give no
 * way to tell which isolate was in its usual mode, a third usually does; the second extra covers
 * a third fork that lands between the two. Only disagreeing measurements pay for them.
 */
export const DEFAULT_MAX_EXTRA_FORKS = 2;
export const DEFAULT_ROUNDS = 2;
export const DEFAULT_TIME_MS = 100;

/** Files written by `run` unless --format says otherwise; JSON is always written. */
export const DEFAULT_RUN_FORMATS: readonly FormatId[] = ['json', 'md', 'csv', 'html'];

/** Parent of the per-run folders when --out is not given (ignored by git). */
export const DEFAULT_RESULTS_ROOT = 'fatnn-results';

/** Basename of every output file: results.json, results.md, ... */
export const RESULTS_BASENAME = 'results';

export async function layersFromOptions(opts: { preset?: string; shape?: string[]; layers?: string }): Promise<{ preset: string | null; layersFile?: string; layers: Layer[] }> {
  const given = [opts.preset !== undefined && '--preset', (opts.shape?.length ?? 0) > 0 && '--shape', opts.layers !== undefined && '--layers'].filter(Boolean);
  if (given.length > 1) throw new UsageError(`give only one of --preset, --shape and --layers (got ${given.join(' and ')})`);
  if (opts.layers !== undefined) return { preset: null, layersFile: opts.layers, layers: await readLayersFile(opts.layers) };
  if (opts.shape?.length) {
    return {
      preset: null,
      layers: opts.shape.map((text) => {
        const s = parseShape(text);
        return { name: shapeLabel(s), ...s, count: 1 };
      }),
    };
  }
  const preset = opts.preset ?? 'resnet18';
  return { preset, layers: [...presetLayers(preset)] };
}

/** The quantizer of every precision: the defaults, overridden by `--quantizer` (usage error when malformed). */
export function parseQuantizers(args: readonly string[] | undefined): Record<Precision, QuantizerParams> {
  const out: Record<Precision, QuantizerParams> = { ...DEFAULT_QUANTIZERS };
  for (const a of args ?? []) {
    try {
      const q = parseQuantizer(a);
      out[q.precision] = q;
    } catch (err) {
      throw new UsageError(`--quantizer "${a}": ${(err as Error).message}`);
    }
  }
  return out;
}

export function parseBaseline(text: string): Precision {
  if (!isPrecision(text) || !['fp32', 'int8', 'ternary2b'].includes(text)) {
    throw new UsageError(`--baseline must be fp32, int8 or ternary2b, got "${text}"`);
  }
  return text;
}

/** `fatnn-results/2026-11-27T10-05-00Z` (no colons: valid on every file system), made unique. */
export function defaultOutDir(now: Date, root = DEFAULT_RESULTS_ROOT): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  let dir = path.join(root, stamp);
  for (let i = 2; existsSync(dir); i++) dir = path.join(root, `${stamp}-${i}`);
  return dir;
}

/**
 * Refuses an --out that would fail late or destroy earlier results: a file (or a path through
 * one) is a usage error naming it; a folder that already holds a results.json is refused
 * unless `force`. Checked before anything is measured or written.
 */
export function checkOutDir(dir: string, force: boolean): void {
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    if (existsSync(p)) {
      if (!statSync(p).isDirectory()) throw new UsageError(p === path.resolve(dir) ? `--out ${dir} is a file, not a folder; give a folder for the results files` : `--out ${dir}: ${p} is a file, not a folder`);
      break;
    }
    if (p === path.dirname(p)) break;
  }
  const earlier = path.join(dir, `${RESULTS_BASENAME}.json`);
  if (!force && existsSync(earlier)) throw new UsageError(`--out ${dir} already holds results (${RESULTS_BASENAME}.json); pass --force to overwrite them, or choose another folder`);
}

export function progressLine(p: SweepProgress, startedAt: number): string {
  const elapsed = (Date.now() - startedAt) / 1000;
  const eta = p.done > 0.02 ? Math.max(0, (elapsed * (1 - p.done)) / p.done) : NaN;
  const etaText = Number.isFinite(eta) ? `ETA ${eta < 60 ? `${eta.toFixed(0)}s` : `${(eta / 60).toFixed(1)}min`}` : 'ETA ...';
  const fork = p.extra ? ` extra fork ${p.fork + 1} (forks disagreed)` : p.forks > 1 ? ` fork ${p.fork + 1}/${p.forks}` : '';
  // Progress and ETA first: a narrow terminal cuts the line's end (see progress.ts).
  return `${(p.done * 100).toFixed(0)}% ${etaText} | layer ${p.layerIndex + 1}/${p.layerCount} ${p.layer.name} | ${p.kernel} ${p.phase}${fork}`;
}

export async function runCommand(opts: RunOptions, signal: AbortSignal): Promise<number> {
  // The sweep adds one abort listener per fork and layer; each is removed when its fork ends.
  setMaxListeners(0, signal);
  const baseline = parseBaseline(opts.baseline);
  const quantizers = parseQuantizers(opts.quantizer);
  const formats = parseFormats(opts.format ?? [...DEFAULT_RUN_FORMATS]);
  if (!formats.includes('json')) formats.unshift('json');
  const { available, unavailable } = selectFromOptions(opts);
  const { preset, layersFile, layers } = await layersFromOptions(opts);
  if (opts.out !== undefined) checkOutDir(opts.out, opts.force ?? false);
  const threads = opts.threads || os.availableParallelism();
  const config: RunConfig = {
    preset,
    precisions: parsePrecisions(opts.precision),
    backends: parseBackends(opts.backend),
    kernels: available.map((k) => k.id),
    threads: available.some((k) => k.backend === 'workers') ? threads : 0,
    timeMs: opts.time,
    minSamples: opts.minSamples,
    warmupMs: opts.warmup,
    seed: opts.seed,
    baseline,
    rounds: opts.rounds,
    forks: opts.forks,
    ...(opts.forks > 1 ? { maxExtraForks: opts.maxExtraForks } : {}),
    isolation: opts.isolate ? 'worker-thread' : 'none',
    withPacking: opts.packing,
    fromFloat: opts.fromFloat,
    // The quantizers of the selected precisions, so a reader knows what the floats were quantized with.
    ...(opts.fromFloat ? { quantizers: Object.fromEntries([...new Set(available.map((k) => k.precision))].map((p) => [p, quantizers[p]])) } : {}),
    ...(layersFile !== undefined ? { layersFile } : {}),
    plannedLayers: layers.length,
    popcountForms: Object.fromEntries(available.flatMap((k) => (k.popcountForm !== undefined ? [[k.id, k.popcountForm]] : []))),
  };
  if (!opts.quiet && !available.some((k) => k.precision === baseline)) {
    process.stderr.write(`fatnn-bench: no ${baseline} kernel selected, so there will be no speedups vs ${baseline} (add --precision ${baseline} or pick another --baseline)\n`);
  }
  const startedAt = new Date();
  const outDir = opts.out ?? defaultOutDir(startedAt);
  const showProgress = Boolean(process.stderr.isTTY) && !opts.quiet;
  const [fingerprint, loadBefore] = await Promise.all([hostFingerprint(), sampleLoad()]);
  let host: HostFingerprint = { ...fingerprint, load: { before: loadBefore } };
  // Said at once, so a user can stop and close what is running instead of waiting for the end.
  // --quiet silences it here; the warning still lands in every report and in results.json.
  if (!opts.quiet) for (const w of hostWarnings(host)) process.stderr.write(`fatnn-bench: warning: ${w} (measuring anyway)\n`);
  const measured: LayerResult[] = [];
  const results = (complete: boolean): ResultsFile => ({
    schema: RESULTS_SCHEMA,
    schemaVersion: RESULTS_SCHEMA_VERSION,
    tool: toolInfo(),
    startedAt: startedAt.toISOString(),
    finishedAt: complete ? new Date().toISOString() : null,
    complete,
    host,
    config,
    skipped: unavailable,
    layers: [...measured],
  });
  // Every format is rewritten whole after each layer: cheap next to the measuring, and each
  // file on disk is always a complete, consistent document of what was measured so far.
  const writeAll = async (doc: ResultsFile) => {
    // A file has no terminal width to respect: the console format keeps its per-layer tables.
    for (const f of formats) for (const [name, text] of renderFormatFiles(f, RESULTS_BASENAME, doc, { detail: f === 'console' })) await writeFileAtomic(path.join(outDir, name), text);
  };
  const printResults = (doc: ResultsFile) => {
    if (opts.json) process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    else process.stdout.write(`${renderConsole(doc, { color: wantsColor(process.stdout), detail: opts.detail, width: consoleWidth(process.stdout) })}\n`);
  };

  // --force: results files of formats this run does not write would describe the old run.
  if (opts.force) {
    for (const f of Object.keys(FORMATS) as FormatId[]) if (!formats.includes(f)) for (const name of formatFileNames(f, RESULTS_BASENAME)) await rm(path.join(outDir, name), { force: true });
  }
  const keepInterrupted = async () => {
    const partial = results(false);
    await writeAll(partial);
    if (measured.length > 0) printResults(partial);
    const complete = measured.filter((l) => !l.partial).length;
    const partialNote = measured.length > complete ? ` and the interrupted layer's measurements so far (marked partial)` : '';
    process.stderr.write(`fatnn-bench: ${complete} of ${layers.length} layers measured${partialNote}; results (complete: false) in ${outDir}\n`);
  };
  // Written before measuring so an unwritable --out fails in a second, not after the sweep.
  await writeAll(results(false));
  try {
    await runSweep(
      layers,
      available,
      { threads, timeMs: opts.time, minSamples: opts.minSamples, warmupMs: opts.warmup, rounds: opts.rounds, forks: opts.forks, maxExtraForks: opts.maxExtraForks, isolate: opts.isolate, seed: opts.seed, withPacking: opts.packing, fromFloat: opts.fromFloat, quantizers: config.quantizers, signal },
      {
        progress: showProgress ? (p) => writeProgress(process.stderr, progressLine(p, startedAt.getTime())) : undefined,
        layerDone: async (layer) => {
          measured.push(layer);
          await writeAll(results(false));
        },
        speed: (summary) => {
          host = { ...host, speed: summary };
        },
      },
    );
  } catch (err) {
    if (showProgress) process.stderr.write('\r\x1b[K');
    if (signal.aborted) await keepInterrupted();
    throw err;
  }
  if (signal.aborted) {
    // The sweep stopped at a sample boundary and returned what it had, the current layer marked partial.
    if (showProgress) process.stderr.write('\r\x1b[K');
    await keepInterrupted();
    signal.throwIfAborted();
  }
  if (showProgress) process.stderr.write('\r\x1b[K');

  host = { ...host, load: { before: loadBefore, after: await sampleLoad() } };
  const final = results(true);
  // The headline on stdout carries the warning; with --json stdout is data, so stderr says it.
  if (!opts.quiet && opts.json) for (const w of hostWarnings(final.host)) process.stderr.write(`fatnn-bench: warning: ${w}\n`);
  await writeAll(final);
  printResults(final);
  if (!opts.quiet) process.stderr.write(`fatnn-bench: results in ${outDir} (${formats.flatMap((f) => formatFileNames(f, RESULTS_BASENAME)).join(', ')})\n`);
  const all = measured.flatMap((l) => l.measurements);
  const wrong = all.filter((m) => m.verification === 'failed');
  const broken = all.filter((m) => m.verification !== 'failed' && !m.gemm);
  const kernelsOf = (list: typeof all) => [...new Set(list.map((m) => m.kernel))].join(', ');
  if (wrong.length > 0) process.stderr.write(`fatnn-bench: ${wrong.length} measurement(s) returned wrong results: ${kernelsOf(wrong)}\n`);
  // A kernel that crashed or could not be set up is a failed run too, or CI would pass it.
  if (broken.length > 0) process.stderr.write(`fatnn-bench: ${broken.length} measurement(s) failed to run: ${kernelsOf(broken)} (see the table)\n`);
  if (wrong.length > 0 || broken.length > 0) return 1;
  return checkExpectations(final, opts.expect ?? [], (line) => process.stderr.write(`fatnn-bench: ${line}\n`));
}
