/**
 * Kernel overrides of the `native` backend. Each one handles the common case in the addon and returns null for
 * anything else (another dtype, a broadcast it does not know, NCHW), in which case the stock `cpu` kernel runs.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon, Word32Array } from './addon';

type TensorInfo = tf.TensorInfo;
type Attrs = Record<string, unknown>;

/** The parts of tfjs's MathBackendCPU that the kernels use. */
export interface CpuBackend {
  data: { get(dataId: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Word32Array): TensorInfo;
}

export interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined> | TensorInfo[];
  backend: unknown;
  attrs?: Attrs;
}

/** How many times each override ran natively (not counting fallbacks to the stock kernel); for tests. */
export const kernelHits: Record<string, number> = {};

/** Returns the kernel's outputs, or null to let the stock kernel run. */
export type Override = (args: KernelArgs, addon: NativeAddon) => TensorInfo | TensorInfo[] | null;

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The Float32Array behind a float32 tensor on a cpu-style backend, or null. */
export function f32(backend: CpuBackend, t: TensorInfo | undefined): Float32Array | null {
  if (!t || t.dtype !== 'float32') return null;
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array && values.length === size(t.shape) ? values : null;
}

/** The array behind a float32 or int32 tensor (4-byte elements), or null. */
function word32(backend: CpuBackend, t: TensorInfo | undefined): Word32Array | null {
  if (!t || (t.dtype !== 'float32' && t.dtype !== 'int32')) return null;
  const values = backend.data.get(t.dataId).values;
  if (!(values instanceof Float32Array || values instanceof Int32Array)) return null;
  return values.length === size(t.shape) ? values : null;
}

function like(values: Word32Array, n: number): Word32Array {
  return values instanceof Int32Array ? new Int32Array(n) : new Float32Array(n);
}

function named(args: KernelArgs): Record<string, TensorInfo | undefined> {
  return args.inputs as Record<string, TensorInfo | undefined>;
}

// ------------------------------------------------------------------------------------------------ activations

/** Activation codes of native/src/kernels.h. */
const ACTIVATIONS: Record<string, number> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  sigmoid: 3,
  leakyrelu: 4,
  elu: 5,
  prelu: 8,
};

interface Epilogue {
  bias: Float32Array | null;
  activation: number;
  alpha: number;
  prelu: Float32Array | null;
}

/** Bias and activation of a fused kernel when they broadcast along the last axis (`cols`), else null. */
function epilogueFor(backend: CpuBackend, args: KernelArgs, cols: number): Epilogue | null {
  const { bias, preluActivationWeights } = named(args);
  const attrs = args.attrs ?? {};
  const name = (attrs.activation as string | undefined) ?? 'linear';
  const activation = ACTIVATIONS[name];
  if (activation === undefined) return null;
  let biasValues: Float32Array | null = null;
  if (bias) {
    biasValues = f32(backend, bias);
    if (!biasValues) return null;
    const n = biasValues.length;
    if (!(n === 1 || (n === cols && bias.shape[bias.shape.length - 1] === cols))) return null;
  }
  let prelu: Float32Array | null = null;
  if (name === 'prelu') {
    prelu = f32(backend, preluActivationWeights);
    if (!prelu || preluActivationWeights === undefined) return null;
    const n = prelu.length;
    const shape = preluActivationWeights.shape;
    if (!(n === 1 || (n === cols && shape[shape.length - 1] === cols))) return null;
  }
  const alpha = (attrs.leakyreluAlpha as number | undefined) ?? 0.2;
  return { bias: biasValues, activation, alpha, prelu };
}

function applyEpilogue(addon: NativeAddon, out: Float32Array, cols: number, e: Epilogue): void {
  if (!e.bias && e.activation === 0) return;
  addon.epilogue(
    out,
    out.length / cols,
    cols,
    e.bias,
    e.bias ? e.bias.length : 0,
    e.activation,
    e.alpha,
    e.prelu,
    e.prelu ? e.prelu.length : 0,
  );
}

// ------------------------------------------------------------------------------------------------ matmul

