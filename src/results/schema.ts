// The results model: one versioned JSON document per run. Every report format is rendered from
// it, so `report` and `compare` can re-render and combine runs from different machines.

import type { QuantizerParams } from '../quantize.js';
import type { Backend, Precision } from '../types.js';

export const RESULTS_SCHEMA = 'fatnn-bench/results';
/**
 * 3: the third cost view, `fromFloat` (Measurement.fromFloat, config.fromFloat and the
 * quantizers in config.quantizers).
 * 2: kernels measured in fresh isolates and forks (config.isolation, config.forks, per-fork
 * medians in each TimingStats.forks, partial layers).
 * Versions 1 and 2 are still read: the reader (validate.ts) upgrades them in memory (version 1
 * as one un-isolated fork; both without the fromFloat view).
 */
export const RESULTS_SCHEMA_VERSION = 3;

/** How kernels were kept apart while measured: a fresh worker-thread isolate each, or not at all. */
export type Isolation = 'worker-thread' | 'none';
export const ISOLATIONS: readonly Isolation[] = ['worker-thread', 'none'];

export interface HostFingerprint {
  readonly cpu: {
    readonly brand: string;
    readonly manufacturer: string;
    /** Logical cores (what worker pools are sized to). */
    readonly cores: number;
    readonly physicalCores: number;
    readonly speedGHz: number | null;
    /** The flags that matter for these kernels (popcnt, avx2, avx512*, neon, asimddp, ...). */
    readonly flags: readonly string[];
  };
  readonly arch: string;
  readonly memoryBytes: number;
  readonly os: { readonly platform: string; readonly distro: string; readonly release: string; readonly kernel: string };
  readonly node: string;
  readonly v8: string;
  readonly wasmSimd: boolean;
  /** How busy the machine was just before and just after the run (absent in older files). */
  readonly load?: HostLoad;
  /** How steady the machine's vector speed was during the run (the speed probe; absent in older files). */
  readonly speed?: MachineSpeed;
  /** Set when the process ran on an emulated CPU: its timings are the emulator's, not the device's. */
  readonly emulation?: HostEmulation;
  /** arm64 hosts: the cores as the OS reports them and what the kernels use there. */
  readonly arm64?: HostArm64;
  /**
   * Set when a browser measured (`fatnn-bench serve`): then `node` is empty, `v8` the browser's
   * engine version where the browser says it, and `cpu` holds what a page can know.
   */
  readonly browser?: HostBrowser;
}

/** What a page can learn about the device and browser it runs in. */
export interface HostBrowser {
  readonly userAgent: string;
  /** UA client hints brands ("Chromium 131", ...), when the browser offers them. */
  readonly brands?: readonly string[];
  /** navigator.platform, or the client hints' platform and version. */
  readonly platform: string;
  readonly mobile?: boolean;
  /** Device model from the client hints (phones), when given. */
  readonly model?: string;
  readonly hardwareConcurrency: number;
  /** navigator.deviceMemory (GiB, rounded by the browser), when given. */
  readonly deviceMemoryGB?: number;
  /** SharedArrayBuffer usable: the workers kernels and a 5 us timer need it. */
  readonly crossOriginIsolated: boolean;
}

export interface HostEmulation {
  /** e.g. "qemu-user", "Rosetta 2". */
  readonly emulator: string;
  /** The signal it was detected by, in words. */
  readonly evidence: string;
  /** The physical CPU behind the emulator, as the host OS's tools report it, when known. */
  readonly hostCpu?: string;
}

export interface HostArm64 {
  /** Core types from /proc/cpuinfo ("CPU implementer"/"CPU part"), named; empty where the OS has no such table (macOS). */
  readonly cores: readonly { readonly implementer: string; readonly part: string; readonly name: string; readonly count: number }[];
  readonly neon: boolean;
  /** ARMv8.2 dot product (SDOT/UDOT; "asimddp"). */
  readonly dotprod: boolean;
  /** The int8 path int8/native-neon runs here, as the native addon chose it (SDOT or SMULL). */
  readonly int8Kernel: string;
}

