// Results files sent by the page: parsed and validated with the same validator `report` and
// `compare` use BEFORE anything is written, then written atomically under --out with a name the
// server chooses (never one from the request), so a page cannot write outside --out or over a file.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { serializeResults, writeFileAtomic } from '../results/io.js';
import type { ResultsFile } from '../results/schema.js';
import { SchemaProblem, validateResults } from '../results/validate.js';

/** Prefix of every results file `serve` writes; `checkServeOutDir` looks for it. */
export const BROWSER_RESULTS_PREFIX = 'browser-';

/** `browser-2026-12-01T05-40-00Z-3f9a1c2e.json`: sorts by time, unique without a directory scan. */
export function browserResultsName(now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return `${BROWSER_RESULTS_PREFIX}${stamp}-${randomBytes(4).toString('hex')}.json`;
}

export type Parsed = { readonly ok: true; readonly doc: unknown; readonly results: ResultsFile } | { readonly ok: false; readonly why: string };

/** One line saying what is wrong, in the words `report` uses for a bad file. */
export function parseResultsBody(text: string): Parsed {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, why: `not valid JSON (${(err as Error).message.replace(/\s+/g, ' ')})` };
  }
  try {
    return { ok: true, doc, results: validateResults(doc) };
  } catch (err) {
    if (err instanceof SchemaProblem) return { ok: false, why: `invalid results file at ${err.message}` };
    throw err;
  }
}

/** What `--once` and the log need to know about a received file. */
export interface ResultsSummary {
  readonly layers: number;
  readonly measurements: number;
  /** Kernels whose result differed from the reference. */
  readonly wrong: readonly string[];
  /** Kernels that failed to run (no timing, not a wrong result). */
  readonly broken: readonly string[];
  readonly complete: boolean;
}

export function summarize(results: ResultsFile): ResultsSummary {
  const all = results.layers.flatMap((l) => l.measurements);
  const kernels = (list: typeof all) => [...new Set(list.map((m) => m.kernel))];
  return {
    layers: results.layers.length,
    measurements: all.length,
    wrong: kernels(all.filter((m) => m.verification === 'failed')),
    broken: kernels(all.filter((m) => m.verification !== 'failed' && !m.gemm)),
    complete: results.complete,
  };
}

/** Writes the document as sent (not upgraded) and returns the file's path. */
export async function writeBrowserResults(outDir: string, doc: unknown, now = new Date()): Promise<string> {
  const file = path.join(outDir, browserResultsName(now));
  await writeFileAtomic(file, serializeResults(doc as ResultsFile));
  return file;
}
