// How kernels of different results files are matched: by precision and kernel class (js,
// wasm-simd128, wasm-scalar, native and the workers- twin of each), so a laptop's
// fatnn/native-avx512 and an ARM board's fatnn/native-neon share a row. `native` is the best
// instruction set each host ran. Platform-neutral (no node: imports): the headline uses it too.

import type { ResultsFile } from '../results/schema.js';
import { runKernelIds, variantOf } from '../results/speedups.js';
import type { Precision } from '../types.js';
import { whyMissing } from './warnings.js';

/** `--match class` (default: across devices) or `--match id` (exact kernel ids: same machine, code changes). */
export type MatchMode = 'class' | 'id';
export const MATCH_MODES: readonly MatchMode[] = ['class', 'id'];

const WORKERS = 'workers-';
const NATIVE = 'native-';

/**
 * Native instruction sets, best first. The rank orders ISAs of one host only: x86-64 offers
 * avx512 > avx2 > scalar, arm64 neon > scalar; avx2 and neon never meet on one host.
 */
const NATIVE_ISA_RANK: Readonly<Record<string, number>> = { avx512: 3, avx2: 2, neon: 2, scalar: 1 };

export interface KernelClass {
  readonly precision: Precision;
  /** `js`, `wasm-simd128`, `wasm-scalar`, `native`, `workers-js`, ..., `workers-native`. */
  readonly klass: string;
  /** The native instruction set (`avx512`, `avx2`, `scalar`, `neon`) for native classes. */
  readonly isa?: string;
}

/** `fatnn/workers-native-avx2` -> { precision fatnn, class workers-native, isa avx2 }. */
export function classOf(kernelId: string): KernelClass {
  const precision = kernelId.slice(0, kernelId.indexOf('/')) as Precision;
  const variant = variantOf(kernelId);
  const workers = variant.startsWith(WORKERS);
  const single = workers ? variant.slice(WORKERS.length) : variant;
  const prefix = workers ? WORKERS : '';
  if (single.startsWith(NATIVE)) return { precision, klass: `${prefix}native`, isa: single.slice(NATIVE.length) };
  return { precision, klass: variant };
}

/** Row order of every class table: single thread before workers, portable before native. */
export const CLASS_ORDER: readonly string[] = ['js', 'wasm-simd128', 'wasm-scalar', 'native', 'workers-js', 'workers-wasm-simd128', 'workers-wasm-scalar', 'workers-native'];

export function classRank(klass: string): number {
  const i = CLASS_ORDER.indexOf(klass);
  return i < 0 ? CLASS_ORDER.length : i;
}

/**
 * The ISA name a host's cell shows: NEON is qualified by the dot-product extension the int8
 * kernel uses when the CPU has it (SDOT; `asimddp` on Linux, `dotprod` elsewhere).
 */
export function isaLabel(isa: string, hostFlags: readonly string[]): string {
  if (isa === 'neon') return hostFlags.some((f) => f === 'asimddp' || f === 'dotprod') ? 'neon+dotprod' : 'neon';
  return isa;
}

/** `native (avx512)`, `workers-native (neon+dotprod)`, or the class itself. */
export function classLabel(klass: string, isa: string | undefined): string {
  return isa === undefined ? klass : `${klass} (${isa})`;
}

function isaRank(isa: string | undefined): number {
  return isa === undefined ? 0 : (NATIVE_ISA_RANK[isa] ?? 0);
}

/** The row key of a kernel in a class-matched table: `fatnn/native`. */
export function classKey(c: Pick<KernelClass, 'precision' | 'klass'>): string {
  return `${c.precision}/${c.klass}`;
}

/**
 * Which kernel of one run stands for each class row. Every non-native kernel is its own row;
 * for native classes the run's best ISA is chosen once per class (the highest-ranked ISA it ran
 * any kernel of), so all precisions of a host's native row come from one instruction set and
 * each speedup divides that ISA's own baseline. A precision the best ISA lacks falls back to
 * the next ISA that has it (its cell then names that ISA).
 */
export interface ClassChoice {
  /** Row key (`fatnn/native`) -> the kernel id chosen for it. */
  readonly kernels: ReadonlyMap<string, string>;
  /** Class -> the ISA label of its best native ISA (`avx512`, `neon+dotprod`), for native classes. */
  readonly isas: ReadonlyMap<string, string>;
}

export function chooseByClass(kernelIds: Iterable<string>, hostFlags: readonly string[] = []): ClassChoice {
  const best = new Map<string, string>();
  const all = [...kernelIds];
  for (const id of all) {
    const c = classOf(id);
    if (c.isa === undefined) continue;
    const current = best.get(c.klass);
    if (current === undefined || isaRank(c.isa) > isaRank(current)) best.set(c.klass, c.isa);
  }
  const kernels = new Map<string, string>();
  const chosenRank = new Map<string, number>();
  for (const id of all) {
    const c = classOf(id);
    const key = classKey(c);
    if (c.isa === undefined) {
      kernels.set(key, id);
      continue;
    }
    // The class's best ISA wins; otherwise the best ISA that has this precision.
    const rank = c.isa === best.get(c.klass) ? Number.POSITIVE_INFINITY : isaRank(c.isa);
    if (rank > (chosenRank.get(key) ?? -1)) {
      kernels.set(key, id);
      chosenRank.set(key, rank);
    }
  }
  const isas = new Map([...best].map(([klass, isa]) => [klass, isaLabel(isa, hostFlags)]));
  return { kernels, isas };
}

