/** Elementwise kernels: broadcasting binary ops and comparisons, select, unary ops, and batch norm. */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon, Word32Array } from '../addon';
import {
  type CpuBackend,
  type KernelArgs,
  type Override,
  type TensorInfo,
  f32,
  floatInput,
  like,
  named,
  size,
  word32,
} from './common';

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
    const input = floatInput(args);
    if (!input || input.xv.length === 0) return null;
    const { backend, x, xv } = input;
    const alpha = alphaAttr ? Number(args.attrs?.[alphaAttr] ?? 0) : 0;
    const out = new Float32Array(xv.length);
    addon.unary(op, xv, out, xv.length, alpha);
    return backend.makeTensorInfo(x.shape.slice(), 'float32', out);
  };
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

export const ELEMENTWISE_KERNELS: Record<string, Override> = {
  FusedBatchNorm: batchNorm,
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
