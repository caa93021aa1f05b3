/**
 * The detector's parts: features, targets, loss and post-processing, input checks and tuning (its training, the
 * packaged model and the FOA views are in sed-detector-train.test.ts).
 */
import { tf } from '@gatewave/core';
import {
  buildDetector,
  defaultDetectorConfig,
  detectorConfigOf,
  detectorLoss,
  eventTargets,
  SoundEventDetector,
} from '../src/sed/detector';
import { atLevel, medianLevelDb, recordingRms } from '../src/dsp/level';
import { FrameOutput, framesToEvents } from '../src/sed/frame-events';
import { extractFeatures, DEFAULT_FEATURES, featureChannels } from '../src/sed/features';
import { Rng } from '@gatewave/core';
import { spatialize, MIC4_RADIUS, SPEED_OF_SOUND } from '../src/sed/synth';
import { classBalanceWeights, maskFrequencies, PreparedScene, tunePostProcessing } from '../src/sed/train';
import { noise } from './sed-helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('features', () => {
  const sr = DEFAULT_FEATURES.sampleRate;
  test('FOA: a plane wave gives its direction in the intensity channels', () => {
    const x = noise(sr / 2, 1);
    const feats = extractFeatures(spatialize(x, 'foa', 90, 0, sr), { format: 'foa', ...DEFAULT_FEATURES });
    expect(feats.channels).toBe(7);
    expect(feats.frames).toBe(Math.floor(x.length / DEFAULT_FEATURES.hopLength));
    const t = 10;
    for (const m of [5, 20, 40, 60]) {
      const o = (t * feats.melBands + m) * feats.channels;
      // [logmel W, Y, Z, X, Ix, Iy, Iz]: source on the left (+y)
      expect(feats.data[o + 4]).toBeCloseTo(0, 3);
      expect(feats.data[o + 5]).toBeCloseTo(1, 3);
      expect(feats.data[o + 6]).toBeCloseTo(0, 3);
      // log-mel of Y equals that of W (gain 1), X and Z are near silent
      expect(feats.data[o + 1]).toBeCloseTo(feats.data[o], 4);
      expect(feats.data[o + 3]).toBeLessThan(feats.data[o] - 10);
    }
  });

  test('mic4: GCC-PHAT peaks at the inter-capsule delay', () => {
    const x = noise(sr / 2, 2);
    // from capsule M1's direction (45°, 35°) of the tetrahedral array
    const feats = extractFeatures(spatialize(x, 'mic4', 45, 35, sr), { format: 'mic4', ...DEFAULT_FEATURES });
    expect(feats.channels).toBe(10);
    // pair (0, 2) is the 2nd pair (0-1, 0-2, ...): index 1; M1 leads M3 by (1 + sin²35°)·R/c
    const lagSamples = ((1 + Math.sin((35 * Math.PI) / 180) ** 2) * MIC4_RADIUS * sr) / SPEED_OF_SOUND; // about 3.9
    const t = 10;
    let best = -Infinity;
    let bestLag = 0;
    for (let m = 0; m < feats.melBands; m++) {
      const v = feats.data[(t * feats.melBands + m) * feats.channels + 4 + 1];
      if (v > best) {
        best = v;
        bestLag = m - feats.melBands / 2;
      }
    }
    expect(Math.abs(Math.abs(bestLag) - lagSamples)).toBeLessThanOrEqual(1);
  });

  test('mono: log-mel only; wrong channel count is an error', () => {
    expect(featureChannels('mono')).toBe(1);
    expect(() => extractFeatures([new Float32Array(4800)], { format: 'foa', ...DEFAULT_FEATURES })).toThrow(
      /need 4 channel/,
    );
  });
});

