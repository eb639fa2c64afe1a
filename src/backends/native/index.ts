// Registry lines of the native backend: every precision on every instruction set the addon
// has (scalar, AVX2, AVX-512, NEON), each its own kernel id so reports show what each ISA buys.
// Availability is the CPU's (probed by the addon), or why the addon is missing.

import { PRECISIONS, type Availability, type KernelDeclaration, type Precision } from '../../types.js';
import { addonProblem, nativeAddon, NATIVE_ISAS, type NativeIsa } from './addon.js';
import { NativeKernel } from './native-kernel.js';

const DESCRIPTIONS: Record<NativeIsa, Record<Precision, string>> = {
  avx512: {
    fp32: 'AVX-512 FMA',
    int8: 'AVX-512 VNNI VPDPBUSD (u8 offset x s8)',
    bit2: 'AVX-512 VPOPCNTQ, 4 AND + 4 popcounts',
    ternary2b: 'bit2 AVX-512 kernel on offset values + row/column correction',
    fatnn: 'AVX-512 VPOPCNTQ + VPTERNLOGQ, 2 popcounts',
    binary: 'AVX-512 XOR + VPOPCNTQ',
  },
  avx2: {
    fp32: 'AVX2 FMA',
    int8: 'AVX2 VPMADDWD on int16-widened values',
    bit2: 'AVX2 nibble-LUT popcount (VPSHUFB + VPSADBW)',
    ternary2b: 'bit2 AVX2 kernel on offset values + row/column correction',
    fatnn: 'AVX2 nibble-LUT popcount x2',
    binary: 'AVX2 XOR + nibble-LUT popcount',
  },
  scalar: {
    fp32: 'scalar C',
    int8: 'scalar C, int32 accumulators',
    bit2: 'scalar 64-bit words, hardware POPCNT x4',
    ternary2b: 'bit2 scalar kernel on offset values + row/column correction',
    fatnn: 'scalar 64-bit words, hardware POPCNT x2',
    binary: 'scalar 64-bit words, XOR + POPCNT',
  },
  neon: {
    fp32: 'NEON FMLA',
    int8: 'NEON SDOT where present, else SMULL on int16',
    bit2: 'NEON VCNT + pairwise adds, 4 popcounts',
    ternary2b: 'bit2 NEON kernel on offset values + row/column correction',
    fatnn: 'NEON VCNT, 2 popcounts',
    binary: 'NEON EOR + VCNT',
  },
};

/** Fastest first, as `list` shows them. */
const ISA_ORDER: readonly NativeIsa[] = ['avx512', 'avx2', 'scalar', 'neon'];

function nativeKernel(precision: Precision, isa: NativeIsa): KernelDeclaration {
  const id = `${precision}/native-${isa}`;
  const code = NATIVE_ISAS[isa];
  let cached: Availability | undefined;
  const availability = (): Availability => {
    if (cached) return cached;
    const addon = nativeAddon();
    const why = addon ? addon.unavailableReason(code, PRECISIONS.indexOf(precision)) : addonProblem();
    cached = why ? { available: false, reason: why } : { available: true };
    return cached;
  };
  let description: string | undefined;
  return {
    id,
    precision,
    backend: 'native',
    /** The register tile comes from the addon's plan, so the text cannot drift from the code. */
    get description(): string {
      if (description) return description;
      const text = DESCRIPTIONS[isa][precision];
      if (!availability().available) return text;
      const plan = nativeAddon()!.plan(code, PRECISIONS.indexOf(precision), 1, 1, 1);
      description = `${text}, ${plan.mr}x${plan.nr} register tile`;
      return description;
    },
    availability,
    create: async (shape) => {
      const addon = nativeAddon();
      if (!addon) throw new Error(`${id}: ${addonProblem()}`);
      return new NativeKernel(id, precision, shape, addon, code);
    },
  };
}

export const nativeKernels: readonly KernelDeclaration[] = PRECISIONS.flatMap((p) => ISA_ORDER.map((isa) => nativeKernel(p, isa)));
