// Common shell of every kernel: operand checks, the "operands set?" guard and the result buffer.
// Backends implement packing and the GEMM itself.

import { FatnnError } from './errors.js';
import { QuantizeThenPack } from './from-float.js';
import type { QuantizerParams } from './quantize.js';
import { checkShape } from './shapes.js';
import type { Kernel, LogicalArray, Precision, ResultArray, Shape } from './types.js';

export abstract class KernelBase<R extends ResultArray = ResultArray> implements Kernel {
  protected readonly out: R;
  private weightsSet = false;
  private activationsSet = false;
  private readonly fromFloat = new QuantizeThenPack();

  constructor(
    readonly id: string,
    readonly precision: Precision,
    readonly shape: Shape,
  ) {
    checkShape(shape);
    this.out = (precision === 'fp32' ? new Float32Array(shape.M * shape.N) : new Int32Array(shape.M * shape.N)) as R;
  }

  setWeights(w: LogicalArray): void {
    expectOperand(this.precision, w, this.shape.M * this.shape.K, 'W');
    this.packWeights(w);
    this.weightsSet = true;
  }

  setActivations(x: LogicalArray): void {
    expectOperand(this.precision, x, this.shape.N * this.shape.K, 'X');
    this.packActivations(x);
    this.activationsSet = true;
  }

  setActivationsFromFloat(x: Float32Array, q: QuantizerParams): void {
    if (!(x instanceof Float32Array)) throw new TypeError('X must be a Float32Array of float activations');
    if (x.length !== this.shape.N * this.shape.K) throw new RangeError(`X has ${x.length} values, expected ${this.shape.N * this.shape.K}`);
    if (q.precision !== this.precision) throw new RangeError(`a ${q.precision} quantizer cannot feed a ${this.precision} kernel`);
    // A failed fused pack leaves the packed operand half-written: not set until it succeeds.
    this.activationsSet = false;
    if (!this.packActivationsFromFloat(x, q)) this.fromFloat.setActivations({ precision: this.precision, setActivations: (v) => this.packActivations(v) }, x, q);
    this.activationsSet = true;
  }

  run(): void | Promise<void> {
    if (!this.weightsSet || !this.activationsSet) throw new FatnnError(`${this.id}: run() before setWeights() and setActivations()`);
    return this.compute();
  }

  result(): R {
    return this.out;
  }

  dispose(): void | Promise<void> {}

  protected abstract packWeights(w: LogicalArray): void;
  protected abstract packActivations(x: LogicalArray): void;
  protected abstract compute(): void | Promise<void>;
  /**
   * A fused quantize-and-pack of float activations; returns false when this kernel has none
   * (the generic path then quantizes into a scratch Int8Array and calls packActivations).
   */
  protected packActivationsFromFloat(_x: Float32Array, _q: QuantizerParams): boolean {
    return false;
  }
}

export function expectOperand(precision: Precision, values: LogicalArray, length: number, what: string): void {
  const wanted = precision === 'fp32' ? Float32Array : Int8Array;
  if (!(values instanceof wanted)) throw new TypeError(`${what} must be a ${wanted.name} for ${precision}`);
  if (values.length !== length) throw new RangeError(`${what} has ${values.length} values, expected ${length}`);
}

/** Stores a 2x2 tile of C, dropping the parts that fall past M or N (padding rows/columns). */
export function storeTile2x2(
  out: ResultArray, M: number, N: number, m: number, n: number,
  c00: number, c01: number, c10: number, c11: number,
): void {
  const row0 = m * N + n;
  out[row0] = c00;
  if (n + 1 < N) out[row0 + 1] = c01;
  if (m + 1 < M) {
    out[row0 + N] = c10;
    if (n + 1 < N) out[row0 + N + 1] = c11;
  }
}