describe('targets, loss and post-processing', () => {
  test('eventTargets: activity and unit DOA vectors at the right frames', () => {
    const { sed, doa } = eventTargets(
      [{ file: 'a', onset: 0.1, offset: 0.3, class: 'b', azimuth: 90, elevation: 0 }],
      ['a', 'b'],
      4,
      0.1,
    );
    expect(Array.from(sed)).toEqual([0, 0, 0, 1, 0, 1, 0, 0]);
    // frame 1: [x_a, x_b, y_a, y_b, z_a, z_b]
    expect(Array.from(doa.subarray(6, 12)).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0, 0, 0, 1, 0, 0]);
  });

  test('loss = BCE + λ · masked MSE (hand computed)', () => {
    const sedTrue = tf.tensor3d([[[1, 0]]]);
    const sedPred = tf.tensor3d([[[0.8, 0.4]]]);
    const doaTrue = tf.tensor3d([[[1, 0, 0, 0, 0, 0]]]);
    const doaPred = tf.tensor3d([[[0.5, 0.9, 0.5, 0.9, 0, 0.9]]]);
    const loss = detectorLoss(sedTrue, sedPred, doaTrue, doaPred, 2).dataSync()[0];
    const bce = -(Math.log(0.8) + Math.log(0.6)) / 2;
    // mask: class a active -> entries x_a, y_a, z_a = 0.25 + 0.25 + 0 over 3 entries; class b ignored
    const mse = (0.25 + 0.25 + 0) / 3;
    expect(loss).toBeCloseTo(bce + 2 * mse, 5);
  });

  test('positive weights scale the BCE of active entries only (hand computed, and its gradient numerically)', () => {
    const sedTrue = tf.tensor3d([
      [
        [1, 0],
        [0, 1],
      ],
    ]);
    const pred = [0.8, 0.4, 0.3, 0.7];
    const loss = (p: tf.Tensor) => detectorLoss(sedTrue, p, null, null, 0, [2, 0.5]);
    const value = loss(tf.tensor3d(pred, [1, 2, 2])).dataSync()[0];
    // entries: (t0, a) active w 2; (t0, b) idle; (t1, a) idle; (t1, b) active w 0.5
    const hand = -(2 * Math.log(0.8) + Math.log(0.6) + Math.log(0.7) + 0.5 * Math.log(0.7)) / 4;
    expect(value).toBeCloseTo(hand, 6);
    expect(detectorLoss(sedTrue, tf.tensor3d(pred, [1, 2, 2]), null, null, 0, [1, 1]).dataSync()[0]).toBeCloseTo(
      detectorLoss(sedTrue, tf.tensor3d(pred, [1, 2, 2]), null, null, 0).dataSync()[0],
      7,
    );
    const grad = tf
      .grad((p: tf.Tensor) => loss(p))(tf.tensor3d(pred, [1, 2, 2]))
      .dataSync();
    const h = 1e-3;
    pred.forEach((_, i) => {
      const up = pred.slice();
      const down = pred.slice();
      up[i] += h;
      down[i] -= h;
      const numeric =
        (loss(tf.tensor3d(up, [1, 2, 2])).dataSync()[0] - loss(tf.tensor3d(down, [1, 2, 2])).dataSync()[0]) / (2 * h);
      expect(grad[i]).toBeCloseTo(numeric, 3);
    });
    // analytic: d/dp of −w·log p / 4 at the active (t0, a) entry
    expect(grad[0]).toBeCloseTo(-2 / 0.8 / 4, 4);
  });

  test('classBalanceWeights: (share / geometric mean share)^-alpha from the active frames', () => {
    const scene = (sed: number[], frames: number): PreparedScene => ({
      name: 's',
      events: [],
      sed: Float32Array.from(sed),
      doa: new Float32Array(0),
      labelFrames: frames,
      features: null as never,
    });
    // 3 classes over 4 + 4 frames: class 0 active in 4 frames, class 1 in 1, class 2 never
    const a = scene([1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0], 4);
    const b = scene([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 4);
    const w = classBalanceWeights([a, b], 3, 0.5);
    // shares 4/8 and 1/8, geometric mean sqrt(4/64) = 1/4: w0 = (2)^-0.5, w1 = (1/2)^-0.5; class 2 absent -> 1
    expect(w[0]).toBeCloseTo(Math.SQRT1_2, 9);
    expect(w[1]).toBeCloseTo(Math.SQRT2, 9);
    expect(w[2]).toBe(1);
    expect(classBalanceWeights([a, b], 3, 0)).toEqual([1, 1, 1]);
    // alpha 1: weighted active frames are equal across the classes that occur
    const w1 = classBalanceWeights([a, b], 3, 1);
    expect(w1[0] * 4).toBeCloseTo(w1[1] * 1, 9);
    expect(() => classBalanceWeights([a], 3, -1)).toThrow(/class balance must be a number >= 0/);
  });

  test('framesToEvents joins short gaps, drops short runs, averages directions', () => {
    const K = 2;
    const frames = 12;
    const activity = new Float32Array(frames * K);
    const doa = new Float32Array(frames * 3 * K);
    // class 0 active in frames 1-3 and 5-7 (gap of 1 frame, bridged with minGap 0.1 s); class 1 only frame 10
    for (const t of [1, 2, 3, 5, 6, 7]) {
      activity[t * K] = 0.9;
      doa[t * 3 * K] = t < 5 ? 1 : 0; // x
      doa[t * 3 * K + K] = t < 5 ? 0 : 1; // y
    }
    activity[10 * K + 1] = 0.8;
    const out: FrameOutput = { activity, doa, frames, frameLength: 0.1 };
    const ev = framesToEvents(out, ['dog', 'cat'], 'f.wav', { threshold: 0.5, minDuration: 0.2, minGap: 0.1 });
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ file: 'f.wav', class: 'dog', onset: 0.1, offset: 0.8, azimuth: 45, elevation: 0 });
    const ev2 = framesToEvents(out, ['dog', 'cat'], 'f.wav', { threshold: 0.5, minDuration: 0.1, minGap: 0 });
    expect(ev2.map((e) => [e.class, e.onset, e.offset])).toEqual([
      ['dog', 0.1, 0.4],
      ['dog', 0.5, 0.8],
      ['cat', 1, 1.1],
    ]);
  });

  test('framesToEvents with hysteresis: runs above the low threshold that reach the high one', () => {
    const p = [0.1, 0.32, 0.5, 0.7, 0.5, 0.32, 0.1, 0.5, 0.5, 0.5, 0.1, 0.4];
    const doa = new Float32Array(p.length * 3);
    p.forEach((_, t) => (doa[t * 3] = 1));
    const out: FrameOutput = { activity: Float32Array.from(p), doa, frames: p.length, frameLength: 0.1 };
    const o = { threshold: 0.6, minDuration: 0.1, minGap: 0 };
    // one threshold: only frame 3
    expect(framesToEvents(out, ['x'], 'f', o).map((e) => [e.onset, e.offset])).toEqual([[0.3, 0.4]]);
    // low threshold 0.6 x 0.5 = 0.3: frames 1-5 (they reach 0.6 at frame 3); frames 7-9 never reach 0.6; frame 11 neither
    expect(framesToEvents(out, ['x'], 'f', { ...o, hysteresis: 0.5 }).map((e) => [e.onset, e.offset])).toEqual([
      [0.1, 0.6],
    ]);
    // 0.75 x 0.6 = 0.45: frames 2-4
    expect(framesToEvents(out, ['x'], 'f', { ...o, hysteresis: 0.75 }).map((e) => [e.onset, e.offset])).toEqual([
      [0.2, 0.5],
    ]);
    // bridging one-frame gaps joins 1-5, 7-9 and 11 into one event, which reached the threshold at frame 3
    expect(
      framesToEvents(out, ['x'], 'f', { ...o, hysteresis: 0.5, minGap: 0.2 }).map((e) => [e.onset, e.offset]),
    ).toEqual([[0.1, 1.2]]);
    expect(() => framesToEvents(out, ['x'], 'f', { ...o, hysteresis: 0 })).toThrow(/hysteresis/);
    expect(() => framesToEvents(out, ['x'], 'f', { ...o, hysteresis: 1.5 })).toThrow(/hysteresis/);
  });
});

