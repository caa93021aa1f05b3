/**
 * The PGN's fused ops. The gate, `out = tanh(Ĥ) + σ(g)·(H − tanh(Ĥ))` (= σ(g)·H + (1 − σ(g))·tanh(Ĥ)), from `z = [g | Ĥ]`
 * `[..., 2d]` and `H` `[..., d]`. A backend can run it as one op through the hook below (the layers never import the
 * native addon: `registerNativeBackend` installs its fused gate, one addon call forward and one backward, where the
 * separate ops are six forward and about seventeen backward); otherwise it is those tfjs ops. The causal unfold of
 * the HIE (w earlier steps side by side) likewise: one addon call each way instead of a pad, w slices and a concat.
 */
import * as tf from '@tensorflow/tfjs';

export interface PgnGateFusion {
  /** True when `run` can run now (e.g. the right backend is active). */
  canFuse(): boolean;
  /** The gate as one differentiable op. */
  run(z: tf.Tensor, h: tf.Tensor): tf.Tensor;
  /** `causalUnfold` as one differentiable op. */
  unfold(x: tf.Tensor4D, w: number): tf.Tensor4D;
}

let installed: PgnGateFusion | null = null;

/** Installs (or, with null, removes) the fused ops used by `pgnGate` and `causalUnfold`. */
export function setPgnGateFusion(fusion: PgnGateFusion | null): void {
  installed = fusion;
}

/** The gate: fused when a fusion is installed and can run now, else `pgnGateOps`. */
export function pgnGate(z: tf.Tensor, h: tf.Tensor): tf.Tensor {
  return installed?.canFuse() ? installed.run(z, h) : pgnGateOps(z, h);
}

/** The gate as separate tfjs ops (any backend; the reference for the fused op). */
export function pgnGateOps(z: tf.Tensor, h: tf.Tensor): tf.Tensor {
  const d = h.shape[h.rank - 1];
  const [g, hHat] = tf.split(z, [d, d], z.rank - 1);
  const candidate = tf.tanh(hHat);
  return candidate.add(tf.sigmoid(g).mul(h.sub(candidate)));
}

/**
 * Causal unfold along time: x `[G, batch, time, F]` → `[G, batch, time, w·F]`, where tap j of step t holds
 * x_{t−w+j} (zeros before the start; the current step excluded). Fused when a fusion can run now, else
 * `causalUnfoldOps`.
 */
export function causalUnfold(x: tf.Tensor4D, w: number): tf.Tensor4D {
  return installed?.canFuse() ? installed.unfold(x, w) : causalUnfoldOps(x, w);
}

/** The causal unfold as tfjs ops (zeros in front, w slices side by side; plain ops that train on every backend). */
export function causalUnfoldOps(x: tf.Tensor4D, w: number): tf.Tensor4D {
  const time = x.shape[2];
  const padded = tf.pad(x, [
    [0, 0],
    [0, 0],
    [w, 0],
    [0, 0],
  ]);
  const taps = Array.from({ length: w }, (_, j) => padded.slice([0, 0, j, 0], [-1, -1, time, -1]));
  return w === 1 ? taps[0] : tf.concat(taps, 3);
}
