/**
 * Training losses for enhancement, on batches `[batch, samples]` (time domain) or `[batch, frames, bins]` spectra.
 *
 * - `negSiSnr`: −SI-SNR in dB (zero-mean), averaged over the batch.
 * - `spectralLoss`: per resolution, spectral convergence ‖|S| − |Y|‖_F / ‖|S|‖_F plus the mean absolute difference of
 *   power-law compressed magnitudes (|·|^0.3), averaged over resolutions. SI-SNR alone rewards removing energy
 *   wherever that raises the ratio, including weak speech in low-SNR bands that carries intelligibility; a magnitude
 *   term at several time-frequency resolutions keeps those bands (Yamamoto et al. 2020's multi-resolution STFT loss,
 *   with compressed magnitudes in place of the log, which blows up in silent bins).
 */
import { tf } from '@gatewave/core';
import { stftTensor, type TensorSpectrogram } from '../dsp/tensor-stft';
import { makeWindow } from '../dsp/stft';

/** Negative SI-SNR in dB (zero-mean), averaged over the batch: `[batch, samples]`. */
export function negSiSnr(clean: tf.Tensor2D, est: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const s = clean.sub(clean.mean(1, true));
    const e = est.sub(est.mean(1, true));
    const a = e.mul(s).sum(1, true).div(s.square().sum(1, true).add(1e-8));
    const t = s.mul(a);
    const ratio = t.square().sum(1).div(e.sub(t).square().sum(1).add(1e-8)).add(1e-8);
    return ratio
      .log()
      .mul(-10 / Math.LN10)
      .mean() as tf.Scalar;
  });
}

function magnitude(s: TensorSpectrogram): tf.Tensor3D {
  return s.re.square().add(s.im.square()).add(1e-10).sqrt() as tf.Tensor3D;
}

/** Spectral convergence + compressed-magnitude L1 between two spectra of the same shape. */
export function spectralDistance(ref: TensorSpectrogram, est: TensorSpectrogram): tf.Scalar {
  return tf.tidy(() => {
    const r = magnitude(ref);
    const e = magnitude(est);
    const sc = e
      .sub(r)
      .square()
      .sum([1, 2])
      .sqrt()
      .div(r.square().sum([1, 2]).sqrt().add(1e-8))
      .mean();
    const mag = r.pow(0.3).sub(e.pow(0.3)).abs().mean();
    return sc.add(mag) as tf.Scalar;
  });
}

/** STFT resolutions [window, hop] of the multi-resolution term, besides the model's own. */
export const SPECTRAL_RESOLUTIONS: Array<[number, number]> = [
  [256, 64],
  [512, 128],
];

/**
 * Multi-resolution spectral loss of `est` against `clean` (`[batch, samples]`), at `resolutions` plus, when given,
 * the model's own spectra (`own`: the reference and estimated spectra the model already computed, saving one STFT).
 */
export function spectralLoss(
  clean: tf.Tensor2D,
  est: tf.Tensor2D,
  own?: { ref: TensorSpectrogram; est: TensorSpectrogram },
  resolutions: Array<[number, number]> = SPECTRAL_RESOLUTIONS,
): tf.Scalar {
  return tf.tidy(() => {
    const terms: tf.Scalar[] = [];
    for (const [win, hop] of resolutions) {
      const opts = { winLength: win, hopLength: hop, nFft: win, window: makeWindow('hann', win) };
      terms.push(spectralDistance(stftTensor(clean, opts), stftTensor(est, opts)));
    }
    if (own) terms.push(spectralDistance(own.ref, own.est));
    return tf.addN(terms).div(terms.length) as tf.Scalar;
  });
}
