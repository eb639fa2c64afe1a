// Registry lines of the pure-JavaScript backend: always available, the portable fallback.

import type { KernelDeclaration, Precision, Shape, Kernel } from '../../types.js';
import { BinaryJsKernel, Bit2JsKernel, FatnnJsKernel, Ternary2bJsKernel } from './bit-kernels.js';
import { Fp32JsKernel, Int8JsKernel } from './dense-kernels.js';

const ALWAYS = { available: true } as const;

function jsKernel(precision: Precision, description: string, popcountForm: string | undefined, make: (id: string, shape: Shape) => Kernel): KernelDeclaration {
  const id = `${precision}/js`;
  return {
    id,
    precision,
    backend: 'js',
    description,
    ...(popcountForm !== undefined ? { popcountForm } : {}),
    availability: () => ALWAYS,
    create: async (shape) => make(id, shape),
  };
}

export const jsKernels: readonly KernelDeclaration[] = [
  jsKernel('fp32', '2x2 tile, double accumulators', undefined, (id, s) => new Fp32JsKernel(id, s)),
  jsKernel('int8', '2x2 tile, exact double accumulators', undefined, (id, s) => new Int8JsKernel(id, s)),
  jsKernel('bit2', '1x2 tile, 32-bit words', '2 SWAR popcounts/word carry-save', (id, s) => new Bit2JsKernel(id, s)),
  jsKernel('ternary2b', '2x2 tile, 32-bit words, offset values', '1 SWAR popcount/word carry-save over the weighted sum', (id, s) => new Ternary2bJsKernel(id, s)),
  jsKernel('fatnn', '2x2 tile, 32-bit words', '1 SWAR popcount/word carry-save', (id, s) => new FatnnJsKernel(id, s)),
  jsKernel('binary', '2x2 tile, 32-bit words, XOR', '1/2 SWAR popcount/word Harley-Seal', (id, s) => new BinaryJsKernel(id, s)),
];
