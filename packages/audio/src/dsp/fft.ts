/**
 * Discrete Fourier transforms of any length, in float64.
 *
 * Powers of two use an iterative radix-2 Cooley-Tukey transform; every other length uses Bluestein's chirp-z
 * algorithm on top of it (O(n log n) for any n, so a 640-point frame costs about three 2048-point transforms). Plans
 * (twiddles, chirps) are cached per length.
 */

/** A complex vector as two float64 arrays of the same length. */
export interface ComplexArray {
  re: Float64Array;
  im: Float64Array;
}

interface Pow2Plan {
  n: number;
  cos: Float64Array;
  sin: Float64Array;
  rev: Uint32Array;
}

interface BluesteinPlan {
  n: number;
  m: number;
  pow2: Pow2Plan;
  chirpRe: Float64Array; // exp(-i pi k^2 / n)
  chirpIm: Float64Array;
  filterRe: Float64Array; // FFT of the conjugate chirp, zero-padded to m
  filterIm: Float64Array;
  workRe: Float64Array;
  workIm: Float64Array;
}

const pow2Plans = new Map<number, Pow2Plan>();
const bluesteinPlans = new Map<number, BluesteinPlan>();

function isPow2(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

function pow2Plan(n: number): Pow2Plan {
  let plan = pow2Plans.get(n);
  if (plan) return plan;
  const cos = new Float64Array(n / 2);
  const sin = new Float64Array(n / 2);
  for (let k = 0; k < n / 2; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = Math.sin((2 * Math.PI * k) / n);
  }
  const rev = new Uint32Array(n);
  const bits = Math.round(Math.log2(n));
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    rev[i] = r;
  }
  plan = { n, cos, sin, rev };
  pow2Plans.set(n, plan);
  return plan;
}

/** In-place radix-2 transform; sign -1 = forward (e^{-i...}), +1 = inverse without the 1/n. */
function fftPow2(plan: Pow2Plan, re: Float64Array, im: Float64Array, sign: number): void {
  const { n, cos, sin, rev } = plan;
  for (let i = 0; i < n; i++) {
    const j = rev[i];
    if (j > i) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step];
        const wi = sign * sin[k * step];
        const a = start + k;
        const b = a + half;
        const xr = re[b] * wr - im[b] * wi;
        const xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
      }
    }
  }
}

function bluesteinPlan(n: number): BluesteinPlan {
  let plan = bluesteinPlans.get(n);
  if (plan) return plan;
  let m = 1;
  while (m < 2 * n - 1) m <<= 1;
  const pow2 = pow2Plan(m);
  const chirpRe = new Float64Array(n);
  const chirpIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    // k^2 mod 2n keeps the angle small and exact for large k.
    const a = (Math.PI * ((k * k) % (2 * n))) / n;
    chirpRe[k] = Math.cos(a);
    chirpIm[k] = -Math.sin(a);
  }
  const filterRe = new Float64Array(m);
  const filterIm = new Float64Array(m);
  filterRe[0] = chirpRe[0];
  filterIm[0] = -chirpIm[0];
  for (let k = 1; k < n; k++) {
    filterRe[k] = filterRe[m - k] = chirpRe[k];
    filterIm[k] = filterIm[m - k] = -chirpIm[k];
  }
  fftPow2(pow2, filterRe, filterIm, -1);
  plan = { n, m, pow2, chirpRe, chirpIm, filterRe, filterIm, workRe: new Float64Array(m), workIm: new Float64Array(m) };
  bluesteinPlans.set(n, plan);
  return plan;
}

function fftBluestein(plan: BluesteinPlan, re: Float64Array, im: Float64Array, sign: number): void {
  const { n, m, chirpRe, filterRe, filterIm, workRe, workIm } = plan;
  // The inverse transform is the forward one on conjugated data, conjugated back.
  const cIm = plan.chirpIm;
  workRe.fill(0);
  workIm.fill(0);
  for (let k = 0; k < n; k++) {
    const xr = re[k];
    const xi = sign < 0 ? im[k] : -im[k];
    workRe[k] = xr * chirpRe[k] - xi * cIm[k];
    workIm[k] = xr * cIm[k] + xi * chirpRe[k];
  }
  fftPow2(plan.pow2, workRe, workIm, -1);
  for (let k = 0; k < m; k++) {
    const ar = workRe[k];
    const ai = workIm[k];
    workRe[k] = ar * filterRe[k] - ai * filterIm[k];
    workIm[k] = ar * filterIm[k] + ai * filterRe[k];
  }
  fftPow2(plan.pow2, workRe, workIm, 1);
  for (let k = 0; k < n; k++) {
    const ar = workRe[k] / m;
    const ai = workIm[k] / m;
    const yr = ar * chirpRe[k] - ai * cIm[k];
    const yi = ar * cIm[k] + ai * chirpRe[k];
    re[k] = yr;
    im[k] = sign < 0 ? yi : -yi;
  }
}

/** In-place forward DFT: X[k] = sum_t x[t] e^{-2 pi i k t / n}. Any length n >= 1. */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (im.length !== n) throw new RangeError(`fft: re and im differ in length (${n} vs ${im.length})`);
  if (n <= 1) return;
  if (isPow2(n)) fftPow2(pow2Plan(n), re, im, -1);
  else fftBluestein(bluesteinPlan(n), re, im, -1);
}

/** In-place inverse DFT, scaled by 1/n, so ifft(fft(x)) = x. */
export function ifft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (im.length !== n) throw new RangeError(`ifft: re and im differ in length (${n} vs ${im.length})`);
  if (n <= 1) return;
  if (isPow2(n)) fftPow2(pow2Plan(n), re, im, 1);
  else fftBluestein(bluesteinPlan(n), re, im, 1);
  for (let i = 0; i < n; i++) {
    re[i] /= n;
    im[i] /= n;
  }
}

/** DFT of a real frame (zero-padded or cut to `n`): bins 0 .. floor(n/2). */
export function rfft(x: ArrayLike<number>, n: number = x.length): ComplexArray {
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  const m = Math.min(n, x.length);
  for (let i = 0; i < m; i++) re[i] = x[i];
  fft(re, im);
  const bins = Math.floor(n / 2) + 1;
  return { re: re.slice(0, bins), im: im.slice(0, bins) };
}

/** Inverse of `rfft`: a real frame of length `n` from bins 0 .. floor(n/2) (Hermitian symmetry assumed). */
export function irfft(spec: ComplexArray, n: number): Float64Array {
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  const bins = Math.floor(n / 2) + 1;
  for (let k = 0; k < bins; k++) {
    re[k] = spec.re[k];
    im[k] = spec.im[k];
  }
  for (let k = bins; k < n; k++) {
    re[k] = spec.re[n - k];
    im[k] = -spec.im[n - k];
  }
  im[0] = 0;
  if (n % 2 === 0) im[n / 2] = 0;
  ifft(re, im);
  return re;
}
