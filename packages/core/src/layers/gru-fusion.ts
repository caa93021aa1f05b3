/**
 * The hook through which a backend can run a whole GRU sequence as one op. The layers never import the native addon:
 * `registerNativeBackend` installs its fused GRU here, and in a browser nothing does, so `GRU` is tf.layers.gru there.
 */
import type * as tf from '@tensorflow/tfjs';

/** Options of a fused GRU call (as tf.layers.gru). */
export interface GruFusionOptions {
  returnSequences: boolean;
  goBackwards: boolean;
  activation: string;
  recurrentActivation: string;
}

export interface GruFusion {
  /** True when `run` can run now with these activations (e.g. the right backend is active). */
  canFuse(activation: string, recurrentActivation: string): boolean;
  /** `x` [batch, time, features] -> the GRU output, from a zero state. */
  run(
    x: tf.Tensor,
    kernel: tf.Tensor,
    recurrentKernel: tf.Tensor,
    bias: tf.Tensor | null,
    options: GruFusionOptions,
  ): tf.Tensor;
}

let installed: GruFusion | null = null;

/** Installs (or, with null, removes) the fused GRU used by `GRU` layers. */
export function setGruFusion(fusion: GruFusion | null): void {
  installed = fusion;
}

/** The installed fused GRU, or null. */
export function gruFusion(): GruFusion | null {
  return installed;
}
