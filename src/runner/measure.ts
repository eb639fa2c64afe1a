// Times one operation and returns per-call samples in milliseconds. A small loop of our own
// (it replaced tinybench here) because the runner needs three things tinybench does not give:
// a stop flag checked between samples (Ctrl-C answers within one sample, from inside an
// isolate), batching of calls too short for the timer, and a hard cap on the sample count.

export interface SampleOptions {
  /** Time budget for this batch of samples, ms (warm-up not included). */
  readonly timeMs: number;
  /** Minimum samples in this batch (the time budget is exceeded to reach it). */
  readonly minSamples: number;
  /** Warm-up budget, ms; at least one call is always made before timing. */
  readonly warmupMs: number;
  /** Polled between samples: true stops at once, keeping the samples taken so far. */
  readonly stop?: () => boolean;
  /**
   * Calls per sample found by an earlier batch of the same operation. With it and no warm-up
   * budget, sampling starts at once: a later round needs no calibration call, which for a slow
   * kernel (100 ms per GEMM) is a whole untimed GEMM per round.
   */
  readonly callsPerSample?: number;
}

export interface Sampled {
  /** Per-call times, ms (a batched sample is the mean of its calls). */
  readonly samples: number[];
  /** Calls per sample (1 unless one call is shorter than MIN_SAMPLE_MS). */
  readonly callsPerSample: number;
  /** `stop()` ended the sampling early. */
  readonly stopped: boolean;
  /**
   * The speed probe (speed-probe.ts) just before and just after the samples, ms per probe GEMM:
   * how fast the core ran vector code around them. Absent where the probe cannot run.
   */
  readonly probeMs?: readonly [number, number];
}

/**
 * Shortest sample: calls faster than this are batched so one sample spans at least this long.
 * performance.now() resolves ~1 us on Linux but costs ~50 ns per read, and a 1x1x1 GEMM takes
 * ~100 ns: unbatched, a 50 ms budget made ~500 000 samples of mostly timer noise (and spreading
 * them into push(...) overflowed the stack: issue #12). 50 us keeps timer error under 1%.
 */
export const MIN_SAMPLE_MS = 0.05;

/** Hard cap on samples per batch, whatever --time says: memory and sort time stay bounded. */
export const MAX_SAMPLES = 20_000;

/** Largest batch: bounds the latency of the stop flag for the tiniest operations (~10 ms). */
const MAX_CALLS_PER_SAMPLE = 100_000;

const now = () => performance.now();

/**
 * Samples `op` (sync or async). Async only when `op` returns a promise, so synchronous kernels
 * are not charged a microtask per call.
 */
export async function sampleOperation(op: () => void | Promise<void>, isAsync: boolean, options: SampleOptions): Promise<Sampled> {
  const stop = options.stop ?? (() => false);
  // The clock is read inside each variant, so no await of the wrapper itself is timed.
  const timeSync = (n: number): number => {
    const t0 = now();
    for (let i = 0; i < n; i++) op();
    return now() - t0;
  };
  const timeAsync = async (n: number): Promise<number> => {
    const t0 = now();
    for (let i = 0; i < n; i++) await op();
    return now() - t0;
  };
  const timed = (n: number): number | Promise<number> => (isAsync ? timeAsync(n) : timeSync(n));

  let callsPerSample = options.callsPerSample ?? 0;
  if (options.warmupMs > 0 || callsPerSample < 1) {
    // Warm-up: JIT tiers, caches, worker wake-up; one call at least, which also calibrates.
    const warmEnd = now() + options.warmupMs;
    let single = Infinity;
    do {
      single = Math.min(single, await timed(1));
    } while (now() < warmEnd && !stop());
    callsPerSample = single >= MIN_SAMPLE_MS ? 1 : Math.min(MAX_CALLS_PER_SAMPLE, Math.ceil(MIN_SAMPLE_MS / Math.max(single, 1e-5)));
  }

  const samples: number[] = [];
  const start = now();
  let stopped = false;
  while (samples.length < MAX_SAMPLES && (samples.length < options.minSamples || now() - start < options.timeMs)) {
    if (stop()) {
      stopped = true;
      break;
    }
    samples.push((await timed(callsPerSample)) / callsPerSample);
  }
  return { samples, callsPerSample, stopped };
}
