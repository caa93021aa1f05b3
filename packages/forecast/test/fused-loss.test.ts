/**
 * The fused mean squared error (fused-loss.ts) on the native backend against its formula in double precision and the
 * tfjs ops: value and gradient; the tfjs ops elsewhere and for shapes the fused op does not take.
 */
import { NATIVE_BACKEND, registerNativeBackend, tf } from '@gatewave/core';
import { meanSquaredError } from '../src/fused-loss';
import { normals } from './synthetic';

const status = registerNativeBackend();
const suite = status.ok ? describe : describe.skip;
if (!status.ok) console.warn(`fused loss tests skipped: ${status.reason}`);

suite('fused mean squared error', () => {
  beforeAll(async () => {
    await tf.setBackend(NATIVE_BACKEND);
  });

  test('value and gradient equal the formula and the tfjs ops; one op instead of a dozen kernels', async () => {
    const shape = [4, 24, 3];
    const o = Float32Array.from(normals(288, 5));
    const t = Float32Array.from(normals(288, 6));
    const out = tf.tensor3d(o, shape as [number, number, number]);
    const y = tf.tensor3d(t, shape as [number, number, number]);
    let sum = 0;
    for (let i = 0; i < o.length; i++) sum += (o[i] - t[i]) ** 2;
    const value = meanSquaredError(out, y);
    expect(value.dataSync()[0]).toBeCloseTo(sum / o.length, 6);
    const fusedGrad = tf
      .grad((x: tf.Tensor) => meanSquaredError(x, y).mul(3))(out)
      .dataSync();
    const opsGrad = tf
      .grad((x: tf.Tensor) => tf.mean(tf.square(tf.sub(x, y))).mul(3))(out)
      .dataSync();
    for (let i = 0; i < o.length; i++) {
      expect(fusedGrad[i]).toBeCloseTo((3 * 2 * (o[i] - t[i])) / o.length, 7);
      expect(Math.abs(fusedGrad[i] - opsGrad[i])).toBeLessThan(1e-7);
    }
    // (tf.profile hands back one object that the next call overwrites: read the counts at once)
    const fused = (await tf.profile(() => tf.grad((x: tf.Tensor) => meanSquaredError(x, y))(out))).kernels.length;
    const ops = (await tf.profile(() => tf.grad((x: tf.Tensor) => tf.mean(tf.square(tf.sub(x, y))))(out))).kernels
      .length;
    expect(fused).toBeLessThan(ops / 2);
    tf.dispose([out, y, value]);
  });

  test('the tfjs ops on other backends and for broadcast shapes (same values)', async () => {
    const out = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const row = tf.tensor1d([1, 1]); // broadcast over the rows: the fused op takes equal shapes only
    expect(meanSquaredError(out, row).dataSync()[0]).toBeCloseTo((0 + 1 + 4 + 9) / 4, 6);
    await tf.setBackend('cpu');
    const y = tf.tensor2d([0, 0, 0, 0], [2, 2]);
    const profile = await tf.profile(() => meanSquaredError(tf.tensor2d([1, 2, 3, 4], [2, 2]), y));
    expect(profile.kernels.map((k) => k.name)).toContain('Square');
    expect(meanSquaredError(tf.tensor2d([1, 2, 3, 4], [2, 2]), y).dataSync()[0]).toBeCloseTo(7.5, 6);
    await tf.setBackend(NATIVE_BACKEND);
  });
});
