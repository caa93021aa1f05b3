/**
 * Scene synthesis for sound event localisation and detection: mono clips placed at random onsets and directions,
 * spatialised for an ambisonic (FOA), a 4-microphone circular array (mic4) or a mono recording, over a diffuse
 * background, with optional reverberation, and labelled in the DCASE 2019 form.
 */
import * as fs from 'fs';
import * as path from 'path';
import { atomicWriteFile, ProgressBar } from '@gatewave/core';
import { AudioError } from '../errors';
import { AudioData, readWav, writeWav } from '../io/wav';
import { resample } from '../io/resample';
import { fft, ifft, irfft, rfft } from '../dsp/fft';
import { formatSceneLabels, parseCsv, SoundEvent } from './events';
import { angularDistance, toUnitVector } from './metrics';

/** Recording formats the synthesiser and the detector know. */
export type SceneFormat = 'foa' | 'mic4' | 'mono';

export const SCENE_FORMATS: readonly SceneFormat[] = ['foa', 'mic4', 'mono'];

/** Channels of each format. */
export function formatChannels(format: SceneFormat): number {
  return format === 'mono' ? 1 : 4;
}

/** Radius of the mic4 circular array in metres. */
export const MIC4_RADIUS = 0.042;
/** Azimuths (degrees) of the four mic4 capsules on the horizontal circle. */
export const MIC4_AZIMUTHS = [45, 135, -135, -45] as const;
/** Speed of sound (m/s) used for array delays. */
export const SPEED_OF_SOUND = 343;

// ---------------------------------------------------------------------------------------------------------------
// Random numbers (seeded, independent of any global state)
// ---------------------------------------------------------------------------------------------------------------

