// The measuring core: for each layer and fork, every selected kernel gets a fresh isolate of its
// own (kernel-host.ts), is verified there on the layer's own operands, and then the kernels are
// timed in interleaved rounds (A B C A B C ...) so drift hits all kernels alike; only one
// isolate runs at a time. Knows nothing about formatting; it produces LayerResults.

import { DEFAULT_QUANTIZERS, randomFloatActivations } from '../from-float.js';
import { randomOperands, type Operands } from '../precisions.js';
import { quantize, type QuantizerParams } from '../quantize.js';
import { firstMismatch, referenceGemm } from '../reference.js';
import type { Layer } from '../shapes.js';
import { shapeLabel } from '../shapes.js';
import type { LayerResult, Measurement } from '../results/schema.js';
import { FORK_SPELL_FACTOR, forkMedianSpread, keptForks, medianOf, poolForks, summarizeForks } from '../results/stats.js';
import type { KernelDeclaration, Precision, ResultArray } from '../types.js';
import { InProcessHost, registeredIsolateFactory, type IsolateFactory, type KernelHost } from './hosts.js';
import type { FloatActivations, TimedView } from './session.js';
import { probeOf, probeStats, RETAKE_PASSES, SpeedLog } from './slow-spells.js';
import type { MachineSpeed } from '../results/schema.js';

export interface SweepSettings {
  readonly threads: number;
  /** Time budget per measurement (all forks and rounds together), ms. */
  readonly timeMs: number;
  /** Minimum samples per measurement (all forks and rounds together). */
  readonly minSamples: number;
  /** Warm-up per kernel, layer and fork (each fork is a fresh isolate: cold again), ms. */
  readonly warmupMs: number;
  /** Interleaved rounds per fork. */
  readonly rounds: number;
  /** Fresh isolates per kernel and layer, one after the other. */
  readonly forks: number;
  /**
   * Most extra forks per kernel and layer when its forks disagree (no majority agrees), run one
   * at a time right after the layer's planned forks (absent: 0, none).
   */
  readonly maxExtraForks?: number;
  /**
   * Extra forks of a layer may take this fraction of the wall time its planned forks took
   * (absent: EXTRA_FORK_BUDGET); the widest disagreements are served first.
   */
  readonly extraForkBudget?: number;
  /** ... but at least this many milliseconds per layer (absent: EXTRA_FORK_MIN_MS). */
  readonly extraForkMinMs?: number;
  /** Milliseconds, for the extra-fork budget (absent: performance.now; tests pass their own). */
  readonly clock?: () => number;
  /** Each kernel in a worker-thread isolate of its own (false: all in this realm). */
  readonly isolate: boolean;
  /**
   * Where fresh isolates come from: the browser passes its Web Worker isolates; by default the
   * one the platform registered (the Node registry registers worker threads).
   */
  readonly isolates?: IsolateFactory;
  readonly seed: number;
  /** Also time activation packing + GEMM. */
  readonly withPacking: boolean;
  /** Also time quantizing float activations + packing + GEMM (absent: false). */
  readonly fromFloat?: boolean;
  /** The activation quantizer of each precision (absent ones: DEFAULT_QUANTIZERS). */
  readonly quantizers?: Partial<Record<Precision, QuantizerParams>>;
  /** Aborting stops at the next sample boundary; the current layer is returned partial. */
  readonly signal?: AbortSignal;
}

export interface SweepProgress {
  readonly layerIndex: number;
  readonly layerCount: number;
  readonly layer: Layer;
  readonly kernel: string;
  readonly phase: 'verify' | 'gemm' | 'with-packing' | 'from-float';
  /** 0-based fork and the planned fork count (an extra fork's index is forks or more). */
  readonly fork: number;
  readonly forks: number;
  /** Set in an extra fork, run because this kernel's forks disagreed. */
  readonly extra?: boolean;
  /** Fraction of the whole sweep done, 0..1. */
  readonly done: number;
}

