/**
 * The DCASE SELD data formats, so that gatewave reads the official datasets and writes what their evaluation code
 * reads:
 * - DCASE 2019 Task 3 metadata: one CSV per recording with the header
 *   `sound_event_recording,start_time,end_time,ele,azi,dist` (class names, seconds, degrees);
 * - DCASE 2020-2023 metadata: one headerless CSV per recording, rows `frame,class,track,azimuth,elevation` (integers;
 *   100 ms frames counted from 0, class indices into a class-name list, one track/source index per source;
 *   2024's extra `distance` column is accepted and ignored);
 * - DCASE 2020 system output: headerless rows `frame,class,azimuth,elevation` (the baseline's output files);
 * - a dataset folder: `metadata_<set>/` beside `foa_<set>/` or `mic_<set>/` (`<set>` = `dev`, `eval`, ...), the
 *   same relative paths with `.csv` and `.wav` (subfolders such as `dev-train/` allowed).
 * Directions follow DCASE: azimuth in [-180, 180] counter-clockwise from the front, elevation in [-90, 90].
 */
import * as fs from 'fs';
import * as path from 'path';
import { atomicWriteFile } from '@gatewave/core';
import { AudioError, type AudioErrorCode } from '../errors';
import { DCASE2019_COLUMNS, parseCsv, parseEventList, SoundEvent } from './events';
import { eventsToFrames } from './metrics';

/** Seconds per frame of the DCASE 2020-2023 metadata and output files. */
export const DCASE_FRAME_SECONDS = 0.1;

/** Class-name lists of the datasets whose metadata give class indices (index = position). */
/** STARSS22 and STARSS23 (DCASE 2022 and 2023 Task 3) share these 13 classes. */
const STARSS_CLASSES: readonly string[] = [
  'female speech',
  'male speech',
  'clapping',
  'telephone',
  'laughter',
  'domestic sounds',
  'footsteps',
  'door',
  'music',
  'musical instrument',
  'water tap',
  'bell',
  'knock',
];

export const DCASE_CLASS_LISTS: Record<string, readonly string[]> = {
  starss22: STARSS_CLASSES,
  starss23: STARSS_CLASSES,
};

export type DcaseMetadataKind = 'dcase2019' | 'dcase2020';

export interface DcaseReadOptions {
  /**
   * Class names: for DCASE 2020-2023 files the name of each class index (required); for DCASE 2019 files, when given,
   * a class outside it is an error.
   */
  classes?: readonly string[];
  /** Length of the recording (s); rows beyond it are errors. */
  duration?: number;
}

function fail(code: AudioErrorCode, where: string, message: string): never {
  throw new AudioError(code, `${where}: ${message}`);
}

/** Which metadata layout CSV text is in: a DCASE 2019 header, or headerless integer rows (2020-2023). */
export function metadataKind(text: string, source: string): DcaseMetadataKind {
  const first = parseCsv(text)[0];
  if (!first) fail('EMPTY_LABELS', source, 'the file is empty; DCASE metadata needs one row per event or frame.');
  if (first[0].trim() === DCASE2019_COLUMNS[0]) return 'dcase2019';
  if (first.length >= 4 && first.every((f) => /^-?\d+(\.\d+)?$/.test(f.trim()))) return 'dcase2020';
  return fail(
    'BAD_LABELS',
    `${source} line 1`,
    `not a DCASE metadata file: expected the header ${DCASE2019_COLUMNS.join(',')} (DCASE 2019) or rows ` +
      `frame,class,track,azimuth,elevation (DCASE 2020-2023), got '${first.join(',')}'.`,
  );
}

function checkDirection(azimuth: number, elevation: number, where: string): void {
  if (!(azimuth >= -180 && azimuth <= 180))
    fail('BAD_DIRECTION', where, `azimuth ${azimuth} is outside -180..180 degrees.`);
  if (!(elevation >= -90 && elevation <= 90))
    fail('BAD_DIRECTION', where, `elevation ${elevation} is outside -90..90 degrees.`);
}

function number(value: string | undefined, where: string, column: string, integer: boolean): number {
  const v = (value ?? '').trim();
  const x = Number(v);
  if (v === '' || !Number.isFinite(x) || (integer && !Number.isInteger(x))) {
    fail(
      'BAD_LABELS',
      where,
      `column '${column}' must be ${integer ? 'an integer' : 'a number'}, got '${value ?? ''}'.`,
    );
  }
  return x;
}

/**
 * Parses DCASE 2019 Task 3 metadata of one recording: every row an event with a class name, onset and offset (s),
 * elevation and azimuth (degrees); `dist` is read past. Events get `file` = `recording`.
 */