/** The kernels a run timed on some layer (a kernel that only failed still counts: its row shows why). */
export function measuredKernelIds(results: ResultsFile): string[] {
  const ids = new Set<string>();
  for (const layer of results.layers) for (const m of layer.measurements) ids.add(m.kernel);
  return [...ids];
}

/** One row of a matched table: its key and, per run, the kernel id that fills it. */
export interface MatchedRow {
  /** `fatnn/native` (class mode) or the kernel id (id mode). */
  readonly key: string;
  readonly precision: Precision;
  /** Per run: the kernel id, or undefined when the run has none for this row. */
  readonly kernels: readonly (string | undefined)[];
  /** Per run: the ISA label its cell names (native classes in class mode only). */
  readonly isas: readonly (string | undefined)[];
}

export interface Matching {
  readonly mode: MatchMode;
  /** Rows that at least two runs have, in class order then precision order of the first run seen. */
  readonly rows: readonly MatchedRow[];
  /** Rows only one run has: left out of every table, named in one warning. */
  readonly unmatched: readonly { readonly key: string; readonly label: string; readonly run: number }[];
}

/**
 * Matches the measured kernels of several runs. With one run, every row is kept (nothing to
 * match against); with more, a row needs at least two runs, since a row of dashes compares
 * nothing.
 */
export function matchKernels(runs: readonly { readonly label: string; readonly results: ResultsFile }[], mode: MatchMode): Matching {
  const perRun = runs.map((r) => {
    const ids = measuredKernelIds(r.results);
    if (mode === 'id') return new Map(ids.map((id) => [id, id]));
    return new Map(chooseByClass(ids, r.results.host.cpu.flags).kernels);
  });
  const keys: string[] = [];
  for (const map of perRun) for (const key of map.keys()) if (!keys.includes(key)) keys.push(key);
  if (mode === 'class') {
    const order = (key: string) => {
      const c = classOf(`${key}`);
      return classRank(c.klass);
    };
    // Stable sort: precisions keep the order the runs measured them in.
    keys.sort((a, b) => order(a) - order(b));
  }
  const rows: MatchedRow[] = [];
  const unmatched: { key: string; label: string; run: number }[] = [];
  for (const key of keys) {
    const kernels = perRun.map((m) => m.get(key));
    const present = kernels.filter((k) => k !== undefined).length;
    if (runs.length > 1 && present < 2) {
      const run = kernels.findIndex((k) => k !== undefined);
      unmatched.push({ key, label: kernels[run]!, run });
      continue;
    }
    const isas = kernels.map((id, i) => {
      const isa = id === undefined ? undefined : classOf(id).isa;
      return mode === 'class' && isa !== undefined ? isaLabel(isa, runs[i]!.results.host.cpu.flags) : undefined;
    });
    rows.push({ key, precision: key.slice(0, key.indexOf('/')) as Precision, kernels, isas });
  }
  return { mode, rows, unmatched };
}

/**
 * One warning naming every kernel left out because no other file has it (like dropped layers),
 * each with why the other files lack it, read from them (`whyMissing`: unavailable there with
 * its reason, or not selected by their filters).
 */
export function unmatchedKernelsWarning(m: Matching, runs: readonly { readonly label: string; readonly results: ResultsFile }[]): string[] {
  if (m.unmatched.length === 0) return [];
  const byRun = new Map<number, string[]>();
  for (const u of m.unmatched) {
    const why = runs.filter((_, i) => i !== u.run).map((r) => `${r.label}: ${whyMissing(r.results, u.label)}`);
    byRun.set(u.run, [...(byRun.get(u.run) ?? []), `${u.label} (${why.join('; ')})`]);
  }
  const text = [...byRun].map(([run, ids]) => `${runs[run]!.label}: ${ids.join(', ')}`).join('; ');
  const how = m.mode === 'class' ? 'no other file has a kernel of the same precision and class' : 'no other file has the same kernel id (try --match class to pair ISAs across devices)';
  return [`${m.unmatched.length} kernel(s) left out because ${how}: ${text}`];
}

/**
 * Thread counts matter only between runs that ran workers kernels (a run without them records
 * 0 threads, and the single-thread kernels it ran do not depend on it).
 */
export function threadsWarning(runs: readonly { readonly label: string; readonly results: ResultsFile }[]): string[] {
  const withWorkers = runs.filter((r) => r.results.config.threads > 0 && [...runKernelIds(r.results)].some((id) => variantOf(id).startsWith(WORKERS)));
  if (withWorkers.length < 2 || new Set(withWorkers.map((r) => r.results.config.threads)).size === 1) return [];
  const listing = withWorkers.map((r) => `${r.label}: ${r.results.config.threads}`).join(', ');
  return [`worker thread counts differ (${listing}); changes of workers kernels reflect the thread count too (use the same --threads to compare code or hosts)`];
}
