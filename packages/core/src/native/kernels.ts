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
const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, sigmoid: 3, leakyrelu: 4, elu: 5, prelu: 8 };

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
    out, out.length / cols, cols, e.bias, e.bias ? e.bias.length : 0, e.activation, e.alpha, e.prelu,
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
    c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.outHeight, c.outWidth, c.outChannels, c.filterHeight,
    c.filterWidth, c.strideHeight, c.strideWidth, c.dilationHeight, c.dilationWidth, c.padInfo.top, c.padInfo.left,
  ];
}

function convInfo(
  xShape: number[], filterShape: number[], attrs: Attrs, depthwise: boolean, dilations: unknown,
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
      x as unknown as tf.Tensor, args.attrs?.begin as number | number[], args.attrs?.size as number | number[],
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
      x as unknown as tf.Tensor, args.attrs?.numOrSizeSplits as number | number[], axis,
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

const BINARY: Record<string, number> = {
  Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, SquaredDifference: 4, Maximum: 5, Minimum: 6,
};

function binary(op: number) {
  return (args: KernelArgs, addon: NativeAddon): TensorInfo | null => {
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
    if (n === 0) return null;
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
    } else return null;
    const out = new Float32Array(n);
    addon.binary(op, av, bv, out, n, mode, inner);
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

const UNARY: Record<string, number> = {
  Relu: 0, Relu6: 1, Sigmoid: 2, Tanh: 3, Exp: 4, Neg: 5, Square: 6, Sqrt: 7, Abs: 8, Elu: 9, LeakyRelu: 10, Step: 11,
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
  ...Object.fromEntries(Object.entries(BINARY).map(([name, op]) => [name, binary(op)])),
  ...Object.fromEntries(
    Object.entries(UNARY).map(([name, op]) => [name, unary(op, name === 'LeakyRelu' || name === 'Step' ? 'alpha' : undefined)]),
  ),
};
