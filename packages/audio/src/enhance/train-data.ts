/**
 * Where enhancement training gets its (clean target, noisy input) pairs:
 *
 * - `corpusData`: a manifest written by `npm run data:enhance` (speech, noise and music, each with its split); training
 *   mixes the train split, validation the validation split. The test split is never read here.
 * - `folderData`: a folder of clean speech and one of noise (validation: a fixed fraction of the speech files).
 * - `pairedData`: VoiceBank+DEMAND layout, a clean folder and a noisy folder with the same file names.
 *
 * Corpus and folder data are mixed on the fly (`MixSettings`): speech with random EQ, reverberation from a synthetic
 * room response in `reverbProbability` of mixtures (target: the direct path plus early reflections, the first 50 ms of
 * the response, so the model removes noise and late reverberation but does not have to undo the early colouring),
 * one noise or two (`secondNoiseProbability`), each recorded noise, music or babble (several crops of speakers of the
 * same split summed), each with its own random EQ, at an SNR uniform in [minSnrDb, maxSnrDb] against the reverberant
 * speech, then scaled to a level uniform in [minLevelDb, maxLevelDb] dBFS RMS without clipping. Nearly clean inputs,
 * from which the model must learn to pass speech through unchanged: `nearCleanProbability` of mixtures take their SNR
 * from [nearCleanMinSnrDb, nearCleanMaxSnrDb] (30-40 dB) instead, and `noiseFreeProbability` of them have no
 * interferer at all (the input is the speech as heard, reverberant when reverberation was drawn). Both default to 0,
 * which also leaves the random draws, and so a seeded run, as they were before these options existed. Likewise
 * `steadyProbability` (default 0) replaces that share of the noises drawn by synthetic steady noises (drones, wind,
 * coloured noise: ./steady-noise.ts), which carry no equaliser of their own (their spectra are already random), and
 * `whisperProbability` (default 0) makes that share of the speech a whisper (./whisper.ts) before anything else, the
 * whisper being the target. Validation mixes neither.
 */
import * as fs from 'fs';
import * as path from 'path';
import { random } from '@gatewave/core';
import { AudioError } from '../errors';
import { readWav } from '../io/wav';
import { resample } from '../io/resample';
import { babble, convolve, randomEq, rms, syntheticRir } from './augment';
import { readManifest } from './manifest';
import { steadyNoise } from './steady-noise';
import { whisper } from './whisper';

export { readManifest, type ManifestRow } from './manifest';

/** One training example: the target the model should output and the input it gets, same length. */
export interface Pair {
  clean: Float32Array;
  noisy: Float32Array;
}

export interface MixSettings {
  minSnrDb: number;
  maxSnrDb: number;
  minLevelDb: number;
  maxLevelDb: number;
  reverbProbability: number;
  eqProbability: number;
  secondNoiseProbability: number;
  /** Of the noises drawn: the share that is babble, and the share that is music (when there is music). */
  babbleProbability: number;
  musicProbability: number;
  /** Share of mixtures at an SNR uniform in [nearCleanMinSnrDb, nearCleanMaxSnrDb] instead of [minSnrDb, maxSnrDb]. */
  nearCleanProbability: number;
  nearCleanMinSnrDb: number;
  nearCleanMaxSnrDb: number;
  /** Share of mixtures with no noise: the input is the (possibly reverberant) speech alone. */
  noiseFreeProbability: number;
  /** Of the noises drawn: the share that is a synthetic steady noise (./steady-noise.ts) instead of a recording. */
  steadyProbability: number;
  /** Share of mixtures whose speech is made a whisper first (./whisper.ts); target and input are the whisper. */
  whisperProbability: number;
}

export const DEFAULT_MIX: MixSettings = {
  minSnrDb: -5,
  maxSnrDb: 20,
  minLevelDb: -40,
  maxLevelDb: -15,
  reverbProbability: 0.4,
  eqProbability: 0.5,
  secondNoiseProbability: 0.4,
  babbleProbability: 0.15,
  musicProbability: 0.2,
  nearCleanProbability: 0,
  nearCleanMinSnrDb: 30,
  nearCleanMaxSnrDb: 40,
  noiseFreeProbability: 0,
  steadyProbability: 0,
  whisperProbability: 0,
};

