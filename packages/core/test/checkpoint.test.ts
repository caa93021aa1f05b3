import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { GatewaveError, loadModelMetadata, setSeed } from '../src';
import {
  checkKeptEpochs,
  checkpointDir,
  epochDir,
  hasCheckpoint,
  loadCheckpoint,
  loadOptimizerState,
  saveCheckpoint,
} from '../src/io/checkpoint';
import { tempDir, useCpuBackend } from './test-setup';

const dir = tempDir('gatewave-ckpt-');
useCpuBackend();

function smallModel(): tf.LayersModel {
  setSeed(3);
  const input = tf.input({ shape: [4] });
  const hidden = tf.layers.dense({ units: 3, activation: 'tanh', name: 'hidden' }).apply(input);
  const output = tf.layers.dense({ units: 1, name: 'out' }).apply(hidden) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}

/** Three Adam steps on a fixed regression batch, so that the moments and the step count are not their start values. */
function trainThreeSteps(model: tf.LayersModel, optimizer: tf.AdamOptimizer): void {
  const x = tf.tensor2d([1, 2, 3, 4, -1, 0.5, 2, -3], [2, 4]);
  const y = tf.tensor2d([1, -1], [2, 1]);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  for (let i = 0; i < 3; i++) {
    tf.dispose(optimizer.minimize(() => tf.losses.meanSquaredError(y, model.apply(x) as tf.Tensor), true, vars) ?? []);
  }
  tf.dispose([x, y]);
}

async function namedValues(named: Array<{ name: string; tensor: tf.Tensor }>): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const n of named) out[n.name] = Array.from(await n.tensor.data(), Number);
  return out;
}

describe('training checkpoints', () => {
  test('checkpointDir puts the checkpoint beside the model folder', () => {
    expect(checkpointDir('/a/b/model/')).toBe(path.resolve('/a/b/model.checkpoint'));
  });

  test('epochDir and checkKeptEpochs: kept epochs beside the model folder; only later ones stop a run', () => {
    const out = path.join(dir, 'kept', 'model');
    expect(epochDir(`${out}/`, 7)).toBe(path.resolve(`${out}.epochs`, 'e7'));
    expect(() => checkKeptEpochs(out, 0)).not.toThrow(); // no folder yet
    for (const name of ['e1', 'e2', 'e10', 'e3-old', 'notes'])
      fs.mkdirSync(path.join(`${out}.epochs`, name), { recursive: true });
    expect(() => checkKeptEpochs(out, 10)).not.toThrow(); // e3-old and notes are not epochs
    let err: unknown;
    try {
      checkKeptEpochs(out, 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewaveError);
    expect((err as GatewaveError).code).toBe('OUTPUT_EXISTS');
    expect((err as Error).message).toMatch(/already holds epochs after 1, where this run starts \(e2, e10\)/);
    fs.writeFileSync(path.join(dir, 'file.epochs'), '');
    expect(() => checkKeptEpochs(path.join(dir, 'file'), 0)).toThrow(/file\.epochs is a file/);
  });

  test('save and load round trip: weights, Adam moments and step count, state and documents are the same', async () => {
    const model = smallModel();
    const optimizer = tf.train.adam(0.01);
    trainThreeSteps(model, optimizer);
    const ckpt = path.join(dir, 'round-trip.checkpoint');
    const state = { epoch: 3, learningRate: 0.01, history: [{ epoch: 1, loss: 0.5 }] };
    await saveCheckpoint(ckpt, {
      model,
      optimizer,
      state,
      modelMetadata: { kind: 'test' },
      documents: { detector: { classes: ['a', 'b'] } },
    });
    expect(fs.readdirSync(ckpt).sort()).toEqual([
      'detector.json',
      'model',
      'optimizer.bin',
      'optimizer.json',
      'state.json',
    ]);
    expect(hasCheckpoint(ckpt)).toBe(true);
    expect(loadModelMetadata(path.join(ckpt, 'model')).kind).toBe('test');

    const loaded = await loadCheckpoint<typeof state>(ckpt, ['detector']);
    expect(loaded.state).toEqual(state);
    expect(loaded.documents).toEqual({ detector: { classes: ['a', 'b'] } });
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(loaded.model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);

    const fresh = tf.train.adam(0.01);
    await loadOptimizerState(ckpt, fresh);
    const restored = await namedValues(await fresh.getWeights());
    const original = await namedValues(await optimizer.getWeights());
    expect(restored).toEqual(original);
    expect(restored.iter).toEqual([3]);
    expect(Object.keys(restored)).toHaveLength(1 + 2 * 4); // iter + m and v of 2 kernels and 2 biases
  });

  test('a checkpoint is replaced whole by the next one', async () => {
    const model = smallModel();
    const optimizer = tf.train.adam(0.01);
    const ckpt = path.join(dir, 'replaced.checkpoint');
    await saveCheckpoint(ckpt, { model, optimizer, state: { epoch: 1 }, documents: { detector: {} } });
    trainThreeSteps(model, optimizer);
    await saveCheckpoint(ckpt, { model, optimizer, state: { epoch: 2 } });
    expect(fs.existsSync(path.join(ckpt, 'detector.json'))).toBe(false);
    expect((await loadCheckpoint<{ epoch: number }>(ckpt)).state.epoch).toBe(2);
  });

  test('errors: no checkpoint, a document name the next save could not replace, values that do not match the list', async () => {
    await expect(loadCheckpoint(path.join(dir, 'none'))).rejects.toMatchObject({ code: 'NO_CHECKPOINT' });
    const model = smallModel();
    const optimizer = tf.train.adam(0.01);
    await expect(
      saveCheckpoint(path.join(dir, 'notes.checkpoint'), { model, optimizer, state: {}, documents: { notes: {} } }),
    ).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    expect(fs.existsSync(path.join(dir, 'notes.checkpoint'))).toBe(false);
    trainThreeSteps(model, optimizer);
    const ckpt = path.join(dir, 'cut.checkpoint');
    await saveCheckpoint(ckpt, { model, optimizer, state: { epoch: 3 } });
    const bin = path.join(ckpt, 'optimizer.bin');
    fs.writeFileSync(bin, fs.readFileSync(bin).subarray(0, 8));
    const err = await loadOptimizerState(ckpt, tf.train.adam(0.01)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewaveError);
    expect((err as GatewaveError).code).toBe('CHECKPOINT_CORRUPT');
    expect((err as Error).message).toMatch(/optimizer\.bin holds 2 values, its variable list \d+/);
  });
});
