#!/usr/bin/env node
// Bundles the browser page (run by `npm run build`): src/web/{main,isolate-worker,pool-worker}.ts
// with esbuild into dist/web/, beside web/index.html, web/page.css and a copy of dist/wasm/.
// The npm tarball ships dist/web/, so `npx fatnn-bench serve` needs no build step.

import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist', 'web');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.error('build-web: esbuild is not installed (run `npm install`); dist/web/ not rebuilt');
  process.exit(1);
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(join(outDir, 'wasm'), { recursive: true });
await esbuild.build({
  entryPoints: ['main', 'isolate-worker', 'pool-worker'].map((n) => join(root, 'src', 'web', `${n}.ts`)),
  outdir: outDir,
  bundle: true,
  // One self-contained file per entry: module workers then need no shared chunks.
  splitting: false,
  format: 'esm',
  platform: 'browser',
  // Chromium 91 / Safari 16.4 / Firefox 114: wasm SIMD and module workers everywhere we target.
  target: ['es2022'],
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  define: { __FATNN_VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
});
for (const f of ['index.html', 'page.css']) copyFileSync(join(root, 'web', f), join(outDir, f));
for (const name of ['simd128', 'scalar']) copyFileSync(join(root, 'dist', 'wasm', `${name}.wasm`), join(outDir, 'wasm', `${name}.wasm`));
