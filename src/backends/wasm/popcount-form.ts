// Which popcount the simd128 fatnn and ternary2b loops use (kernels/simd128.ts, "Popcounts on
// i64 lanes"): on x86 the carry is counted with i64x2.extract_lane + i64.popcnt (POPCNT on the
// scalar ports; V8 emulates i8x16.popcnt there with a nibble lookup), elsewhere with
// i8x16.popcnt into byte counters (one CNT on arm64, where i64.popcnt is the slow one).
// Platform-neutral: Node says its architecture; a browser says it through the UA client hints
// or, failing those, its user agent string. An unknown architecture keeps the byte counters:
// Apple silicon Macs still report "MacIntel", and most devices that are not x86 are ARM.

import { envVar } from '../../env.js';
import { UsageError } from '../../errors.js';

export type WasmPopcountForm = 'lanes' | 'bytes';

/** Test and comparison switch: FATNN_WASM_POPCOUNT=lanes|bytes runs that form on any host. */
export const POPCOUNT_FORM_ENV = 'FATNN_WASM_POPCOUNT';

let detected: Promise<WasmPopcountForm> | undefined;

export function wasmPopcountForm(): Promise<WasmPopcountForm> {
  const forced = envVar(POPCOUNT_FORM_ENV);
  if (forced !== undefined && forced !== '') {
    if (forced !== 'lanes' && forced !== 'bytes') throw new UsageError(`${POPCOUNT_FORM_ENV} must be "lanes" or "bytes", not "${forced}"`);
    return Promise.resolve(forced);
  }
  detected ??= detect();
  return detected;
}

interface UaData {
  getHighEntropyValues?(hints: string[]): Promise<Record<string, unknown>>;
}

async function detect(): Promise<WasmPopcountForm> {
  const node = (globalThis as { process?: { arch?: string } }).process;
  if (typeof node?.arch === 'string') return node.arch === 'x64' || node.arch === 'ia32' ? 'lanes' : 'bytes';
  const nav = (globalThis as { navigator?: { userAgent?: string; platform?: string; userAgentData?: UaData } }).navigator;
  try {
    const arch = (await nav?.userAgentData?.getHighEntropyValues?.(['architecture']))?.architecture;
    if (typeof arch === 'string' && arch) return arch === 'x86' ? 'lanes' : 'bytes';
  } catch {
    // Client hints are optional; the user agent string follows.
  }
  return /x86_64|x64|win64|wow64|amd64|i686/i.test(`${nav?.userAgent ?? ''} ${nav?.platform ?? ''}`) ? 'lanes' : 'bytes';
}