export function parseDcase2019Metadata(
  text: string,
  source: string,
  recording: string,
  options: DcaseReadOptions = {},
): SoundEvent[] {
  const rows = parseCsv(text);
  const header = (rows[0] ?? []).map((h) => h.trim());
  const idx = Object.fromEntries(DCASE2019_COLUMNS.map((c) => [c, header.indexOf(c)]));
  const missing = DCASE2019_COLUMNS.filter((c) => c !== 'dist' && idx[c] < 0);
  if (missing.length)
    fail(
      'BAD_LABELS',
      `${source} line 1`,
      `the header lacks ${missing.join(', ')}; expected ${DCASE2019_COLUMNS.join(',')}.`,
    );
  const events: SoundEvent[] = [];
  for (let r = 1; r < rows.length; r++) {
    const where = `${source} line ${r + 1}`;
    const row = rows[r];
    const cls = (row[idx.sound_event_recording] ?? '').trim();
    const onset = number(row[idx.start_time], where, 'start_time', false);
    const offset = number(row[idx.end_time], where, 'end_time', false);
    const elevation = number(row[idx.ele], where, 'ele', false);
    const azimuth = number(row[idx.azi], where, 'azi', false);
    if (cls === '') fail('BAD_LABELS', where, 'the class (sound_event_recording) is empty.');
    if (options.classes && !options.classes.includes(cls)) {
      fail('UNKNOWN_CLASS', where, `unknown class '${cls}'; known classes: ${options.classes.join(', ')}.`);
    }
    if (onset < 0 || !(offset > onset))
      fail('BAD_LABELS', where, `needs 0 <= start_time < end_time, got ${onset}, ${offset}.`);
    // Half a 100 ms frame of slack: the datasets round times to the label frame.
    if (options.duration !== undefined && offset > options.duration + DCASE_FRAME_SECONDS / 2) {
      fail(
        'BEYOND_AUDIO',
        where,
        `end_time ${offset} s is beyond the audio's length (${options.duration.toFixed(3)} s).`,
      );
    }
    checkDirection(azimuth, elevation, where);
    events.push({ file: recording, onset, offset, class: cls, azimuth, elevation });
  }
  return events;
}

/** One row of DCASE 2020-2023 metadata or DCASE 2020 output: a class active in a frame, with its direction. */
export interface DcaseFrameRow {
  frame: number;
  classIndex: number;
  track: number;
  azimuth: number;
  elevation: number;
}

/**
 * Parses frame rows: `frame,class,track,azimuth,elevation[,distance]` (metadata) or, with `output`,
 * `frame,class,azimuth,elevation` (DCASE 2020 system output; track 0) as well. Checks class indices against
 * `classCount`, frames against `duration` and the direction ranges, naming the line of any bad row.
 */
export function parseDcaseFrameRows(
  text: string,
  source: string,
  classCount: number,
  options: { duration?: number; output?: boolean } = {},
): DcaseFrameRow[] {
  const rows = parseCsv(text);
  const frames = options.duration === undefined ? Infinity : Math.ceil(options.duration / DCASE_FRAME_SECONDS - 1e-6);
  return rows.map((row, r) => {
    const where = `${source} line ${r + 1}`;
    const four = row.length === 4 && options.output;
    if (!four && row.length !== 5 && row.length !== 6) {
      fail(
        'BAD_LABELS',
        where,
        `expected 5 fields frame,class,track,azimuth,elevation${options.output ? ' (or 4 without track)' : ''}, got ${row.length}.`,
      );
    }
    const frame = number(row[0], where, 'frame', true);
    const classIndex = number(row[1], where, 'class', true);
    const track = four ? 0 : number(row[2], where, 'track', true);
    const azimuth = number(row[four ? 2 : 3], where, 'azimuth', false);
    const elevation = number(row[four ? 3 : 4], where, 'elevation', false);
    if (frame < 0) fail('BAD_LABELS', where, `frame ${frame} is negative; frames count from 0.`);
    if (classIndex < 0 || classIndex >= classCount) {
      fail(
        'UNKNOWN_CLASS',
        where,
        `unknown class index ${classIndex}; the class list has ${classCount} classes (0..${classCount - 1}).`,
      );
    }
    if (frame >= frames) {
      fail(
        'BEYOND_AUDIO',
        where,
        `frame ${frame} (${(frame * DCASE_FRAME_SECONDS).toFixed(1)} s) is beyond the audio's length ` +
          `(${(options.duration as number).toFixed(3)} s, ${frames} frames of 100 ms).`,
      );
    }
    checkDirection(azimuth, elevation, where);
    return { frame, classIndex, track, azimuth, elevation };
  });
}

