// `run` and `serve` take the same measuring options with the same help texts (one declaration in
// src/commands/measuring-options.ts); only --forks differs, in its default and the reason given.
// Read from the real executable's --help, as a user sees it.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { Command } from 'commander';
import { addMeasuringOptions } from '../src/commands/measuring-options.js';
import { DEFAULT_FORKS } from '../src/commands/run.js';
import { SERVE_DEFAULT_FORKS } from '../src/commands/serve.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'fatnn-bench.js');

/** Options of `command --help` as long flag -> help text, wrapped lines joined. */
function helpOptions(command: string): Map<string, string> {
  const r = spawnSync(process.execPath, [BIN, command, '--help'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 0, r.stderr);
  const section = r.stdout.slice(r.stdout.indexOf('\nOptions:\n'), r.stdout.indexOf('\nExamples:\n'));
  const options = new Map<string, string>();
  let current: string | undefined;
  for (const line of section.split('\n').slice(2)) {
    const head = /^ {2}(?:-\w, )?(--[\w-]+)(?: <[^>]+>)? {2,}(.*)$/.exec(line);
    if (head) {
      current = head[1]!;
      options.set(current, head[2]!);
    } else if (current && /^ {4,}\S/.test(line)) {
      options.set(current, `${options.get(current)} ${line.trim()}`);
    }
  }
  return options;
}

const run = helpOptions('run');
const serve = helpOptions('serve');
/** Flags both commands have that mean something different in each. */
const MEANING_DIFFERS = new Set(['--forks', '--out', '--force']);

it('every shared measuring option is listed by run --help and serve --help', () => {
  const declared = addMeasuringOptions(new Command('probe'), { forks: 1, forksHelp: 'x' }).options.map((o) => o.long!);
  assert.ok(declared.length >= 17, declared.join(' '));
  for (const flag of declared) {
    assert.ok(run.has(flag), `run --help lacks ${flag}`);
    assert.ok(serve.has(flag), `serve --help lacks ${flag}`);
  }
});

it('an option run and serve both take has the same help text in both, unless its meaning differs', () => {
  const shared = [...run.keys()].filter((flag) => serve.has(flag) && flag !== '--help');
  assert.ok(shared.includes('--rounds') && shared.includes('--quantizer'), shared.join(' '));
  for (const flag of shared) {
    if (!MEANING_DIFFERS.has(flag)) assert.equal(serve.get(flag), run.get(flag), flag);
  }
});

it('serve --forks keeps its own default and says why it differs from run', () => {
  assert.notEqual(SERVE_DEFAULT_FORKS, DEFAULT_FORKS);
  assert.match(run.get('--forks')!, new RegExp(`\\(default: ${DEFAULT_FORKS}\\)$`));
  assert.match(serve.get('--forks')!, new RegExp(`\\(default: ${SERVE_DEFAULT_FORKS}\\)$`));
  assert.match(serve.get('--forks')!, /Web Workers.*wasm memory/);
});
