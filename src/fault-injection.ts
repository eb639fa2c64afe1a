// Test-only seam: FATNN_BENCH_TEST_CORRUPT=<kernel id>[,<id>...] makes those kernels return a
// result with C[0][0] off by one, so the end-to-end tests can prove that `verify` and `run`
// catch a wrong kernel through the real executable. Never set it outside tests.

import { envVar } from './env.js';
import type { Kernel, KernelDeclaration } from './types.js';

export const CORRUPT_ENV = 'FATNN_BENCH_TEST_CORRUPT';

function corrupted(kernel: Kernel): Kernel {
  const result = kernel.result.bind(kernel);
  return new Proxy(kernel, {
    get(target, prop, receiver) {
      if (prop === 'result') {
        return () => {
          const out = result().slice();
          out[0] = (out[0] ?? 0) + 1;
          return out;
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export function withInjectedFaults(decls: readonly KernelDeclaration[]): readonly KernelDeclaration[] {
  const ids = new Set((envVar(CORRUPT_ENV) ?? '').split(',').filter(Boolean));
  if (ids.size === 0) return decls;
  return decls.map((d) => (ids.has(d.id) ? { ...d, availability: d.availability, create: async (s, o) => corrupted(await d.create(s, o)) } : d));
}

// Test-only seam for isolation: FATNN_BENCH_TEST_POLLUTE=<kernel id>[,...] makes creating those
// kernels vandalise the global state of the JavaScript realm they run in (Math.imul, which the
// js popcount uses, and performance.now, which the sampler reads). Measured in-process, the js
// bit kernels created after them compute wrong results and every later timing reads ~1000 ms;
// each in its own isolate, no other kernel notices. Never set it outside tests.
export const POLLUTE_ENV = 'FATNN_BENCH_TEST_POLLUTE';

function polluteGlobals(): void {
  // Flips bit 24 of every product: the SWAR popcount's result byte is off by one, while
  // seeded generators built on Math.imul still give varied (if different) operands.
  const imul = Math.imul;
  Math.imul = (a: number, b: number) => imul(a, b) ^ 0x01000000;
  // A clock that jumps 1000 ms per read: every later sample in this realm reads as ~1000 ms.
  let fake = performance.now();
  performance.now = () => (fake += 1000);
}

export function withInjectedPollution(decls: readonly KernelDeclaration[]): readonly KernelDeclaration[] {
  const ids = new Set((envVar(POLLUTE_ENV) ?? '').split(',').filter(Boolean));
  if (ids.size === 0) return decls;
  return decls.map((d) =>
    ids.has(d.id)
      ? { ...d, availability: d.availability, create: async (s, o) => { const k = await d.create(s, o); polluteGlobals(); return k; } }
      : d,
  );
}
