// Samples how busy the machine is around a run (load average, and the CPU time other processes
// took over a short window), so a results file says when its timings were made next to other
// work. Node-only (node:os); the verdict lives in results/host-warnings.ts.

import os from 'node:os';
import type { LoadSample } from './results/schema.js';

/**
 * Long enough for the kernel's per-CPU tick counters (10 ms on Linux) to resolve a few percent
 * on 2 cores, short enough to add well under a second to a run (sampled before and after).
 */
export const LOAD_WINDOW_MS = 300;

interface CpuTicks {
  readonly busy: number;
  readonly total: number;
}

function cpuTicks(): CpuTicks {
  let busy = 0;
  let total = 0;
  for (const c of os.cpus()) {
    const t = c.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

/**
 * One sample: the 1-minute load average now, and the share of all cores that processes other
 * than this one kept busy during `windowMs` (machine-wide busy time minus this process's own).
 */
export async function sampleLoad(windowMs = LOAD_WINDOW_MS): Promise<LoadSample> {
  const before = cpuTicks();
  const ownBefore = process.cpuUsage();
  const start = performance.now();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const elapsedMs = performance.now() - start;
  const after = cpuTicks();
  const own = process.cpuUsage(ownBefore);
  const cores = os.cpus().length || 1;
  const total = after.total - before.total;
  let otherCpuPercent: number | null = null;
  if (total > 0) {
    // os.cpus() times are in ms; scale the machine-wide busy share to the wall-clock window.
    const busyMs = ((after.busy - before.busy) / total) * elapsedMs * cores;
    const ownMs = (own.user + own.system) / 1000;
    otherCpuPercent = Math.round(Math.min(100, Math.max(0, (100 * (busyMs - ownMs)) / (elapsedMs * cores))) * 10) / 10;
  }
  return {
    at: new Date().toISOString(),
    loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
    otherCpuPercent,
    windowMs: Math.round(elapsedMs),
  };
}
