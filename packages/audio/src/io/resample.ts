/**
 * Band-limited resampling with a Kaiser-windowed sinc, evaluated polyphase (one filter per output phase).
 *
 * Filter, in terms of the lower of the two Nyquist frequencies (fN = min(fromRate, toRate) / 2):
 * - pass-band flat up to 0.9 fN (ripple below 1e-4), cut-off at 0.95 fN;
 * - stop-band from fN on, attenuated by at least 100 dB (Kaiser beta = 10.06, length 128 / r input samples,
 *   r = min(1, toRate / fromRate)), so nothing above the new Nyquist frequency folds back audibly.
 * The signal is taken as zero outside its ends. Output length is ceil(n * toRate / fromRate); output sample i sits at
 * input time i * fromRate / toRate (no delay).
 *
 * We use our own filter rather than libsamplerate-js because the latter only loads asynchronously (WebAssembly),
 * and resampling sits inside synchronous metric and feature code.
 */
import { AudioError } from '../errors';

/** Stop-band attenuation of `resample`, in dB. */
export const RESAMPLE_STOPBAND_DB = 100;
const BETA = 0.1102 * (RESAMPLE_STOPBAND_DB - 8.7);
const PASS_EDGE = 0.45; // cycles per sample of the lower rate's grid, x r
const STOP_EDGE = 0.5;
/** Above this many phases we interpolate a finely sampled kernel instead of tabulating every phase. */
const MAX_EXACT_PHASES = 1024;
const FINE_STEPS = 4096;

/** Greatest common divisor of two positive integers. */
export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for the betas used here). */
export function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

interface Kernel {
  /** Half-width in input samples: h(tau) = 0 for |tau| >= halfWidth. */
  halfWidth: number;
  at(tau: number): number;
}

function makeKernel(r: number): Kernel {
  const fc = ((PASS_EDGE + STOP_EDGE) / 2) * r; // cycles per input sample
  const df = (STOP_EDGE - PASS_EDGE) * r;
  const taps = (RESAMPLE_STOPBAND_DB - 7.95) / (14.36 * df);
  const halfWidth = taps / 2;
  const i0b = besselI0(BETA);
  return {
    halfWidth,
    at(tau: number): number {
      const u = tau / halfWidth;
      if (u <= -1 || u >= 1) return 0;
      const w = besselI0(BETA * Math.sqrt(1 - u * u)) / i0b;
      const a = 2 * fc * tau;
      const sinc = a === 0 ? 1 : Math.sin(Math.PI * a) / (Math.PI * a);
      return 2 * fc * sinc * w;
    },
  };
}

function checkRate(rate: number, what: string): void {
  if (!Number.isInteger(rate) || rate <= 0) {
    throw new AudioError('BAD_ARGUMENT', `resample: ${what} must be a positive integer number of Hz, got ${rate}.`);
  }
}

/**
 * Resamples `x` from `fromRate` to `toRate` Hz (integers). See the module comment for the filter; returns a copy
 * when the rates are equal.
 */
export function resample(x: Float32Array, fromRate: number, toRate: number): Float32Array {
  checkRate(fromRate, 'fromRate');
  checkRate(toRate, 'toRate');
  if (fromRate === toRate) return Float32Array.from(x);
  const g = gcd(fromRate, toRate);
  const up = toRate / g;
  const down = fromRate / g;
  const n = x.length;
  const nOut = Math.ceil((n * up) / down);
  const out = new Float32Array(nOut);
  if (n === 0) return out;
  const kernel = makeKernel(Math.min(1, toRate / fromRate));
  const K = Math.ceil(kernel.halfWidth);
  const width = 2 * K; // taps j = j0 - K + 1 ... j0 + K

  // One row of taps per phase p (output time = j0 + p / phases): row[m] multiplies x[j0 - K + 1 + m].
  const exact = up <= MAX_EXACT_PHASES;
  const phases = exact ? up : FINE_STEPS;
  const table = new Float64Array(phases * width);
  for (let p = 0; p < phases; p++) {
    const frac = p / phases;
    let sum = 0;
    for (let m = 0; m < width; m++) {
      const v = kernel.at(frac + K - 1 - m);
      table[p * width + m] = v;
      sum += v;
    }
    for (let m = 0; m < width; m++) table[p * width + m] /= sum; // exact unit gain at DC
  }

  for (let i = 0; i < nOut; i++) {
    let j0: number;
    let acc = 0;
    const first = (base: number, row: number, weight: number): void => {
      const o = row * width;
      const lo = Math.max(0, K - 1 - base);
      const hi = Math.min(width, n - base + K - 1);
      let s = 0;
      for (let m = lo; m < hi; m++) s += table[o + m] * x[base - K + 1 + m];
      acc += weight * s;
    };
    if (exact) {
      const num = i * down;
      j0 = Math.floor(num / up);
      first(j0, num - j0 * up, 1);
    } else {
      const t = (i * down) / up;
      j0 = Math.floor(t);
      const pos = (t - j0) * FINE_STEPS;
      const p0 = Math.floor(pos);
      const w1 = pos - p0;
      first(j0, p0, 1 - w1);
      if (w1 > 0) {
        if (p0 + 1 < FINE_STEPS) first(j0, p0 + 1, w1);
        else first(j0 + 1, 0, w1);
      }
    }
    out[i] = acc;
  }
  return out;
}
