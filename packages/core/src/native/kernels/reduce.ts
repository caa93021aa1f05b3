/** Sum, Mean, Max and Min over any set of axes. */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from '../addon';
import { type KernelArgs, type Override, type TensorInfo, floatInput, size } from './common';

// ------------------------------------------------------------------------------------------------ reductions

function reduction(op: number) {
  return (args: KernelArgs, addon: NativeAddon): TensorInfo | null => {
    const input = floatInput(args);
    if (!input || input.xv.length === 0) return null;
    const { backend, x, xv } = input;
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

export const REDUCE_KERNELS: Record<string, Override> = {
  Sum: reduction(0),
  Mean: reduction(1),
  Max: reduction(2),
  Min: reduction(3),
};
