/**
 * The mean squared error as one differentiable op on the native backend: one pass forward, one backward
 * (2·(out − y)/n·dy), where the tfjs ops are three kernels forward and about six backward, each dispatched, taped and
 * given an output array, for a training batch's few thousand values. Other backends run the tfjs ops.
 */
import { nativeKernels, tf } from '@gatewave/core';

/** mean((out − y)²) over every value; `y` is data (no gradient). Fused on the native backend (same shapes, float32). */
export function meanSquaredError(out: tf.Tensor, y: tf.Tensor): tf.Scalar {
  const fits = out.dtype === 'float32' && y.dtype === 'float32' && tf.util.arraysEqual(out.shape, y.shape);
  if (!fits || out.size === 0 || nativeKernels() === null) return tf.mean(tf.square(tf.sub(out, y))) as tf.Scalar;
  const target = y.dataSync() as Float32Array;
  const op = tf.customGrad((...args: unknown[]) => {
    const o = args[0] as tf.Tensor;
    const values = o.dataSync() as Float32Array;
    const n = values.length;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (values[i] - target[i]) ** 2;
    const gradFunc = (dy: tf.Tensor): tf.Tensor => {
      const scale = (2 * dy.dataSync()[0]) / n;
      const grad = new Float32Array(n);
      for (let i = 0; i < n; i++) grad[i] = (values[i] - target[i]) * scale;
      return tf.tensor(grad, o.shape, 'float32');
    };
    return { value: tf.scalar(sum / n, 'float32'), gradFunc };
  });
  return op(out) as tf.Scalar;
}
