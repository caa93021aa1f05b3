/**
 * Scene synthesis for sound event localisation and detection: mono clips placed at random onsets and directions,
 * spatialised for an ambisonic (FOA), a 4-microphone tetrahedral array (mic4, as DCASE's MIC) or a mono recording, over a diffuse
 * background, with optional reverberation, and labelled in the DCASE 2019 form.
 */
import * as fs from 'fs';
import * as path from 'path';
import { atomicWriteFile, ProgressBar, Rng } from '@gatewave/core';
import { AudioError } from '../../errors';
import { AudioData, writeWav } from '../../io/wav';
import { resample } from '../../io/resample';
import { formatSceneLabels, SoundEvent } from '../events';
import { angularDistance } from '../geometry';
import { SCENE_FORMATS, SceneFormat } from '../format';
import { diffuseAmbience, diffuseNoise, rms, spatialize } from './spatial';
import { randomEqualize, reverberate } from './augment';
import { EventClip, loadAmbience, loadEventClips, loadInterferers } from './clips';
import { activeSpans, BRIDGED_GAP_SECONDS, clipActivity } from './activity';

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
   * so that a model also sees short events that start and stop mid-sound. The excerpt is trimmed to its sounding
   * frames (within 20 dB of the clip's loudest 20 ms frame), pauses of 0.3 s or more inside it are not labelled, an
   * excerpt with no sounding frame is drawn again, and its gain comes from the whole clip's RMS. Default: the whole
   * clip.
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
  /**
   * Event directions: 'grid' (azimuth every 10°, elevation every 10° in [−40, 40], as the DCASE 2019 data) or
   * 'continuous' (azimuth uniform in [−180, 180), elevation uniform in [−45, 45], to 0.1°). Default 'grid'.
   */
  directions?: 'grid' | 'continuous';
  /**
   * Real ambience recordings (mono, at the scene rate) for the background: each scene picks one and plays it as a
   * diffuse field (`diffuseAmbience`) instead of pink noise. Default: pink noise.
   */
  ambience?: readonly Float32Array[];
  /** Background level range in dB around the default level (the events' SNR is relative to it). Default [0, 0]. */
  backgroundDb?: [number, number];
  /** Reverberation time range (s) of the rooms drawn with `reverb`. Default [0.2, 0.6]. */
  rt60?: [number, number];
  /**
   * Training augmentation: directional interferers, as in the DCASE 2021 data. Mono recordings of sounds that are
   * none of the classes, placed like events (a random excerpt up to `maxEventSeconds`, onset, direction, `snr` over
   * the background, the `eqDb` colouration, the room) but never labelled, and free to overlap anything, so that a
   * model learns not to report every sound it hears. Default: none.
   */
  interferers?: readonly Float32Array[];
  /** Interferers per second of scene, with `interferers` (the count is rounded, at least 1). Default 0.1. */
  interfererRate?: number;
}

/** The direction grid: azimuth every 10° in [−180, 180), elevation every 10° in [−40, 40]. */
export const AZIMUTH_GRID = Array.from({ length: 36 }, (_, i) => -180 + 10 * i);
export const ELEVATION_GRID = [-40, -30, -20, -10, 0, 10, 20, 30, 40];

/** Background noise level (RMS of the omnidirectional channel, linear). */
const BACKGROUND_RMS = 0.003;

/** A random event direction: on the grid, or continuous (see `SceneOptions.directions`). */
function drawDirection(options: SceneOptions, rng: Rng): { azimuth: number; elevation: number } {
  if (options.directions === 'continuous') {
    return { azimuth: Math.round(rng.uniform(-1800, 1800)) / 10, elevation: Math.round(rng.uniform(-450, 450)) / 10 };
  }
  return {
    azimuth: AZIMUTH_GRID[rng.int(AZIMUTH_GRID.length)],
    elevation: ELEVATION_GRID[rng.int(ELEVATION_GRID.length)],
  };
}

