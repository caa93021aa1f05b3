/**
 * A DCASE SELD dataset folder as the challenges ship it: `metadata_<set>/` beside `foa_<set>/` (first-order
 * ambisonics) or `mic_<set>/` (tetrahedral microphones), with the same relative paths (`.csv` / `.wav`). Reading it
 * checks every pair, every row and every recording's length before anything is trained or written.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AudioError } from '../errors';
import { readWavFormat } from '../io/wav';
import { SoundEvent, uniqueClasses } from './events';
import {
  DcaseMetadataKind,
  metadataKind,
  parseDcase2019Metadata,
  parseDcase2020Metadata,
  readEventFile,
} from './dcase';
import { SceneFormat } from './synth';
import type { SceneSet } from './train/scenes';

/** Audio folders by recording format: `foa_*` holds FOA (ACN/SN3D), `mic_*` the tetrahedral array. */
const AUDIO_PREFIX: Record<'foa' | 'mic4', string> = { foa: 'foa', mic4: 'mic' };

export interface DcaseRecording {
  /** Path relative to the metadata folder, without extension (e.g. `dev-train/fold3_room4_mix001`). */
  name: string;
  audio: string;
  metadata: string;
  events: SoundEvent[];
  duration: number;
  sampleRate: number;
}

export interface DcaseDataset {
  root: string;
  kind: DcaseMetadataKind;
  format: 'foa' | 'mic4';
  sampleRate: number;
  classes: string[];
  recordings: DcaseRecording[];
}

export interface ReadDcaseOptions {
  /** 'foa' or 'mic4' (the `mic_*` folders); default: whichever the folder holds (FOA when both). */
  format?: SceneFormat;
  /** Class names (index order) for DCASE 2020-2023 metadata; for DCASE 2019, the allowed classes (default: all seen). */
  classes?: readonly string[];
  /** Keep only recordings whose base name starts with one of these (e.g. `fold3`, `split1`). */
  folds?: readonly string[];
}

function listFiles(dir: string, ext: string, base = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, base), { withFileTypes: true })) {
    const rel = base ? path.join(base, entry.name) : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, ext, rel));
    else if (entry.name.toLowerCase().endsWith(ext)) out.push(rel.slice(0, -ext.length));
  }
  return out.sort();
}

function pickFormat(root: string, sets: string[], want?: SceneFormat): 'foa' | 'mic4' {
  if (want && want !== 'foa' && want !== 'mic4') {
    throw new AudioError('BAD_ARGUMENT', `DCASE datasets are foa or mic4 (mic_* folders), not ${want}.`);
  }
  const has = (f: 'foa' | 'mic4') => sets.some((s) => fs.existsSync(path.join(root, `${AUDIO_PREFIX[f]}_${s}`)));
  const format = want ?? (has('foa') ? 'foa' : 'mic4');
  if (!has(format)) {
    throw new AudioError(
      'DCASE_MISMATCH',
      `${root}: no ${AUDIO_PREFIX[format]}_${sets[0]}/ audio folder beside metadata_${sets[0]}/; a DCASE folder holds ` +
        `metadata_<set>/ with foa_<set>/ or mic_<set>/.`,
    );
  }
  return format;
}

/**
 * Every name of `names` (files `dir/name+ext`) must have its counterpart `otherDir/name+otherExt` among `others`,
 * else DCASE_MISMATCH naming both (`what`: the counterpart's kind).
 */
function requireCounterparts(
  names: string[],
  others: string[],
  [dir, ext, what]: [string, string, string],
  [otherDir, otherExt]: [string, string],
): void {
  const have = new Set(others);
  for (const n of names) {
    if (!have.has(n)) {
      throw new AudioError(
        'DCASE_MISMATCH',
        `${path.join(dir, n + ext)}: no ${what} ${path.join(otherDir, n + otherExt)} for it; ` +
          'the metadata and audio folders must list the same recordings.',
      );
    }
  }
}

/** Pairs metadata and audio files, erroring on either without the other. */
function pairFiles(root: string, set: string, format: 'foa' | 'mic4') {
  const metaDir = path.join(root, `metadata_${set}`);
  const audioDir = path.join(root, `${AUDIO_PREFIX[format]}_${set}`);
  if (!fs.existsSync(audioDir)) {
    throw new AudioError('DCASE_MISMATCH', `${metaDir} has no audio folder ${audioDir} beside it.`);
  }
  const metas = listFiles(metaDir, '.csv');
  const audios = listFiles(audioDir, '.wav');
  requireCounterparts(metas, audios, [metaDir, '.csv', 'audio'], [audioDir, '.wav']);
  requireCounterparts(audios, metas, [audioDir, '.wav', 'metadata'], [metaDir, '.csv']);
  return metas.map((m) => ({
    name: m,
    metadata: path.join(metaDir, m + '.csv'),
    audio: path.join(audioDir, m + '.wav'),
  }));
}

/**
 * Reads a DCASE dataset folder: every `metadata_<set>/**.csv` with its `foa_<set>/` or `mic_<set>/` WAV. All
 * metadata must be in one layout; rows are checked against the class list, the recording's length and the
 * direction ranges (errors name the file and line).
 */
