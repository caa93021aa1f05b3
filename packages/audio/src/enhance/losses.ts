/**
 * Training losses for enhancement, on batches `[batch, samples]` (time domain) or `[batch, frames, bins]` spectra.
 *
 * - `negSiSnr`: −SI-SNR in dB (zero-mean), averaged over the batch. With `capDb` it is thresholded (soft-capped, as
 *   in Wisdom et al. 2020's MixIT): 10·log10(‖t‖² / (‖e − t‖² + τ‖t‖²)) with τ = 10^(−capDb/10), which tends to capDb
 *   as the error vanishes. Uncapped, an item already near perfect (a noise-free input passed through) has the steepest
 *   gradient of the batch (d/de log‖e − t‖² grows as the error shrinks) and dominates the step; capped, its gradient
 *   fades once it is within a few dB of the cap.
 * - `spectralLoss`: per resolution, spectral convergence ‖|S| − |Y|‖_F / ‖|S|‖_F plus the mean absolute difference of
 *   power-law compressed magnitudes (|·|^0.3), averaged over resolutions. SI-SNR alone rewards removing energy
 *   wherever that raises the ratio, including weak speech in low-SNR bands that carries intelligibility; a magnitude
 *   term at several time-frequency resolutions keeps those bands (Yamamoto et al. 2020's multi-resolution STFT loss,
 *   with compressed magnitudes in place of the log, which blows up in silent bins).
 * - `targetWeights`: which items of a batch count. A target near silent against its input (a crop of digital silence
 *   mixed with noise) has no SI-SNR to speak of (the ratio of nothing to something) and makes spectral convergence
 *   divide by almost zero: one such item gave a training step a loss near 10^5. Such items get weight 0 and every term
 *   is a mean over the others (all-zero weights give a zero loss: no step).
 */
import { tf } from '@gatewave/core';
import { stftTensor, type TensorSpectrogram } from '../dsp/tensor-stft';
import { makeWindow } from '../dsp/stft';

/** A target counts when its energy is above this share of its input's (−40 dB) and its RMS above 1e-5 (−100 dBFS). */
export const MIN_TARGET_ENERGY_RATIO = 1e-4;
export const MIN_TARGET_RMS = 1e-5;

/** 1 for the items whose target is not near silent (see the module comment), 0 for the others: `[batch]`. */
export function targetWeights(clean: tf.Tensor2D, noisy: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const c = clean.square().sum(1);
    const floor = noisy
      .square()
      .sum(1)
      .mul(MIN_TARGET_ENERGY_RATIO)
      .maximum(MIN_TARGET_RMS ** 2 * clean.shape[1]);
    return c.greater(floor).toFloat() as tf.Tensor1D;
  });
}

/** Mean of the per-item values `x` (`[batch]`) over the items with weight 1; 0 when there is none. */
export function itemMean(x: tf.Tensor1D, weights?: tf.Tensor1D): tf.Scalar {
  if (!weights) return x.mean() as tf.Scalar;
  return tf.tidy(() => x.mul(weights).sum().div(weights.sum().maximum(1)) as tf.Scalar);
}

/** Options of the losses: per-item weights (`targetWeights`) and the SI-SNR cap in dB (none when absent or 0). */
export interface LossOptions {
  weights?: tf.Tensor1D;
  capDb?: number;
}

/** Negative SI-SNR in dB (zero-mean) of each item, thresholded at `capDb` when given: `[batch]`. */
export function negSiSnrItems(clean: tf.Tensor2D, est: tf.Tensor2D, capDb?: number): tf.Tensor1D {
  return tf.tidy(() => {
    const s = clean.sub(clean.mean(1, true));
    const e = est.sub(est.mean(1, true));
    const a = e.mul(s).sum(1, true).div(s.square().sum(1, true).add(1e-8));
    const t = s.mul(a);
    const target = t.square().sum(1);
    let err = e.sub(t).square().sum(1);
    if (capDb) err = err.add(target.mul(10 ** (-capDb / 10)));
    const ratio = target.div(err.add(1e-8)).add(1e-8);
    return ratio.log().mul(-10 / Math.LN10) as tf.Tensor1D;
  });
}

/** Negative SI-SNR in dB (zero-mean), averaged over the batch (or the weighted items): `[batch, samples]`. */
export function negSiSnr(clean: tf.Tensor2D, est: tf.Tensor2D, o: LossOptions = {}): tf.Scalar {
  return tf.tidy(() => itemMean(negSiSnrItems(clean, est, o.capDb), o.weights));
}

function magnitude(s: TensorSpectrogram): tf.Tensor3D {
  return s.re.square().add(s.im.square()).add(1e-10).sqrt() as tf.Tensor3D;
}

/** Spectral convergence + compressed-magnitude L1 between two spectra of the same shape (weighted over items). */
export function spectralDistance(ref: TensorSpectrogram, est: TensorSpectrogram, weights?: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const r = magnitude(ref);
    const e = magnitude(est);
    const sc = e
      .sub(r)
      .square()
      .sum([1, 2])
      .sqrt()
      .div(r.square().sum([1, 2]).sqrt().add(1e-8)) as tf.Tensor1D;
    const mag = r.pow(0.3).sub(e.pow(0.3)).abs().mean([1, 2]) as tf.Tensor1D;
    return itemMean(sc.add(mag), weights);
  });
}

/** STFT resolutions [window, hop] of the multi-resolution term, besides the model's own. */
export const SPECTRAL_RESOLUTIONS: Array<[number, number]> = [
  [256, 64],
  [512, 128],
];

/**
 * Multi-resolution spectral loss of `est` against `clean` (`[batch, samples]`), at `resolutions` plus, when given,
 * the model's own spectra (`own`: the reference and estimated spectra the model already computed, saving one STFT),
 * over the items `weights` keeps (all when absent).
 */
export function spectralLoss(
  clean: tf.Tensor2D,
  est: tf.Tensor2D,
  o: {
    own?: { ref: TensorSpectrogram; est: TensorSpectrogram };
    resolutions?: Array<[number, number]>;
    weights?: tf.Tensor1D;
  } = {},
): tf.Scalar {
  return tf.tidy(() => {
    const terms: tf.Scalar[] = [];
    for (const [win, hop] of o.resolutions ?? SPECTRAL_RESOLUTIONS) {
      const opts = { winLength: win, hopLength: hop, nFft: win, window: makeWindow('hann', win) };
      terms.push(spectralDistance(stftTensor(clean, opts), stftTensor(est, opts), o.weights));
    }
    if (o.own) terms.push(spectralDistance(o.own.ref, o.own.est, o.weights));
    return tf.addN(terms).div(terms.length) as tf.Scalar;
  });
}
