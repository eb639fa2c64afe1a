// Reading and writing results files. Writes are atomic (temp file + rename) because the runner
// rewrites its outputs after every layer and Ctrl-C may land mid-write; reads validate, so a
// wrong or damaged file fails with one clear line instead of a crash deep in a renderer.

import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { FatnnError, UsageError } from '../errors.js';
import type { ResultsFile } from './schema.js';
import { SchemaProblem, validateResults } from './validate.js';

/**
 * Writes `text` to `file` so readers see either the old or the new content, never a torn one:
 * write a sibling temp file, fsync it, rename over the target. Creates the folder if needed.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new FatnnError(`cannot write ${file}: cannot create folder ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new FatnnError(`cannot write ${file}: ${(err as Error).message}`);
  }
}

/** The results document as written to disk: stable key order, trailing newline. */
export function serializeResults(results: ResultsFile): string {
  // Arrays of numbers (raw samples) go on one line each: a full run keeps thousands of them.
  const text = JSON.stringify(results, null, 2).replace(/\[\s*(-?\d[\d.eE+\-]*(?:,\s*-?\d[\d.eE+\-]*)*)\s*\]/g, (_, list: string) => `[${list.split(/,\s*/).join(',')}]`);
  return `${text}\n`;
}

/** Validates parsed JSON as a results document; `source` names it in the error. */
export function parseResults(text: string, source: string): ResultsFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const truncated = text.trim().length === 0 ? 'the file is empty' : `not valid JSON (${(err as Error).message.replace(/\s+/g, ' ')})`;
    throw new FatnnError(`${source}: ${truncated}; is it a fatnn-bench results file, complete and uncorrupted?`);
  }
  try {
    return validateResults(doc);
  } catch (err) {
    if (err instanceof SchemaProblem) throw new FatnnError(`${source}: invalid results file at ${err.message}`);
    throw err;
  }
}

/**
 * Reads and validates a results JSON file. Throws a FatnnError with one clear line when the
 * file is missing, unreadable, not JSON, another schema or version, or structurally corrupted.
 */
export async function readResultsFile(file: string): Promise<ResultsFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FatnnError(`${file}: no such file`);
    if (code === 'EISDIR') throw new FatnnError(`${file}: is a folder; give the results JSON inside it (e.g. ${path.join(file, 'results.json')})`);
    if (code === 'EACCES' || code === 'EPERM') throw new FatnnError(`${file}: permission denied`);
    throw new FatnnError(`${file}: cannot read (${(err as Error).message})`);
  }
  return parseResults(text, file);
}

/**
 * `readResultsFile` for a file named on the command line: a missing, unreadable or invalid file
 * is the user's input being wrong, so it is a UsageError (exit 2) for `report` and `compare` alike.
 */
export async function readResultsArgument(file: string): Promise<ResultsFile> {
  try {
    return await readResultsFile(file);
  } catch (err) {
    if (err instanceof FatnnError) throw new UsageError(err.message);
    throw err;
  }
}
