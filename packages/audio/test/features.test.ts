import { logMelSpectrogram, mfcc, spectralDescriptors, AudioError } from '../src';

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
    expect(() => spectralDescriptors(tone(1, 100), rate, [])).toThrow(AudioError);
  });
});
