/**
 * Frame-by-frame audio features over whole signals: log-mel bands (./mel.ts), and MFCC and spectral descriptors
 * computed with `meyda`. Frames are `frameLength` samples (a power of two, as meyda needs) every `hopLength`
 * samples, Hann windowed; frame t starts at sample t·hopLength and the signal is zero-padded at the end so the last
 * samples are covered.
 */
import Meyda from 'meyda';
import { AudioError } from '../errors';
import { rfft } from '../dsp/fft';
import { logMelInto, melFilterBank } from './mel';

/** Per-frame scalar descriptors that meyda computes. */
export type ScalarFeature =
  | 'rms'
  | 'energy'
  | 'zcr'
  | 'spectralCentroid'
  | 'spectralFlatness'
  | 'spectralRolloff'
  | 'spectralSpread'
  | 'spectralSkewness'
  | 'spectralKurtosis'
  | 'spectralSlope'
  | 'spectralCrest'
  | 'perceptualSharpness'
  | 'perceptualSpread';

export interface FeatureOptions {
  /** Frame length in samples; a power of two (default 1024). */
  frameLength?: number;
  /** Hop in samples (default frameLength / 2). */
  hopLength?: number;
  /** Mel bands for log-mel and MFCC (default 40). */
  melBands?: number;
  /** MFCC coefficients (default 13). */
  mfccCoefficients?: number;
}

/** A feature matrix: `frames` rows of `size` values, row-major. */
export interface FeatureMatrix {
  data: Float32Array;
  frames: number;
  size: number;
  /** Seconds between frames. */
  frameStep: number;
}

function settings(sampleRate: number, o: FeatureOptions): Required<FeatureOptions> {
  const frameLength = o.frameLength ?? 1024;
  if (!Number.isInteger(frameLength) || frameLength < 16 || (frameLength & (frameLength - 1)) !== 0) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `features: frameLength must be a power of two >= 16 (meyda needs it), got ${frameLength}.`,
    );
  }
  const hopLength = o.hopLength ?? frameLength / 2;
  if (!Number.isInteger(hopLength) || hopLength < 1) {
    throw new AudioError('BAD_ARGUMENT', `features: hopLength must be a positive integer, got ${hopLength}.`);
  }
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new AudioError('BAD_ARGUMENT', `features: sampleRate must be a positive integer, got ${sampleRate}.`);
  }
  return { frameLength, hopLength, melBands: o.melBands ?? 40, mfccCoefficients: o.mfccCoefficients ?? 13 };
}

/** Frames of `length` samples: one per hop, the last one zero-padded. */
function frameCountOf(length: number, s: Required<FeatureOptions>): number {
  return Math.max(1, Math.ceil(Math.max(0, length - s.frameLength) / s.hopLength) + 1);
}

/** Calls `fn` with each frame of `x` (t·hopLength onwards, zero-padded at the end) in one reused buffer. */
function forEachFrame(
  x: Float32Array,
  s: Required<FeatureOptions>,
  frames: number,
  fn: (frame: Float32Array, t: number) => void,
): void {
  const frame = new Float32Array(s.frameLength);
  for (let t = 0; t < frames; t++) {
    frame.fill(0);
    const start = t * s.hopLength;
    frame.set(x.subarray(start, Math.min(x.length, start + s.frameLength)));
    fn(frame, t);
  }
}

/** Runs meyda over every frame; `pick` turns meyda's result into a row. */
function overFrames(
  x: Float32Array,
  sampleRate: number,
  options: FeatureOptions,
  features: string[],
  size: number,
  pick: (r: Record<string, unknown>) => ArrayLike<number>,
): FeatureMatrix {
  const s = settings(sampleRate, options);
  if (x.length === 0) throw new AudioError('EMPTY_AUDIO', 'features: the signal is empty.');
  const frames = frameCountOf(x.length, s);
  const m = Meyda as unknown as Record<string, unknown> & {
    extract: (f: string[], frame: Float32Array) => Record<string, unknown>;
  };
  m.bufferSize = s.frameLength;
  m.sampleRate = sampleRate;
  m.melBands = s.melBands;
  m.numberOfMFCCCoefficients = s.mfccCoefficients;
  m.windowingFunction = 'hanning';
  const data = new Float32Array(frames * size);
  forEachFrame(x, s, frames, (frame, t) => {
    const row = pick(m.extract(features, frame));
    for (let i = 0; i < size; i++) data[t * size + i] = Number(row[i]);
  });
  return { data, frames, size, frameStep: s.hopLength / sampleRate };
}

/**
 * Log-mel spectrogram `[frames, melBands]`: ln(mel energy + 1e-10) of each frame's power spectrum, the package's one
 * log-mel (./mel.ts, also the detector's). Frames are framed and Hann-windowed as meyda's (symmetric window), so
 * the energies are those meyda's `melBands` sums (meyda itself returns ln(1 + energy), which earlier versions of this
 * function logged a second time).
 */
export function logMelSpectrogram(x: Float32Array, sampleRate: number, options: FeatureOptions = {}): FeatureMatrix {
  const s = settings(sampleRate, options);
  if (x.length === 0) throw new AudioError('EMPTY_AUDIO', 'features: the signal is empty.');
  const frames = frameCountOf(x.length, s);
  const bins = s.frameLength / 2 + 1;
  const window = symmetricHann(s.frameLength);
  const power = new Float32Array(frames * bins);
  forEachFrame(x, s, frames, (frame, t) => {
    for (let i = 0; i < frame.length; i++) frame[i] *= window[i];
    const spec = rfft(frame);
    for (let k = 0; k < bins; k++) power[t * bins + k] = spec.re[k] * spec.re[k] + spec.im[k] * spec.im[k];
  });
  const data = new Float32Array(frames * s.melBands);
  logMelInto(power, frames, bins, melFilterBank(s.melBands, sampleRate, s.frameLength).power, data);
  return { data, frames, size: s.melBands, frameStep: s.hopLength / sampleRate };
}

/** meyda's 'hanning' window: 0.5 − 0.5·cos(2πi / (n − 1)). */
function symmetricHann(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)));
}

/** MFCC, `[frames, mfccCoefficients]`. */
export function mfcc(x: Float32Array, sampleRate: number, options: FeatureOptions = {}): FeatureMatrix {
  return overFrames(x, sampleRate, options, ['mfcc'], options.mfccCoefficients ?? 13, (r) => r.mfcc as number[]);
}

/** Scalar spectral descriptors, one matrix column per name in `names` (in that order), `[frames, names.length]`. */
export function spectralDescriptors(
  x: Float32Array,
  sampleRate: number,
  names: ScalarFeature[],
  options: FeatureOptions = {},
): FeatureMatrix {
  if (names.length === 0) throw new AudioError('BAD_ARGUMENT', 'spectralDescriptors: name at least one feature.');
  return overFrames(x, sampleRate, options, names, names.length, (r) => names.map((n) => r[n] as number));
}
