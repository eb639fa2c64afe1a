// The end of each command's --help: a few real examples and the exit codes, so a user need
// not leave the terminal to find them. Kept apart from cli.ts so options and help texts can
// change independently; every example here is a command line that works as written.

const EXIT_FAILURE_MEANING: Readonly<Record<string, string>> = {
  list: 'unexpected failure',
  verify: 'a kernel returned a wrong result',
  run: 'a kernel returned a wrong result or failed to run, or an --expect gate failed',
  report: 'an output file could not be written',
  compare: 'a --fail-on-regression or --expect gate failed',
  serve: '--once: a kernel was wrong or failed, the run incomplete, or the page reported an error; or dist/web/ not built',
};

const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  list: ['fatnn-bench list', 'fatnn-bench list --precision fatnn --backend native --available', 'fatnn-bench list --json'],
  verify: ['fatnn-bench verify --preset quick', 'fatnn-bench verify --backend native --shape 64x3136x576', 'fatnn-bench verify -k fatnn/wasm-simd128 --shape 1x1x1 --shape 3x5x33'],
  run: [
    'fatnn-bench run --preset quick',
    'fatnn-bench run -p ternary2b,fatnn -b js,wasm --shape 64x3136x576 --out fatnn-results/mine',
    'fatnn-bench run --preset quick -b wasm --expect "fatnn/ternary2b>=1.3"',
  ],
  report: ['fatnn-bench report fatnn-results/mine/results.json --detail', 'fatnn-bench report results.json --format md > results.md', 'fatnn-bench report results.json --format md,html --out report/'],
  compare: [
    'fatnn-bench compare laptop/results.json board/results.json --format html > compare.html',
    'fatnn-bench compare main.json pr.json --match id --fail-on-regression 10% --format md',
  ],
  serve: [
    'fatnn-bench serve --preset quick',
    'fatnn-bench serve --host 0.0.0.0 --port 8390 --out fatnn-results/phone',
    'fatnn-bench serve --preset quick -b js,wasm --once --autostart --port 0',
  ],
};

/** Text for commander's addHelpText('after', ...) of `command`. */
export function helpFooter(command: keyof typeof EXAMPLES): string {
  const codes = [
    command === 'serve' ? '0    success (--once: one results file received, every kernel verified)' : '0    success',
    `1    ${EXIT_FAILURE_MEANING[command]}`,
    command === 'serve' ? '2    usage error (bad option, --out, or a --port already in use; one line on stderr)' : '2    usage error (bad option, argument or input file; one line on stderr)',
    ...(command === 'run' || command === 'verify' || command === 'serve'
      ? [`130  interrupted (Ctrl-C)${command === 'run' ? '; the layers measured so far are kept' : command === 'serve' ? '; the results files received are kept' : ''}`]
      : []),
  ];
  return `\nExamples:\n${EXAMPLES[command]!.map((e) => `  $ ${e}`).join('\n')}\n\nExit codes:\n${codes.map((c) => `  ${c}`).join('\n')}\n`;
}
