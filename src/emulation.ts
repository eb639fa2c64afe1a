// Is this process running on an emulated CPU? Timings measured under qemu-user (or Rosetta)
// describe the emulator on the host, not the device the results file claims, so the host record
// says so and every report warns. Each signal is one the emulator does not hide.

import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import type { HostEmulation } from './results/schema.js';

/** What detection reads, injectable so each signal is testable without an emulator. */
export interface EmulationProbe {
  readonly platform: string;
  readonly arch: string;
  readonly pid: number;
  readFile(path: string): string | undefined;
  readlink(path: string): string | undefined;
  /** macOS: sysctl.proc_translated (1 under Rosetta 2). */
  sysctl(name: string): string | undefined;
  /** CPU flags as the OS's own tools report them (systeminformation runs lscpu / reads cpuinfo in a child process). */
  readonly toolFlags: readonly string[];
  readonly toolBrand: string;
}

const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** Flags only an x86 CPU reports / only an ARM one reports: which family the OS tools saw. */
function flagFamily(flags: readonly string[]): 'x86' | 'arm' | undefined {
  if (flags.some((f) => f === 'sse2' || f === 'avx2' || f === 'popcnt')) return 'x86';
  if (flags.some((f) => f === 'asimd' || f === 'neon')) return 'arm';
  return undefined;
}

const ARCH_FAMILY: Record<string, 'x86' | 'arm'> = { x64: 'x86', ia32: 'x86', arm64: 'arm', arm: 'arm' };

export function detectEmulation(p: EmulationProbe): HostEmulation | undefined {
  if (p.platform === 'linux') {
    // qemu-user fakes /proc/self/exe (and /proc/<pid>/exe) as the guest program, but not the
    // per-thread link, nor the task's command name: both name the qemu binary.
    const real = p.readlink(`/proc/self/task/${p.pid}/exe`);
    if (real && /^qemu-/.test(base(real))) {
      return { emulator: 'qemu-user', evidence: `the kernel runs ${real} (/proc/self/task/${p.pid}/exe) for this ${p.arch} process` };
    }
    const comm = p.readFile('/proc/self/comm')?.trim();
    if (comm && /^qemu-/.test(comm)) return { emulator: 'qemu-user', evidence: `the process's command name is ${comm} (/proc/self/comm)` };
  }
  if (p.platform === 'darwin' && p.sysctl('sysctl.proc_translated') === '1') {
    return { emulator: 'Rosetta 2', evidence: `sysctl.proc_translated = 1: an ${p.arch} process translated on an Apple-silicon Mac` };
  }
  // Any other emulator: the OS's own tools (host binaries) describe another CPU family.
  const seen = flagFamily(p.toolFlags);
  const mine = ARCH_FAMILY[p.arch];
  if (seen && mine && seen !== mine) {
    return { emulator: 'unknown emulator', evidence: `process.arch is ${p.arch} but the OS reports an ${seen} CPU (${p.toolBrand})` };
  }
  return undefined;
}

function tryRead<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** The probe of this process. */
export function processProbe(tool: { flags: readonly string[]; brand: string }): EmulationProbe {
  return {
    platform: process.platform,
    arch: process.arch,
    pid: process.pid,
    readFile: (path) => tryRead(() => readFileSync(path, 'utf8')),
    readlink: (path) => tryRead(() => readlinkSync(path)),
    sysctl: (name) => tryRead(() => execFileSync('sysctl', ['-in', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()),
    toolFlags: tool.flags,
    toolBrand: tool.brand || os.cpus()[0]?.model || 'unknown CPU',
  };
}
