import { setSeed } from '@gatewave/core';
import { rms } from '../src/enhance/augment';
import { autocorrelation, levinson, whisper } from '../src/enhance/whisper';
import { rfft } from '../src/dsp/fft';
import { biquad, peakingCoefficients } from '../src/enhance/augment';
import { DEFAULT_MIX, MixingSource } from '../src/enhance/train-data';

const RATE = 16000;

/** A voiced vowel: a 125 Hz pulse train through two formant resonances (700 Hz and 1,200 Hz), 1 s. */
function vowel(): Float32Array {
  const pulses = Float32Array.from({ length: RATE }, (_, i) => (i % 128 === 0 ? 1 : 0));
  let y: Float32Array = pulses;
  for (const f of [700, 1200]) {
    const { b, a } = peakingCoefficients(f, 20, 4, RATE);
    y = biquad(y, b, a);
  }
  return y;
}

/** Normalised autocorrelation of x at `lag` (over its middle half second). */
function periodicity(x: Float32Array, lag: number): number {
  let xy = 0;
  let xx = 0;
  let yy = 0;
  for (let i = 4000; i < 12000; i++) {
    xy += x[i] * x[i + lag];
    xx += x[i] * x[i];
    yy += x[i + lag] * x[i + lag];
  }
  return xy / Math.sqrt(xx * yy);
}

/** Energy of x in [lo, hi) Hz over its middle 8,192 samples. */
function bandEnergy(x: Float32Array, lo: number, hi: number): number {
  const n = 8192;
  const s = rfft(x.subarray(4000, 4000 + n), n);
  let e = 0;
  for (let k = Math.ceil((lo * n) / RATE); (k * RATE) / n < hi; k++) e += s.re[k] ** 2 + s.im[k] ** 2;
  return e;
}

describe('pseudo-whisper', () => {
  test('levinson: the coefficients of a known AR(2) process from its exact autocorrelation', () => {
    // x[n] = 0.5 x[n-1] - 0.25 x[n-2] + e[n]: by Yule-Walker r1 = 0.5 r0 / 1.25 = 0.4 r0, r2 = 0.5 r1 - 0.25 r0
    const a = levinson(Float64Array.from([1, 0.4, -0.05]), 2);
    expect(a[0]).toBe(1);
    expect(a[1]).toBeCloseTo(-0.5, 6);
    expect(a[2]).toBeCloseTo(0.25, 6);
    // autocorrelation of a known short sequence
    expect(Array.from(autocorrelation(Float64Array.from([1, 2, 3]), 2))).toEqual([14, 8, 3]);
  });

  test('a voiced vowel loses its pitch but keeps its formants and level', () => {
    setSeed(3);
    const x = vowel();
    const y = whisper(x);
    expect(y).toHaveLength(x.length);
    expect(periodicity(x, 128)).toBeGreaterThan(0.9);
    expect(periodicity(y, 128)).toBeLessThan(0.3);
    expect(20 * Math.log10(rms(y) / rms(x))).toBeCloseTo(0, 0);
    // the formant band stands as far above the 2-4 kHz band as in the vowel (within 3 dB)
    const tilt = (s: Float32Array) => 10 * Math.log10(bandEnergy(s, 500, 1400) / bandEnergy(s, 2000, 4000));
    expect(Math.abs(tilt(y) - tilt(x))).toBeLessThan(3);
    expect(tilt(x)).toBeGreaterThan(10);
  });

  test('silence stays silent; the same seed gives the same whisper', () => {
    expect(Array.from(whisper(new Float32Array(2000))).every((v) => v === 0)).toBe(true);
    setSeed(8);
    const a = whisper(vowel());
    setSeed(8);
    expect(Array.from(whisper(vowel()))).toEqual(Array.from(a));
  });

  test('whisperProbability 1: target and input of a noise-free mixture are the whispered speech', () => {
    const speech = Int16Array.from(vowel(), (v) => Math.round(v * 3000));
    const plain = { ...DEFAULT_MIX, reverbProbability: 0, eqProbability: 0, noiseFreeProbability: 1 };
    const draw = (whisperProbability: number) => {
      setSeed(6);
      return new MixingSource('t', [speech], [speech], [], RATE, { ...plain, whisperProbability }).draw(RATE);
    };
    const voiced = draw(0);
    const whispered = draw(1);
    expect(Array.from(whispered.noisy)).toEqual(Array.from(whispered.clean));
    expect(periodicity(voiced.clean, 128)).toBeGreaterThan(0.9);
    expect(periodicity(whispered.clean, 128)).toBeLessThan(0.3);
  });
});
