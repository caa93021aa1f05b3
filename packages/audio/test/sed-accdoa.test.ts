import * as fs from 'fs';
import * as path from 'path';
import { initBackend, Rng, setSeed, tf } from '@gatewave/core';
import { accdoaActivity, accdoaLoss } from '../src/sed/accdoa';
import {
  buildDetector,
  defaultDetectorConfig,
  eventTargets,
  normalizeFeatures,
  SoundEventDetector,
} from '../src/sed/detector';
import { extractFeatures } from '../src/sed/features';
import { framesToEvents } from '../src/sed/frame-events';
import { toUnitVector } from '../src/sed/geometry';
import { featureStatistics, PreparedScene } from '../src/sed/train';
import { detectorWithClasses, detectorWithOutput } from '../src/sed/remap';
import { spatialize } from '../src/sed/synth';
import { tempDir } from '../../core/test/test-setup';
import { ONE_TRAINING_STEP, runSed, writeHumAndHissClips } from './sed-helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** `[frames, 3K]` ACCDOA rows (x for every class, then y, then z) from per-frame per-class vectors. */
function vectors(rows: [number, number, number][][]): Float32Array {
  const K = rows[0].length;
  const out = new Float32Array(rows.length * 3 * K);
  rows.forEach((row, t) => row.forEach((v, k) => v.forEach((c, a) => (out[t * 3 * K + a * K + k] = c))));
  return out;
}

describe('ACCDOA decoding', () => {
  test('activity is the vector length (at most 1); events take the vectors of their frames as direction', () => {
    const z: [number, number, number] = [0, 0, 0];
    // class 0 ("dog"): frames 1-3 point to azimuth 90° (+y) with lengths 0.8, 0.9, 1.6; class 1 ("rain"): length 0.3
    const v = vectors([
      [z, [0.3, 0, 0]],
      [
        [0, 0.8, 0],
        [0, 0, 0.3],
      ],
      [[0, 0.9, 0], z],
      [[0, 1.6, 0], z],
      [z, z],
    ]);
    const activity = accdoaActivity(v, 5, 2);
    expect(Array.from(activity).map((a) => Math.round(a * 1000) / 1000)).toEqual([
      0, 0.3, 0.8, 0.3, 0.9, 0, 1, 0, 0, 0,
    ]);
    const events = framesToEvents({ activity, doa: v, frames: 5, frameLength: 0.1 }, ['dog', 'rain'], 'x.wav', {
      threshold: 0.5,
      minDuration: 0.1,
      minGap: 0,
    });
    expect(events).toEqual([{ file: 'x.wav', onset: 0.1, offset: 0.4, class: 'dog', azimuth: 90, elevation: 0 }]);
    // a vector straight up and one at azimuth -45°, elevation 30° (hand computed from their unit vectors)
    const c = Math.cos(Math.PI / 6);
    const tilted = vectors([
      [
        [0, 0, 0.7],
        [0.7 * c * Math.SQRT1_2, -0.7 * c * Math.SQRT1_2, 0.35],
      ],
    ]);
    const [side, up] = framesToEvents(
      { activity: accdoaActivity(tilted, 1, 2), doa: tilted, frames: 1, frameLength: 0.1 },
      ['up', 'side'],
      'y.wav',
      { threshold: 0.5, minDuration: 0, minGap: 0 },
    ).sort((a, b) => a.class.localeCompare(b.class));
    expect([side.azimuth, side.elevation]).toEqual([-45, 30]);
    expect(up.elevation).toBe(90);
    expect(() => accdoaActivity(new Float32Array(5), 1, 2)).toThrow(/expected 6/);
  });
});

