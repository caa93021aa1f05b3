/** Kernels that only move 4-byte elements: slice, split, concat, transpose, pad, tile, reverse, unpack. */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon, Word32Array } from '../addon';
import {
  type CpuBackend,
  type KernelArgs,
  type Override,
  type TensorInfo,
  like,
  named,
  size,
  word32,
  wordInput,
} from './common';

// ------------------------------------------------------------------------------------------------ copies

function slice(args: KernelArgs, addon: NativeAddon): TensorInfo | null {
  const input = wordInput(args);
  if (!input || input.x.shape.length === 0) return null;
  const { backend, x, xv } = input;
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
  const input = wordInput(args);
  if (!input || input.x.shape.length === 0) return null;
  const { backend, x, xv } = input;
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
  const input = wordInput(args);
  const perm = args.attrs?.perm as number[] | undefined;
  if (!input || !perm || input.x.shape.length < 2 || perm.length !== input.x.shape.length) return null;
  const { backend, x, xv } = input;
  const outShape = perm.map((p) => x.shape[p]);
  const out = like(xv, xv.length);
  if (out.length > 0) addon.transpose(xv, x.shape, perm, out);
  return backend.makeTensorInfo(outShape, x.dtype, out);
}

// ------------------------------------------------------------------------------------------------ pad, tile, unpack

function padV2(args: KernelArgs, addon: NativeAddon): TensorInfo | null {
  const input = wordInput(args);
  const paddings = args.attrs?.paddings as [number, number][] | undefined;
  if (!input || !paddings || input.x.shape.length === 0 || paddings.length !== input.x.shape.length) return null;
  const { backend, x, xv } = input;
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
  const input = wordInput(args);
  const reps = args.attrs?.reps as number[] | undefined;
  if (!input || !reps || input.x.shape.length === 0 || reps.length !== input.x.shape.length) return null;
  const { backend, x, xv } = input;
  if (reps.some((r) => !(Number.isInteger(r) && r >= 0))) return null;
  const outShape = x.shape.map((s, d) => s * reps[d]);
  const out = like(xv, size(outShape));
  if (out.length > 0) addon.tile(xv, x.shape, reps, out);
  return backend.makeTensorInfo(outShape, x.dtype, out);
}

function reverse(args: KernelArgs, addon: NativeAddon): TensorInfo | null {
  const input = wordInput(args);
  if (!input || input.x.shape.length === 0 || input.xv.length === 0) return null;
  const { backend, x, xv } = input;
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

export const COPY_KERNELS: Record<string, Override> = {
  Slice: slice,
  SplitV: splitV,
  Concat: concat,
  Transpose: transpose,
  PadV2: padV2,
  Tile: tileKernel,
  Unpack: unpack,
  Reverse: reverse,
};
