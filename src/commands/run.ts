// `fatnn-bench run`: sweep layers x kernels, verify, time, and print the speedup table.

import { setMaxListeners } from 'node:events';
import os from 'node:os';
import { UsageError } from '../errors.js';
import { checkExpectations, type Expectation } from '../gates/expect.js';
import { hostFingerprint } from '../host.js';
import { isPrecision } from '../precisions.js';
import { renderConsole, wantsColor } from '../report/console.js';
import { RESULTS_SCHEMA, RESULTS_SCHEMA_VERSION, type LayerResult, type ResultsFile, type RunConfig } from '../results/schema.js';
import { runSweep, type SweepProgress } from '../runner/sweep.js';
import { parseShape, presetLayers, shapeLabel, type Layer } from '../shapes.js';
import type { Precision } from '../types.js';
import { toolInfo } from '../version.js';
import { parseBackends, parsePrecisions, selectFromOptions, type FilterOptions } from './options.js';

export interface RunOptions extends FilterOptions {
  preset?: string;
  shape?: string[];
  threads: number;
  time: number;
  minSamples: number;
  warmup: number;
  rounds: number;
  seed: number;
  baseline: string;
  packing: boolean;
  json?: boolean;
  quiet?: boolean;
  /** Ratio gates (`--expect`), parsed when the arguments were. */
  expect?: Expectation[];
}

export function layersFromOptions(opts: { preset?: string; shape?: string[] }): { preset: string | null; layers: Layer[] } {
  const custom = (opts.shape ?? []).map((text) => {
    const s = parseShape(text);
    return { name: shapeLabel(s), ...s, count: 1 };
  });
  if (custom.length > 0 && opts.preset) throw new UsageError('give either --preset or --shape, not both');
  if (custom.length > 0) return { preset: null, layers: custom };
  const preset = opts.preset ?? 'resnet18';
  return { preset, layers: [...presetLayers(preset)] };
}

export function parseBaseline(text: string): Precision {
  if (!isPrecision(text) || !['fp32', 'int8', 'ternary2b'].includes(text)) {
    throw new UsageError(`--baseline must be fp32, int8 or ternary2b, got "${text}"`);
  }
  return text;
}

function progressLine(p: SweepProgress, startedAt: number): string {
  const elapsed = (Date.now() - startedAt) / 1000;
  const eta = p.done > 0.02 ? Math.max(0, (elapsed * (1 - p.done)) / p.done) : NaN;
  const etaText = Number.isFinite(eta) ? `ETA ${eta < 60 ? `${eta.toFixed(0)}s` : `${(eta / 60).toFixed(1)}min`}` : 'ETA ...';
  return `layer ${p.layerIndex + 1}/${p.layerCount} ${p.layer.name} | ${p.kernel} ${p.phase} | ${(p.done * 100).toFixed(0)}% ${etaText}`;
}

export async function runCommand(opts: RunOptions, signal: AbortSignal): Promise<number> {
  // tinybench adds one abort listener per measurement; they are released when each ends.
  setMaxListeners(0, signal);
  const baseline = parseBaseline(opts.baseline);
  const { available, unavailable } = selectFromOptions(opts);
  const { preset, layers } = layersFromOptions(opts);
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
  };
  const showProgress = Boolean(process.stderr.isTTY) && !opts.quiet;
  const startedAt = Date.now();
  const host = await hostFingerprint();
  const measured: LayerResult[] = [];
  const results = (complete: boolean): ResultsFile => ({
    schema: RESULTS_SCHEMA,
    schemaVersion: RESULTS_SCHEMA_VERSION,
    tool: toolInfo(),
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: complete ? new Date().toISOString() : null,
    complete,
    host,
    config,
    skipped: unavailable,
    layers: measured,
  });

  try {
    await runSweep(
      layers,
      available,
      { threads, timeMs: opts.time, minSamples: opts.minSamples, warmupMs: opts.warmup, rounds: opts.rounds, seed: opts.seed, withPacking: opts.packing, signal },
      {
        progress: showProgress ? (p) => process.stderr.write(`\r\x1b[K${progressLine(p, startedAt)}`) : undefined,
        layerDone: (layer) => {
          measured.push(layer);
        },
      },
    );
  } finally {
    if (showProgress) process.stderr.write('\r\x1b[K');
  }

  const final = results(true);
  if (opts.json) process.stdout.write(`${JSON.stringify(final, null, 2)}\n`);
  else process.stdout.write(`${renderConsole(final, { color: wantsColor(process.stdout) })}\n`);
  const wrong = measured.flatMap((l) => l.measurements).filter((m) => m.verification === 'failed');
  if (wrong.length > 0) {
    process.stderr.write(`fatnn-bench: ${wrong.length} measurement(s) returned wrong results: ${[...new Set(wrong.map((m) => m.kernel))].join(', ')}\n`);
    return 1;
  }
  return checkExpectations(final, opts.expect ?? [], (line) => process.stderr.write(`fatnn-bench: ${line}\n`));
}
