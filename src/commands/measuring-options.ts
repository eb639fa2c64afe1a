// The options of the commands that measure (`run` in Node, `serve` in a browser's page), declared
// once so both take the same flags, parsers, defaults and help texts: a measuring option added
// here is added to both. Only --forks differs in its default (and says why in its help).

import { Command, Option } from 'commander';
import { collect, collectList, parseIntOption, parseMsOption, type FilterOptions } from './options.js';
import { DEFAULT_ROUNDS, DEFAULT_TIME_MS } from './run.js';

/** Same words in `verify`, `run` and `serve`; the default is applied in the commands (run: only without --shape/--layers). */
export const PRESET_HELP = 'layer preset: resnet18 or quick (default: resnet18)';

/** What every measuring command's options hold after parsing (commander fills in the defaults). */
export interface MeasuringOptions extends FilterOptions {
  preset?: string;
  shape?: string[];
  layers?: string;
  threads: number;
  seed: number;
  time: number;
  minSamples: number;
  warmup: number;
  rounds: number;
  forks: number;
  baseline: string;
  packing: boolean;
  /** False with --no-from-float. */
  fromFloat: boolean;
  /** `--quantizer` arguments (fatnn:LOW,HIGH, ...), parsed in the command. */
  quantizer?: string[];
}

/** Where the measuring commands differ: --forks' default and the reason for it. */
export interface MeasuringDefaults {
  readonly forks: number;
  /** --forks' help text: what a fork is on this platform and, if the default differs from run's, why. */
  readonly forksHelp: string;
}

/** The kernel filters and the operands' seed: `verify` takes these too. */
export function addFilters(cmd: Command): Command {
  return cmd
    .option('-p, --precision <list>', 'precisions to include (repeatable or comma-separated): fp32,int8,bit2,ternary2b,fatnn,binary', collectList)
    .option('-b, --backend <list>', 'backends to include (repeatable or comma-separated): js,wasm,workers,native', collectList)
    .option('-k, --kernel <id>', 'exact kernel id to include, e.g. fatnn/js (repeatable)', collect)
    .addOption(
      new Option('-t, --threads <n>', 'worker threads for workers kernels (0: one per core)')
        .argParser(parseIntOption('--threads', 0, 256))
        .default(0, 'all cores'),
    )
    .option('--seed <n>', 'seed of the random operands (replays a run exactly)', parseIntOption('--seed', 0, 0xffffffff), 1);
}

/**
 * The filters, the layers and every timing and cost-view option of `run` and `serve`, with run's
 * parsers so a bad value gives the same one-line error in both.
 */
export function addMeasuringOptions(cmd: Command, defaults: MeasuringDefaults): Command {
  return addFilters(cmd)
    .option('--preset <name>', PRESET_HELP)
    .option('-s, --shape <MxNxK>', 'custom GEMM shape instead of a preset (repeatable)', collect)
    .option('-l, --layers <file.json>', 'layers from a JSON file: [{ "name", "M", "N", "K", "count" }, ...]')
    .option('--time <ms>', 'time budget per measurement in ms, all forks and rounds together (the packing and from-float views get 30%)', parseMsOption('--time'), DEFAULT_TIME_MS)
    .option('--min-samples <n>', 'minimum samples per measurement (all rounds together)', parseIntOption('--min-samples', 1, 1_000_000), 6)
    .option('--warmup <ms>', "warm-up budget in ms before a kernel's GEMM is timed in a fresh isolate (its later layers and the packing and from-float views get a fifth)", parseMsOption('--warmup'), 25)
    .option('--rounds <n>', 'interleaved rounds per fork (kernels alternate so drift hits all alike)', parseIntOption('--rounds', 1, 100), DEFAULT_ROUNDS)
    .option('--forks <n>', defaults.forksHelp, parseIntOption('--forks', 1, 100), defaults.forks)
    .option('--baseline <precision>', 'speedup baseline: fp32, int8 or ternary2b', 'fp32')
    .option('--no-packing', 'skip the "with activation packing" measurement')
    .option('--no-from-float', 'skip the "from float" measurement (quantize float activations + pack + GEMM)')
    .option(
      '--quantizer <spec>',
      'activation quantizer for the from-float view: fatnn:LOW,HIGH, ternary2b:LOW,HIGH, bit2:T0,T1,T2 or int8:SCALE (repeatable; defaults in the README)',
      collect,
    );
}
