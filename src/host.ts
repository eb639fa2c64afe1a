// The host fingerprint written into every results file, so numbers from different machines
// can be told apart and compared honestly.

import os from 'node:os';
import si from 'systeminformation';
import type { HostFingerprint } from './results/schema.js';

/** Smallest module using a v128 instruction (i8x16.splat + i8x16.popcnt). */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

let simdCache: boolean | undefined;

/** Whether this engine validates WebAssembly SIMD (probed once). */
export function hasWasmSimd(): boolean {
  simdCache ??= typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  return simdCache;
}

/** CPU flags that change what the kernels can do. */
const RELEVANT_FLAGS = /^(popcnt|sse4_2|avx|avx2|fma|bmi2|avx512.*|avx_vnni|neon|asimd|asimddp|asimdhp|sve|sve2|i8mm|dotprod)$/;

export async function hostFingerprint(): Promise<HostFingerprint> {
  const [cpu, flags, mem, osInfo] = await Promise.all([si.cpu(), si.cpuFlags(), si.mem(), si.osInfo()]);
  const brand = [cpu.manufacturer, cpu.brand].filter(Boolean).join(' ').trim() || os.cpus()[0]?.model || 'unknown CPU';
  return {
    cpu: {
      brand,
      manufacturer: cpu.manufacturer || 'unknown',
      cores: os.availableParallelism(),
      physicalCores: cpu.physicalCores || cpu.cores || os.availableParallelism(),
      speedGHz: cpu.speed || null,
      flags: flags
        .split(/\s+/)
        .filter((f) => RELEVANT_FLAGS.test(f))
        .sort(),
    },
    arch: process.arch,
    memoryBytes: mem.total || os.totalmem(),
    os: { platform: osInfo.platform || process.platform, distro: osInfo.distro || 'unknown', release: osInfo.release || os.release(), kernel: osInfo.kernel || os.release() },
    node: process.versions.node,
    v8: process.versions.v8,
    wasmSimd: hasWasmSimd(),
  };
}
