// Loading the native addon (build/Release/fatnn_native.node, built at install time by
// scripts/build-native.mjs) and its typed surface. A missing or unloadable addon is not an
// error: the native kernels are then listed as unavailable with `addonProblem()` as reason.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Instruction-set codes of native/src/fatnn_native.h (enum fn_isa). */
export const NATIVE_ISAS = { scalar: 0, avx2: 1, avx512: 2, neon: 3 } as const;
export type NativeIsa = keyof typeof NATIVE_ISAS;

export interface NativePlan {
  /** Packed sizes the addon requires for W and X. */
  readonly wBytes: number;
  readonly xBytes: number;
  /** W is spread over vector lanes instead of X (less padding for this shape). */
  readonly swapped: boolean;
  /** ISA code that runs (NEON int8 becomes 4 = NEON with SDOT where present). */
  readonly isa: number;
  readonly mr: number;
  readonly nr: number;
}

/** The addon's exports (native/src/addon.cc). Precision codes follow PRECISIONS order. */
export interface NativeAddon {
  unavailableReason(isa: number, precision: number): string | null;
  plan(isa: number, precision: number, M: number, N: number, K: number): NativePlan;
  pack(isa: number, precision: number, M: number, N: number, K: number, side: 0 | 1, logical: Float32Array | Int8Array, packed: Uint8Array): number;
  gemm(isa: number, precision: number, M: number, N: number, K: number, w: Uint8Array, x: Uint8Array, out: Float32Array | Int32Array): void;
  /**
   * Quantizes float X and packs it as pack(side 1) would pack the quantized values (fused for
   * the bit precisions, native/src/from_float.c); args from fusedQuantizerArgs; scratch (N*K)
   * for int8 only. Returns -1 or the index of the first NaN. Absent in addons built before it.
   */
  packFromFloat?(isa: number, precision: number, M: number, N: number, K: number, x: Float32Array, args: Float64Array, packed: Uint8Array, scratch?: Int8Array): number;
}

/** Package root: this file is dist/src/backends/native/addon.js. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** Where the addon is looked for; FATNN_NATIVE_ADDON overrides it (tests, custom builds). */
export function addonPath(): string {
  return process.env.FATNN_NATIVE_ADDON || join(ROOT, 'build', 'Release', 'fatnn_native.node');
}

/**
 * The command that builds the addon where the package is: the npm script exists only in a
 * checkout of this repository (which has .git, or the dev-only scripts/build-wasm.mjs that
 * the tarball leaves out); in a user's project `npm run build:native` is a "Missing script",
 * and `npm rebuild fatnn-bench` reruns the install script that builds it.
 */
export function nativeRebuildHint(root: string = ROOT): string {
  const checkout = existsSync(join(root, '.git')) || existsSync(join(root, 'scripts', 'build-wasm.mjs'));
  return checkout ? '`npm run build:native`' : '`npm rebuild fatnn-bench`';
}

type Loaded = { readonly addon: NativeAddon } | { readonly problem: string };
let loaded: Loaded | undefined;

function buildStatus(): string | undefined {
  try {
    const status = JSON.parse(readFileSync(join(ROOT, 'build', 'native-build.json'), 'utf8')) as { ok?: boolean; reason?: string };
    return status.ok ? undefined : status.reason;
  } catch {
    return undefined;
  }
}

function load(): Loaded {
  const path = addonPath();
  if (!existsSync(path)) {
    const status = process.env.FATNN_NATIVE_ADDON ? undefined : buildStatus();
    const hint = nativeRebuildHint(ROOT);
    const why = status ? `${status}; to build it: ${hint}` : `${path} not found (run ${hint})`;
    return { problem: `addon not built: ${why}` };
  }
  try {
    return { addon: createRequire(import.meta.url)(path) as NativeAddon };
  } catch (err) {
    return { problem: `addon not loadable: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` };
  }
}

/** The addon, loaded once per thread (it is context-aware, so workers load it too). */
export function nativeAddon(): NativeAddon | undefined {
  loaded ??= load();
  return 'addon' in loaded ? loaded.addon : undefined;
}

/** Why the addon is not there, or undefined when it is. */
export function addonProblem(): string | undefined {
  loaded ??= load();
  return 'problem' in loaded ? loaded.problem : undefined;
}