describe('ACCDOA loss', () => {
  test('mean squared error over every entry; class weights on active entries only (hand computed)', () => {
    // K = 1, two frames: frame 0 active at +x, frame 1 idle
    const sed = tf.tensor3d([[[1], [0]]]);
    const target = tf.tensor3d([
      [
        [1, 0, 0],
        [0, 0, 0],
      ],
    ]);
    const pred = tf.tensor3d([
      [
        [0.5, 0.5, 0],
        [0.2, 0, 0.1],
      ],
    ]);
    // squared errors 0.25, 0.25, 0 | 0.04, 0, 0.01 → 0.55 / 6
    expect(accdoaLoss(sed, target, pred).dataSync()[0]).toBeCloseTo(0.55 / 6, 6);
    // weight 3 on the active frame's entries: (3·0.5 + 0.05) / 6
    expect(accdoaLoss(sed, target, pred, [3]).dataSync()[0]).toBeCloseTo(1.55 / 6, 6);
    // K = 2: the weight of class 1 does not touch class 0's entries
    const sed2 = tf.tensor2d([[1, 0]]);
    const t2 = tf.tensor2d([[1, 0, 0, 0, 0, 0]]);
    const p2 = tf.tensor2d([[0, 0, 0, 0.5, 0, 0]]);
    expect(accdoaLoss(sed2, t2, p2, [1, 10]).dataSync()[0]).toBeCloseTo((1 + 0.25) / 6, 6);
  });
});

