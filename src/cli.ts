// The fatnn-bench command line: argument parsing and the mapping of errors to exit codes
// (2: usage, 1: failure, 130: interrupted). Commands live in commands/.

import { Command, CommanderError } from 'commander';
import { compareCommand, type CompareCommandOptions } from './commands/compare.js';
import { helpFooter } from './commands/help.js';
import { listCommand, type ListOptions } from './commands/list.js';
import { reportCommand, type ReportOptions } from './commands/report.js';
import { collect, collectList, parseIntOption } from './commands/options.js';
import { addFilters, addMeasuringOptions, PRESET_HELP } from './commands/measuring-options.js';
import { DEFAULT_FORKS, DEFAULT_MAX_EXTRA_FORKS, runCommand, type RunOptions } from './commands/run.js';
import { DEFAULT_HOST, DEFAULT_PORT, SERVE_DEFAULT_FORKS, serveCommand, type ServeOptions } from './commands/serve.js';
import { verifyCommand, type VerifyOptions } from './commands/verify.js';
import { FatnnError, UsageError } from './errors.js';
import { collectExpectation } from './gates/expect.js';
import { runShutdownHooks } from './lifecycle.js';
import { toolInfo } from './version.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** Raised when Ctrl-C stops a command; results measured so far have been kept. */
class InterruptedError extends Error {}

/** --forks, as each measuring command means it (the other measuring options mean the same in both). */
const RUN_FORKS_HELP = 'fresh isolates per kernel and layer, one after another (JMH forks): the spread between them is reported';
const SERVE_FORKS_HELP =
  'fresh isolates (Web Workers) per kernel and layer, one after another: the spread between them is reported; 1 by default, as 2 ran out of wasm memory in a page (README, Browser)';

/** What the first Ctrl-C says: a measuring command stops at a sample boundary, `serve` just stops. */
const MEASURING_INTERRUPT_NOTICE = 'interrupted: stopping at the next sample and keeping what was measured (Ctrl-C again to exit at once, keeping the complete layers)';
const SERVE_INTERRUPT_NOTICE = 'interrupted: stopping the server';