/** The scene's background: pink noise or a real ambience, diffuse, at the default level moved by `backgroundDb`. */
function background(n: number, options: SceneOptions, rng: Rng): { channels: Float32Array[]; level: number } {
  const [lo, hi] = options.backgroundDb ?? [0, 0];
  const level = BACKGROUND_RMS * Math.pow(10, (lo === hi ? lo : rng.uniform(lo, hi)) / 20);
  const { format, sampleRate } = options;
  const amb = options.ambience;
  if (amb && amb.length > 0)
    return { channels: diffuseAmbience(amb[rng.int(amb.length)], n, format, sampleRate, level, rng), level };
  return { channels: diffuseNoise(n, format, sampleRate, level, rng), level };
}

/**
 * How sounds are placed in a scene of `options`, in samples: scene length, longest sound (no longer than the scene),
 * fade; and the SNR range.
 */
function placement(options: SceneOptions): { n: number; maxLen: number; fade: number; snr: [number, number] } {
  const { sampleRate } = options;
  const n = Math.round(options.seconds * sampleRate);
  return {
    n,
    maxLen: Math.min(n, Math.round((options.maxEventSeconds ?? 6) * sampleRate)),
    fade: Math.round((options.fadeSeconds ?? 0.01) * sampleRate),
    snr: options.snr ?? [5, 30],
  };
}

/** The gain that puts a sound of RMS `level` a random `snr` dB (drawn from `rng`) above the background's RMS. */
function snrGain(level: number, backgroundLevel: number, snr: [number, number], rng: Rng): number {
  return (backgroundLevel * Math.pow(10, rng.uniform(snr[0], snr[1]) / 20)) / (level || 1);
}

/**
 * The scene's interferers (see `SceneOptions.interferers`): each a random excerpt of a random recording with 10 ms
 * fades, at a random onset and direction and `snr` dB over the background. None without `interferers`.
 */
