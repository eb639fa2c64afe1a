// Kernel objects of the wasm backend: pack operands once into the instance's linear memory and
// call one exported GEMM per run(). The padded C (Mp x Np) stays in wasm memory; result() copies
// the real M x N part out, outside the timed run().

import { KernelBase } from '../../kernel-base.js';
import { packPlanes, planeLayout, type BitPrecision, type PlaneLayout } from '../../packing.js';
import { fusedQuantizerArgs } from '../../from-float.js';
import type { QuantizerParams } from '../../quantize.js';
import { nanError } from '../js/from-float-packing.js';
import { popcnt32 } from '../js/popcount.js';
import { shapeLabel } from '../../shapes.js';
import type { LogicalArray, Precision, ResultArray, Shape } from '../../types.js';
import { WASM_PAGE_BYTES, checkWasmBytes, ensureMemory, instantiate, type WasmModuleName } from './loader.js';
import { wasmPopcountForm, type WasmPopcountForm } from './popcount-form.js';

type GemmFn = (...args: number[]) => void;
type PackFn = (...args: number[]) => number;
type KernelExports = WebAssembly.Exports & { memory: WebAssembly.Memory };

// Regions start on 64-byte (cache line) boundaries; the first page is left to the module's own
// static data.
const ALIGN = 64;

/** Where a kernel's buffers go in linear memory; checked against the wasm32 limit before anything is allocated. */
class MemoryPlan {
  private next = WASM_PAGE_BYTES;
  outAt = 0;

  constructor(
    readonly Mp: number,
    readonly Np: number,
  ) {}

  /** Places C last and throws a UsageError naming the limit if the total does not fit. */
  finish(id: string, shape: Shape): this {
    this.outAt = this.alloc(this.Mp * this.Np * 4);
    checkWasmBytes(id, shapeLabel(shape), this.bytes);
    return this;
  }

  alloc(bytes: number): number {
    const at = this.next;
    this.next = Math.ceil((at + bytes) / ALIGN) * ALIGN;
    return at;
  }

  get bytes(): number {
    return this.next;
  }
}

const roundUp = (v: number, multiple: number): number => Math.ceil(v / multiple) * multiple;

export abstract class WasmKernel<R extends ResultArray> extends KernelBase<R> {
  protected readonly memory: WebAssembly.Memory;
  protected readonly Mp: number;
  protected readonly Np: number;
  protected readonly outAt: number;
  private stale = true;

  constructor(id: string, precision: Precision, shape: Shape, exports: KernelExports, plan: MemoryPlan) {
    super(id, precision, shape);
    this.memory = exports.memory;
    this.Mp = plan.Mp;
    this.Np = plan.Np;
    this.outAt = plan.outAt;
    ensureMemory(id, this.memory, plan.bytes);
  }

  /** Current size of this kernel's linear memory (grown at creation to fit the shape). */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  override run(): void | Promise<void> {
    this.stale = true;
    return super.run();
  }

  override result(): R {
    if (this.stale) {
      const { M, N } = this.shape;
      const Ctor = this.precision === 'fp32' ? Float32Array : Int32Array;
      const padded = new Ctor(this.memory.buffer, this.outAt, this.Mp * this.Np);
      for (let m = 0; m < M; m++) this.out.set(padded.subarray(m * this.Np, m * this.Np + N), m * N);
      this.stale = false;
    }
    return this.out;
  }
}

// Bit kernels use a 2x2 register tile; see kernels/simd128.ts and kernels/scalar.ts.
const BIT_TILE = 2;

