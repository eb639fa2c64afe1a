// Which JavaScript runtime measured a results file, in words: `Node 20.20.2`, or the browser
// (`Chromium 156.0.8078.114 (browser)`) for files from `fatnn-bench serve`'s page.

import type { HostBrowser, HostFingerprint } from './schema.js';

/** "Chromium 131" from the UA client hints, else from the user agent's product tokens. */
export function browserName(b: HostBrowser): string {
  const brand = b.brands?.find((x) => !/not.a.brand/i.test(x));
  if (brand) return brand;
  const m = /(Firefox|Edg|OPR|Chrome|Version)\/(\d+)/.exec(b.userAgent);
  return m ? `${m[1] === 'Version' ? 'Safari' : m[1] === 'Edg' ? 'Edge' : m[1]} ${m[2]}` : 'a browser';
}

export function runtimeLabel(host: HostFingerprint): string {
  return host.browser ? `${browserName(host.browser)} (browser)` : `Node ${host.node}`;
}
