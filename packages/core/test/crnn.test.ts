import * as tf from '@tensorflow/tfjs';
import { buildCRNN, setSeed } from '../src';
import { resolveCRNNConfig } from '../src/models/crnn';
import { gradientCheck, randomTensor } from './gradcheck';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => setSeed(99));

const small = {
  inputShape: [8, 16, 2] as [number, number, number],
  convChannels: [4, 4],
  freqPool: [4, 2],
  timePool: [2, 1],
  gruUnits: [5],
  heads: [
    { name: 'sed', units: 3, activation: 'sigmoid' as const, hidden: [6] },
    { name: 'doa', units: 9, activation: 'tanh' as const, hidden: [6] },
  ],
};

describe('buildCRNN', () => {
  test('produces named heads of [batch, time/timePool, units] with the heads’ ranges', () => {
    const model = buildCRNN(small);
    expect(model.outputNames).toEqual(['sed', 'doa']);
    const [sed, doa] = model.predict(randomTensor([2, 8, 16, 2], 3)) as tf.Tensor[];
    expect(sed.shape).toEqual([2, 4, 3]);
    expect(doa.shape).toEqual([2, 4, 9]);
    const s = sed.dataSync();
    expect(Math.min(...s)).toBeGreaterThan(0);
    expect(Math.max(...s)).toBeLessThan(1);
    expect(Math.max(...doa.dataSync().map(Math.abs))).toBeLessThan(1);
  });

  test('defaults to the SELDnet layout: 3 conv blocks of 64 pooled 4, 4, 2 over frequency, two bi-GRUs of 128', () => {
    const heads = [{ name: 'sed', units: 11, activation: 'sigmoid' as const }];
    expect(resolveCRNNConfig({ inputShape: [null, 64, 4], heads })).toMatchObject({
      convChannels: [64, 64, 64],
      freqPool: [4, 4, 2],
      timePool: [1, 1, 1],
      gruUnits: [128, 128],
      mergeMode: 'concat',
      dropout: 0,
    });
    // Built with small GRUs to keep the test fast (tfjs's orthogonal initialiser is slow on CPU).
    const model = buildCRNN({ inputShape: [null, 64, 4], gruUnits: [8, 8], heads });
    const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D');
    expect(convs.map((c) => (c.getConfig() as { filters: number }).filters)).toEqual([64, 64, 64]);
    const grus = model.layers.filter((l) => l.getClassName() === 'Bidirectional');
    expect(grus).toHaveLength(2);
    expect(model.outputs[0].shape).toEqual([null, null, 11]);
    // 64 bins pooled by 4·4·2 → 2 bins × 64 channels = 128 features into the first GRU
    expect(model.getLayer('to_sequence').outputShape).toEqual([null, null, 128]);
  });

  test('gradient of the head path matches finite differences', () => {
    const model = buildCRNN(small);
    const x = randomTensor([1, 8, 16, 2], 5);
    const headWeights = model.trainableWeights.filter(
      (w) => /^(sed|doa)/.test(w.originalName) || /bigru1/.test(w.originalName),
    );
    expect(headWeights.length).toBeGreaterThan(4);
    const forward = (input: tf.Tensor) => {
      const outs = model.apply(input, { training: false }) as tf.Tensor[];
      return tf.concat(outs.map((o) => o.reshape([-1])));
    };
    expect(gradientCheck(forward, headWeights, x)).toBeLessThan(1e-3);
  });

  test('rejects bad settings with the argument named', () => {
    expect(() => buildCRNN({ ...small, heads: [] })).toThrow(/CRNN heads/);
    expect(() => buildCRNN({ ...small, freqPool: [4] })).toThrow(/CRNN freqPool: needs one entry per conv block/);
    expect(() => buildCRNN({ ...small, freqPool: [8, 4] })).toThrow(/leave no frequency bins/);
    expect(() => buildCRNN({ ...small, gruUnits: [0] })).toThrow(/CRNN gruUnits\[0\]/);
    expect(() => buildCRNN({ ...small, inputShape: [8, 16] as never })).toThrow(/CRNN inputShape/);
  });
});