function matmul(args: KernelArgs, addon: NativeAddon, fused: boolean): TensorInfo | null {
  const backend = args.backend as CpuBackend;
  const { a, b } = named(args);
  const av = f32(backend, a);
  const bv = f32(backend, b);
  if (!a || !b || !av || !bv || a.shape.length < 2 || b.shape.length < 2) return null;
  const transposeA = Boolean(args.attrs?.transposeA);
  const transposeB = Boolean(args.attrs?.transposeB);
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb || m === 0 || n === 0) return null;
  const batchA = size(a.shape.slice(0, -2));
  const batchB = size(b.shape.slice(0, -2));
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    return null;
  }
  const batch = Math.max(batchA, batchB);
  if (batchA === 0 || batchB === 0 || size(outer) !== batch) return null;
  const epilogue = fused ? epilogueFor(backend, args, n) : null;
  if (fused && !epilogue) return null;
  const out = new Float32Array(batch * m * n);
  addon.matmul(av, bv, out, batch, batchA, batchB, m, n, k, transposeA, transposeB);
  if (epilogue) applyEpilogue(addon, out, n, epilogue);
  return backend.makeTensorInfo([...outer, m, n], 'float32', out);
}

// ------------------------------------------------------------------------------------------------ convolutions

type ConvInfo = tf.backend_util.Conv2DInfo;

function geometry(c: ConvInfo): number[] {
  return [
    c.batchSize,
    c.inHeight,
    c.inWidth,
    c.inChannels,
    c.outHeight,
    c.outWidth,
    c.outChannels,
    c.filterHeight,
    c.filterWidth,
    c.strideHeight,
    c.strideWidth,
    c.dilationHeight,
    c.dilationWidth,
    c.padInfo.top,
    c.padInfo.left,
  ];
}

function convInfo(
  xShape: number[],
  filterShape: number[],
  attrs: Attrs,
  depthwise: boolean,
  dilations: unknown,
): ConvInfo | null {
  const format = (attrs.dataFormat as string | undefined) ?? 'NHWC';
  if (!depthwise && format !== 'NHWC') return null;
  if (xShape.length !== 4 || filterShape.length !== 4) return null;
  try {
    const info = tf.backend_util.computeConv2DInfo(
      xShape as [number, number, number, number],
      filterShape as [number, number, number, number],
      attrs.strides as [number, number] | number,
      (dilations ?? 1) as [number, number] | number,
      attrs.pad as 'valid' | 'same' | number,
      attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
      depthwise,
      'channelsLast',
    );
    const sizes = [info.outHeight, info.outWidth, info.batchSize, info.inChannels, info.outChannels];
    return sizes.every((s) => s > 0) ? info : null;
  } catch {
    return null;
  }
}

function convForward(args: KernelArgs, addon: NativeAddon, depthwise: boolean, fused: boolean): TensorInfo | null {
  const backend = args.backend as CpuBackend;
  const { x, filter } = named(args);
  const xv = f32(backend, x);
  const wv = f32(backend, filter);
  if (!x || !filter || !xv || !wv) return null;
  const attrs = args.attrs ?? {};
  const info = convInfo(x.shape, filter.shape, attrs, depthwise, attrs.dilations);
  if (!info) return null;
  const epilogue = fused ? epilogueFor(backend, args, info.outChannels) : null;
  if (fused && !epilogue) return null;
  const out = new Float32Array(size(info.outShape));
  addon.conv(depthwise ? 3 : 0, geometry(info), xv, wv, out);
  if (epilogue) applyEpilogue(addon, out, info.outChannels, epilogue);
  return backend.makeTensorInfo(info.outShape, 'float32', out);
}

function convBackpropInput(args: KernelArgs, addon: NativeAddon, depthwise: boolean): TensorInfo | null {
  const backend = args.backend as CpuBackend;
  const { dy, filter } = named(args);
  const dyv = f32(backend, dy);
  const wv = f32(backend, filter);
  if (!dy || !filter || !dyv || !wv) return null;
  const attrs = args.attrs ?? {};
  const inputShape = attrs.inputShape as number[];
  const info = convInfo(inputShape, filter.shape, attrs, depthwise, depthwise ? attrs.dilations : 1);
  if (!info || size(info.outShape) !== dyv.length) return null;
  const dx = new Float32Array(size(inputShape));
  addon.conv(depthwise ? 4 : 1, geometry(info), dyv, wv, dx);
  return backend.makeTensorInfo(inputShape.slice(), 'float32', dx);
}

