// The library API of fatnn-bench (package main export): the registry, the exact reference,
// operand generation, verification and the results model the CLI is built on.

export { createKernel, findKernel, KERNELS, listKernels, selectKernels, type KernelFilter } from './registry.js';
export { referenceGemm, firstMismatch } from './reference.js';
export { PRECISION_SPECS, modelSpeedup, randomLogical, randomOperands, type FillMode, type Operands, type PrecisionSpec } from './precisions.js';
export { checkShape, MAX_DIM, MAX_ELEMENTS, parseShape, shapeLabel, macs, edgeShapes, presetLayers, PRESETS, RESNET18_LAYERS, QUICK_LAYERS, type Layer } from './shapes.js';
export { quantize, quantizeValue, checkQuantizerParams, type QuantizerParams } from './quantize.js';
export { DEFAULT_QUANTIZERS, randomFloatActivations } from './from-float.js';
export { verifyCase, verifyCasesFor, describeFailure, type VerifyCase, type VerifyFailure } from './verify.js';
export { hostFingerprint, hasWasmSimd } from './host.js';
export { runShutdownHooks as shutdown } from './lifecycle.js';
export { UsageError, FatnnError } from './errors.js';
export type * from './results/schema.js';
export {
  PRECISIONS,
  BACKENDS,
  type Backend,
  type Kernel,
  type KernelDeclaration,
  type KernelInfo,
  type KernelOptions,
  type LogicalArray,
  type Precision,
  type ResultArray,
  type Shape,
} from './types.js';