/**
 * Turns frame rows into events: each run of consecutive frames of one (class, track) with one direction becomes an
 * event from `first × 0.1 s` to `(last + 1) × 0.1 s`, so a stationary source is one event and a moving source is a
 * chain of short events that reproduce its frames exactly.
 */
export function frameRowsToEvents(
  rows: readonly DcaseFrameRow[],
  classes: readonly string[],
  recording: string,
): SoundEvent[] {
  const sorted = [...rows].sort((a, b) => a.classIndex - b.classIndex || a.track - b.track || a.frame - b.frame);
  const events: SoundEvent[] = [];
  const push = (row: DcaseFrameRow, last: number) =>
    events.push({
      file: recording,
      onset: round(row.frame * DCASE_FRAME_SECONDS),
      offset: round((last + 1) * DCASE_FRAME_SECONDS),
      class: classes[row.classIndex],
      azimuth: row.azimuth,
      elevation: row.elevation,
    });
  let first: DcaseFrameRow | null = null;
  let last = -1;
  for (const r of sorted) {
    const sameSource = first !== null && first.classIndex === r.classIndex && first.track === r.track;
    if (sameSource && last === r.frame) continue; // a repeated row
    if (sameSource && last === r.frame - 1 && first!.azimuth === r.azimuth && first!.elevation === r.elevation) {
      last = r.frame;
      continue;
    }
    if (first) push(first, last);
    first = r;
    last = r.frame;
  }
  if (first) push(first, last);
  return events.sort((a, b) => a.onset - b.onset || a.class.localeCompare(b.class));
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * Events of a file of DCASE 2020-style frame rows (class indices; see `frameRowsToEvents`): metadata, or with
 * `output` a system output file. `what` names the file kind in the error when no class list is given.
 */
function classIndexedEvents(
  text: string,
  source: string,
  recording: string,
  options: DcaseReadOptions,
  what: string,
  output: boolean,
): SoundEvent[] {
  if (!options.classes) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `${source}: ${what} give class indices; pass the class-name list (--class-names).`,
    );
  }
  const rows = parseDcaseFrameRows(text, source, options.classes.length, { duration: options.duration, output });
  return frameRowsToEvents(rows, options.classes, recording);
}

/** Parses DCASE 2020-2023 metadata of one recording into events (see `frameRowsToEvents`). */
export function parseDcase2020Metadata(
  text: string,
  source: string,
  recording: string,
  options: DcaseReadOptions,
): SoundEvent[] {
  return classIndexedEvents(text, source, recording, options, 'DCASE 2020-2023 metadata', false);
}

/** Parses a DCASE 2020 system output file (4 or 5 fields per row) into events. */
export function parseDcase2020Output(
  text: string,
  source: string,
  recording: string,
  options: DcaseReadOptions,
): SoundEvent[] {
  return classIndexedEvents(text, source, recording, options, 'DCASE output files', true);
}

/** Reads one metadata file in either layout (detected from its first line). */
export function readDcaseMetadata(
  file: string,
  recording: string,
  options: DcaseReadOptions = {},
): { kind: DcaseMetadataKind; events: SoundEvent[] } {
  const text = readText(file);
  const kind = metadataKind(text, file);
  const events =
    kind === 'dcase2019'
      ? parseDcase2019Metadata(text, file, recording, options)
      : parseDcase2020Metadata(text, file, recording, options);
  return { kind, events };
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new AudioError('FILE_NOT_FOUND', `${file}: cannot read it (${(err as Error).message}).`);
  }
}

/**
 * DCASE 2020 output rows of one recording's events: for every 100 ms frame whose centre an event covers, a row
 * `frame,classIndex,azimuth,elevation` (integer degrees; events without a direction are written at 0, 0), sorted
 * by frame then class. `classes` gives each class its index; an event of another class is an error.
 */
export function eventsToDcase2020Rows(events: readonly SoundEvent[], classes: readonly string[]): number[][] {
  for (const e of events) {
    if (!classes.includes(e.class)) {
      throw new AudioError(
        'UNKNOWN_CLASS',
        `class '${e.class}' is not in the DCASE class list (${classes.join(', ')}); pass a list that holds it.`,
      );
    }
  }
  const end = events.reduce((m, e) => Math.max(m, e.offset), 0);
  const table = eventsToFrames(events, classes, Math.ceil(end / DCASE_FRAME_SECONDS - 1e-9), DCASE_FRAME_SECONDS);
  const rows: number[][] = [];
  table.forEach((tracks, frame) => {
    const sorted = [...tracks].sort((a, b) => a.classIndex - b.classIndex);
    for (const t of sorted)
      rows.push([frame, t.classIndex, Math.round(t.azimuth ?? 0) + 0, Math.round(t.elevation ?? 0) + 0]);
  });
  return rows;
}