function convBackpropFilter(args: KernelArgs, addon: NativeAddon, depthwise: boolean): TensorInfo | null {
  const backend = args.backend as CpuBackend;
  const { x, dy } = named(args);
  const xv = f32(backend, x);
  const dyv = f32(backend, dy);
  if (!x || !dy || !xv || !dyv) return null;
  const attrs = args.attrs ?? {};
  const filterShape = attrs.filterShape as number[];
  const info = convInfo(x.shape, filterShape, attrs, depthwise, depthwise ? attrs.dilations : 1);
  if (!info || size(info.outShape) !== dyv.length) return null;
  const dw = new Float32Array(size(filterShape));
  addon.conv(depthwise ? 5 : 2, geometry(info), xv, dyv, dw);
  return backend.makeTensorInfo(filterShape.slice(), 'float32', dw);
}

// ------------------------------------------------------------------------------------------------ copies

function slice(args: KernelArgs, addon: NativeAddon): TensorInfo | null {
  const backend = args.backend as CpuBackend;
  const { x } = named(args);
  const xv = word32(backend, x);
  if (!x || !xv || x.shape.length === 0) return null;
  let begin: number[];
  let sizes: number[];
  try {
    [begin, sizes] = tf.slice_util.parseSliceParams(
      x as unknown as tf.Tensor,
      args.attrs?.begin as number | number[],
      args.attrs?.size as number | number[],
    );
  } catch {
    return null;
  }
  if (begin.length !== x.shape.length || sizes.some((s, i) => s < 0 || begin[i] < 0 || begin[i] + s > x.shape[i])) {
    return null;
  }
  // A contiguous slice is a view, as in the stock kernel.
  if (tf.slice_util.isSliceContinous(x.shape, begin, sizes)) return null;
  const out = like(xv, size(sizes));
  if (out.length > 0) addon.slice(xv, x.shape, begin, sizes, out);
  return backend.makeTensorInfo(sizes, x.dtype, out);
}

function splitV(args: KernelArgs, addon: NativeAddon): TensorInfo[] | null {
  const backend = args.backend as CpuBackend;
  const { x } = named(args);
  const xv = word32(backend, x);
  if (!x || !xv || x.shape.length === 0) return null;
  let axis: number;
  let splits: number[];
  try {
    axis = tf.util.parseAxisParam(args.attrs?.axis as number, x.shape)[0];
    splits = tf.backend_util.prepareSplitSize(
      x as unknown as tf.Tensor,
      args.attrs?.numOrSizeSplits as number | number[],
      axis,
    );
  } catch {
    return null;
  }
  if (splits.reduce((a, b) => a + b, 0) !== x.shape[axis] || splits.some((s) => s < 0)) return null;
  const outer = size(x.shape.slice(0, axis));
  const inner = size(x.shape.slice(axis + 1));
  const inners = splits.map((s) => s * inner);
  const shapes = splits.map((s) => {
    const shape = x.shape.slice();
    shape[axis] = s;
    return shape;
  });
  let outputs: Word32Array[];
  if (outer === 1) {
    // Each part is a contiguous run of x: hand out views, as the stock kernel does.
    let offset = 0;
    outputs = inners.map((n) => {
      const view = xv.subarray(offset, offset + n);
      offset += n;
      return view;
    });
  } else {
    outputs = inners.map((n) => like(xv, outer * n));
    if (outer > 0) addon.split(xv, inners, outer, outputs);
  }
  return outputs.map((values, i) => backend.makeTensorInfo(shapes[i], x.dtype, values));
}

function concat(args: KernelArgs, addon: NativeAddon): TensorInfo | null {
  const backend = args.backend as CpuBackend;
  const inputs = Array.isArray(args.inputs) ? args.inputs : Object.values(args.inputs);
  if (inputs.length < 2) return null;
  const first = inputs[0] as TensorInfo;
  if (!first || first.shape.length === 0) return null;
  let axis: number;
  let outShape: number[];
  try {
    axis = tf.util.parseAxisParam(args.attrs?.axis as number, first.shape)[0];
    const shapes = inputs.map((t) => (t as TensorInfo).shape);
    tf.backend_util.assertParamsConsistent(shapes, axis);
    outShape = tf.backend_util.computeOutShape(shapes, axis);
  } catch {
    return null;
  }
  const parts = (inputs as TensorInfo[]).filter((t) => size(t.shape) > 0);
  if (parts.length < 2 || parts.some((t) => t.dtype !== first.dtype)) return null;
  const values = parts.map((t) => word32(backend, t));
  if (values.some((v) => v === null)) return null;
  const arrays = values as Word32Array[];
  if (arrays.some((v) => v.constructor !== arrays[0].constructor)) return null;
  const outer = size(outShape.slice(0, axis));
  const inners = parts.map((t) => size(t.shape.slice(axis)));
  const out = like(arrays[0], size(outShape));
  addon.concat(arrays, inners, outer, out);
  return backend.makeTensorInfo(outShape, first.dtype, out);
}

