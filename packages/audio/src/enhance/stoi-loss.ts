/**
 * An intelligibility term for training: 1 − a differentiable STOI (Taal et al. 2011) of the output against the clean
 * target, after the loss of Kolbæk et al. 2018 ("Monaural speech enhancement using deep neural networks by maximizing
 * a short-time objective intelligibility measure").
 *
 * As in STOI (../metrics/stoi.ts): envelopes in 15 one-third-octave bands from 150 Hz, segments of 30 frames, the
 * output's envelope scaled to the target's energy per band and segment and clipped at (1 + 10^(15/20)) times the
 * target's, and the mean correlation of the two over bands and segments. Unlike STOI, for speed and gradients: the
 * signals stay at their own rate (a 25 ms Hann window, hop 12.5 ms, 512 points at 16 kHz, close to STOI's 25.6 ms /
 * 12.8 ms at 10 kHz), segments start every 15 frames instead of every frame, and instead of removing silent frames a
 * segment counts only when the target's energy in it is within 40 dB of the target's loudest segment.
 *
 * SI-SNR rewards removing energy wherever that raises the ratio, and a model trained on it can gain SI-SDR while
 * losing STOI, the measure the enhancer must keep (issue 12): this term prices that loss.
 */
import { tf } from '@gatewave/core';
import { stftTensor } from '../dsp/tensor-stft';
import { makeWindow } from '../dsp/stft';
import { thirdOctaveBands } from '../metrics/stoi';
import { itemMean } from './losses';

/** Frames per segment (STOI's N). */
export const STOI_SEGMENT_FRAMES = 30;
/** STOI's clipping: the output's envelope is held to at most this multiple of the target's (β = −15 dB). */
const CLIP = 1 + 10 ** (15 / 20);
/** A segment counts when its target energy is above this share of the loudest segment's (−40 dB). */
const SILENT_SEGMENT = 1e-4;

/** The STFT of the term at a rate and its band matrix, built once per rate (kept across training steps). */
interface TermSetup {
  stft: { winLength: number; hopLength: number; nFft: number; window: Float32Array };
  bands: tf.Tensor2D;
}
const setups = new Map<number, TermSetup>();

/** A 25 ms Hann window, hop 12.5 ms, the next power of two in points; the band matrix of that transform. */
function termSetup(sampleRate: number): TermSetup {
  let setup = setups.get(sampleRate);
  if (!setup || setup.bands.isDisposed) {
    const hop = Math.round(sampleRate / 80);
    const win = 2 * hop;
    const nFft = 2 ** Math.ceil(Math.log2(win));
    const stft = { winLength: win, hopLength: hop, nFft, window: makeWindow('hann', win) };
    setup = { stft, bands: tf.keep(bandMatrix(sampleRate, nFft)) };
    setups.set(sampleRate, setup);
  }
  return setup;
}

/** `[bins, 15]`: 1 where an rfft bin of an `nfft`-point transform at `sampleRate` is in a band. */
function bandMatrix(sampleRate: number, nfft: number): tf.Tensor2D {
  const bins = nfft / 2 + 1;
  const bands = thirdOctaveBands(sampleRate, nfft);
  const m = new Float32Array(bins * bands.length);
  bands.forEach(([lo, hi], b) => {
    for (let k = lo; k < hi; k++) m[k * bands.length + b] = 1;
  });
  return tf.tensor2d(m, [bins, bands.length]);
}

/** Band envelopes `[batch, frames, 15]` of signals `[batch, samples]`. */
function bandEnvelopes(x: tf.Tensor2D, sampleRate: number): tf.Tensor3D {
  const setup = termSetup(sampleRate);
  const s = stftTensor(x, setup.stft);
  const [batch, frames, bins] = s.re.shape;
  const power = s.re
    .square()
    .add(s.im.square())
    .reshape([batch * frames, bins]) as tf.Tensor2D;
  const bands = tf.matMul(power, setup.bands);
  return bands.add(1e-10).sqrt().reshape([batch, frames, -1]) as tf.Tensor3D;
}

/** Segments `[batch, segments, 30, bands]` of envelopes, starting every 15 frames; null when there is none. */
function segments(env: tf.Tensor3D): tf.Tensor4D | null {
  const [batch, frames, bands] = env.shape;
  const parts: tf.Tensor4D[] = [];
  for (const offset of [0, STOI_SEGMENT_FRAMES / 2]) {
    const n = Math.floor((frames - offset) / STOI_SEGMENT_FRAMES);
    if (n < 1) continue;
    const part = env.slice([0, offset, 0], [batch, n * STOI_SEGMENT_FRAMES, bands]);
    parts.push(part.reshape([batch, n, STOI_SEGMENT_FRAMES, bands]));
  }
  return parts.length === 0 ? null : parts.length === 1 ? parts[0] : (tf.concat(parts, 1) as tf.Tensor4D);
}

/** 1 − the differentiable STOI of each item of `est` against `clean` (`[batch, samples]`): `[batch]`. */
export function stoiLossItems(clean: tf.Tensor2D, est: tf.Tensor2D, sampleRate: number): tf.Tensor1D {
  return tf.tidy(() => {
    const x = segments(bandEnvelopes(clean, sampleRate));
    const y = segments(bandEnvelopes(est, sampleRate));
    if (!x || !y) return tf.zeros([clean.shape[0]]) as tf.Tensor1D;
    const scaled = y.mul(x.square().sum(2, true).sqrt().div(y.square().sum(2, true).add(1e-10).sqrt()));
    const clipped = tf.minimum(scaled, x.mul(CLIP));
    const xc = x.sub(x.mean(2, true));
    const yc = clipped.sub(clipped.mean(2, true));
    const norms = xc.square().sum(2).sqrt().mul(yc.square().sum(2).add(1e-10).sqrt());
    const correlation = xc.mul(yc).sum(2).div(norms.add(1e-8)).mean(2); // [batch, segments]
    const energy = x.square().sum([2, 3]);
    const counts = energy.greater(energy.max(1, true).mul(SILENT_SEGMENT)).toFloat();
    const d = correlation.mul(counts).sum(1).div(counts.sum(1).maximum(1));
    return tf.onesLike(d).sub(d) as tf.Tensor1D;
  });
}

/** 1 − the differentiable STOI, averaged over the batch (or the items `weights` keeps). */
export function stoiLoss(
  clean: tf.Tensor2D,
  est: tf.Tensor2D,
  o: { sampleRate: number; weights?: tf.Tensor1D },
): tf.Scalar {
  return tf.tidy(() => itemMean(stoiLossItems(clean, est, o.sampleRate), o.weights));
}