/** One look at how busy the machine was. */
export interface LoadSample {
  /** ISO date of the sample. */
  readonly at: string;
  /** The OS's 1-minute load average (runnable processes; 0 on Windows). */
  readonly loadAverage1m: number;
  /** Percent of all cores' time that other processes used during the window, or null if unknown. */
  readonly otherCpuPercent: number | null;
  /** Length of the sampling window, ms. */
  readonly windowMs: number;
}

export interface HostLoad {
  readonly before: LoadSample;
  /** Absent while the run is going, and in an interrupted run. */
  readonly after?: LoadSample;
}

export interface LayerSpec {
  readonly name: string;
  readonly M: number;
  readonly N: number;
  readonly K: number;
  /** Occurrences in the network: weights whole-network totals. */
  readonly count: number;
}

export interface RunConfig {
  /** Preset name, or null for custom shapes / layer files. */
  readonly preset: string | null;
  readonly precisions: readonly Precision[];
  readonly backends: readonly Backend[];
  readonly kernels: readonly string[];
  /** Worker threads used by `workers` kernels (0: none selected). */
  readonly threads: number;
  /** Time budget per measurement, milliseconds. */
  readonly timeMs: number;
  readonly minSamples: number;
  readonly warmupMs: number;
  readonly seed: number;
  readonly baseline: Precision;
  /** Interleaved rounds per layer (absent in files from before it was recorded). */
  readonly rounds?: number;
  /** Whether the "with activation packing" view was measured. */
  readonly withPacking?: boolean;
  /** The `--layers` file the layer list came from, when it came from one. */
  readonly layersFile?: string;
  /** Layers the run set out to measure; `layers.length` is smaller when interrupted. */
  readonly plannedLayers?: number;
  /**
   * Popcount form of each measured bit kernel, by kernel id (e.g. "1 popcount/word, carry-save"):
   * why a measured ratio can differ from the op-count model. Absent in older files.
   */
  readonly popcountForms?: Readonly<Record<string, string>>;
  /** Whether the "from float" view was measured (false for files before version 3). */
  readonly fromFloat: boolean;
  /**
   * The activation quantizer of each measured precision, when fromFloat was measured (fp32's
   * is the identity): what the float activations were quantized with.
   */
  readonly quantizers?: Readonly<Partial<Record<Precision, QuantizerParams>>>;
  /** Fresh isolates per kernel and layer (JMH's forks); 1 for version 1 files. */
  readonly forks: number;
  /**
   * Most extra forks a measurement got when its forks disagreed (`--max-extra-forks`; absent in
   * files from before it existed, and from runners that add none).
   */
  readonly maxExtraForks?: number;
  /** 'none' for version 1 files: every kernel ran in the one process, after the others. */
  readonly isolation: Isolation;
}

/** One fork (fresh isolate) of a measurement. */
export interface ForkStats {
  readonly samples: number;
  readonly medianMs: number;
  readonly p25Ms: number;
  readonly p75Ms: number;
  /**
   * Set on a set-aside fork that ran in a slow spell of the machine: its batches' median speed
   * probe over the run's usual probe time (> 1.15). Absent: set aside by the vote (outside the
   * agreeing majority), or pooled.
   */
  readonly slowSpell?: number;
}

