// The tool's own name and version, read from package.json so results record what produced them.

import { readFileSync } from 'node:fs';

interface PackageInfo {
  readonly name: string;
  readonly version: string;
}

let cached: PackageInfo | undefined;

export function toolInfo(): PackageInfo {
  // dist/src/version.js -> package root is two levels up.
  cached ??= JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as PackageInfo;
  return { name: cached.name, version: cached.version };
}
