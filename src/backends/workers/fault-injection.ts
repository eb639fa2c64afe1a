// Test-only kernels that fail on purpose inside a pool worker, to check that faults end a GEMM
// with a clear error instead of a hang. Not in the registry: tests wrap them with
// workerVariant(decl, { source: FAULT_SOURCE }) so the workers can find them.

import { workerData } from 'node:worker_threads';
import type { KernelDeclaration } from '../../types.js';
import { FatnnJsKernel } from '../js/bit-kernels.js';
import type { DeclarationSource } from './parallel-kernel.js';

/** `throw-later` passes its first GEMM (the verification run) and throws from the second on. */
export type Fault = 'throw' | 'exit' | 'hang' | 'throw-later';

/**
 * Only the pool worker with this index (thread 1; thread 0 is the calling thread) fails, so
 * the other threads finish and the mixed case is tested.
 */
export const FAULTY_WORKER = 0;

export const FAULT_SOURCE: DeclarationSource = {
  moduleUrl: new URL('./fault-injection.js', import.meta.url).href,
  exportName: 'FAULTY_KERNELS',
};

class FaultyKernel extends FatnnJsKernel {
  private runs = 0;

  constructor(id: string, shape: { M: number; N: number; K: number }, private readonly fault: Fault) {
    super(id, shape);
  }

  protected override compute(): void {
    this.runs += 1;
    if ((workerData as { index?: number } | null)?.index === FAULTY_WORKER) {
      if (this.fault === 'throw' || (this.fault === 'throw-later' && this.runs > 1)) throw new Error('injected fault');
      if (this.fault === 'exit') process.exit(3);
      if (this.fault === 'hang') for (;;);
    }
    super.compute();
  }
}

function faulty(fault: Fault): KernelDeclaration {
  const id = `fatnn/js-faulty-${fault}`;
  return {
    id,
    precision: 'fatnn',
    backend: 'js',
    description: `fatnn/js that fails in pool worker ${FAULTY_WORKER} (${fault}); test only`,
    availability: () => ({ available: true }),
    create: async (shape) => new FaultyKernel(id, shape, fault),
  };
}

export const FAULTY_KERNELS: readonly KernelDeclaration[] = [faulty('throw'), faulty('exit'), faulty('hang'), faulty('throw-later')];