// simd128 groups: 4 words (one v128 per plane), or 6 words for the hybrid kernels (v128 + i64
// per plane, see kernels/simd128.ts). Hybrid runs ~15% faster per group on x86 but pads K to
// 192, so it is used only where it needs fewer groups (every ResNet-18 K >= 576). fatnn from 3
// plain groups on runs the carry-save kernel instead, which measured as fast as hybrid at
// K = 576 (0.98-1.01x) and 1.11-1.24x for K >= 1152: the i64 part of hybrid stops paying once
// the vector part needs one popcount per group. scalar: i64.
// fatnnCS (carry-save) from this many 128-bit groups on (kernels/simd128.ts says why).
const FATNN_CARRY_SAVE_MIN_GROUPS = 3;
// fatnnCS (half group, byte epilogue) up to this many 128-bit groups (K <= 1920), fatnnCSLong above.
const FATNN_CS_SHORT_MAX_GROUPS = 15;

// ternary2b on simd128 runs its own carry-save loops on 128-bit groups (never hybrid, never the
// bit2 loops): the one-level form up to this many groups (K <= 512), the one-popcount chain
// above (kernels/simd128.ts has the numbers). wasm-scalar ternary2b: three i64.popcnt per word.
const TERNARY2B_ONE_LEVEL_MAX_GROUPS = 4;
// Popcounts on i64 lanes (x86, src/backends/wasm/popcount-form.ts): fatnnLanes for every K;
// ternary2b's one-level form for one group (K <= 128), the chain from two groups on.
const TERNARY2B_LANES_ONE_LEVEL_MAX_GROUPS = 1;

const SIMD_GROUP_WORDS = 4;
const HYBRID_GROUP_WORDS = 6;
const SCALAR_GROUP_WORDS = 2;

function bitGroupWords(module: WasmModuleName, precision: BitPrecision, K: number, lanes: boolean): number {
  if (module === 'scalar') return SCALAR_GROUP_WORDS;
  if (lanes && precision === 'fatnn') return SIMD_GROUP_WORDS;
  if (precision === 'fatnn' && Math.ceil(K / 128) >= FATNN_CARRY_SAVE_MIN_GROUPS) return SIMD_GROUP_WORDS;
  if (precision === 'ternary2b') return SIMD_GROUP_WORDS;
  return Math.ceil(K / 192) < Math.ceil(K / 128) ? HYBRID_GROUP_WORDS : SIMD_GROUP_WORDS;
}

/** The GEMM export of kernels/simd128.ts or kernels/scalar.ts that runs this precision and layout. */
function gemmName(module: WasmModuleName, precision: BitPrecision, layout: PlaneLayout, lanes: boolean): string {
  if (precision === 'ternary2b') {
    if (module === 'scalar') return 'ternary2b';
    if (lanes) return layout.groups > TERNARY2B_LANES_ONE_LEVEL_MAX_GROUPS ? 'ternary2bChainLanes' : 'ternary2bOneLevelLanes';
    return layout.groups > TERNARY2B_ONE_LEVEL_MAX_GROUPS ? 'ternary2bChain' : 'ternary2bOneLevel';
  }
  if (lanes && precision === 'fatnn' && module === 'simd128') return 'fatnnLanes';
  if (layout.groupWords === HYBRID_GROUP_WORDS) return `${precision}Hybrid`;
  if (precision === 'fatnn' && module === 'simd128' && layout.groups >= FATNN_CARRY_SAVE_MIN_GROUPS) {
    return layout.groups > FATNN_CS_SHORT_MAX_GROUPS ? 'fatnnCSLong' : 'fatnnCS';
  }
  return precision;
}

// Codes of packBits in kernels/simd128.ts and kernels/scalar.ts.
const PACK_KIND: Record<BitPrecision, number> = { bit2: 0, ternary2b: 1, fatnn: 2, binary: 3 };
// simd128's packBits reads 32 values at a time, so the staging area has this much slack past the last row.
const PACK_SLACK = 32;
// fromFloat: floats are copied into linear memory this many bytes' worth of rows at a time (at
// least one row), so the copy and packFloat's reads of it stay in cache; packFloat reads up to
// 31 floats past the last row, hence the slack. Against 32 KiB, 8 KiB chunks measured 0.80-0.84x
// (more calls), 256 KiB 0.96-1.15x (noise) on 64x3136x576, loaded machine.
const FLOAT_CHUNK_BYTES = 32768;
const FLOAT_SLACK_BYTES = 128;

