#!/usr/bin/env node
// `npm test`'s runner: `node --test` over the compiled test files, named one by one. Node 22+
// read `node --test dist/test/` as a file name (MODULE_NOT_FOUND), and a shell glob would
// need a shell that expands it; listing the files here works on Node 20, 22 and 24+ alike.
// Extra arguments go to `node --test` (e.g. --test-name-pattern=...); --dry-run prints the
// argument list as JSON instead of running it.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const testDir = join(root, 'dist', 'test');

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.js') ? [join(dir, e.name)] : []))
    .sort();
}

if (!existsSync(testDir)) {
  process.stderr.write('run-tests: dist/test not found; run `npm run build` first (npm test does)\n');
  process.exit(1);
}
const extra = process.argv.slice(2).filter((a) => a !== '--dry-run');
// One file at a time: the CLI and workers tests spawn processes and pools that would otherwise
// compete for the (often 2) cores and time out.
const args = ['--test', '--test-concurrency=1', ...extra, ...testFiles(testDir).map((f) => relative(root, f))];
if (process.argv.includes('--dry-run')) {
  process.stdout.write(`${JSON.stringify(args)}\n`);
  process.exit(0);
}
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
