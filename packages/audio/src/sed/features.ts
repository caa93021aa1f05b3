/**
 * Input features of the sound event detector, per STFT frame and mel band:
 * - every format: the log-mel energy of each channel (the package's one log-mel, ../features/mel.ts);
 * - `foa`: plus the normalised active intensity vector projected onto the mel bands (DCASE 2020 baseline);
 * - `mic4`: plus the GCC-PHAT of each of the 6 capsule pairs, its central `melBands` lags (SELDnet / DCASE 2020).
 * Layout: `[frames, melBands, channels]`, the input of the CRNN without its batch axis.
 */
import { AudioError } from '../errors';
import { stft, Spectrogram } from '../dsp/stft';
import { irfft } from '../dsp/fft';
import { logMelInto, melFilterBank, melProject } from '../features/mel';
import { SceneFormat, formatChannels } from './format';

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
  const bank = melFilterBank(M, config.sampleRate, config.nFft);
  const specs: Spectrogram[] = channels.map((x) =>
    stft(x, { winLength: config.winLength, hopLength: config.hopLength, nFft: config.nFft, window: 'hann' }),
  );
  const bins = specs[0].bins;
  const power = specs.map((s) => {
    const p = new Float32Array(s.re.length);
    for (let i = 0; i < p.length; i++) p[i] = s.re[i] * s.re[i] + s.im[i] * s.im[i];
    return p;
  });
  for (let c = 0; c < need; c++) logMelInto(power[c], frames, bins, bank.power, data, C, c);
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
        for (let m = 0; m < M; m++) data[(t * M + m) * C + 4 + d] = melProject(bank.average, iv[d], 0, m);
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
