import * as tf from '@tensorflow/tfjs';
import { gradientCheck, randomTensor } from './gradcheck';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// The checker itself must be able to fail: a deliberately wrong gradient has to be caught.
test('gradientCheck passes a correct gradient and catches a wrong one', () => {
  const x = randomTensor([3, 4], 1);
  const right = (t: tf.Tensor) => tf.tanh(t).mul(2);
  const wrong = tf.customGrad(((t: tf.Tensor, save: tf.GradSaveFunc) => {
    save([t]);
    return { value: tf.tanh(t).mul(2), gradFunc: (dy: tf.Tensor) => dy.mul(2.02) };
  }) as Parameters<typeof tf.customGrad>[0]) as (t: tf.Tensor) => tf.Tensor;
  expect(gradientCheck(right, [], x)).toBeLessThan(1e-3);
  expect(gradientCheck(wrong, [], x)).toBeGreaterThan(1e-2);
});
