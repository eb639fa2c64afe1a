#!/usr/bin/env node
// Compiles the AssemblyScript kernels in kernels/ to dist/wasm/*.wasm (run by `npm run build`).
// simd128.wasm needs the wasm SIMD proposal; scalar.wasm is built without it so it loads on
// every engine. The npm tarball ships these files, so end users never run this script.

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist', 'wasm');

// --runtime stub: the kernels allocate nothing, so no GC is linked in; --noAssert drops the
// checks AssemblyScript would add. Memory is exported and grown from JS to fit each shape.
const COMMON = ['-O3', '--runtime', 'stub', '--noAssert'];
const MODULES = [
  { name: 'simd128', flags: ['--enable', 'simd'] },
  { name: 'scalar', flags: ['--disable', 'simd'] },
];

let asc;
try {
  ({ default: asc } = await import('assemblyscript/asc'));
} catch {
  console.error('build-wasm: assemblyscript is not installed (run `npm install`); dist/wasm/ not rebuilt');
  process.exit(1);
}

mkdirSync(outDir, { recursive: true });
for (const { name, flags } of MODULES) {
  const args = [join(root, 'kernels', `${name}.ts`), '--outFile', join(outDir, `${name}.wasm`), ...COMMON, ...flags];
  const { error, stderr } = await asc.main(args);
  if (error) {
    console.error(stderr.toString());
    console.error(`build-wasm: ${name}: ${error.message}`);
    process.exit(1);
  }
}
console.log(`build-wasm: ${MODULES.map((m) => `${m.name}.wasm`).join(', ')} -> dist/wasm/`);
