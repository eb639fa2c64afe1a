// Layer shapes: parsing `MxNxK`, validation, and the built-in presets.

import { UsageError } from './errors.js';
import type { Shape } from './types.js';

export interface Layer extends Shape {
  readonly name: string;
  /** How many times the layer occurs in the network (weights whole-network totals). */
  readonly count: number;
}

/** Largest dimension accepted; beyond it the operands alone would not fit in memory. */
export const MAX_DIM = 1 << 20;

/**
 * Largest operand or result, in elements (W = M*K, X = N*K, C = M*N): 2^30 values are 4 GiB as
 * fp32 or int32, more than most hosts can hold several times over, and the limit of typed arrays
 * the reference and the kernels allocate. Checked up front so no allocation fails midway.
 */
export const MAX_ELEMENTS = 2 ** 30;

export function checkShape(shape: Shape): void {
  for (const key of ['M', 'N', 'K'] as const) {
    const v = shape[key];
    if (!Number.isInteger(v) || v < 1 || v > MAX_DIM) {
      throw new UsageError(`shape ${key} = ${v} must be an integer from 1 to ${MAX_DIM}`);
    }
  }
  const { M, N, K } = shape;
  for (const [what, n] of [['W (M*K)', M * K], ['X (N*K)', N * K], ['C (M*N)', M * N]] as const) {
    if (n > MAX_ELEMENTS) throw new UsageError(`shape ${M}x${N}x${K} is too large: ${what} has ${n} elements, the limit is ${MAX_ELEMENTS} (2^30)`);
  }
}

export function shapeLabel(shape: Shape): string {
  return `${shape.M}x${shape.N}x${shape.K}`;
}

export function macs(shape: Shape): number {
  return shape.M * shape.N * shape.K;
}

/** Parses `MxNxK` (e.g. `64x3136x576`); throws a UsageError saying what is wrong. */
export function parseShape(text: string): Shape {
  const match = /^\s*(\d+)\s*[xX*]\s*(\d+)\s*[xX*]\s*(\d+)\s*$/.exec(text);
  if (!match) throw new UsageError(`malformed shape "${text}": expected MxNxK with positive integers, e.g. 64x3136x576`);
  const shape = { M: Number(match[1]), N: Number(match[2]), K: Number(match[3]) };
  try {
    checkShape(shape);
  } catch (err) {
    throw new UsageError(`bad shape "${text}": ${(err as Error).message}`);
  }
  return shape;
}

function layer(name: string, M: number, N: number, K: number, count: number): Layer {
  return { name, M, N, K, count };
}

/**
 * The 3x3 and 1x1 convolutions of ResNet-18 on a 224x224 input, lowered to GEMMs
 * (M = output channels, N = output pixels, K = C_in * kh * kw). The 7x7 stem and the FC layer
 * stay in full precision in low-bit networks, so they are not here.
 */
export const RESNET18_LAYERS: readonly Layer[] = [
  layer('conv2_x 3x3 64', 64, 3136, 576, 4),
  layer('conv3_1 3x3 s2', 128, 784, 576, 1),
  layer('conv3_x 3x3 128', 128, 784, 1152, 3),
  layer('conv3 down 1x1', 128, 784, 64, 1),
  layer('conv4_1 3x3 s2', 256, 196, 1152, 1),
  layer('conv4_x 3x3 256', 256, 196, 2304, 3),
  layer('conv4 down 1x1', 256, 196, 128, 1),
  layer('conv5_1 3x3 s2', 512, 49, 2304, 1),
  layer('conv5_x 3x3 512', 512, 49, 4608, 3),
  layer('conv5 down 1x1', 512, 49, 256, 1),
];

/**
 * Three ResNet-18 layers spanning its range of shapes (large N, a 1x1, small N with large K),
 * the smaller of each kind, so every available kernel fits in about a minute for CI.
 */
export const QUICK_LAYERS: readonly Layer[] = [
  layer('conv3_1 3x3 s2', 128, 784, 576, 1),
  layer('conv4 down 1x1', 256, 196, 128, 1),
  layer('conv5_1 3x3 s2', 512, 49, 2304, 1),
];

export const PRESETS: Readonly<Record<string, readonly Layer[]>> = {
  resnet18: RESNET18_LAYERS,
  quick: QUICK_LAYERS,
};

export function presetLayers(name: string): readonly Layer[] {
  const layers = PRESETS[name];
  if (!layers) throw new UsageError(`unknown preset "${name}" (known: ${Object.keys(PRESETS).join(', ')})`);
  return layers;
}

/** Shapes at word and tile boundaries where packing and tail handling go wrong first. */
export function edgeShapes(): Shape[] {
  const shapes: Shape[] = [];
  for (const K of [1, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 513]) shapes.push({ M: 3, N: 5, K });
  shapes.push({ M: 1, N: 1, K: 1 }, { M: 1, N: 1, K: 300 }, { M: 7, N: 1, K: 77 }, { M: 1, N: 9, K: 77 });
  shapes.push({ M: 5, N: 13, K: 200 }, { M: 17, N: 3, K: 129 }, { M: 2, N: 2, K: 4608 });
  return shapes;
}
