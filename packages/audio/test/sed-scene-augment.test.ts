import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Rng } from '@gatewave/core';
import {
  diffuseAmbience,
  loadAmbience,
  reverberate,
  synthesizeScene,
  AZIMUTH_GRID,
  ELEVATION_GRID,
} from '../src/sed/synth';
import { writeWav } from '../src/io/wav';

const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);

describe('real-ambience backgrounds, directions, levels and rooms', () => {
  const sr = 8000;
  const ambience = Float32Array.from({ length: sr }, (_, i) => Math.sin(i * 0.05) + 0.5 * Math.sin(i * 0.31));

  test('diffuseAmbience: the omni channel has the asked RMS; one source is a plane wave (X² + Y² + Z² = W² in SN3D)', () => {
    const [w, y, z, x] = diffuseAmbience(ambience, 4000, 'foa', sr, 0.01, new Rng(1), 1);
    expect(rms(w)).toBeCloseTo(0.01, 6);
    for (let i = 0; i < w.length; i += 97) expect(x[i] * x[i] + y[i] * y[i] + z[i] * z[i]).toBeCloseTo(w[i] * w[i], 8);
    // several sources: still the asked level, and no longer a single plane wave
    const many = diffuseAmbience(ambience, 4000, 'foa', sr, 0.02, new Rng(2), 6);
    expect(rms(many[0])).toBeCloseTo(0.02, 6);
    const gap = many[0].reduce(
      (m, wi, i) => Math.max(m, Math.abs(many[1][i] ** 2 + many[2][i] ** 2 + many[3][i] ** 2 - wi * wi)),
      0,
    );
    expect(gap).toBeGreaterThan(1e-5);
  });

  test('continuous directions leave the grid and stay in range; grid directions stay on it', () => {
    const clip = { file: 'c.wav', class: 'c', samples: Float32Array.from({ length: 2000 }, (_, i) => Math.sin(i)) };
    const clip2 = { ...clip, file: 'd.wav', class: 'd' };
    const off = (dirs: 'grid' | 'continuous', seed: number) =>
      synthesizeScene(
        [clip, clip2],
        { format: 'foa', sampleRate: sr, seconds: 20, eventRate: 0.5, directions: dirs },
        new Rng(seed),
      ).events;
    const cont = [1, 2, 3].flatMap((s) => off('continuous', s));
    expect(cont.length).toBeGreaterThan(10);
    for (const e of cont) {
      expect(Math.abs(e.azimuth as number)).toBeLessThanOrEqual(180);
      expect(Math.abs(e.elevation as number)).toBeLessThanOrEqual(45);
    }
    expect(
      cont.some((e) => !AZIMUTH_GRID.includes(e.azimuth as number) || !ELEVATION_GRID.includes(e.elevation as number)),
    ).toBe(true);
    for (const e of off('grid', 1)) {
      expect(AZIMUTH_GRID).toContain(e.azimuth);
      expect(ELEVATION_GRID).toContain(e.elevation);
    }
  });

  test('the background level moves with backgroundDb, and an ambience replaces the pink noise', () => {
    const clip = { file: 'c.wav', class: 'c', samples: new Float32Array(400) }; // a silent event: the scene is its background
    const scene = (o: object) =>
      synthesizeScene([clip], { format: 'foa', sampleRate: sr, seconds: 2, ...o }, new Rng(4)).audio.channels[0];
    const ref = rms(scene({}));
    expect(ref).toBeCloseTo(0.003, 3);
    expect(rms(scene({ backgroundDb: [-20, -20] })) / ref).toBeCloseTo(0.1, 2);
    const amb = scene({ ambience: [ambience] });
    expect(rms(amb)).toBeCloseTo(0.003, 4);
    // the ambience's two tones dominate its spectrum: its lag-1 correlation is close to 1, pink noise's is not
    const lag1 = (x: Float32Array) =>
      x.slice(1).reduce((s, v, i) => s + v * x[i], 0) / x.reduce((s, v) => s + v * v, 0);
    expect(lag1(amb)).toBeGreaterThan(0.9);
    expect(lag1(scene({}))).toBeLessThan(0.9);
  });

  test('reverberate draws its reverberation time from the given range (the tail is rt60 long)', () => {
    const x = Float32Array.from({ length: 100 }, () => 1);
    expect(reverberate(x, 'foa', sr, new Rng(1), [1.0, 1.0])[0].length).toBe(100 + sr);
    expect(reverberate(x, 'foa', sr, new Rng(1), [0.25, 0.25])[0].length).toBe(100 + sr / 4);
  });

  test('loadAmbience: mono WAVs at the scene rate; clear errors', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambience-'));
    writeWav(path.join(dir, 'b.wav'), { sampleRate: 16000, channels: [new Float32Array(1600)] });
    writeWav(path.join(dir, 'a.wav'), { sampleRate: 8000, channels: [new Float32Array(800)] });
    expect(loadAmbience(dir, 8000).map((x) => x.length)).toEqual([800, 800]);
    writeWav(path.join(dir, 'c.wav'), { sampleRate: 8000, channels: [new Float32Array(8), new Float32Array(8)] });
    expect(() => loadAmbience(dir, 8000)).toThrow(/c\.wav: ambience recordings must be mono, it has 2 channels/);
    expect(() => loadAmbience(path.join(dir, 'none'), 8000)).toThrow(/ambience folder .* does not exist/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
