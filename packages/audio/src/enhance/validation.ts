/**
 * The fixed validation set of enhancer training, its loss, and what `resume` does when that set is not the one the
 * checkpoint was scored on.
 *
 * The validation set is drawn once per run from the validation split (its own seed), so it depends on the corpus,
 * the mixing settings and the run's seed; its loss also depends on the loss weights. A checkpoint stores a key of all
 * that (`validationKey`: a hash of the mixtures' samples and the weights). When a run resumes with another key (a
 * rebuilt or re-filtered corpus, other mixing, other weights) or from a checkpoint written before keys existed, the
 * stored best validation loss is on another scale and means nothing here, so `rebaseBest` scores the best model so far
 * (the model in `out`, when there is one) and the resumed weights on this run's set: the better one becomes the bar a
 * new best must beat (and is the model in `out`), and the plateau counters start again.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf, loadModel } from '@gatewave/core';
import type { FrcrnConfig } from './frcrn';
import { negSiSnr, targetWeights } from './losses';
import { batchLoss, toBatch, type Batch, type LossWeights } from './train-step';
import { remix, validationMix, type TrainingData } from './train-data';

export interface ValidationSet {
  batches: Batch[];
  /** Mean −SI-SNR of the noisy inputs themselves (over the items the loss counts). */
  noisyNegSiSnr: number;
  /** Mixtures whose target is near silent, left out of the loss (./losses.ts `targetWeights`). */
  skipped: number;
}

/**
 * Fixed validation batches of 2.5 s mixtures (the caller seeds the draw), and the noisy input's mean −SI-SNR. Mixed
 * by `validationMix`, without the training-only shares: a noise-free input scores about 80 dB SI-SNR against its
 * target, which would swamp the SI-SNR gain; synthetic steady noises and whispers are not what models are chosen on;
 * and this way the validation set, so the loss, is the same with and without those training options. With `withWiener`,
 * the batches hold `wiener`'s output too (for a loss with a share of it).
 */
export function validationSet(
  data: TrainingData,
  n: number,
  batchSize: number,
  rate: number,
  withWiener = false,
): ValidationSet {
  const len = Math.round(2.5 * rate);
  const source = remix(data.validation, validationMix);
  const batches = Array.from({ length: Math.ceil(n / batchSize) }, () =>
    toBatch(
      Array.from({ length: batchSize }, () => source.draw(len)),
      withWiener,
    ),
  );
  let noisyNegSiSnr = 0;
  let skipped = 0;
  for (const b of batches) {
    tf.tidy(() => {
      const weights = targetWeights(b.clean, b.noisy);
      skipped += b.clean.shape[0] - weights.sum().dataSync()[0];
      noisyNegSiSnr += negSiSnr(b.clean, b.noisy, { weights }).dataSync()[0];
    });
  }
  return { batches, noisyNegSiSnr: noisyNegSiSnr / batches.length, skipped };
}

/** Validation loss and SI-SNR gain over the noisy input, on the fixed validation batches. */
export function evaluate(
  model: tf.LayersModel,
  c: FrcrnConfig,
  val: ValidationSet,
  weights: LossWeights,
): { valLoss: number; valSiSnrGain: number } {
  let valLoss = 0;
  let valNeg = 0;
  for (const vb of val.batches) {
    const [l, n] = tf.tidy(() => {
      const r = batchLoss(model, c, vb, weights, false);
      return [r.loss.dataSync()[0], r.negSiSnr.dataSync()[0]];
    });
    valLoss += l / val.batches.length;
    valNeg += n / val.batches.length;
  }
  return { valLoss, valSiSnrGain: val.noisyNegSiSnr - valNeg };
}

/**
 * A key of the validation set and the loss: FNV-1a over the samples' float32 bits and the loss weights, in hex; the
 * SI-SNR cap and the number of near-silent targets left out are mixed in only when not 0, so a set and loss that
 * score as they did before those existed keep their key.
 */
export function validationKey(val: ValidationSet, weights: LossWeights): string {
  const h = new Fnv1a();
  for (const b of val.batches) {
    for (const t of [b.clean, b.noisy]) {
      const bits = floatBits(t.dataSync());
      h.add([bits.length]);
      h.add(bits);
    }
  }
  const extra = [weights.siSnrCapDb ?? 0, val.skipped].some((v) => v !== 0)
    ? [weights.siSnrCapDb ?? 0, val.skipped]
    : [];
  h.add(floatBits([weights.mask, weights.spectral, ...extra]));
  if (weights.limitDb !== undefined) h.add(floatBits([weights.limitDb]));
  if (weights.wienerShare) h.add(floatBits([-1, weights.wienerShare])); // -1: not a limit
  if (weights.stoi) h.add(floatBits([-2, weights.stoi])); // -2: neither a limit nor a share
  return h.hex();
}

/** The float32 bits of `x`, as unsigned 32-bit words. */
export function floatBits(x: ArrayLike<number>): Uint32Array {
  return new Uint32Array(Float32Array.from(x).buffer);
}

/** FNV-1a over 32-bit words (each mixed in whole), read out as 8 hex digits. */
export class Fnv1a {
  private h = 0x811c9dc5;

  add(words: ArrayLike<number>): this {
    for (let i = 0; i < words.length; i++) this.h = Math.imul(this.h ^ words[i], 0x01000193) >>> 0;
    return this;
  }

  hex(): string {
    return this.h.toString(16).padStart(8, '0');
  }
}

/** The resumed weights and the model saved in `out` (when there is one), scored alike; the saved one is freed after. */
export async function scoreResumedAndSaved<T>(
  model: tf.LayersModel,
  out: string,
  score: (m: tf.LayersModel) => T | Promise<T>,
): Promise<{ resumed: T; kept?: T }> {
  const resumed = await score(model);
  if (!fs.existsSync(path.join(out, 'model.json'))) return { resumed };
  const saved = await loadModel(out);
  try {
    return { resumed, kept: await score(saved) };
  } finally {
    saved.dispose();
  }
}

/** The counters of a run that `rebaseBest` resets. */
export interface BestState {
  epoch: number;
  bestVal: number;
  badEpochs: number;
  sinceHalving: number;
}

/**
 * After resuming on another validation set (see the module comment): the best validation loss recomputed on this one.
 * Returns a line for the log.
 */
export async function rebaseBest(
  model: tf.LayersModel,
  c: FrcrnConfig,
  val: ValidationSet,
  weights: LossWeights,
  state: BestState,
  out: string,
  save: (metadata: Record<string, unknown>) => Promise<void>,
): Promise<string> {
  const { resumed, kept } = await scoreResumedAndSaved(model, out, (m) => evaluate(m, c, val, weights));
  const was = state.bestVal;
  state.badEpochs = 0;
  state.sinceHalving = 0;
  const parts = [`resumed weights (epoch ${state.epoch}) ${resumed.valLoss.toFixed(3)}`];
  if (kept) parts.push(`the model in ${out} ${kept.valLoss.toFixed(3)}`);
  if (kept && kept.valLoss <= resumed.valLoss) state.bestVal = kept.valLoss;
  else {
    state.bestVal = resumed.valLoss;
    await save({ epoch: state.epoch, validationLoss: resumed.valLoss, validationSiSnrGain: resumed.valSiSnrGain });
    parts.push(`the resumed weights saved to ${out} as the best so far`);
  }
  return (
    `the validation set is not the one the checkpoint was scored on (best ${Number.isFinite(was) ? was.toFixed(3) : 'none'} there): ` +
    `best validation loss recomputed on this one: ${parts.join('; ')}; plateau counters reset`
  );
}
