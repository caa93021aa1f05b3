import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  EventClip,
  foaGains,
  fractionalDelay,
  mic4Delays,
  MIC4_RADIUS,
  spatialize,
  SPEED_OF_SOUND,
  synthesizeScene,
  synthesizeScenes,
  AZIMUTH_GRID,
  convolveMany,
  randomEqCurve,
  randomEqualize,
} from '../src/sed/synth';
import { Rng } from '@gatewave/core';
import { angularDistance } from '../src/sed/geometry';
import { readSceneLabels } from '../src/sed/events';
import { readWav } from '../src/io/wav';
import { sharedFolder } from './shared-data';

const { dir: EVENTS, present: haveEvents } = sharedFolder('events', 'labels.csv');

function tone(n: number, f: number, fs_: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin((2 * Math.PI * f * i) / fs_);
  return x;
}

function dot(a: Float32Array, b: Float32Array, from = 0, to = a.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i] * b[i];
  return s;
}

describe('FOA encoding (ACN/SN3D)', () => {
  test('gains at known directions', () => {
    const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 12));
    close(foaGains(0, 0), [1, 0, 0, 1]); // front: W, Y, Z, X
    close(foaGains(90, 0), [1, 1, 0, 0]); // left
    close(foaGains(-90, 0), [1, -1, 0, 0]); // right
    close(foaGains(0, 90), [1, 0, 1, 0]); // up
    const az = 30;
    const el = -20;
    const r = Math.PI / 180;
    close(foaGains(az, el), [
      1,
      Math.sin(az * r) * Math.cos(el * r),
      Math.sin(el * r),
      Math.cos(az * r) * Math.cos(el * r),
    ]);
  });

  test('a single source in a scene gives the expected channel ratios', () => {
    const sr = 8000;
    const clip: EventClip = { file: 't.wav', class: 'tone', samples: tone(sr * 2, 440, sr) };
    const scene = synthesizeScene(
      [clip],
      { format: 'foa', sampleRate: sr, seconds: 3, snr: [30, 30], eventRate: 0.1 },
      new Rng(3),
    );
    expect(scene.events).toHaveLength(1);
    const e = scene.events[0];
    const [W, Y, Z, X] = scene.audio.channels;
    const a = Math.round(e.onset * sr);
    const b = Math.round(e.offset * sr);
    const ww = dot(W, W, a, b);
    const g = foaGains(e.azimuth as number, e.elevation as number);
    // least-squares gain of each channel on W over the event: close to the encoding gain (background is 30 dB down)
    expect(dot(Y, W, a, b) / ww).toBeCloseTo(g[1], 1);
    expect(dot(Z, W, a, b) / ww).toBeCloseTo(g[2], 1);
    expect(dot(X, W, a, b) / ww).toBeCloseTo(g[3], 1);
    expect(Math.abs(dot(Y, W, a, b) / ww - g[1])).toBeLessThan(0.03);
  });
});

