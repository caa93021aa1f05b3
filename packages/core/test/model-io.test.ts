import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import {
  ComplexFSMN,
  FSMN,
  GatewaveError,
  MODEL_FORMAT_VERSION,
  PGN,
  buildCRNN,
  loadModel,
  loadModelMetadata,
  saveModel,
  setSeed,
} from '../src';
import { tempDir, useCpuBackend } from './test-setup';
import { randomTensor } from './gradcheck';

const dir = tempDir('gatewave-io-');
useCpuBackend();

function modelWithEveryLayer(): tf.LayersModel {
  setSeed(5);
  const input = tf.input({ shape: [6, 4] });
  let x = new PGN({ units: 4, groups: 2, window: 3 }).apply(input) as tf.SymbolicTensor; // [b, 6, 8]
  x = new FSMN({ units: 5, lorder: 2, rorder: 1, dilation: 2 }).apply(x) as tf.SymbolicTensor;
  x = new ComplexFSMN({ units: 3, lorder: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reshape({ targetShape: [6, 4, 2] }).apply(x) as tf.SymbolicTensor;
  x = new ComplexFSMN({ units: 2, lorder: 2, axis: 'frequency' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

describe('saveModel / loadModel', () => {
  test('save → load gives identical outputs for a model with every custom layer', async () => {
    const model = modelWithEveryLayer();
    const x = randomTensor([3, 6, 4], 2);
    const before = (model.predict(x) as tf.Tensor).dataSync();
    const target = path.join(dir, 'every');
    await saveModel(model, target, { lookback: 6, note: 'test' });
    expect(fs.readdirSync(target).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(fs.readFileSync(path.join(target, 'model.json'), 'utf8'));
    expect(json.formatVersion).toBe(MODEL_FORMAT_VERSION);
    const loaded = await loadModel(target);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(before));
    expect(loadModelMetadata(target)).toEqual({ lookback: 6, note: 'test' });
  });

  test('a CRNN round-trips too', async () => {
    setSeed(8);
    const model = buildCRNN({
      inputShape: [4, 8, 1],
      convChannels: [2],
      freqPool: [2],
      gruUnits: [3],
      heads: [{ name: 'sed', units: 2, activation: 'sigmoid' }],
    });
    const x = randomTensor([1, 4, 8, 1], 4);
    const target = path.join(dir, 'crnn');
    await saveModel(model, target);
    const loaded = await loadModel(target);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(
      Array.from((model.predict(x) as tf.Tensor).dataSync()),
    );
  });

  test('overwriting replaces the directory whole and leaves no temporary files', async () => {
    const target = path.join(dir, 'overwrite');
    await saveModel(modelWithEveryLayer(), target);
    await saveModel(modelWithEveryLayer(), target, { v: 2 });
    expect(loadModelMetadata(target)).toEqual({ v: 2 });
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  test('a failed save leaves an existing model untouched', async () => {
    const target = path.join(dir, 'keep');
    await saveModel(modelWithEveryLayer(), target, { v: 1 });
    const bad = { save: undefined } as unknown as tf.LayersModel;
    const broken = modelWithEveryLayer();
    // Make serialisation fail half-way: a weight that cannot be read.
    jest.spyOn(broken, 'getWeights').mockImplementation(() => {
      throw new Error('disk full');
    });
    await expect(saveModel(broken, target, { v: 2 })).rejects.toThrow();
    expect(bad.save).toBeUndefined();
    expect(loadModelMetadata(target)).toEqual({ v: 1 });
  });

  test('reads older format versions and refuses newer ones with a clear error', async () => {
    const target = path.join(dir, 'versions');
    await saveModel(modelWithEveryLayer(), target);
    const file = path.join(target, 'model.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    json.formatVersion = 0;
    fs.writeFileSync(file, JSON.stringify(json));
    await expect(loadModel(target)).resolves.toBeDefined();
    json.formatVersion = MODEL_FORMAT_VERSION + 1;
    fs.writeFileSync(file, JSON.stringify(json));
    await expect(loadModel(target)).rejects.toThrow(/newer than this gatewave reads/);
  });

  test('a missing or corrupt directory is a GatewaveError that says what to do', async () => {
    await expect(loadModel(path.join(dir, 'nope'))).rejects.toThrow(GatewaveError);
    await expect(loadModel(path.join(dir, 'nope'))).rejects.toThrow(/model.json is missing/);
    const target = path.join(dir, 'corrupt');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'model.json'), '{not json');
    await expect(loadModel(target)).rejects.toThrow(/not valid JSON/);
  });
});
