// The contract between `fatnn-bench serve` (Node, src/commands/serve.ts and src/serve/) and the
// page it serves (the browser bundle built from src/web/ into dist/web/). Platform-neutral: this
// module imports nothing, so both sides compile it.
//
// The page at `/` (optionally `/?token=T`) fetches its job from CONFIG_PATH, runs it, then POSTs
// the results file to RESULTS_PATH; if it cannot finish (a crash, no WebAssembly) it POSTs a
// one-line reason to ERROR_PATH, so a `--once` server exits instead of waiting forever.

import type { QuantizerParams } from '../quantize.js';
import type { LayerSpec } from '../results/schema.js';
import type { Precision } from '../types.js';

/** GET: the job, as a WebJob. */
export const CONFIG_PATH = '/api/config';
/** POST (application/json, at most MAX_RESULTS_BYTES): a ResultsFile. Replies 201 WebPostReply. */
export const RESULTS_PATH = '/api/results';
/** POST (application/json): a WebErrorReport. Replies 204. */
export const ERROR_PATH = '/api/error';
/** Largest results body the server accepts (413 above it). */
export const MAX_RESULTS_BYTES = 8 * 1024 * 1024;

/**
 * With `--host` other than loopback the server prints a URL carrying `?token=T`. Every request
 * must carry the token: the page request as that query parameter (the server then sets it as an
 * HttpOnly, SameSite=Strict cookie named TOKEN_COOKIE, which scripts, workers and wasm fetches
 * carry by themselves), API calls also as the TOKEN_HEADER header.
 */
export const TOKEN_QUERY = 'token';
export const TOKEN_COOKIE = 'fatnn_token';
export const TOKEN_HEADER = 'x-fatnn-token';

/** What the page measures: the same choices `run` takes on the command line. */
export interface WebJob {
  /** Preset name, or null when the layers are custom shapes. */
  readonly preset: string | null;
  readonly layers: readonly LayerSpec[];
  /** Exact kernel ids to run (already filtered by the server's --precision/--backend/-k). Empty: all the page can run. */
  readonly kernels: readonly string[];
  readonly timeMs: number;
  readonly minSamples: number;
  readonly warmupMs: number;
  readonly rounds: number;
  readonly forks: number;
  readonly seed: number;
  readonly baseline: string;
  readonly packing: boolean;
  /** Also time the from-float view (quantize float activations + pack + GEMM); absent: no. */
  readonly fromFloat?: boolean;
  /** The from-float view's quantizer per precision (serve's --quantizer; absent: the defaults). */
  readonly quantizers?: Readonly<Partial<Record<Precision, QuantizerParams>>>;
  /** Worker count for the workers kernels; 0 = navigator.hardwareConcurrency. */
  readonly threads: number;
  /** Start at once (`--autostart`) instead of waiting for the Start button. */
  readonly autostart: boolean;
  /** The server exits after one valid results file (`--once`): the page says so when done. */
  readonly once: boolean;
}

export interface WebPostReply {
  /** The name the server chose under --out. */
  readonly file: string;
}

export interface WebErrorReport {
  readonly message: string;
}