/** A seeded uniform [0, 1) generator (mulberry32) with a few helpers. */
export class Rng {
  private state: number;
  private spare: number | null = null;
  constructor(seed: number) {
    this.state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  gauss(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Spatial encoding
// ---------------------------------------------------------------------------------------------------------------

/**
 * First-order ambisonic gains in ACN channel order with SN3D normalisation (as in the DCASE FOA data):
 * `[W, Y, Z, X] = [1, sin(az)·cos(el), sin(el), cos(az)·cos(el)]`, angles in degrees.
 */
export function foaGains(azimuth: number, elevation: number): [number, number, number, number] {
  const [x, y, z] = toUnitVector(azimuth, elevation);
  return [1, y, z, x];
}

/**
 * Far-field arrival delays (seconds, relative to the array centre) at the mic4 capsules for a plane wave from
 * (azimuth, elevation): `τ_m = −(p_m · u) / c`, with p_m the capsule position and u the unit vector to the source
 * (capsules facing the source hear it first).
 */
export function mic4Delays(azimuth: number, elevation: number, radius = MIC4_RADIUS): number[] {
  const u = toUnitVector(azimuth, elevation);
  return MIC4_AZIMUTHS.map((a) => {
    const p = toUnitVector(a, 0);
    return (-(p[0] * u[0] + p[1] * u[1] + p[2] * u[2]) * radius) / SPEED_OF_SOUND;
  });
}

/** Half-length (taps each side) of the fractional-delay interpolator. */
const DELAY_HALF_TAPS = 16;

/**
 * Delays `x` by `delay` samples (any real number, negative = advance): y[n] = Σ_j x[j]·h(n − delay − j) with h a
 * Hann-windowed sinc of ±16 taps, so the output has the input's length and no bulk delay.
 */
export function fractionalDelay(x: Float32Array, delay: number, halfTaps = DELAY_HALF_TAPS): Float32Array {
  const whole = Math.floor(delay);
  const frac = delay - whole;
  // taps over k = -halfTaps+1 .. halfTaps: y[n] = Σ_k x[n - whole - k] · h(k - frac)
  const ks: number[] = [];
  const hs: number[] = [];
  for (let k = -halfTaps + 1; k <= halfTaps; k++) {
    const t = k - frac;
    const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
    const w = 0.5 + 0.5 * Math.cos((Math.PI * t) / halfTaps);
    ks.push(k);
    hs.push(Math.abs(t) >= halfTaps ? 0 : sinc * w);
  }
  const n = x.length;
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let q = 0; q < ks.length; q++) {
      const j = i - whole - ks[q];
      if (j >= 0 && j < n) acc += x[j] * hs[q];
    }
    y[i] = acc;
  }
  return y;
}

/** Renders a mono signal from (azimuth, elevation) in the given format: one array per channel. */
export function spatialize(
  signal: Float32Array,
  format: SceneFormat,
  azimuth: number,
  elevation: number,
  sampleRate: number,
): Float32Array[] {
  if (format === 'mono') return [Float32Array.from(signal)];
  if (format === 'foa') {
    return foaGains(azimuth, elevation).map((g) => {
      const y = new Float32Array(signal.length);
      for (let i = 0; i < y.length; i++) y[i] = signal[i] * g;
      return y;
    });
  }
  return mic4Delays(azimuth, elevation).map((tau) => fractionalDelay(signal, tau * sampleRate));
}

// ---------------------------------------------------------------------------------------------------------------
// Clips
// ---------------------------------------------------------------------------------------------------------------

/** A labelled mono clip cut to its active region, at the scene rate. */
export interface EventClip {
  file: string;
  class: string;
  samples: Float32Array;
}

export interface LoadClipsOptions {
  /** Scene sample rate (clips are resampled to it). */
  sampleRate: number;
  /** Only these clip files (names as in labels.csv). */
  include?: readonly string[];
  /** Leave out these clip files. */
  exclude?: readonly string[];
  /**
   * Which part of each clip's active region to use: all of it, the first (1 − testFraction) for training scenes, or
   * the last testFraction for held-out test scenes.
   */
  part?: 'all' | 'train' | 'test';
  testFraction?: number;
}

/** A clip label file's rows, a column lookup by header name, and its sorted class list (checked). */
function readClipTable(labelsCsv: string): { rows: string[][]; col: (name: string) => number; classes: string[] } {
  let text: string;
  try {
    text = fs.readFileSync(labelsCsv, 'utf8');
  } catch (err) {
    throw new AudioError('FILE_NOT_FOUND', `labels ${labelsCsv}: cannot read it (${(err as Error).message}).`);
  }
  const rows = parseCsv(text);
  if (rows.length < 2) {
    throw new AudioError('EMPTY_LABELS', `labels ${labelsCsv} has no clips; it needs a header with file,label and one row per clip.`);
  }
  const header = rows[0].map((h) => h.trim());
  const col = (n: string) => header.indexOf(n);
  if (col('file') < 0 || col('label') < 0) {
    throw new AudioError('BAD_LABELS', `labels ${labelsCsv}: the header needs columns 'file' and 'label', got ${header.join(',')}.`);
  }
  const classes = [...new Set(rows.slice(1).map((r) => (r[col('label')] ?? '').trim()))].sort();
  if (classes.includes('')) throw new AudioError('BAD_LABELS', `labels ${labelsCsv}: a row has an empty label.`);
  return { rows, col, classes };
}

/** The class list of a clip label file (every label, sorted), as `loadEventClips` returns it, without reading audio. */
export function clipClasses(labelsCsv: string): string[] {
  return readClipTable(labelsCsv).classes;
}

/**
 * Reads `labels.csv` (columns by name: `file`, `label`, and optionally `active_onset_s`, `active_offset_s`) and the
 * clips it lists from `dir`, cut to the active region and resampled to `sampleRate`. Returns the clips and every
 * class of the label file (sorted), which is the class list of models trained on these clips.
 */
export function loadEventClips(dir: string, labelsCsv: string, options: LoadClipsOptions): { clips: EventClip[]; classes: string[] } {
  const { rows, col, classes } = readClipTable(labelsCsv);
  const part = options.part ?? 'all';
  const testFraction = options.testFraction ?? 0.3;
  const clips: EventClip[] = [];
  for (const r of rows.slice(1)) {
    const file = r[col('file')].trim();
    if (options.include && !options.include.includes(file)) continue;
    if (options.exclude && options.exclude.includes(file)) continue;
    const audio = readWav(path.join(dir, file));
    if (audio.channels.length !== 1) {
      throw new AudioError('BAD_CHANNELS', `${file}: event clips must be mono, it has ${audio.channels.length} channels.`);
    }
    let x = audio.channels[0];
    const onS = col('active_onset_s') >= 0 ? Number(r[col('active_onset_s')]) : 0;
    const offS = col('active_offset_s') >= 0 ? Number(r[col('active_offset_s')]) : x.length / audio.sampleRate;
    let a = Number.isFinite(onS) ? Math.max(0, Math.floor(onS * audio.sampleRate)) : 0;
    let b = Number.isFinite(offS) ? Math.min(x.length, Math.ceil(offS * audio.sampleRate) + Math.round(0.02 * audio.sampleRate)) : x.length;
    if (b - a < 0.05 * audio.sampleRate) {
      a = 0;
      b = x.length;
    }
    const split = a + Math.round((1 - testFraction) * (b - a));
    if (part === 'train') b = split;
    else if (part === 'test') a = split;
    x = x.subarray(a, b);
    const samples = resample(x, audio.sampleRate, options.sampleRate);
    clips.push({ file, class: r[col('label')].trim(), samples });
  }
  if (clips.length === 0) throw new AudioError('EMPTY_LABELS', `labels ${labelsCsv}: no clips left after the include/exclude filters.`);
  return { clips, classes };
}

// ---------------------------------------------------------------------------------------------------------------
// One scene
// ---------------------------------------------------------------------------------------------------------------

export interface SceneOptions {
  format: SceneFormat;
  sampleRate: number;
  /** Scene length in seconds. */
  seconds: number;
  /** Most events sounding at once (1 or 2). Default 2. */
  maxOverlap?: number;
  /** Smallest angle (degrees) between concurrent events. Default 20. */
  minSeparation?: number;
  /** SNR range (dB) of each event over the background. Default [5, 30]. */
  snr?: [number, number];
  /** Longest event (s); longer clips give a random excerpt. Default 6. */
  maxEventSeconds?: number;
  /** Fade in/out (s). Default 0.01. */
  fadeSeconds?: number;
  /** Add early reflections and an exponential reverberant tail. Default false. */
  reverb?: boolean;
  /** Target events per second of scene. Default 0.35. */
  eventRate?: number;
  /**
   * Training augmentation: when set, each event is a random excerpt of its clip whose length is drawn uniformly
   * between this many seconds (or the clip's length, if shorter) and the clip's length (at most `maxEventSeconds`),
   * so that a model also sees short events that start and stop mid-sound. Default: the whole clip.
   */
  minEventSeconds?: number;
  /**
   * Training augmentation: play each event at a speed drawn uniformly from this range (1 = unchanged; 1.1 = 10 %
   * faster and higher), by resampling. Default: unchanged.
   */
  speedRange?: [number, number];
  /**
   * Training augmentation: filter each event with a random smooth gain curve of at most ±`eqDb` dB (see
   * `randomEqualize`), so that a model hears each clip through many colourations. Default: unfiltered.
   */
  eqDb?: number;
}

/** The direction grid: azimuth every 10° in [−180, 180), elevation every 10° in [−40, 40]. */
export const AZIMUTH_GRID = Array.from({ length: 36 }, (_, i) => -180 + 10 * i);
export const ELEVATION_GRID = [-40, -30, -20, -10, 0, 10, 20, 30, 40];

/** Background noise level (RMS of the omnidirectional channel, linear). */
const BACKGROUND_RMS = 0.003;

function rms(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, x.length));
}

