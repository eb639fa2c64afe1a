// Structural validation of a results document read from disk: a results file may come from
// another machine, another version or a truncated write, so every field the renderers and
// `compare` rely on is checked and the first problem is reported with its JSON path.

import { PRECISIONS, BACKENDS } from '../types.js';
import { checkQuantizerParams, type QuantizerParams } from '../quantize.js';
import { ISOLATIONS, RESULTS_SCHEMA, RESULTS_SCHEMA_VERSION, type ResultsFile, type RunConfig } from './schema.js';

/** Oldest schema version this fatnn-bench still reads (upgraded in memory). */
export const OLDEST_READABLE_SCHEMA_VERSION = 1;

/** A problem at one place in the document, e.g. `layers[2].measurements[0].gemm.medianMs`. */
export class SchemaProblem extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path || '(root)'}: ${problem}`);
  }
}

type Json = unknown;

function describe(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `"${v.length > 40 ? `${v.slice(0, 40)}...` : v}"` : typeof v === 'object' ? 'an object' : String(v);
}

function obj(v: Json, path: string): Record<string, Json> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SchemaProblem(path, `expected an object, got ${describe(v)}`);
  return v as Record<string, Json>;
}

function arr(v: Json, path: string): Json[] {
  if (!Array.isArray(v)) throw new SchemaProblem(path, `expected an array, got ${describe(v)}`);
  return v;
}

function str(v: Json, path: string): string {
  if (typeof v !== 'string') throw new SchemaProblem(path, `expected a string, got ${describe(v)}`);
  return v;
}

function bool(v: Json, path: string): boolean {
  if (typeof v !== 'boolean') throw new SchemaProblem(path, `expected true or false, got ${describe(v)}`);
  return v;
}

function num(v: Json, path: string, opts: { min?: number; integer?: boolean } = {}): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SchemaProblem(path, `expected a finite number, got ${describe(v)}`);
  if (opts.integer && !Number.isInteger(v)) throw new SchemaProblem(path, `expected an integer, got ${v}`);
  if (opts.min !== undefined && v < opts.min) throw new SchemaProblem(path, `expected at least ${opts.min}, got ${v}`);
  return v;
}

function oneOf<T extends string>(v: Json, path: string, allowed: readonly T[]): T {
  const s = str(v, path);
  if (!(allowed as readonly string[]).includes(s)) throw new SchemaProblem(path, `expected one of ${allowed.join(', ')}, got "${s}"`);
  return s as T;
}

function date(v: Json, path: string): void {
  if (Number.isNaN(Date.parse(str(v, path)))) throw new SchemaProblem(path, `expected an ISO date, got ${describe(v)}`);
}

function checkHost(v: Json, path: string): void {
  const h = obj(v, path);
  const cpu = obj(h.cpu, `${path}.cpu`);
  str(cpu.brand, `${path}.cpu.brand`);
  str(cpu.manufacturer, `${path}.cpu.manufacturer`);
  num(cpu.cores, `${path}.cpu.cores`, { min: 1, integer: true });
  num(cpu.physicalCores, `${path}.cpu.physicalCores`, { min: 1, integer: true });
  if (cpu.speedGHz !== null) num(cpu.speedGHz, `${path}.cpu.speedGHz`, { min: 0 });
  arr(cpu.flags, `${path}.cpu.flags`).forEach((f, i) => str(f, `${path}.cpu.flags[${i}]`));
  str(h.arch, `${path}.arch`);
  num(h.memoryBytes, `${path}.memoryBytes`, { min: 0 });
  const os = obj(h.os, `${path}.os`);
  for (const k of ['platform', 'distro', 'release', 'kernel']) str(os[k], `${path}.os.${k}`);
  str(h.node, `${path}.node`);
  str(h.v8, `${path}.v8`);
  bool(h.wasmSimd, `${path}.wasmSimd`);
  if (h.emulation !== undefined) {
    const e = obj(h.emulation, `${path}.emulation`);
    str(e.emulator, `${path}.emulation.emulator`);
    str(e.evidence, `${path}.emulation.evidence`);
    if (e.hostCpu !== undefined) str(e.hostCpu, `${path}.emulation.hostCpu`);
  }
  if (h.arm64 !== undefined) {
    const a = obj(h.arm64, `${path}.arm64`);
    arr(a.cores, `${path}.arm64.cores`).forEach((c, i) => {
      const core = obj(c, `${path}.arm64.cores[${i}]`);
      for (const k of ['implementer', 'part', 'name']) str(core[k], `${path}.arm64.cores[${i}].${k}`);
      num(core.count, `${path}.arm64.cores[${i}].count`, { min: 1, integer: true });
    });
    bool(a.neon, `${path}.arm64.neon`);
    bool(a.dotprod, `${path}.arm64.dotprod`);
    str(a.int8Kernel, `${path}.arm64.int8Kernel`);
  }
  if (h.browser !== undefined) {
    const b = obj(h.browser, `${path}.browser`);
    str(b.userAgent, `${path}.browser.userAgent`);
    if (b.brands !== undefined) arr(b.brands, `${path}.browser.brands`).forEach((x, i) => str(x, `${path}.browser.brands[${i}]`));
    str(b.platform, `${path}.browser.platform`);
    if (b.mobile !== undefined) bool(b.mobile, `${path}.browser.mobile`);
    if (b.model !== undefined) str(b.model, `${path}.browser.model`);
    num(b.hardwareConcurrency, `${path}.browser.hardwareConcurrency`, { min: 0, integer: true });
    if (b.deviceMemoryGB !== undefined) num(b.deviceMemoryGB, `${path}.browser.deviceMemoryGB`, { min: 0 });
    bool(b.crossOriginIsolated, `${path}.browser.crossOriginIsolated`);
  }
  if (h.load !== undefined) {
    const load = obj(h.load, `${path}.load`);
    checkLoadSample(load.before, `${path}.load.before`);
    if (load.after !== undefined) checkLoadSample(load.after, `${path}.load.after`);
  }
  if (h.speed !== undefined) {
    const s = obj(h.speed, `${path}.speed`);
    str(s.probe, `${path}.speed.probe`);
    num(s.usualMs, `${path}.speed.usualMs`, { min: 0 });
    num(s.slowestFactor, `${path}.speed.slowestFactor`, { min: 0 });
    const batches = num(s.batches, `${path}.speed.batches`, { min: 0, integer: true });
    const slow = num(s.slowBatches, `${path}.speed.slowBatches`, { min: 0, integer: true });
    if (slow > batches) throw new SchemaProblem(`${path}.speed.slowBatches`, `${slow} slow of ${batches} batches`);
    num(s.retaken, `${path}.speed.retaken`, { min: 0, integer: true });
  }
}

function checkLoadSample(v: Json, path: string): void {
  const s = obj(v, path);
  date(s.at, `${path}.at`);
  num(s.loadAverage1m, `${path}.loadAverage1m`, { min: 0 });
  if (s.otherCpuPercent !== null) num(s.otherCpuPercent, `${path}.otherCpuPercent`, { min: 0 });
  num(s.windowMs, `${path}.windowMs`, { min: 0 });
}

function checkConfig(v: Json, path: string, version: number): void {
  const c = obj(v, path);
  if (version >= 2) {
    num(c.forks, `${path}.forks`, { min: 1, integer: true });
    if (c.maxExtraForks !== undefined) num(c.maxExtraForks, `${path}.maxExtraForks`, { min: 0, integer: true });
    oneOf(c.isolation, `${path}.isolation`, ISOLATIONS);
  }
  if (c.preset !== null) str(c.preset, `${path}.preset`);
  arr(c.precisions, `${path}.precisions`).forEach((p, i) => oneOf(p, `${path}.precisions[${i}]`, PRECISIONS));
  arr(c.backends, `${path}.backends`).forEach((b, i) => oneOf(b, `${path}.backends[${i}]`, BACKENDS));
  arr(c.kernels, `${path}.kernels`).forEach((k, i) => str(k, `${path}.kernels[${i}]`));
  num(c.threads, `${path}.threads`, { min: 0, integer: true });
  num(c.timeMs, `${path}.timeMs`, { min: 0 });
  num(c.minSamples, `${path}.minSamples`, { min: 0, integer: true });
  num(c.warmupMs, `${path}.warmupMs`, { min: 0 });
  num(c.seed, `${path}.seed`, { min: 0, integer: true });
  oneOf(c.baseline, `${path}.baseline`, PRECISIONS);
  if (c.rounds !== undefined) num(c.rounds, `${path}.rounds`, { min: 1, integer: true });
  if (c.withPacking !== undefined) bool(c.withPacking, `${path}.withPacking`);
  if (version >= 3) bool(c.fromFloat, `${path}.fromFloat`);
  if (c.quantizers !== undefined) {
    const qs = obj(c.quantizers, `${path}.quantizers`);
    for (const [p, q] of Object.entries(qs)) checkQuantizer(q, `${path}.quantizers.${p}`, oneOf(p, `${path}.quantizers.${p}`, PRECISIONS));
  }
  if (c.layersFile !== undefined) str(c.layersFile, `${path}.layersFile`);
  if (c.plannedLayers !== undefined) num(c.plannedLayers, `${path}.plannedLayers`, { min: 0, integer: true });
  if (c.popcountForms !== undefined) {
    const forms = obj(c.popcountForms, `${path}.popcountForms`);
    for (const [id, form] of Object.entries(forms)) str(form, `${path}.popcountForms.${id}`);
  }
}

function checkQuantizer(v: Json, path: string, precision: (typeof PRECISIONS)[number]): void {
  const q = obj(v, path);
  if (q.precision !== precision) throw new SchemaProblem(`${path}.precision`, `expected "${precision}", got ${describe(q.precision)}`);
  try {
    checkQuantizerParams(q as unknown as QuantizerParams);
    if (precision === 'bit2' && (!Array.isArray(q.thresholds) || q.thresholds.length !== 3)) throw new RangeError('expected three thresholds');
  } catch (err) {
    throw new SchemaProblem(path, err instanceof Error ? err.message : String(err));
  }
}

function checkStats(v: Json, path: string): void {
  const s = obj(v, path);
  num(s.samples, `${path}.samples`, { min: 1, integer: true });
  for (const k of ['medianMs', 'meanMs', 'p25Ms', 'p75Ms', 'minMs', 'maxMs', 'madMs', 'rmePercent']) num(s[k], `${path}.${k}`, { min: 0 });
  const median = s.medianMs as number;
  if (median <= 0) throw new SchemaProblem(`${path}.medianMs`, 'expected a positive time');
  if (!((s.minMs as number) <= (s.p25Ms as number) && (s.p25Ms as number) <= median && median <= (s.p75Ms as number) && (s.p75Ms as number) <= (s.maxMs as number))) {
    throw new SchemaProblem(path, 'quantiles out of order (expected min <= p25 <= median <= p75 <= max)');
  }
  arr(s.sampleMs, `${path}.sampleMs`).forEach((x, i) => num(x, `${path}.sampleMs[${i}]`, { min: 0 }));
  if (s.callsPerSample !== undefined) num(s.callsPerSample, `${path}.callsPerSample`, { min: 1, integer: true });
  if (s.speedProbe !== undefined) {
    const p = obj(s.speedProbe, `${path}.speedProbe`);
    const batches = num(p.batches, `${path}.speedProbe.batches`, { min: 1, integer: true });
    const slow = num(p.slow, `${path}.speedProbe.slow`, { min: 0, integer: true });
    if (slow > batches) throw new SchemaProblem(`${path}.speedProbe.slow`, `${slow} slow of ${batches} batches`);
    num(p.retaken, `${path}.speedProbe.retaken`, { min: 0, integer: true });
    num(p.maxFactor, `${path}.speedProbe.maxFactor`, { min: 0 });
  }
  const checkFork = (f: Json, fp: string) => {
    const o = obj(f, fp);
    num(o.samples, `${fp}.samples`, { min: 1, integer: true });
    for (const k of ['medianMs', 'p25Ms', 'p75Ms']) num(o[k], `${fp}.${k}`, { min: 0 });
    if (!((o.p25Ms as number) <= (o.medianMs as number) && (o.medianMs as number) <= (o.p75Ms as number))) {
      throw new SchemaProblem(fp, 'quantiles out of order (expected p25 <= median <= p75)');
    }
  };
  let forkCount = 1;
  if (s.forks !== undefined) {
    const forks = arr(s.forks, `${path}.forks`);
    if (forks.length === 0) throw new SchemaProblem(`${path}.forks`, 'expected at least one fork');
    forks.forEach((f, i) => checkFork(f, `${path}.forks[${i}]`));
    const total = forks.reduce((n: number, f) => n + ((f as { samples: number }).samples), 0);
    if (total !== s.samples) throw new SchemaProblem(`${path}.forks`, `fork samples add up to ${total}, expected ${String(s.samples)}`);
    forkCount = forks.length;
  }
  if (s.setAsideForks !== undefined) {
    // Forks outside the agreeing majority: the pooled forks must be a strict majority of those voting.
    if (s.forks === undefined) throw new SchemaProblem(`${path}.setAsideForks`, 'set-aside forks need the pooled forks beside them');
    const aside = arr(s.setAsideForks, `${path}.setAsideForks`);
    if (aside.length === 0) throw new SchemaProblem(`${path}.setAsideForks`, 'expected at least one fork (absent when none is set aside)');
    aside.forEach((f, i) => {
      checkFork(f, `${path}.setAsideForks[${i}]`);
      const spell = (f as { slowSpell?: Json }).slowSpell;
      if (spell !== undefined) num(spell, `${path}.setAsideForks[${i}].slowSpell`, { min: 1 });
    });
    // Forks set aside for a slow spell of the machine (slowSpell) are not part of the vote.
    const voted = aside.filter((f) => (f as { slowSpell?: Json }).slowSpell === undefined).length;
    if (voted >= forkCount) throw new SchemaProblem(`${path}.setAsideForks`, `${voted} forks set aside beside ${forkCount} pooled: the pooled forks must be a majority`);
    forkCount += aside.length;
  }
  if (s.extraForks !== undefined) {
    const extra = num(s.extraForks, `${path}.extraForks`, { min: 1, integer: true });
    if (extra >= forkCount) throw new SchemaProblem(`${path}.extraForks`, `${extra} extra of ${forkCount} forks: at least one fork is planned`);
  }
}

function checkMeasurement(v: Json, path: string): void {
  const m = obj(v, path);
  const kernel = str(m.kernel, `${path}.kernel`);
  const precision = oneOf(m.precision, `${path}.precision`, PRECISIONS);
  oneOf(m.backend, `${path}.backend`, BACKENDS);
  if (!kernel.startsWith(`${precision}/`)) throw new SchemaProblem(`${path}.kernel`, `kernel "${kernel}" does not match precision "${precision}"`);
  oneOf(m.verification, `${path}.verification`, ['passed', 'failed', 'skipped'] as const);
  if (m.error !== undefined) str(m.error, `${path}.error`);
  if (m.gemm !== undefined) checkStats(m.gemm, `${path}.gemm`);
  if (m.withPacking !== undefined) checkStats(m.withPacking, `${path}.withPacking`);
  if (m.fromFloat !== undefined) checkStats(m.fromFloat, `${path}.fromFloat`);
  if (m.gemm === undefined && m.error === undefined) throw new SchemaProblem(path, 'a measurement needs either timings (gemm) or an error');
  if (m.gemm !== undefined && m.verification !== 'passed') throw new SchemaProblem(`${path}.verification`, `timed kernels must have passed verification, got "${String(m.verification)}"`);
}

function checkLayer(v: Json, path: string): void {
  const l = obj(v, path);
  str(l.name, `${path}.name`);
  if (l.partial !== undefined) bool(l.partial, `${path}.partial`);
  for (const k of ['M', 'N', 'K', 'count']) num(l[k], `${path}.${k}`, { min: 1, integer: true });
  const seen = new Set<string>();
  arr(l.measurements, `${path}.measurements`).forEach((m, i) => {
    checkMeasurement(m, `${path}.measurements[${i}]`);
    const id = (m as { kernel: string }).kernel;
    if (seen.has(id)) throw new SchemaProblem(`${path}.measurements[${i}].kernel`, `kernel "${id}" measured twice in one layer`);
    seen.add(id);
  });
}

/**
 * Checks that `doc` is a results document this version can read; throws a SchemaProblem
 * naming the first bad field. Unknown extra fields are allowed (newer minor additions).
 */
export function validateResults(doc: Json): ResultsFile {
  const r = obj(doc, '');
  if (r.schema !== RESULTS_SCHEMA) throw new SchemaProblem('schema', `not a fatnn-bench results file (expected schema "${RESULTS_SCHEMA}", got ${describe(r.schema)})`);
  const version = num(r.schemaVersion, 'schemaVersion', { integer: true, min: 1 });
  if (version > RESULTS_SCHEMA_VERSION) {
    throw new SchemaProblem('schemaVersion', `results schema version ${version} is newer than this fatnn-bench reads (${RESULTS_SCHEMA_VERSION}); upgrade fatnn-bench`);
  }
  if (version < OLDEST_READABLE_SCHEMA_VERSION) {
    throw new SchemaProblem('schemaVersion', `unsupported results schema version ${version} (this fatnn-bench reads ${OLDEST_READABLE_SCHEMA_VERSION} to ${RESULTS_SCHEMA_VERSION})`);
  }
  const tool = obj(r.tool, 'tool');
  str(tool.name, 'tool.name');
  str(tool.version, 'tool.version');
  date(r.startedAt, 'startedAt');
  if (r.finishedAt !== null) date(r.finishedAt, 'finishedAt');
  const complete = bool(r.complete, 'complete');
  if (complete && r.finishedAt === null) throw new SchemaProblem('finishedAt', 'a complete run needs a finishedAt date');
  checkHost(r.host, 'host');
  checkConfig(r.config, 'config', version);
  arr(r.skipped, 'skipped').forEach((s, i) => {
    const o = obj(s, `skipped[${i}]`);
    str(o.kernel, `skipped[${i}].kernel`);
    str(o.reason, `skipped[${i}].reason`);
  });
  arr(r.layers, 'layers').forEach((l, i) => checkLayer(l, `layers[${i}]`));
  if (version < 3 && (r.layers as Json[]).some((l) => ((l as Record<string, Json[]>).measurements ?? []).some((m) => (m as Record<string, Json>).fromFloat !== undefined))) {
    throw new SchemaProblem('schemaVersion', `a version ${version} file cannot hold fromFloat timings (added in version 3)`);
  }
  return version === RESULTS_SCHEMA_VERSION ? (doc as ResultsFile) : upgrade(r, version);
}

/**
 * Older versions, upgraded in memory (the file on disk is left as it is):
 * - 1 -> 2: a version 1 run measured every kernel once, in the runner's own process, after the
 *   kernels before it; that is one fork without isolation. Timing statistics need no change
 *   (no `forks`: read as one fork).
 * - 2 -> 3: no run before version 3 measured the fromFloat view.
 */
function upgrade(doc: Record<string, Json>, version: number): ResultsFile {
  let config = doc.config as Record<string, Json>;
  if (version < 2) config = { ...config, forks: 1, isolation: 'none' } satisfies Partial<Record<keyof RunConfig, Json>>;
  config = { ...config, fromFloat: false } satisfies Partial<Record<keyof RunConfig, Json>>;
  return { ...doc, schemaVersion: RESULTS_SCHEMA_VERSION, upgradedFrom: version, config } as unknown as ResultsFile;
}