/** Checks the settings a user can give; an error names the one out of range. */
export function checkMix(m: MixSettings): void {
  const share = (name: keyof MixSettings): void => {
    if (!(m[name] >= 0 && m[name] <= 1))
      throw new AudioError('BAD_ARGUMENT', `${name} must be a probability in [0, 1], got ${m[name]}.`);
  };
  for (const k of [
    'reverbProbability',
    'eqProbability',
    'secondNoiseProbability',
    'babbleProbability',
    'musicProbability',
    'nearCleanProbability',
    'noiseFreeProbability',
    'steadyProbability',
    'whisperProbability',
  ] as const)
    share(k);
  if (m.nearCleanProbability + m.noiseFreeProbability > 1)
    throw new AudioError('BAD_ARGUMENT', 'nearCleanProbability + noiseFreeProbability must not exceed 1.');
  if (m.babbleProbability + m.musicProbability > 1)
    throw new AudioError('BAD_ARGUMENT', 'babbleProbability + musicProbability must not exceed 1.');
  if (!(m.minSnrDb <= m.maxSnrDb) || !(m.nearCleanMinSnrDb <= m.nearCleanMaxSnrDb))
    throw new AudioError('BAD_ARGUMENT', 'an SNR range must have its minimum no larger than its maximum.');
  if (!(m.minLevelDb <= m.maxLevelDb && m.maxLevelDb <= 0))
    throw new AudioError(
      'BAD_ARGUMENT',
      `the level range must have its minimum no larger than its maximum, at most 0 dBFS; got ${m.minLevelDb} to ${m.maxLevelDb}.`,
    );
}

/** Draws examples of a given length in samples. */
export interface PairSource {
  /** What it holds, for the log. */
  describe(): string;
  draw(length: number): Pair;
}

export interface TrainingData {
  train: PairSource;
  validation: PairSource;
  /** Where it came from, for the model's metadata. */
  origin: Record<string, unknown>;
}

/** Mono samples of a WAV file at `rate`, stored as 16-bit to halve memory. */
function loadClip(file: string, rate: number): Int16Array {
  const a = readWav(file);
  const n = a.channels[0].length;
  let mono: Float32Array = new Float32Array(n);
  for (const c of a.channels) for (let i = 0; i < n; i++) mono[i] += c[i] / a.channels.length;
  if (a.sampleRate !== rate) mono = resample(mono, a.sampleRate, rate);
  const out = new Int16Array(mono.length);
  for (let i = 0; i < mono.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(mono[i] * 32767)));
  return out;
}

/** A random `len`-sample piece of `x` (looped when `loop` and x is short, else zero-padded at a random place). */
export function crop(x: Int16Array | Float32Array, len: number, loop: boolean, offset?: number): Float32Array {
  const out = new Float32Array(len);
  const scale = x instanceof Int16Array ? 1 / 32767 : 1;
  if (x.length >= len) {
    const s = offset ?? Math.floor(random() * (x.length - len + 1));
    for (let i = 0; i < len; i++) out[i] = x[s + i] * scale;
  } else if (loop) {
    let s = Math.floor(random() * x.length);
    for (let i = 0; i < len; i++) {
      out[i] = x[s] * scale;
      s = s + 1 === x.length ? 0 : s + 1;
    }
  } else {
    const at = Math.floor(random() * (len - x.length + 1));
    for (let i = 0; i < x.length; i++) out[at + i] = x[i] * scale;
  }
  return out;
}

const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];

/** Mixes on the fly from pools of speech, noise and music clips (see the module comment). */
export class MixingSource implements PairSource {
  constructor(
    readonly name: string,
    readonly speech: Int16Array[],
    readonly noise: Int16Array[],
    readonly music: Int16Array[],
    readonly rate: number,
    readonly mix: MixSettings,
  ) {
    if (speech.length < 1) throw new AudioError('BAD_ARGUMENT', `${name}: no speech files to mix.`);
    if (noise.length + music.length < 1)
      throw new AudioError('BAD_ARGUMENT', `${name}: no noise or music files to mix.`);
  }

