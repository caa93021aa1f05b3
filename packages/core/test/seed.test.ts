import * as tf from '@tensorflow/tfjs';
import { PGN, Rng, clearSeed, random, setSeed, shuffle } from '../src';

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

test('setSeed and Rng draw the mulberry32 streams they always drew (values from the implementation before the merge)', () => {
  setSeed(42);
  expect([random(), random(), random()]).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
  setSeed(42);
  expect(Math.random()).toBe(0.6011037519201636);
  clearSeed();
  const rng = new Rng(7);
  expect([rng.next(), rng.next(), rng.next()]).toEqual([0.9823943767696619, 0.3341257639694959, 0.6892532545607537]);
  const a = new Rng(3);
  const b = new Rng(3);
  expect(Array.from({ length: 5 }, () => a.gauss())).toEqual(Array.from({ length: 5 }, () => b.gauss()));
  expect(Rng.fromState(42 ^ 0x9e3779b9).next()).toBe(new Rng(42).next());
});