/** Pink-ish noise (Paul Kellet's economy filter on white noise), unit RMS. */
function pinkNoise(n: number, rng: Rng): Float32Array {
  const y = new Float32Array(n);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  for (let i = 0; i < n; i++) {
    const w = rng.gauss();
    b0 = 0.99765 * b0 + w * 0.099046;
    b1 = 0.963 * b1 + w * 0.2965164;
    b2 = 0.57 * b2 + w * 1.0526913;
    y[i] = b0 + b1 + b2 + w * 0.1848;
  }
  const r = rms(y) || 1;
  for (let i = 0; i < n; i++) y[i] /= r;
  return y;
}

/** Points spread evenly over the sphere (Fibonacci lattice), as azimuth/elevation in degrees. */
function spherePoints(n: number, rng: Rng): { azimuth: number; elevation: number }[] {
  const out = [];
  const golden = Math.PI * (3 - Math.sqrt(5));
  const turn = rng.uniform(0, 2 * Math.PI);
  for (let i = 0; i < n; i++) {
    const z = 1 - (2 * (i + 0.5)) / n;
    const phi = turn + golden * i;
    out.push({ azimuth: ((((phi * 180) / Math.PI + 180) % 360) + 360) % 360 - 180, elevation: (Math.asin(z) * 180) / Math.PI });
  }
  return out;
}

