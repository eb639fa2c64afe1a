// `fatnn-bench list`: the registry as this host sees it.

import Table from 'cli-table3';
import { listKernels } from '../registry.js';

export function listCommand(opts: { json?: boolean }): number {
  const kernels = listKernels();
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(kernels, null, 2)}\n`);
    return 0;
  }
  const table = new Table({ head: ['kernel', 'precision', 'backend', 'status', 'description'], style: { head: [], border: [] } });
  for (const k of kernels) table.push([k.id, k.precision, k.backend, k.available ? 'available' : `unavailable: ${k.reason}`, k.description]);
  process.stdout.write(`${table.toString()}\n`);
  const n = kernels.filter((k) => k.available).length;
  process.stdout.write(`${n} of ${kernels.length} kernels available on this host\n`);
  return 0;
}
