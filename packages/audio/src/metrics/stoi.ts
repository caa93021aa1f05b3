/**
 * Short-time objective intelligibility (STOI, Taal et al. 2011) and extended STOI (ESTOI, Jensen & Taal 2016), as in
 * the reference implementation `pystoi`:
 *
 * 1. both signals are resampled to 10 kHz (Octave-compatible polyphase resampler: Kaiser-windowed sinc with a
 *    60 dB stop-band, the filter of pystoi's `resample_oct`);
 * 2. silent frames are removed: 256-sample Hann frames, hop 128, dropped where the clean frame's energy is more than
 *    40 dB below the loudest clean frame; the kept frames are overlap-added back;
 * 3. 512-point STFT of 256-sample Hann frames with hop 128; 15 one-third-octave bands from 150 Hz;
 * 4. segments of N = 30 frames (384 ms). STOI: the degraded band envelope is scaled to the clean one's energy and
 *    clipped at 1 + 10^(15/20) times the clean one (signal-to-distortion floor −15 dB), then the mean correlation of
 *    the envelopes over all bands and segments. ESTOI: each segment is mean/variance normalised along time, then
 *    along bands, and the mean over segments of the summed products / N.
 */
import { AudioError } from '../errors';
import { rfft } from '../dsp/fft';
import { besselI0, gcd } from '../io/resample';

const FS = 10000;
const N_FRAME = 256;
const NFFT = 512;
const NUMBAND = 15;
const MINFREQ = 150;
const N = 30;
const BETA = -15;
const DYN_RANGE = 40;
const EPS = 2.220446049250313e-16;

/** numpy.hanning(n + 2)[1:-1]: a symmetric Hann window without its zero end points. */
function hanningInner(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 1)) / (n + 1));
  return w;
}

/**
 * Polyphase resampling by up/down with the Octave `resample` filter, exactly as pystoi's `resample_oct`
 * (scipy.signal.resample_poly with that window): y[i] = sum_j x[j] h[half + i·down − j·up].
 */
export function resampleOctave(x: ArrayLike<number>, toRate: number, fromRate: number): Float64Array {
  const g = gcd(toRate, fromRate);
  const up = toRate / g;
  const down = fromRate / g;
  if (up === 1 && down === 1) return Float64Array.from(x);
  const stopband = 1 / (2 * Math.max(up, down));
  const rollOff = stopband / 10;
  const rejectionDb = 60; // -20 * log10(1e-3)
  const L = Math.ceil((rejectionDb - 8) / (28.714 * rollOff));
  const beta = 0.1102 * (rejectionDb - 8.7);
  const len = 2 * L + 1;
  const h = new Float64Array(len);
  let sum = 0;
  const i0b = besselI0(beta);
  for (let i = 0; i < len; i++) {
    const t = i - L;
    const a = 2 * stopband * t;
    const sinc = a === 0 ? 1 : Math.sin(Math.PI * a) / (Math.PI * a);
    const r = (2 * i) / (len - 1) - 1;
    const kaiser = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0b;
    h[i] = kaiser * 2 * up * stopband * sinc;
    sum += h[i];
  }
  for (let i = 0; i < len; i++) h[i] = (h[i] / sum) * up; // window / sum(window), then resample_poly's gain `up`
  const half = L;
  const n = x.length;
  const nOut = Math.ceil((n * up) / down);
  const y = new Float64Array(nOut);
  for (let i = 0; i < nOut; i++) {
    const c = half + i * down; // h index = c - j*up, valid for 0 <= c - j*up < len
    const jMin = Math.max(0, Math.ceil((c - (len - 1)) / up));
    const jMax = Math.min(n - 1, Math.floor(c / up));
    let acc = 0;
    for (let j = jMin; j <= jMax; j++) acc += x[j] * h[c - j * up];
    y[i] = acc;
  }
  return y;
}

