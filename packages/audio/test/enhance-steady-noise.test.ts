import { setSeed } from '@gatewave/core';
import { rms } from '../src/enhance/augment';
import { rfft } from '../src/dsp/fft';
import { colouredNoise, drone, steadyNoise } from '../src/enhance/steady-noise';
import { DEFAULT_MIX, MixingSource } from '../src/enhance/train-data';

const RATE = 16000;

/** Power per FFT bin of x (length a power of two). */
function powerSpectrum(x: Float32Array): Float64Array {
  const s = rfft(x, x.length);
  return Float64Array.from(s.re, (re, k) => re * re + s.im[k] * s.im[k]);
}

/** Mean of `p` over the bins of [lo, hi) Hz. */
function bandMean(p: Float64Array, n: number, lo: number, hi: number): number {
  let sum = 0;
  let count = 0;
  for (let k = Math.ceil((lo * n) / RATE); (k * RATE) / n < hi; k++, count++) sum += p[k];
  return sum / count;
}

describe('synthetic steady noise', () => {
  test.each([0, 1, 2])('coloured noise with slope %d: band powers fall as f^-slope, unit RMS', (slope) => {
    setSeed(9);
    const n = 65536;
    const x = colouredNoise(n, RATE, slope);
    expect(rms(x)).toBeCloseTo(1, 4);
    const p = powerSpectrum(x);
    const expected = (lo: number, hi: number): number => {
      let s = 0;
      for (let f = lo; f < hi; f += 1) s += f ** -slope;
      return s / (hi - lo);
    };
    const measuredDb = 10 * Math.log10(bandMean(p, n, 250, 350) / bandMean(p, n, 2000, 2800));
    const expectedDb = 10 * Math.log10(expected(250, 350) / expected(2000, 2800));
    expect(Math.abs(measuredDb - expectedDb)).toBeLessThan(1);
  });

  test('a drone without drift: its strongest bin is the fundamental, nothing above its highest harmonic', () => {
    setSeed(4);
    const n = 32768;
    const settings = { f0: 100, rolloff: 2, maxHz: 1000, drift: 0, driftHz: 0.1, swell: 0, swellHz: 0.1 };
    const x = drone(n, RATE, settings);
    expect(rms(x)).toBeCloseTo(1, 4);
    const p = powerSpectrum(x);
    let peak = 0;
    for (let k = 1; k < p.length; k++) if (p[k] > p[peak]) peak = k;
    expect(Math.abs((peak * RATE) / n - 100)).toBeLessThan(1);
    const total = p.reduce((a, b) => a + b, 0);
    let above = 0;
    for (let k = Math.ceil((1100 * n) / RATE); k < p.length; k++) above += p[k];
    expect(above / total).toBeLessThan(1e-4);
  });

  test('the same seed gives the same noise; every kind comes out finite at unit RMS', () => {
    const draw = (seed: number): Float32Array[] => {
      setSeed(seed);
      return Array.from({ length: 12 }, () => steadyNoise(8000, RATE));
    };
    const a = draw(21);
    expect(a.map((x) => Array.from(x))).toEqual(draw(21).map((x) => Array.from(x)));
    expect(Array.from(a[0])).not.toEqual(Array.from(draw(22)[0]));
    for (const x of a) {
      expect(x.every(Number.isFinite)).toBe(true);
      expect(rms(x)).toBeCloseTo(1, 4);
    }
  });

  test('steadyProbability 1 mixes synthetic noise at the drawn SNR even when every recorded noise is silent', () => {
    const speech = Int16Array.from({ length: 16000 }, (_, i) => Math.round(8000 * Math.sin(i / 7)));
    const silent = new Int16Array(16000);
    const plain = {
      ...DEFAULT_MIX,
      reverbProbability: 0,
      eqProbability: 0,
      secondNoiseProbability: 0,
      babbleProbability: 0,
      musicProbability: 0,
      minSnrDb: 5,
      maxSnrDb: 5,
    };
    const residualDb = (steadyProbability: number): number => {
      setSeed(3);
      const p = new MixingSource('t', [speech], [silent], [], RATE, { ...plain, steadyProbability }).draw(8000);
      const noise = p.noisy.map((v, i) => v - p.clean[i]);
      return 20 * Math.log10(rms(p.clean) / rms(noise));
    };
    expect(residualDb(1)).toBeCloseTo(5, 2);
    expect(residualDb(0)).toBeGreaterThan(100);
  });
});
