// Issue #13: the kernels, runner, results schema and renderers must load in a browser, so every
// module reachable from a platform-neutral entry point (the browser bundle's entries in src/web/
// and the core modules a page uses) imports no Node built-in, no npm package, and touches no
// Node-only global. The graph is computed from the sources' own import statements.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');

/** Core modules a browser page (or any other non-Node shell) builds on, beside src/web/. */
const CORE_ENTRIES = [
  'backends/js/index.ts',
  'backends/wasm/index.ts',
  'backends/workers/parallel-kernel.ts',
  'precisions.ts',
  'packing.ts',
  'reference.ts',
  'verify.ts',
  'runner/sweep.ts',
  'runner/isolate-handler.ts',
  'results/validate.ts',
  'results/speedups.ts',
  'report/headline.ts',
  'report/html.ts',
  'report/markdown.ts',
  'report/svg.ts',
  'compare/comparison.ts',
];

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/** Globals only Node has; a browser throws ReferenceError on them. */
const NODE_GLOBALS = /\b(process\.(env|argv|arch|platform|versions|exit|on|pid|execArgv|stdout|stderr|cwd)|Buffer\.|__dirname|__filename|require\()/;

interface Problem {
  readonly file: string;
  readonly what: string;
  /** How the file was reached from an entry point. */
  readonly via: string;
}

function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** Specifiers a module loads at run time (`import type` / `export type` are erased). */
function runtimeImports(code: string): string[] {
  const out: string[] = [];
  const statement = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;
  for (const m of code.matchAll(statement)) if (!m[2]) out.push(m[4]!);
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

/** Walks the graph from `entries` (paths under src/) and returns every problem found. */
export function neutralityProblems(entries: readonly string[]): { problems: Problem[]; visited: Set<string> } {
  const visited = new Set<string>();
  const problems: Problem[] = [];
  const queue: [string, string][] = entries.map((e) => [join(SRC, e), e]);
  while (queue.length > 0) {
    const [file, via] = queue.shift()!;
    if (visited.has(file)) continue;
    visited.add(file);
    const code = stripComments(readFileSync(file, 'utf8'));
    const rel = relative(ROOT, file);
    for (const spec of runtimeImports(code)) {
      if (spec.startsWith('.')) {
        const target = join(dirname(file), spec.replace(/\.js$/, '.ts'));
        queue.push([target, `${via} -> ${relative(SRC, target)}`]);
      } else if (NODE_BUILTINS.has(spec) || spec.startsWith('node:')) {
        problems.push({ file: rel, what: `imports the Node built-in '${spec}'`, via });
      } else {
        problems.push({ file: rel, what: `imports the npm package '${spec}' (a Node-only module as far as this check knows)`, via });
      }
    }
    const global = NODE_GLOBALS.exec(code);
    if (global) problems.push({ file: rel, what: `uses the Node-only global '${global[0]}'`, via });
  }
  return { problems, visited };
}

function webEntries(): string[] {
  return readdirSync(join(SRC, 'web'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `web/${f}`);
}

it('no module reachable from the browser entries or the core imports anything Node-only', () => {
  const { problems, visited } = neutralityProblems([...webEntries(), ...CORE_ENTRIES]);
  assert.deepEqual(
    problems.map((p) => `${p.file} ${p.what} (reached: ${p.via})`),
    [],
  );
  // The walk really covered the core: kernels, runner, schema and renderers.
  for (const f of ['backends/wasm/kernels.ts', 'runner/session.ts', 'runner/measure.ts', 'results/stats.ts', 'report/model.ts', 'backends/workers/protocol.ts']) {
    assert.ok(visited.has(join(SRC, f)), `${f} not reached`);
  }
});

it('the check finds Node imports where there are some (the Node registry)', () => {
  const { problems } = neutralityProblems(['registry.ts']);
  const files = new Set(problems.map((p) => p.file));
  for (const f of ['src/backends/wasm/node-source.ts', 'src/runner/kernel-host.ts', 'src/backends/workers/pool.ts', 'src/backends/native/addon.ts']) {
    assert.ok(files.has(f), `${f} not flagged`);
  }
  assert.ok(problems.some((p) => p.what.includes("'node:worker_threads'") && p.via.startsWith('registry.ts -> ')));
});
