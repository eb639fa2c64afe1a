// Test-only seam: FATNN_BENCH_TEST_CORRUPT=<kernel id>[,<id>...] makes those kernels return a
// result with C[0][0] off by one, so the end-to-end tests can prove that `verify` and `run`
// catch a wrong kernel through the real executable. Never set it outside tests.

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
  const ids = new Set((process.env[CORRUPT_ENV] ?? '').split(',').filter(Boolean));
  if (ids.size === 0) return decls;
  return decls.map((d) => (ids.has(d.id) ? { ...d, availability: d.availability, create: async (s, o) => corrupted(await d.create(s, o)) } : d));
}
