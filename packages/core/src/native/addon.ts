/**
 * Loads the compiled N-API addon (`build/Release/gatewave_native.node`, built by `node-gyp` when the package is
 * installed). A missing or broken build is reported, never thrown.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The functions of the compiled addon (see native/src/addon.cc for their contracts). */
export interface NativeAddon {
  info(): { isa: string; threads: number };
  setIsa(name: string): boolean;
  matmul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    batch: number,
    batchA: number,
    batchB: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    /** Adds the products to `out` instead of overwriting it. */
    accumulate?: boolean,
  ): void;
  epilogue(
    y: Float32Array,
    rows: number,
    cols: number,
    bias: Float32Array | null,
    biasLength: number,
    activation: number,
    alpha: number,
    prelu: Float32Array | null,
    preluLength: number,
  ): void;
  conv(kind: number, geometry: number[], in1: Float32Array, in2: Float32Array, out: Float32Array): void;
  slice(x: Word32Array, shape: number[], begin: number[], size: number[], out: Word32Array): void;
  transpose(x: Word32Array, shape: number[], perm: number[], out: Word32Array): void;
  concat(inputs: Word32Array[], inners: number[], outer: number, out: Word32Array): void;
  split(x: Word32Array, inners: number[], outer: number, outputs: Word32Array[]): void;
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, n: number, mode: number, inner: number): void;
  unary(op: number, x: Float32Array, out: Float32Array, n: number, alpha: number): void;
  /** Sum (0), Mean (1), Max (2) or Min (3) of x over the axes flagged in `reduced` (1 = reduced, per axis). */
  reduce(op: number, x: Float32Array, shape: number[], reduced: number[], out: Float32Array): void;
  /** Constant padding; `fill` holds the pad value in x's element type. */
  pad(x: Word32Array, shape: number[], before: number[], after: number[], fill: Word32Array, out: Word32Array): void;
  /** x with the axes flagged in `flip` (1 = reversed, per axis) reversed. */
  reverse(x: Word32Array, shape: number[], flip: number[], out: Word32Array): void;
  tile(x: Word32Array, shape: number[], reps: number[], out: Word32Array): void;
  /** a op b over `outShape`, reading a and b with the given element strides per output axis (0 = broadcast). */
  binaryBroadcast(
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    outShape: number[],
    aStrides: number[],
    bStrides: number[],
  ): void;
  /** Comparison (Greater 0, GreaterEqual 1, Less 2, LessEqual 3, Equal 4, NotEqual 5) into 0/1 bytes. */
  compare(
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Uint8Array,
    outShape: number[],
    aStrides: number[],
    bStrides: number[],
  ): void;
  select(condition: Uint8Array, t: Word32Array, e: Word32Array, out: Word32Array, n: number): void;
  /** kind 0: max pooling x -> out; kind 1: its gradient (x, dy) -> out. geometry N,H,W,C, OH,OW, FH,FW, sh,sw, pt,pl. */
  maxPool(kind: number, geometry: number[], x: Float32Array, dy: Float32Array | null, out: Float32Array): void;
  /** tfjs's FusedBatchNorm over x with C channels last; each parameter has 1 or C values. */
  batchNorm(
    x: Float32Array,
    channels: number,
    mean: Float32Array,
    variance: Float32Array,
    offset: Float32Array | null,
    scale: Float32Array | null,
    varianceEpsilon: number,
    out: Float32Array,
  ): void;
  adam(
    value: Float32Array,
    m: Float32Array,
    v: Float32Array,
    g: Float32Array,
    newValue: Float32Array,
    newM: Float32Array,
    newV: Float32Array,
    params: number[],
  ): void;
  pgnGate(z: Float32Array, h: Float32Array, out: Float32Array, rows: number, d: number): void;
  pgnGateGrad(
    z: Float32Array,
    h: Float32Array,
    dy: Float32Array,
    dz: Float32Array,
    dh: Float32Array,
    rows: number,
    d: number,
  ): void;
  /** PGN causal unfold: x [rows, T, F] -> out [rows, T, w·F]; with `backward`, dy [rows, T, w·F] -> dx [rows, T, F]. */
  causalUnfold(
    input: Float32Array,
    output: Float32Array,
    rows: number,
    T: number,
    F: number,
    w: number,
    backward: boolean,
  ): void;
  gruForward(
    geometry: number[],
    x: Float32Array,
    kernel: Float32Array,
    recurrentKernel: Float32Array,
    bias: Float32Array | null,
    hseq: Float32Array,
    gates: Float32Array,
    pre: Float32Array,
    hprev: Float32Array,
  ): void;
  gruBackward(
    geometry: number[],
    x: Float32Array,
    kernel: Float32Array,
    recurrentKernel: Float32Array,
    gates: Float32Array,
    pre: Float32Array,
    hprev: Float32Array,
    dy: Float32Array,
    sequence: boolean,
    dx: Float32Array,
    dKernel: Float32Array,
    dRecurrentKernel: Float32Array,
    dBias: Float32Array | null,
  ): void;
}

/** Arrays with 4-byte elements, which the copy kernels move without looking at them. */
export type Word32Array = Float32Array | Int32Array;

export type AddonResult = { ok: true; addon: NativeAddon; file: string } | { ok: false; reason: string };

/** Where a built addon can be: `packages/core/build/Release` seen from `src/native` and from `dist/native`. */
export function addonCandidates(): string[] {
  const root = path.resolve(__dirname, '..', '..');
  return [path.join(root, 'build', 'Release', 'gatewave_native.node')];
}

/** Loads the addon from the first candidate file that exists. */
export function loadAddon(candidates: string[] = addonCandidates()): AddonResult {
  const file = candidates.find((f) => fs.existsSync(f));
  if (!file) {
    return {
      ok: false,
      reason:
        `the native addon is not built (looked for ${candidates.join(', ')}); ` +
        'run `npm rebuild @gatewave/core` with a C++ compiler and Node headers installed',
    };
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const addon = require(file) as NativeAddon;
    if (typeof addon.matmul !== 'function' || typeof addon.info !== 'function') {
      return { ok: false, reason: `${file} is not the gatewave native addon` };
    }
    addon.info();
    return { ok: true, addon, file };
  } catch (err) {
    return {
      ok: false,
      reason: `the native addon at ${file} failed to load: ${(err as Error).message.split('\n')[0]}`,
    };
  }
}