describe('mic4 array', () => {
  test('far-field delays of the tetrahedral capsules (DCASE MIC: 45/35, -45/-35, 135/-35, -135/35)', () => {
    const t = MIC4_RADIUS / SPEED_OF_SOUND;
    const s35 = Math.sin((35 * Math.PI) / 180) ** 2;
    // from capsule M1's own direction: M1 first by t; the others at -(p_1 . p_m) t
    const d = mic4Delays(45, 35);
    expect(d[0]).toBeCloseTo(-t, 12);
    expect(d[1]).toBeCloseTo(s35 * t, 12); // p1.p2 = cos²35 cos 90 - sin²35
    expect(d[2]).toBeCloseTo(s35 * t, 12); // p1.p3 = cos²35 cos 90 - sin²35
    expect(d[3]).toBeCloseTo((1 - 2 * s35) * t, 12); // p1.p4 = -cos²35 + sin²35
    // the capsules' positions add up to 0, so their delays do for every direction
    for (const [az, el] of [
      [10, 0],
      [-120, 50],
      [170, -80],
    ])
      expect(mic4Delays(az, el).reduce((a, b) => a + b, 0)).toBeCloseTo(0, 15);
    // unlike a horizontal array, it tells above from below: straight up, M1 and M4 (at +35°) hear it first
    const up = mic4Delays(0, 90);
    const down = mic4Delays(0, -90);
    const e = Math.sin((35 * Math.PI) / 180) * t;
    [-e, e, e, -e].forEach((v, m) => {
      expect(up[m]).toBeCloseTo(v, 12);
      expect(down[m]).toBeCloseTo(-v, 12);
    });
  });

  test('fractional delay shifts a band-limited signal by a non-integer number of samples', () => {
    const sr = 16000;
    const f = 700;
    const x = tone(2000, f, sr);
    for (const d of [2.5, -1.25, 0.3]) {
      const y = fractionalDelay(x, d);
      let err = 0;
      for (let i = 100; i < 1900; i++) err = Math.max(err, Math.abs(y[i] - Math.sin((2 * Math.PI * f * (i - d)) / sr)));
      expect(err).toBeLessThan(2e-3);
    }
  });

  test('spatialize delays each capsule by its arrival time', () => {
    const sr = 48000;
    const x = tone(4000, 500, sr);
    const chans = spatialize(x, 'mic4', 45, 35, sr); // from capsule M1's direction
    const t = (MIC4_RADIUS / SPEED_OF_SOUND) * sr;
    const ref = fractionalDelay(x, -t);
    let err = 0;
    for (let i = 100; i < 3900; i++) err = Math.max(err, Math.abs(chans[0][i] - ref[i]));
    expect(err).toBeLessThan(1e-6);
    // M1 leads M2 by (1 + sin²35°)·R/c (see the delays above)
    const lead = fractionalDelay(chans[0], (1 + Math.sin((35 * Math.PI) / 180) ** 2) * t);
    let diff = 0;
    for (let i = 100; i < 3900; i++) diff = Math.max(diff, Math.abs(lead[i] - chans[1][i]));
    expect(diff).toBeLessThan(3e-3);
  });
});

test('convolveMany equals direct convolution for each response (paired and unpaired)', () => {
  const r = new Rng(8);
  const x = Float32Array.from({ length: 300 }, () => r.gauss());
  const hs = [17, 64, 5].map((n) => Float32Array.from({ length: n }, () => r.gauss()));
  const ys = convolveMany(x, hs);
  expect(ys.map((y) => y.length)).toEqual([316, 363, 304]);
  hs.forEach((h, j) => {
    for (let i = 0; i < ys[j].length; i++) {
      let direct = 0;
      for (let k = 0; k < h.length; k++) if (i - k >= 0 && i - k < x.length) direct += h[k] * x[i - k];
      expect(Math.abs(ys[j][i] - direct)).toBeLessThan(1e-4);
    }
  });
});

