// A system Chromium driven headless through playwright-core, for the real-browser tests. Nothing
// is downloaded: the browser is Debian's `chromium` (`.ci/run` installs it when missing) or
// whatever FATNN_CHROMIUM names. Without one, `findChromium` says why, and the tests skip with it.

import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_ENV = 'FATNN_CHROMIUM';

/** Looked for in this order, each by absolute path and then on PATH. */
const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export type Found = { readonly path: string } | { readonly path: null; readonly reason: string };

export function findChromium(env: NodeJS.ProcessEnv = process.env): Found {
  const given = env[CHROMIUM_ENV];
  if (given) return executable(given) ? { path: given } : { path: null, reason: `${CHROMIUM_ENV}=${given} is not an executable file` };
  const dirs = ['/usr/bin', ...(env.PATH ?? '').split(path.delimiter).filter(Boolean)];
  for (const name of CANDIDATES) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      if (executable(file)) return { path: file };
    }
  }
  return { path: null, reason: `no Chromium found (looked for ${CANDIDATES.join(', ')} in /usr/bin and on PATH; set ${CHROMIUM_ENV} or \`apt-get install chromium\`)` };
}

/**
 * Launches the system Chromium headless, or returns why it cannot (none installed). A Chromium
 * that is found but fails to start is an error, not a skip: CI must not pass by skipping.
 */
export async function launchChromium(): Promise<{ browser: Browser; executable: string } | { browser: null; reason: string }> {
  const found = findChromium();
  if (found.path === null) return { browser: null, reason: found.reason };
  // playwright-core passes --no-sandbox by default (chromiumSandbox: false), which root (CI) needs.
  const browser = await chromium.launch({ executablePath: found.path, headless: true, timeout: 60_000 });
  return { browser, executable: found.path };
}
