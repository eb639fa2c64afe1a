// Kernel id helpers shared by the Node and browser workers backends.

/** `fatnn/wasm-simd128` -> `fatnn/workers-wasm-simd128`. */
export function workerVariantIdOf(baseId: string): string {
  const slash = baseId.indexOf('/');
  return `${baseId.slice(0, slash)}/workers-${baseId.slice(slash + 1)}`;
}