describe('scene synthesis', () => {
  const sr = 8000;
  const clips: EventClip[] = ['a', 'b', 'c', 'd'].map((c, i) => ({
    file: `${c}.wav`,
    class: c,
    samples: tone(Math.round(sr * (0.8 + i * 0.5)), 300 + 200 * i, sr),
  }));

  test('labels agree with the audio and the placement rules hold', () => {
    const scene = synthesizeScene(clips, { format: 'foa', sampleRate: sr, seconds: 20, eventRate: 0.6 }, new Rng(11));
    expect(scene.events.length).toBeGreaterThan(5);
    const W = scene.audio.channels[0];
    const active = new Uint8Array(W.length);
    for (const e of scene.events) {
      expect(AZIMUTH_GRID).toContain(e.azimuth);
      expect(Math.abs(e.elevation as number)).toBeLessThanOrEqual(40);
      const a = Math.round(e.onset * sr);
      const b = Math.round(e.offset * sr);
      active.fill(1, a, b);
      // concurrent events: at most 2 at any time, >= 20° apart, different classes
      const concurrent = scene.events.filter((o) => o !== e && o.onset < e.offset && e.onset < o.offset);
      for (const o of concurrent) {
        expect(angularDistance(o.azimuth!, o.elevation!, e.azimuth!, e.elevation!)).toBeGreaterThanOrEqual(20);
        expect(o.class).not.toBe(e.class);
      }
      for (let t = e.onset; t < e.offset; t += 0.05) {
        expect(scene.events.filter((o) => o.onset <= t && t < o.offset).length).toBeLessThanOrEqual(2);
      }
    }
    // energy inside labelled spans is far above the background outside them (SNR >= 5 dB)
    let inE = 0;
    let inN = 0;
    let outE = 0;
    let outN = 0;
    for (let i = 0; i < W.length; i++) {
      if (active[i]) {
        inE += W[i] * W[i];
        inN++;
      } else {
        outE += W[i] * W[i];
        outN++;
      }
    }
    expect(outN).toBeGreaterThan(0);
    expect(10 * Math.log10(inE / inN / (outE / outN))).toBeGreaterThan(5);
  });

  test('deterministic for a seed, different for another', () => {
    const o = { format: 'mic4' as const, sampleRate: sr, seconds: 5, reverb: true };
    const a = synthesizeScene(clips, o, new Rng(5));
    const b = synthesizeScene(clips, o, new Rng(5));
    const c = synthesizeScene(clips, o, new Rng(6));
    expect(a.events).toEqual(b.events);
    expect(a.audio.channels[3]).toEqual(b.audio.channels[3]);
    expect(a.audio.channels[0]).not.toEqual(c.audio.channels[0]);
  });

  test('minEventSeconds: events are excerpts between the minimum and the whole clip', () => {
    const o = { format: 'mono' as const, sampleRate: sr, seconds: 60, eventRate: 0.5, minEventSeconds: 0.25 };
    const scene = synthesizeScene(clips, o, new Rng(3));
    const lengthOf = Object.fromEntries(clips.map((c) => [c.class, c.samples.length / sr]));
    const shorter = scene.events.filter((e) => e.offset - e.onset < lengthOf[e.class] - 0.01);
    for (const e of scene.events) {
      expect(e.offset - e.onset).toBeGreaterThanOrEqual(0.25 - 1e-9);
      expect(e.offset - e.onset).toBeLessThanOrEqual(lengthOf[e.class] + 1e-9);
    }
    expect(scene.events.length).toBeGreaterThan(10);
    expect(shorter.length).toBeGreaterThan(scene.events.length / 2);
    // without the option every event is its whole clip
    const whole = synthesizeScene(clips, { ...o, minEventSeconds: undefined }, new Rng(3));
    for (const e of whole.events) expect(e.offset - e.onset).toBeCloseTo(lengthOf[e.class], 6);
  });

  test('speedRange: a fixed factor 0.5 doubles each event and halves its pitch', () => {
    const one = [clips[0]]; // 0.8 s of 300 Hz
    const o = {
      format: 'mono' as const,
      sampleRate: sr,
      seconds: 5,
      eventRate: 0.2,
      snr: [40, 40] as [number, number],
      speedRange: [0.5, 0.5] as [number, number],
    };
    const scene = synthesizeScene(one, o, new Rng(2));
    expect(scene.events).toHaveLength(1);
    const e = scene.events[0];
    expect(e.offset - e.onset).toBeCloseTo(1.6, 3);
    // count sign changes over the middle second of the event: 2 per period of 150 Hz
    const x = scene.audio.channels[0];
    const a = Math.round((e.onset + 0.3) * sr);
    let crossings = 0;
    for (let i = a + 1; i < a + sr; i++) if (x[i - 1] < 0 !== x[i] < 0) crossings++;
    expect(crossings).toBeGreaterThanOrEqual(298);
    expect(crossings).toBeLessThanOrEqual(302);
    expect(() => synthesizeScene(one, { ...o, speedRange: [1.2, 1.1] }, new Rng(2))).toThrow(/speedRange/);
  });

  test('eqDb: each event is filtered by a bounded smooth curve; a tone comes out scaled by the curve at its frequency', () => {
    // the curve: within +-6 dB, piecewise linear in log frequency (so adjacent bins differ little), varied by seed
    const c1 = randomEqCurve(4097, sr, 6, new Rng(1));
    const c2 = randomEqCurve(4097, sr, 6, new Rng(2));
    const lim = Math.pow(10, 6 / 20);
    for (const g of c1) {
      expect(g).toBeLessThanOrEqual(lim + 1e-12);
      expect(g).toBeGreaterThanOrEqual(1 / lim - 1e-12);
    }
    for (let k = 2; k < c1.length; k++) expect(Math.abs(20 * Math.log10(c1[k] / c1[k - 1]))).toBeLessThan(1);
    expect(Array.from(c1)).not.toEqual(Array.from(c2));
    // a 0 dB curve changes nothing
    const x = tone(3000, 440, sr);
    const same = randomEqualize(x, sr, 0, new Rng(4));
    for (let i = 0; i < x.length; i++) expect(Math.abs(same[i] - x[i])).toBeLessThan(1e-6);
    // a tone on an FFT bin of the padded transform (3000 + 4096 -> 8192 points) is scaled by the curve at that bin
    const size = 8192;
    for (const bin of [200, 1500, 3000]) {
      const f = (bin * sr) / size;
      const y = randomEqualize(tone(3000, f, sr), sr, 6, new Rng(9));
      const gain = randomEqCurve(size / 2 + 1, sr, 6, new Rng(9))[bin];
      const t = tone(3000, f, sr);
      const ratio = Math.sqrt(dot(y, y, 1000, 2000) / dot(t, t, 1000, 2000));
      expect(ratio).toBeCloseTo(gain, 2);
    }
    // in a one-event scene: same placement as without the option (the curve is drawn after it), different audio
    const o = { format: 'mono' as const, sampleRate: sr, seconds: 10, eventRate: 0.1 };
    const plain = synthesizeScene(clips, o, new Rng(8));
    const eq = synthesizeScene(clips, { ...o, eqDb: 6 }, new Rng(8));
    expect(eq.events).toHaveLength(1);
    expect(eq.events).toEqual(plain.events);
    expect(eq.audio.channels[0]).not.toEqual(plain.audio.channels[0]);
    expect(() => synthesizeScene(clips, { ...o, eqDb: -1 }, new Rng(8))).toThrow(/eqDb/);
  });

  test('mono scenes have one channel and no directions', () => {
    const s = synthesizeScene(clips, { format: 'mono', sampleRate: sr, seconds: 5 }, new Rng(1));
    expect(s.audio.channels).toHaveLength(1);
    expect(s.events.every((e) => e.azimuth === null && e.elevation === null)).toBe(true);
  });
});

