/**
 * Input features of the sound event detector, per STFT frame and mel band:
 * - every format: the log-mel energy of each channel (mel filter bank from meyda);
 * - `foa`: plus the normalised active intensity vector projected onto the mel bands (DCASE 2020 baseline);
 * - `mic4`: plus the GCC-PHAT of each of the 6 capsule pairs, its central `melBands` lags (SELDnet / DCASE 2020).
 * Layout: `[frames, melBands, channels]`, the input of the CRNN without its batch axis.
 */
import { AudioError } from '../errors';
import { stft, Spectrogram } from '../dsp/stft';
import { irfft } from '../dsp/fft';
import { SceneFormat, formatChannels } from './format';

// meyda's triangular mel filter bank (its `melBands` feature uses the same bank, but takes log(1 + energy), which
// flattens quiet scenes; we take the bank and log the energies ourselves).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createMelFilterBank } = require('meyda/dist/node/utilities') as {
  createMelFilterBank(numFilters: number, sampleRate: number, bufferSize: number): number[][];
};

export interface SedFeatureConfig {
  format: SceneFormat;
  sampleRate: number;
  /** STFT window (samples). */
  winLength: number;
  /** STFT hop (samples); the feature frame rate is sampleRate / hopLength. */
  hopLength: number;
  nFft: number;
  melBands: number;
}

/** DCASE 2020 baseline settings: 24 kHz, 40 ms Hann window, 20 ms hop, 1024-point FFT, 64 mel bands. */
export const DEFAULT_FEATURES: Omit<SedFeatureConfig, 'format'> = {
  sampleRate: 24000,
  winLength: 960,
  hopLength: 480,
  nFft: 1024,
  melBands: 64,
};

/** Feature channels per format: 4 log-mel + 3 intensity (foa), 4 log-mel + 6 GCC-PHAT (mic4), 1 log-mel (mono). */
export function featureChannels(format: SceneFormat): number {
  return format === 'foa' ? 7 : format === 'mic4' ? 10 : 1;
}

/** Features of one recording. */
export interface SedFeatures {
  data: Float32Array;
  frames: number;
  melBands: number;
  channels: number;
}

interface SparseBank {
  start: number[];
  weights: Float32Array[];
}

const banks = new Map<string, { power: SparseBank; average: SparseBank }>();

/**
 * The mel filter bank (meyda's triangular filters over 0 … sampleRate/2) in sparse form: `power` as meyda builds it
 * (for log-mel energies) and `average` with each filter scaled to sum to 1 (for the intensity vectors, so they stay
 * a weighted mean of per-bin directions).
 */
function melBank(config: SedFeatureConfig) {
  const key = `${config.melBands}/${config.sampleRate}/${config.nFft}`;
  let bank = banks.get(key);
  if (!bank) {
    const dense = createMelFilterBank(config.melBands, config.sampleRate, config.nFft);
    const power: SparseBank = { start: [], weights: [] };
    const average: SparseBank = { start: [], weights: [] };
    for (const row of dense) {
      let a = row.findIndex((v) => v > 0);
      if (a < 0) a = 0;
      let b = row.length;
      while (b > a + 1 && !(row[b - 1] > 0)) b--;
      const w = Float32Array.from(row.slice(a, b));
      const sum = w.reduce((s, v) => s + v, 0) || 1;
      power.start.push(a);
      power.weights.push(w);
      average.start.push(a);
      average.weights.push(w.map((v) => v / sum));
    }
    bank = { power, average };
    banks.set(key, bank);
  }
  return bank;
}

function project(bank: SparseBank, values: Float32Array, offset: number, m: number): number {
  const w = bank.weights[m];
  const a = offset + bank.start[m];
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i] * values[a + i];
  return s;
}

/** Number of feature frames for `samples` samples: one per full hop. */
export function featureFrames(samples: number, hopLength: number): number {
  return Math.floor(samples / hopLength);
}

const EPS = 1e-10;

/**
 * Features of a recording whose rate and channel count already match `config` (see `prepareAudio`). Frame t is
 * centred on sample t·hopLength when winLength = 2·hopLength.
 */
export function extractFeatures(channels: readonly Float32Array[], config: SedFeatureConfig): SedFeatures {
  const need = formatChannels(config.format);
  if (channels.length !== need) {
    throw new AudioError('BAD_CHANNELS', `${config.format} features need ${need} channel(s), got ${channels.length}.`);
  }
  const frames = featureFrames(channels[0].length, config.hopLength);
  const M = config.melBands;
  const C = featureChannels(config.format);
  const data = new Float32Array(frames * M * C);
  const bank = melBank(config);
  const specs: Spectrogram[] = channels.map((x) =>
    stft(x, { winLength: config.winLength, hopLength: config.hopLength, nFft: config.nFft, window: 'hann' }),
  );
  const bins = specs[0].bins;
  const power = specs.map((s) => {
    const p = new Float32Array(s.re.length);
    for (let i = 0; i < p.length; i++) p[i] = s.re[i] * s.re[i] + s.im[i] * s.im[i];
    return p;
  });
  // log-mel per channel
  for (let t = 0; t < frames; t++) {
    for (let c = 0; c < need; c++) {
      for (let m = 0; m < M; m++) {
        data[(t * M + m) * C + c] = Math.log(project(bank.power, power[c], t * bins, m) + EPS);
      }
    }
  }
  if (config.format === 'foa') {
    // I = Re(W* · [X, Y, Z]) / ((|W|² + |X|² + |Y|² + |Z|²) / 2); ACN order W, Y, Z, X. A plane wave gives its unit
    // direction vector.
    const [W, Y, Z, X] = specs;
    const iv = [new Float32Array(bins), new Float32Array(bins), new Float32Array(bins)];
    for (let t = 0; t < frames; t++) {
      const o = t * bins;
      for (let k = 0; k < bins; k++) {
        const i = o + k;
        const norm = EPS + (power[0][i] + power[1][i] + power[2][i] + power[3][i]) / 2;
        iv[0][k] = (W.re[i] * X.re[i] + W.im[i] * X.im[i]) / norm;
        iv[1][k] = (W.re[i] * Y.re[i] + W.im[i] * Y.im[i]) / norm;
        iv[2][k] = (W.re[i] * Z.re[i] + W.im[i] * Z.im[i]) / norm;
      }
      for (let d = 0; d < 3; d++) {
        for (let m = 0; m < M; m++) data[(t * M + m) * C + 4 + d] = project(bank.average, iv[d], 0, m);
      }
    }
  } else if (config.format === 'mic4') {
    const n = config.nFft;
    const re = new Float64Array(bins);
    const im = new Float64Array(bins);
    for (let t = 0; t < frames; t++) {
      const o = t * bins;
      let pair = 0;
      for (let a = 0; a < 4; a++) {
        for (let b = a + 1; b < 4; b++, pair++) {
          for (let k = 0; k < bins; k++) {
            const i = o + k;
            const r = specs[a].re[i] * specs[b].re[i] + specs[a].im[i] * specs[b].im[i];
            const q = specs[a].im[i] * specs[b].re[i] - specs[a].re[i] * specs[b].im[i];
            const mag = Math.hypot(r, q) + EPS;
            re[k] = r / mag;
            im[k] = q / mag;
          }
          const cc = irfft({ re, im }, n);
          for (let m = 0; m < M; m++) {
            const lag = m - M / 2;
            data[(t * M + m) * C + 4 + pair] = cc[(lag + n) % n];
          }
        }
      }
    }
  }
  return { data, frames, melBands: M, channels: C };
}