/**
 * Diffuse background scaled so that the omnidirectional (first) channel has RMS `level`. FOA: independent pink noises
 * on W, Y, Z, X with the dipoles at 1/√3 of W's amplitude, which is the second-order statistics of an isotropic
 * diffuse field in SN3D (uncorrelated channels, each dipole carrying a third of the omni power). mic4: independent
 * pink noises from 8 directions spread over the sphere, each with its array delays (so the capsules are partially
 * coherent at low frequencies, as in a real diffuse field). Mono: one pink noise.
 */
export function diffuseNoise(n: number, format: SceneFormat, sampleRate: number, level: number, rng: Rng): Float32Array[] {
  if (format !== 'mic4') {
    return Array.from({ length: formatChannels(format) }, (_, ch) => {
      const x = pinkNoise(n, rng);
      const g = ch === 0 ? level : level / Math.sqrt(3);
      for (let i = 0; i < n; i++) x[i] *= g;
      return x;
    });
  }
  const out = Array.from({ length: 4 }, () => new Float32Array(n));
  const points = spherePoints(8, rng);
  for (const d of points) {
    const chans = spatialize(pinkNoise(n, rng), format, d.azimuth, d.elevation, sampleRate);
    chans.forEach((c, ch) => {
      for (let i = 0; i < n; i++) out[ch][i] += c[i];
    });
  }
  const g = level / Math.sqrt(points.length);
  for (const c of out) for (let i = 0; i < n; i++) c[i] *= g;
  return out;
}

/**
 * Linear convolutions of one signal with several real responses through the FFT: returns x * h for each h, each of
 * length x.length + h.length − 1. The signal is transformed once, and responses go two at a time through one
 * complex transform: with G = FFT(h1 + i·h2), IFFT(X·G) = x * h1 + i·(x * h2), since both convolutions are real.
 */
export function convolveMany(x: Float32Array, hs: readonly Float32Array[]): Float32Array[] {
  const longest = Math.max(...hs.map((h) => h.length));
  let size = 1;
  while (size < x.length + longest - 1) size *= 2;
  const xr = new Float64Array(size);
  const xi = new Float64Array(size);
  xr.set(x);
  fft(xr, xi);
  const out: Float32Array[] = [];
  for (let p = 0; p < hs.length; p += 2) {
    const h1 = hs[p];
    const h2 = p + 1 < hs.length ? hs[p + 1] : null;
    const re = new Float64Array(size);
    const im = new Float64Array(size);
    re.set(h1);
    if (h2) im.set(h2);
    fft(re, im);
    for (let k = 0; k < size; k++) {
      const r = xr[k] * re[k] - xi[k] * im[k];
      im[k] = xr[k] * im[k] + xi[k] * re[k];
      re[k] = r;
    }
    ifft(re, im);
    out.push(Float32Array.from(re.subarray(0, x.length + h1.length - 1)));
    if (h2) out.push(Float32Array.from(im.subarray(0, x.length + h2.length - 1)));
  }
  return out;
}