  describe(): string {
    const extras = [
      this.mix.steadyProbability > 0 ? `synthetic steady noise, share ${this.mix.steadyProbability}` : '',
      this.mix.whisperProbability > 0 ? `whispered speech, share ${this.mix.whisperProbability}` : '',
    ].filter(Boolean);
    const extra = extras.length ? ` (+ ${extras.join('; ')})` : '';
    return `${this.name}: ${this.speech.length} speech, ${this.noise.length} noise, ${this.music.length} music files${extra}`;
  }

  private interferer(len: number): Float32Array {
    const m = this.mix;
    if (m.steadyProbability > 0 && random() < m.steadyProbability) return steadyNoise(len, this.rate);
    const u = random();
    let z: Float32Array;
    if (u < m.babbleProbability && this.speech.length >= 3) {
      const talkers = 3 + Math.floor(random() * 4);
      z = babble(Array.from({ length: talkers }, () => crop(pick(this.speech), len, true)));
    } else if ((u < m.babbleProbability + m.musicProbability && this.music.length > 0) || this.noise.length === 0) {
      z = crop(pick(this.music), len, true);
    } else z = crop(pick(this.noise), len, true);
    return random() < m.eqProbability ? randomEq(z, this.rate) : z;
  }

  draw(len: number): Pair {
    const m = this.mix;
    let dry = crop(pick(this.speech), len, false);
    if (m.whisperProbability > 0 && random() < m.whisperProbability) dry = whisper(dry);
    if (random() < m.eqProbability) dry = randomEq(dry, this.rate);
    let target = dry;
    let heard = dry;
    if (random() < m.reverbProbability) {
      const rir = syntheticRir(this.rate);
      heard = convolve(dry, rir.full);
      target = convolve(dry, rir.early);
    }
    // one draw decides noise-free / nearly clean / ordinary, made only when those options are on (see module comment)
    const u = m.noiseFreeProbability + m.nearCleanProbability > 0 ? random() : 1;
    if (u < m.noiseFreeProbability)
      return scalePair(target, heard, m.minLevelDb + random() * (m.maxLevelDb - m.minLevelDb));
    let noise = this.interferer(len);
    if (random() < m.secondNoiseProbability) {
      const second = this.interferer(len);
      const g = (rms(noise) / rms(second)) * 10 ** ((-10 + random() * 15) / 20);
      for (let i = 0; i < len; i++) noise[i] += g * second[i];
    }
    const [lo, hi] =
      u < m.noiseFreeProbability + m.nearCleanProbability
        ? [m.nearCleanMinSnrDb, m.nearCleanMaxSnrDb]
        : [m.minSnrDb, m.maxSnrDb];
    const snr = lo + random() * (hi - lo);
    const gain = rms(heard) / (rms(noise) * 10 ** (snr / 20));
    const noisy = new Float32Array(len);
    for (let i = 0; i < len; i++) noisy[i] = heard[i] + gain * noise[i];
    noise = new Float32Array(0);
    return scalePair(target, noisy, m.minLevelDb + random() * (m.maxLevelDb - m.minLevelDb));
  }
}

/**
 * What validation mixes (see ./validation.ts): none of the training-only shares, i.e. no nearly clean or noise-free
 * inputs, no synthetic steady noise and no whispers, and the default shares of babble and music, so models are chosen
 * on recorded validation data and the validation set is the same with and without those options.
 */
export function validationMix(m: MixSettings): MixSettings {
  return {
    ...m,
    babbleProbability: DEFAULT_MIX.babbleProbability,
    musicProbability: DEFAULT_MIX.musicProbability,
    nearCleanProbability: 0,
    noiseFreeProbability: 0,
    steadyProbability: 0,
    whisperProbability: 0,
  };
}

/** A mixing source's clips with changed settings (any other source as it is). */
export function remix(s: PairSource, change: (m: MixSettings) => MixSettings): PairSource {
  return s instanceof MixingSource ? new MixingSource(s.name, s.speech, s.noise, s.music, s.rate, change(s.mix)) : s;
}

