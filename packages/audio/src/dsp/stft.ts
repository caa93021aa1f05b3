/**
 * Short-time Fourier transform and its inverse, for any window length, hop and FFT size.
 *
 * Framing: the signal is padded with `winLength - hopLength` zeros in front and enough zeros at the end that every
 * sample of the signal lies under the full set of overlapping windows; frame t starts at t * hopLength of the padded
 * signal. `istft` overlap-adds the windowed inverse frames and divides by the summed squared window (weighted
 * overlap-add), so `istft(stft(x))` gives back x over its whole length, edges included, for every window/hop pair
 * whose squared windows overlap without gaps (checked; the square-root Hann window with hop = winLength / 2 that
 * FRCRN uses sums to exactly 1).
 */
import { AudioError } from '../errors';
import { rfft, irfft } from './fft';

export type WindowName = 'sqrt-hann' | 'hann' | 'hamming' | 'rectangular';

export interface StftOptions {
  /** Window length in samples (any positive integer). */
  winLength: number;
  /** Hop between frames in samples, 1 .. winLength. */
  hopLength: number;
  /** FFT size, >= winLength (frames are zero-padded at the end); defaults to winLength. */
  nFft?: number;
  /** Analysis (and synthesis) window; 'sqrt-hann' by default. Periodic windows. */
  window?: WindowName | Float32Array;
}

/** A complex spectrogram, row-major `[frame][bin]`, bins = nFft / 2 + 1. */
export interface Spectrogram {
  re: Float32Array;
  im: Float32Array;
  frames: number;
  bins: number;
  /** Length of the signal it was computed from (what `istft` gives back). */
  length: number;
  winLength: number;
  hopLength: number;
  nFft: number;
  window: Float32Array;
}

/** A periodic window of length n (the usual choice for STFT analysis/synthesis). */
export function makeWindow(name: WindowName, n: number): Float32Array {
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
    switch (name) {
      case 'sqrt-hann':
        w[i] = Math.sqrt(hann);
        break;
      case 'hann':
        w[i] = hann;
        break;
      case 'hamming':
        w[i] = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / n);
        break;
      case 'rectangular':
        w[i] = 1;
        break;
      default:
        throw new AudioError(
          'BAD_ARGUMENT',
          `unknown window "${String(name)}"; use sqrt-hann, hann, hamming or rectangular.`,
        );
    }
  }
  return w;
}

export interface StftGeometry {
  winLength: number;
  hopLength: number;
  nFft: number;
  window: Float32Array;
  /** Zeros added in front of the signal. */
  padStart: number;
}

/** Checks the options and resolves defaults. */
export function stftGeometry(options: StftOptions): StftGeometry {
  const { winLength, hopLength } = options;
  const nFft = options.nFft ?? winLength;
  if (!Number.isInteger(winLength) || winLength < 1) {
    throw new AudioError('BAD_ARGUMENT', `stft: winLength must be a positive integer, got ${winLength}.`);
  }
  if (!Number.isInteger(hopLength) || hopLength < 1 || hopLength > winLength) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `stft: hopLength must be an integer in 1..winLength (${winLength}), got ${hopLength}.`,
    );
  }
  if (!Number.isInteger(nFft) || nFft < winLength) {
    throw new AudioError('BAD_ARGUMENT', `stft: nFft must be an integer >= winLength (${winLength}), got ${nFft}.`);
  }
  const win = options.window ?? 'sqrt-hann';
  const window = typeof win === 'string' ? makeWindow(win, winLength) : win;
  if (window.length !== winLength) {
    throw new AudioError('BAD_ARGUMENT', `stft: the window has ${window.length} samples, winLength is ${winLength}.`);
  }
  return { winLength, hopLength, nFft, window, padStart: winLength - hopLength };
}

/** Number of frames `stft` makes for a signal of `length` samples. */
export function frameCount(length: number, winLength: number, hopLength: number): number {
  return Math.max(1, Math.ceil((length + winLength - hopLength) / hopLength));
}

/**
 * Sum over frames of the squared window at every position of the padded signal. Throws when it vanishes under the
 * signal (the window/hop pair cannot be inverted).
 */
export function windowEnvelope(g: StftGeometry, frames: number, length: number): Float64Array {
  const padded = (frames - 1) * g.hopLength + g.winLength;
  const env = new Float64Array(padded);
  for (let t = 0; t < frames; t++) {
    const o = t * g.hopLength;
    for (let i = 0; i < g.winLength; i++) env[o + i] += g.window[i] * g.window[i];
  }
  for (let s = g.padStart; s < g.padStart + length; s++) {
    if (env[s] < 1e-10) {
      throw new AudioError(
        'BAD_ARGUMENT',
        `stft: the window with hop ${g.hopLength} leaves gaps (summed squared window ${env[s].toExponential(2)} at sample ` +
          `${s - g.padStart}); the signal cannot be rebuilt. Use a smaller hop or another window.`,
      );
    }
  }
  return env;
}

/** Complex STFT of `x`. */
export function stft(x: Float32Array | Float64Array, options: StftOptions): Spectrogram {
  const g = stftGeometry(options);
  const frames = frameCount(x.length, g.winLength, g.hopLength);
  const bins = Math.floor(g.nFft / 2) + 1;
  const re = new Float32Array(frames * bins);
  const im = new Float32Array(frames * bins);
  const frame = new Float64Array(g.nFft);
  for (let t = 0; t < frames; t++) {
    frame.fill(0);
    const start = t * g.hopLength - g.padStart; // in signal coordinates
    for (let i = 0; i < g.winLength; i++) {
      const s = start + i;
      if (s >= 0 && s < x.length) frame[i] = x[s] * g.window[i];
    }
    const spec = rfft(frame, g.nFft);
    re.set(spec.re, t * bins);
    im.set(spec.im, t * bins);
  }
  return {
    re,
    im,
    frames,
    bins,
    length: x.length,
    winLength: g.winLength,
    hopLength: g.hopLength,
    nFft: g.nFft,
    window: g.window,
  };
}

/** Inverse of `stft` (weighted overlap-add); returns `length` samples (default: the length stft was given). */
export function istft(spec: Spectrogram, length: number = spec.length): Float32Array {
  const g = stftGeometry({
    winLength: spec.winLength,
    hopLength: spec.hopLength,
    nFft: spec.nFft,
    window: spec.window,
  });
  const expectBins = Math.floor(g.nFft / 2) + 1;
  if (spec.bins !== expectBins || spec.re.length !== spec.frames * spec.bins || spec.im.length !== spec.re.length) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `istft: spectrogram shape does not match nFft ${g.nFft} (${spec.frames} x ${spec.bins}).`,
    );
  }
  const env = windowEnvelope(g, spec.frames, Math.min(length, spec.length));
  const padded = env.length;
  const acc = new Float64Array(padded);
  const bins = spec.bins;
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  for (let t = 0; t < spec.frames; t++) {
    for (let k = 0; k < bins; k++) {
      re[k] = spec.re[t * bins + k];
      im[k] = spec.im[t * bins + k];
    }
    const frame = irfft({ re, im }, g.nFft);
    const o = t * g.hopLength;
    for (let i = 0; i < g.winLength; i++) acc[o + i] += frame[i] * g.window[i];
  }
  const out = new Float32Array(length);
  for (let s = 0; s < length; s++) {
    const p = s + g.padStart;
    if (p < padded && env[p] > 1e-10) out[s] = acc[p] / env[p];
  }
  return out;
}
