// Formatting shared by every renderer (and by `compare`): numbers, the host fingerprint and
// run description lines, table cell escaping. One place, so all formats print the same digits.

import type { HostFingerprint, ResultsFile, TimingStats } from '../results/schema.js';
import type { CostView } from '../results/speedups.js';
import { FORK_DISAGREEMENT, FORK_SPELL_FACTOR, NOISY_SPREAD, forkSpread, quantile, withinForkSpread } from '../results/stats.js';
import { VIEW_SHORT, type ReportModel, type Speedup } from './model.js';

/** Milliseconds with at least 4 significant digits, so ratios of printed times stay accurate. */
export function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(3);
  return ms.toPrecision(4);
}

export function formatSpeedupValue(value: number | undefined): string {
  return value === undefined ? '-' : `${value.toFixed(2)}x`;
}

export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

export function formatGmacs(gmacs: number): string {
  return gmacs >= 100 ? gmacs.toFixed(1) : gmacs.toFixed(2);
}

/** Better/worse classification used for colour: a 5% dead band avoids colouring noise. */
export function speedupTone(value: number | undefined): 'better' | 'worse' | 'same' {
  if (value === undefined) return 'same';
  if (value > 1.05) return 'better';
  if (value < 0.95) return 'worse';
  return 'same';
}