class BitPlan extends MemoryPlan {
  wAt = 0;
  xAt = 0;
  /** Staging area for the logical values that packBits() turns into planes. */
  stageAt = 0;
  /** fromFloat staging: `floatRows` rows of K floats (packFloat modules only). */
  floatAt = 0;
  floatRows = 0;
  rowBiasAt = 0;
  colBiasAt = 0;
}

/** Bit-plane kernels (popcount precisions), 2x2 register tiles. */
export class WasmBitKernel extends WasmKernel<Int32Array> {
  private readonly wLayout: PlaneLayout;
  private readonly xLayout: PlaneLayout;
  private readonly wAt: number;
  private readonly xAt: number;
  // ternary2b only: sum_k w + K per weight row and sum_k x per activation row.
  private readonly rowBiasAt: number;
  private readonly colBiasAt: number;
  private readonly gemm: GemmFn;
  /** The GEMM export of kernels/simd128.ts or kernels/scalar.ts this instance runs (tests read it). */
  readonly gemmExport: string;
  private readonly stageAt: number;
  private readonly packBits: PackFn;
  /** simd128: floats to planes in one pass; scalar: floats to int8 values (then packBits). */
  private readonly packFloat: PackFn | undefined;
  private readonly quantizeFloats: PackFn | undefined;
  private readonly floatAt: number;
  private readonly floatRows: number;
  /** fromFloat: the quantizer whose float32 thresholds are cached. */
  private quantizer: { q: QuantizerParams; args: Float64Array } | undefined;
  /** ternary2b's simd128 loops take K (for their i64 half group) before the biases. */
  private readonly withK: boolean;

  /** `form`: the simd128 popcount form to run instead of this host's (the speed probe keeps one). */
  static async create(id: string, precision: BitPrecision, shape: Shape, module: WasmModuleName, form?: WasmPopcountForm): Promise<WasmBitKernel> {
    const lanes = module === 'simd128' && (form ?? (await wasmPopcountForm())) === 'lanes';
    const groupWords = bitGroupWords(module, precision, shape.K, lanes);
    const wLayout = planeLayout(precision, shape.K, shape.M, groupWords, { rowMultiple: BIT_TILE });
    const xLayout = planeLayout(precision, shape.K, shape.N, groupWords, { rowMultiple: BIT_TILE });
    const plan = new BitPlan(wLayout.rows, xLayout.rows);
    plan.wAt = plan.alloc(wLayout.rows * wLayout.strideWords * 4);
    plan.xAt = plan.alloc(xLayout.rows * xLayout.strideWords * 4);
    if (precision === 'ternary2b') {
      plan.rowBiasAt = plan.alloc(wLayout.rows * 4);
      plan.colBiasAt = plan.alloc(xLayout.rows * 4);
    }
    plan.stageAt = plan.alloc(Math.max(shape.M, shape.N) * shape.K + PACK_SLACK);
    plan.floatRows = Math.min(shape.N, Math.max(1, Math.floor(FLOAT_CHUNK_BYTES / (4 * shape.K))));
    plan.floatAt = plan.alloc(plan.floatRows * shape.K * 4 + FLOAT_SLACK_BYTES);
    plan.finish(id, shape);
    return new WasmBitKernel(id, precision, shape, await instantiate(module), plan, wLayout, xLayout, gemmName(module, precision, wLayout, lanes));
  }