(haveEvents ? describe : describe.skip)(
  `synthesizeScenes on ../shared/data/events (${haveEvents ? 'labels.csv' : 'missing: ../shared/data/events not found'})`,
  () => {
    test('writes WAV + DCASE 2019 labels + manifest; train/test parts do not share samples', () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sed-synth-'));
      try {
        const m = synthesizeScenes({
          events: EVENTS,
          out,
          count: 2,
          seconds: 4,
          format: 'foa',
          seed: 1,
          include: ['dog_bark_01.wav', 'phone_ring_01.wav', 'gong_01.wav'],
          part: 'train',
          progress: false,
        });
        expect(m.classes).toHaveLength(24);
        expect(m.clips).toEqual(['dog_bark_01.wav', 'gong_01.wav', 'phone_ring_01.wav']);
        const audio = readWav(path.join(out, 'scene_0001.wav'));
        expect(audio.sampleRate).toBe(24000);
        expect(audio.channels).toHaveLength(4);
        expect(audio.channels[0].length).toBe(4 * 24000);
        const header = fs.readFileSync(path.join(out, 'scene_0001.csv'), 'utf8').split('\n')[0];
        expect(header).toBe('sound_event_recording,start_time,end_time,ele,azi,dist');
        const events = readSceneLabels(path.join(out, 'scene_0001.csv'), 'scene_0001.wav', m.classes);
        expect(events.length).toBe(m.scenes[0].events);
        expect(events.every((e) => ['dog_bark', 'gong', 'phone_ring'].includes(e.class))).toBe(true);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    });
  },
);
