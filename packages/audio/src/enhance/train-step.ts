/**
 * One training step of the FRCRN enhancer: a batch of (clean, noisy) pairs, its loss (−SI-SNR + spectral + mask
 * terms, see ./losses.ts, and optionally an intelligibility term, ./stoi-loss.ts, over the items whose target is not
 * near silent), and global-norm gradient clipping.
 */
import { tf } from '@gatewave/core';
import { stftTensor, istftTensor } from '../dsp/tensor-stft';
import { makeWindow } from '../dsp/stft';
import type { FrcrnConfig } from './frcrn';
import { itemMean, negSiSnr, spectralLoss, targetWeights } from './losses';
import { stoiLoss } from './stoi-loss';
import type { Pair } from './train-data';
import { WienerEnhancer } from './wiener';
import { AudioError } from '../errors';

export interface Batch {
  clean: tf.Tensor2D;
  noisy: tf.Tensor2D;
  /** `wiener`'s output for each noisy input, when the loss scores a share of it (`LossWeights.wienerShare`). */
  wiener?: tf.Tensor2D;
}

/** Pairs of one length as a batch; `withWiener`: with the `wiener` baseline's output of each input too. */
export function toBatch(pairs: Pair[], withWiener = false): Batch {
  const n = pairs.length;
  const len = pairs[0].clean.length;
  const stack = (part: (p: Pair) => Float32Array): tf.Tensor2D => {
    const out = new Float32Array(n * len);
    pairs.forEach((p, b) => out.set(part(p), b * len));
    return tf.tensor2d(out, [n, len]);
  };
  const batch: Batch = { clean: stack((p) => p.clean), noisy: stack((p) => p.noisy) };
  if (withWiener) {
    const wiener = new WienerEnhancer();
    batch.wiener = stack((p) => wiener.enhanceSync(p.noisy));
  }
  return batch;
}

/** Every tensor of a batch. */
export function batchTensors(b: Batch): tf.Tensor[] {
  return b.wiener ? [b.clean, b.noisy, b.wiener] : [b.clean, b.noisy];
}

export interface LossWeights {
  mask: number;
  spectral: number;
  /** Threshold of the SI-SNR term in dB (./losses.ts); absent or 0: none. */
  siSnrCapDb?: number;
  /**
   * Score the output mixed with the input at this attenuation limit in dB (./atten-lim.ts), the output a model with
   * that limit ships; absent: the network's output as it is.
   */
  limitDb?: number;
  /**
   * Score `(1 − share) · output + share · wiener` (the batch's `wiener`), before any limit: the output a model with
   * that share of `wiener` ships (./wiener-share.ts); absent: the network's output alone.
   */
  wienerShare?: number;
  /** Weight of the intelligibility term, 1 − a differentiable STOI of the scored output (./stoi-loss.ts); absent: none. */
  stoi?: number;
}

/** `(1 − share) · a + share · b` of two complex spectra. */
function blendSpectra(
  a: { re: tf.Tensor3D; im: tf.Tensor3D },
  b: { re: tf.Tensor3D; im: tf.Tensor3D },
  share: number,
): { re: tf.Tensor3D; im: tf.Tensor3D } {
  return { re: a.re.mul(1 - share).add(b.re.mul(share)), im: a.im.mul(1 - share).add(b.im.mul(share)) };
}

/**
 * Loss of `model` on one batch, and its −SI-SNR part uncapped (for the log's SI-SNR gain), both over the items whose
 * target is not near silent (inside the caller's tidy / variableGrads).
 */
