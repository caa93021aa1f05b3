/** Scoring an estimate file against its clean reference: SI-SDR, STOI and ESTOI, averaged over channels. */
import { AudioError } from '../errors';
import { readWav } from '../io/wav';
import { siSdr } from './sisdr';
import { stoi, estoi } from './stoi';

export interface FileScores {
  /** SI-SDR in dB. */
  siSdr: number;
  stoi: number;
  estoi: number;
  sampleRate: number;
  channels: number;
  seconds: number;
}

/** Scores an estimate against the clean reference: SI-SDR (dB), STOI and ESTOI, averaged over channels. */
export function scoreFiles(cleanPath: string, estPath: string): FileScores {
  const clean = readWav(cleanPath);
  const est = readWav(estPath);
  if (clean.sampleRate !== est.sampleRate) {
    throw new AudioError(
      'RATE_MISMATCH',
      `${estPath} is ${est.sampleRate} Hz but ${cleanPath} is ${clean.sampleRate} Hz; score files at the same rate.`,
    );
  }
  if (clean.channels.length !== est.channels.length) {
    throw new AudioError(
      'CHANNEL_MISMATCH',
      `${estPath} has ${est.channels.length} channel(s), ${cleanPath} has ${clean.channels.length}.`,
    );
  }
  if (clean.channels[0].length !== est.channels[0].length) {
    throw new AudioError(
      'LENGTH_MISMATCH',
      `${estPath} has ${est.channels[0].length} samples per channel, ${cleanPath} has ${clean.channels[0].length}; they must be aligned and of the same length.`,
    );
  }
  checkReference(cleanPath, clean.channels, clean.sampleRate);
  let s = 0;
  let a = 0;
  let e = 0;
  clean.channels.forEach((c, i) => {
    s += siSdr(c, est.channels[i]);
    a += stoi(c, est.channels[i], clean.sampleRate);
    e += estoi(c, est.channels[i], clean.sampleRate);
  });
  const n = clean.channels.length;
  return {
    siSdr: s / n,
    stoi: a / n,
    estoi: e / n,
    sampleRate: clean.sampleRate,
    channels: n,
    seconds: clean.channels[0].length / clean.sampleRate,
  };
}

/** Shortest reference that STOI can score (it compares 384 ms segments of speech after dropping silent frames). */
export const MIN_REFERENCE_SECONDS = 1;
/** A reference channel quieter than this (RMS, full scale = 1; -100 dBFS) is silence: there is nothing to score against. */
export const SILENT_RMS = 1e-5;

/** Throws an AudioError when the reference is too short or silent: the scores would be meaningless, not merely low. */
export function checkReference(file: string, channels: Float32Array[], sampleRate: number): void {
  const seconds = channels[0].length / sampleRate;
  if (seconds < MIN_REFERENCE_SECONDS) {
    throw new AudioError(
      'TOO_SHORT',
      `${file} is ${seconds.toFixed(3)} s long; STOI needs at least ${MIN_REFERENCE_SECONDS} s of reference speech to mean anything. Score longer recordings.`,
    );
  }
  channels.forEach((c, i) => {
    let sum = 0;
    for (let k = 0; k < c.length; k++) sum += c[k] * c[k];
    const rms = Math.sqrt(sum / c.length);
    if (!(rms >= SILENT_RMS)) {
      throw new AudioError(
        'SILENT_REFERENCE',
        `${file}${channels.length > 1 ? ` (channel ${i + 1})` : ''} is silent (RMS ${rms.toExponential(1)}, below -100 dBFS); SI-SDR and STOI need a reference with speech in it. Check that --clean is the clean recording.`,
      );
    }
  });
}
