// Every warning `compare` can give, each with what to do about it. Warnings never fail the
// command: runs that differ in context can still be read side by side, with care.

import { hostWarnings } from '../results/host-warnings.js';
import { browserName, runtimeLabel } from '../results/runtime.js';
import type { ResultsFile } from '../results/schema.js';
import { sameMachine, type MachineVerdict } from './same-machine.js';

export interface LabelledRun {
  /** Short name used in column headers (the file name without `.json`). */
  readonly label: string;
  readonly results: ResultsFile;
}

function listing<T>(runs: readonly LabelledRun[], value: (r: ResultsFile) => T): string {
  return runs.map((r) => `${r.label}: ${String(value(r.results))}`).join(', ');
}

function differs<T>(runs: readonly LabelledRun[], value: (r: ResultsFile) => T): boolean {
  return new Set(runs.map((r) => JSON.stringify(value(r.results)))).size > 1;
}

/** Node, or which browser: runs of one kind differ at most in version. */
function runtimeKind(results: ResultsFile): string {
  return results.host.browser ? browserName(results.host.browser).replace(/ [\d.]+$/, '') : 'node';
}

/** `Node 20.20.2`, `Chromium 156.0.8078.114`. */
function runtimeName(results: ResultsFile): string {
  return results.host.browser ? browserName(results.host.browser) : `Node ${results.host.node}`;
}