function drawInterferers(options: SceneOptions, backgroundLevel: number, rng: Rng): Sounding[] {
  const pool = options.interferers;
  if (!pool || pool.length === 0) return [];
  const { sampleRate } = options;
  const rate = options.interfererRate ?? 0.1;
  const { n, maxLen, fade, snr } = placement(options);
  const count = Math.max(1, Math.round(rate * options.seconds));
  return Array.from({ length: count }, () => {
    const source = pool[rng.int(pool.length)];
    const len = Math.max(1, Math.min(source.length, maxLen));
    const from = rng.int(source.length - len + 1);
    let signal: Float32Array = source.slice(from, from + len);
    if (options.eqDb) signal = randomEqualize(signal, sampleRate, options.eqDb, rng);
    applyFades(signal, Math.min(fade, Math.floor(len / 2)));
    const gain = snrGain(rms(signal), backgroundLevel, snr, rng);
    for (let i = 0; i < len; i++) signal[i] *= gain;
    const start = rng.int(n - len + 1);
    return { start, end: start + len, ...drawDirection(options, rng), signal };
  });
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
 * gets 10 ms fades and a gain that puts its RMS `snr` dB above the background's (an excerpt, with
 * `minEventSeconds`: its whole clip's RMS; see `drawExcerpt`, which also labels only its sounding spans).
 * Interferers (`SceneOptions.interferers`) are drawn after the events, from `interfererRng` when given: with their own
 * generator, a series of scenes has the same events and background with interferers as without.
 */
export function synthesizeScene(
  clips: readonly EventClip[],
  options: SceneOptions,
  rng: Rng,
  interfererRng: Rng = rng,
): Scene {
  const { format, sampleRate, seconds } = options;
  const { n, maxLen, fade, snr } = placement(options);
  const target = Math.max(1, Math.round((options.eventRate ?? 0.35) * seconds));
  if (clips.length === 0) throw new AudioError('BAD_ARGUMENT', 'synthesizeScene: no clips to place.');

  const bg = background(n, options, rng);
  const audio: AudioData = { sampleRate, channels: bg.channels };
  const placed: Placed[] = [];
  let rejected = 0;
  const minLen =
    options.minEventSeconds === undefined
      ? null
      : Math.max(2 * fade + 1, Math.round(options.minEventSeconds * sampleRate));
  const speeds = options.speedRange;
  const eqDb = options.eqDb;
  checkAugmentation(options);
  while (placed.length < target && rejected < 200) {
    const clip = clips[rng.int(clips.length)];
    const cut = drawExcerpt(clip, minLen, maxLen, sampleRate, rng);
    // A speed factor f plays the excerpt as if recorded at f · rate: its length becomes srcLen / f. The source rate
    // is rounded to 1/240 of the rate (0.4 % steps), which keeps the resampling ratio one of few exact phases.
    const step = sampleRate / 240;
    const sourceRate = speeds
      ? Math.max(1, Math.round(Math.round((sampleRate * rng.uniform(speeds[0], speeds[1])) / step) * step))
      : sampleRate;
    let len = Math.min(Math.ceil((cut.srcLen * sampleRate) / sourceRate), n);
    if (len < 2 * fade + 1 && !cut.spans) len = Math.min(clip.samples.length, n);
    const start = rng.int(n - len + 1);
    const end = start + len;
    const { azimuth, elevation } = drawDirection(options, rng);
    if (!cut.srcLen || len < 2 * fade + 1 || clashes(placed, clip, start, end, azimuth, elevation, options)) {
      rejected++;
      continue;
    }
    const excerpt = clip.samples.subarray(cut.from, cut.from + cut.srcLen);
    let signal: Float32Array = new Float32Array(len);
    signal.set((sourceRate === sampleRate ? excerpt : resample(excerpt, sourceRate, sampleRate)).subarray(0, len));
    const raw = rms(signal);
    if (eqDb) signal = randomEqualize(signal, sampleRate, eqDb, rng);
    // An excerpt is scaled as its whole clip would be (times the EQ's change of level), not by its own RMS, which
    // in a quiet stretch would lift recording noise to the event's level.
    const clipLevel = (cut.clipRms * rms(signal)) / (raw || 1);
    applyFades(signal, fade);
    const level = cut.spans ? clipLevel : rms(signal);
    const gain = snrGain(level, bg.level, snr, rng);
    for (let i = 0; i < len; i++) signal[i] *= gain;
    const spans = cut.spans?.map(([a, b]): [number, number] => [
      Math.min(len, Math.round((a * sampleRate) / sourceRate)),
      Math.min(len, Math.round((b * sampleRate) / sourceRate)),
    ]);
    placed.push({ start, end, clip, azimuth, elevation, signal, spans });
  }
  mixPlaced(audio, placed, options, rng);
  mixPlaced(audio, drawInterferers(options, bg.level, interfererRng), options, interfererRng);
  limitPeak(audio.channels, 0.95);
  placed.sort((a, b) => a.start - b.start);
  const events: SoundEvent[] = placed.flatMap((p) =>
    (p.spans ?? [[0, p.end - p.start]]).map(([a, b]) => ({
      file: '',
      onset: (p.start + a) / sampleRate,
      offset: (p.start + b) / sampleRate,
      class: p.clip.class,
      azimuth: format === 'mono' ? null : p.azimuth,
      elevation: format === 'mono' ? null : p.elevation,
    })),
  );
  events.sort((a, b) => a.onset - b.onset);
  return { audio, events };
}

/** A sound placed in a scene: its span in samples, direction and shaped mono signal. */
interface Sounding {
  start: number;
  end: number;
  azimuth: number;
  elevation: number;
  signal: Float32Array;
}

/** An event placed in a scene: a sound of a labelled clip. */
interface Placed extends Sounding {
  clip: EventClip;
  /** With excerpts: the sounding spans [start, end) in samples from `start`, each one labelled event. */
  spans?: Array<[number, number]>;
}

/**
 * Whether an event of `clip` at [start, end) and this direction cannot join `placed`: more than `maxOverlap`
 * events at once, or a concurrent event of the same class or closer than `minSeparation` degrees.
 */
function clashes(
  placed: readonly Placed[],
  clip: EventClip,
  start: number,
  end: number,
  azimuth: number,
  elevation: number,
  options: SceneOptions,
): boolean {
  const overlapping = placed.filter((p) => p.start < end && start < p.end);
  // Most concurrent events within [start, end): check every change point.
  let worst = 0;
  for (const t of [start, ...overlapping.map((p) => p.start).filter((s) => s > start)]) {
    worst = Math.max(worst, overlapping.filter((p) => p.start <= t && t < p.end).length);
  }
  const minSeparation = options.minSeparation ?? 20;
  return (
    worst + 1 > (options.maxOverlap ?? 2) ||
    overlapping.some(
      (p) => p.clip.class === clip.class || angularDistance(p.azimuth, p.elevation, azimuth, elevation) < minSeparation,
    )
  );
}

/**
 * The part of `clip` an event plays: samples [from, from + srcLen). Without `minLen` the whole clip (up to
 * `maxLen`). With it, a random excerpt of `minLen` samples up to the whole, trimmed to its first and last sounding
 * frame (see `clipActivity`), with its sounding spans (relative to `from`; pauses of `BRIDGED_GAP_SECONDS` or more
 * split them) and the whole clip's RMS. An excerpt with no sounding frame has `srcLen` 0.
 */
function drawExcerpt(
  clip: EventClip,
  minLen: number | null,
  maxLen: number,
  sampleRate: number,
  rng: Rng,
): { from: number; srcLen: number; spans?: Array<[number, number]>; clipRms: number } {
  let srcLen = Math.min(clip.samples.length, maxLen);
  if (minLen !== null && srcLen > minLen) srcLen = minLen + rng.int(srcLen - minLen + 1);
  const from = clip.samples.length > srcLen ? rng.int(clip.samples.length - srcLen + 1) : 0;
  if (minLen === null) return { from, srcLen, clipRms: 0 };
  const activity = clipActivity(clip.samples, sampleRate);
  const spans = activeSpans(activity, from, from + srcLen, Math.round(BRIDGED_GAP_SECONDS * sampleRate));
  if (spans.length === 0) return { from, srcLen: 0, clipRms: activity.rms };
  const a = spans[0][0];
  return {
    from: from + a,
    srcLen: spans[spans.length - 1][1] - a,
    spans: spans.map(([s, e]): [number, number] => [s - a, e - a]),
    clipRms: activity.rms,
  };
}

function checkAugmentation(options: SceneOptions): void {
  const speeds = options.speedRange;
  if (speeds && !(speeds[0] > 0 && speeds[1] >= speeds[0])) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `synthesizeScene: speedRange must be [lo, hi] with 0 < lo <= hi, got [${speeds.join(', ')}].`,
    );
  }
  const eqDb = options.eqDb;
  if (eqDb !== undefined && !(eqDb >= 0 && Number.isFinite(eqDb))) {
    throw new AudioError('BAD_ARGUMENT', `synthesizeScene: eqDb must be a number of dB >= 0, got ${eqDb}.`);
  }
  const rate = options.interfererRate;
  if (rate !== undefined && !(rate > 0 && Number.isFinite(rate))) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `synthesizeScene: interfererRate must be a number of interferers per second > 0, got ${rate}.`,
    );
  }
  if (options.interferers?.some((x) => x.length === 0))
    throw new AudioError('EMPTY_AUDIO', 'synthesizeScene: an interferer recording has no samples.');
}