function removeSilentFrames(x: Float64Array, y: Float64Array): [Float64Array, Float64Array] {
  const hop = N_FRAME / 2;
  const w = hanningInner(N_FRAME);
  const starts: number[] = [];
  for (let i = 0; i < x.length - N_FRAME; i += hop) starts.push(i);
  const energies = starts.map((s) => {
    let e = 0;
    for (let k = 0; k < N_FRAME; k++) {
      const v = w[k] * x[s + k];
      e += v * v;
    }
    return 20 * Math.log10(Math.sqrt(e) + EPS);
  });
  const maxE = Math.max(...energies);
  const kept = starts.filter((_, i) => maxE - DYN_RANGE - energies[i] < 0);
  const outLen = kept.length === 0 ? 0 : (kept.length - 1) * hop + N_FRAME;
  const xs = new Float64Array(outLen);
  const ys = new Float64Array(outLen);
  kept.forEach((s, f) => {
    for (let k = 0; k < N_FRAME; k++) {
      xs[f * hop + k] += w[k] * x[s + k];
      ys[f * hop + k] += w[k] * y[s + k];
    }
  });
  return [xs, ys];
}

/**
 * STOI's 15 one-third-octave bands from 150 Hz over the bins of an `nfft`-point rfft at `sampleRate` (default: STOI's
 * own 10 kHz and 512 points): each band a half-open bin range [lo, hi), its edges at the nearest bins.
 */
export function thirdOctaveBands(sampleRate = FS, nfft = NFFT): Array<[number, number]> {
  const bins = nfft / 2 + 1;
  const f = Array.from({ length: bins }, (_, k) => (k * sampleRate) / nfft);
  const nearest = (freq: number): number => {
    let best = 0;
    for (let k = 1; k < bins; k++) if ((f[k] - freq) ** 2 < (f[best] - freq) ** 2) best = k;
    return best;
  };
  const bands: Array<[number, number]> = [];
  for (let k = 0; k < NUMBAND; k++) {
    bands.push([nearest(MINFREQ * 2 ** ((2 * k - 1) / 6)), nearest(MINFREQ * 2 ** ((2 * k + 1) / 6))]);
  }
  return bands;
}

/** Band envelopes [band][frame] of the 512-point STFT (frames i = 0, hop, ... while i < len - N_FRAME). */
function bandEnvelopes(x: Float64Array, bands: Array<[number, number]>): Float64Array[] {
  const hop = N_FRAME / 2;
  const w = hanningInner(N_FRAME);
  const env = bands.map(() => [] as number[]);
  const frame = new Float64Array(N_FRAME);
  for (let i = 0; i < x.length - N_FRAME; i += hop) {
    for (let k = 0; k < N_FRAME; k++) frame[k] = w[k] * x[i + k];
    const s = rfft(frame, NFFT);
    bands.forEach(([lo, hi], b) => {
      let e = 0;
      for (let k = lo; k < hi; k++) e += s.re[k] * s.re[k] + s.im[k] * s.im[k];
      env[b].push(Math.sqrt(e));
    });
  }
  return env.map((e) => Float64Array.from(e));
}

function checkPair(clean: ArrayLike<number>, degraded: ArrayLike<number>, sampleRate: number): void {
  if (clean.length !== degraded.length) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `stoi: clean has ${clean.length} samples, degraded ${degraded.length}; they must match.`,
    );
  }
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new AudioError('BAD_ARGUMENT', `stoi: sampleRate must be a positive integer, got ${sampleRate}.`);
  }
}

function mean(a: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i];
  return s / (to - from);
}

/** Sample correlation of two equal-length vectors (pystoi: centred, each over its norm plus EPS). */
function correlation(xs: Float64Array, ys: Float64Array): number {
  const mx = mean(xs, 0, xs.length);
  const my = mean(ys, 0, ys.length);
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let t = 0; t < xs.length; t++) {
    const a = xs[t] - mx;
    const c = ys[t] - my;
    sxx += a * a;
    syy += c * c;
    sxy += a * c;
  }
  return sxy / ((Math.sqrt(sxx) + EPS) * (Math.sqrt(syy) + EPS));
}

/**
 * Classic STOI over band envelopes `[band][frame]`: per 30-frame segment and band, the degraded envelope is scaled to
 * the clean one's energy and clipped at BETA dB signal-to-distortion, then correlated with it; the mean of all.
 */
