// The shared-memory protocol between the pool (main thread) and its workers: one Int32Array
// of control words and one byte area for error reports. Hot-path operations (pack, run) are
// signalled only through these words, never through messages, so a small GEMM costs one futex
// wake per worker plus one for the main thread.

import { quantize, type QuantizerParams } from '../../quantize.js';
import type { Kernel, Precision } from '../../types.js';

/** Int32 words per control block: 64 bytes, so two workers never write the same cache line. */
export const BLOCK_WORDS = 16;

/** Header block (block 0): words shared by the whole pool. */
export const PENDING = 0; // participants that have not finished the current operation
export const FAULT = 1; // 1 + index of a worker that died, 0 while all are alive

/** Words of worker i's block, at (i + 1) * BLOCK_WORDS. */
export const CMD_SEQ = 0; // bumped by the main thread for each operation it gives the worker
export const OP = 1;
export const SLOT = 2;
export const STATUS = 3;
export const ERROR_BYTES = 4; // length of the JSON error report in the worker's error area

export enum Op {
  /** Create the base kernel of a slot; the details arrive as a message on the worker's port. */
  Create = 1,
  PackWeights = 2,
  PackActivations = 3,
  Run = 4,
  Dispose = 5,
  /** Copy the base kernel's C into the shared result (done in result(), like wasm kernels). */
  Publish = 6,
  /**
   * Quantize and pack the shared float activations (the fromFloat view) with the quantizer
   * whose parameters are in the shared quantizer words, each thread its own part in parallel.
   */
  PackActivationsFromFloat = 7,
}

export enum Status {
  Ok = 0,
  Failed = 1,
}

/** Bytes of error report per worker (JSON of name, message, stack; truncated to fit). */
export const ERROR_AREA_BYTES = 4096;

export function blockOf(worker: number): number {
  return (worker + 1) * BLOCK_WORDS;
}

export function controlWords(workers: number): number {
  return (workers + 1) * BLOCK_WORDS;
}

/** What a worker reports when an operation throws. */
export interface ErrorReport {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

/** Details of Op.Create, posted on the worker's port just before the operation is signalled. */
export interface CreateMessage {
  readonly slot: number;
  /** URL of the module exporting the base declaration, and the export holding the array. */
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly baseId: string;
  readonly M: number;
  readonly N: number;
  readonly K: number;
  /** The worker's share of C: rows (axis M) or columns (axis N) [start, end). */
  readonly axis: 'M' | 'N';
  readonly start: number;
  readonly end: number;
  /** Logical W (M*K), logical X (N*K) and C (M*N), shared by every worker of the kernel. */
  readonly w: SharedArrayBuffer;
  readonly x: SharedArrayBuffer;
  readonly out: SharedArrayBuffer;
  readonly fp32: boolean;
  /**
   * fromFloat (not for fp32, whose X is floats already): float X (N*K float32) and the
   * quantizer's parameters (QUANTIZER_WORDS float64, see quantizerParamsOf).
   */
  readonly xf?: SharedArrayBuffer;
  readonly qf?: SharedArrayBuffer;
}

/** float64 words holding a quantizer's parameters in shared memory. */
export const QUANTIZER_WORDS = 3;

/** Writes q's parameters into `words` (the inverse of quantizerParamsOf). */
export function storeQuantizerParams(q: QuantizerParams, words: Float64Array): void {
  words.fill(0);
  if (q.precision === 'fatnn' || q.precision === 'ternary2b') words.set([q.low, q.high]);
  else if (q.precision === 'bit2') words.set(q.thresholds);
  else if (q.precision === 'int8') words[0] = q.scale;
}

/** The quantizer of `precision` whose parameters are in `words`; `last` is returned when they are unchanged. */
export function quantizerParamsOf(precision: Precision, words: Float64Array, last?: QuantizerParams): QuantizerParams {
  const [a = 0, b = 0, c = 0] = words;
  let q: QuantizerParams;
  switch (precision) {
    case 'fatnn':
    case 'ternary2b':
      if (last?.precision === precision && last.low === a && last.high === b) return last;
      q = { precision, low: a, high: b };
      break;
    case 'bit2':
      if (last?.precision === 'bit2' && last.thresholds[0] === a && last.thresholds[1] === b && last.thresholds[2] === c) return last;
      q = { precision, thresholds: [a, b, c] };
      break;
    case 'int8':
      if (last?.precision === 'int8' && last.scale === a) return last;
      q = { precision, scale: a };
      break;
    case 'binary':
    case 'fp32':
      return last?.precision === precision ? last : { precision };
  }
  return q;
}

/** The logical operand type of a precision, viewed over shared memory. */
export function logicalView(fp32: boolean, buffer: SharedArrayBuffer): Float32Array | Int8Array {
  return fp32 ? new Float32Array(buffer) : new Int8Array(buffer);
}

/**
 * How long a waiting thread polls a control word before sleeping in Atomics.wait. Waking a
 * thread that sleeps on an idle core costs 10 us at the median and 50 us and more in the tail
 * here (a VM, where the idle vCPU halts), a large part of a small layer's time; polling a little
 * first lets back-to-back operations skip it (conv5 down 1x1 with wasm-simd128 and 2 threads:
 * 1.1x over single-thread without polling, 1.5-1.9x with). Used only when every thread of the
 * pool has a core to itself.
 */
export const SPIN_MICROSECONDS = 50;

/**
 * Waits after a poll that timed out that sleep at once. When other processes hold the cores,
 * polling only burns the time slice the awaited thread needs (a 2-thread GEMM then costs two
 * full polls), so a thread that keeps timing out stops polling and tries again later.
 */
export const SPIN_BACKOFF = 32;

/** Polls a control word before the caller sleeps on it, backing off when polling fails. */
export class Spinner {
  private skip = 0;

