// Parsing and validation of the CLI's shared options (filters, numbers, lists).

import { UsageError } from '../errors.js';
import { isPrecision } from '../precisions.js';
import { selectKernels } from '../registry.js';
import { BACKENDS, type Backend, type KernelDeclaration, type Precision } from '../types.js';

/** commander collector for repeatable options that also accept comma-separated lists. */
export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parsePrecisions(values: readonly string[] | undefined): Precision[] {
  return (values ?? []).map((p) => {
    if (!isPrecision(p)) throw new UsageError(`unknown precision "${p}" (known: fp32, int8, bit2, ternary2b, fatnn, binary)`);
    return p;
  });
}

export function parseBackends(values: readonly string[] | undefined): Backend[] {
  return (values ?? []).map((b) => {
    if (!(BACKENDS as readonly string[]).includes(b)) throw new UsageError(`unknown backend "${b}" (known: ${BACKENDS.join(', ')})`);
    return b as Backend;
  });
}

export function parseIntOption(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (text: string): number => {
    const v = Number(text);
    if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(v) || v < min || v > max) {
      throw new UsageError(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
    }
    return v;
  };
}

export function parseMsOption(name: string) {
  return (text: string): number => {
    const v = Number(text.replace(/ms$/, ''));
    if (!Number.isFinite(v) || v <= 0 || v > 3_600_000) throw new UsageError(`${name} must be a positive number of milliseconds, got "${text}"`);
    return v;
  };
}

export interface FilterOptions {
  precision?: string[];
  backend?: string[];
  kernel?: string[];
}

export interface SelectedKernels {
  readonly available: KernelDeclaration[];
  readonly unavailable: { kernel: string; reason: string }[];
}

/** Applies --precision/--backend/--kernel; an empty selection is a usage error. */
export function selectFromOptions(opts: FilterOptions): SelectedKernels {
  const selected = selectKernels({ precisions: parsePrecisions(opts.precision), backends: parseBackends(opts.backend), ids: opts.kernel ?? [] });
  if (selected.length === 0) throw new UsageError('no kernel matches the given --precision/--backend/--kernel filters');
  const available: KernelDeclaration[] = [];
  const unavailable: { kernel: string; reason: string }[] = [];
  for (const decl of selected) {
    const a = decl.availability();
    if (a.available) available.push(decl);
    else unavailable.push({ kernel: decl.id, reason: a.reason ?? 'unavailable' });
  }
  if (available.length === 0) {
    throw new UsageError(`none of the selected kernels can run on this host: ${unavailable.map((u) => `${u.kernel} (${u.reason})`).join('; ')}`);
  }
  return { available, unavailable };
}
