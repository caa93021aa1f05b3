/**
 * The detector trained and used: trainDetector on a tiny model (best model, checkpoints, resume, class balance), the
 * packaged FOA model, training on scenes made on the fly, and the symmetric FOA views.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { epochDir, loadModel, loadModelMetadata, tf } from '@gatewave/core';
import { defaultDetectorConfig, SoundEventDetector } from '../src/sed/detector';
import { foaView, foaViewMatrix } from '../src/sed/foa-views';
import { extractFeatures, DEFAULT_FEATURES } from '../src/sed/features';
import { Rng } from '@gatewave/core';
import { EventClip, loadEventClips, spatialize, synthesizeScene } from '../src/sed/synth';
import { atLevel, recordingRms } from '../src/dsp/level';
import { classBalanceWeights, listScenes, prepareScenes, trainDetector } from '../src/sed/train';
import { formatSceneLabels } from '../src/sed/events';
import { toDirection, toUnitVector } from '../src/sed/geometry';
import { SceneGenerator, SceneStream } from '../src/sed/scene-stream';
import { synStreamOptions } from '../src/sed/train/start';
import { writeWav } from '../src/io/wav';
import { noise } from './sed-helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('trainDetector (tiny model)', () => {
  test('trains, keeps the best model (with keepEpochs every epoch), checkpoints and resumes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sed-train-'));
    try {
      const sr = 24000;
      const clips: EventClip[] = [
        {
          file: 'a.wav',
          class: 'hum',
          samples: Float32Array.from({ length: sr }, (_, i) => Math.sin((2 * Math.PI * 300 * i) / sr)),
        },
        { file: 'b.wav', class: 'hiss', samples: noise(sr, 4) },
      ];
      const rng = new Rng(1);
      for (let i = 0; i < 2; i++) {
        const s = synthesizeScene(clips, { format: 'foa', sampleRate: sr, seconds: 2, eventRate: 1 }, rng);
        writeWav(path.join(dir, `s${i}.wav`), s.audio, { format: 'float32' });
        fs.writeFileSync(path.join(dir, `s${i}.csv`), formatSceneLabels(s.events));
      }
      const out = path.join(dir, 'model');
      const common = {
        scenes: dir,
        out,
        batchSize: 1,
        sequenceSeconds: 1,
        stepsPerEpoch: 1,
        progress: false,
        log: () => {},
        model: { convChannels: [4, 4, 4], gruUnits: [8] },
      };
      const first = await trainDetector({ ...common, epochs: 1 });
      expect(first.history).toHaveLength(1);
      expect(first.config.classes).toEqual(['hiss', 'hum']);
      expect(fs.existsSync(path.join(out, 'model.json'))).toBe(true);
      const state = JSON.parse(fs.readFileSync(`${out}.checkpoint/state.json`, 'utf8'));
      expect(state.epoch).toBe(1);
      const second = await trainDetector({ ...common, epochs: 2, resume: true });
      expect(second.history.map((h) => h.epoch)).toEqual([2]);
      expect(JSON.parse(fs.readFileSync(`${out}.checkpoint/state.json`, 'utf8')).epoch).toBe(2);
      const det = await SoundEventDetector.load(out);
      expect(det.config.convChannels).toEqual([4, 4, 4]);
      expect(det.config.normalization.mean).toHaveLength(64 * 7);
      expect([0.2, 0.3, 0.4, 0.5, 0.6]).toContain(det.config.threshold);
      expect([0.1, 0.2, 0.3]).toContain(det.config.minDuration);
      // a threshold nothing reaches keeps the validation score fixed: epochs 2 and 3 are no better, and with
      // lrPatience 1 each halves the learning rate
      const flat = path.join(dir, 'flat');
      const third = await trainDetector({
        ...common,
        out: flat,
        epochs: 3,
        thresholds: [0.999],
        lrPatience: 1,
        learningRate: 0.002,
      });
      expect(third.history.map((h) => h.best)).toEqual([true, false, false]);
      expect(JSON.parse(fs.readFileSync(`${flat}.checkpoint/state.json`, 'utf8')).learningRate).toBeCloseTo(0.0005, 12);
      // keepEpochs: every epoch's model with its own tuned post-processing; e2 is the checkpoint after epoch 2
      const kept = path.join(dir, 'kept');
      const keep = { ...common, out: kept, thresholds: [0.999], minDurations: [0.3], keepEpochs: true };
      await trainDetector({ ...keep, epochs: 2 });
      expect(fs.readdirSync(`${kept}.epochs`).sort()).toEqual(['e1', 'e2']);
      const e2 = await SoundEventDetector.load(epochDir(kept, 2));
      expect(e2.config).toMatchObject({ threshold: 0.999, minDuration: 0.3, classes: ['hiss', 'hum'] });
      expect((loadModelMetadata(epochDir(kept, 2)).training as { epoch: number }).epoch).toBe(2);
      const ckpt = await loadModel(`${kept}.checkpoint/model`);
      expect(e2.model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(
        ckpt.getWeights().map((w) => Array.from(w.dataSync())),
      );
      await expect(trainDetector({ ...keep, epochs: 1 })).rejects.toThrow(
        /--keep-epochs: .*kept\.epochs already holds epochs after 0, where this run starts \(e1, e2\)/,
      );
      await trainDetector({ ...keep, epochs: 3, resume: true });
      expect(fs.readdirSync(`${kept}.epochs`).sort()).toEqual(['e1', 'e2', 'e3']);
      // class balance: the weights are measured on the training scenes, stored with the model and kept on resume
      const balanced = path.join(dir, 'balanced');
      const lines: string[] = [];
      const b1 = await trainDetector({
        ...common,
        out: balanced,
        epochs: 1,
        classBalance: 1,
        log: (l) => lines.push(l),
      });
      const weights = b1.config.positiveWeights!;
      expect(weights).toHaveLength(2);
      // the training scene is s0 (the last 10 %, s1, validates)
      const trainScenes = prepareScenes({ ...listScenes(dir), scenes: listScenes(dir).scenes.slice(0, 1) }, b1.config);
      const expected = classBalanceWeights(trainScenes, 2, 1);
      weights.forEach((w, k) => expect(w).toBeCloseTo(expected[k], 9));
      expect(weights[0] * weights[1]).toBeCloseTo(1, 6);
      expect(lines.join('\n')).toMatch(/class balance 1: active-frame weights from (hiss|hum) \d/);
      expect((await SoundEventDetector.load(balanced)).config.positiveWeights).toEqual(weights);
      const b2 = await trainDetector({ ...common, out: balanced, epochs: 2, resume: true, classBalance: 0 });
      expect(b2.config.positiveWeights).toEqual(weights);
      // fine-tuning without class balance drops inherited weights
      const plain = await trainDetector({ ...common, out: path.join(dir, 'plain'), init: balanced, epochs: 1 });
      expect(plain.config.positiveWeights).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The packaged model (packages/audio/models/detector-foa): it must load, need FOA, and give 100 ms frames.
const packaged = path.resolve(__dirname, '../models/detector-foa');
const havePackaged = fs.existsSync(path.join(packaged, 'model.json'));
if (!havePackaged) console.warn(`SKIPPED packaged detector test: no model.json in ${packaged}`);
(havePackaged ? test : test.skip)(
  'packaged FOA detector loads, checks channels and predicts 100 ms frames',
  async () => {
    const det = await SoundEventDetector.load(packaged);
    expect(det.config.features.format).toBe('foa');
    expect(det.config.classes).toHaveLength(24);
    expect(det.config.convChannels).toEqual([64, 64, 64]);
    expect(det.config.gruUnits).toEqual([128, 128]);
    const sr = det.config.features.sampleRate;
    const mono = { sampleRate: sr, channels: [noise(sr, 5)] };
    expect(() => det.predict(mono, 'mono.wav')).toThrow(/needs 4/);
    const out = det.predict({ sampleRate: sr, channels: spatialize(noise(sr, 6), 'foa', 40, 10, sr) }, 'x.wav');
    expect(out.frames).toBe(10);
    expect(out.frameLength).toBeCloseTo(0.1, 9);
    for (const p of out.activity) expect(p >= 0 && p <= 1).toBe(true);
  },
  30000,
);

describe('training on scenes made on the fly', () => {
  // Two synthetic clips in a folder with a label file, as synth-scenes and train-detector --synthesize read them.
  let dir: string;
  const sr = 24000;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sed-synth-train-'));
    const hum = Float32Array.from({ length: sr }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 300 * i) / sr));
    writeWav(path.join(dir, 'hum.wav'), { sampleRate: sr, channels: [hum] }, { format: 'float32' });
    writeWav(path.join(dir, 'hiss.wav'), { sampleRate: sr, channels: [noise(sr, 4)] }, { format: 'float32' });
    fs.writeFileSync(path.join(dir, 'labels.csv'), 'file,label\nhum.wav,hum\nhiss.wav,hiss\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const streamOptions = () => ({
    events: dir,
    part: 'train' as const,
    scene: { seconds: 2, eventRate: 1, minEventSeconds: 0.2, speedRange: [0.9, 1.1] as [number, number] },
    features: { format: 'foa' as const, ...DEFAULT_FEATURES },
    seed: 9,
  });

  test('SceneGenerator: features and labels of synthesised scenes, same seed same scenes', () => {
    const a = new SceneGenerator(streamOptions());
    expect(a.classes).toEqual(['hiss', 'hum']);
    const [s1, s2] = a.next(2);
    expect(s1.features.channels).toBe(7);
    expect(s1.features.frames).toBe(Math.floor((2 * sr) / DEFAULT_FEATURES.hopLength));
    expect(s1.events.length).toBeGreaterThan(0);
    expect(s1.events.every((e) => e.file === s1.name)).toBe(true);
    expect(s1.name).not.toBe(s2.name);
    const again = new SceneGenerator(streamOptions()).next(2);
    expect(again[1].features.data).toEqual(s2.features.data);
    expect(again[1].events).toEqual(s2.events);
  });

  test('SceneGenerator at an input level: the features of the same scene scaled to that level', () => {
    const opts = streamOptions();
    const [raw] = new SceneGenerator(opts).next(1);
    const [levelled] = new SceneGenerator({ ...opts, inputLevelDb: -30 }).next(1);
    expect(levelled.events).toEqual(raw.events);
    // The scene itself, made again from the same clips and seed.
    const { clips } = loadEventClips(dir, path.join(dir, 'labels.csv'), { sampleRate: sr, part: 'train' });
    const scene = synthesizeScene(clips, { ...opts.scene, format: 'foa', sampleRate: sr }, new Rng(opts.seed));
    expect(raw.features.data).toEqual(extractFeatures(scene.audio.channels, opts.features).data);
    expect(20 * Math.log10(recordingRms(scene.audio.channels))).not.toBeCloseTo(-30, 0);
    expect(levelled.features.data).toEqual(extractFeatures(atLevel(scene.audio.channels, -30), opts.features).data);
    // A detector with an input level trains on scenes at that level.
    const config = { ...defaultDetectorConfig('foa', ['hiss', 'hum']), inputLevel: { db: -30, chosenOn: 'test' } };
    const syn = { events: dir, scene: opts.scene };
    expect(synStreamOptions(syn, config, 9).inputLevelDb).toBe(-30);
    expect(synStreamOptions(syn, defaultDetectorConfig('foa', ['hiss', 'hum']), 9).inputLevelDb).toBeUndefined();
  });

  // The worker thread runs compiled JavaScript: test it through the built package (npm ci builds it).
  const built = path.resolve(__dirname, '../dist/sed/scene-stream.js');
  (fs.existsSync(built) ? test : test.skip)(
    "SceneStream in a worker thread gives the generator's scenes, in order",
    async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { SceneStream: BuiltStream } = require(built) as { SceneStream: typeof SceneStream };
      const stream = new BuiltStream(streamOptions());
      try {
        expect(stream.background).toBe(true);
        const first = await stream.next(2);
        const second = await stream.next(2); // was prefetched while the caller worked
        const reference = new SceneGenerator(streamOptions()).next(4);
        expect([...first, ...second].map((s) => s.name)).toEqual(reference.map((s) => s.name));
        expect(second[1].features.data).toEqual(reference[3].features.data);
        expect(second[1].events).toEqual(reference[3].events);
      } finally {
        await stream.close();
      }
      const bad = new BuiltStream({ ...streamOptions(), events: path.join(dir, 'missing') });
      await expect(bad.next(1)).rejects.toThrow(/scene synthesis failed: .*labels/);
      await bad.close();
    },
    30000,
  );

  test('SceneStream without a worker makes the same scenes in this thread', async () => {
    const stream = new SceneStream(streamOptions(), false);
    expect(stream.background).toBe(false);
    const got = await stream.next(3);
    expect(got.map((s) => s.events)).toEqual(new SceneGenerator(streamOptions()).next(3).map((s) => s.events));
    await expect(stream.next(0)).rejects.toThrow(/positive integer/);
    await stream.close();
  });

  test('trainDetector --synthesize trains from clips, refreshes its pool, then fine-tunes with init', async () => {
    const out = path.join(dir, 'model');
    const logs: string[] = [];
    const common = {
      out,
      batchSize: 1,
      sequenceSeconds: 1,
      stepsPerEpoch: 1,
      progress: false,
      log: (s: string) => logs.push(s),
      model: { convChannels: [4, 4, 4], gruUnits: [8] },
    };
    const synthesize = {
      events: dir,
      pool: 3,
      refresh: 2,
      validationScenes: 1,
      worker: false,
      scene: streamOptions().scene,
    };
    const first = await trainDetector({ ...common, synthesize, epochs: 2, freqMasks: 2 });
    expect(first.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(first.config.classes).toEqual(['hiss', 'hum']);
    expect(logs.join('\n')).toMatch(
      /3 synthesised scenes in the pool, 2 replaced after each epoch \(made in this thread\); 1 validation scenes/,
    );
    const trained = await SoundEventDetector.load(out);
    expect(trained.config.normalization.mean).toHaveLength(64 * 7);
    // fine-tuning keeps the starting model's configuration and normalisation
    const tuned = path.join(dir, 'tuned');
    logs.length = 0;
    const second = await trainDetector({ ...common, out: tuned, synthesize, epochs: 1, init: out, model: undefined });
    expect(second.config.convChannels).toEqual([4, 4, 4]);
    // before its first step, the --init model is scored on the same validation scene as it was when it was chosen
    const start = logs
      .join('\n')
      .match(/before training \(the --init model .*\): validation .* selection score ([\d.]+)/);
    const chosen = Math.min(...first.history.map((h) => h.score));
    expect(Number(start?.[1])).toBeCloseTo(chosen, 3);
    expect(second.config.normalization).toEqual(trained.config.normalization);
    await expect(trainDetector({ ...common, synthesize, scenes: dir, epochs: 1 })).rejects.toThrow(
      /either a scenes folder/,
    );
    await expect(trainDetector({ ...common, synthesize, init: out, resume: true, epochs: 1 })).rejects.toThrow(
      /exclude each other/,
    );
    fs.writeFileSync(path.join(dir, 'other.csv'), 'file,label\nhum.wav,hum\n');
    // --init on another class list keeps the weights and remaps the output units by class name
    const narrower = await trainDetector({
      ...common,
      out: tuned,
      synthesize: { ...synthesize, labels: path.join(dir, 'other.csv') },
      init: out,
      epochs: 1,
    });
    expect(narrower.config.classes).toEqual(['hum']);
    expect(narrower.config.normalization).toEqual(trained.config.normalization);
  }, 60000);
});

describe('symmetric FOA views (test-time augmentation)', () => {
  const sr = DEFAULT_FEATURES.sampleRate;
  const cfg = { format: 'foa' as const, ...DEFAULT_FEATURES };
  const x = noise(sr / 2, 12);
  const az = 30;
  const el = 20;
  const features = extractFeatures(spatialize(x, 'foa', az, el, sr), cfg);

  test('each view equals the features of the recording made at the mapped direction', () => {
    const d = toUnitVector(az, el);
    for (let v = 0; v < 16; v++) {
      const T = foaViewMatrix(v);
      const m = [0, 1, 2].map((r) => T[3 * r] * d[0] + T[3 * r + 1] * d[1] + T[3 * r + 2] * d[2]);
      const dir = toDirection(m[0], m[1], m[2]);
      const expected = extractFeatures(spatialize(x, 'foa', dir.azimuth, dir.elevation, sr), cfg);
      const got = foaView(features, v);
      let err = 0;
      for (let i = 0; i < got.data.length; i++) err = Math.max(err, Math.abs(got.data[i] - expected.data[i]));
      expect(err).toBeLessThan(2e-3);
    }
    // the first views are: identity, 180°, 90°, 270°; then the mirror images
    expect(foaViewMatrix(0)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(foaViewMatrix(1)).toEqual([-1, 0, 0, 0, -1, 0, 0, 0, 1]);
    expect(foaViewMatrix(2)).toEqual([0, -1, 0, 1, 0, 0, 0, 0, 1]);
    expect(() => foaView({ ...features, channels: 4 }, 0)).toThrow(/7 channels/);
  });

  test('predictFeatures averages the views, mapping directions back', () => {
    // A stand-in network whose class-0 activity is (1 + I_x)/2 and whose class-0 direction is the intensity vector
    // of mel band 20: on the views of a plane wave it sees rotated directions and must report the true one.
    const classes = ['a', 'b'];
    const M = features.melBands;
    const config = {
      ...defaultDetectorConfig('foa', classes),
      normalization: { mean: new Array(M * 7).fill(0), std: new Array(M * 7).fill(1) },
    };
    const fake = {
      predict: (input: tf.Tensor) => {
        const data = input.dataSync();
        const frames = input.shape[1]! / config.labelHop;
        const act = new Float32Array(frames * 2);
        const doa = new Float32Array(frames * 6);
        for (let t = 0; t < frames; t++) {
          const o = (t * config.labelHop * M + 20) * 7;
          act[t * 2] = (1 + data[o + 4]) / 2;
          act[t * 2 + 1] = 0.25;
          doa[t * 6] = data[o + 4];
          doa[t * 6 + 2] = data[o + 5];
          doa[t * 6 + 4] = data[o + 6];
        }
        return [tf.tensor3d(act, [1, frames, 2]), tf.tensor3d(doa, [1, frames, 6])];
      },
    } as unknown as tf.LayersModel;
    const det = new SoundEventDetector(fake, config);
    const one = det.predictFeatures(features);
    const t = 2;
    const dir1 = toDirection(one.doa![t * 6], one.doa![t * 6 + 2], one.doa![t * 6 + 4]);
    expect(dir1.azimuth).toBeCloseTo(az, 0);
    for (const views of [2, 4, 8, 16]) {
      const avg = det.predictFeatures(features, 3000, views);
      const dir = toDirection(avg.doa![t * 6], avg.doa![t * 6 + 2], avg.doa![t * 6 + 4]);
      expect(Math.abs(dir.azimuth - dir1.azimuth)).toBeLessThan(1e-3);
      expect(Math.abs(dir.elevation - dir1.elevation)).toBeLessThan(1e-3);
      // activity: the mean over the views of (1 + x-component of the mapped intensity) / 2
      const I = [4, 5, 6].map((c) => features.data[(t * config.labelHop * M + 20) * 7 + c]);
      let expected = 0;
      for (let v = 0; v < views; v++) {
        const T = foaViewMatrix(v);
        expected += (1 + T[0] * I[0] + T[1] * I[1] + T[2] * I[2]) / 2 / views;
      }
      expect(avg.activity[t * 2]).toBeCloseTo(expected, 5);
      expect(avg.activity[t * 2 + 1]).toBeCloseTo(0.25, 6);
    }
    expect(() => det.predictFeatures(features, 3000, 3)).toThrow(/views must be one of 1, 2, 4, 8, 16/);
  });
});
