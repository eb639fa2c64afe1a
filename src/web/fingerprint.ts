// The browser's host fingerprint: what a page can learn (user agent and UA client hints,
// navigator.hardwareConcurrency, platform, device memory, WebAssembly SIMD, cross-origin
// isolation), in the results schema's HostFingerprint so every report and `compare` take it.

import { wasmSimdSupported } from '../backends/wasm/loader.js';
import type { HostFingerprint } from '../results/schema.js';

interface UaData {
  readonly brands?: readonly { brand: string; version: string }[];
  readonly mobile?: boolean;
  readonly platform?: string;
  getHighEntropyValues?(hints: string[]): Promise<Record<string, unknown>>;
}

export async function browserFingerprint(): Promise<HostFingerprint> {
  const nav = navigator as Navigator & { userAgentData?: UaData; deviceMemory?: number };
  const ua = nav.userAgentData;
  let high: Record<string, unknown> = {};
  try {
    high = (await ua?.getHighEntropyValues?.(['architecture', 'bitness', 'model', 'platformVersion', 'fullVersionList'])) ?? {};
  } catch {
    // Client hints are optional: the user agent string still says what it says.
  }
  const brands = ((high.fullVersionList as UaData['brands']) ?? ua?.brands ?? []).map((b) => `${b.brand} ${b.version}`);
  const engine = (high.fullVersionList as UaData['brands'] | undefined)?.find((b) => /chromium/i.test(b.brand))?.version;
  const cores = Math.max(1, nav.hardwareConcurrency || 1);
  const platform = ua?.platform ? `${ua.platform}${high.platformVersion ? ` ${String(high.platformVersion)}` : ''}` : nav.platform || 'unknown';
  const arch = typeof high.architecture === 'string' && high.architecture ? `${high.architecture}${high.bitness ? `-${String(high.bitness)}` : ''}` : guessArch(nav.userAgent, nav.platform);
  const model = typeof high.model === 'string' && high.model ? high.model : undefined;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  return {
    cpu: { brand: model ?? `${platform} device`, manufacturer: 'unknown', cores, physicalCores: cores, speedGHz: null, flags: wasmSimdSupported() ? ['wasm-simd128'] : [] },
    arch,
    memoryBytes: nav.deviceMemory ? nav.deviceMemory * 2 ** 30 : 0,
    os: { platform: 'browser', distro: platform, release: String(high.platformVersion ?? ''), kernel: 'unknown' },
    node: '',
    // The engine version where the client hints give it (Chromium's V8 carries its number).
    v8: engine ? `Chromium ${engine}` : 'unknown',
    wasmSimd: wasmSimdSupported(),
    browser: {
      userAgent: nav.userAgent,
      ...(brands.length > 0 ? { brands } : {}),
      platform,
      ...(ua?.mobile !== undefined ? { mobile: ua.mobile } : {}),
      ...(model ? { model } : {}),
      hardwareConcurrency: nav.hardwareConcurrency || 0,
      ...(nav.deviceMemory ? { deviceMemoryGB: nav.deviceMemory } : {}),
      crossOriginIsolated: isolated,
    },
  };
}

function guessArch(userAgent: string, platform: string): string {
  const s = `${userAgent} ${platform}`;
  if (/aarch64|arm64|armv8/i.test(s)) return 'arm64';
  if (/x86_64|x64|win64|amd64|wow64/i.test(s)) return 'x64';
  if (/android|iphone|ipad/i.test(s)) return 'arm (guessed from the user agent)';
  return 'unknown';
}