export function batchLoss(
  model: tf.LayersModel,
  c: FrcrnConfig,
  b: Batch,
  w: LossWeights,
  training: boolean,
): { loss: tf.Scalar; negSiSnr: tf.Scalar } {
  const opts = {
    winLength: c.winLength,
    hopLength: c.hopLength,
    nFft: c.nFft,
    window: makeWindow('sqrt-hann', c.winLength),
  };
  const X = stftTensor(b.noisy, opts); // [batch, time, F]
  const S = stftTensor(b.clean, opts);
  const input = tf.stack([X.re, X.im], 3) as tf.Tensor4D; // [batch, time, F, 2]
  const mask = model.apply(input, { training }) as tf.Tensor4D; // [batch, time, F, 2]
  const [mr, mi] = tf.unstack(mask, 3) as tf.Tensor3D[];
  let est = { re: mr.mul(X.re).sub(mi.mul(X.im)) as tf.Tensor3D, im: mr.mul(X.im).add(mi.mul(X.re)) as tf.Tensor3D };
  // What ships, mixed on the spectra (the STFT is linear): (1 − s) · output + s · wiener, then (1 − g) · that + g · input
  if (w.wienerShare) {
    if (!b.wiener)
      throw new AudioError('BAD_ARGUMENT', "a loss with a share of wiener needs the batch's wiener output.");
    est = blendSpectra(est, stftTensor(b.wiener, opts), w.wienerShare);
  }
  if (w.limitDb !== undefined) est = blendSpectra(est, X, 10 ** (-w.limitDb / 20));
  const y = istftTensor(est, b.clean.shape[1], opts);
  const weights = targetWeights(b.clean, b.noisy);
  const sisnr = negSiSnr(b.clean, y, { weights });
  let loss: tf.Tensor = w.siSnrCapDb ? negSiSnr(b.clean, y, { weights, capDb: w.siSnrCapDb }) : sisnr;
  if (w.spectral > 0) loss = loss.add(spectralLoss(b.clean, y, { own: { ref: S, est }, weights }).mul(w.spectral));
  if (w.stoi) loss = loss.add(stoiLoss(b.clean, y, { sampleRate: c.sampleRate, weights }).mul(w.stoi));
  if (w.mask > 0) {
    // target cIRM = S X* / |X|², each part clipped to the mask's range
    const den = X.re.square().add(X.im.square()).add(1e-8);
    const tr = S.re.mul(X.re).add(S.im.mul(X.im)).div(den).clipByValue(-1, 1);
    const ti = S.im.mul(X.re).sub(S.re.mul(X.im)).div(den).clipByValue(-1, 1);
    const mse = mr
      .sub(tr)
      .square()
      .mean([1, 2])
      .add(mi.sub(ti).square().mean([1, 2]))
      .div(2) as tf.Tensor1D;
    loss = loss.add(itemMean(mse, weights).mul(w.mask));
  }
  return { loss: loss as tf.Scalar, negSiSnr: sisnr };
}

/** The global L2 norm of the gradients (NaN or Infinity when any of them is). */
export function gradientNorm(grads: tf.NamedTensorMap): number {
  return tf.tidy(() =>
    Math.sqrt(Object.values(grads).reduce((s, g) => s + (g.square().sum().dataSync()[0] as number), 0)),
  );
}

/** The gradients scaled down to global norm `maxNorm` when their norm (given, or computed) is above it. */
export function clipByGlobalNorm(
  grads: tf.NamedTensorMap,
  maxNorm: number,
  norm: number = gradientNorm(grads),
): tf.NamedTensorMap {
  return tf.tidy(() => {
    if (!(norm > maxNorm)) return grads;
    const f = maxNorm / norm;
    const out: tf.NamedTensorMap = {};
    for (const [k, g] of Object.entries(grads)) out[k] = g.mul(f);
    return out;
  });
}

/**
 * One optimiser step on `batch`, unless its loss or gradient norm is not finite: then nothing is applied (the weights,
 * BatchNorm statistics and Adam moments stay as they were) and null is returned. One odd batch (a mixture the loss cannot score) costs a
 * step, not the run; weights that have really diverged give a non-finite loss on every batch, which
 * `NonFiniteSteps` turns into an error.
 */
export async function trainStep(
  model: tf.LayersModel,
  opt: tf.Optimizer,
  c: FrcrnConfig,
  batch: Batch,
  weights: LossWeights,
  clipNorm: number,
): Promise<number | null> {
  // The forward pass in training mode moves the BatchNorm statistics: kept, to be put back if the step is skipped.
  const stats = model.weights.filter((w) => !w.trainable);
  const kept = stats.map((w) => w.read().clone());
  const { value, grads } = tf.variableGrads(() => batchLoss(model, c, batch, weights, true).loss);
  const loss = (await value.data())[0];
  value.dispose();
  const norm = gradientNorm(grads);
  const finite = Number.isFinite(loss) && Number.isFinite(norm);
  if (!finite) {
    stats.forEach((w, i) => w.write(kept[i]));
    tf.dispose([...kept, ...Object.values(grads)]);
    return null;
  }
  tf.dispose(kept);
  const clipped = clipByGlobalNorm(grads, clipNorm, norm);
  opt.applyGradients(Object.entries(clipped).map(([name, tensor]) => ({ name, tensor })));
  tf.dispose(Object.values(grads));
  tf.dispose(Object.values(clipped));
  return loss;
}

/** Counts skipped steps; `limit` of them in a row is divergence, an error. */
export class NonFiniteSteps {
  total = 0;
  private inRow = 0;

  constructor(readonly limit: number) {}

  /** Records a step's loss (null: skipped); throws on the `limit`-th skipped step in a row. */
  record(loss: number | null, where: string): void {
    if (loss !== null) {
      this.inRow = 0;
      return;
    }
    this.total += 1;
    this.inRow += 1;
    if (this.inRow >= this.limit)
      throw new AudioError(
        'TRAINING_DIVERGED',
        `the loss or its gradient was not finite at ${this.limit} steps in a row (the last at ${where}); lower --learning-rate, or --resume from the last checkpoint.`,
      );
  }
}