function transpose(args: KernelArgs, addon: NativeAddon): TensorInfo | null {
  const backend = args.backend as CpuBackend;
  const { x } = named(args);
  const xv = word32(backend, x);
  const perm = args.attrs?.perm as number[] | undefined;
  if (!x || !xv || !perm || x.shape.length < 2 || perm.length !== x.shape.length) return null;
  const outShape = perm.map((p) => x.shape[p]);
  const out = like(xv, xv.length);
  if (out.length > 0) addon.transpose(xv, x.shape, perm, out);
  return backend.makeTensorInfo(outShape, x.dtype, out);
}

// ------------------------------------------------------------------------------------------------ elementwise

/** The float32 operands of a broadcasting binary kernel and their output shape, or null to fall back. */
function binaryOperands(args: KernelArgs) {
  const backend = args.backend as CpuBackend;
  const { a, b } = named(args);
  const av = f32(backend, a);
  const bv = f32(backend, b);
  if (!a || !b || !av || !bv) return null;
  let outShape: number[];
  try {
    outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
  } catch {
    return null;
  }
  const n = size(outShape);
  return n === 0 ? null : { backend, a, b, av, bv, outShape, n };
}

const BINARY: Record<string, number> = {
  Add: 0,
  Sub: 1,
  Multiply: 2,
  RealDiv: 3,
  SquaredDifference: 4,
  Maximum: 5,
  Minimum: 6,
};

