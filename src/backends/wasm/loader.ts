// Loads the compiled AssemblyScript modules (dist/wasm/*.wasm) and probes the engine for wasm
// SIMD. Compiled modules are cached per isolate; every kernel gets its own instance, hence its
// own linear memory, so kernels (and worker threads) never share operand buffers.
// Platform-neutral: the bytes come from a WasmSource the platform registers (Node reads
// dist/wasm with node:fs in node-source.ts; the browser fetches them, src/web/).

import { envVar } from '../../env.js';
import { FatnnError, UsageError } from '../../errors.js';

export type WasmModuleName = 'simd128' | 'scalar';

/** Environment variable that hides wasm SIMD from fatnn-bench, to test the fallback listing. */
export const DISABLE_SIMD_ENV = 'FATNN_DISABLE_WASM_SIMD';

/** wasm32 addresses are 32-bit: 65536 pages of 64 KiB. */
export const WASM_PAGE_BYTES = 65536;
export const WASM32_MAX_BYTES = 65536 * WASM_PAGE_BYTES;

// (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt): validates only where the engine
// has the SIMD proposal including the popcount instruction the bit kernels rely on.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

let simdProbe: boolean | undefined;

/** True when this engine validates wasm SIMD (and the override variable is not set). Cached. */
export function wasmSimdSupported(): boolean {
  if (simdProbe === undefined) {
    const disabled = envVar(DISABLE_SIMD_ENV) === '1';
    simdProbe = !disabled && typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  }
  return simdProbe;
}

/** Where a platform gets the compiled kernel modules from. */
export interface WasmSource {
  /** Why the module cannot be had here, or undefined when it can (checked synchronously: availability). */
  problem(name: WasmModuleName): string | undefined;
  /** The module's bytes. */
  bytes(name: WasmModuleName): Promise<BufferSource>;
}

let source: WasmSource | undefined;

/** Called once per isolate by the platform shell (registry.ts in Node, the web kernel table in the browser). */
export function setWasmSource(s: WasmSource): void {
  source = s;
  present.clear();
  compiled.clear();
}

const present = new Map<WasmModuleName, string | undefined>();

/** Why `name` cannot be loaded here, or undefined when it can. Cached. */
export function wasmProblem(name: WasmModuleName): string | undefined {
  if (!present.has(name)) present.set(name, source ? source.problem(name) : 'no wasm source registered on this platform');
  return present.get(name);
}

export function wasmBuilt(name: WasmModuleName): boolean {
  return wasmProblem(name) === undefined;
}

const compiled = new Map<WasmModuleName, Promise<WebAssembly.Module>>();

function compile(name: WasmModuleName): Promise<WebAssembly.Module> {
  let m = compiled.get(name);
  if (!m) {
    if (!source) return Promise.reject(new FatnnError('no wasm source registered on this platform'));
    m = source.bytes(name).then((b) => WebAssembly.compile(b));
    compiled.set(name, m);
  }
  return m;
}

/** A fresh instance of one compiled kernel module, with its exports. */
export async function instantiate(name: WasmModuleName): Promise<WebAssembly.Exports & { memory: WebAssembly.Memory }> {
  const instance = await WebAssembly.instantiate(await compile(name), { env: { abort: wasmAbort } });
  return instance.exports as WebAssembly.Exports & { memory: WebAssembly.Memory };
}

function wasmAbort(): never {
  throw new FatnnError('wasm kernel aborted');
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** Throws a UsageError when `bytes` of operands and result cannot fit in wasm32 memory. */
export function checkWasmBytes(id: string, shapeLabel: string, bytes: number): void {
  if (bytes > WASM32_MAX_BYTES) {
    throw new UsageError(
      `${id}: shape ${shapeLabel} needs ${formatBytes(bytes)} of wasm linear memory, ` +
        `over the wasm32 limit of ${formatBytes(WASM32_MAX_BYTES)} (use a js kernel or a smaller shape)`,
    );
  }
}

/** Grows `memory` so that it holds at least `bytes`; a host that refuses gets a FatnnError. */
export function ensureMemory(id: string, memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes <= have) return;
  const pages = Math.ceil((bytes - have) / WASM_PAGE_BYTES);
  try {
    memory.grow(pages);
  } catch (err) {
    throw new FatnnError(`${id}: could not grow wasm memory to ${formatBytes(have + pages * WASM_PAGE_BYTES)}: ${(err as Error).message}`);
  }
}