/**
 * A random smooth equaliser curve (in the spirit of FilterAugment, Nam et al. 2022, applied to the waveform): 2 to 5
 * control points at log-uniform frequencies between 50 Hz and the Nyquist frequency, each with a gain drawn uniformly
 * in [−maxDb, maxDb] dB; the gain in dB is interpolated linearly in log frequency between the points and held
 * constant beyond them. Returns the linear gain at each of `bins` equally spaced frequencies from 0 to the Nyquist
 * frequency.
 */
export function randomEqCurve(bins: number, sampleRate: number, maxDb: number, rng: Rng): Float64Array {
  const nyquist = sampleRate / 2;
  const lo = Math.log(50);
  const hi = Math.log(nyquist);
  const count = 2 + rng.int(4);
  const points = Array.from({ length: count }, () => ({ logF: rng.uniform(lo, hi), db: rng.uniform(-maxDb, maxDb) }));
  points.sort((a, b) => a.logF - b.logF);
  const gains = new Float64Array(bins);
  let j = 0;
  for (let k = 0; k < bins; k++) {
    const logF = Math.log(Math.max(1e-3, (k / Math.max(1, bins - 1)) * nyquist));
    while (j < count - 1 && points[j + 1].logF <= logF) j++;
    let db: number;
    if (logF <= points[0].logF) db = points[0].db;
    else if (j >= count - 1) db = points[count - 1].db;
    else {
      const a = points[j];
      const b = points[j + 1];
      db = a.db + ((b.db - a.db) * (logF - a.logF)) / (b.logF - a.logF);
    }
    gains[k] = Math.pow(10, db / 20);
  }
  return gains;
}

/**
 * Filters `x` by a random `randomEqCurve` (zero phase, through the FFT with enough zero padding that the filter's
 * short response does not wrap around onto the signal). Returns a new signal of the same length.
 */
export function randomEqualize(x: Float32Array, sampleRate: number, maxDb: number, rng: Rng): Float32Array {
  let size = 1;
  while (size < x.length + 4096) size *= 2;
  const spec = rfft(x, size);
  const gains = randomEqCurve(spec.re.length, sampleRate, maxDb, rng);
  for (let k = 0; k < gains.length; k++) {
    spec.re[k] *= gains[k];
    spec.im[k] *= gains[k];
  }
  return Float32Array.from(irfft(spec, size).subarray(0, x.length));
}

/**
 * Reverberation of one event: `reflections` early reflections (delays 3-25 ms, gains 0.2-0.5, random directions)
 * and a diffuse exponential tail (RT60 0.2-0.6 s, -12 dB to -20 dB below the direct sound) rendered as independent
 * decaying noise responses per channel. Returns the reverberant part only, `tailSamples` longer than the signal.
 */
