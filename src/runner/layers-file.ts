// `--layers FILE.json`: a user's own network as a list of GEMM layers with multiplicities.
// Accepted shapes: `[{ "name", "M", "N", "K", "count"? }, ...]` or `{ "layers": [...] }`.
// Every problem is a UsageError naming the file, the layer and the field.

import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { checkShape, MAX_DIM, type Layer } from '../shapes.js';

export const LAYERS_FILE_EXAMPLE = '[{ "name": "conv1", "M": 64, "N": 3136, "K": 576, "count": 2 }]';

export function parseLayersJson(text: string, source: string): Layer[] {
  const fail = (msg: string): never => {
    throw new UsageError(`--layers ${source}: ${msg}`);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return fail(`not valid JSON (${(err as Error).message.replace(/\s+/g, ' ')}); expected e.g. ${LAYERS_FILE_EXAMPLE}`);
  }
  const list = Array.isArray(doc) ? doc : typeof doc === 'object' && doc !== null && Array.isArray((doc as { layers?: unknown }).layers) ? (doc as { layers: unknown[] }).layers : undefined;
  if (!list) return fail(`expected an array of layers or { "layers": [...] }, e.g. ${LAYERS_FILE_EXAMPLE}`);
  if (list.length === 0) return fail('the layer list is empty');
  const names = new Set<string>();
  return list.map((entry, i) => {
    const where = `layer ${i + 1}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return fail(`${where}: expected an object like ${LAYERS_FILE_EXAMPLE.slice(1, -1)}`);
    const e = entry as Record<string, unknown>;
    const known = new Set(['name', 'M', 'N', 'K', 'count']);
    const unknown = Object.keys(e).filter((k) => !known.has(k));
    if (unknown.length > 0) fail(`${where}: unknown field(s) ${unknown.map((k) => `"${k}"`).join(', ')} (fields: name, M, N, K, count)`);
    if (typeof e.name !== 'string' || e.name.trim() === '') return fail(`${where}: "name" must be a non-empty string`);
    const name = e.name.trim();
    if (names.has(name)) fail(`${where}: duplicate layer name "${name}" (names identify layers in reports and comparisons)`);
    names.add(name);
    const dim = (key: 'M' | 'N' | 'K' | 'count', max: number, fallback?: number): number => {
      const v = e[key] ?? fallback;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) return fail(`layer "${name}": "${key}" must be an integer from 1 to ${max}, got ${JSON.stringify(e[key] ?? null)}`);
      return v;
    };
    const layer = { name, M: dim('M', MAX_DIM), N: dim('N', MAX_DIM), K: dim('K', MAX_DIM), count: dim('count', 1_000_000, 1) };
    // The same size rule as --shape and the API, so an oversized layer is refused before any
    // other layer is measured (not, minutes later, as a failed allocation).
    try {
      checkShape(layer);
    } catch (err) {
      fail(`layer "${name}": ${(err as Error).message}`);
    }
    return layer;
  });
}

export async function readLayersFile(file: string): Promise<Layer[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`--layers ${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${(err as Error).message})`}`);
  }
  return parseLayersJson(text, file);
}