describe('detector input checks', () => {
  const config = { ...defaultDetectorConfig('foa', ['a', 'b']), convChannels: [4, 4, 4], gruUnits: [8] };
  config.normalization = { mean: new Array(64 * 7).fill(0), std: new Array(64 * 7).fill(1) };
  let det: SoundEventDetector;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    det = new SoundEventDetector(buildDetector(config), config);
  });

  test('wrong channel count says what the model needs', () => {
    expect(() => det.prepare({ sampleRate: 24000, channels: [new Float32Array(24000)] }, 'x.wav')).toThrow(
      /x\.wav has 1 channel\(s\); this foa detector needs 4/,
    );
  });

  test('too short a scene', () => {
    const ch = Array.from({ length: 4 }, () => new Float32Array(1000));
    expect(() => det.prepare({ sampleRate: 24000, channels: ch }, 'short.wav')).toThrow(/needs at least 0\.100 s/);
  });

  test('with an input level, a recording at any gain gives the same frames; without, a loud one differs', () => {
    const ch = spatialize(noise(24000, 5), 'foa', 30, 10, 24000);
    const loud = ch.map((c) => c.map((v) => v * 30));
    const leveled = new SoundEventDetector(det.model, { ...config, inputLevel: { db: -30, chosenOn: 'a test' } });
    const a = leveled.predict({ sampleRate: 24000, channels: ch }, 'x.wav');
    const b = leveled.predict({ sampleRate: 24000, channels: loud }, 'x.wav');
    const gap = (x: Float32Array, y: Float32Array) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
    expect(gap(a.activity, b.activity)).toBeLessThan(1e-5);
    const asItComes = det.predict({ sampleRate: 24000, channels: loud }, 'x.wav');
    expect(gap(asItComes.activity, b.activity)).toBeGreaterThan(1e-3);
    // what the level does: the prepared channels' RMS over all of them is -30 dBFS
    const prepared = leveled.prepare({ sampleRate: 24000, channels: loud }, 'x.wav');
    expect(20 * Math.log10(recordingRms(prepared))).toBeCloseTo(-30, 4);
  });

  test('levels of recordings: RMS over all channels, and the median over recordings', () => {
    expect(recordingRms([Float32Array.from([3, -3]), Float32Array.from([4, 4])])).toBeCloseTo(Math.sqrt(12.5), 9);
    const at = (db: number) => [Float32Array.from([10 ** (db / 20), -(10 ** (db / 20))])];
    expect(medianLevelDb([at(-40), at(-20), at(-30)])).toBeCloseTo(-30, 5); // float32 samples
    expect(medianLevelDb([at(-40), at(-20), at(-30), at(-10)])).toBeCloseTo(-25, 5);
    expect(atLevel(at(-40), -20)[0][0]).toBeCloseTo(0.1, 6);
    expect(() => medianLevelDb([])).toThrow(/no recordings/);
    const bad = { detector: { ...config, inputLevel: { db: 4, chosenOn: 'x' } } };
    expect(() => detectorConfigOf(bad as never, 'm')).toThrow(
      /m: metadata\.detector\.inputLevel: input level must be a number of dBFS from -80 to 0, got 4/,
    );
  });

  test('another rate is resampled with a notice; output at 100 ms frames', () => {
    const notices: string[] = [];
    const ch = spatialize(noise(16000, 3), 'foa', 0, 0, 16000);
    const out = det.predict({ sampleRate: 16000, channels: ch }, 'x.wav', (m) => notices.push(m));
    expect(notices[0]).toMatch(/resampling from 16000 Hz to the model's 24000 Hz/);
    expect(out.frames).toBe(10);
    expect(out.activity.length).toBe(20);
    expect(out.doa!.length).toBe(60);
  });
});

