// Process-wide teardown: backends that hold resources (worker pools) register here, and the
// CLI runs every hook once at the end of a command, on error and on Ctrl-C.

type Hook = () => void | Promise<void>;
const hooks = new Set<Hook>();

export function onShutdown(hook: Hook): () => void {
  hooks.add(hook);
  return () => hooks.delete(hook);
}

/** Runs all hooks, never throwing: teardown must not hide the error that caused it. */
export async function runShutdownHooks(): Promise<void> {
  const pending = [...hooks];
  hooks.clear();
  await Promise.allSettled(pending.map(async (h) => h()));
}
