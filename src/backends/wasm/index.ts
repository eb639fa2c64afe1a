// Registry lines of the wasm backend: AssemblyScript kernels compiled to dist/wasm/. The
// simd128 kernels need wasm SIMD (probed once); the scalar ones (i64.popcnt) run everywhere.
// "hybrid": the simd128 bit kernels also run i64.popcnt on a third of K (kernels/simd128.ts).
// "i64 lanes": on x86, fatnn and ternary2b count their carries with i64.popcnt on the vector's
// two i64 lanes instead of i8x16.popcnt byte counts (popcount-form.ts says where and why).

import { isBitPrecision } from '../../packing.js';
import type { Availability, KernelDeclaration, Precision } from '../../types.js';
import { WasmBitKernel, WasmDenseKernel } from './kernels.js';
import { wasmProblem, wasmSimdSupported, type WasmModuleName } from './loader.js';

function availability(module: WasmModuleName): Availability {
  if (module === 'simd128' && !wasmSimdSupported()) return { available: false, reason: 'needs WebAssembly SIMD' };
  const problem = wasmProblem(module);
  if (problem !== undefined) return { available: false, reason: problem };
  return { available: true };
}

function wasmKernel(precision: Precision, module: WasmModuleName, description: string, popcountForm?: string): KernelDeclaration {
  const id = `${precision}/wasm-${module}`;
  return {
    id,
    precision,
    backend: 'wasm',
    description,
    ...(popcountForm !== undefined ? { popcountForm } : {}),
    availability: () => availability(module),
    create: (shape) =>
      isBitPrecision(precision)
        ? WasmBitKernel.create(id, precision, shape, module)
        : WasmDenseKernel.create(id, precision, shape),
  };
}

export const wasmKernels: readonly KernelDeclaration[] = [
  wasmKernel('fp32', 'simd128', '4x2 tile, f32x4 mul+add'),
  wasmKernel('int8', 'simd128', '4x2 tile, i16-widened operands, i32x4.dot_i16x8_s'),
  wasmKernel('bit2', 'simd128', '2x2 tile, v128+i64 hybrid, byte counts', '4 popcounts/word'),
  wasmKernel('ternary2b', 'simd128', '2x2 tile, offset values, byte counts (x86: i64 lanes)', '1 popcount/word carry-save over the weighted sum (K>512; x86: K>128), 2 below'),
  wasmKernel('fatnn', 'simd128', '2x2 tile, byte counts (x86: i64 lanes)', '1 popcount/word carry-save (K>256; x86: every K)'),
  wasmKernel('binary', 'simd128', '2x2 tile, XOR, v128+i64 hybrid', '1 popcount/word'),
  wasmKernel('bit2', 'scalar', '2x2 tile, i64 words', '4 i64.popcnt/word'),
  wasmKernel('ternary2b', 'scalar', '2x2 tile, i64 words, offset values', '3 i64.popcnt/word (disjoint lh, hl)'),
  wasmKernel('fatnn', 'scalar', '2x2 tile, i64 words', '2 i64.popcnt/word'),
  wasmKernel('binary', 'scalar', '2x2 tile, i64 words, XOR', '1 i64.popcnt/word'),
];