  private constructor(
    id: string, precision: BitPrecision, shape: Shape, exports: KernelExports, plan: BitPlan,
    wLayout: PlaneLayout, xLayout: PlaneLayout, gemm: string,
  ) {
    super(id, precision, shape, exports, plan);
    this.wLayout = wLayout;
    this.xLayout = xLayout;
    this.wAt = plan.wAt;
    this.xAt = plan.xAt;
    this.rowBiasAt = plan.rowBiasAt;
    this.colBiasAt = plan.colBiasAt;
    this.stageAt = plan.stageAt;
    this.packBits = exports.packBits as PackFn;
    this.packFloat = exports.packFloat as PackFn | undefined;
    this.quantizeFloats = exports.quantizeFloats as PackFn | undefined;
    this.floatAt = plan.floatAt;
    this.floatRows = plan.floatRows;
    this.gemm = exports[gemm] as GemmFn;
    this.gemmExport = gemm;
    this.withK = gemm.startsWith('ternary2b') && gemm !== 'ternary2b';
  }

  /** Packs rows into planes at `at` with the module's packBits (simd128: bitmask; scalar: SWAR). */
  private pack(values: LogicalArray, rows: number, layout: PlaneLayout, at: number): void {
    const { K } = this.shape;
    const precision = this.precision as BitPrecision;
    new Int8Array(this.memory.buffer, this.stageAt, rows * K).set(values);
    if (!this.packBits(this.stageAt, rows, K, at, layout.groupWords, layout.groups, PACK_KIND[precision])) return;
    // Also the path that names the first invalid value when the wasm packer found one.
    packPlanes(precision, values, rows, K, layout, new Uint32Array(this.memory.buffer, at, layout.rows * layout.strideWords));
  }

  protected packWeights(w: LogicalArray): void {
    const { M } = this.shape;
    this.pack(w, M, this.wLayout, this.wAt);
    if (this.rowBiasAt) this.ternarySums(M, this.wLayout, this.wAt, this.rowBiasAt, 0);
  }

  protected packActivations(x: LogicalArray): void {
    const { N, K } = this.shape;
    this.pack(x, N, this.xLayout, this.xAt);
    if (this.colBiasAt) this.ternarySums(N, this.xLayout, this.xAt, this.colBiasAt, -K);
  }

  /**
   * fromFloat: the floats are copied into linear memory a chunk of rows at a time (in cache for
   * the pass that reads them). simd128: packFloat (kernels/simd128.ts) compares and packs them
   * with f32x4 compares and bitmasks, ternary2b's column sums with them. wasm-scalar: its
   * packBits slices bits by byte inside each 64-bit group (kernels/scalar.ts), so quantizeFloats
   * writes the int8 values into packBits' staging and packBits packs them as setActivations
   * does. Both replaced JS loops over every float (js/from-float-packing.ts, quantize.ts):
   * from float (quantize + pack + GEMM) measured 2.3-3.4x faster for fatnn/wasm-simd128, 2.4-5.1x
   * binary, 1.6-2.7x ternary2b, 1.2-2.4x fatnn/wasm-scalar on 64x3136x576 and 128x784x1152
   * (old and new interleaved in one process, loaded machine; README "From float in wasm and
   * workers"). Copying the floats in is about a third of packFloat's time (0.24 of 0.75 ms).
   */
  protected override packActivationsFromFloat(x: Float32Array, q: QuantizerParams): boolean {
    if (this.packFloat === undefined && this.quantizeFloats === undefined) return false;
    if (this.quantizer?.q !== q) this.quantizer = { q, args: fusedQuantizerArgs(q) };
    const args = this.quantizer.args;
    const [t0 = 0, t1 = 0, t2 = 0] = args;
    const { N, K } = this.shape;
    const layout = this.xLayout;
    const chunk = this.floatRows;
    const stage = new Float32Array(this.memory.buffer, this.floatAt, chunk * K + FLOAT_SLACK_BYTES / 4);
    const rowBytes = layout.strideWords * 4;
    const kind = PACK_KIND[this.precision as BitPrecision];
    let nan = 0;
    for (let r = 0; r < N; r += chunk) {
      const rows = Math.min(chunk, N - r);
      stage.set(x.subarray(r * K, (r + rows) * K));
      if (this.packFloat) {
        // stale floats of an earlier chunk must not read as a NaN of this one
        stage.fill(0, rows * K, rows * K + FLOAT_SLACK_BYTES / 4);
        nan |= this.packFloat(this.floatAt, rows, K, this.xAt + r * rowBytes, layout.groupWords, layout.groups, kind, t0, t1, t2, this.colBiasAt ? this.colBiasAt + r * 4 : 0);
      } else {
        nan |= this.quantizeFloats!(this.floatAt, rows * K, this.stageAt + r * K, kind, t0, t1, t2);
      }
    }
    if (nan) {
      for (let i = 0; i < N * K; i++) if (x[i] !== x[i]) throw nanError(this.precision, i, K);
    }
    if (!this.packFloat) {
      if (this.packBits(this.stageAt, N, K, this.xAt, layout.groupWords, layout.groups, kind)) throw new Error(`${this.id}: quantizeFloats wrote a value outside the ${this.precision} set`);
      if (this.colBiasAt) this.ternarySums(N, layout, this.xAt, this.colBiasAt, -K);
    }
    return true;
  }