/** Scales target and input together so the input's RMS is `levelDb` dBFS (lower if its peak would pass 0.99). */
export function scalePair(clean: Float32Array, noisy: Float32Array, levelDb: number): Pair {
  let scale = 10 ** (levelDb / 20) / rms(noisy);
  let peak = 0;
  for (let i = 0; i < noisy.length; i++) peak = Math.max(peak, Math.abs(noisy[i]), Math.abs(clean[i]));
  if (peak * scale > 0.99) scale = 0.99 / peak;
  const c = new Float32Array(clean.length);
  const n = new Float32Array(noisy.length);
  for (let i = 0; i < n.length; i++) {
    c[i] = clean[i] * scale;
    n[i] = noisy[i] * scale;
  }
  return { clean: c, noisy: n };
}

/** Training and validation sources from a corpus manifest. */
export function corpusData(manifest: string, rate: number, mix: MixSettings, log: (m: string) => void): TrainingData {
  const rows = readManifest(manifest);
  const load = (split: string, role: string): Int16Array[] =>
    rows.filter((r) => r.split === split && r.role === role).map((r) => loadClip(r.file, rate));
  log(`reading ${manifest} (${rows.length} files; the test split is not read)`);
  const make = (split: string): MixingSource =>
    new MixingSource(split, load(split, 'speech'), load(split, 'noise'), load(split, 'music'), rate, mix);
  const count = (split: string, role: string): number =>
    rows.filter((r) => r.split === split && r.role === role).length;
  for (const split of ['train', 'validation']) {
    if (count(split, 'speech') === 0)
      throw new AudioError('BAD_ARGUMENT', `${manifest}: no speech files in the ${split} split.`);
  }
  return {
    train: make('train'),
    validation: remix(make('validation'), validationMix),
    origin: {
      manifest: path.resolve(manifest),
      speechFiles: count('train', 'speech'),
      noiseFiles: count('train', 'noise'),
      musicFiles: count('train', 'music'),
    },
  };
}

/** Every `.wav` under `dir` (recursively), sorted; an error when there is none. */
export function listWavs(dir: string, what = 'WAV'): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new AudioError('FILE_NOT_FOUND', `${dir}: no such directory of ${what} files.`);
  }
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.wav$/i.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Loads each file, leaving out (and logging) the ones that cannot be read or hold no samples. */
function loadUsable(files: string[], rate: number, log: (m: string) => void): { files: string[]; clips: Int16Array[] } {
  const kept: string[] = [];
  const clips: Int16Array[] = [];
  for (const f of files) {
    try {
      const c = loadClip(f, rate);
      if (c.length === 0) throw new Error('no samples');
      kept.push(f);
      clips.push(c);
    } catch (e) {
      log(`warning: ${f}: left out (${(e as Error).message})`);
    }
  }
  return { files: kept, clips };
}

/** Training and validation sources from a speech folder and a noise folder (validation: held-back speech files). */
export function folderData(
  o: { speechDir: string; noiseDir: string; exclude: string[]; validationFraction: number },
  rate: number,
  mix: MixSettings,
  shuffleFn: <T>(xs: T[]) => T[],
  log: (m: string) => void,
): TrainingData {
  const keep = (f: string): boolean => !o.exclude.some((x) => f.includes(x));
  const speech = loadUsable(listWavs(o.speechDir, 'speech WAV').filter(keep), rate, log);
  const noise = loadUsable(listWavs(o.noiseDir, 'noise WAV').filter(keep), rate, log);
  if (speech.clips.length < 2)
    throw new AudioError(
      'BAD_ARGUMENT',
      `${o.speechDir}: needs at least 2 usable speech WAV files, found ${speech.clips.length}.`,
    );
  if (noise.clips.length < 1)
    throw new AudioError('BAD_ARGUMENT', `${o.noiseDir}: needs at least 1 usable noise WAV file, found none.`);
  const order = shuffleFn(speech.clips.map((_, i) => i));
  const nVal = Math.max(1, Math.round(speech.clips.length * o.validationFraction));
  const val = new Set(order.slice(0, nVal));
  const pickClips = (inVal: boolean): Int16Array[] => speech.clips.filter((_, i) => val.has(i) === inVal);
  return {
    train: new MixingSource('train', pickClips(false), noise.clips, [], rate, mix),
    validation: new MixingSource('validation', pickClips(true), noise.clips, [], rate, validationMix(mix)),
    origin: {
      speech: path.resolve(o.speechDir),
      noise: path.resolve(o.noiseDir),
      exclude: o.exclude,
      speechFiles: speech.clips.length - nVal,
      noiseFiles: noise.clips.length,
    },
  };
}