export function formatBytes(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

/** Host fingerprint as label/value pairs, in the order every report prints them. */
export function hostFacts(host: HostFingerprint, threads: number): [string, string][] {
  return [
    ['CPU', `${host.cpu.brand} (${host.cpu.cores} logical / ${host.cpu.physicalCores} physical cores${host.cpu.speedGHz ? `, ${host.cpu.speedGHz} GHz` : ''})`],
    ['Architecture', host.arch],
    ['CPU flags', host.cpu.flags.length > 0 ? host.cpu.flags.join(' ') : '(none of the relevant ones)'],
    ['Memory', formatBytes(host.memoryBytes)],
    // A page knows the OS only as the browser's platform string (the Platform row below).
    ...(host.browser ? [] : [['OS', `${host.os.distro} ${host.os.release} (${host.os.platform}, kernel ${host.os.kernel})`] as [string, string]]),
    ...(host.browser ? browserFacts(host.browser) : [['Node / V8', `${host.node} / ${host.v8}`] as [string, string]]),
    ['WebAssembly SIMD', host.wasmSimd ? 'yes' : 'no'],
    ['Worker threads used', threads > 0 ? String(threads) : 'none (no workers kernels selected)'],
    ...arm64Facts(host),
    ...(host.emulation ? [['Emulated', `yes: ${host.emulation.emulator}${host.emulation.hostCpu ? ` on ${host.emulation.hostCpu}` : ''} (${host.emulation.evidence})`] as [string, string]] : []),
  ];
}

/** Browser hosts (`serve`): what the page could learn, instead of Node's versions. */
function browserFacts(b: NonNullable<HostFingerprint['browser']>): [string, string][] {
  return [
    ['Browser', `${b.brands?.join(', ') || b.userAgent}${b.mobile ? ' (mobile)' : ''}`],
    ['User agent', b.userAgent],
    ['Platform', `${b.platform}${b.model ? `, model ${b.model}` : ''}`],
    ['Cross-origin isolated', b.crossOriginIsolated ? 'yes (SharedArrayBuffer, Web Worker pool)' : 'no (no workers kernels, coarse timer)'],
  ];
}

/** arm64 hosts: core types as the OS reports them, NEON / SDOT, and the int8 path chosen. */
function arm64Facts(host: HostFingerprint): [string, string][] {
  const a = host.arm64;
  if (!a) return [];
  const cores = a.cores.map((c) => `${c.count}x ${c.name} (implementer ${c.implementer}, part ${c.part})`).join(', ');
  return [
    ['arm64 cores', cores || 'not reported by the OS'],
    ['arm64 SIMD', `NEON ${a.neon ? 'yes' : 'no'}, dot product (SDOT) ${a.dotprod ? 'yes' : 'no'}; int8/native-neon runs ${a.int8Kernel}`],
  ];
}

/** How the run was made: tool, dates, completeness, layers, timing settings. */
export function runFacts(results: ResultsFile): [string, string][] {
  const c = results.config;
  const planned = c.plannedLayers;
  const status = results.complete
    ? 'complete'
    : `INCOMPLETE (interrupted or still running): ${results.layers.length}${planned !== undefined ? ` of ${planned}` : ''} layers measured`;
  return [
    ['Tool', `${results.tool.name} ${results.tool.version} (results schema v${results.upgradedFrom ?? results.schemaVersion})`],
    ['Started', results.startedAt],
    ['Finished', results.finishedAt ?? '-'],
    ['Status', status],
    ['Layers', c.layersFile ? `from ${c.layersFile}` : c.preset ? `preset ${c.preset}` : 'custom shapes'],
    [
      'Timing',
      `${c.timeMs} ms budget and >= ${c.minSamples} samples per measurement, ${c.warmupMs} ms warm-up${c.rounds ? `, ${c.rounds} interleaved rounds` : ''}, seed ${c.seed}`,
    ],
    ['Isolation', isolationText(c.isolation, c.forks, c.maxExtraForks)],
    ['Baseline', `${c.baseline} (same backend)`],
    ...(c.quantizers ? [['Quantizers (from float)', quantizersText(c.quantizers)] as [string, string]] : []),
  ];
}

/** The activation quantizers of a run in one line: "fatnn: x < -0.625 -> -1, x >= 0.5 -> +1; ...". */
export function quantizersText(qs: NonNullable<ResultsFile['config']['quantizers']>): string {
  return Object.values(qs)
    .flatMap((q) => {
      if (!q) return [];
      switch (q.precision) {
        case 'fatnn':
        case 'ternary2b':
          return [`${q.precision}: x < ${q.low} -> -1, x >= ${q.high} -> +1, else 0`];
        case 'bit2':
          return [`bit2: level = thresholds reached of ${q.thresholds.join(', ')}`];
        case 'binary':
          return ['binary: sign (x < 0 -> -1, else +1)'];
        case 'int8':
          return [`int8: x / ${q.scale} rounded half away from zero, clamped to [-128, 127]`];
        case 'fp32':
          return [];
      }
    })
    .join('; ') + (Object.keys(qs).length > 0 ? '; NaN is rejected' : '');
}

export const NOISY_NOTE = `"noisy": interquartile range above ${Math.round(NOISY_SPREAD * 100)}% of the median, fork medians more than ${Math.round(FORK_DISAGREEMENT * 100)}% apart, or bimodal samples; treat that speedup with care`;

/** How kernels were kept apart, as every report says it. */
export function isolationText(isolation: ResultsFile['config']['isolation'], forks: number, maxExtraForks = 0): string {
  const where = isolation === 'worker-thread' ? 'each kernel in a worker-thread isolate of its own, one per fork' : 'none: every kernel in the runner process, after the others (timings may depend on the selection)';
  const extra = maxExtraForks > 0 ? `, up to ${maxExtraForks} more where they disagreed` : '';
  return `${where}; ${forks} fork${forks === 1 ? '' : 's'}${extra}`;
}

export const MODEL_NOTE = 'model: speedup expected from the op-count model (bitwise + popcount ops per 128 logical elements; explained in the fatnn-bench README, section Precisions)';

/** One line on measurement quality, shown near the top of every report. */
export function noiseSummary(noisy: number, timings: number): string {
  if (timings === 0) return 'no timings';
  const share = `${noisy} of ${timings} timings (${Math.round((100 * noisy) / timings)}%)`;
  return noisy === 0
    ? `no noisy timings (IQR within ${Math.round(NOISY_SPREAD * 100)}% of the median, forks within ${Math.round(FORK_DISAGREEMENT * 100)}% of each other, no bimodal samples)`
    : `${share} noisy (wide IQR, disagreeing forks or bimodal samples; see the notes)`;
}

/** Marks a speedup divided by another variant's baseline kernel (see reportNotes). */
export const BORROWED_MARK = '†';

/** A speedup as every human format prints it: value, "~" when noisy, "†" when the baseline is borrowed. */
export function speedupText(s: Pick<Speedup, 'value' | 'noisy' | 'borrowed'> | undefined): string {
  return s ? `${formatSpeedupValue(s.value)}${s.noisy ? '~' : ''}${s.borrowed ? BORROWED_MARK : ''}` : '-';
}

/** A geometric mean of speedups, marked like the speedups it averages. */
export function geomeanText(value: number | undefined, borrowed: boolean | undefined): string {
  return value === undefined ? '-' : `${formatSpeedupValue(value)}${borrowed ? BORROWED_MARK : ''}`;
}

/**
 * The notes every human format prints under its tables, in the same words: noise, borrowed
 * baselines, baselines missing on some layers, failures and skips. `code` formats a kernel id.
 */
/** What a time in the report covers, so readers of any format know what setup is left out. */
export function timedNote(views: readonly CostView[]): string {
  const fromFloat = views.includes('fromFloat')
    ? ' and, from float, quantizing float32 activations + packing (fused where the kernel can) + GEMM (from float columns; fp32: its GEMM alone)'
    : '';
  return `Timed: one GEMM on pre-packed operands (GEMM columns), activation packing + GEMM (+pack columns)${fromFloat}; for workers kernels, waking every thread + compute + waiting for all. Not timed: kernel creation, weight packing, wasm instantiation, worker pool start-up, copying C out.`;
}

export function reportNotes(model: ReportModel, code: (id: string) => string, options: { failures?: boolean } = {}): string[] {
  const notes: string[] = [timedNote(model.views)];
  if (model.noisyCount > 0) notes.push(`${model.noisyCount} noisy measurement(s): ${NOISY_NOTE}. A "~" after a speedup marks one computed from a noisy median.`);
  notes.push(...forkNotes(model, code));
  const byBaseline = new Map<string, string[]>();
  for (const b of model.borrowings) byBaseline.set(b.baselineKernel, [...(byBaseline.get(b.baselineKernel) ?? []), b.kernel]);
  for (const [base, kernels] of byBaseline) {
    const precision = base.slice(0, base.indexOf('/'));
    notes.push(`${BORROWED_MARK}: baseline taken from ${code(base)} (same backend) for ${kernels.map(code).join(', ')}: the run has no ${precision} kernel in their own variant.`);
  }
  // One note per baseline kernel when both cost views miss the same layers (the usual failure).
  const gapNotes = new Map<string, { views: string[]; kernel: string; layers: readonly string[] }>();
  for (const g of model.baselineGaps) {
    const key = `${g.baselineKernel}\0${g.layers.join('\0')}`;
    const entry = gapNotes.get(key) ?? { views: [], kernel: g.baselineKernel, layers: g.layers };
    entry.views.push(VIEW_SHORT[g.view]);
    gapNotes.set(key, entry);
  }
  for (const g of gapNotes.values()) {
    notes.push(
      `${code(g.kernel)} has no ${g.views.join(' or ')} time on ${g.layers.join(', ')}: speedups vs it there, and the whole-network speedups and geomeans of the kernels compared with it, are "-" (no other variant's baseline stands in).`,
    );
  }
  if (options.failures !== false) for (const f of model.failures) notes.push(`${code(f.kernel)} on ${f.layer}: ${f.verification === 'failed' ? 'WRONG RESULT' : 'not timed'}: ${f.error}`);
  for (const s of model.results.skipped) notes.push(`${code(s.kernel)} skipped: ${s.reason}`);
  return notes;
}

/** "+1 fork" when a timing got extra forks because its planned ones disagreed; empty otherwise. */
export function extraForksText(s: Pick<TimingStats, 'extraForks'>): string {
  const n = s.extraForks ?? 0;
  return n > 0 ? `+${n} fork${n === 1 ? '' : 's'}` : '';
}

/** A detail table's IQR cell text: spread, "noisy", and "+1 fork" when forks were added. */
export function spreadCellText(spread: number, noisy: boolean, s: TimingStats): string {
  const extra = extraForksText(s);
  return `${formatPercent(spread)}${noisy ? ' noisy' : ''}${extra ? ` ${extra}` : ''}`;
}

/**
 * What extra or set-aside forks did to one timing, in one sentence (no leading kernel): which
 * forks the median is over, and the medians left out.
 */
export function forkOutcomeText(s: TimingStats): string {
  const pooled = s.forks ?? [];
  const aside = s.setAsideForks ?? [];
  const total = pooled.length + aside.length;
  const range = (fs: readonly { medianMs: number }[]) => {
    const m = fs.map((f) => f.medianMs);
    const lo = formatMs(Math.min(...m));
    const hi = formatMs(Math.max(...m));
    return lo === hi ? `${lo} ms` : `${lo}-${hi} ms`;
  };
  if (aside.some((f) => f.slowSpell !== undefined)) {
    const each = aside.map((f) => `${formatMs(f.medianMs)} ms${f.slowSpell !== undefined ? ` (slow spell: speed probe ${f.slowSpell.toFixed(2)}x its usual)` : ''}`);
    const kept = pooled.length > 1 ? `median over the ${pooled.length} of ${total} forks that ran at the machine's usual speed and agree (fork medians ${range(pooled)})` : `median of the one fork of ${total} that ran at the machine's usual speed (${range(pooled)})`;
    return `${kept}; set aside: ${each.join(', ')}`;
  }
  if (aside.length > 0) return `median over the ${pooled.length} of ${total} forks that agree (fork medians ${range(pooled)}); set aside: ${aside.map((f) => formatMs(f.medianMs)).join(', ')} ms`;
  if (forkSpread(s) > FORK_DISAGREEMENT) return `forks still disagree (fork medians ${range(pooled)}): every fork pooled`;
  return `all ${total} forks agree (fork medians ${range(pooled)})`;
}

/** Noisy cells whose reason goes beyond a wide IQR are named one by one, up to this many. */
const MAX_NAMED_NOISE = 12;

/**
 * The between-fork spread beside the within-fork spread (one line), and each measurement whose
 * forks disagree or whose samples are bimodal, with the reason.
 */
export function forkNotes(model: ReportModel, code: (id: string) => string): string[] {
  const notes: string[] = [];
  const cells = model.rows.flatMap((r) => model.views.map((v) => ({ r, v, cell: r.views[v] }))).filter((x) => x.cell !== undefined);
  const forks = model.results.config.forks;
  if (forks > 1 && cells.length > 0) {
    const between = cells.map((x) => forkSpread(x.cell!.stats)).sort((a, b) => a - b);
    const within = cells.map((x) => withinForkSpread(x.cell!.stats)).sort((a, b) => a - b);
    const pct = (v: number) => formatPercent(v);
    notes.push(
      `Spread over ${cells.length} timings: between forks (range of the ${forks} fork medians / median) median ${pct(quantile(between, 0.5))}, max ${pct(between[between.length - 1]!)}; within a fork (IQR / median) median ${pct(quantile(within, 0.5))}, max ${pct(within[within.length - 1]!)}.`,
    );
  }
  // Timings that got extra forks, or whose forks outside an agreeing majority were set aside.
  const refork = cells.filter((x) => (x.cell!.stats.extraForks ?? 0) > 0 || (x.cell!.stats.setAsideForks?.length ?? 0) > 0);
  if (refork.length > 0) {
    const extra = refork.filter((x) => (x.cell!.stats.extraForks ?? 0) > 0).length;
    notes.push(
      `Forks that disagree: ${extra} of ${cells.length} timings were measured in extra fresh isolates (up to ${model.results.config.maxExtraForks ?? 0} more, one at a time, until a majority of forks agreed); where a majority agrees, the median and quartiles are over its forks and the others are set aside (kept in results.json). When forks disagree, a fork whose speed probe ran more than ${FORK_SPELL_FACTOR}x its usual time (a slow spell of the machine) is set aside if the forks at the usual speed agree.`,
    );
    for (const x of refork.slice(0, MAX_NAMED_NOISE)) {
      const tag = extraForksText(x.cell!.stats);
      notes.push(`${tag ? `${tag}: ` : ''}${code(x.r.measurement.kernel)} on ${x.r.layer.name} (${VIEW_SHORT[x.v]}): ${forkOutcomeText(x.cell!.stats)}.`);
    }
    if (refork.length > MAX_NAMED_NOISE) notes.push(`${refork.length - MAX_NAMED_NOISE} more timings with extra or set-aside forks (see the CSV's extra_forks and set_aside_forks columns).`);
  }
  const named = cells.filter((x) => x.cell!.noiseReasons.some((reason) => !reason.startsWith('IQR')));
  for (const x of named.slice(0, MAX_NAMED_NOISE)) {
    notes.push(`noisy: ${code(x.r.measurement.kernel)} on ${x.r.layer.name} (${VIEW_SHORT[x.v]}): ${x.cell!.noiseReasons.join('; ')}.`);
  }
  if (named.length > MAX_NAMED_NOISE) notes.push(`noisy: ${named.length - MAX_NAMED_NOISE} more timings with disagreeing forks or bimodal samples (see the CSV's noise column).`);
  const partial = model.results.layers.filter((l) => l.partial).map((l) => l.name);
  if (partial.length > 0) notes.push(`Interrupted inside ${partial.join(', ')}: its timings hold the samples taken before Ctrl-C (marked partial), and kernels not reached are missing.`);
  return notes;
}
