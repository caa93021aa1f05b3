/**
 * The PGN gate (layers/pgn-gate.ts) as one differentiable op on the `native` backend: one addon call forward, one
 * backward (tf.customGrad), which recomputes tanh and σ from the saved inputs instead of keeping them; and the
 * PGN's causal unfold, one addon call each way.
 */
import * as tf from '@tensorflow/tfjs';
import { GatewaveError } from '../errors';
import type { NativeAddon } from './addon';
import { kernelHits } from './kernels';

function checkShapes(z: tf.Tensor, h: tf.Tensor): void {
  const d = h.shape[h.rank - 1];
  const fits =
    z.rank === h.rank &&
    z.rank >= 1 &&
    z.shape[z.rank - 1] === 2 * d &&
    h.shape.slice(0, -1).every((n, i) => n === z.shape[i]) &&
    z.dtype === 'float32' &&
    h.dtype === 'float32';
  if (!fits) {
    throw new GatewaveError(
      'BAD_INPUT',
      `PGN gate: z must be float32 [..., 2d] and h float32 [..., d] with the same leading shape; got z ` +
        `${z.dtype} [${z.shape}], h ${h.dtype} [${h.shape}].`,
    );
  }
}

/** `tanh(Ĥ) + σ(g)·(h − tanh(Ĥ))` for `z = [g | Ĥ]` `[..., 2d]` and `h` `[..., d]`, on the native backend. */
export function fusedPgnGateWith(addon: NativeAddon, z: tf.Tensor, h: tf.Tensor): tf.Tensor {
  checkShapes(z, h);
  const d = h.shape[h.rank - 1];
  const rows = d === 0 ? 0 : h.size / d;
  const op = tf.customGrad((zIn, hIn, save) => {
    const zt = zIn as tf.Tensor;
    const ht = hIn as tf.Tensor;
    (save as tf.GradSaveFunc)([zt, ht]);
    const out = new Float32Array(ht.size);
    addon.pgnGate(zt.dataSync() as Float32Array, ht.dataSync() as Float32Array, out, rows, d);
    kernelHits.FusedPgnGate = (kernelHits.FusedPgnGate ?? 0) + 1;
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [zs, hs] = saved;
      const dz = new Float32Array(zs.size);
      const dh = new Float32Array(hs.size);
      const dyv = dy.dtype === 'float32' ? (dy.dataSync() as Float32Array) : Float32Array.from(dy.dataSync());
      addon.pgnGateGrad(zs.dataSync() as Float32Array, hs.dataSync() as Float32Array, dyv, dz, dh, rows, d);
      kernelHits.FusedPgnGateBackward = (kernelHits.FusedPgnGateBackward ?? 0) + 1;
      return [tf.tensor(dz, zs.shape, 'float32'), tf.tensor(dh, hs.shape, 'float32')];
    };
    return { value: tf.tensor(out, ht.shape, 'float32'), gradFunc };
  });
  return op(z, h);
}

/** `causalUnfold` (layers/pgn-gate.ts) of x `[G, batch, time, F]` as one differentiable op on the `native` backend. */
export function fusedCausalUnfoldWith(addon: NativeAddon, x: tf.Tensor4D, w: number): tf.Tensor4D {
  const [G, batch, time, F] = x.shape;
  if (x.dtype !== 'float32' || !Number.isInteger(w) || w < 1) {
    throw new GatewaveError(
      'BAD_INPUT',
      `causal unfold: x must be float32 and w a whole number >= 1; got x ${x.dtype} [${x.shape}], w ${w}.`,
    );
  }
  const rows = G * batch;
  const op = tf.customGrad((xIn) => {
    const xt = xIn as tf.Tensor;
    const out = new Float32Array(xt.size * w);
    addon.causalUnfold(xt.dataSync() as Float32Array, out, rows, time, F, w, false);
    kernelHits.FusedCausalUnfold = (kernelHits.FusedCausalUnfold ?? 0) + 1;
    const gradFunc = (dy: tf.Tensor): tf.Tensor => {
      const dx = new Float32Array(xt.size);
      const dyv = dy.dtype === 'float32' ? (dy.dataSync() as Float32Array) : Float32Array.from(dy.dataSync());
      addon.causalUnfold(dyv, dx, rows, time, F, w, true);
      kernelHits.FusedCausalUnfoldBackward = (kernelHits.FusedCausalUnfoldBackward ?? 0) + 1;
      return tf.tensor(dx, xt.shape, 'float32');
    };
    return { value: tf.tensor(out, [G, batch, time, w * F], 'float32'), gradFunc };
  });
  return op(x) as tf.Tensor4D;
}
