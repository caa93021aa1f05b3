/**
 * Signal levels: sums of squares, RMS, and the input levels (dBFS RMS) that models are fed at (the enhancer's and the
 * detector's `inputLevel`).
 */
import { AudioError } from '../errors';

/** Sum of the squares of a signal's samples. */
export function sumOfSquares(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}

/** Root mean square of a signal (0 for an empty one). */
export function rms(x: Float32Array): number {
  return Math.sqrt(sumOfSquares(x) / Math.max(1, x.length));
}

/** The range of input levels a model may name, in dBFS RMS. */
export const INPUT_LEVEL_RANGE: [number, number] = [-80, 0];

/** Checks an input level in dBFS: a number from −80 to 0. */
export function checkInputLevel(db: number, where = 'input level'): number {
  const [lo, hi] = INPUT_LEVEL_RANGE;
  if (!Number.isFinite(db) || db < lo || db > hi) {
    throw new AudioError('BAD_ARGUMENT', `${where} must be a number of dBFS from ${lo} to ${hi}, got ${String(db)}.`);
  }
  return db;
}

/**
 * The gain that brings audio of RMS `rms` to `levelDb` dBFS; 1 for silence (nothing to scale) or a non-finite RMS.
 */
export function levelGain(rms: number, levelDb: number): number {
  return rms > 0 && Number.isFinite(rms) ? 10 ** (levelDb / 20) / rms : 1;
}

/** RMS over all of a recording's channels together. */
export function recordingRms(channels: readonly Float32Array[]): number {
  const power = channels.reduce((s, c) => s + sumOfSquares(c), 0);
  const samples = channels.reduce((n, c) => n + c.length, 0);
  return Math.sqrt(power / Math.max(1, samples));
}

/** `channels` scaled together so that their RMS over all channels is `db` dBFS (silence is left as it is). */
export function atLevel(channels: readonly Float32Array[], db: number): Float32Array[] {
  const gain = levelGain(recordingRms(channels), db);
  return channels.map((c) => c.map((v) => v * gain));
}

/** The median over recordings of their RMS over all channels, in dBFS (e.g. a detector's validation scenes). */
export function medianLevelDb(recordings: readonly (readonly Float32Array[])[]): number {
  if (recordings.length === 0) throw new AudioError('BAD_ARGUMENT', 'the median level of no recordings is undefined.');
  const levels = recordings.map((r) => 20 * Math.log10(recordingRms(r))).sort((a, b) => a - b);
  const mid = levels.length >> 1;
  return levels.length % 2 ? levels[mid] : (levels[mid - 1] + levels[mid]) / 2;
}