function reverberate(
  signal: Float32Array,
  format: SceneFormat,
  sampleRate: number,
  rng: Rng,
): Float32Array[] {
  const rt60 = rng.uniform(0.2, 0.6);
  const tailLength = Math.round(rt60 * sampleRate);
  const n = signal.length + tailLength;
  const channels = formatChannels(format);
  const out = Array.from({ length: channels }, () => new Float32Array(n));
  for (let r = 0; r < 4; r++) {
    const delay = Math.round(rng.uniform(0.003, 0.025) * sampleRate);
    const gain = rng.uniform(0.2, 0.5);
    const az = rng.uniform(-180, 180);
    const el = rng.uniform(-60, 60);
    spatialize(signal, format, az, el, sampleRate).forEach((c, ch) => {
      for (let i = 0; i < c.length; i++) out[ch][i + delay] += gain * c[i];
    });
  }
  const tailGain = Math.pow(10, rng.uniform(-20, -12) / 20);
  const decay = Math.log(1000) / (rt60 * sampleRate); // -60 dB at rt60
  const start = Math.round(0.01 * sampleRate);
  const responses = Array.from({ length: channels }, (_, ch) => {
    // SN3D diffuse field: the dipole channels carry 1/3 of the omni power.
    const g = format === 'foa' && ch > 0 ? tailGain / Math.sqrt(3) : tailGain;
    const h = new Float32Array(tailLength);
    let energy = 0;
    for (let i = start; i < tailLength; i++) {
      h[i] = rng.gauss() * Math.exp(-decay * i);
      energy += h[i] * h[i];
    }
    const norm = g / Math.sqrt(energy || 1);
    for (let i = 0; i < tailLength; i++) h[i] *= norm;
    return h;
  });
  convolveMany(signal, responses).forEach((y, ch) => {
    for (let i = 0; i < y.length; i++) out[ch][i] += y[i];
  });
  return out;
}

/** A synthesised scene: its audio and its events (file = ''). */
export interface Scene {
  audio: AudioData;
  events: SoundEvent[];
}

/**
 * Synthesises one scene. Events are drawn one by one (a random clip, a random onset, a direction on the grid) and
 * kept when at most `maxOverlap` events sound at any time, concurrent events are `minSeparation` degrees apart
 * and of different classes; drawing stops at `eventRate · seconds` events or after 200 rejected draws. Each event
 * gets 10 ms fades and a gain that puts its RMS `snr` dB above the background's.
 */
