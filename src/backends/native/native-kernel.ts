// One native GEMM instance: operands packed once by the addon into buffers owned by this
// object (the addon borrows them for each call), run() is one synchronous addon call.
// Every size is checked here before calling in; the addon checks again.

import { FatnnError } from '../../errors.js';
import { fusedQuantizerArgs } from '../../from-float.js';
import type { QuantizerParams } from '../../quantize.js';
import { KernelBase } from '../../kernel-base.js';
import { PRECISIONS, type LogicalArray, type Precision, type Shape } from '../../types.js';
import type { NativeAddon, NativePlan } from './addon.js';

export class NativeKernel extends KernelBase {
  private readonly code: number;
  readonly plan: NativePlan;
  private readonly w: Uint8Array;
  private readonly x: Uint8Array;
  /** fromFloat: the quantizer whose arguments are cached, and int8's quantized-X scratch. */
  private quantizer: { q: QuantizerParams; args: Float64Array } | undefined;
  private scratch: Int8Array | undefined;

  constructor(
    id: string,
    precision: Precision,
    shape: Shape,
    private readonly addon: NativeAddon,
    private readonly isa: number,
  ) {
    super(id, precision, shape);
    this.code = PRECISIONS.indexOf(precision);
    this.plan = addon.plan(isa, this.code, shape.M, shape.N, shape.K);
    if (!Number.isSafeInteger(this.plan.wBytes) || !Number.isSafeInteger(this.plan.xBytes)) {
      throw new FatnnError(`${id}: addon returned an invalid plan`);
    }
    this.w = new Uint8Array(this.plan.wBytes);
    this.x = new Uint8Array(this.plan.xBytes);
  }

  protected packWeights(w: LogicalArray): void {
    this.pack(0, w, this.shape.M, this.w, 'W');
  }

  protected packActivations(x: LogicalArray): void {
    this.pack(1, x, this.shape.N, this.x, 'X');
  }

  /**
   * fromFloat in one addon call: the bit precisions compare floats straight into plane words
   * (native/src/from_float.c), int8 quantizes in C into a scratch buffer and packs it. fp32
   * packs its floats as they are (its "from float" view times the GEMM alone anyway).
   */
  protected override packActivationsFromFloat(x: Float32Array, q: QuantizerParams): boolean {
    if (this.precision === 'fp32' || this.addon.packFromFloat === undefined) return false;
    if (this.quantizer?.q !== q) this.quantizer = { q, args: fusedQuantizerArgs(q) };
    const { M, N, K } = this.shape;
    if (this.precision === 'int8') this.scratch ??= new Int8Array(N * K);
    const bad = this.addon.packFromFloat(this.isa, this.code, M, N, K, x, this.quantizer.args, this.x, this.scratch);
    if (bad >= 0) {
      const row = Math.floor(bad / K);
      throw new RangeError(`${this.precision} quantizer: NaN at row ${row}, k ${bad - row * K} of the float activations`);
    }
    return true;
  }

  private pack(side: 0 | 1, values: LogicalArray, rows: number, packed: Uint8Array, what: string): void {
    const { M, N, K } = this.shape;
    // KernelBase already checked type and length; these guard what the addon will touch.
    if (values.length !== rows * K) throw new RangeError(`${what} has ${values.length} values, expected ${rows * K}`);
    if (packed.byteLength !== (side === 0 ? this.plan.wBytes : this.plan.xBytes)) throw new RangeError(`${what} packing buffer has the wrong size`);
    const bad = this.addon.pack(this.isa, this.code, M, N, K, side, values, packed);
    if (bad >= 0) {
      const row = Math.floor(bad / K);
      throw new RangeError(`value ${values[bad]} at row ${row}, k ${bad - row * K} is not a valid ${this.precision} value`);
    }
  }

  protected compute(): void {
    const { M, N, K } = this.shape;
    if (this.out.length !== M * N) throw new RangeError(`result buffer has ${this.out.length} values, expected ${M * N}`);
    this.addon.gemm(this.isa, this.code, M, N, K, this.w, this.x, this.out);
  }
}
