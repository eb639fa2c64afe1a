// The Node shell's WasmSource: the compiled modules read from dist/wasm/ with node:fs (also the
// layout inside the npm tarball). Registered by the Node registry (registry.ts).

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { WasmModuleName, WasmSource } from './loader.js';

export function wasmPath(name: WasmModuleName): string {
  // dist/src/backends/wasm/node-source.js -> dist/wasm/<name>.wasm.
  return fileURLToPath(new URL(`../../../wasm/${name}.wasm`, import.meta.url));
}

export const NODE_WASM_SOURCE: WasmSource = {
  problem: (name) => (existsSync(wasmPath(name)) ? undefined : `dist/wasm/${name}.wasm is missing (run \`npm run build\`)`),
  bytes: async (name) => readFile(wasmPath(name)),
};
