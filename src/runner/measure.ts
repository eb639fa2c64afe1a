// Times one operation with tinybench and returns the raw per-call samples in milliseconds.

import { Bench } from 'tinybench';

export interface SampleOptions {
  /** Time budget for this batch of samples, ms. */
  readonly timeMs: number;
  /** Minimum calls in this batch. */
  readonly minSamples: number;
  /** Warm-up budget, ms (0: no warm-up). */
  readonly warmupMs: number;
  readonly signal?: AbortSignal;
}

/**
 * Samples `op` (sync or async). Async only when `op` returns a promise, so synchronous kernels
 * are not charged a microtask per call.
 */
export async function sampleOperation(name: string, op: () => void | Promise<void>, isAsync: boolean, options: SampleOptions): Promise<number[]> {
  const bench = new Bench({
    name,
    time: options.timeMs,
    iterations: options.minSamples,
    warmup: options.warmupMs > 0,
    warmupTime: options.warmupMs,
    // One call at least; beyond that the warm-up time decides. A slow kernel (hundreds of ms
    // per GEMM) is compiled and tiered up within its first call, so more calls only cost time.
    warmupIterations: 1,
    retainSamples: true,
    throws: true,
    signal: options.signal,
  });
  if (isAsync) bench.add(name, async () => { await op(); });
  else bench.add(name, () => { op(); });
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state === 'aborted' || result.state === 'aborted-with-statistics') throw new DOMException('aborted', 'AbortError');
  if (result.state !== 'completed') throw new Error(`tinybench did not complete ${name} (${result.state})`);
  const samples = result.latency.samples;
  if (!samples || samples.length === 0) throw new Error(`tinybench kept no samples for ${name}`);
  return [...samples];
}
