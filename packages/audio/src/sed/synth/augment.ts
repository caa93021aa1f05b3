/**
 * Colouration and room effects for synthesised events: a random smooth EQ (training augmentation) and reverberation
 * (early reflections and an exponential tail), with the FFT convolution they share.
 */
import { Rng } from '@gatewave/core';
import { fft, ifft, irfft, rfft } from '../../dsp/fft';
import { formatChannels, SceneFormat } from '../format';
import { spatialize } from './spatial';

/**
 * Linear convolutions of one signal with several real responses through the FFT: returns x * h for each h, each of
 * length x.length + h.length − 1. The signal is transformed once, and responses go two at a time through one
 * complex transform: with G = FFT(h1 + i·h2), IFFT(X·G) = x * h1 + i·(x * h2), since both convolutions are real.
 */
export function convolveMany(x: Float32Array, hs: readonly Float32Array[]): Float32Array[] {
  const longest = Math.max(...hs.map((h) => h.length));
  let size = 1;
  while (size < x.length + longest - 1) size *= 2;
  const xr = new Float64Array(size);
  const xi = new Float64Array(size);
  xr.set(x);
  fft(xr, xi);
  const out: Float32Array[] = [];
  for (let p = 0; p < hs.length; p += 2) {
    const h1 = hs[p];
    const h2 = p + 1 < hs.length ? hs[p + 1] : null;
    const re = new Float64Array(size);
    const im = new Float64Array(size);
    re.set(h1);
    if (h2) im.set(h2);
    fft(re, im);
    for (let k = 0; k < size; k++) {
      const r = xr[k] * re[k] - xi[k] * im[k];
      im[k] = xr[k] * im[k] + xi[k] * re[k];
      re[k] = r;
    }
    ifft(re, im);
    out.push(Float32Array.from(re.subarray(0, x.length + h1.length - 1)));
    if (h2) out.push(Float32Array.from(im.subarray(0, x.length + h2.length - 1)));
  }
  return out;
}

/**
 * A random smooth equaliser curve (in the spirit of FilterAugment, Nam et al. 2022, applied to the waveform): 2 to 5
 * control points at log-uniform frequencies between 50 Hz and the Nyquist frequency, each with a gain drawn uniformly
 * in [−maxDb, maxDb] dB; the gain in dB is interpolated linearly in log frequency between the points and held
 * constant beyond them. Returns the linear gain at each of `bins` equally spaced frequencies from 0 to the Nyquist
 * frequency.
 */
export function randomEqCurve(bins: number, sampleRate: number, maxDb: number, rng: Rng): Float64Array {
  const nyquist = sampleRate / 2;
  const lo = Math.log(50);
  const hi = Math.log(nyquist);
  const count = 2 + rng.int(4);
  const points = Array.from({ length: count }, () => ({ logF: rng.uniform(lo, hi), db: rng.uniform(-maxDb, maxDb) }));
  points.sort((a, b) => a.logF - b.logF);
  const gains = new Float64Array(bins);
  let j = 0;
  for (let k = 0; k < bins; k++) {
    const logF = Math.log(Math.max(1e-3, (k / Math.max(1, bins - 1)) * nyquist));
    while (j < count - 1 && points[j + 1].logF <= logF) j++;
    let db: number;
    if (logF <= points[0].logF) db = points[0].db;
    else if (j >= count - 1) db = points[count - 1].db;
    else {
      const a = points[j];
      const b = points[j + 1];
      db = a.db + ((b.db - a.db) * (logF - a.logF)) / (b.logF - a.logF);
    }
    gains[k] = Math.pow(10, db / 20);
  }
  return gains;
}

/**
 * Filters `x` by a random `randomEqCurve` (zero phase, through the FFT with enough zero padding that the filter's
 * short response does not wrap around onto the signal). Returns a new signal of the same length.
 */
export function randomEqualize(x: Float32Array, sampleRate: number, maxDb: number, rng: Rng): Float32Array {
  let size = 1;
  while (size < x.length + 4096) size *= 2;
  const spec = rfft(x, size);
  const gains = randomEqCurve(spec.re.length, sampleRate, maxDb, rng);
  for (let k = 0; k < gains.length; k++) {
    spec.re[k] *= gains[k];
    spec.im[k] *= gains[k];
  }
  return Float32Array.from(irfft(spec, size).subarray(0, x.length));
}

/**
 * Reverberation of one event: four early reflections (delays 3-25 ms, gains 0.2-0.5, random directions)
 * and a diffuse exponential tail (RT60 0.2-0.6 s, -12 dB to -20 dB below the direct sound) rendered as independent
 * decaying noise responses per channel. Returns the reverberant part only, `tailSamples` longer than the signal.
 */
export function reverberate(
  signal: Float32Array,
  format: SceneFormat,
  sampleRate: number,
  rng: Rng,
  rt60Range: [number, number] = [0.2, 0.6],
): Float32Array[] {
  const rt60 = rng.uniform(rt60Range[0], rt60Range[1]);
  const tailLength = Math.round(rt60 * sampleRate);
  const n = signal.length + tailLength;
  const channels = formatChannels(format);
  const out = Array.from({ length: channels }, () => new Float32Array(n));
  for (let r = 0; r < 4; r++) {
    const delay = Math.round(rng.uniform(0.003, 0.025) * sampleRate);
    const gain = rng.uniform(0.2, 0.5);
    const az = rng.uniform(-180, 180);
    const el = rng.uniform(-60, 60);
    spatialize(signal, format, az, el, sampleRate).forEach((c, ch) => {
      for (let i = 0; i < c.length; i++) out[ch][i + delay] += gain * c[i];
    });
  }
  const tailGain = Math.pow(10, rng.uniform(-20, -12) / 20);
  const decay = Math.log(1000) / (rt60 * sampleRate); // -60 dB at rt60
  const start = Math.round(0.01 * sampleRate);
  const responses = Array.from({ length: channels }, (_, ch) => {
    // SN3D diffuse field: the dipole channels carry 1/3 of the omni power.
    const g = format === 'foa' && ch > 0 ? tailGain / Math.sqrt(3) : tailGain;
    const h = new Float32Array(tailLength);
    let energy = 0;
    for (let i = start; i < tailLength; i++) {
      h[i] = rng.gauss() * Math.exp(-decay * i);
      energy += h[i] * h[i];
    }
    const norm = g / Math.sqrt(energy || 1);
    for (let i = 0; i < tailLength; i++) h[i] *= norm;
    return h;
  });
  convolveMany(signal, responses).forEach((y, ch) => {
    for (let i = 0; i < y.length; i++) out[ch][i] += y[i];
  });
  return out;
}
