/**
 * Tensors saved for the backward pass on the native backend share their data instead of running an Identity kernel
 * each (native/saved-tensors.ts): the gradients stay those of stock cpu, nothing leaks, a saved tensor outlives its
 * original, and second-order gradients still work.
 */
import * as tf from '@tensorflow/tfjs';
import { NATIVE_BACKEND, registerNativeBackend } from '../src/native';
import { values } from './values';

const status = registerNativeBackend();
const suite = status.ok ? describe : describe.skip;
if (!status.ok) console.warn(`native saved-tensor tests skipped: ${status.reason}`);

/** A loss whose gradients need saved inputs (matMul, mul, div) and saved outputs (tanh, sigmoid, exp). */
function loss(x: tf.Tensor2D, w: tf.Tensor2D): tf.Scalar {
  const h = tf.tanh(tf.matMul(x, w)); // [4, 3]
  const g = tf.sigmoid(tf.matMul(x, w.mul(0.5)));
  return tf.sum(tf.div(h.mul(g), tf.exp(g).add(1)).square());
}

async function gradientsOn(backend: string, xs: Float32Array, ws: Float32Array): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor2d(xs, [4, 5]);
    const w = tf.tensor2d(ws, [5, 3]);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(a as tf.Tensor2D, b as tf.Tensor2D))([x, w]);
    return grads.map((g) => Float32Array.from(g.dataSync()));
  });
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

suite('saved tensors on the native backend', () => {
  test('gradients equal stock cpu (1e-5)', async () => {
    const xs = values(20, 1);
    const ws = values(15, 2);
    const stock = await gradientsOn('cpu', xs, ws);
    const native = await gradientsOn(NATIVE_BACKEND, xs, ws);
    for (let i = 0; i < 2; i++) {
      expect(native[i].length).toBe(stock[i].length);
      native[i].forEach((v, j) => expect(Math.abs(v - stock[i][j])).toBeLessThan(1e-5 * (1 + Math.abs(stock[i][j]))));
    }
  });

  test('no Identity kernels while recording, and everything saved is freed after the backward pass', async () => {
    await tf.setBackend(NATIVE_BACKEND);
    const x = tf.tensor2d(values(20, 3), [4, 5]);
    const w = tf.tensor2d(values(15, 4), [5, 3]);
    const before = tf.memory();
    const step = () =>
      tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(a as tf.Tensor2D, b as tf.Tensor2D))([x, w]));
    const profile = await tf.profile(step);
    const names = profile.kernels.map((k) => k.name);
    expect(names).toContain('Tanh');
    expect(names).not.toContain('Identity');
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    tf.dispose([x, w]);
  });

  test('a saved tensor outlives its original: d/dx sum(e^x · e^x) = 2 e^(2x), the inner tidy freed e^x', async () => {
    await tf.setBackend(NATIVE_BACKEND);
    const xs = [-1, 0, 0.5, 2];
    const g = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => {
          const squared = tf.tidy(() => {
            const e = tf.exp(x); // disposed when this tidy ends; Mul saved it for its gradient
            return e.mul(e);
          });
          return squared.sum();
        })(tf.tensor1d(xs))
        .arraySync(),
    ) as number[];
    g.forEach((v, i) => expect(v).toBeCloseTo(2 * Math.exp(2 * xs[i]), 4));
  });

  test('second-order gradients keep the stock path: d²/dx² x³ = 6x', async () => {
    await tf.setBackend(NATIVE_BACKEND);
    const d2 = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) =>
          tf
            .grad((y: tf.Tensor) => y.mul(y).mul(y).sum())(x)
            .sum(),
        )(tf.tensor1d([1, 2, -3]))
        .arraySync(),
    ) as number[];
    expect(d2).toEqual([6, 12, -18]);
  });
});
