/**
 * Classical single-channel speech enhancement, the baseline every model result is compared with.
 *
 * Analysis: STFT at 16 kHz, 512-sample (32 ms) square-root Hann frames, hop 256.
 * Noise tracker: speech-presence-probability noise power estimation (Gerkmann & Hendriks, "Unbiased MMSE-based
 *   noise power estimation with low complexity and low tracking delay", 2012): a posteriori speech presence
 *   P = 1 / (1 + (1 + ξH1) exp(−|Y|²/σ²N · ξH1 / (1 + ξH1))) with ξH1 = 15 dB and equal priors, stagnation guard,
 *   then σ²N ← 0.8 σ²N + 0.2 ((1 − P)|Y|² + P σ²N). Initialised from the first 6 frames.
 * A priori SNR: decision-directed (Ephraim & Malah 1984), ξ = α |Ŝ(t−1)|²/σ²N + (1 − α) max(γ − 1, 0), α = 0.98,
 *   floored at ξmin = −20 dB.
 * Gain: `mmse-stsa` (default; Ephraim-Malah short-time spectral amplitude estimator) or `wiener` (ξ / (1 + ξ)),
 *   floored at `minGainDb` (−20 dB) to keep some natural background and limit musical noise.
 */
import { istft, stft, makeWindow } from '../dsp/stft';
import type { Enhancer } from './enhancer';

export interface WienerOptions {
  gain?: 'mmse-stsa' | 'wiener';
  /** Decision-directed smoothing α. */
  alpha?: number;
  /** Lowest gain in dB. */
  minGainDb?: number;
  /** Floor of the a priori SNR in dB. */
  minPriorSnrDb?: number;
}

/** exp(−x) I0(x), Abramowitz & Stegun 9.8.1 / 9.8.2. */
function i0e(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3.75) {
    const y = (x / 3.75) ** 2;
    const i0 =
      1 + y * (3.5156229 + y * (3.0899424 + y * (1.2067492 + y * (0.2659732 + y * (0.0360768 + y * 0.0045813)))));
    return i0 * Math.exp(-ax);
  }
  const y = 3.75 / ax;
  return (
    (0.39894228 +
      y *
        (0.01328592 +
          y *
            (0.00225319 +
              y *
                (-0.00157565 +
                  y * (0.00916281 + y * (-0.02057706 + y * (0.02635537 + y * (-0.01647633 + y * 0.00392377)))))))) /
    Math.sqrt(ax)
  );
}

/** exp(−x) I1(x), Abramowitz & Stegun 9.8.3 / 9.8.4. */
function i1e(x: number): number {
  const ax = Math.abs(x);
  let r: number;
  if (ax < 3.75) {
    const y = (x / 3.75) ** 2;
    r =
      ax *
      (0.5 +
        y * (0.87890594 + y * (0.51498869 + y * (0.15084934 + y * (0.02658733 + y * (0.00301532 + y * 0.00032411)))))) *
      Math.exp(-ax);
  } else {
    const y = 3.75 / ax;
    r =
      (0.39894228 +
        y *
          (-0.03988024 +
            y *
              (-0.00362018 +
                y *
                  (0.00163801 +
                    y * (-0.01031555 + y * (0.02282967 + y * (-0.02895312 + y * (0.01787654 - y * 0.00420059)))))))) /
      Math.sqrt(ax);
  }
  return x < 0 ? -r : r;
}

/** Ephraim-Malah MMSE-STSA gain for a priori SNR ξ and a posteriori SNR γ. */
export function mmseStsaGain(xi: number, gamma: number): number {
  const v = (xi * gamma) / (1 + xi);
  if (v > 500) return xi / (1 + xi); // the gain tends to the Wiener gain for large v
  const g = (((Math.sqrt(Math.PI) / 2) * Math.sqrt(v)) / gamma) * ((1 + v) * i0e(v / 2) + v * i1e(v / 2));
  return Number.isFinite(g) ? g : xi / (1 + xi);
}

/** The `wiener` baseline: decision-directed MMSE-STSA (or Wiener) gain with an SPP noise tracker. */
export class WienerEnhancer implements Enhancer {
  readonly name = 'wiener';
  readonly sampleRate = 16000;
  /** Seconds of audio on each side of a chunk that the noise tracker needs to settle. */
  readonly contextSeconds = 2;
  private readonly options: Required<WienerOptions>;

  constructor(options: WienerOptions = {}) {
    this.options = {
      gain: options.gain ?? 'mmse-stsa',
      alpha: options.alpha ?? 0.98,
      minGainDb: options.minGainDb ?? -20,
      minPriorSnrDb: options.minPriorSnrDb ?? -20,
    };
  }

  async enhance(x: Float32Array): Promise<Float32Array> {
    return this.enhanceSync(x);
  }

  /** Enhances mono audio at 16 kHz; returns the same number of samples. */
  enhanceSync(x: Float32Array): Float32Array {
    const winLength = 512;
    const spec = stft(x, { winLength, hopLength: 256, window: makeWindow('sqrt-hann', winLength) });
    const { frames, bins } = spec;
    const { alpha } = this.options;
    const gMin = 10 ** (this.options.minGainDb / 20);
    const xiMin = 10 ** (this.options.minPriorSnrDb / 10);
    const xiH1 = 10 ** (15 / 10);
    const noise = new Float64Array(bins);
    const prevS2 = new Float64Array(bins);
    const pBar = new Float64Array(bins).fill(0.5);
    const init = Math.min(6, frames);
    for (let t = 0; t < init; t++) {
      for (let k = 0; k < bins; k++) noise[k] += (spec.re[t * bins + k] ** 2 + spec.im[t * bins + k] ** 2) / init;
    }
    for (let k = 0; k < bins; k++) noise[k] = Math.max(noise[k], 1e-12);
    for (let t = 0; t < frames; t++) {
      for (let k = 0; k < bins; k++) {
        const i = t * bins + k;
        const y2 = spec.re[i] ** 2 + spec.im[i] ** 2;
        // noise tracking (before the gain, as in the paper)
        let p = 1 / (1 + (1 + xiH1) * Math.exp(-(y2 / noise[k]) * (xiH1 / (1 + xiH1))));
        pBar[k] = 0.9 * pBar[k] + 0.1 * p;
        if (pBar[k] > 0.99) p = Math.min(p, 0.99);
        noise[k] = Math.max(1e-12, 0.8 * noise[k] + 0.2 * ((1 - p) * y2 + p * noise[k]));
        // decision-directed a priori SNR and the gain
        const gamma = Math.max(y2 / noise[k], 1e-6);
        const xi = Math.max(
          xiMin,
          t === 0 ? Math.max(gamma - 1, 0) : alpha * (prevS2[k] / noise[k]) + (1 - alpha) * Math.max(gamma - 1, 0),
        );
        let g = this.options.gain === 'wiener' ? xi / (1 + xi) : mmseStsaGain(xi, gamma);
        g = Math.min(1, Math.max(gMin, g));
        prevS2[k] = g * g * y2;
        spec.re[i] *= g;
        spec.im[i] *= g;
      }
    }
    return istft(spec, x.length);
  }
}
