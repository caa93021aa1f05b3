/** Labelled mono event clips: the label file, and each clip cut to its active region at the scene rate. */
import * as fs from 'fs';
import * as path from 'path';
import { AudioError } from '../../errors';
import { readWav } from '../../io/wav';
import { resample } from '../../io/resample';
import { parseCsv } from '../events';

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
    throw new AudioError(
      'EMPTY_LABELS',
      `labels ${labelsCsv} has no clips; it needs a header with file,label and one row per clip.`,
    );
  }
  const header = rows[0].map((h) => h.trim());
  const col = (n: string) => header.indexOf(n);
  if (col('file') < 0 || col('label') < 0) {
    throw new AudioError(
      'BAD_LABELS',
      `labels ${labelsCsv}: the header needs columns 'file' and 'label', got ${header.join(',')}.`,
    );
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
export function loadEventClips(
  dir: string,
  labelsCsv: string,
  options: LoadClipsOptions,
): { clips: EventClip[]; classes: string[] } {
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
      throw new AudioError(
        'BAD_CHANNELS',
        `${file}: event clips must be mono, it has ${audio.channels.length} channels.`,
      );
    }
    let x = audio.channels[0];
    const onS = col('active_onset_s') >= 0 ? Number(r[col('active_onset_s')]) : 0;
    const offS = col('active_offset_s') >= 0 ? Number(r[col('active_offset_s')]) : x.length / audio.sampleRate;
    let a = Number.isFinite(onS) ? Math.max(0, Math.floor(onS * audio.sampleRate)) : 0;
    let b = Number.isFinite(offS)
      ? Math.min(x.length, Math.ceil(offS * audio.sampleRate) + Math.round(0.02 * audio.sampleRate))
      : x.length;
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
  if (clips.length === 0)
    throw new AudioError('EMPTY_LABELS', `labels ${labelsCsv}: no clips left after the include/exclude filters.`);
  return { clips, classes };
}

/**
 * Every mono `*.wav` in `dir` (sorted by name), resampled to `sampleRate`. `what` names them in errors: a folder
 * without WAV files, or with a multichannel one, is an error.
 */
function loadMonoRecordings(dir: string, sampleRate: number, what: string): Float32Array[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new AudioError(
      'FILE_NOT_FOUND',
      `${what} folder ${dir} does not exist; give a folder of mono WAV recordings.`,
    );
  }
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.toLowerCase().endsWith('.wav'))
    .sort();
  if (files.length === 0) throw new AudioError('EMPTY_AUDIO', `${what} folder ${dir} holds no .wav files.`);
  return files.map((f) => {
    const audio = readWav(path.join(dir, f));
    if (audio.channels.length !== 1) {
      throw new AudioError(
        'BAD_CHANNELS',
        `${path.join(dir, f)}: ${what} recordings must be mono, it has ${audio.channels.length} channels.`,
      );
    }
    return resample(audio.channels[0], audio.sampleRate, sampleRate);
  });
}

/** The ambience recordings in `dir` for scene backgrounds (see `SceneOptions.ambience`): `loadMonoRecordings`. */
export function loadAmbience(dir: string, sampleRate: number): Float32Array[] {
  return loadMonoRecordings(dir, sampleRate, 'ambience');
}

/** The interferer recordings in `dir` (see `SceneOptions.interferers`): `loadMonoRecordings`. */
export function loadInterferers(dir: string, sampleRate: number): Float32Array[] {
  return loadMonoRecordings(dir, sampleRate, 'interferer');
}