/** Raised-cosine fades of `fade` samples at both ends, in place. */
function applyFades(signal: Float32Array, fade: number): void {
  const len = signal.length;
  for (let i = 0; i < fade && i < len; i++) {
    const g = 0.5 - 0.5 * Math.cos((Math.PI * (i + 0.5)) / fade);
    signal[i] *= g;
    signal[len - 1 - i] *= g;
  }
}

/** Adds each placed sound to the scene: its direct sound in the scene's format, then (with `reverb`) its reverberation. */
function mixPlaced(audio: AudioData, placed: readonly Sounding[], options: SceneOptions, rng: Rng): void {
  const { format, sampleRate } = options;
  const n = audio.channels[0].length;
  for (const p of placed) {
    const direct = spatialize(p.signal, format, p.azimuth, p.elevation, sampleRate);
    direct.forEach((c, ch) => {
      const dst = audio.channels[ch];
      for (let i = 0; i < c.length; i++) dst[p.start + i] += c[i];
    });
    if (options.reverb) {
      reverberate(p.signal, format, sampleRate, rng, options.rt60).forEach((c, ch) => {
        const dst = audio.channels[ch];
        for (let i = 0; i < c.length && p.start + i < n; i++) dst[p.start + i] += c[i];
      });
    }
  }
}