function words(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** One verdict over all runs: the same machine only if every pair is; else the first pair that is not. */
function oneMachine(runs: readonly LabelledRun[]): MachineVerdict {
  let same: MachineVerdict | undefined;
  for (let i = 0; i < runs.length; i++) {
    for (let j = i + 1; j < runs.length; j++) {
      const v = sameMachine(runs[i]!.results.host, runs[j]!.results.host);
      if (v.kind !== 'same') return v;
      // Say what was checked for the pair a browser took part in (it checks the least).
      if (same === undefined || v.unseen.length > 0) same = v;
    }
  }
  return same!;
}

export function hostLabel(results: ResultsFile): string {
  const h = results.host;
  return h.browser ? `${h.browser.platform} device in ${browserName(h.browser)} (${h.arch}, ${h.cpu.cores} cores)` : `${h.cpu.brand} (${h.arch}, ${h.cpu.cores} cores)`;
}

/** Warnings about the runs as a whole: versions, threads, hosts, completeness. */
export function contextWarnings(runs: readonly LabelledRun[]): string[] {
  const warnings: string[] = [];
  if (differs(runs, (r) => r.tool.version)) {
    warnings.push(`runs come from different fatnn-bench versions (${listing(runs, (r) => r.tool.version)}); kernels may have changed between versions, so read differences as tool + host changes`);
  }
  // Thread counts are compared in matching.ts, only between runs that ran workers kernels.
  if (differs(runs, (r) => r.config.timeMs) || differs(runs, (r) => r.config.minSamples)) {
    warnings.push(`time budgets differ (${listing(runs, (r) => `${r.config.timeMs}ms/${r.config.minSamples} samples`)}); significance depends on the sample counts, use the same --time and --min-samples`);
  }
  const machine = runs.length >= 2 ? oneMachine(runs) : undefined;
  const runtimesDiffer = differs(runs, runtimeKind);
  if (runtimesDiffer && machine?.kind === 'same') {
    const runtimes = runs.length === 2 ? runs.map((r) => runtimeName(r.results)).join(' vs ') : listing(runs, runtimeName);
    const unseen = machine.unseen.length > 0 ? `; a browser cannot see ${machine.unseen.join(' or ')}` : '';
    warnings.push(`same machine, different runtime: ${runtimes} (${words(machine.checked)} agree${unseen}): the differences in time are the runtimes' (engines, timers, schedulers), not the machine's`);
  } else if (runtimesDiffer) {
    warnings.push(`runtimes differ (${listing(runs, (r) => runtimeLabel(r.host))}): a browser and Node run the same js and wasm kernels under different engines, timers and schedulers, so the differences are the runtime's as much as the machine's`);
  } else if (differs(runs, (r) => `${r.host.node} ${r.host.v8}`)) {
    warnings.push(`${runs.some((r) => r.results.host.browser) ? 'browser' : 'Node.js'} versions differ (${listing(runs, (r) => runtimeLabel(r.host))}); JIT changes alone can move js and wasm timings`);
  }
  if (machine?.kind === 'same' && !runtimesDiffer) warnings.push(...speedLevelWarning(runs));
  for (const r of runs) for (const w of hostWarnings(r.results.host)) warnings.push(`${r.label}: ${w}`);
  for (const r of runs) {
    if (!r.results.complete) warnings.push(`${r.label} is an interrupted run: only the layers it finished are compared`);
  }
  if (machine?.kind === 'different') {
    warnings.push(`runs come from different hosts (${listing(runs, hostLabel)}); time changes reflect the machines, so compare the speedup columns`);
  } else if (machine?.kind === 'unknown') {
    // Conservative: without the fact, two devices cannot be ruled out, so warn as for two hosts.
    warnings.push(`runs may come from different hosts (${listing(runs, hostLabel)}; cannot tell: ${machine.missing.join(', ')}); time changes may reflect the machines, so compare the speedup columns`);
  }
  return warnings;
}

/**
 * Runs of one machine whose speed probes (the same fixed GEMM in every run) had usual times
 * more than SPEED_LEVEL_DIFFERENCE apart ran at different speeds of the machine. Within a run,
 * the probe's usual time is that run's own, so a slow spell of the host that lasts a whole run
 * (seconds to minutes on a shared VM) goes unseen there and shows only between runs: on this
 * project's VM, three runs of one kernel read 1.14-1.58 ms, and the slow ones had usual probe
 * times of 0.027-0.033 ms against 0.023-0.025 ms.
 */
export const SPEED_LEVEL_DIFFERENCE = 0.1;

export function speedLevelWarning(runs: readonly LabelledRun[]): string[] {
  const probed = runs.filter((r) => r.results.host.speed !== undefined);
  if (probed.length < 2 || differs(probed, (r) => r.host.speed!.probe)) return [];
  const usual = probed.map((r) => r.results.host.speed!.usualMs);
  const lo = Math.min(...usual);
  const hi = Math.max(...usual);
  if (!(lo > 0) || hi / lo - 1 <= SPEED_LEVEL_DIFFERENCE) return [];
  return [
    `the machine ran at different speeds: the speed probe's usual time was ${listing(probed, (r) => `${r.host.speed!.usualMs} ms`)} (${(hi / lo).toFixed(2)}x apart); a slow spell of the host that lasted a whole run reads as a change of every kernel in it, so run the slower one again before trusting its changes`,
  ];
}

export function droppedLayersWarning(dropped: readonly { label: string; layers: readonly string[] }[]): string[] {
  return dropped
    .filter((d) => d.layers.length > 0)
    .map((d) => `layer shapes measured only by some runs were left out (${d.label}: ${d.layers.join(', ')}); run every host with the same --preset or --shape list`);
}

/** `missingFrom`: one `label: why` per run without the kernel (see whyMissing). */
export function partialKernelsWarning(kernels: readonly { kernel: string; missingFrom: readonly string[] }[]): string[] {
  if (kernels.length === 0) return [];
  const text = kernels.map((k) => `${k.kernel} (${k.missingFrom.join('; ')})`).join(', ');
  return [`some kernels were not measured by every run: ${text}`];
}

/**
 * Why `run` has no measurement of `kernel`, from what the file records: unavailable kernels are
 * listed under "skipped" with their reason; kernels left out by --precision/--backend/--kernel
 * are not listed anywhere, so their absence from `config.kernels` is the evidence.
 */
export function whyMissing(run: ResultsFile, kernel: string): string {
  const skipped = run.skipped.find((s) => s.kernel === kernel);
  if (skipped) return `unavailable: ${skipped.reason}`;
  if (run.config.kernels.includes(kernel)) return 'selected but not measured on these layers';
  const filters = [run.config.precisions.length > 0 && `--precision ${run.config.precisions.join(',')}`, run.config.backends.length > 0 && `--backend ${run.config.backends.join(',')}`].filter(Boolean);
  return `not selected by its filters${filters.length > 0 ? ` ${filters.join(' ')}` : ''}`;
}

export function missingBaselineWarning(labels: readonly string[], baseline: string): string[] {
  if (labels.length === 0) return [];
  return [`${labels.join(', ')} measured no ${baseline} kernel, so ${labels.length === 1 ? 'its' : 'their'} speedup columns are blank; include ${baseline} in the run or pass --baseline`];
}

export function repeatedShapesWarning(runs: readonly { label: string; repeats: readonly { shape: string; names: readonly string[] }[] }[]): string[] {
  return runs
    .filter((r) => r.repeats.length > 0)
    .map((r) => {
      const text = r.repeats.map((x) => `${x.shape} ${x.names.length} times: ${x.names.join(', ')}`).join('; ');
      return `${r.label} measured the same shape more than once (${text}); each occurrence is kept as its own row ("MxNxK #2" for the second) and matched with the same occurrence in the other runs, so give every run the layers in the same order`;
    });
}
