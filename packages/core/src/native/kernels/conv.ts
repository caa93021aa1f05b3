/** Convolutions (standard and depthwise, forward and both gradients) and max pooling, NHWC. */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from '../addon';
import {
  type Attrs,
  type CpuBackend,
  type KernelArgs,
  type Override,
  type TensorInfo,
  f32,
  floatInput,
  named,
  size,
} from './common';
import { applyEpilogue, epilogueFor } from './epilogue';

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

/**
 * A gradient of a convolution: of its input (`of` 'input': from dy and the filter, the input's shape in
 * `attrs.inputShape`) or of its filter ('filter': from x and dy, the filter's shape in `attrs.filterShape`).
 */
function convGradient(
  args: KernelArgs,
  addon: NativeAddon,
  depthwise: boolean,
  of: 'input' | 'filter',
): TensorInfo | null {
  const backend = args.backend as CpuBackend;
  const { x, dy, filter } = named(args);
  const [a, b] = of === 'input' ? [dy, filter] : [x, dy];
  const av = f32(backend, a);
  const bv = f32(backend, b);
  if (!a || !b || !av || !bv) return null;
  const attrs = args.attrs ?? {};
  const shape = (of === 'input' ? attrs.inputShape : attrs.filterShape) as number[];
  const [xShape, filterShape] = of === 'input' ? [shape, b.shape] : [a.shape, shape];
  const info = convInfo(xShape, filterShape, attrs, depthwise, depthwise ? attrs.dilations : 1);
  const dyLength = (of === 'input' ? av : bv).length;
  if (!info || size(info.outShape) !== dyLength) return null;
  const out = new Float32Array(size(shape));
  // addon.conv kinds: 1 input and 2 filter gradient, 4 and 5 the same for depthwise.
  addon.conv((depthwise ? 3 : 0) + (of === 'input' ? 1 : 2), geometry(info), av, bv, out);
  return backend.makeTensorInfo(shape.slice(), 'float32', out);
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
  const input = floatInput(args);
  if (!input) return null;
  const { backend, x, xv } = input;
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

export const CONV_KERNELS: Record<string, Override> = {
  Conv2D: (args, addon) => convForward(args, addon, false, false),
  FusedConv2D: (args, addon) => convForward(args, addon, false, true),
  Conv2DBackpropInput: (args, addon) => convGradient(args, addon, false, 'input'),
  Conv2DBackpropFilter: (args, addon) => convGradient(args, addon, false, 'filter'),
  DepthwiseConv2dNative: (args, addon) => convForward(args, addon, true, false),
  FusedDepthwiseConv2D: (args, addon) => convForward(args, addon, true, true),
  DepthwiseConv2dNativeBackpropInput: (args, addon) => convGradient(args, addon, true, 'input'),
  DepthwiseConv2dNativeBackpropFilter: (args, addon) => convGradient(args, addon, true, 'filter'),
  MaxPool: maxPool,
  MaxPoolGrad: maxPoolGrad,
};
