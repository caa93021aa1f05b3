/**
 * The PGN gate (layers/pgn-gate.ts) as one differentiable op on the `native` backend: one addon call forward, one
 * backward (tf.customGrad), which recomputes tanh and σ from the saved inputs instead of keeping them.
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
