// The page's files: an allowlist of the regular files under the bundle folder (dist/web/),
// built once at start. A request is served only when its raw path is a key of that list, so
// no path is ever joined onto the folder: traversal (`/../x`, `/%2e%2e/x`, `/..%2fx`), absolute
// paths and directory listings are simply unknown keys (404), whatever their encoding.

import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FatnnError } from '../errors.js';

/**
 * Test-only seam: FATNN_BENCH_TEST_WEB_ROOT=<folder> serves that folder instead of dist/web/,
 * so the server's tests run against a tiny fixture bundle. Never set it outside tests.
 */
export const WEB_ROOT_ENV = 'FATNN_BENCH_TEST_WEB_ROOT';

/** dist/web/ beside dist/src/ (this file is dist/src/serve/static-files.js once built). */
export function defaultWebRoot(): string {
  return fileURLToPath(new URL('../../web/', import.meta.url));
}

export function webRoot(): string {
  return process.env[WEB_ROOT_ENV] || defaultWebRoot();
}

/** Types browsers need exactly: module scripts refuse other types under nosniff, and
 * WebAssembly.instantiateStreaming requires application/wasm. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentType(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export interface StaticFile {
  readonly file: string;
  readonly contentType: string;
}

/** URL path (as a browser sends it, percent-encoded) -> file. `/` is index.html. */
export type StaticFiles = ReadonlyMap<string, StaticFile>;

async function walk(dir: string, prefix: string, out: Map<string, StaticFile>): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    // Dot files (editor swaps, .DS_Store) are not part of a bundle; symlinks could point out of it.
    if (entry.name.startsWith('.') || entry.isSymbolicLink()) continue;
    const file = path.join(dir, entry.name);
    const urlPath = `${prefix}/${encodeURIComponent(entry.name)}`;
    if (entry.isDirectory()) await walk(file, urlPath, out);
    else if (entry.isFile()) out.set(urlPath, { file, contentType: contentType(entry.name) });
  }
}

/** The allowlist of `root`; a missing bundle is one clear line naming it and the fix. */
export async function loadStaticFiles(root: string): Promise<StaticFiles> {
  const index = path.join(root, 'index.html');
  if (!existsSync(index)) throw new FatnnError(`the browser page is not built: ${index} is missing; run \`npm run build\` in the fatnn-bench folder`);
  const files = new Map<string, StaticFile>();
  await walk(root, '', files);
  files.set('/', files.get('/index.html')!);
  return files;
}