/** Formats one recording's events as a DCASE 2020 output file (no header, LF line ends). */
export function formatDcase2020Output(events: readonly SoundEvent[], classes: readonly string[]): string {
  return eventsToDcase2020Rows(events, classes)
    .map((r) => r.join(',') + '\n')
    .join('');
}

/** The output file name of a recording: its base name with `.csv`. */
export function dcaseOutputName(recording: string): string {
  return path.basename(recording).replace(/\.wav$/i, '') + '.csv';
}

/**
 * Writes one DCASE 2020 output file per recording into `dir` (created if missing): all files are formatted and
 * checked first, then each is written atomically. `recordings` lists every input, so a recording without
 * detections gets an empty file. Two inputs with one base name are an error.
 */
export function writeDcase2020Outputs(
  dir: string,
  recordings: readonly string[],
  events: readonly SoundEvent[],
  classes: readonly string[],
): string[] {
  const texts = new Map<string, string>();
  for (const rec of recordings) {
    const name = dcaseOutputName(rec);
    if (texts.has(name)) {
      throw new AudioError(
        'BAD_ARGUMENT',
        `two inputs share the name ${name}; DCASE output files are named by recording. Rename one.`,
      );
    }
    texts.set(
      name,
      formatDcase2020Output(
        events.filter((e) => e.file === path.basename(rec)),
        classes,
      ),
    );
  }
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of texts) atomicWriteFile(path.join(dir, name), text);
  return [...texts.keys()].map((n) => path.join(dir, n));
}

/** Resolves a class-name list: a known dataset name (`starss22`, `starss23`), a file (one name a line) or `a,b,c`. */
export function resolveClassNames(spec: string): string[] {
  const known = DCASE_CLASS_LISTS[spec.toLowerCase()];
  if (known) return [...known];
  if (fs.existsSync(spec) && fs.statSync(spec).isFile()) {
    const names = readText(spec)
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter(Boolean);
    if (names.length === 0)
      throw new AudioError(
        'BAD_ARGUMENT',
        `class-name file ${spec} is empty; write one class name a line, index 0 first.`,
      );
    return names;
  }
  const names = spec.split(',').map((s) => s.trim());
  if (names.length === 0 || names.some((n) => n === '')) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `--class-names must be ${Object.keys(DCASE_CLASS_LISTS).join(' or ')}, a file, or names a,b,c; got "${spec}".`,
    );
  }
  return names;
}

/** What `readEventsAnyFormat` found. */
export type EventFileFormat = 'events' | DcaseMetadataKind | 'dcase2020-output';

/**
 * Reads one CSV in any of the event formats gatewave knows, telling them apart by their first line: gatewave's event
 * list (`file,onset,offset,class,azimuth,elevation`), DCASE 2019 metadata, or headerless DCASE 2020-2023 frame rows
 * (metadata with 5 fields or system output with 4; these need `classNames`). A DCASE file describes one recording,
 * named after the file (`NAME.csv` -> `NAME.wav`).
 */
export function readEventFile(
  file: string,
  options: { classNames?: readonly string[]; classes?: readonly string[]; allowNoEvents?: boolean } = {},
): { format: EventFileFormat; events: SoundEvent[] } {
  const text = readText(file);
  const recording = path.basename(file).replace(/\.csv$/i, '') + '.wav';
  const first = parseCsv(text)[0];
  if (!first) {
    if (options.allowNoEvents === false)
      throw new AudioError('EMPTY_LABELS', `${file} is empty; it needs one row per event or frame.`);
    return { format: 'dcase2020-output', events: [] };
  }
  if (first[0].trim() === 'file') {
    return {
      format: 'events',
      events: parseEventList(text, file, { classes: options.classes, allowNoEvents: options.allowNoEvents }),
    };
  }
  const kind = metadataKind(text, file);
  if (kind === 'dcase2019') {
    return { format: kind, events: parseDcase2019Metadata(text, file, recording, { classes: options.classes }) };
  }
  if (!options.classNames) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `${file} holds DCASE 2020-2023 frame rows with class indices; pass the class-name list (--class-names).`,
    );
  }
  const output = first.length === 4;
  const rows = parseDcaseFrameRows(text, file, options.classNames.length, { output: true });
  return {
    format: output ? 'dcase2020-output' : 'dcase2020',
    events: frameRowsToEvents(rows, options.classNames, recording),
  };
}