  constructor(private readonly micros: number) {}

  /** Waits left before polling again (diagnostics and tests). */
  get backingOff(): number {
    return this.skip;
  }

  /** Polls until ctrl[index] !== value or the budget passes; true if the word changed. */
  spinWhileEqual(ctrl: Int32Array, index: number, value: number): boolean {
    if (this.micros <= 0 || this.skip > 0) {
      if (this.skip > 0) this.skip -= 1;
      return Atomics.load(ctrl, index) !== value;
    }
    const end = performance.now() + this.micros / 1000;
    for (;;) {
      for (let i = 0; i < 64; i++) if (Atomics.load(ctrl, index) !== value) return true;
      if (performance.now() > end) {
        this.skip = SPIN_BACKOFF;
        return false;
      }
    }
  }
}

/** A thread's share of the fromFloat operands: its part of the shared float X and the quantizer words. */
export interface FloatShare {
  readonly xf: Float32Array;
  readonly qf: Float64Array;
  /** The quantizer last built from qf (kept while the words do not change). */
  q?: QuantizerParams;
}

/** The float views of a share, from a create message (undefined without float operands). */
export function floatShareOf(msg: CreateMessage): FloatShare | undefined {
  if (msg.xf === undefined || msg.qf === undefined) return undefined;
  const all = new Float32Array(msg.xf);
  return { xf: msg.axis === 'N' ? all.subarray(msg.start * msg.K, msg.end * msg.K) : all, qf: new Float64Array(msg.qf) };
}

/** Op.PackActivationsFromFloat in a worker, with the quantizer in the shared words. */
export function packShareFromFloat(kernel: Kernel, share: FloatShare | undefined): void {
  if (share === undefined) throw new Error(`${kernel.id}: from-float packing without float operands`);
  packPartFromFloat(kernel, share.xf, (share.q = quantizerParamsOf(kernel.precision, share.qf, share.q)));
}

/** One thread's from-float packing: the base kernel's fused path, or quantize then pack. */
export function packPartFromFloat(kernel: Kernel, x: Float32Array, q: QuantizerParams): void {
  if (kernel.setActivationsFromFloat) kernel.setActivationsFromFloat(x, q);
  else kernel.setActivations(quantize(q, x));
}
