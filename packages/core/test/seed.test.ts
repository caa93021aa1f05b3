import * as tf from '@tensorflow/tfjs';
import { PGN, clearSeed, random, setSeed, shuffle } from '../src';

afterAll(() => clearSeed());

test('setSeed makes initial weights and data order repeatable', async () => {
  await tf.setBackend('cpu');
  const draw = () => {
    const layer = new PGN({ units: 3 });
    layer.apply(tf.zeros([1, 4, 2]));
    return { w: Array.from(layer.getWeights()[0].dataSync()), order: shuffle([0, 1, 2, 3, 4, 5, 6, 7]), r: random() };
  };
  setSeed(42);
  const a = draw();
  setSeed(42);
  const b = draw();
  setSeed(43);
  const c = draw();
  expect(b).toEqual(a);
  expect(c.w).not.toEqual(a.w);
  expect([...a.order].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(() => setSeed(NaN)).toThrow(RangeError);
});
