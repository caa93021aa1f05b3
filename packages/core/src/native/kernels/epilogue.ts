/** Bias and activation epilogues of the fused matmul and convolution kernels. */
import type { NativeAddon } from '../addon';
import { type CpuBackend, type KernelArgs, f32, named } from './common';

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

export interface Epilogue {
  bias: Float32Array | null;
  activation: number;
  alpha: number;
  prelu: Float32Array | null;
}

/** Bias and activation of a fused kernel when they broadcast along the last axis (`cols`), else null. */
export function epilogueFor(backend: CpuBackend, args: KernelArgs, cols: number): Epilogue | null {
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

export function applyEpilogue(addon: NativeAddon, out: Float32Array, cols: number, e: Epilogue): void {
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
