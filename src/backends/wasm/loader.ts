// Loads the compiled AssemblyScript modules (dist/wasm/*.wasm) and probes the engine for wasm
// SIMD. Compiled modules are cached per process; every kernel gets its own instance, hence its
// own linear memory, so kernels (and worker threads) never share operand buffers.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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
    const disabled = process.env[DISABLE_SIMD_ENV] === '1';
    simdProbe = !disabled && typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  }
  return simdProbe;
}

export function wasmPath(name: WasmModuleName): string {
  // dist/src/backends/wasm/loader.js -> dist/wasm/<name>.wasm (also the layout inside the npm tarball).
  return fileURLToPath(new URL(`../../../wasm/${name}.wasm`, import.meta.url));
}

const present = new Map<WasmModuleName, boolean>();

export function wasmBuilt(name: WasmModuleName): boolean {
  let p = present.get(name);
  if (p === undefined) {
    p = existsSync(wasmPath(name));
    present.set(name, p);
  }
  return p;
}

const compiled = new Map<WasmModuleName, Promise<WebAssembly.Module>>();

function compile(name: WasmModuleName): Promise<WebAssembly.Module> {
  let m = compiled.get(name);
  if (!m) {
    m = WebAssembly.compile(readFileSync(wasmPath(name)));
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