describe('ACCDOA detector', () => {
  const dir = tempDir('sed-accdoa-');

  test('a tiny ACCDOA network learns an event at a fixed direction (and silence elsewhere)', async () => {
    await initBackend(undefined, { quiet: true });
    try {
      const sr = 24000;
      const config = {
        ...defaultDetectorConfig('foa', ['hum']),
        convChannels: [4, 4, 4],
        gruUnits: [4],
        output: 'accdoa' as const,
      };
      // 1 s: quiet noise, and a 300 Hz hum from azimuth 60°, elevation 20° in the second half
      // Fixed initial weights, and 300 steps: at 150 unseeded steps, 2 of 12 seeds still put activity on a frame
      // just before the onset (CI failed on it once); at 300 all 12 learn the boundary.
      setSeed(7);
      const r = new Rng(5);
      const hum = Float32Array.from({ length: sr }, (_, i) =>
        i >= sr / 2 ? 0.5 * Math.sin((2 * Math.PI * 300 * i) / sr) : 0,
      );
      const scene = spatialize(hum, 'foa', 60, 20, sr).map((c) => c.map((x) => x + 0.001 * r.gauss()));
      const f = extractFeatures(scene, config.features);
      config.normalization = featureStatistics([{ features: f } as PreparedScene]);
      normalizeFeatures(f, config);
      const det = new SoundEventDetector(buildDetector(config), config);
      const labels = 10;
      const y = eventTargets(
        [{ file: 's', onset: 0.5, offset: 1, class: 'hum', azimuth: 60, elevation: 20 }],
        ['hum'],
        labels,
        0.1,
      );
      const x = tf.tensor4d(f.data.subarray(0, labels * 5 * f.melBands * f.channels), [
        1,
        labels * 5,
        f.melBands,
        f.channels,
      ]);
      const st = tf.tensor3d(y.sed, [1, labels, 1]);
      const dt = tf.tensor3d(y.doa, [1, labels, 3]);
      const opt = tf.train.adam(0.01);
      for (let step = 0; step < 300; step++) {
        opt.minimize(() => accdoaLoss(st, dt, det.model.apply(x, { training: true }) as tf.Tensor))?.dispose();
      }
      const out = det.predictFeatures(f, 3000, 1);
      expect(out.frames).toBe(labels);
      for (let t = 0; t < labels; t++) expect([t, out.activity[t] > 0.5]).toEqual([t, t >= 5]);
      const events = framesToEvents(out, ['hum'], 's', { threshold: 0.5, minDuration: 0.2, minGap: 0.2 });
      expect(events.map((e) => [e.onset, e.offset])).toEqual([[0.5, 1]]);
      const [ux, uy, uz] = toUnitVector(events[0].azimuth!, events[0].elevation!);
      const [tx, ty, tz] = toUnitVector(60, 20);
      expect((Math.acos(Math.min(1, ux * tx + uy * ty + uz * tz)) * 180) / Math.PI).toBeLessThan(10);
    } finally {
      await tf.setBackend('cpu');
    }
  }, 120000);

  test('train-detector --output accdoa: saved and loaded models keep the option; remap and --init keep it', async () => {
    const clips = writeHumAndHissClips(dir);
    const model = path.join(dir, 'model');
    const small = ['--conv-channels', '4,4,4', '--gru-units', '8'];
    const scenes = ['--scene-seconds', '2', '--pool', '1', '--refresh', '1', '--validation-scenes', '1'];
    const synth = ['train-detector', '--synthesize', clips, '--part', 'all', ...scenes, '-q'];
    await runSed([...synth, '--out', model, '--output', 'accdoa', ...ONE_TRAINING_STEP, ...small]);
    const det = await SoundEventDetector.load(model);
    expect(det.config.output).toBe('accdoa');
    expect(det.model.outputNames).toEqual(['accdoa']);
    const meta = JSON.parse(fs.readFileSync(path.join(model, 'model.json'), 'utf8'));
    expect(meta.metadata.detector.output).toBe('accdoa');
    const sr = 24000;
    const r = new Rng(2);
    const audio = {
      sampleRate: sr,
      channels: [0, 1, 2, 3].map(() => Float32Array.from({ length: sr }, () => r.gauss())),
    };
    const out = det.predict(audio, 'n.wav');
    expect(out.frames).toBe(10);
    expect(Array.from(accdoaActivity(out.doa!, 10, 2))).toEqual(Array.from(out.activity));
    // remapped to another class list: hum keeps its x, y, z units
    const wider = detectorWithClasses(det, ['buzz', 'hum']);
    expect(wider.config.output).toBe('accdoa');
    const k = (d: SoundEventDetector) => d.model.getLayer('accdoa').getWeights()[0].arraySync() as number[][];
    const [before, after] = [k(det), k(wider)];
    for (let a = 0; a < 3; a++) expect(after.map((row) => row[a * 2 + 1])).toEqual(before.map((row) => row[a * 2 + 1]));
    const back = detectorWithOutput(det, 'two-head');
    const trunk = (d: SoundEventDetector) =>
      d.model.weights.filter((w) => !/^(sed|doa|accdoa)/.test(w.originalName)).map((w) => w.read().arraySync());
    expect(trunk(back)).toEqual(trunk(det));
    expect(back.model.weights.length).toBeGreaterThan(trunk(det).length);
    // --init with the other output keeps the trunk and starts fresh heads; --resume cannot change it
    const two = path.join(dir, 'two');
    const lambda = ['--doa-weight', '0.5'];
    await runSed([...synth, '--out', two, '--init', model, '--output', 'two-head', ...lambda, ...ONE_TRAINING_STEP]);
    const twoDet = await SoundEventDetector.load(two);
    expect(twoDet.config.output).toBeUndefined();
    // --doa-weight with --init applies (it used to be dropped for the init detector's); without it λ is inherited
    expect([det.config.doaWeight, twoDet.config.doaWeight]).toEqual([5, 0.5]);
    expect(twoDet.model.outputNames).toEqual(['sed', 'doa']);
    await expect(
      runSed([...synth, '--out', model, '--resume', '--output', 'two-head', '--epochs', '2', '--steps-per-epoch', '1']),
    ).rejects.toThrow(/checkpoint has a accdoa output, not two-head/);
    await expect(runSed([...synth, '--out', path.join(dir, 'bad'), '--output', 'accdoa-ish'])).rejects.toThrow(
      /--output/,
    );
    expect(() => buildDetector({ ...defaultDetectorConfig('mono', ['a']), output: 'accdoa' })).toThrow(/mono/);
  }, 120000);
});
