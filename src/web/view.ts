// Words the page shows: the job in one line and the progress of the sweep.

import type { SweepProgress } from '../runner/sweep.js';
import type { WebJob } from './protocol.js';

export function describeJob(job: WebJob): string {
  const layers = job.preset ? `preset ${job.preset} (${job.layers.length} layers)` : `${job.layers.length} custom layer${job.layers.length === 1 ? '' : 's'}`;
  return `${layers}; ${job.timeMs} ms per measurement, ${job.rounds} round${job.rounds === 1 ? '' : 's'}, ${job.forks} fork${job.forks === 1 ? '' : 's'}, seed ${job.seed}`;
}

const PHASES: Record<SweepProgress['phase'], string> = { verify: 'verifying', gemm: 'timing', 'with-packing': 'timing with packing', 'from-float': 'timing from float' };

export function progressText(p: SweepProgress, shape: string): string {
  const fork = p.extra ? `, extra fork ${p.fork + 1}: forks disagreed` : p.forks > 1 ? `, fork ${p.fork + 1}/${p.forks}` : '';
  return `${Math.round(p.done * 100)}% - layer ${p.layerIndex + 1}/${p.layerCount} ${p.layer.name} (${shape}${fork}): ${PHASES[p.phase]} ${p.kernel}`;
}
