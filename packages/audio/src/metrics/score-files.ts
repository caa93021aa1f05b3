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
    throw new AudioError('RATE_MISMATCH', `${estPath} is ${est.sampleRate} Hz but ${cleanPath} is ${clean.sampleRate} Hz; score files at the same rate.`);
  }
  if (clean.channels.length !== est.channels.length) {
    throw new AudioError('CHANNEL_MISMATCH', `${estPath} has ${est.channels.length} channel(s), ${cleanPath} has ${clean.channels.length}.`);
  }
  if (clean.channels[0].length !== est.channels[0].length) {
    throw new AudioError(
      'LENGTH_MISMATCH',
      `${estPath} has ${est.channels[0].length} samples per channel, ${cleanPath} has ${clean.channels[0].length}; they must be aligned and of the same length.`,
    );
  }
  let s = 0;
  let a = 0;
  let e = 0;
  clean.channels.forEach((c, i) => {
    s += siSdr(c, est.channels[i]);
    a += stoi(c, est.channels[i], clean.sampleRate);
    e += estoi(c, est.channels[i], clean.sampleRate);
  });
  const n = clean.channels.length;
  return { siSdr: s / n, stoi: a / n, estoi: e / n, sampleRate: clean.sampleRate, channels: n, seconds: clean.channels[0].length / clean.sampleRate };
}