function classicStoi(xEnv: Float64Array[], yEnv: Float64Array[], frames: number): number {
  const xs = new Float64Array(N);
  const ys = new Float64Array(N);
  const clip = 10 ** (-BETA / 20);
  let total = 0;
  for (let m = N; m <= frames; m++) {
    for (let b = 0; b < NUMBAND; b++) {
      let nx = 0;
      let ny = 0;
      for (let t = 0; t < N; t++) {
        xs[t] = xEnv[b][m - N + t];
        ys[t] = yEnv[b][m - N + t];
        nx += xs[t] * xs[t];
        ny += ys[t] * ys[t];
      }
      const norm = Math.sqrt(nx) / (Math.sqrt(ny) + EPS);
      for (let t = 0; t < N; t++) ys[t] = Math.min(ys[t] * norm, xs[t] * (1 + clip));
      total += correlation(xs, ys);
    }
  }
  return total / ((frames - N + 1) * NUMBAND);
}

/** ESTOI's segment ending at frame `m`: `[band][time]`, each row (time) then each column (band) normalised. */
function normalisedSegment(env: Float64Array[], m: number): Float64Array {
  const seg = new Float64Array(NUMBAND * N); // [band][time]
  for (let b = 0; b < NUMBAND; b++) {
    const row = seg.subarray(b * N, (b + 1) * N);
    for (let t = 0; t < N; t++) row[t] = env[b][m - N + t];
    const mu = mean(row, 0, N);
    let ss = 0;
    for (let t = 0; t < N; t++) {
      row[t] -= mu;
      ss += row[t] * row[t];
    }
    const inv = 1 / Math.sqrt(ss + EPS * EPS);
    for (let t = 0; t < N; t++) row[t] *= inv;
  }
  for (let t = 0; t < N; t++) {
    let mu = 0;
    for (let b = 0; b < NUMBAND; b++) mu += seg[b * N + t];
    mu /= NUMBAND;
    let ss = 0;
    for (let b = 0; b < NUMBAND; b++) {
      seg[b * N + t] -= mu;
      ss += seg[b * N + t] ** 2;
    }
    const inv = 1 / Math.sqrt(ss + EPS * EPS);
    for (let b = 0; b < NUMBAND; b++) seg[b * N + t] *= inv;
  }
  return seg;
}

/** ESTOI over band envelopes `[band][frame]`: the mean over segments of the normalised segments' inner product / N. */
function extendedStoi(xEnv: Float64Array[], yEnv: Float64Array[], frames: number): number {
  let total = 0;
  for (let m = N; m <= frames; m++) {
    const a = normalisedSegment(xEnv, m);
    const c = normalisedSegment(yEnv, m);
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i] * c[i];
    total += s / N;
  }
  return total / (frames - N + 1);
}

/**
 * STOI (`extended: false`, default) or ESTOI (`extended: true`) of a degraded/processed signal against the clean
 * one, both at `sampleRate`. Returns a value in about [0, 1] (higher is more intelligible). As in pystoi, returns
 * 1e-5 when fewer than 30 frames (384 ms) of speech remain after silence removal.
 */
export function stoi(
  clean: ArrayLike<number>,
  degraded: ArrayLike<number>,
  sampleRate: number,
  options: { extended?: boolean } = {},
): number {
  checkPair(clean, degraded, sampleRate);
  let x: Float64Array = Float64Array.from(clean);
  let y: Float64Array = Float64Array.from(degraded);
  if (sampleRate !== FS) {
    x = resampleOctave(x, FS, sampleRate);
    y = resampleOctave(y, FS, sampleRate);
  }
  [x, y] = removeSilentFrames(x, y);
  const bands = thirdOctaveBands();
  const xEnv = bandEnvelopes(x, bands);
  const yEnv = bandEnvelopes(y, bands);
  const frames = xEnv[0].length;
  if (frames < N) return 1e-5;
  return options.extended ? extendedStoi(xEnv, yEnv, frames) : classicStoi(xEnv, yEnv, frames);
}

/** Extended STOI; same as `stoi(clean, degraded, sampleRate, { extended: true })`. */
export function estoi(clean: ArrayLike<number>, degraded: ArrayLike<number>, sampleRate: number): number {
  return stoi(clean, degraded, sampleRate, { extended: true });
}
