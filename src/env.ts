// Environment variables where there are any: Node has process.env, a browser has none (every
// test-only switch is then off). Lets platform-neutral modules read the few switches they have
// without touching Node's `process`.

export function envVar(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env?.[name];
}
