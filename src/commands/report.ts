// `fatnn-bench report FILE.json`: re-render a saved (validated) results file in any format,
// optionally against another baseline, to stdout or into files.

import path from 'node:path';
import { UsageError } from '../errors.js';
import { consoleWidth } from '../report/console.js';
import { FORMATS, parseFormats, renderFormat, renderFormatFiles, wantsColor } from '../report/index.js';
import { hostWarnings } from '../results/host-warnings.js';
import { readResultsArgument, writeFileAtomic } from '../results/io.js';
import { RESULTS_BASENAME, parseBaseline } from './run.js';

export interface ReportOptions {
  format?: string[];
  out?: string;
  baseline?: string;
  quiet?: boolean;
  detail?: boolean;
}

export async function reportCommand(file: string, opts: ReportOptions): Promise<number> {
  const formats = parseFormats(opts.format ?? ['console']);
  if (formats.length === 0) throw new UsageError('--format needs at least one of md, csv, html, console, json');
  const baseline = opts.baseline === undefined ? undefined : parseBaseline(opts.baseline);
  if (opts.out === undefined && formats.length > 1) throw new UsageError(`several formats (${formats.join(', ')}) need --out DIR; stdout takes one`);
  const results = await readResultsArgument(file);
  // The console headline on stdout shows the warning itself; any other output also gets it on stderr.
  const consoleOnStdout = opts.out === undefined && formats[0] === 'console';
  if (!opts.quiet && !consoleOnStdout) for (const w of hostWarnings(results.host)) process.stderr.write(`fatnn-bench: warning: ${w}\n`);

  if (opts.out === undefined) {
    const format = formats[0]!;
    process.stdout.write(renderFormat(format, results, { baseline, detail: opts.detail, color: format === 'console' && wantsColor(process.stdout), width: consoleWidth(process.stdout) }));
    if (format === 'console' && !results.complete) process.stderr.write(`fatnn-bench: ${file} is an incomplete run (${results.layers.length} layers)\n`);
    return 0;
  }

  // `--out report.md` names the file itself when one format is asked for; otherwise a folder.
  const single = formats.length === 1 && path.extname(opts.out).slice(1).toLowerCase() === FORMATS[formats[0]!].extension;
  const written: string[] = [];
  for (const format of formats) {
    if (single) {
      await writeFileAtomic(opts.out, renderFormat(format, results, { baseline, detail: opts.detail }));
      written.push(opts.out);
      continue;
    }
    for (const [name, text] of renderFormatFiles(format, RESULTS_BASENAME, results, { baseline, detail: opts.detail || format === 'console' })) {
      await writeFileAtomic(path.join(opts.out, name), text);
      written.push(path.join(opts.out, name));
    }
  }
  if (!opts.quiet) process.stderr.write(`fatnn-bench: wrote ${written.join(', ')}\n`);
  return 0;
}
