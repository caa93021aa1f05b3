import * as fs from 'fs';
import * as path from 'path';
import { initBackend, Rng } from '@gatewave/core';
import { SoundEventDetector } from '../src/sed/detector';
import { detectorWithFormat, remapInputKernel } from '../src/sed/remap';
import { tempDir } from '../../core/test/test-setup';
import { ONE_TRAINING_STEP, runSed, saveTinyDetector, writeHumAndHissClips } from './sed-helpers';

const dir = tempDir('sed-format-init-');
beforeAll(async () => {
  await initBackend('cpu', { quiet: true });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** conv1's kernel of a detector as [tap][channel][out]. */
function inputKernel(d: SoundEventDetector): number[][][][] {
  return d.model.weights
    .find((w) => w.originalName === 'conv1/kernel')!
    .read()
    .arraySync() as number[][][][];
}

describe('a detector started from one of another scene format', () => {
  test('remapInputKernel: the shared channels take the old kernels, the others keep the fresh ones', () => {
    // 2 taps, old 3 channels, new 4 channels, 2 outputs, 1 shared channel; layout [tap][channel][out]
    const old = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const fresh = new Float32Array(16).fill(-1);
    expect(Array.from(remapInputKernel(old, fresh, 2, 3, 4, 2, 1))).toEqual([
      1, 2, -1, -1, -1, -1, -1, -1, 7, 8, -1, -1, -1, -1, -1, -1,
    ]);
    expect(() => remapInputKernel(old, new Float32Array(15), 2, 3, 4, 2, 1)).toThrow(/conv1 kernels/);
  });

  test('foa -> mic4: log-mel kernels and every later layer kept, GCC-PHAT kernels fresh, no views or normalisation', async () => {
    const foaDir = path.join(dir, 'foa');
    await saveTinyDetector(foaDir);
    const foa = await SoundEventDetector.load(foaDir);
    foa.config.views = 8;
    const mic = detectorWithFormat(foa, 'mic4');
    expect(mic.config.features.format).toBe('mic4');
    expect(mic.config.views).toBeUndefined();
    expect(mic.config.normalization.mean).toEqual([]);
    const [a, b] = [inputKernel(foa), inputKernel(mic)];
    expect(b[0][0]).toHaveLength(10);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        expect(b[i][j].slice(0, 4)).toEqual(a[i][j].slice(0, 4));
        // the foa detector's intensity kernels (channels 4-6) are not carried over onto GCC-PHAT channels
        expect(b[i][j].slice(4, 7)).not.toEqual(a[i][j].slice(4, 7));
      }
    const later = (d: SoundEventDetector) =>
      d.model.weights.filter((w) => w.originalName !== 'conv1/kernel').map((w) => w.read().arraySync());
    expect(later(mic)).toEqual(later(foa));
  });

  test('train-detector --init with a foa detector on mic4 scenes: measures 10-channel normalisation, detects on 4-mic audio', async () => {
    const foaDir = path.join(dir, 'foa-init');
    await saveTinyDetector(foaDir);
    const clips = writeHumAndHissClips(dir);
    const out = path.join(dir, 'mic');
    const scenes = ['--scene-seconds', '2', '--pool', '1', '--refresh', '1', '--validation-scenes', '1'];
    await runSed([
      'train-detector',
      '--synthesize',
      clips,
      '--part',
      'all',
      '--scene-format',
      'mic4',
      ...scenes,
      '--init',
      foaDir,
      '--out',
      out,
      ...ONE_TRAINING_STEP,
    ]);
    const mic = await SoundEventDetector.load(out);
    expect(mic.config.features.format).toBe('mic4');
    expect(mic.config.normalization.mean).toHaveLength(64 * 10);
    expect(mic.config.normalization.std.every((s) => s > 0)).toBe(true);
    const r = new Rng(5);
    const rate = mic.config.features.sampleRate;
    const audio = {
      sampleRate: rate,
      channels: [0, 1, 2, 3].map(() => Float32Array.from({ length: rate }, () => r.gauss())),
    };
    expect(mic.predict(audio, 'four-mics.wav').frames).toBe(10);
  });
});

describe('packaged mic4 detector', () => {
  const packaged = path.resolve(__dirname, '../models/detector-mic4-corpus');
  test('loads as a mic4 detector of the 17 corpus classes, refuses 1-channel audio naming its array, predicts 100 ms frames', async () => {
    const det = await SoundEventDetector.load(packaged);
    expect(det.config.features.format).toBe('mic4');
    expect(det.config.classes).toHaveLength(17);
    expect(det.config.normalization.mean).toHaveLength(64 * 10);
    const rate = det.config.features.sampleRate;
    const r = new Rng(9);
    const noise = () => Float32Array.from({ length: rate }, () => 0.1 * r.gauss());
    expect(() => det.predict({ sampleRate: rate, channels: [noise()] }, 'mono.wav')).toThrow(/tetrahedral/);
    const out = det.predict({ sampleRate: rate, channels: [noise(), noise(), noise(), noise()] }, 'four.wav');
    expect(out.frames).toBe(10);
    for (const p of out.activity) expect(p >= 0 && p <= 1).toBe(true);
  }, 30000);
});
