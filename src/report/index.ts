// The output formats, one map entry each (a new format is one new key), all rendered from the
// one results document.

import { UsageError } from '../errors.js';
import { serializeResults } from '../results/io.js';
import type { ResultsFile } from '../results/schema.js';
import type { Precision } from '../types.js';
import { renderConsole } from './console.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { DETAIL_MD_BASENAME, renderMarkdown, renderMarkdownDetail } from './markdown.js';

export interface RenderOptions {
  /** Re-render speedups against another baseline precision than the run's. */
  readonly baseline?: Precision;
  /** ANSI colour; only the console format uses it. */
  readonly color?: boolean;
  /** Per-layer detail in the console table and the full measurement dump in Markdown. */
  readonly detail?: boolean;
  /** Columns the console headline wraps to. */
  readonly width?: number;
}

/** A second file a format writes beside its own in an output folder (results-detail.md). */
export interface CompanionFile {
  readonly basename: string;
  readonly extension: string;
  render(results: ResultsFile, options: RenderOptions): string;
}

export interface OutputFormat {
  /** File extension of this format in an output folder. */
  readonly extension: string;
  readonly description: string;
  render(results: ResultsFile, options: RenderOptions): string;
  /** Files written beside this one when rendering into a folder. */
  readonly companions?: readonly CompanionFile[];
}

export const FORMATS = {
  json: { extension: 'json', description: 'the versioned results document (input of `report` and `compare`)', render: (r) => serializeResults(r) },
  md: {
    extension: 'md',
    description: 'Markdown: headline first (under a GitHub comment\'s size limit), detail collapsed; every measurement in results-detail.md',
    render: (r, o) => renderMarkdown(r, o),
    companions: [{ basename: DETAIL_MD_BASENAME, extension: 'md', render: (r, o) => renderMarkdownDetail(r, o) }],
  },
  csv: { extension: 'csv', description: 'one tidy table at full precision', render: (r, o) => renderCsv(r, o) },
  html: { extension: 'html', description: 'self-contained page with SVG speedup charts', render: (r, o) => renderHtml(r, o) },
  console: {
    extension: 'txt',
    description: 'the terminal headline (per-layer tables with --detail)',
    render: (r, o) => `${renderConsole(r, { color: o.color ?? false, baseline: o.baseline, detail: o.detail, width: o.width })}\n`,
  },
} as const satisfies Record<string, OutputFormat>;

/** The names of the files a format writes into an output folder (its own, then its companions). */
export function formatFileNames(format: FormatId, basename: string): string[] {
  const f: OutputFormat = FORMATS[format];
  return [`${basename}.${f.extension}`, ...(f.companions ?? []).map((c) => `${c.basename}.${c.extension}`)];
}

/** Every file a format writes into an output folder: its own and its companions, name -> text. */
export function renderFormatFiles(format: FormatId, basename: string, results: ResultsFile, options: RenderOptions = {}): [string, string][] {
  const f: OutputFormat = FORMATS[format];
  return [[`${basename}.${f.extension}`, f.render(results, options)], ...(f.companions ?? []).map((c): [string, string] => [`${c.basename}.${c.extension}`, c.render(results, options)])];
}

export type FormatId = keyof typeof FORMATS;

const ALIASES: Readonly<Record<string, FormatId>> = { markdown: 'md', txt: 'console', text: 'console', table: 'console' };

/** Parses `md,csv` style lists (repeatable); unknown names are a usage error. */
export function parseFormats(values: readonly string[]): FormatId[] {
  const out: FormatId[] = [];
  for (const raw of values.flatMap((v) => v.split(','))) {
    const name = raw.trim().toLowerCase();
    if (!name) continue;
    const id = (name in FORMATS ? name : ALIASES[name]) as FormatId | undefined;
    if (!id) throw new UsageError(`unknown format "${raw.trim()}" (known: ${Object.keys(FORMATS).join(', ')})`);
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

export function renderFormat(format: FormatId, results: ResultsFile, options: RenderOptions = {}): string {
  return FORMATS[format].render(results, options);
}

export { renderConsole, wantsColor } from './console.js';
export { renderCsv } from './csv.js';
export { renderHtml } from './html.js';
export { renderMarkdown } from './markdown.js';