/** Draws aligned crops of (clean, noisy) file pairs at a random level (the pair's own SNR is kept). */
export class PairedSource implements PairSource {
  constructor(
    readonly name: string,
    readonly pairs: Array<[Int16Array, Int16Array]>,
    readonly mix: MixSettings,
  ) {}

  describe(): string {
    return `${this.name}: ${this.pairs.length} clean/noisy pairs`;
  }

  draw(len: number): Pair {
    const [c, n] = pick(this.pairs);
    const m = Math.min(c.length, n.length);
    let clean: Float32Array;
    let noisy: Float32Array;
    if (m >= len) {
      const s = Math.floor(random() * (m - len + 1));
      clean = crop(c, len, false, s);
      noisy = crop(n, len, false, s);
    } else {
      const at = Math.floor(random() * (len - m + 1));
      clean = new Float32Array(len);
      noisy = new Float32Array(len);
      clean.set(crop(c.subarray(0, m), m, false, 0), at);
      noisy.set(crop(n.subarray(0, m), m, false, 0), at);
    }
    return scalePair(clean, noisy, this.mix.minLevelDb + random() * (this.mix.maxLevelDb - this.mix.minLevelDb));
  }
}

/**
 * Paired training data in the VoiceBank+DEMAND layout: `cleanDir` and `noisyDir` hold the same file names (relative
 * paths). Names present in only one folder are an error that lists them. Validation: held-back pairs.
 */
export function pairedData(
  o: { cleanDir: string; noisyDir: string; validationFraction: number },
  rate: number,
  mix: MixSettings,
  shuffleFn: <T>(xs: T[]) => T[],
  log: (m: string) => void,
): TrainingData {
  const rel = (dir: string): string[] => listWavs(dir).map((f) => path.relative(dir, f));
  const clean = rel(o.cleanDir);
  const noisy = rel(o.noisyDir);
  const cs = new Set(clean);
  const ns = new Set(noisy);
  const onlyClean = clean.filter((f) => !ns.has(f));
  const onlyNoisy = noisy.filter((f) => !cs.has(f));
  if (onlyClean.length + onlyNoisy.length > 0) {
    const show = (xs: string[]): string =>
      `${xs.slice(0, 10).join(', ')}${xs.length > 10 ? ` and ${xs.length - 10} more` : ''}`;
    const parts = [];
    if (onlyClean.length > 0) parts.push(`${onlyClean.length} in ${o.cleanDir} only (${show(onlyClean)})`);
    if (onlyNoisy.length > 0) parts.push(`${onlyNoisy.length} in ${o.noisyDir} only (${show(onlyNoisy)})`);
    throw new AudioError(
      'BAD_ARGUMENT',
      `--clean and --noisy must hold the same file names; unpaired: ${parts.join('; ')}.`,
    );
  }
  if (clean.length < 2)
    throw new AudioError(
      'BAD_ARGUMENT',
      `${o.cleanDir}: needs at least 2 clean/noisy WAV pairs, found ${clean.length}.`,
    );
  const pairs: Array<[Int16Array, Int16Array]> = [];
  for (const f of clean) {
    const c = loadUsable([path.join(o.cleanDir, f)], rate, log).clips[0];
    const n = loadUsable([path.join(o.noisyDir, f)], rate, log).clips[0];
    if (c && n) pairs.push([c, n]);
  }
  if (pairs.length < 2)
    throw new AudioError(
      'BAD_ARGUMENT',
      `${o.cleanDir}: needs at least 2 usable clean/noisy pairs, found ${pairs.length}.`,
    );
  const order = shuffleFn(pairs.map((_, i) => i));
  const nVal = Math.max(1, Math.round(pairs.length * o.validationFraction));
  const val = new Set(order.slice(0, nVal));
  return {
    train: new PairedSource(
      'train',
      pairs.filter((_, i) => !val.has(i)),
      mix,
    ),
    validation: new PairedSource(
      'validation',
      pairs.filter((_, i) => val.has(i)),
      mix,
    ),
    origin: { clean: path.resolve(o.cleanDir), noisy: path.resolve(o.noisyDir), pairs: pairs.length - nVal },
  };
}
