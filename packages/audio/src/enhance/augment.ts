/**
 * Data augmentation for enhancement training, on plain Float32Arrays (16 kHz), drawing from @gatewave/core's seeded
 * `random()` so a run repeats exactly.
 *
 * - `randomEq`: a random spectral tilt (first-order shelf, ±6 dB at 8 kHz) followed by a random peaking biquad
 *   (200 Hz–6 kHz, ±8 dB, Q 0.5–2): the colouring of microphones and rooms.
 * - `syntheticRir`: an exponentially decaying noise tail (RT60 0.15–0.8 s) after a direct-path impulse, with
 *   the early part (first 50 ms) split off, so training can keep early reflections in the target and remove only the
 *   late reverberation.
 * - `convolve`: plain convolution, cut to the input's length.
 * - `babble`: the sum of several speech crops at random relative levels (made from training speakers only).
 */
import { random } from '@gatewave/core';
import { rfft, irfft } from '../dsp/fft';

/** A uniform draw from [a, b). */
export function uniform(a: number, b: number): number {
  return a + random() * (b - a);
}

/** Gaussian noise sample (Box-Muller). */
export function gauss(): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** y = biquad(b, a) applied to x (direct form I). */
export function biquad(x: Float32Array, b: [number, number, number], a: [number, number]): Float32Array {
  const y = new Float32Array(x.length);
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = b[0] * x[i] + b[1] * x1 + b[2] * x2 - a[0] * y1 - a[1] * y2;
    x2 = x1;
    x1 = x[i];
    y2 = y1;
    y1 = v;
    y[i] = v;
  }
  return y;
}

/** Peaking-EQ biquad coefficients (RBJ cookbook): gain `db` at `f0` Hz with quality `q`. */
export function peakingCoefficients(
  f0: number,
  db: number,
  q: number,
  rate: number,
): { b: [number, number, number]; a: [number, number] } {
  const A = 10 ** (db / 40);
  const w = (2 * Math.PI * f0) / rate;
  const alpha = Math.sin(w) / (2 * q);
  const a0 = 1 + alpha / A;
  return {
    b: [(1 + alpha * A) / a0, (-2 * Math.cos(w)) / a0, (1 - alpha * A) / a0],
    a: [(-2 * Math.cos(w)) / a0, (1 - alpha / A) / a0],
  };
}

/** A random microphone / room colouring: spectral tilt then one peaking band. */
export function randomEq(x: Float32Array, rate: number): Float32Array {
  // tilt: y = x + k (x - x[n-1]) / 2 adds high-frequency gain (k > 0) or removes it (k < 0), up to about ±6 dB
  const k = uniform(-0.5, 1);
  const t = new Float32Array(x.length);
  let prev = 0;
  for (let i = 0; i < x.length; i++) {
    t[i] = x[i] + (k * (x[i] - prev)) / 2;
    prev = x[i];
  }
  const f0 = 200 * 30 ** random(); // 200 Hz .. 6 kHz, log-uniform
  const { b, a } = peakingCoefficients(f0, uniform(-8, 8), uniform(0.5, 2), rate);
  return biquad(t, b, a);
}

export interface RoomResponse {
  /** Direct path and reflections within the first 50 ms (the reverberant target keeps these). */
  early: Float32Array;
  /** The whole response (early + late). */
  full: Float32Array;
  rt60: number;
}

/** A synthetic room impulse response: direct impulse, then Gaussian noise decaying 60 dB over RT60 seconds. */
export function syntheticRir(
  rate: number,
  rt60 = uniform(0.15, 0.8),
  directToReverbDb = uniform(-3, 10),
): RoomResponse {
  const n = Math.round(rt60 * rate);
  const full = new Float32Array(n);
  const decay = (3 * Math.LN10) / (rt60 * rate); // amplitude e^{-decay·t} reaches -60 dB at rt60
  const onset = Math.round(0.001 * rate);
  let tail = 0;
  for (let i = onset; i < n; i++) {
    full[i] = gauss() * Math.exp(-decay * (i - onset));
    tail += full[i] * full[i];
  }
  // scale the tail so that direct / reverberant energy is directToReverbDb
  const g = 1 / Math.sqrt(tail * 10 ** (directToReverbDb / 10) + 1e-20);
  for (let i = onset; i < n; i++) full[i] *= g;
  full[0] = 1;
  const early = full.slice(0, Math.min(n, Math.round(0.05 * rate)));
  return { early, full, rt60 };
}

/** x convolved with h, the first x.length samples (by FFT: the responses are up to 0.8 s, 12,800 taps). */
export function convolve(x: Float32Array, h: Float32Array): Float32Array {
  let n = 1;
  while (n < x.length + h.length - 1) n *= 2;
  const X = rfft(x, n);
  const H = rfft(h, n);
  for (let k = 0; k < X.re.length; k++) {
    const r = X.re[k] * H.re[k] - X.im[k] * H.im[k];
    X.im[k] = X.re[k] * H.im[k] + X.im[k] * H.re[k];
    X.re[k] = r;
  }
  return Float32Array.from(irfft(X, n).subarray(0, x.length));
}

/** Root mean square. */
export function rms(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, x.length) + 1e-20);
}

/** `parts` summed at random levels within ±`spreadDb` of each other (each first normalised to unit RMS). */
export function babble(parts: Float32Array[], spreadDb = 6): Float32Array {
  const n = parts[0].length;
  const out = new Float32Array(n);
  for (const p of parts) {
    const g = 10 ** (uniform(-spreadDb, spreadDb) / 20) / rms(p);
    for (let i = 0; i < n; i++) out[i] += g * p[i];
  }
  return out;
}

/** One mixture: clean speech and noisy mixture, scaled together. */
export function mixAt(
  speech: Float32Array,
  noise: Float32Array,
  snrDb: number,
  levelDb: number,
): { clean: Float32Array; noisy: Float32Array } {
  const g = rms(speech) / (rms(noise) * 10 ** (snrDb / 20));
  const noisy = new Float32Array(speech.length);
  for (let i = 0; i < noisy.length; i++) noisy[i] = speech[i] + g * noise[i];
  let scale = 10 ** (levelDb / 20) / rms(noisy);
  let peak = 0;
  for (let i = 0; i < noisy.length; i++) peak = Math.max(peak, Math.abs(noisy[i]));
  if (peak * scale > 0.99) scale = 0.99 / peak;
  const clean = new Float32Array(speech.length);
  for (let i = 0; i < noisy.length; i++) {
    clean[i] = speech[i] * scale;
    noisy[i] *= scale;
  }
  return { clean, noisy };
}
