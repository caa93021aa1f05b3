/**
 * Batched, differentiable STFT / iSTFT on tfjs tensors, for training. Same framing and normalisation as `stft` /
 * `istft` in ./stft.ts (front padding winLength − hopLength, weighted overlap-add), so a model trained with these
 * tensors runs unchanged on the float64 path. The DFT is a matrix product with a precomputed basis (any nFft, and
 * gradients everywhere); winLength must be a multiple of hopLength.
 */
import { tf } from '@gatewave/core';
import { AudioError } from '../errors';
import { frameCount, stftGeometry, windowEnvelope, type StftGeometry, type StftOptions } from './stft';

export interface TensorSpectrogram {
  /** [batch, frames, bins] */
  re: tf.Tensor3D;
  /** [batch, frames, bins] */
  im: tf.Tensor3D;
}

/** Basis matrices and window, built once per geometry and kept (not disposed by tidy). */
interface Bases {
  g: StftGeometry;
  bins: number;
  /** [winLength, bins]: window[t] cos(2π k t / nFft) */
  fwdRe: tf.Tensor2D;
  /** [winLength, bins]: −window[t] sin(2π k t / nFft) */
  fwdIm: tf.Tensor2D;
  /** [bins, winLength]: inverse real-DFT weights times the synthesis window */
  invRe: tf.Tensor2D;
  invIm: tf.Tensor2D;
}

const cache = new Map<string, Bases>();

function bases(options: StftOptions): Bases {
  const g = stftGeometry(options);
  if (g.winLength % g.hopLength !== 0) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `stftTensor: winLength (${g.winLength}) must be a multiple of hopLength (${g.hopLength}).`,
    );
  }
  const key = `${g.winLength}/${g.hopLength}/${g.nFft}/${Array.from(g.window.subarray(0, 8)).join(',')}/${g.window.reduce((a, b) => a + b, 0)}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const { winLength: W, nFft: n, window: w } = g;
  const bins = Math.floor(n / 2) + 1;
  const fr = new Float32Array(W * bins);
  const fi = new Float32Array(W * bins);
  const ir = new Float32Array(bins * W);
  const ii = new Float32Array(bins * W);
  for (let t = 0; t < W; t++) {
    for (let k = 0; k < bins; k++) {
      const a = (2 * Math.PI * ((k * t) % n)) / n;
      fr[t * bins + k] = w[t] * Math.cos(a);
      fi[t * bins + k] = -w[t] * Math.sin(a);
      // x[t] = (1/n) Σ_k c_k (Re X_k cos a − Im X_k sin a), c_k = 1 at DC and Nyquist, else 2
      const c = k === 0 || (n % 2 === 0 && k === n / 2) ? 1 : 2;
      ir[k * W + t] = (w[t] * c * Math.cos(a)) / n;
      ii[k * W + t] = k === 0 || (n % 2 === 0 && k === n / 2) ? 0 : (-w[t] * c * Math.sin(a)) / n;
    }
  }
  const b: Bases = {
    g,
    bins,
    fwdRe: tf.keep(tf.tensor2d(fr, [W, bins])),
    fwdIm: tf.keep(tf.tensor2d(fi, [W, bins])),
    invRe: tf.keep(tf.tensor2d(ir, [bins, W])),
    invIm: tf.keep(tf.tensor2d(ii, [bins, W])),
  };
  cache.set(key, b);
  return b;
}

/** Complex STFT of a batch of signals `x: [batch, samples]` -> re, im `[batch, frames, bins]`. */
export function stftTensor(x: tf.Tensor2D, options: StftOptions): TensorSpectrogram {
  const b = bases(options);
  const { winLength: W, hopLength: H, padStart } = b.g;
  return tf.tidy(() => {
    const [batch, n] = x.shape;
    const frames = frameCount(n, W, H);
    const k = W / H;
    const padded = (frames - 1 + k) * H;
    const xp = tf.pad(x, [
      [0, 0],
      [padStart, padded - padStart - n],
    ]);
    const blocks = xp.reshape([batch, frames - 1 + k, H]);
    // frame t = blocks t .. t+k−1 laid end to end: [batch, frames, W]
    const parts = Array.from({ length: k }, (_, j) => blocks.slice([0, j, 0], [batch, frames, H]));
    const framed = (k === 1 ? parts[0] : tf.concat(parts, 2)).reshape([batch * frames, W]) as tf.Tensor2D;
    const re = tf.matMul(framed, b.fwdRe).reshape([batch, frames, b.bins]) as tf.Tensor3D;
    const im = tf.matMul(framed, b.fwdIm).reshape([batch, frames, b.bins]) as tf.Tensor3D;
    return { re, im };
  });
}

/** Inverse of `stftTensor`: re, im `[batch, frames, bins]` -> `[batch, length]`. */
export function istftTensor(spec: TensorSpectrogram, length: number, options: StftOptions): tf.Tensor2D {
  const b = bases(options);
  const { winLength: W, hopLength: H, padStart } = b.g;
  const [batch, frames, bins] = spec.re.shape;
  if (bins !== b.bins)
    throw new AudioError('BAD_ARGUMENT', `istftTensor: ${bins} bins, nFft ${b.g.nFft} needs ${b.bins}.`);
  const env = windowEnvelope(b.g, frames, Math.min(length, (frames - 1) * H + W - padStart));
  const inv = new Float32Array(env.length);
  for (let i = 0; i < env.length; i++) inv[i] = env[i] > 1e-10 ? 1 / env[i] : 0;
  return tf.tidy(() => {
    const k = W / H;
    const re2 = spec.re.reshape([batch * frames, bins]) as tf.Tensor2D;
    const im2 = spec.im.reshape([batch * frames, bins]) as tf.Tensor2D;
    const framed = tf.matMul(re2, b.invRe).add(tf.matMul(im2, b.invIm)).reshape([batch, frames, k, H]);
    // overlap-add: part j of frame t lands on block t + j
    let acc: tf.Tensor | null = null;
    for (let j = 0; j < k; j++) {
      const part = framed.slice([0, 0, j, 0], [batch, frames, 1, H]).reshape([batch, frames, H]);
      const shifted = tf.pad(part, [
        [0, 0],
        [j, k - 1 - j],
        [0, 0],
      ]);
      acc = acc === null ? shifted : acc.add(shifted);
    }
    const total = frames - 1 + k;
    const y = (acc as tf.Tensor).reshape([batch, total * H]).mul(tf.tensor1d(inv));
    const avail = total * H - padStart;
    const take = Math.min(length, avail);
    let out = y.slice([0, padStart], [batch, take]);
    if (take < length)
      out = tf.pad(out, [
        [0, 0],
        [0, length - take],
      ]);
    return out as tf.Tensor2D;
  });
}