function buildProgram(signal: AbortSignal, setExitCode: (code: number) => void, setInterruptNotice: (notice: string) => void): Command {
  // Commands return their exit code; commander wants void actions.
  const exits =
    <A extends unknown[]>(command: (...args: A) => number | Promise<number>) =>
    async (...args: A) => setExitCode(await command(...args));

  const program = new Command('fatnn-bench')
    .description('Benchmark low-precision neural-network inner products on this machine')
    .version(toolInfo().version)
    .option('--debug', 'print stack traces of errors')
    .exitOverride()
    // Errors are printed once by reportError (one line, exit 2); help still goes to the terminal.
    .configureOutput({ outputError: () => {} });

  program
    .command('list')
    .description('list the kernels, with a reason for any that cannot run on this host')
    .option('-p, --precision <list>', 'only these precisions (repeatable or comma-separated)', collectList)
    .option('-b, --backend <list>', 'only these backends (repeatable or comma-separated): js,wasm,workers,native', collectList)
    .option('--available', 'only the kernels that can run on this host')
    .option('--json', 'print JSON instead of a table')
    .addHelpText('after', helpFooter('list'))
    .action(exits((opts: ListOptions) => listCommand(opts)));

  addFilters(
    program
      .command('verify')
      .description('check every available kernel against the exact reference on the preset layers, edge shapes and extreme values'),
  )
    .option('--preset <name>', PRESET_HELP)
    .option('-s, --shape <MxNxK>', 'additional GEMM shape (repeatable)', collect)
    .option('-q, --quiet', 'no progress on stderr')
    .addHelpText('after', helpFooter('verify'))
    .action(exits((opts: VerifyOptions) => verifyCommand(opts)));

  addMeasuringOptions(
    program
      .command('run')
      .description('verify and time kernels over layer shapes, then print the speedup table'),
    { forks: DEFAULT_FORKS, forksHelp: RUN_FORKS_HELP },
  )
    .option('--max-extra-forks <n>', 'extra fresh isolates for a measurement whose forks disagree, until a majority agrees (0: none)', parseIntOption('--max-extra-forks', 0, 10), DEFAULT_MAX_EXTRA_FORKS)
    .option('--no-isolate', 'measure every kernel in the runner itself, after the others (for comparison: timings then depend on the selection)')
    .option('-o, --out <dir>', 'folder for the results files (default: ./fatnn-results/<timestamp>/)')
    .option('--force', 'overwrite the results already in the --out folder (refused without it)')
    .option('-f, --format <list>', 'extra files (results.json is always written): md,csv,html,console (default: md,csv,html)', collectList)
    .option('--json', 'print the results JSON on stdout instead of the table')
    .option('--detail', 'after the headline, print the per-layer and per-kernel tables')
    .option('-q, --quiet', 'no progress on stderr')
    .option('--expect <ratio>', 'gate on a speedup ratio within the run, e.g. "fatnn/ternary2b>=1.8" (repeatable; exit 1 if unmet)', collectExpectation)
    .addHelpText('after', helpFooter('run'))
    .action(exits((opts: RunOptions) => runCommand(opts, signal)));

  program
    .command('report')
    .description('re-render a saved results file (validated) as a table, Markdown, CSV, HTML or JSON')
    .argument('<file>', 'results JSON written by `run`')
    .option('-f, --format <list>', 'md, csv, html, console or json; several need --out', collectList)
    .option('-o, --out <path>', 'folder to write results.<ext> into, or the file name for one format (default: stdout)')
    .option('--baseline <precision>', "speedup baseline (default: the run's): fp32, int8 or ternary2b")
    .option('--detail', 'console: per-layer tables after the headline; md: every measurement inline')
    .option('-q, --quiet', 'do not list the written files on stderr')
    .addHelpText('after', helpFooter('report'))
    .action(exits((file: string, opts: ReportOptions) => reportCommand(file, opts)));

  program
    .command('compare')
    .description('compare results files side by side (hosts or runs), detect significant changes vs the first file, gate CI')
    .argument('<files...>', 'results JSON files; the first is the reference for changes')
    .option('-f, --format <format>', 'console, md, csv or html', 'console')
    .option('--match <mode>', 'pair kernels by precision and class, native = each host\'s best ISA ("class", default: across devices) or by exact kernel id ("id": one host, code changes)')
    .option('--baseline <precision>', "precision each run's speedups are computed against: fp32, int8 or ternary2b (default: the first file's)")
    .option('--threshold <pct>', 'median changes smaller than this are reported as "no change"', '2%')
    .option('--alpha <p>', 'significance level of the Mann-Whitney U test', '0.05')
    .option('--fail-on-regression <pct>', 'exit 1 when any significant slowdown vs the first file exceeds this, e.g. 5%')
    .option('--expect <ratio>', 'gate on a speedup ratio within each run, e.g. "fatnn/ternary2b>=1.8" (repeatable)', collectExpectation)
    .addHelpText('after', helpFooter('compare'))
    .action(exits((files: string[], opts: CompareCommandOptions) => compareCommand(files, opts)));

  // The measuring options are run's (one declaration, measuring-options.ts) and go to the page in
  // its job; --port and --host come first as what a user of `serve` sets most.
  addMeasuringOptions(
    program
      .command('serve')
      .description('serve the benchmark page: any browser (phone, tablet, laptop) runs the js, wasm and workers kernels and sends back its results file')
      .option('--port <n>', 'TCP port (0: any free port)', parseIntOption('--port', 0, 65535), DEFAULT_PORT)
      .option('--host <addr>', 'address to listen on; anything but loopback (e.g. 0.0.0.0 for a phone on the same network) requires the printed token', DEFAULT_HOST),
    { forks: SERVE_DEFAULT_FORKS, forksHelp: SERVE_FORKS_HELP },
  )
    .option('-o, --out <dir>', 'folder for the received results files, browser-<time>-<id>.json (default: ./fatnn-results/<timestamp>/)')
    .option('--force', 'write into an --out folder that already holds results (refused without it)')
    .option('--once', 'exit after one results file: 0 if every kernel verified, 1 if not or if the page reported an error')
    .option('--autostart', 'the page starts measuring as soon as it opens (no Start button)')
    .addHelpText('after', helpFooter('serve'))
    .action(async (opts: ServeOptions) => {
      setInterruptNotice(SERVE_INTERRUPT_NOTICE);
      setExitCode(await serveCommand(opts, signal));
    });

  return program;
}

/** Runs the CLI and resolves to the process exit code; never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const controller = new AbortController();
  let interrupted = false;
  let interruptNotice = MEASURING_INTERRUPT_NOTICE;
  const onSigint = () => {
    if (interrupted) process.exit(EXIT_INTERRUPTED); // second Ctrl-C: leave now
    interrupted = true;
    process.stderr.write(`\nfatnn-bench: ${interruptNotice}\n`);
    controller.abort(new InterruptedError('interrupted'));
  };
  process.on('SIGINT', onSigint);
  let code: number = EXIT_OK;
  try {
    const program = buildProgram(
      controller.signal,
      (c) => (code = c),
      (notice) => (interruptNotice = notice),
    );
    await program.parseAsync(argv as string[]);
  } catch (err) {
    code = reportError(err, debug, interrupted);
  } finally {
    process.off('SIGINT', onSigint);
    await runShutdownHooks();
  }
  return code;
}

function reportError(err: unknown, debug: boolean, interrupted: boolean): number {
  const write = (msg: string) => process.stderr.write(`fatnn-bench: ${msg}\n`);
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT_OK;
    // No command given: commander has printed the help on stderr; that is a usage mistake.
    if (err.code === 'commander.help') return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    write(err.message.replace(/^error: /, ''));
    return EXIT_USAGE;
  }
  if (interrupted || err instanceof InterruptedError || (err instanceof Error && err.name === 'AbortError')) {
    write('interrupted; results measured so far were kept');
    return EXIT_INTERRUPTED;
  }
  if (debug && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  if (err instanceof UsageError) {
    write(err.message);
    return EXIT_USAGE;
  }
  // FatnnError is an expected failure with a clear message; anything else is a bug, so say so.
  write(err instanceof FatnnError || !(err instanceof Error) ? String(err instanceof Error ? err.message : err) : `internal error: ${err.message} (rerun with --debug for the stack)`);
  return EXIT_FAILURE;
}
