// How fast this core runs vector code right now: a tiny fixed GEMM timed next to every batch of
// samples, so the runner can tell a slow kernel from a slow moment.
//
// Why (issue #15, measured on the 2-vCPU EPYC VM this project is developed on): the same kernel
// in the same process switches between two speeds ~1.5x apart for tens of milliseconds to
// seconds at a time - fatnn/native-avx2 on 128x784x1152 at 0.62 or 0.93-0.97 ms per round,
// pinned to one vCPU, with the other vCPU idle or spinning alike; fatnn/wasm-simd128 at 1.53
// or 2.44-2.69 ms, with and without --no-wasm-dynamic-tiering (so not a JIT tier). A scalar
// integer loop does not see it (0.370-0.387 ms per unit over 8 s), this 32x32x2304 fatnn/
// wasm-simd128 GEMM does (0.027-0.029 ms, 0.041-0.052 ms in slow spells): the vector units are
// shared with something outside the VM. No fresh isolate or fork can avoid that; measuring it
// can. The probe costs PROBE_CALLS x ~30 us before and after each batch.

import type { Kernel } from '../types.js';
// The wasm backend's own table, not the Node registry: the runner is platform-neutral (issue #13).
import { wasmKernels } from '../backends/wasm/index.js';
import { WasmBitKernel } from '../backends/wasm/kernels.js';
import { randomOperands } from '../precisions.js';

/** The probe kernel: wasm SIMD runs on every host the tool supports, browsers included. */
export const PROBE_KERNEL_ID = 'fatnn/wasm-simd128';
/** Cache-resident (~40 KB of operands), ~30 us per call on the VM above: a spell shows at once. */
export const PROBE_SHAPE = { M: 32, N: 32, K: 2304 } as const;
/** The fastest of this many calls: one call hit by an interrupt does not count. */
const PROBE_CALLS = 3;

export class SpeedProbe {
  private constructor(private readonly kernel: Kernel) {}

  /** The probe, or undefined where its kernel cannot run (no wasm SIMD): timing goes on unprobed. */
  static async create(): Promise<SpeedProbe | undefined> {
    // The registry's own declaration, not a fault-injected wrapper: tests that break a kernel
    // on purpose must not break the probe.
    const decl = wasmKernels.find((k) => k.id === PROBE_KERNEL_ID);
    if (!decl || !decl.availability().available) return undefined;
    try {
      // Always the byte-count loop (i8x16.popcnt), not the i64-lanes form fatnn/wasm-simd128
      // runs on x86 since issue #14: the probe was chosen for its vector-unit load, which is
      // what the host's spells slow, and one workload in every version and on every host keeps
      // compare's speed-level check (the probe's usual time) comparable across results files.
      const kernel = await WasmBitKernel.create(PROBE_KERNEL_ID, 'fatnn', { ...PROBE_SHAPE }, 'simd128', 'bytes');
      const { w, x } = randomOperands(decl.precision, { ...PROBE_SHAPE }, 0x5eed);
      kernel.setWeights(w);
      kernel.setActivations(x);
      await kernel.run();
      return new SpeedProbe(kernel);
    } catch {
      return undefined;
    }
  }

  /** Milliseconds per probe GEMM now (the fastest of PROBE_CALLS). */
  measure(): number {
    let best = Infinity;
    for (let i = 0; i < PROBE_CALLS; i++) {
      const t0 = performance.now();
      void this.kernel.run();
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  }

  async dispose(): Promise<void> {
    await this.kernel.dispose();
  }
}

/** What the runner needs of a probe (tests drive the sweep with a scripted one). */
export interface Probe {
  measure(): number;
}

let shared: Promise<Probe | undefined> | undefined;

/** This realm's probe (one per isolate, made on first use and kept for the isolate's life). */
export function realmProbe(): Promise<Probe | undefined> {
  shared ??= SpeedProbe.create();
  return shared;
}

/** Tests: replace this realm's probe (undefined: no probe; null: the real one again). */
export function overrideRealmProbe(probe: Probe | undefined | null): void {
  shared = probe === null ? undefined : Promise.resolve(probe);
}
