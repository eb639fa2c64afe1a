// Warnings about the host a results file was measured on, that every surface (console, Markdown,
// HTML, CSV comments, compare) must repeat: timings from an emulated CPU or a busy machine do not
// describe the device. One function, so each surface shows the same words.

import type { HostFingerprint, LoadSample } from './schema.js';

/**
 * Other processes may use at most this share of all cores around a run. Every kernel here is
 * memory- and cache-sensitive, and the workers kernels use every core: on a 2-core laptop one
 * other process spinning a core is 50%, a browser tab playing video 10-20%, an idle desktop
 * 1-3%. 10% lets an idle desktop or CI runner through and catches anything that takes a real
 * share of a core (a build, a test suite, another benchmark), which moves medians by more than
 * the 2% change threshold of `compare`.
 */
export const BUSY_OTHER_CPU_PERCENT = 10;

/**
 * The 1-minute load average before the run may be at most this many runnable processes per
 * core. It is a slow average (it still remembers the minute before the run), so it only
 * complements the CPU sample: above half a process per core, something kept at least half the
 * machine busy during the last minute, and may come back mid-run. Only the sample before the
 * run is judged: the one after counts the benchmark itself.
 */
export const BUSY_LOAD_PER_CORE = 0.5;

function describeSample(when: string, s: LoadSample): string {
  return `${when}: other processes used ${s.otherCpuPercent === null ? 'an unknown share' : `${s.otherCpuPercent}%`} of the CPU, 1-minute load average ${s.loadAverage1m}`;
}

/** One-line warnings for this host record; empty when its timings can be taken at face value. */
export function hostWarnings(host: HostFingerprint): string[] {
  const warnings: string[] = [];
  if (host.emulation) {
    const e = host.emulation;
    warnings.push(
      `emulated CPU: measured under ${e.emulator}${e.hostCpu ? ` on ${e.hostCpu}` : ''} (${e.evidence}); the timings describe the emulator, not an ${host.arch} device - only the correctness checks carry over`,
    );
  }
  if (host.browser && !host.browser.crossOriginIsolated) {
    warnings.push(
      'browser page not cross-origin isolated: its timer is coarsened (100 us in Chromium instead of 5 us) and the workers kernels could not run; serve the page with COOP/COEP headers (`fatnn-bench serve` does) and open it directly, not in a frame',
    );
  }
  const load = host.load;
  if (load) {
    const cores = Math.max(1, host.cpu.cores);
    const busy = (s: LoadSample | undefined) => s !== undefined && s.otherCpuPercent !== null && s.otherCpuPercent > BUSY_OTHER_CPU_PERCENT;
    const loaded = load.before.loadAverage1m > BUSY_LOAD_PER_CORE * cores;
    if (busy(load.before) || busy(load.after) || loaded) {
      const samples = [describeSample('before the run', load.before), ...(load.after ? [describeSample('after', load.after)] : [])];
      warnings.push(
        `busy machine: ${samples.join('; ')} (idle: under ${BUSY_OTHER_CPU_PERCENT}% and a load under ${BUSY_LOAD_PER_CORE * cores} on ${cores} cores); timings are slower and noisier than this host can do, so close other programs and run again`,
      );
    }
  }
  const speed = host.speed;
  if (speed && speed.batches > 0 && speed.slowBatches / speed.batches > UNSTEADY_SHARE) {
    warnings.push(
      `unsteady machine: a vector speed probe (${speed.probe}) ran up to ${speed.slowestFactor.toFixed(1)}x its usual ${speed.usualMs} ms around ${Math.round((100 * speed.slowBatches) / speed.batches)}% of ${speed.batches} timed batches - other work on this core or on the host under a VM; ${speed.retaken} slow batches were re-taken and measurements still affected are marked noisy`,
    );
  }
  return warnings;
}

/** Share of probed batches that may run slow before a run is called unsteady. */
export const UNSTEADY_SHARE = 0.05;