export function synthesizeScene(clips: readonly EventClip[], options: SceneOptions, rng: Rng): Scene {
  const { format, sampleRate, seconds } = options;
  const n = Math.round(seconds * sampleRate);
  const maxOverlap = options.maxOverlap ?? 2;
  const minSeparation = options.minSeparation ?? 20;
  const [snrLo, snrHi] = options.snr ?? [5, 30];
  const maxLen = Math.round((options.maxEventSeconds ?? 6) * sampleRate);
  const fade = Math.round((options.fadeSeconds ?? 0.01) * sampleRate);
  const target = Math.max(1, Math.round((options.eventRate ?? 0.35) * seconds));
  if (clips.length === 0) throw new AudioError('BAD_ARGUMENT', 'synthesizeScene: no clips to place.');

  const audio: AudioData = { sampleRate, channels: diffuseNoise(n, format, sampleRate, BACKGROUND_RMS, rng) };
  interface Placed {
    start: number;
    end: number;
    clip: EventClip;
    azimuth: number;
    elevation: number;
    signal: Float32Array;
  }
  const placed: Placed[] = [];
  let rejected = 0;
  const minLen = options.minEventSeconds === undefined ? null : Math.max(2 * fade + 1, Math.round(options.minEventSeconds * sampleRate));
  const speeds = options.speedRange;
  if (speeds && !(speeds[0] > 0 && speeds[1] >= speeds[0])) {
    throw new AudioError('BAD_ARGUMENT', `synthesizeScene: speedRange must be [lo, hi] with 0 < lo <= hi, got [${speeds.join(', ')}].`);
  }
  const eqDb = options.eqDb;
  if (eqDb !== undefined && !(eqDb >= 0 && Number.isFinite(eqDb))) {
    throw new AudioError('BAD_ARGUMENT', `synthesizeScene: eqDb must be a number of dB >= 0, got ${eqDb}.`);
  }
  while (placed.length < target && rejected < 200) {
    const clip = clips[rng.int(clips.length)];
    let srcLen = Math.min(clip.samples.length, maxLen, n);
    if (minLen !== null && srcLen > minLen) srcLen = minLen + rng.int(srcLen - minLen + 1);
    const from = clip.samples.length > srcLen ? rng.int(clip.samples.length - srcLen + 1) : 0;
    // A speed factor f plays the excerpt as if recorded at f · rate: its length becomes srcLen / f. The source rate
    // is rounded to 1/240 of the rate (0.4 % steps), which keeps the resampling ratio one of few exact phases.
    const step = sampleRate / 240;
    const sourceRate = speeds ? Math.max(1, Math.round(Math.round((sampleRate * rng.uniform(speeds[0], speeds[1])) / step) * step)) : sampleRate;
    let len = Math.min(Math.ceil((srcLen * sampleRate) / sourceRate), n);
    if (len < 2 * fade + 1) len = Math.min(clip.samples.length, n);
    const start = rng.int(n - len + 1);
    const end = start + len;
    const azimuth = AZIMUTH_GRID[rng.int(AZIMUTH_GRID.length)];
    const elevation = ELEVATION_GRID[rng.int(ELEVATION_GRID.length)];
    const overlapping = placed.filter((p) => p.start < end && start < p.end);
    // Most concurrent events within [start, end): check every change point.
    let worst = 0;
    for (const t of [start, ...overlapping.map((p) => p.start).filter((s) => s > start)]) {
      worst = Math.max(worst, overlapping.filter((p) => p.start <= t && t < p.end).length);
    }
    const clash = overlapping.some(
      (p) => p.clip.class === clip.class || angularDistance(p.azimuth, p.elevation, azimuth, elevation) < minSeparation,
    );
    if (worst + 1 > maxOverlap || clash) {
      rejected++;
      continue;
    }
    const excerpt = clip.samples.subarray(from, from + srcLen);
    let signal: Float32Array = new Float32Array(len);
    signal.set((sourceRate === sampleRate ? excerpt : resample(excerpt, sourceRate, sampleRate)).subarray(0, len));
    if (eqDb) signal = randomEqualize(signal, sampleRate, eqDb, rng);
    for (let i = 0; i < fade && i < len; i++) {
      const g = 0.5 - 0.5 * Math.cos((Math.PI * (i + 0.5)) / fade);
      signal[i] *= g;
      signal[len - 1 - i] *= g;
    }
    const snr = rng.uniform(snrLo, snrHi);
    const gain = (BACKGROUND_RMS * Math.pow(10, snr / 20)) / (rms(signal) || 1);
    for (let i = 0; i < len; i++) signal[i] *= gain;
    placed.push({ start, end, clip, azimuth, elevation, signal });
  }
  for (const p of placed) {
    const direct = spatialize(p.signal, format, p.azimuth, p.elevation, sampleRate);
    direct.forEach((c, ch) => {
      const dst = audio.channels[ch];
      for (let i = 0; i < c.length; i++) dst[p.start + i] += c[i];
    });
    if (options.reverb) {
      reverberate(p.signal, format, sampleRate, rng).forEach((c, ch) => {
        const dst = audio.channels[ch];
        for (let i = 0; i < c.length && p.start + i < n; i++) dst[p.start + i] += c[i];
      });
    }
  }
  // Keep clear of clipping: scale the whole scene (labels are unaffected).
  let peak = 0;
  for (const c of audio.channels) for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(c[i]));
  if (peak > 0.95) {
    const g = 0.95 / peak;
    for (const c of audio.channels) for (let i = 0; i < n; i++) c[i] *= g;
  }
  placed.sort((a, b) => a.start - b.start);
  const events: SoundEvent[] = placed.map((p) => ({
    file: '',
    onset: p.start / sampleRate,
    offset: p.end / sampleRate,
    class: p.clip.class,
    azimuth: format === 'mono' ? null : p.azimuth,
    elevation: format === 'mono' ? null : p.elevation,
  }));
  return { audio, events };
}

// ---------------------------------------------------------------------------------------------------------------
// A folder of scenes
// ---------------------------------------------------------------------------------------------------------------