describe('tunePostProcessing', () => {
  // A stand-in network with fixed outputs: 'dog' active in frames 10-29 of a 40-frame (4 s) scene with probability
  // 0.35 there and 0.05 elsewhere; 'cat' never active but at 0.25 in frames 0-9.
  const classes = ['cat', 'dog'];
  const config = { ...defaultDetectorConfig('foa', classes), normalization: { mean: [], std: [] } };
  const F = 40;
  const activity = new Float32Array(F * 2);
  const doa = new Float32Array(F * 6);
  for (let t = 0; t < F; t++) {
    activity[t * 2 + 1] = t >= 10 && t < 30 ? 0.35 : 0.05;
    activity[t * 2] = t < 10 ? 0.25 : 0.01;
    doa[t * 6 + 1] = 1; // dog at azimuth 0, elevation 0: x = 1
  }
  const fake = {
    predict: () => [tf.tensor3d(activity, [1, F, 2]), tf.tensor3d(doa, [1, F, 6])],
  } as unknown as tf.LayersModel;
  const scene: PreparedScene = {
    name: 's.wav',
    features: {
      data: new Float32Array(F * config.labelHop * 64 * 7),
      frames: F * config.labelHop,
      melBands: 64,
      channels: 7,
    },
    events: [{ file: 's.wav', onset: 1, offset: 3, class: 'dog', azimuth: 0, elevation: 0 }],
    sed: new Float32Array(0),
    doa: new Float32Array(0),
    labelFrames: F,
  };
  const detector = new SoundEventDetector(fake, config);

  test('picks the threshold with the best SELD score', () => {
    const r = tunePostProcessing(detector, [scene], [0.2, 0.3, 0.4, 0.5]);
    // 0.2 also fires 'cat' in the first second (a false positive), 0.4 and 0.5 miss 'dog': 0.3 is exact.
    expect(r.threshold).toBe(0.3);
    expect(r.validation.er).toBeCloseTo(0, 6);
    expect(r.validation.f).toBeCloseTo(1, 6);
    expect(r.validation.doa_error).toBeCloseTo(0, 3);
    const at05 = tunePostProcessing(detector, [scene], [0.5]);
    expect(at05.validation.f).toBe(0);
    expect(at05.validation.er).toBeCloseTo(1, 6);
  });

  test('tunes the shortest event with the threshold', () => {
    // 'cat' also reaches 0.4 for 2 frames (0.2 s) in the last second: a false event unless runs < 0.3 s are dropped
    const act = Float32Array.from(activity);
    act[35 * 2] = 0.45;
    act[36 * 2] = 0.45;
    const fake2 = {
      predict: () => [tf.tensor3d(act, [1, F, 2]), tf.tensor3d(doa, [1, F, 6])],
    } as unknown as tf.LayersModel;
    const det2 = new SoundEventDetector(fake2, config);
    const kept = tunePostProcessing(det2, [scene], [0.3], [0.1, 0.2]);
    expect(kept.validation.er).toBeGreaterThan(0); // the 0.2 s 'cat' is an insertion at both settings
    const r = tunePostProcessing(det2, [scene], [0.3], [0.1, 0.2, 0.3]);
    expect(r.minDuration).toBe(0.3);
    expect(r.validation.er).toBeCloseTo(0, 6);
  });

  test('rejects an empty grid', () => {
    expect(() => tunePostProcessing(detector, [scene], [])).toThrow(/no thresholds/);
    expect(() => tunePostProcessing(detector, [scene], [0.5], [])).toThrow(/no minimum durations/);
  });
});

test('maskFrequencies zeroes whole runs of adjacent mel bands in every frame and channel, nothing else', () => {
  const [T, M, C] = [6, 16, 3];
  const rng = new Rng(4);
  let widest = 0;
  for (let trial = 0; trial < 50; trial++) {
    const x = new Float32Array(T * M * C).fill(1);
    maskFrequencies(x, T, M, C, 1, 5, rng);
    const masked = Array.from({ length: M }, (_, f) => x[f * C] === 0);
    for (let t = 0; t < T; t++) {
      for (let f = 0; f < M; f++) for (let c = 0; c < C; c++) expect(x[(t * M + f) * C + c] === 0).toBe(masked[f]);
    }
    const bands = masked.map((m, f) => (m ? f : -1)).filter((f) => f >= 0);
    if (bands.length) expect(bands[bands.length - 1] - bands[0] + 1).toBe(bands.length); // one contiguous run
    expect(bands.length).toBeLessThanOrEqual(5);
    widest = Math.max(widest, bands.length);
  }
  expect(widest).toBe(5);
});
