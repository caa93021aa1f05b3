/** averageModels: the weighted mean of saved models' weights, checked architectures, safe output. */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { GatewaveError, averageModels, loadModel, loadModelMetadata, saveModel, setSeed } from '../src';
import { tempDir, useCpuBackend } from './test-setup';

const dir = tempDir('gatewave-average-');
useCpuBackend();

/** A dense layer and a batch norm (whose moving statistics are weights too), with its own random weights per seed. */
function smallModel(seed: number, units = 3): tf.LayersModel {
  setSeed(seed);
  const input = tf.input({ shape: [4] });
  const h = tf.layers.dense({ units, name: 'dense', kernelInitializer: 'randomNormal' }).apply(input);
  const out = tf.layers.batchNormalization({ name: 'bn' }).apply(h) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const bn = model.getLayer('bn');
  bn.setWeights(bn.getWeights().map((w) => tf.randomUniform(w.shape, 0.5, 1.5, 'float32', seed)));
  return model;
}

async function saved(name: string, model: tf.LayersModel, metadata = {}): Promise<string> {
  const target = path.join(dir, name);
  await saveModel(model, target, metadata);
  return target;
}

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

test('the result holds the weighted mean of every weight, batch-norm statistics included, and names its sources', async () => {
  const a = smallModel(1);
  const b = smallModel(2);
  const dirs = [await saved('a', a, { kind: 'test', epoch: 5 }), await saved('b', b)];
  const used = await averageModels(dirs, path.join(dir, 'ab'), { weights: [3, 1] });
  expect(used).toEqual([0.75, 0.25]);
  const avg = await loadModel(path.join(dir, 'ab'));
  const [wa, wb, wm] = [weightsOf(a), weightsOf(b), weightsOf(avg)];
  expect(wm).toHaveLength(4 + 2); // kernel, bias; gamma, beta, moving mean, moving variance
  wm.forEach((w, i) => w.forEach((v, j) => expect(v).toBeCloseTo(0.75 * wa[i][j] + 0.25 * wb[i][j], 6)));
  expect(loadModelMetadata(path.join(dir, 'ab'))).toEqual({
    kind: 'test',
    epoch: 5,
    averagedFrom: [
      { model: dirs[0], weight: 0.75 },
      { model: dirs[1], weight: 0.25 },
    ],
  });
});

test('averaging a model with itself gives it back exactly; equal weights are the default', async () => {
  const a = await saved('self', smallModel(3));
  await averageModels([a, a, a], path.join(dir, 'self3'));
  expect(fs.readFileSync(path.join(dir, 'self3', 'weights.bin'))).toEqual(fs.readFileSync(path.join(a, 'weights.bin')));
});

test('bad input: other architectures, bad weights, one model, output over an input or over other files', async () => {
  const a = await saved('x3', smallModel(4, 3));
  const b = await saved('x5', smallModel(5, 5));
  const c = await saved('y3', smallModel(6, 3));
  const reject = (p: Promise<unknown>, re: RegExp) => expect(p).rejects.toThrow(re);
  await reject(averageModels([a, b], path.join(dir, 'o1')), /x5 is not the architecture of .*x3.*dense\/kernel/);
  await reject(averageModels([a, c], path.join(dir, 'o2'), { weights: [1] }), /1 weights for 2 models/);
  await reject(averageModels([a, c], path.join(dir, 'o3'), { weights: [1, -1] }), /positive/);
  await reject(averageModels([a], path.join(dir, 'o4')), /at least 2 models/);
  await reject(averageModels([a, c], a), /is also an input of this run/);
  await reject(averageModels([a, path.join(dir, 'nothing')], path.join(dir, 'o5')), /no model at/);
  const foreign = path.join(dir, 'foreign');
  fs.mkdirSync(foreign);
  fs.writeFileSync(path.join(foreign, 'notes.txt'), 'mine');
  await reject(averageModels([a, c], foreign), /notes\.txt|other files|overwrite/);
  expect(fs.readFileSync(path.join(foreign, 'notes.txt'), 'utf8')).toBe('mine');
  for (const o of ['o1', 'o2', 'o3', 'o4', 'o5']) expect(fs.existsSync(path.join(dir, o))).toBe(false);
  await expect(averageModels([a, b], path.join(dir, 'o6'))).rejects.toBeInstanceOf(GatewaveError);
});
