// What matters about an arm64 CPU for these kernels, as the OS reports it: the core types
// (/proc/cpuinfo "CPU implementer" / "CPU part", named from the Arm ID tables), NEON, the
// dot-product extension (SDOT), and which int8 kernel the native addon chose from them.

import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { NATIVE_ISAS, addonProblem, nativeAddon } from './backends/native/addon.js';
import type { HostArm64 } from './results/schema.js';
import { PRECISIONS } from './types.js';

const IMPLEMENTERS: Record<string, string> = {
  // "reserved for software use": no silicon reports it; qemu's "max" CPU does
  '0x00': 'QEMU',
  '0x41': 'Arm',
  '0x42': 'Broadcom',
  '0x43': 'Cavium',
  '0x48': 'HiSilicon',
  '0x4e': 'NVIDIA',
  '0x51': 'Qualcomm',
  '0x61': 'Apple',
  '0xc0': 'Ampere',
};

/** Part numbers of the cores these boards and servers ship (MIDR_EL1.PartNum, per implementer). */
const PARTS: Record<string, string> = {
  '0x41/0xd03': 'Cortex-A53',
  '0x41/0xd04': 'Cortex-A35',
  '0x41/0xd05': 'Cortex-A55',
  '0x41/0xd07': 'Cortex-A57',
  '0x41/0xd08': 'Cortex-A72',
  '0x41/0xd09': 'Cortex-A73',
  '0x41/0xd0a': 'Cortex-A75',
  '0x41/0xd0b': 'Cortex-A76',
  '0x41/0xd0c': 'Neoverse-N1',
  '0x41/0xd0d': 'Cortex-A77',
  '0x41/0xd40': 'Neoverse-V1',
  '0x41/0xd41': 'Cortex-A78',
  '0x41/0xd44': 'Cortex-X1',
  '0x41/0xd46': 'Cortex-A510',
  '0x41/0xd47': 'Cortex-A710',
  '0x41/0xd48': 'Cortex-X2',
  '0x41/0xd49': 'Neoverse-N2',
  '0x41/0xd4b': 'Cortex-A78C',
  '0x41/0xd4f': 'Neoverse-V2',
  '0x41/0xd80': 'Cortex-A520',
  '0x41/0xd81': 'Cortex-A720',
  '0x41/0xd82': 'Cortex-X4',
  '0x41/0xd8e': 'Neoverse-N3',
  '0x4e/0x004': 'Carmel',
  '0x51/0xc00': 'Falkor',
  '0x51/0x800': 'Kryo 2xx/3xx Gold',
  '0x51/0x801': 'Kryo 2xx/3xx Silver',
  '0x51/0x802': 'Kryo 385 Gold',
  '0x51/0x803': 'Kryo 385 Silver',
  '0x51/0x804': 'Kryo 485 Gold',
  '0x51/0x805': 'Kryo 485 Silver',
  '0x48/0xd01': 'TaiShan v110',
  '0xc0/0xac3': 'Ampere-1',
  '0xc0/0xac4': 'Ampere-1a',
  '0x00/0x051': '"max" CPU',
};

/** Core types of a /proc/cpuinfo text, in order of first appearance, with counts and features. */
export function parseArmCpuinfo(text: string): { cores: HostArm64['cores']; features: string[] } {
  const cores: { implementer: string; part: string; name: string; count: number }[] = [];
  const features = new Set<string>();
  for (const block of text.split(/\n\s*\n/)) {
    const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.+)$`, 'mi').exec(block)?.[1]?.trim();
    const implementer = field('CPU implementer')?.toLowerCase();
    const part = field('CPU part')?.toLowerCase();
    for (const f of field('Features')?.split(/\s+/) ?? []) features.add(f);
    if (!implementer || !part) continue;
    const known = cores.find((c) => c.implementer === implementer && c.part === part);
    if (known) known.count++;
    else {
      const name = PARTS[`${implementer}/${part}`] ?? `part ${part}`;
      cores.push({ implementer, part, name: `${IMPLEMENTERS[implementer] ?? `implementer ${implementer}`} ${name}`, count: 1 });
    }
  }
  return { cores, features: [...features] };
}

/** The int8 path the addon runs for int8/native-neon: it checks SDOT itself (plan.c). */
export function neonInt8Kernel(): string {
  const addon = nativeAddon();
  if (!addon) return `unknown (${addonProblem() ?? 'native addon not loaded'})`;
  const int8 = PRECISIONS.indexOf('int8');
  const why = addon.unavailableReason(NATIVE_ISAS.neon, int8);
  if (why) return `none (${why})`;
  // plan.isa 4 is NEON with SDOT (fn_effective_isa in native/src/plan.c)
  return addon.plan(NATIVE_ISAS.neon, int8, 1, 1, 1).isa === 4 ? 'SDOT (dot product)' : 'SMULL (int16-widened)';
}

function tryRun(f: () => string): string | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/**
 * The arm64 facts of this host (undefined on other architectures), and the CPU features this
 * process sees (Linux), which replace the flags the OS tools report.
 */
export function arm64Facts(): { facts: HostArm64; features?: string[] } | undefined {
  if (process.arch !== 'arm64') return undefined;
  if (process.platform !== 'linux') {
    // No /proc on macOS: NEON is architectural on arm64; SDOT is FEAT_DotProd (untested here).
    const dot = tryRun(() => execFileSync('sysctl', ['-in', 'hw.optional.arm.FEAT_DotProd'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { facts: { cores: [], neon: true, dotprod: dot === '1', int8Kernel: neonInt8Kernel() } };
  }
  // Read in this process: under qemu-user this is the emulated CPU's view, which is the one
  // the kernels see (the OS tools that systeminformation spawns are host binaries).
  const text = tryRun(() => readFileSync('/proc/cpuinfo', 'utf8')) ?? '';
  const { cores, features } = parseArmCpuinfo(text);
  if (features.length === 0) return { facts: { cores, neon: true, dotprod: false, int8Kernel: neonInt8Kernel() } };
  return { facts: { cores, neon: features.includes('asimd'), dotprod: features.includes('asimddp'), int8Kernel: neonInt8Kernel() }, features };
}