  /**
   * ternary2b row sums read back from the packed planes (faster than summing the int8 values):
   * plane 0 marks t = 0, plane 1 t = +1, so sum_k t = 2 popcount(plane 1) + popcount(plane 0) - K.
   * Stores that sum + K + `offset` (rowBias wants sum + K, colBias the plain sum).
   */
  private ternarySums(rows: number, layout: PlaneLayout, at: number, out: number, offset: number): void {
    const words = new Uint32Array(this.memory.buffer, at, rows * layout.strideWords);
    const sums = new Int32Array(this.memory.buffer, out, rows);
    const gw = layout.groupWords;
    for (let r = 0; r < rows; r++) {
      let s = offset;
      for (let g = r * layout.strideWords, end = g + layout.strideWords; g < end; g += 2 * gw) {
        for (let i = 0; i < gw; i++) s += popcnt32(words[g + i]) + 2 * popcnt32(words[g + gw + i]);
      }
      sums[r] = s;
    }
  }

  protected compute(): void {
    const groups = this.wLayout.groups;
    if (this.precision === 'binary' || this.precision === 'fatnn') this.gemm(this.wAt, this.xAt, this.outAt, this.Mp, this.Np, groups, this.shape.K);
    else if (this.withK) this.gemm(this.wAt, this.xAt, this.outAt, this.Mp, this.Np, groups, this.shape.K, this.rowBiasAt, this.colBiasAt);
    else this.gemm(this.wAt, this.xAt, this.outAt, this.Mp, this.Np, groups, this.rowBiasAt, this.colBiasAt);
  }
}

// fp32 and int8 use a 4 (M) x 2 (N) register tile; see kernels/simd128.ts.
const DENSE_TILE_M = 4;
const DENSE_TILE_N = 2;

class DensePlan extends MemoryPlan {
  wAt = 0;
  xAt = 0;
  /** Staging area for the logical values that panelize() rearranges. */
  stageAt = 0;
  /** int8 fromFloat staging: `floatRows` rows of K floats. */
  floatAt = 0;
  floatRows = 0;

  constructor(Mp: number, Np: number, readonly Kp: number) {
    super(Mp, Np);
  }
}

/** fp32 floats, int8 values widened to i16; K padded with zeros to 16 bytes, rows in tile panels. */
export class WasmDenseKernel<R extends ResultArray> extends WasmKernel<R> {
  private readonly Kp: number;
  private readonly wAt: number;
  private readonly xAt: number;
  private readonly gemm: GemmFn;
  private readonly panelize: GemmFn;
  private readonly stageAt: number;
  private readonly quantizeInt8Panels: PackFn;
  private readonly floatAt: number;
  private readonly floatRows: number;