export interface SynthesizeScenesOptions extends Omit<SceneOptions, 'sampleRate'> {
  /** Folder of mono event clips. */
  events: string;
  /** The clips' label file (default `<events>/labels.csv`). */
  labels?: string;
  /** Output folder (created). */
  out: string;
  count: number;
  seed: number;
  /** Scene sample rate. Default 24000 (the DCASE 2020 baseline's rate). */
  sampleRate?: number;
  include?: readonly string[];
  exclude?: readonly string[];
  part?: 'all' | 'train' | 'test';
  testFraction?: number;
  /** Show a progress bar. Default true. */
  progress?: boolean;
}

/** What `synthesizeScenes` writes to `scenes.json` beside the scenes. */
export interface SceneManifest {
  format: SceneFormat;
  sampleRate: number;
  seconds: number;
  seed: number;
  part: 'all' | 'train' | 'test';
  testFraction: number;
  reverb: boolean;
  /** Augmentation settings, when used (see `SceneOptions`). */
  minEventSeconds?: number;
  speedRange?: [number, number];
  eqDb?: number;
  /** Every class of the clips' label file: the class list of a model trained on these scenes. */
  classes: string[];
  clips: string[];
  scenes: { audio: string; labels: string; events: number }[];
}

/**
 * Writes `count` scenes to `out` as `scene_0001.wav` (16-bit PCM) with `scene_0001.csv` (DCASE 2019 labels), and
 * `scenes.json` (a `SceneManifest`). The same options and seed give the same files.
 */
export function synthesizeScenes(options: SynthesizeScenesOptions): SceneManifest {
  const sampleRate = options.sampleRate ?? 24000;
  if (!Number.isInteger(options.count) || options.count < 1) {
    throw new AudioError('BAD_ARGUMENT', `--count must be a positive integer, got ${options.count}.`);
  }
  if (!(options.seconds >= 1)) throw new AudioError('BAD_ARGUMENT', `--seconds must be at least 1, got ${options.seconds}.`);
  if (!SCENE_FORMATS.includes(options.format)) {
    throw new AudioError('BAD_ARGUMENT', `--format must be one of ${SCENE_FORMATS.join(', ')}, got '${options.format}'.`);
  }
  const labels = options.labels ?? path.join(options.events, 'labels.csv');
  const part = options.part ?? 'all';
  const testFraction = options.testFraction ?? 0.3;
  const { clips, classes } = loadEventClips(options.events, labels, {
    sampleRate,
    include: options.include,
    exclude: options.exclude,
    part,
    testFraction,
  });
  fs.mkdirSync(options.out, { recursive: true });
  const rng = new Rng(options.seed);
  const manifest: SceneManifest = {
    format: options.format,
    sampleRate,
    seconds: options.seconds,
    seed: options.seed,
    part,
    testFraction,
    reverb: !!options.reverb,
    ...(options.minEventSeconds === undefined ? {} : { minEventSeconds: options.minEventSeconds }),
    ...(options.speedRange === undefined ? {} : { speedRange: options.speedRange }),
    ...(options.eqDb === undefined ? {} : { eqDb: options.eqDb }),
    classes,
    clips: clips.map((c) => c.file),
    scenes: [],
  };
  const bar = options.progress === false ? null : new ProgressBar(options.count, { label: 'synth-scenes' });
  for (let i = 0; i < options.count; i++) {
    const name = `scene_${String(i + 1).padStart(4, '0')}`;
    const scene = synthesizeScene(clips, { ...options, sampleRate }, rng);
    writeWav(path.join(options.out, `${name}.wav`), scene.audio, { format: 'pcm16' });
    atomicWriteFile(path.join(options.out, `${name}.csv`), formatSceneLabels(scene.events));
    manifest.scenes.push({ audio: `${name}.wav`, labels: `${name}.csv`, events: scene.events.length });
    bar?.tick();
  }
  bar?.finish();
  atomicWriteFile(path.join(options.out, 'scenes.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
