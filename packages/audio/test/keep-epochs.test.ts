/**
 * `trainEnhancer({ keepEpochs })` (`train-enhancer --keep-epochs`): the weights after every epoch as model folders
 * `<out>.epochs/e<N>`, equal to the checkpoint's after that epoch; a resume fills in the epoch it starts from when it
 * is missing; a run that would replace kept epochs refuses to start.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkpointDir, epochDir, initBackend, loadModel, loadModelMetadata } from '@gatewave/core';
import { trainEnhancer, type TrainEnhancerOptions } from '../src/enhance/train';
import { writeWav } from '../src/io/wav';

let tmp: string;
let base: TrainEnhancerOptions;

const tone = (n: number, f: number, am: number): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin(i / f) * (0.6 + 0.4 * Math.sin(i / am)));

beforeAll(async () => {
  await initBackend(undefined, { quiet: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-keep-epochs-'));
  const speechDir = path.join(tmp, 'speech');
  const noiseDir = path.join(tmp, 'noise');
  fs.mkdirSync(speechDir);
  fs.mkdirSync(noiseDir);
  for (const [i, f] of [3, 5, 7, 9].entries())
    writeWav(path.join(speechDir, `s${i}.wav`), { sampleRate: 16000, channels: [tone(16000, f, 700 + 100 * i)] });
  let seed = 7;
  const noise = Float32Array.from({ length: 16000 }, () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return 0.1 * (seed / 1073741824 - 1);
  });
  writeWav(path.join(noiseDir, 'n.wav'), { sampleRate: 16000, channels: [noise] });
  base = {
    speechDir,
    noiseDir,
    out: path.join(tmp, 'model'),
    config: 'small',
    epochs: 2,
    stepsPerEpoch: 1,
    batchSize: 1,
    validationMixtures: 1,
    minSeconds: 0.5,
    maxSeconds: 0.5,
    keepEpochs: true,
    quiet: true,
  };
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function weightsOf(dir: string): Promise<Float32Array[]> {
  const model = await loadModel(dir);
  const values = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  return values;
}

describe('train-enhancer keeps every epoch', () => {
  test('a fresh run keeps e1 and e2; e2 is the checkpoint after epoch 2; a resume to 3 adds e3', async () => {
    await trainEnhancer(base);
    const kept = path.dirname(epochDir(base.out, 1));
    expect(fs.readdirSync(kept).sort()).toEqual(['e1', 'e2']);
    expect(loadModelMetadata(epochDir(base.out, 1))).toMatchObject({ kind: 'frcrn', epoch: 1 });
    expect(loadModelMetadata(epochDir(base.out, 2)).validationLoss).toEqual(expect.any(Number));
    const e1 = await weightsOf(epochDir(base.out, 1));
    const e2 = await weightsOf(epochDir(base.out, 2));
    const ckpt = await weightsOf(path.join(checkpointDir(base.out), 'model'));
    expect(e2).toEqual(ckpt);
    expect(e1).not.toEqual(e2); // a training step changed the weights between the epochs

    await trainEnhancer({ ...base, epochs: 3, resume: true });
    expect(fs.readdirSync(kept).sort()).toEqual(['e1', 'e2', 'e3']);
    expect(await weightsOf(epochDir(base.out, 2))).toEqual(e2); // kept epochs are left alone
    expect(loadModelMetadata(epochDir(base.out, 3)).epoch).toBe(3);
  }, 120000);

  test('a resume writes the epoch it starts from when it was not kept', async () => {
    const out = path.join(tmp, 'model-gap');
    await trainEnhancer({ ...base, out, epochs: 1, keepEpochs: false });
    expect(fs.existsSync(path.dirname(epochDir(out, 1)))).toBe(false);
    const ckpt = await weightsOf(path.join(checkpointDir(out), 'model'));
    await trainEnhancer({ ...base, out, epochs: 1, resume: true });
    expect(await weightsOf(epochDir(out, 1))).toEqual(ckpt);
    expect(loadModelMetadata(epochDir(out, 1)).epoch).toBe(1);
  }, 120000);

  test('a run that would replace kept epochs stops before any work, naming them; nothing is changed', async () => {
    const out = path.join(tmp, 'model-clash');
    await trainEnhancer({ ...base, out });
    const before = fs.statSync(path.join(epochDir(out, 2), 'weights.bin')).mtimeMs;
    await expect(trainEnhancer({ ...base, out })).rejects.toThrow(
      /--keep-epochs: .*model-clash\.epochs already holds epochs after 0, where this run starts \(e1, e2\); this run would replace them/,
    );
    expect(fs.statSync(path.join(epochDir(out, 2), 'weights.bin')).mtimeMs).toBe(before);
    // without keepEpochs the same run goes ahead and leaves the kept epochs alone
    await trainEnhancer({ ...base, out, keepEpochs: false, epochs: 1 });
    expect(fs.readdirSync(path.dirname(epochDir(out, 1))).sort()).toEqual(['e1', 'e2']);
  }, 120000);
});
