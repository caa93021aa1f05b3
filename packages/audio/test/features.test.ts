import * as crypto from 'crypto';
import Meyda from 'meyda';
import { GatewaveError } from '@gatewave/core';
import { logMelSpectrogram, mfcc, spectralDescriptors, AudioError } from '../src';
import { DEFAULT_FEATURES, extractFeatures } from '../src/sed/features';
import type { SceneFormat } from '../src/sed/format';

const rate = 16000;
const tone = (f: number, n: number): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * f * i) / rate));

describe('meyda features over whole signals', () => {
  test('frame count and layout', () => {
    const x = tone(1000, 16000);
    const m = logMelSpectrogram(x, rate, { frameLength: 512, hopLength: 256, melBands: 32 });
    expect(m.frames).toBe(Math.ceil((16000 - 512) / 256) + 1);
    expect(m.size).toBe(32);
    expect(m.data).toHaveLength(m.frames * 32);
    expect(m.frameStep).toBeCloseTo(0.016, 6);
    // a 1 kHz tone puts its energy in a middle band, not the highest one
    const row = Array.from(m.data.subarray(10 * 32, 11 * 32));
    const peak = row.indexOf(Math.max(...row));
    expect(peak).toBeGreaterThan(5);
    expect(peak).toBeLessThan(25);
  });

  test('spectral centroid follows the tone; rms matches the amplitude', () => {
    for (const f of [500, 3000]) {
      const d = spectralDescriptors(tone(f, 8192), rate, ['spectralCentroid', 'rms'], { frameLength: 1024 });
      const centroidHz = (d.data[2 * 3] * rate) / 1024; // meyda's centroid is in bins
      expect(Math.abs(centroidHz - f)).toBeLessThan(0.15 * f);
      expect(d.data[2 * 3 + 1]).toBeCloseTo((0.5 / Math.SQRT2) * Math.sqrt(3 / 8), 2); // meyda windows (Hann) first
    }
  });

  test('MFCC: 13 per frame, different for different sounds', () => {
    const a = mfcc(tone(300, 4096), rate, { frameLength: 512 });
    const b = mfcc(tone(4000, 4096), rate, { frameLength: 512 });
    expect(a.size).toBe(13);
    const d = Array.from(a.data.subarray(0, 13)).reduce((s, v, i) => s + Math.abs(v - b.data[i]), 0);
    expect(d).toBeGreaterThan(1);
  });

  test('bad options', () => {
    expect(() => mfcc(tone(300, 4096), rate, { frameLength: 500 })).toThrow(/power of two/);
    expect(() => mfcc(new Float32Array(0), rate)).toThrow(AudioError);
    // AudioError is core's GatewaveError, with its code
    expect(() => mfcc(new Float32Array(0), rate)).toThrow(GatewaveError);
    expect(() => mfcc(new Float32Array(0), rate)).toThrow(
      expect.objectContaining({ code: 'EMPTY_AUDIO', name: 'AudioError' }),
    );
    expect(() => spectralDescriptors(tone(1, 100), rate, [])).toThrow(AudioError);
  });
});

describe('the one log-mel (features/mel.ts)', () => {
  test("logMelSpectrogram is ln(energy + 1e-10) of the energies meyda's melBands sums (meyda returns ln(1 + energy))", () => {
    const x = tone(1000, 4096).map((v, i) => v + 0.01 * Math.sin(i * 0.37));
    const m = logMelSpectrogram(x, rate, { frameLength: 512, hopLength: 256, melBands: 24 });
    const meyda = Meyda as unknown as Record<string, unknown> & {
      extract: (f: string, frame: Float32Array) => number[];
    };
    Object.assign(meyda, { bufferSize: 512, sampleRate: rate, melBands: 24, windowingFunction: 'hanning' });
    let compared = 0;
    for (const t of [0, 3, 7]) {
      const reference = meyda.extract('melBands', x.slice(t * 256, t * 256 + 512));
      for (let b = 0; b < 24; b++) {
        const energy = Math.expm1(reference[b]);
        if (energy < 1e-6) continue; // meyda works in float32: its leakage bands are rounding noise
        const ours = Math.exp(m.data[t * 24 + b]) - 1e-10;
        expect(Math.abs(ours - energy)).toBeLessThan(1e-3 * energy);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(12);
  });

  /** Half a second of a tone per channel plus a little deterministic noise, at the detector's 24 kHz. */
  function channelsOf(count: number): Float32Array[] {
    return Array.from({ length: count }, (_, c) => {
      const x = new Float32Array(12000);
      let s = 11 + c * 7;
      for (let i = 0; i < x.length; i++) {
        s = (s * 1103515245 + 12345) % 2147483648;
        x[i] = 0.3 * Math.sin((2 * Math.PI * (440 + 110 * c) * i) / 24000) + 0.05 * (s / 2147483648 - 0.5);
      }
      return x;
    });
  }

  // SHA-256 of the feature arrays that sed/features.ts computed with its own log-mel, before it took the shared one.
  test.each([
    ['foa', 4, 7, 'a5f946a2af7a8d3e7a0c33f046fd496f84bd0a08b3da34be409359dbe123cb4d'],
    ['mic4', 4, 10, '43cf2a0fafb4cdcc03ad626a37538587e6152a0b2c006a81f6842660558fd93b'],
    ['mono', 1, 1, 'a7b558995912148e3f36a79741352d19bc448f24147b4cc481fd6fb56d92c3e2'],
  ])('detector features (%s) are bit for bit those of the old code', (format, inputs, channels, sha256) => {
    const f = extractFeatures(channelsOf(inputs), { format: format as SceneFormat, ...DEFAULT_FEATURES });
    expect([f.frames, f.melBands, f.channels]).toEqual([25, 64, channels]);
    expect(crypto.createHash('sha256').update(Buffer.from(f.data.buffer)).digest('hex')).toBe(sha256);
  });
});
