// Whether two results files were measured on the same machine, from their host fingerprints,
// when one or both come from a browser: a page sees the OS, the architecture, the logical core
// count and a rounded memory size, never the CPU model. So `compare` can say "same machine,
// different runtime" for a Node run and a browser run of one computer instead of "different hosts".

import { browserName } from '../results/runtime.js';
import type { HostFingerprint } from '../results/schema.js';

/** What two fingerprints say about the machine behind them. */
export type MachineVerdict =
  /** Every fact both fingerprints hold agrees; `unseen` names what a browser could not check. */
  | { readonly kind: 'same'; readonly checked: readonly string[]; readonly unseen: readonly string[] }
  /** A fact both hold disagrees. */
  | { readonly kind: 'different'; readonly facts: readonly string[] }
  /** Nothing disagrees, but a browser withheld a fact needed to tell (e.g. no memory size). */
  | { readonly kind: 'unknown'; readonly missing: readonly string[] };

/** Operating system as one word: Node's `process.platform`, or what the page's platform string starts with. */
export function osFamily(host: HostFingerprint): string | undefined {
  if (!host.browser) return host.os.platform === 'browser' ? undefined : host.os.platform;
  const p = host.browser.platform.toLowerCase();
  if (/^(linux|x11)/.test(p)) return 'linux';
  if (/^(macos|macintel|macppc|mac os)/.test(p)) return 'darwin';
  if (/^win/.test(p)) return 'win32';
  if (/^android/.test(p)) return 'android';
  if (/^(iphone|ipad|ios)/.test(p)) return 'ios';
  if (/^(chrome ?os|cros)/.test(p)) return 'chromeos';
  return undefined;
}

/** `x86-64`, `arm-64`, ...: Node's names and the client hints' architecture-bitness in one form. */
export function archFamily(host: HostFingerprint): string | undefined {
  const NODE: Readonly<Record<string, string>> = { x64: 'x86-64', ia32: 'x86-32', arm64: 'arm-64', arm: 'arm-32' };
  const a = host.arch;
  if (!host.browser) return NODE[a] ?? a;
  // The page gives client hints' `x86-64` / `arm-64`, or a guess from the user agent (`x64`, `arm64`).
  if (/^(x86|arm)-(32|64)$/.test(a)) return a;
  return a === 'x64' || a === 'arm64' ? NODE[a] : undefined;
}

/** Memory in GiB as the host knows it: Node's total, or the browser's rounded navigator.deviceMemory. */
function memoryGiB(host: HostFingerprint): number | undefined {
  if (host.browser) return host.browser.deviceMemoryGB;
  return host.memoryBytes > 0 ? host.memoryBytes / 2 ** 30 : undefined;
}

/**
 * navigator.deviceMemory is the total rounded to a coarse step (a power of two, or two
 * significant bits, depending on the browser and version) and capped (8 GiB in the spec's
 * first version; Chromium 156 reported 16 for this VM's 23.5 GiB). So a browser's figure agrees
 * with a total when it is within [total / 2, total * 1.5], or is a cap of at least 8 below it.
 */
export function deviceMemoryAgrees(totalGiB: number, deviceMemoryGB: number): boolean {
  if (deviceMemoryGB > totalGiB * 1.5) return false;
  return deviceMemoryGB >= totalGiB / 2 || deviceMemoryGB >= 8;
}

function memoryAgrees(a: HostFingerprint, b: HostFingerprint, ma: number, mb: number): boolean {
  if (a.browser && b.browser) return ma === mb;
  const [total, rounded] = a.browser ? [mb, ma] : [ma, mb];
  return deviceMemoryAgrees(total, rounded);
}

/** Compares the facts both fingerprints hold; conservative: a fact a browser withholds makes it 'unknown'. */
export function sameMachine(a: HostFingerprint, b: HostFingerprint): MachineVerdict {
  if (!a.browser && !b.browser) {
    const differ = [
      a.cpu.brand !== b.cpu.brand && `CPU ${a.cpu.brand} vs ${b.cpu.brand}`,
      a.arch !== b.arch && `architecture ${a.arch} vs ${b.arch}`,
      a.cpu.cores !== b.cpu.cores && `${a.cpu.cores} vs ${b.cpu.cores} cores`,
      a.memoryBytes !== b.memoryBytes && 'memory',
      a.os.platform !== b.os.platform && `OS ${a.os.platform} vs ${b.os.platform}`,
    ].filter((d): d is string => typeof d === 'string');
    return differ.length > 0 ? { kind: 'different', facts: differ } : { kind: 'same', checked: ['CPU model', 'architecture', 'cores', 'memory', 'OS'], unseen: [] };
  }
  const differ: string[] = [];
  const missing: string[] = [];
  const checked: string[] = [];
  const browser = (a.browser ?? b.browser)!;
  const who = browserName(browser);
  const fact = <T>(name: string, x: T | undefined, y: T | undefined, agree: (x: T, y: T) => boolean, show: (v: T) => string) => {
    if (x === undefined || y === undefined) missing.push(`${who} does not report ${name === 'architecture' ? 'the architecture (only a guess from the user agent)' : name === 'OS' ? 'an OS it knows' : name}`);
    else if (!agree(x, y)) differ.push(`${name} ${show(x)} vs ${show(y)}`);
    else checked.push(name);
  };
  fact('OS', osFamily(a), osFamily(b), (x, y) => x === y, String);
  fact('architecture', archFamily(a), archFamily(b), (x, y) => x === y, String);
  // Logical cores on both sides: os.cpus().length and navigator.hardwareConcurrency.
  fact('cores', a.cpu.cores, b.cpu.cores, (x, y) => x === y, String);
  fact('memory', memoryGiB(a), memoryGiB(b), (x, y) => memoryAgrees(a, b, x, y), (v) => `${Math.round(v * 10) / 10} GiB`);
  if (differ.length > 0) return { kind: 'different', facts: differ };
  if (missing.length > 0) return { kind: 'unknown', missing };
  return { kind: 'same', checked, unseen: ['the CPU model'] };
}
