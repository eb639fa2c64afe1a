// The real executable, spawned for end-to-end tests: its exit code and everything it printed,
// and the child itself for tests that signal it (Ctrl-C) while it runs.

import { spawn, type ChildProcess } from 'node:child_process';

export const BIN = new URL('../../../bin/fatnn-bench.js', import.meta.url).pathname;
/** Timing options that keep a test run short (results are checked, never the times). */
// One fork: the CLI tests that use this test the CLI, not forks (runner.test and extra-forks.test
// pass their own --forks, which wins); each fork is another isolate per kernel, and under the
// emulated arm64 check (.ci/run) every isolate start costs seconds.
export const FAST = ['--time', '20', '--warmup', '5', '--min-samples', '2', '--forks', '1'];

export interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function start(args: readonly string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Outcome>; stderr: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, FORCE_COLOR: undefined, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Outcome>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done, stderr: () => stderr };
}

export const cli = (args: readonly string[], env?: NodeJS.ProcessEnv): Promise<Outcome> => start(args, env).done;
