/**
 * The PGN's gate, `out = tanh(Ĥ) + σ(g)·(H − tanh(Ĥ))` (= σ(g)·H + (1 − σ(g))·tanh(Ĥ)), from `z = [g | Ĥ]`
 * `[..., 2d]` and `H` `[..., d]`. A backend can run it as one op through the hook below (the layers never import the
 * native addon: `registerNativeBackend` installs its fused gate, one addon call forward and one backward, where the
 * separate ops are six forward and about seventeen backward); otherwise it is those tfjs ops.
 */
import * as tf from '@tensorflow/tfjs';

export interface PgnGateFusion {
  /** True when `run` can run now (e.g. the right backend is active). */
  canFuse(): boolean;
  /** The gate as one differentiable op. */
  run(z: tf.Tensor, h: tf.Tensor): tf.Tensor;
}

let installed: PgnGateFusion | null = null;

/** Installs (or, with null, removes) the fused gate used by `pgnGate`. */
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
