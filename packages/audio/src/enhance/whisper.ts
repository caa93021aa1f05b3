/**
 * Pseudo-whispered speech for enhancement training: voiced speech made unvoiced by linear prediction. Each 32 ms frame
 * keeps its spectral envelope (an order-`order` all-pole fit by the autocorrelation method) and its energy, but the
 * excitation (glottal pulses) is replaced by white noise, as in a whisper. The enhancer lost up to 25 dB on a
 * whispered test voice (issue 12), which it took for noise: no training voice whispers. Drawn from @gatewave/core's
 * seeded `random()`, so a run repeats exactly.
 */
import { makeWindow } from '../dsp/stft';
import { gauss } from './augment';

const FRAME = 512;
const HOP = FRAME / 2;

/** Autocorrelation r[0..order] of x. */
export function autocorrelation(x: Float64Array, order: number): Float64Array {
  const r = new Float64Array(order + 1);
  for (let lag = 0; lag <= order; lag++) {
    let s = 0;
    for (let i = lag; i < x.length; i++) s += x[i] * x[i - lag];
    r[lag] = s;
  }
  return r;
}

/**
 * Levinson-Durbin: the prediction coefficients a[1..order] of x[n] ≈ −Σ a[k] x[n−k] from the autocorrelation r
 * (a[0] = 1), with a little white-noise correction on r[0] so that silent or tonal frames stay stable.
 */
export function levinson(r: Float64Array, order: number): Float64Array {
  const a = new Float64Array(order + 1);
  a[0] = 1;
  let err = r[0] * (1 + 1e-9) + 1e-12;
  for (let i = 1; i <= order; i++) {
    let acc = r[i];
    for (let j = 1; j < i; j++) acc += a[j] * r[i - j];
    const k = -acc / err;
    const prev = a.slice();
    for (let j = 1; j < i; j++) a[j] = prev[j] + k * prev[i - j];
    a[i] = k;
    err *= 1 - k * k;
    if (err <= 0) break;
  }
  return a;
}

/** White noise through the all-pole filter 1 / A(z), `n` samples. */
function allPoleNoise(a: Float64Array, n: number): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = gauss();
    for (let k = 1; k < a.length && k <= i; k++) v -= a[k] * y[i - k];
    y[i] = v;
  }
  return y;
}

/**
 * `x` as a whisper: per frame (Hann-windowed, half overlap), its LPC envelope (order 16 at 16 kHz) over a noise
 * excitation, at the frame's energy. Frames of independent noise are joined with a square-root Hann window, whose
 * squares add up to 1, so the output's power follows the input's without a ripple at the frame rate.
 */
export function whisper(x: Float32Array, order = 16): Float32Array {
  const w = makeWindow('hann', FRAME); // periodic: copies at a hop of half its length add up to 1
  const sqrtW = makeWindow('sqrt-hann', FRAME);
  const out = new Float64Array(x.length + FRAME);
  const frame = new Float64Array(FRAME);
  for (let start = -HOP; start < x.length; start += HOP) {
    let energy = 0; // the frame's share of x's energy: Σ x² w, since the w of overlapping frames add up to 1
    for (let i = 0; i < FRAME; i++) {
      const j = start + i;
      const v = j >= 0 && j < x.length ? x[j] : 0;
      frame[i] = v * w[i];
      energy += v * v * w[i];
    }
    if (energy < 1e-12) continue;
    const a = levinson(autocorrelation(frame, order), order);
    // run the filter in over one frame first, so the kept frame is past its start-up transient
    const y = allPoleNoise(a, 2 * FRAME).subarray(FRAME);
    let synth = 0;
    for (let i = 0; i < FRAME; i++) synth += y[i] * y[i] * w[i];
    const g = Math.sqrt(energy / (synth + 1e-20));
    for (let i = 0; i < FRAME; i++) out[start + HOP + i] += g * y[i] * sqrtW[i];
  }
  return Float32Array.from(out.subarray(HOP, HOP + x.length));
}
