// The shared-memory protocol between the pool (main thread) and its workers: one Int32Array
// of control words and one byte area for error reports. Hot-path operations (pack, run) are
// signalled only through these words, never through messages, so a small GEMM costs one futex
// wake per worker plus one for the main thread.

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
}

/** The logical operand type of a precision, viewed over shared memory. */
export function logicalView(fp32: boolean, buffer: SharedArrayBuffer): Float32Array | Int8Array {
  return fp32 ? new Float32Array(buffer) : new Int8Array(buffer);
}