  static async create(id: string, precision: 'fp32' | 'int8', shape: Shape): Promise<WasmDenseKernel<ResultArray>> {
    const lanes = precision === 'fp32' ? 4 : 8;
    const Kp = roundUp(shape.K, lanes);
    const plan = new DensePlan(roundUp(shape.M, DENSE_TILE_M), roundUp(shape.N, DENSE_TILE_N), Kp);
    plan.wAt = plan.alloc(plan.Mp * Kp * (16 / lanes));
    plan.xAt = plan.alloc(plan.Np * Kp * (16 / lanes));
    plan.stageAt = plan.alloc(Math.max(shape.M, shape.N) * shape.K * (precision === 'fp32' ? 4 : 1));
    if (precision === 'int8') {
      plan.floatRows = Math.min(shape.N, Math.max(1, Math.floor(FLOAT_CHUNK_BYTES / (4 * shape.K))));
      plan.floatAt = plan.alloc(plan.floatRows * shape.K * 4);
    }
    plan.finish(id, shape);
    return new WasmDenseKernel(id, precision, shape, await instantiate('simd128'), plan);
  }

  private constructor(id: string, precision: 'fp32' | 'int8', shape: Shape, exports: KernelExports, plan: DensePlan) {
    super(id, precision, shape, exports, plan);
    this.Kp = plan.Kp;
    this.wAt = plan.wAt;
    this.xAt = plan.xAt;
    this.gemm = exports[precision] as GemmFn;
    this.panelize = exports.panelize as GemmFn;
    this.stageAt = plan.stageAt;
    this.quantizeInt8Panels = exports.quantizeInt8Panels as PackFn;
    this.floatAt = plan.floatAt;
    this.floatRows = plan.floatRows;
  }

  /**
   * int8 fromFloat: floats copied into linear memory a chunk of rows at a time, quantized and
   * widened into X's i16 panels by quantizeInt8Panels (kernels/simd128.ts), instead of the JS
   * quantizer into an Int8Array, its copy into wasm and panelize: from float measured 1.8-2.7x
   * faster on 64x3136x576 and 128x784x1152 (README "From float in wasm and workers").
   */
  protected override packActivationsFromFloat(x: Float32Array, q: QuantizerParams): boolean {
    if (q.precision !== 'int8' || this.floatRows === 0) return false;
    const scale = fusedQuantizerArgs(q)[0]!;
    const { N, K } = this.shape;
    const chunk = this.floatRows;
    const stage = new Float32Array(this.memory.buffer, this.floatAt, chunk * K);
    let nan = 0;
    for (let r = 0; r < N; r += chunk) {
      const rows = Math.min(chunk, N - r);
      stage.set(x.subarray(r * K, (r + rows) * K));
      nan |= this.quantizeInt8Panels(this.floatAt, rows, K, this.xAt, DENSE_TILE_N, r, scale);
    }
    if (nan) {
      for (let i = 0; i < N * K; i++) if (x[i] !== x[i]) throw nanError(this.precision, i, K);
    }
    return true;
  }

  /** Writes rows into the panel layout of kernels/simd128.ts (via panelize() in wasm). */
  private place(values: LogicalArray, rows: number, tileRows: number, at: number): void {
    const stage = this.precision === 'fp32'
      ? new Float32Array(this.memory.buffer, this.stageAt, values.length)
      : new Int8Array(this.memory.buffer, this.stageAt, values.length);
    stage.set(values);
    this.panelize(this.stageAt, rows, this.shape.K, at, tileRows, this.precision === 'int8' ? 1 : 0);
  }

  protected packWeights(w: LogicalArray): void {
    this.place(w, this.shape.M, DENSE_TILE_M, this.wAt);
  }

  protected packActivations(x: LogicalArray): void {
    this.place(x, this.shape.N, DENSE_TILE_N, this.xAt);
  }

  protected compute(): void {
    this.gemm(this.wAt, this.xAt, this.outAt, this.Mp, this.Np, this.Kp);
  }
}

