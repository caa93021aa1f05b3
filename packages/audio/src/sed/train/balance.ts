/** Frequency masking (SpecAugment) and class-balance weights for detector training. */
import { Rng } from '@gatewave/core';
import { AudioError } from '../../errors';
import { PreparedScene } from './scenes';

/**
 * SpecAugment's frequency masking on one excerpt of normalised features `[frames, melBands, channels]` (in place):
 * `masks` times, a run of 0 to `maxBands` adjacent mel bands at a random place is set to 0 (the training mean) in
 * every frame and channel.
 */
export function maskFrequencies(
  x: Float32Array,
  frames: number,
  melBands: number,
  channels: number,
  masks: number,
  maxBands: number,
  rng: Rng,
): void {
  for (let m = 0; m < masks; m++) {
    const width = rng.int(Math.min(maxBands, melBands) + 1);
    const f0 = rng.int(melBands - width + 1);
    for (let t = 0; t < frames; t++) x.fill(0, (t * melBands + f0) * channels, (t * melBands + f0 + width) * channels);
  }
}

/**
 * Positive-frame weights for the loss from the share of active label frames of each class in `scenes`:
 * `w_k = (a_k / ā)^(−alpha)`, where a_k is the share of (frame, class k) entries that are active and ā the geometric
 * mean of the a_k over the classes that occur; so the weights' geometric mean is 1, alpha = 0 gives all ones,
 * alpha = 1 makes every class's weighted active frames count alike, and a class that never occurs gets weight 1.
 */
export function classBalanceWeights(scenes: readonly PreparedScene[], classes: number, alpha: number): number[] {
  if (!(alpha >= 0 && Number.isFinite(alpha)))
    throw new AudioError('BAD_ARGUMENT', `class balance must be a number >= 0, got ${alpha}.`);
  // Shares and counts of active frames differ by the same factor for every class, which the ratio a_k / ā cancels.
  const active = new Float64Array(classes);
  for (const s of scenes) for (let i = 0; i < s.labelFrames * classes; i++) active[i % classes] += s.sed[i];
  const present = Array.from(active).filter((a) => a > 0);
  if (present.length === 0) return Array.from(active, () => 1);
  const logMean = present.reduce((sum, a) => sum + Math.log(a), 0) / present.length;
  return Array.from(active, (a) => (a > 0 ? Math.exp(-alpha * (Math.log(a) - logMean)) : 1));
}