export function readDcaseDataset(root: string, options: ReadDcaseOptions = {}): DcaseDataset {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new AudioError('FILE_NOT_FOUND', `DCASE folder ${root} does not exist.`);
  }
  const sets = fs
    .readdirSync(root)
    .filter((d) => d.startsWith('metadata_') && fs.statSync(path.join(root, d)).isDirectory())
    .map((d) => d.slice('metadata_'.length))
    .sort();
  if (sets.length === 0) {
    throw new AudioError(
      'DCASE_MISMATCH',
      `${root} has no metadata_<set>/ folder (e.g. metadata_dev/); is it a DCASE SELD dataset?`,
    );
  }
  const format = pickFormat(root, sets, options.format);
  let pairs = sets.flatMap((s) => pairFiles(root, s, format));
  if (options.folds) {
    const folds = options.folds;
    pairs = pairs.filter((p) => folds.some((f) => path.basename(p.name).startsWith(f)));
  }
  if (pairs.length === 0) {
    throw new AudioError(
      'NO_SCENES',
      `${root}: no recordings${options.folds ? ` in folds ${options.folds.join(', ')}` : ''}.`,
    );
  }
  let kind: DcaseMetadataKind | null = null;
  let sampleRate = 0;
  const recordings: DcaseRecording[] = pairs.map((p) => {
    const wav = readWavFormat(p.audio);
    if (wav.channelCount !== 4) {
      throw new AudioError(
        'BAD_CHANNELS',
        `${p.audio} has ${wav.channelCount} channel(s); DCASE ${format} audio has 4.`,
      );
    }
    if (sampleRate && wav.sampleRate !== sampleRate) {
      throw new AudioError(
        'BAD_ARGUMENT',
        `${p.audio} is at ${wav.sampleRate} Hz, the other recordings at ${sampleRate} Hz; use one rate.`,
      );
    }
    sampleRate = wav.sampleRate;
    const text = fs.readFileSync(p.metadata, 'utf8');
    const k = metadataKind(text, p.metadata);
    if (kind && k !== kind) {
      throw new AudioError(
        'BAD_LABELS',
        `${p.metadata} is ${k} metadata, the others ${kind}; one dataset has one layout.`,
      );
    }
    kind = k;
    const duration = wav.frames / wav.sampleRate;
    const recording = path.basename(p.audio);
    const opts = { classes: options.classes, duration };
    const events =
      k === 'dcase2019'
        ? parseDcase2019Metadata(text, p.metadata, recording, opts)
        : parseDcase2020Metadata(text, p.metadata, recording, opts);
    return { ...p, events, duration, sampleRate: wav.sampleRate };
  });
  const names = new Set<string>();
  for (const r of recordings) {
    const b = path.basename(r.audio);
    if (names.has(b))
      throw new AudioError('BAD_ARGUMENT', `${r.audio}: two recordings are named ${b}; scores are kept by file name.`);
    names.add(b);
  }
  const classes = options.classes ? [...options.classes] : uniqueClasses(...recordings.map((r) => r.events));
  return { root, kind: kind as unknown as DcaseMetadataKind, format, sampleRate, classes, recordings };
}

/** All events of a dataset (the reference for `score-events`). */
export function datasetEvents(d: DcaseDataset): SoundEvent[] {
  return d.recordings.flatMap((r) => r.events);
}

/**
 * Reads events from a CSV file (`readEventFile`), a folder of per-recording DCASE CSVs (system output or metadata;
 * every `*.csv` in it), or a DCASE dataset folder (`metadata_<set>/` beside the audio; see `readDcaseDataset`).
 */
export function readEventsAnyFormat(
  target: string,
  options: { classNames?: readonly string[]; classes?: readonly string[]; allowNoEvents?: boolean } = {},
): SoundEvent[] {
  if (!fs.existsSync(target)) throw new AudioError('FILE_NOT_FOUND', `${target} does not exist.`);
  if (!fs.statSync(target).isDirectory()) return readEventFile(target, options).events;
  if (fs.readdirSync(target).some((d) => d.startsWith('metadata_'))) {
    return datasetEvents(readDcaseDataset(target, { classes: options.classNames ?? options.classes }));
  }
  const files = fs
    .readdirSync(target)
    .filter((f) => f.toLowerCase().endsWith('.csv'))
    .sort();
  if (files.length === 0) {
    throw new AudioError(
      'NO_SCENES',
      `${target} holds no *.csv files; give an event list, a DCASE CSV or a folder of per-recording DCASE CSVs.`,
    );
  }
  return files.flatMap((f) => readEventFile(path.join(target, f), { ...options, allowNoEvents: true }).events);
}

/** A DCASE dataset as a scene set for `trainDetector` (`scenes` / `validation`). */
export function dcaseSceneSet(d: DcaseDataset): SceneSet {
  return {
    format: d.format,
    sampleRate: d.sampleRate,
    classes: d.classes,
    scenes: d.recordings.map((r) => ({ name: path.basename(r.audio), audio: r.audio, events: r.events })),
  };
}
