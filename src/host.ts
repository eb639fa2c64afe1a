// The host fingerprint written into every results file, so numbers from different machines
// can be told apart and compared honestly.

import os from 'node:os';
import si from 'systeminformation';
import { wasmSimdSupported } from './backends/wasm/loader.js';
import { arm64Facts } from './arm64-cpu.js';
import { detectEmulation, processProbe } from './emulation.js';
import type { HostFingerprint } from './results/schema.js';

/** Whether wasm SIMD is usable here: the same cached probe the wasm backend registers with. */
export const hasWasmSimd = wasmSimdSupported;

/** CPU flags that change what the kernels can do. */
const RELEVANT_FLAGS = /^(popcnt|sse4_2|avx|avx2|fma|bmi2|avx512.*|avx_vnni|neon|asimd|asimddp|asimdhp|sve|sve2|i8mm|dotprod)$/;

export async function hostFingerprint(): Promise<HostFingerprint> {
  const [cpu, flags, mem, osInfo] = await Promise.all([si.cpu(), si.cpuFlags(), si.mem(), si.osInfo()]);
  const toolBrand = [cpu.manufacturer, cpu.brand].filter(Boolean).join(' ').trim() || os.cpus()[0]?.model || 'unknown CPU';
  const toolFlags = flags.split(/\s+/).filter(Boolean);
  const emulation = detectEmulation(processProbe({ flags: toolFlags, brand: toolBrand }));
  // systeminformation asks host tools (lscpu, a child `cat`), which under qemu-user describe the
  // physical x86 CPU: on arm64 the CPU this process sees comes from its own /proc/cpuinfo.
  const arm = arm64Facts();
  const armBrand = arm?.facts.cores.map((c) => `${c.count > 1 && arm.facts.cores.length > 1 ? `${c.count}x ` : ''}${c.name}`).join(' + ');
  const brand = armBrand || toolBrand;
  return {
    cpu: {
      brand,
      manufacturer: armBrand ? (arm!.facts.cores[0]!.name.split(' ')[0] ?? 'unknown') : cpu.manufacturer || 'unknown',
      cores: os.availableParallelism(),
      physicalCores: cpu.physicalCores || cpu.cores || os.availableParallelism(),
      speedGHz: cpu.speed || null,
      flags: (arm?.features ?? toolFlags).filter((f) => RELEVANT_FLAGS.test(f)).sort(),
    },
    arch: process.arch,
    memoryBytes: mem.total || os.totalmem(),
    os: { platform: osInfo.platform || process.platform, distro: osInfo.distro || 'unknown', release: osInfo.release || os.release(), kernel: osInfo.kernel || os.release() },
    node: process.versions.node,
    v8: process.versions.v8,
    wasmSimd: hasWasmSimd(),
    ...(emulation ? { emulation: { ...emulation, ...(toolBrand !== brand ? { hostCpu: toolBrand } : {}) } } : {}),
    ...(arm ? { arm64: arm.facts } : {}),
  };
}