/** Where results flow out as soon as they exist (the CLI rewrites its files here). */
export interface SweepObserver {
  progress?(p: SweepProgress): void;
  layerDone?(result: LayerResult, index: number): void | Promise<void>;
  /** Once, at the end (also after Ctrl-C): how steady the machine's speed was (speed probe). */
  speed?(summary: MachineSpeed): void;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function failed(decl: KernelDeclaration, verification: Measurement['verification'], error: string): Measurement {
  return { kernel: decl.id, precision: decl.precision, backend: decl.backend, verification, error };
}

/** One call to `sample`: its samples, and the speed probe around them. */
interface Batch {
  samples: number[];
  probe: number | undefined;
  readonly round: number;
}

/** Samples of one kernel on one layer: per view, per fork, per batch. */
interface Collected {
  readonly byView: Record<TimedView, Batch[][]>;
  callsPerSample: number;
  retaken: Record<TimedView, number>;
}

const flat = (batches: readonly Batch[] | undefined): number[] => (batches ?? []).flatMap((b) => b.samples);

/**
 * An isolate re-creates its kernel from its platform's table by id, so a declaration that is not
 * in that table (a test's own kernel) can only be measured in this realm.
 */
function startHost(decl: KernelDeclaration, settings: SweepSettings): Promise<KernelHost> {
  const isolated = settings.isolate ? (settings.isolates ?? registeredIsolateFactory())?.start(decl) : null;
  return isolated ?? Promise.resolve(new InProcessHost(decl));
}

/**
 * Whether `view` is timed on its own for this kernel. fp32's from-float operation is its GEMM
 * alone (session.ts), the very operation of the gemm view, so its gemm timings stand for both:
 * timing it again cost the most where kernels are slowest (fp32/js, 6 samples of 50-100 ms on
 * the large layers) and would give the fp32 baseline two different times for one operation.
 */
export function timesView(decl: Pick<KernelDeclaration, 'precision'>, view: TimedView): boolean {
  return !(view === 'fromFloat' && decl.precision === 'fp32');
}

/**
 * Warm-up of one view before its first round in a fork. The GEMM view of a fresh isolate (the
 * fork's first layer, or an extra fork) gets the whole `--warmup` budget: JIT tiers, caches, the
 * core ramping up after the isolate wakes. Everything else gets a fifth of it (at least one call:
 * it also calibrates): the packing and from-float views come right after the now warm GEMM, and
 * an isolate that measured the previous layer already runs this kernel's compiled code, whose
 * verification has just run each operation on the new shape once. Spending the full budget on
 * every view cost ~85 s of a 393 s full sweep (3360 view warm-ups x 25 ms), and on every layer's
 * GEMM ~25 s of the 68-kernel sweep of this VM (1224 warm isolates x 20 ms).
 */
export const SECONDARY_WARMUP_SHARE = 0.2;

export function warmupOf(view: TimedView, warmupMs: number, warmIsolate = false): number {
  return view === 'gemm' && !warmIsolate ? warmupMs : warmupMs * SECONDARY_WARMUP_SHARE;
}

/**
 * The packing and from-float views are timed for 30% of `--time`. The GEMM view is what the
 * speedups and the FATNN claim rest on and keeps the whole budget; the other two views are
 * longer operations (packing or quantizing on top of the same GEMM, 1.1-3x its time), and each
 * keeps the --min-samples floor. With every view at the full 100 ms, the full sweep of the 68
 * kernels of an AVX-512 VM took 498 s, the views after the GEMM ~55% of the time spent timing;
 * at half, and with a fifth of the warm-up for warm isolates, 379 s; at 40% (and extra forks at
 * 5%), 370 s, the phases of a 12-kernel sweep then: GEMM 17.7 s, packing 9.6 s, from float
 * 9.3 s, verification 7.7 s, extra forks 20.4 s.
 */
export const SECONDARY_TIME_SHARE = 0.3;

export function timeOf(view: TimedView, timeMs: number): number {
  return view === 'gemm' ? timeMs : timeMs * SECONDARY_TIME_SHARE;
}

/** The quantizer a run uses for `precision`. */
export function quantizerFor(precision: Precision, settings: Pick<SweepSettings, 'quantizers'>): QuantizerParams {
  return settings.quantizers?.[precision] ?? DEFAULT_QUANTIZERS[precision];
}

/**
 * A layer's operands for one precision. With the fromFloat view, X is the reference-quantized
 * image of seeded float activations that reach every level (fp32: its exact small-integer
 * floats are their own quantization), so all three views run, and are verified, on one X.
 */
function layerData(p: Precision, layer: Layer, seed: number, settings: SweepSettings): { operands: Operands; floats?: FloatActivations } {
  const operands = randomOperands(p, layer, seed);
  if (!settings.fromFloat) return { operands };
  const q = quantizerFor(p, settings);
  if (p === 'fp32') return { operands, floats: { x: operands.x as Float32Array, q } };
  const x = randomFloatActivations(q, layer.N * layer.K, (seed ^ 0x85ebca6b) >>> 0);
  return { operands: { w: operands.w, x: quantize(q, x) }, floats: { x, q } };
}

/**
 * Extra forks may add this fraction to a layer's planned time (beyond those of its widest
 * disagreement, which always gets them). Fork medians disagree far more
 * often than isolates land in another mode: in the published full sweep (near-idle VM, 2 forks
 * of 25 ms rounds) 263 of 560 measurements had a view whose forks were more than 10% apart, and
 * on a busy machine nearly all do (`run --preset quick` at load 8: 128 of 168 took extra forks,
 * 344 s instead of 206 s unbounded). 5% keeps `--preset quick` and the full sweep within about
 * a twentieth of their time while the widest disagreements, the isolate modes, still get
 * re-measured. At 10%, the 68-kernel full sweep of an AVX-512 VM gave 399 of 2040 timings extra
 * forks (414 fresh isolates) and took 379 s, over the 6 minutes the defaults are meant to keep.
 */
export const EXTRA_FORK_BUDGET = 0.05;

/**
 * ... but at least this much per layer: in a run of a few kernels one extra fork is a sixth of
 * the layer, so 10% alone re-measured only the widest disagreement (the issue's 3-kernel js run
 * at load 2.5: ternary2b/js left at 28.3/23.5 ms forks in 2 of 6 runs while bit2/js got its
 * extra), and 1 s still left it out in 2 of 6 (three kernels' extra forks at ~0.35 s each, then
 * the second round). Two seconds cover every kernel of such a run twice; runs whose layers take
 * more than 40 s never reach it (the full sweep's layers take 25-40 s, so it gets about this).
 */
export const EXTRA_FORK_MIN_MS = 2000;

/** Starts hosts a few at a time: start-up is setup (not timed), and two cores go further in parallel. */
const START_CONCURRENCY = 4;

export async function runSweep(layers: readonly Layer[], kernels: readonly KernelDeclaration[], settings: SweepSettings, observer: SweepObserver = {}): Promise<LayerResult[]> {
  const results: LayerResult[] = [];
  const views: TimedView[] = ['gemm', ...(settings.withPacking ? ['withPacking' as const] : []), ...(settings.fromFloat ? ['fromFloat' as const] : [])];
  const PHASES: Record<TimedView, SweepProgress['phase']> = { gemm: 'gemm', withPacking: 'with-packing', fromFloat: 'from-float' };
  const forks = Math.max(1, settings.forks);
  const phasesPerKernel = 1 + views.length * settings.rounds;
  const totalSteps = Math.max(1, layers.length * forks * kernels.length * phasesPerKernel);
  let steps = 0;
  const aborted = () => settings.signal?.aborted === true;
  const report = (layerIndex: number, fork: number, kernel: string, phase: SweepProgress['phase'], extra: boolean) =>
    observer.progress?.({ layerIndex, layerCount: layers.length, layer: layers[layerIndex]!, kernel, phase, fork, forks, ...(extra ? { extra } : {}), done: steps / totalSteps });
  const maxExtraForks = forks > 1 ? Math.max(0, settings.maxExtraForks ?? 0) : 0;
  const extraForkBudget = settings.extraForkBudget ?? EXTRA_FORK_BUDGET;
  const extraForkMinMs = settings.extraForkMinMs ?? EXTRA_FORK_MIN_MS;
  const now = settings.clock ?? (() => performance.now());
  // The widest fork spread over a kernel's timed views: who gets an extra fork first.
  const widestForkSpread = (decl: KernelDeclaration, c: Collected) =>
    Math.max(0, ...views.filter((view) => timesView(decl, view)).map((view) => forkMedianSpread(c.byView[view].map(flat).filter((f) => f.length > 0))));
  // Per fork (by fork index) of a kernel: the probe factor of a fork that ran in a slow spell of
  // the machine (its batches' median probe, over all views, above FORK_SPELL_FACTOR x usual).
  const spellFactors = (c: Collected): (number | undefined)[] => {
    const n = Math.max(0, ...views.map((v) => c.byView[v].length));
    return Array.from({ length: n }, (_, fork) => {
      const probes = views.flatMap((v) => (c.byView[v][fork] ?? []).map((b) => b.probe)).filter((p): p is number => p !== undefined);
      if (probes.length === 0) return undefined;
      const f = speed.factor(medianOf(probes));
      return f > FORK_SPELL_FACTOR ? f : undefined;
    });
  };
  const forksOf = (c: Collected, view: TimedView) => Array.from(c.byView[view], flat);
  // Whether some timed view of a kernel needs another fork: no majority of its forks agrees, or
  // one fork alone is left after setting aside forks that ran in a slow spell (see poolForks).
  const forksDisagree = (decl: KernelDeclaration, c: Collected | undefined) => {
    if (c === undefined) return false;
    const spell = spellFactors(c).map((f) => f !== undefined);
    return views.some((view) => {
      if (!timesView(decl, view)) return false;
      const choice = poolForks(forksOf(c, view), spell);
      return choice.pooled === undefined || (choice.spellAside.length > 0 && choice.pooled.length < 2);
    });
  };
  // Each (fork, round) gets an equal share of the budget, and the minimum sample count is dealt
  // out exactly (6 over 2 forks x 2 rounds: 2, 2, 1, 1): rounding each share up would make slow
  // kernels, where the minimum decides, take a third more samples than asked for.
  const slots = forks * settings.rounds;
  const perRound = (fork: number, round: number) => {
    const slot = fork * settings.rounds + round;
    const share = Math.floor(settings.minSamples / slots) + (slot < settings.minSamples % slots ? 1 : 0);
    return { timeMs: settings.timeMs / slots, minSamples: Math.max(1, share) };
  };

  // Per fork, each kernel's host lives from its first layer to the end of the sweep (a fresh
  // isolate costs ~50 ms to start, and a full sweep has 10 layers): every kernel's isolate
  // sees the same history (its own layers, in order) whatever else was selected.
  const lanes = Array.from({ length: forks }, () => new Map<string, KernelHost>());
  const speed = new SpeedLog();
  try {
    for (let li = 0; li < layers.length && !aborted(); li++) {
      const layer = layers[li]!;
      const measurements = new Map<string, Measurement>();
      const collected = new Map<string, Collected>();
      const data = new Map<Precision, { operands: Operands; floats?: FloatActivations; expected?: ResultArray }>();
      const dataFor = (p: Precision) => {
        let d = data.get(p);
        if (!d) data.set(p, (d = layerData(p, layer, (settings.seed + li * 7919) >>> 0, settings)));
        return d;
      };
      let interrupted = false;
      const plannedCost = new Map<string, number>();

      /**
       * One fork of this layer: the `chosen` kernels (each in its own host, from `lane` or fresh)
       * verified, then timed in interleaved rounds and re-takes. A planned fork keeps its healthy
       * hosts in its lane for the next layer; an extra fork's fresh isolates end with it.
       */
      const measureFork = async (fork: number, chosen: readonly KernelDeclaration[], lane: Map<string, KernelHost>, extra: boolean) => {
        const advance = (n: number) => {
          // Extra forks are not in the plan: the fraction done holds still while they run.
          if (!extra) steps += n;
        };
        const budget = (round: number, view: TimedView) => {
          const b = perRound(fork % forks, round);
          return { ...b, timeMs: timeOf(view, b.timeMs) };
        };
        // What each kernel's planned forks cost (verifying and timing): the price of an extra one.
        const spend = (id: string, since: number) => {
          if (!extra) plannedCost.set(id, (plannedCost.get(id) ?? 0) + now() - since);
        };
        const live = new Map<string, KernelHost>();
        const started = new Map<string, KernelHost | Error>();
        const onAbort = () => {
          for (const h of live.values()) h.requestStop();
        };
        settings.signal?.addEventListener('abort', onAbort);
        try {
          // This fork's host of every kernel still in the race; missing ones started a few at a time.
          const candidates = chosen.filter((d) => !measurements.has(d.id));
          advance((kernels.length - candidates.length) * phasesPerKernel);
          for (const d of candidates) if (lane.has(d.id)) started.set(d.id, lane.get(d.id)!);
          // Hosts that measured this kernel on an earlier layer of this fork (see warmupOf).
          const warm = new Set(candidates.filter((d) => lane.has(d.id)).map((d) => d.id));
          const missing = candidates.filter((d) => !lane.has(d.id));
          for (let i = 0; i < missing.length && !aborted(); i += START_CONCURRENCY) {
            const batch = missing.slice(i, i + START_CONCURRENCY);
            const hosts = await Promise.all(batch.map((d) => startHost(d, settings).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))));
            batch.forEach((d, j) => {
              const h = hosts[j]!;
              started.set(d.id, h);
              if (!(h instanceof Error)) lane.set(d.id, h);
            });
          }

          // Verify each kernel, in its own isolate, on the very operands it will be timed on.
          for (const decl of candidates) {
            const host = started.get(decl.id);
            if (aborted() || host === undefined) break;
            report(li, fork, decl.id, 'verify', extra);
            advance(1);
            const verifyStart = now();
            if (host instanceof Error) {
              measurements.set(decl.id, failed(decl, 'skipped', `${decl.id} failed on ${layer.name} (${shapeLabel(layer)}): ${errorText(host)}`));
              continue;
            }
            try {
              // The kernel first: creating it checks its own shape limits (wasm32 memory, ...), so
              // a layer too large for it is refused before seconds of random operands are generated.
              await host.create(layer, settings.threads);
              const d = dataFor(decl.precision);
              const loading = host.load(d.operands.w, d.operands.x, d.floats);
              // The reference is computed while the isolate packs and runs: on two cores the two
              // overlap (both are setup; nothing is timed during verification). A layer's six
              // references took ~15 s of a 393 s full sweep when they waited for each other.
              d.expected ??= referenceGemm(decl.precision, layer, d.operands.w, d.operands.x);
              const loaded = await loading;
              // Both results against the one reference: X is the reference-quantized float activations.
              const checks: [string, ResultArray | undefined][] = [['', loaded.result], [' from float', d.floats ? loaded.fromFloat : undefined]];
              const wrong = checks.map(([what, result]) => ({ what, result, bad: result ? firstMismatch(d.expected!, result) : -1 })).find((c) => c.bad >= 0);
              if (d.floats && loaded.fromFloat === undefined) {
                measurements.set(decl.id, failed(decl, 'failed', `no result from float on ${shapeLabel(layer)}`));
              } else if (wrong) {
                const { bad, result, what } = wrong;
                const row = Math.floor(bad / layer.N);
                measurements.set(decl.id, failed(decl, 'failed', `wrong result${what} on ${shapeLabel(layer)}: C[${row}][${bad % layer.N}] = ${result![bad]}, expected ${d.expected[bad]}`));
              } else {
                live.set(decl.id, host);
              }
            } catch (err) {
              if (aborted()) break;
              measurements.set(decl.id, failed(decl, fork === 0 ? 'skipped' : 'passed', `${decl.id} failed on ${layer.name} (${shapeLabel(layer)}): ${errorText(err)}`));
            }
            spend(decl.id, verifyStart);
          }
          advance((candidates.length - live.size) * (phasesPerKernel - 1));

          // A kernel that throws while being timed (in a round or a re-take) is out of the race.
          const timingFailed = (id: string, err: unknown) => {
            const decl = kernels.find((k) => k.id === id)!;
            measurements.set(id, failed(decl, 'passed', `${id} failed while timing ${layer.name} (${shapeLabel(layer)}): ${errorText(err)}`));
            live.delete(id);
          };

          for (let round = 0; round < settings.rounds && !aborted(); round++) {
            for (const [id, host] of live) {
              if (aborted()) break;
              if (measurements.has(id)) continue;
              const decl = kernels.find((k) => k.id === id)!;
              const c = collected.get(id) ?? { byView: { gemm: [], withPacking: [], fromFloat: [] }, callsPerSample: 1, retaken: { gemm: 0, withPacking: 0, fromFloat: 0 } };
              collected.set(id, c);
              try {
                for (const view of views) {
                  if (!timesView(decl, view)) {
                    advance(1);
                    continue;
                  }
                  report(li, fork, id, PHASES[view], extra);
                  const sampleStart = now();
                  const s = await host.sample(view, { ...budget(round, view), warmupMs: round === 0 ? warmupOf(view, settings.warmupMs, warm.has(id)) : 0 });
                  spend(id, sampleStart);
                  const probe = probeOf(s);
                  speed.record(probe);
                  (c.byView[view][fork] ??= []).push({ samples: s.samples, probe, round });
                  if (view === 'gemm') c.callsPerSample = Math.max(c.callsPerSample, s.callsPerSample);
                  advance(1);
                  if (s.stopped) break;
                }
              } catch (err) {
                if (aborted()) break;
                timingFailed(id, err);
              }
            }
          }

          // Batches the speed probe says ran in a slow spell of the machine are measured again,
          // now that the other kernels' rounds have passed (spells last tens of ms to seconds:
          // speed-probe.ts); a re-take replaces the batch when its probe was faster.
          for (let pass = 0; pass < RETAKE_PASSES && !aborted(); pass++) {
            let any = false;
            for (const [id, host] of live) {
              if (aborted()) break;
              if (measurements.has(id)) continue;
              const c = collected.get(id);
              if (!c) continue;
              try {
                for (const view of views) {
                  for (const batch of c.byView[view][fork] ?? []) {
                    if (aborted() || !speed.isSlow(batch.probe)) continue;
                    any = true;
                    report(li, fork, id, PHASES[view], extra);
                    const sampleStart = now();
                    const s = await host.sample(view, { ...budget(batch.round, view), warmupMs: 0 });
                    spend(id, sampleStart);
                    const probe = probeOf(s);
                    speed.record(probe);
                    speed.countRetake();
                    c.retaken[view]++;
                    if (probe !== undefined && probe < batch.probe! && s.samples.length > 0) {
                      batch.samples = s.samples;
                      batch.probe = probe;
                    }
                    if (s.stopped) break;
                  }
                }
              } catch (err) {
                if (aborted()) break;
                timingFailed(id, err);
              }
            }
            if (!any) break;
          }
        } finally {
          settings.signal?.removeEventListener('abort', onAbort);
          if (aborted()) interrupted = true;
          // A healthy host drops its kernel and waits for the next layer; one whose kernel failed
          // or was wrong is closed, so the next layer gets a fresh isolate.
          const hosts = [...started.entries()].filter((e): e is [string, KernelHost] => !(e[1] instanceof Error));
          await Promise.all(
            hosts.map(async ([id, h]) => {
              if (!extra && !interrupted && live.has(id) && (await h.release())) return;
              lane.delete(id);
              await (interrupted ? h.kill() : h.close());
            }),
          );
        }
      };

      const plannedStart = now();
      for (let fork = 0; fork < forks && !interrupted; fork++) await measureFork(fork, kernels, lanes[fork]!, false);

      // Forks that disagree are measured again in extra fresh isolates, one fork at a time, until a
      // majority of forks agrees or the cap is reached (the JMH answer to an isolate that landed
      // in another JIT or placement mode: more forks, not a guess which one was right). The
      // kernels that need one share each extra fork, so their rounds still interleave. Extra
      // forks may take extraForkBudget of the time the planned forks took: on a busy machine
      // most timings disagree, and then the widest disagreements get them first. The widest one
      // gets its extra forks whatever they cost, so a run of a few kernels (where one extra fork
      // is a sixth of the layer) still re-measures its worst disagreement.
      let favoured: string | undefined;
      let budgetLeft = Number.isFinite(extraForkBudget) ? Math.max(extraForkMinMs, extraForkBudget * (now() - plannedStart)) : Infinity;
      for (let extra = 0; extra < maxExtraForks && !interrupted; extra++) {
        const disagreeing = kernels
          .filter((d) => !measurements.has(d.id) && forksDisagree(d, collected.get(d.id)))
          .map((d) => ({ d, spread: widestForkSpread(d, collected.get(d.id)!), price: (plannedCost.get(d.id) ?? 0) / forks }))
          .sort((a, b) => b.spread - a.spread);
        favoured ??= disagreeing[0]?.d.id;
        const chosen: KernelDeclaration[] = [];
        let price = 0;
        for (const x of disagreeing) {
          if (x.d.id !== favoured && price + x.price > budgetLeft) continue;
          chosen.push(x.d);
          price += x.price;
        }
        if (chosen.length === 0) break;
        const extraStart = now();
        await measureFork(forks + extra, chosen, new Map(), true);
        budgetLeft -= now() - extraStart;
      }

      for (const decl of kernels) {
        if (measurements.has(decl.id)) continue;
        const c = collected.get(decl.id);
        if (!c) continue;
        const gemmForks = forksOf(c, 'gemm');
        if (!gemmForks.some((f) => f.length > 0)) continue; // not reached before Ctrl-C
        const packForks = forksOf(c, 'withPacking');
        const floatForks = forksOf(c, 'fromFloat');
        const spell = spellFactors(c);
        // The probe statistics of one view: every batch of the forks its statistics pool (a fork
        // set aside outside the agreeing majority, or for a slow spell, does not flag the timing),
        // and the re-takes.
        const probed = (view: TimedView) => {
          const { kept } = keptForks(forksOf(c, view), spell.map((f) => f !== undefined));
          const p = probeStats(speed, kept.flatMap((i) => c.byView[view][i]!.map((b) => b.probe)), c.retaken[view]);
          return p ? { speedProbe: p } : {};
        };
        // Extra forks that timed something in a view (one cut short by Ctrl-C still counts).
        const extra = (view: TimedView) => c.byView[view].slice(forks).filter((f) => flat(f).length > 0).length;
        measurements.set(decl.id, {
          kernel: decl.id,
          precision: decl.precision,
          backend: decl.backend,
          verification: 'passed',
          gemm: { ...summarizeForks(gemmForks, c.callsPerSample, extra('gemm'), spell), ...probed('gemm') },
          ...(settings.withPacking && packForks.some((f) => f.length > 0) ? { withPacking: { ...summarizeForks(packForks, 1, extra('withPacking'), spell), ...probed('withPacking') } } : {}),
          ...(settings.fromFloat && floatForks.some((f) => f.length > 0) ? { fromFloat: { ...summarizeForks(floatForks, 1, extra('fromFloat'), spell), ...probed('fromFloat') } } : {}),
          // fp32 from float is its GEMM alone: the same operation, so the same timings (see timesView).
          ...(settings.fromFloat && !timesView(decl, 'fromFloat') ? { fromFloat: { ...summarizeForks(gemmForks, c.callsPerSample, extra('gemm'), spell), ...probed('gemm') } } : {}),
        });
      }

      const result: LayerResult = {
        ...layer,
        measurements: kernels.map((k) => measurements.get(k.id)!).filter(Boolean),
        ...(interrupted ? { partial: true } : {}),
      };
      // A layer interrupted before anything was timed is not worth a row.
      if (interrupted && !result.measurements.some((m) => m.gemm)) break;
      results.push(result);
      await observer.layerDone?.(result, li);
    }
  } finally {
    const hosts = lanes.flatMap((lane) => [...lane.values()]);
    await Promise.all(hosts.map((h) => (aborted() ? h.kill() : h.close())));
    const summary = speed.summary();
    if (summary) observer.speed?.(summary);
  }
  return results;
}