/** Timing statistics of one measurement, in milliseconds per GEMM. */
export interface TimingStats {
  readonly samples: number;
  readonly medianMs: number;
  readonly meanMs: number;
  readonly p25Ms: number;
  readonly p75Ms: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Median absolute deviation (unscaled). */
  readonly madMs: number;
  /** Relative margin of error of the mean, percent (95%). */
  readonly rmePercent: number;
  /** Raw per-GEMM times, kept (capped) so later comparisons can test significance. */
  readonly sampleMs: readonly number[];
  /**
   * Per fork, in the order run (the pooled statistics above are over all their samples; forks
   * outside the agreeing majority are in setAsideForks instead).
   * Absent in version 1 files and in stats made by hand: read as one fork.
   */
  readonly forks?: readonly ForkStats[];
  /**
   * Forks left out of the pooled statistics because a majority of the forks agreed without them
   * (results/stats.ts, summarizeForks): each still with its own median and quartiles. Absent
   * when every fork is pooled.
   */
  readonly setAsideForks?: readonly ForkStats[];
  /**
   * Forks run beyond the planned `config.forks` because the planned ones disagreed (counted in
   * `forks` or `setAsideForks`). Absent: none.
   */
  readonly extraForks?: number;
  /** Calls timed together per sample when one call is too short for the timer (absent: 1). */
  readonly callsPerSample?: number;
  /** The speed probe around this measurement's batches (absent where the probe cannot run). */
  readonly speedProbe?: SpeedProbeStats;
}

/**
 * How fast the machine ran vector code around one measurement's batches of samples
 * (src/runner/speed-probe.ts): a batch is slow when the probe ran well above its usual time.
 */
export interface SpeedProbeStats {
  /** Batches timed (forks x rounds x views' share), re-takes replacing the batch they re-took. */
  readonly batches: number;
  /** Batches still slow after re-taking: their samples are in the statistics, and flagged. */
  readonly slow: number;
  /** Slow batches measured again at the end of their fork. */
  readonly retaken: number;
  /** The slowest kept batch's probe time over the usual one. */
  readonly maxFactor: number;
}

/** The run's speed probe in one line: how steady the machine's vector speed was. */
export interface MachineSpeed {
  /** Probe kernel and shape, e.g. "fatnn/wasm-simd128 32x32x2304". */
  readonly probe: string;
  /** Usual probe time (the run's 25th percentile), ms. */
  readonly usualMs: number;
  /** Slowest probe over the usual one. */
  readonly slowestFactor: number;
  readonly batches: number;
  /** Probes more than SLOW_FACTOR above the usual time (re-takes included). */
  readonly slowBatches: number;
  readonly retaken: number;
}

export type VerificationStatus = 'passed' | 'failed' | 'skipped';

export interface Measurement {
  readonly kernel: string;
  readonly precision: Precision;
  readonly backend: Backend;
  readonly verification: VerificationStatus;
  /** Set when the kernel could not be verified or timed; the stats are then absent. */
  readonly error?: string;
  /** GEMM on pre-packed operands. */
  readonly gemm?: TimingStats;
  /** Activation packing + GEMM: what a real layer pays per inference. */
  readonly withPacking?: TimingStats;
  /**
   * Quantizing float32 activations (fused with packing where the kernel can) + GEMM: what a
   * layer pays when the previous one hands it floats. fp32's is its GEMM alone.
   */
  readonly fromFloat?: TimingStats;
}

export interface LayerResult extends LayerSpec {
  readonly measurements: readonly Measurement[];
  /**
   * True when Ctrl-C stopped the run inside this layer: its timings hold the samples taken so
   * far (fewer forks, rounds or samples than planned), and kernels not reached are missing.
   */
  readonly partial?: boolean;
}

export interface SkippedKernel {
  readonly kernel: string;
  readonly reason: string;
}

export interface ResultsFile {
  readonly schema: typeof RESULTS_SCHEMA;
  /** Always RESULTS_SCHEMA_VERSION once read: older files are upgraded by the reader. */
  readonly schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  /** Set by the reader when the file on disk had an older schema version (not written). */
  readonly upgradedFrom?: number;
  readonly tool: { readonly name: string; readonly version: string };
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** False while running or when interrupted: the file then holds the layers measured so far. */
  readonly complete: boolean;
  readonly host: HostFingerprint;
  readonly config: RunConfig;
  /** Kernels that matched the filters but cannot run here, with why. */
  readonly skipped: readonly SkippedKernel[];
  readonly layers: readonly LayerResult[];
}
