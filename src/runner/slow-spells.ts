// What the runner does with the speed probe (speed-probe.ts): it keeps every batch's probe time,
// calls a batch slow when the probe ran SLOW_FACTOR above the machine's usual speed, and re-takes
// slow batches at the end of the fork, when the spell has usually passed.

import { quantile } from '../results/stats.js';
import type { MachineSpeed, SpeedProbeStats } from '../results/schema.js';
import type { Sampled } from './measure.js';
import { PROBE_KERNEL_ID, PROBE_SHAPE } from './speed-probe.js';

/**
 * A batch is slow when its probe took this much longer than usual. The VM's spells are 1.6-1.8x
 * (0.028 vs 0.046-0.052 ms per probe, idle); a probe taken right after the isolate woke up reads
 * ~1.25x (0.035 ms: the core still ramping), which the samples after the warm-up do not pay, so
 * 1.15 re-took ~half the batches of an idle `run --preset quick` (168 s instead of ~110).
 */
export const SLOW_FACTOR = 1.35;

/**
 * "Usual" is this quantile of all probe times of the run so far: the speed the machine reaches a
 * quarter of the time, so a spell covering most of a run still reads as slow. Not the minimum,
 * which one lucky probe would set for good.
 */
const USUAL_QUANTILE = 0.25;

/**
 * Re-take passes over a fork's slow batches. One: on the VM spells cover ~25-30% of moments, so
 * a second pass mostly re-meets them and lengthens the run; what stays slow is flagged.
 */
export const RETAKE_PASSES = 1;

/** The probe time of a batch: the slower of before and after (a spell may start or end inside it). */
export function probeOf(s: Sampled): number | undefined {
  return s.probeMs ? Math.max(s.probeMs[0], s.probeMs[1]) : undefined;
}

export class SpeedLog {
  private readonly probes: number[] = [];
  private sorted: number[] | null = null;
  private retakes = 0;

  record(probe: number | undefined): void {
    if (probe === undefined || !Number.isFinite(probe)) return;
    this.probes.push(probe);
    this.sorted = null;
  }

  countRetake(): void {
    this.retakes++;
  }

  /** The machine's usual probe time so far (undefined before any probe). */
  usual(): number | undefined {
    if (this.probes.length === 0) return undefined;
    this.sorted ??= [...this.probes].sort((a, b) => a - b);
    return quantile(this.sorted, USUAL_QUANTILE);
  }

  /** How many times slower than usual the machine ran around a batch (1 when unknown). */
  factor(probe: number | undefined): number {
    const u = this.usual();
    return probe === undefined || u === undefined || u <= 0 ? 1 : probe / u;
  }

  isSlow(probe: number | undefined): boolean {
    return this.factor(probe) > SLOW_FACTOR;
  }

  /** The run-level summary every report warns from (undefined when nothing was probed). */
  summary(): MachineSpeed | undefined {
    const usual = this.usual();
    if (usual === undefined) return undefined;
    const slow = this.probes.filter((p) => this.isSlow(p)).length;
    return {
      probe: `${PROBE_KERNEL_ID} ${PROBE_SHAPE.M}x${PROBE_SHAPE.N}x${PROBE_SHAPE.K}`,
      usualMs: round(usual),
      slowestFactor: round(Math.max(...this.probes) / usual),
      batches: this.probes.length,
      slowBatches: slow,
      retaken: this.retakes,
    };
  }
}

/** One measurement's batches: how many, how many stayed slow after re-takes, how many re-taken. */
export function probeStats(log: SpeedLog, batchProbes: readonly (number | undefined)[], retaken: number): SpeedProbeStats | undefined {
  const known = batchProbes.filter((p): p is number => p !== undefined);
  if (known.length === 0) return undefined;
  return {
    batches: batchProbes.length,
    slow: known.filter((p) => log.isSlow(p)).length,
    retaken,
    maxFactor: round(Math.max(...known.map((p) => log.factor(p)))),
  };
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