/** Keeps clear of clipping: scales the whole scene so that its peak is at most `limit` (labels are unaffected). */
function limitPeak(channels: Float32Array[], limit: number): void {
  let peak = 0;
  for (const c of channels) for (let i = 0; i < c.length; i++) peak = Math.max(peak, Math.abs(c[i]));
  if (peak > limit) {
    const g = limit / peak;
    for (const c of channels) for (let i = 0; i < c.length; i++) c[i] *= g;
  }
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
  /** Folder of mono ambience recordings for the backgrounds (see `SceneOptions.ambience`). */
  ambienceDir?: string;
  /** Folder of mono recordings of other sounds, placed unlabelled (see `SceneOptions.interferers`). */
  interfererDir?: string;
  /** Show a progress bar. Default true. */
  progress?: boolean;
}

/** The training augmentation settings of a scene (see `SceneOptions`), as the CLI and `scenes.json` name them. */
export type SceneAugmentation = Pick<
  SceneOptions,
  'minEventSeconds' | 'speedRange' | 'eqDb' | 'directions' | 'backgroundDb' | 'snr' | 'rt60' | 'interfererRate'
>;

/** What `synthesizeScenes` writes to `scenes.json` beside the scenes: with the augmentation settings, when used. */
export interface SceneManifest extends SceneAugmentation {
  format: SceneFormat;
  sampleRate: number;
  seconds: number;
  seed: number;
  part: 'all' | 'train' | 'test';
  testFraction: number;
  reverb: boolean;
  /** The ambience folder, when used (`SynthesizeScenesOptions.ambienceDir`). */
  ambience?: string;
  /** The interferer folder, when used (`SynthesizeScenesOptions.interfererDir`). */
  interferers?: string;
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
    throw new AudioError('BAD_ARGUMENT', `synthesizeScenes: count must be a positive integer, got ${options.count}.`);
  }
  if (!(options.seconds >= 1))
    throw new AudioError('BAD_ARGUMENT', `synthesizeScenes: seconds must be at least 1, got ${options.seconds}.`);
  if (!SCENE_FORMATS.includes(options.format)) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `synthesizeScenes: format must be one of ${SCENE_FORMATS.join(', ')}, got '${options.format}'.`,
    );
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
  const ambience = options.ambienceDir === undefined ? undefined : loadAmbience(options.ambienceDir, sampleRate);
  const interferers =
    options.interfererDir === undefined ? undefined : loadInterferers(options.interfererDir, sampleRate);
  fs.mkdirSync(options.out, { recursive: true });
  const rng = new Rng(options.seed);
  // Interferers draw from their own generator, so that the same seed gives the same events with them as without.
  const interfererRng = new Rng(options.seed + 7919);
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
    ...(options.directions === undefined ? {} : { directions: options.directions }),
    ...(options.ambienceDir === undefined ? {} : { ambience: options.ambienceDir }),
    ...(options.backgroundDb === undefined ? {} : { backgroundDb: options.backgroundDb }),
    ...(options.snr === undefined ? {} : { snr: options.snr }),
    ...(options.rt60 === undefined ? {} : { rt60: options.rt60 }),
    ...(options.interfererDir === undefined ? {} : { interferers: options.interfererDir }),
    ...(options.interfererRate === undefined ? {} : { interfererRate: options.interfererRate }),
    classes,
    clips: clips.map((c) => c.file),
    scenes: [],
  };
  const bar = options.progress === false ? null : new ProgressBar(options.count, { label: 'synth-scenes' });
  for (let i = 0; i < options.count; i++) {
    const name = `scene_${String(i + 1).padStart(4, '0')}`;
    const scene = synthesizeScene(clips, { ...options, sampleRate, ambience, interferers }, rng, interfererRng);
    writeWav(path.join(options.out, `${name}.wav`), scene.audio, { format: 'pcm16' });
    atomicWriteFile(path.join(options.out, `${name}.csv`), formatSceneLabels(scene.events));
    manifest.scenes.push({ audio: `${name}.wav`, labels: `${name}.csv`, events: scene.events.length });
    bar?.tick();
  }
  bar?.finish();
  atomicWriteFile(path.join(options.out, 'scenes.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
