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
    bit2: 'AVX-512 VPOPCNTQ',
    ternary2b: 'bit2 kernel on offset values',
    fatnn: 'AVX-512 VPOPCNTQ + VPTERNLOGQ',
    binary: 'AVX-512 XOR + VPOPCNTQ',
  },
  avx2: {
    fp32: 'AVX2 FMA',
    int8: 'AVX2 VPMADDWD on int16-widened values',
    bit2: 'AVX2 two-table nibble LUT',
    ternary2b: 'AVX2 carry-save chain on offset values, nibble LUT',
    fatnn: 'AVX2 nibble LUT',
    binary: 'AVX2 XOR + two-table nibble LUT',
  },
  scalar: {
    fp32: 'scalar C',
    int8: 'scalar C, int32 accumulators',
    bit2: 'scalar 64-bit words, POPCNT',
    ternary2b: process.arch === 'x64' ? 'scalar 64-bit words, POPCNT, on offset values' : 'scalar carry-save chain on offset values',
    fatnn: 'scalar 64-bit words, POPCNT',
    binary: 'scalar 64-bit words, XOR + POPCNT',
  },
  neon: {
    fp32: 'NEON FMLA',
    int8: 'NEON SDOT where present, else SMULL on int16',
    bit2: 'NEON VCNT + pairwise adds',
    ternary2b: 'NEON carry-save chain on offset values, VCNT',
    fatnn: 'NEON VCNT',
    binary: 'NEON EOR + VCNT',
  },
};

/**
 * Popcount form of each bit kernel (a "word" is one 64-bit word pair of the two operands), as
 * native/src/kernels.inc and the isa_*.c switches choose it. fatnn's carry-save loop starts at
 * 3 k-words (FAT_CS_MIN_KU); scalar keeps two popcounts on x86-64 (FAT_TWO_POPCOUNTS), where
 * POPCNT is one instruction, and AVX-512 everywhere (VPOPCNTQ). ternary2b's carry-save chain
 * (T2B_CARRY_SAVE, from 2 k-words) runs on AVX2, NEON and arm64 scalar; x86-64 scalar runs its
 * three-popcount form (T2B_THREE_POPCOUNTS: offset values never set both planes, so lh | hl is
 * one popcount).
 */
const CARRY_SAVE = '1 popcount/word carry-save (K>128)';
/** ternary2b's carry-save chain over its disjoint ll, lh | hl, hh (T2B_CARRY_SAVE), from 2 k-words. */
const T2B_CARRY_SAVE = '1 popcount/word carry-save over the weighted sum (K>64)';
const POPCOUNT_FORMS: Record<NativeIsa, Partial<Record<Precision, string>>> = {
  avx512: { bit2: '4 popcounts/word', ternary2b: '4 popcounts/word', fatnn: '2 popcounts/word', binary: '1 popcount/word' },
  avx2: { bit2: '4 popcounts/word', ternary2b: T2B_CARRY_SAVE, fatnn: CARRY_SAVE, binary: '1 popcount/word' },
  scalar: {
    bit2: '4 popcounts/word',
    ternary2b: process.arch === 'x64' ? '3 popcounts/word (disjoint lh, hl)' : T2B_CARRY_SAVE,
    fatnn: process.arch === 'x64' ? '2 popcounts/word' : CARRY_SAVE,
    binary: '1 popcount/word',
  },
  neon: { bit2: '4 popcounts/word', ternary2b: T2B_CARRY_SAVE, fatnn: CARRY_SAVE, binary: '1 popcount/word' },
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
  const popcountForm = POPCOUNT_FORMS[isa][precision];
  return {
    id,
    precision,
    backend: 'native',
    ...(popcountForm !== undefined ? { popcountForm } : {}),
    /** The register tile comes from the addon's plan, so the text cannot drift from the code. */
    get description(): string {
      if (description) return description;
      const text = DESCRIPTIONS[isa][precision];
      if (!availability().available) return text;
      const plan = nativeAddon()!.plan(code, PRECISIONS.indexOf(precision), 1, 1, 1);
      description = `${text}, ${plan.mr}x${plan.nr} tile`;
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
