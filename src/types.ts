// Shared vocabulary of fatnn-bench: precisions, shapes, kernels and their declarations.
// Everything else (registry, runner, reporters) speaks in these types.

import type { QuantizerParams } from './quantize.js';

export const PRECISIONS = ['fp32', 'int8', 'bit2', 'ternary2b', 'fatnn', 'binary'] as const;
export type Precision = (typeof PRECISIONS)[number];

export const BACKENDS = ['js', 'wasm', 'workers', 'native'] as const;
export type Backend = (typeof BACKENDS)[number];

/** A GEMM C[M][N] = sum_k W[m][k] * X[n][k]; both operands K-contiguous. */
export interface Shape {
  readonly M: number;
  readonly N: number;
  readonly K: number;
}

/** Logical operand values: Float32Array for fp32, Int8Array for every other precision. */
export type LogicalArray = Float32Array | Int8Array;
/** C as M*N row-major: Float32Array for fp32, Int32Array otherwise. */
export type ResultArray = Float32Array | Int32Array;

export interface KernelOptions {
  /** Worker threads for `workers` kernels; ignored by single-thread kernels. */
  readonly threads?: number;
}

export interface KernelInfo {
  /** `precision/backend[-variant]`, e.g. `fatnn/wasm-simd128`. */
  readonly id: string;
  readonly precision: Precision;
  readonly backend: Backend;
  /** Free text saying what makes this kernel distinct (ISA, tile, trick). */
  readonly description: string;
  /** Popcount precisions only: how the kernel reduces popcounts (see KernelDeclaration). */
  readonly popcountForm?: string;
  readonly available: boolean;
  /** Why the kernel cannot run on this host; set only when `available` is false. */
  readonly reason?: string;
}

/** One packed GEMM instance. Operands are packed once; `run()` does one GEMM. */
export interface Kernel {
  readonly id: string;
  readonly precision: Precision;
  readonly shape: Shape;
  /** Packs the weights (offline cost in a real network). */
  setWeights(w: LogicalArray): void;
  /** Packs the activations (paid per inference in a real network). */
  setActivations(x: LogicalArray): void;
  /**
   * Quantizes float activations with `q` and packs them (the `fromFloat` view): the same packed
   * operand as `setActivations(quantize(q, x))`. Kernels fuse the two where their layout allows;
   * absent: the runner quantizes, then calls setActivations. A NaN throws a RangeError.
   */
  setActivationsFromFloat?(x: Float32Array, q: QuantizerParams): void;
  run(): void | Promise<void>;
  /** C exactly, M*N row-major. Valid after `run()`. */
  result(): ResultArray;
  dispose(): void | Promise<void>;
}

export interface Availability {
  readonly available: boolean;
  readonly reason?: string;
}

/** One registry line: everything the tool needs to list, verify and time a kernel. */
export interface KernelDeclaration {
  readonly id: string;
  readonly precision: Precision;
  readonly backend: Backend;
  readonly description: string;
  /**
   * Popcount precisions only: the popcount form the kernel runs, e.g. "1 popcount/word,
   * carry-save (K > 256)". The op-count model stays the paper's per precision; this says why a
   * measured ratio can differ from it.
   */
  readonly popcountForm?: string;
  /** Cheap, cached host probe. */
  availability(): Availability;
  create(shape: Shape, options: Required<KernelOptions>): Promise<Kernel>;
}