function binary(op: number) {
  return (args: KernelArgs, addon: NativeAddon): TensorInfo | null => {
    const operands = binaryOperands(args);
    if (!operands) return null;
    const { backend, a, b, av, bv, outShape, n } = operands;
    let mode: number;
    let inner = 1;
    const trailing = (shape: number[]): boolean => {
      let s = shape.slice();
      while (s.length > 0 && s[0] === 1) s = s.slice(1);
      return s.length > 0 && s.every((d, i) => d === outShape[outShape.length - s.length + i]);
    };
    if (av.length === n && bv.length === n) mode = 0;
    else if (av.length === 1 && bv.length === n) mode = 1;
    else if (bv.length === 1 && av.length === n) mode = 2;
    else if (av.length === n && trailing(b.shape)) {
      mode = 3;
      inner = bv.length;
    } else if (bv.length === n && trailing(a.shape)) {
      mode = 4;
      inner = av.length;
    } else {
      const out = new Float32Array(n);
      const g = broadcastGeometry(a.shape, b.shape, outShape);
      addon.binaryBroadcast(op, av, bv, out, g.shape, g.aStrides, g.bStrides);
      return backend.makeTensorInfo(outShape, 'float32', out);
    }
    const out = new Float32Array(n);
    addon.binary(op, av, bv, out, n, mode, inner);
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

/**
 * The output shape of a broadcast a op b with the element strides of a and b along each axis (0 where broadcast),
 * with size-1 axes dropped and neighbouring axes merged where both inputs stay contiguous (or both broadcast).
 */
export function broadcastGeometry(
  aShape: readonly number[],
  bShape: readonly number[],
  outShape: readonly number[],
): { shape: number[]; aStrides: number[]; bStrides: number[] } {
  const r = outShape.length;
  const stridesOf = (shape: readonly number[]): number[] => {
    const padded = [...new Array<number>(r - shape.length).fill(1), ...shape];
    const strides = new Array<number>(r).fill(0);
    let s = 1;
    for (let d = r - 1; d >= 0; d--) {
      strides[d] = padded[d] === 1 ? 0 : s;
      s *= padded[d];
    }
    return strides;
  };
  const as = stridesOf(aShape);
  const bs = stridesOf(bShape);
  const shape: number[] = [];
  const aStrides: number[] = [];
  const bStrides: number[] = [];
  for (let d = 0; d < r; d++) {
    if (outShape[d] === 1) continue;
    const k = shape.length - 1;
    // Axis d continues axis k when each input is either broadcast along both or contiguous across them.
    const joins = (st: number[], sd: number): boolean =>
      (st[k] === 0 && sd === 0) || (st[k] !== 0 && sd !== 0 && st[k] === sd * outShape[d]);
    if (k >= 0 && joins(aStrides, as[d]) && joins(bStrides, bs[d])) {
      shape[k] *= outShape[d];
      aStrides[k] = as[d];
      bStrides[k] = bs[d];
    } else {
      shape.push(outShape[d]);
      aStrides.push(as[d]);
      bStrides.push(bs[d]);
    }
  }
  if (shape.length === 0) return { shape: [1], aStrides: [0], bStrides: [0] };
  return { shape, aStrides, bStrides };
}

const COMPARE: Record<string, number> = { Greater: 0, GreaterEqual: 1, Less: 2, LessEqual: 3, Equal: 4, NotEqual: 5 };

function compare(op: number) {
  return (args: KernelArgs, addon: NativeAddon): TensorInfo | null => {
    const operands = binaryOperands(args);
    if (!operands) return null;
    const { backend, a, b, av, bv, outShape, n } = operands;
    const out = new Uint8Array(n);
    const g = broadcastGeometry(a.shape, b.shape, outShape);
    addon.compare(op, av, bv, out, g.shape, g.aStrides, g.bStrides);
    return backend.makeTensorInfo(outShape, 'bool', out as unknown as Word32Array);
  };
}

function select(args: KernelArgs, addon: NativeAddon): TensorInfo | null {
  const backend = args.backend as CpuBackend;
  const { condition, t, e } = named(args);
  if (!condition || !t || !e || condition.dtype !== 'bool' || t.dtype !== e.dtype) return null;
  const cv = backend.data.get(condition.dataId).values;
  const tv = word32(backend, t);
  const ev = word32(backend, e);
  const n = size(t.shape);
  if (!(cv instanceof Uint8Array) || !tv || !ev || n === 0 || cv.length !== n || ev.length !== n) return null;
  if (!tf.util.arraysEqual(t.shape, e.shape) || condition.shape.length !== t.shape.length) return null;
  const out = like(tv, n);
  addon.select(cv, tv, ev, out, n);
  return backend.makeTensorInfo(t.shape.slice(), t.dtype, out);
}

// ------------------------------------------------------------------------------------------------ reductions

function reduction(op: number) {
  return (args: KernelArgs, addon: NativeAddon): TensorInfo | null => {
    const backend = args.backend as CpuBackend;
    const { x } = named(args);
    const xv = f32(backend, x);
    if (!x || !xv || xv.length === 0) return null;
    let axes: number[];
    try {
      // Max names its axes `reductionIndices`; Sum, Mean and Min name them `axis`.
      const axis = (op === 2 ? args.attrs?.reductionIndices : args.attrs?.axis) as number | number[] | undefined;
      axes = tf.util.parseAxisParam(axis as number | number[], x.shape);
    } catch {
      return null;
    }
    const reduced = x.shape.map((_, d) => (axes.includes(d) ? 1 : 0));
    const kept = x.shape.filter((_, d) => !reduced[d]);
    const out = new Float32Array(size(kept));
    addon.reduce(op, xv, x.shape, reduced, out);
    const shape = args.attrs?.keepDims ? x.shape.map((s, d) => (reduced[d] ? 1 : s)) : kept;
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

// ------------------------------------------------------------------------------------------------ pad, tile, unpack

function padV2(args: KernelArgs, addon: NativeAddon): TensorInfo | null {
  const backend = args.backend as CpuBackend;
  const { x } = named(args);
  const xv = word32(backend, x);
  const paddings = args.attrs?.paddings as [number, number][] | undefined;
  if (!x || !xv || !paddings || x.shape.length === 0 || paddings.length !== x.shape.length) return null;
  if (paddings.some((p) => !(p[0] >= 0 && p[1] >= 0))) return null;
  const outShape = x.shape.map((s, d) => paddings[d][0] + s + paddings[d][1]);
  const n = size(outShape);
  const out = like(xv, n);
  const value = Number(args.attrs?.constantValue ?? 0);
  const fill = like(xv, 1);
  fill[0] = value;
  if (n > 0)
    addon.pad(
      xv,
      x.shape,
      paddings.map((p) => p[0]),
      paddings.map((p) => p[1]),
      fill,
      out,
    );
  return backend.makeTensorInfo(outShape, x.dtype, out);
}

function tileKernel(args: KernelArgs, addon: NativeAddon): TensorInfo | null {
  const backend = args.backend as CpuBackend;
  const { x } = named(args);
  const xv = word32(backend, x);
  const reps = args.attrs?.reps as number[] | undefined;
  if (!x || !xv || !reps || x.shape.length === 0 || reps.length !== x.shape.length) return null;
  if (reps.some((r) => !(Number.isInteger(r) && r >= 0))) return null;
  const outShape = x.shape.map((s, d) => s * reps[d]);
  const out = like(xv, size(outShape));
  if (out.length > 0) addon.tile(xv, x.shape, reps, out);
  return backend.makeTensorInfo(outShape, x.dtype, out);
}

function reverse(args: KernelArgs, addon: NativeAddon): TensorInfo | null {
  const backend = args.backend as CpuBackend;
  const { x } = named(args);
  const xv = word32(backend, x);
  if (!x || !xv || x.shape.length === 0 || xv.length === 0) return null;
  let axes: number[];
  try {
    axes = tf.util.parseAxisParam(args.attrs?.dims as number | number[], x.shape);
  } catch {
    return null;
  }
  const out = like(xv, xv.length);
  addon.reverse(
    xv,
    x.shape,
    x.shape.map((_, d) => (axes.includes(d) ? 1 : 0)),
    out,
  );
  return backend.makeTensorInfo(x.shape.slice(), x.dtype, out);
}

function unpack(args: KernelArgs, addon: NativeAddon): TensorInfo[] | null {
  const backend = args.backend as CpuBackend;
  const { value } = named(args);
  const xv = word32(backend, value);
  if (!value || !xv || value.shape.length === 0 || xv.length === 0) return null;
  let axis = Number(args.attrs?.axis ?? 0);
  if (axis < 0) axis += value.shape.length;
  if (!(axis >= 0 && axis < value.shape.length)) return null;
  const num = value.shape[axis];
  const outer = size(value.shape.slice(0, axis));
  const inner = size(value.shape.slice(axis + 1));
  const outShape = value.shape.filter((_, d) => d !== axis);
  const outputs = Array.from({ length: num }, () => like(xv, outer * inner));
  addon.split(xv, new Array<number>(num).fill(inner), outer, outputs);
  return outputs.map((v) => backend.makeTensorInfo(outShape.slice(), value.dtype, v));
}

// ------------------------------------------------------------------------------------------------ batch norm

function batchNorm(args: KernelArgs, addon: NativeAddon): TensorInfo | null {
  const backend = args.backend as CpuBackend;
  const { x, mean, variance, offset, scale } = named(args);
  const xv = f32(backend, x);
  const mv = f32(backend, mean);
  const vv = f32(backend, variance);
  const ov = offset ? f32(backend, offset) : null;
  const sv = scale ? f32(backend, scale) : null;
  if (!x || !xv || !mv || !vv || xv.length === 0 || (offset && !ov) || (scale && !sv)) return null;
  // Parameters broadcast along the last axis only (1 or C values each), as the layers' batch norm uses them.
  const C = Math.max(mv.length, vv.length, ov ? ov.length : 1, sv ? sv.length : 1);
  const last = x.shape[x.shape.length - 1];
  if (!(C === 1 || C === last)) return null;
  if ([mv, vv, ov, sv].some((p) => p && p.length !== 1 && p.length !== C)) return null;
  const eps = args.attrs?.varianceEpsilon == null ? 0.001 : Number(args.attrs.varianceEpsilon);
  const out = new Float32Array(xv.length);
  addon.batchNorm(xv, C, mv, vv, ov, sv, eps, out);
  return backend.makeTensorInfo(x.shape.slice(), 'float32', out);
}

// ------------------------------------------------------------------------------------------------ max pooling

function poolGeometry(xShape: number[], attrs: Attrs): number[] | null {
  if (xShape.length !== 4) return null;
  let info: tf.backend_util.Conv2DInfo;
  try {
    info = tf.backend_util.computePool2DInfo(
      xShape as [number, number, number, number],
      attrs.filterSize as [number, number] | number,
      attrs.strides as [number, number] | number,
      1,
      attrs.pad as 'valid' | 'same' | number,
      attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    );
  } catch {
    return null;
  }
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  if ([info.outHeight, info.outWidth, info.batchSize, info.inChannels].some((s) => !(s > 0))) return null;
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

function maxPool(args: KernelArgs, addon: NativeAddon): TensorInfo | null {
  const backend = args.backend as CpuBackend;
  const { x } = named(args);
  const xv = f32(backend, x);
  if (!x || !xv) return null;
  const g = poolGeometry(x.shape, args.attrs ?? {});
  if (!g) return null;
  const outShape = [g[0], g[4], g[5], g[3]];
  const out = new Float32Array(size(outShape));
  addon.maxPool(0, g, xv, null, out);
  return backend.makeTensorInfo(outShape, 'float32', out);
}

function maxPoolGrad(args: KernelArgs, addon: NativeAddon): TensorInfo | null {
  const backend = args.backend as CpuBackend;
  const { dy, input } = named(args);
  const xv = f32(backend, input);
  const dyv = f32(backend, dy);
  if (!input || !dy || !xv || !dyv) return null;
  const g = poolGeometry(input.shape, args.attrs ?? {});
  if (!g || g[0] * g[4] * g[5] * g[3] !== dyv.length) return null;
  const dx = new Float32Array(xv.length);
  addon.maxPool(1, g, xv, dyv, dx);
  return backend.makeTensorInfo(input.shape.slice(), 'float32', dx);
}

const UNARY: Record<string, number> = {
  Relu: 0,
  Relu6: 1,
  Sigmoid: 2,
  Tanh: 3,
  Exp: 4,
  Neg: 5,
  Square: 6,
  Sqrt: 7,
  Abs: 8,
  Elu: 9,
  LeakyRelu: 10,
  Step: 11,
};

function unary(op: number, alphaAttr?: string) {
  return (args: KernelArgs, addon: NativeAddon): TensorInfo | null => {
    const backend = args.backend as CpuBackend;
    const { x } = named(args);
    const xv = f32(backend, x);
    if (!x || !xv || xv.length === 0) return null;
    const alpha = alphaAttr ? Number(args.attrs?.[alphaAttr] ?? 0) : 0;
    const out = new Float32Array(xv.length);
    addon.unary(op, xv, out, xv.length, alpha);
    return backend.makeTensorInfo(x.shape.slice(), 'float32', out);
  };
}

// ------------------------------------------------------------------------------------------------ the table

/** Kernel name -> override. */
export const OVERRIDES: Record<string, Override> = {
  BatchMatMul: (args, addon) => matmul(args, addon, false),
  _FusedMatMul: (args, addon) => matmul(args, addon, true),
  Conv2D: (args, addon) => convForward(args, addon, false, false),
  FusedConv2D: (args, addon) => convForward(args, addon, false, true),
  Conv2DBackpropInput: (args, addon) => convBackpropInput(args, addon, false),
  Conv2DBackpropFilter: (args, addon) => convBackpropFilter(args, addon, false),
  DepthwiseConv2dNative: (args, addon) => convForward(args, addon, true, false),
  FusedDepthwiseConv2D: (args, addon) => convForward(args, addon, true, true),
  DepthwiseConv2dNativeBackpropInput: (args, addon) => convBackpropInput(args, addon, true),
  DepthwiseConv2dNativeBackpropFilter: (args, addon) => convBackpropFilter(args, addon, true),
  Slice: slice,
  SplitV: splitV,
  Concat: concat,
  Transpose: transpose,
  Sum: reduction(0),
  Mean: reduction(1),
  Max: reduction(2),
  Min: reduction(3),
  PadV2: padV2,
  Tile: tileKernel,
  Unpack: unpack,
  Reverse: reverse,
  MaxPool: maxPool,
  FusedBatchNorm: batchNorm,
  MaxPoolGrad: maxPoolGrad,
  Select: select,
  ...Object.fromEntries(Object.entries(COMPARE).map(([name, op]) => [name, compare(op)])),
  ...Object.fromEntries(Object.entries(BINARY).map(([name, op]) => [name, binary(op)])),
  ...Object.fromEntries(
    Object.entries(UNARY).map(([name, op]) => [
      name,
      unary(op, name === 'LeakyRelu' || name === 'Step' ? 'alpha' : undefined),
    ]),
  ),
};
