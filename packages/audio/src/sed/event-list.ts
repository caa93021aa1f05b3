/**
 * Event lists as text, with no file system (so they also run in a browser): the event type, CSV parsing and
 * formatting, the event-list and DCASE 2019 scene-label formats. `events.ts` adds reading and writing files.
 */
import { AudioError } from '../errors';

/**
 * One sound event: what sounded (`class`), when (`onset`/`offset`, seconds from the start of `file`) and, for
 * multichannel input, from where (`azimuth`/`elevation`, degrees; azimuth counter-clockwise from the front,
 * elevation up from the horizontal plane). Mono detections carry `null` directions.
 */
export interface SoundEvent {
  file: string;
  onset: number;
  offset: number;
  class: string;
  azimuth: number | null;
  elevation: number | null;
}

/** The columns of the event-list CSV that `detect` writes and `score-events` reads. */
export const EVENT_COLUMNS = ['file', 'onset', 'offset', 'class', 'azimuth', 'elevation'] as const;

/** The columns of a DCASE 2019 scene label file (one file per recording). */
export const DCASE2019_COLUMNS = ['sound_event_recording', 'start_time', 'end_time', 'ele', 'azi', 'dist'] as const;

/** Splits CSV text into rows of fields (RFC 4180: quoted fields may hold commas, quotes and newlines). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row);
  }
  return rows;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Formats rows as CSV text with LF line ends. */
export function formatCsv(rows: (string | number)[][]): string {
  return rows.map((r) => r.map((v) => csvField(String(v))).join(',')).join('\n') + '\n';
}

function parseNumber(value: string, where: string, column: string, allowEmpty: boolean): number | null {
  const v = value.trim();
  if (v === '' && allowEmpty) return null;
  const x = Number(v);
  if (v === '' || !Number.isFinite(x)) {
    throw new AudioError('BAD_LABELS', `${where}: column '${column}' must be a number, got '${value}'.`);
  }
  return x;
}

/** Longest recording an event list may describe (events end before this); it bounds the memory of frame-based scores. */
export const MAX_EVENT_SECONDS = 24 * 3600;

function checkEvent(e: SoundEvent, where: string, classes?: readonly string[]): void {
  if (e.onset < 0 || !(e.offset > e.onset)) {
    throw new AudioError(
      'BAD_LABELS',
      `${where}: needs 0 <= onset < offset, got onset ${e.onset}, offset ${e.offset}.`,
    );
  }
  if (e.offset > MAX_EVENT_SECONDS) {
    throw new AudioError(
      'BAD_LABELS',
      `${where}: offset ${e.offset} s is beyond ${MAX_EVENT_SECONDS} s (24 hours); times are in seconds from the start of the recording.`,
    );
  }
  if (e.azimuth !== null && !(e.azimuth >= -180 && e.azimuth <= 360)) {
    throw new AudioError(
      'BAD_LABELS',
      `${where}: azimuth ${e.azimuth}° is outside -180..360°; give degrees (DCASE: -180..180).`,
    );
  }
  if (e.elevation !== null && !(e.elevation >= -90 && e.elevation <= 90)) {
    throw new AudioError('BAD_LABELS', `${where}: elevation ${e.elevation}° is outside -90..90°; give degrees.`);
  }
  if ((e.azimuth === null) !== (e.elevation === null)) {
    throw new AudioError('BAD_LABELS', `${where}: give both azimuth and elevation, or leave both empty.`);
  }
  if (e.class === '') throw new AudioError('BAD_LABELS', `${where}: the class is empty.`);
  if (classes && !classes.includes(e.class)) {
    throw new AudioError(
      'UNKNOWN_CLASS',
      `${where}: unknown class '${e.class}'; known classes: ${classes.join(', ')}. ` +
        'Fix the label or use a model trained on this class.',
    );
  }
}

export interface ReadEventsOptions {
  /** When given, a class outside this list is an error (code UNKNOWN_CLASS). */
  classes?: readonly string[];
  /** Whether a file with a header but no rows is accepted (a system that detected nothing). Default true. */
  allowNoEvents?: boolean;
}

/**
 * The events of the data rows (after the header) of a parsed CSV: `toEvent` reads one row through `get(column)` (''
 * for a column the file lacks); each event is checked (`where` = file and line) against `classes` when given.
 */
function rowEvents(
  rows: string[][],
  source: string,
  idx: Record<string, number>,
  classes: readonly string[] | undefined,
  toEvent: (get: (column: string) => string, where: string) => SoundEvent,
): SoundEvent[] {
  const events: SoundEvent[] = [];
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r];
    const where = `${source} line ${r + 1}`;
    const e = toEvent((n) => (idx[n] >= 0 ? (row[idx[n]] ?? '') : ''), where);
    checkEvent(e, where, classes);
    events.push(e);
  }
  return events;
}

function columnIndex(header: string[], names: readonly string[], file: string, required: readonly string[]) {
  const idx: Record<string, number> = {};
  for (const n of names) idx[n] = header.indexOf(n);
  const missing = required.filter((n) => idx[n] < 0);
  if (missing.length) {
    throw new AudioError(
      'BAD_LABELS',
      `${file}: the header lacks column(s) ${missing.join(', ')}; expected ${names.join(',')}, got ${header.join(',')}.`,
    );
  }
  return idx;
}

/** Parses event-list CSV text (`file,onset,offset,class,azimuth,elevation`); `source` names it in errors. */
export function parseEventList(text: string, source: string, options: ReadEventsOptions = {}): SoundEvent[] {
  const rows = parseCsv(text);
  if (rows.length === 0) {
    throw new AudioError('EMPTY_LABELS', `${source} is empty; it needs the header ${EVENT_COLUMNS.join(',')}.`);
  }
  const header = rows[0].map((h) => h.trim());
  const idx = columnIndex(header, EVENT_COLUMNS, source, ['file', 'onset', 'offset', 'class']);
  const events = rowEvents(rows, source, idx, options.classes, (get, where) => ({
    file: get('file').trim(),
    onset: parseNumber(get('onset'), where, 'onset', false) as number,
    offset: parseNumber(get('offset'), where, 'offset', false) as number,
    class: get('class').trim(),
    azimuth: parseNumber(get('azimuth'), where, 'azimuth', true),
    elevation: parseNumber(get('elevation'), where, 'elevation', true),
  }));
  if (events.length === 0 && options.allowNoEvents === false) {
    throw new AudioError('EMPTY_LABELS', `${source} has a header but no events; it needs one row per event.`);
  }
  return events;
}

function fmt(x: number | null, digits: number): string {
  return x === null ? '' : String(Number(x.toFixed(digits)));
}

/** Formats events as event-list CSV text (seconds to the millisecond, degrees to 0.1°, empty direction for mono). */
export function formatEventList(events: readonly SoundEvent[]): string {
  const rows: (string | number)[][] = [[...EVENT_COLUMNS]];
  for (const e of events) {
    rows.push([e.file, fmt(e.onset, 3), fmt(e.offset, 3), e.class, fmt(e.azimuth, 1), fmt(e.elevation, 1)]);
  }
  return formatCsv(rows);
}

/**
 * Parses the text of a DCASE 2019 scene label file (`sound_event_recording,start_time,end_time,ele,azi,dist`). The events get
 * `file` = `recording` (the scene's WAV name). Empty files, files without events and (when `classes` is given)
 * unknown classes are errors.
 */
export function parseSceneLabels(
  text: string,
  file: string,
  recording: string,
  classes?: readonly string[],
): SoundEvent[] {
  const rows = parseCsv(text);
  const header = rows[0].map((h) => h.trim());
  const idx = columnIndex(header, DCASE2019_COLUMNS, file, ['sound_event_recording', 'start_time', 'end_time']);
  const events = rowEvents(rows, file, idx, classes, (get, where) => ({
    file: recording,
    onset: parseNumber(get('start_time'), where, 'start_time', false) as number,
    offset: parseNumber(get('end_time'), where, 'end_time', false) as number,
    class: get('sound_event_recording').trim(),
    azimuth: parseNumber(get('azi'), where, 'azi', true),
    elevation: parseNumber(get('ele'), where, 'ele', true),
  }));
  if (events.length === 0) {
    throw new AudioError('EMPTY_LABELS', `${file} has a header but no events; each scene needs its events listed.`);
  }
  return events;
}

/** Formats events of one recording as a DCASE 2019 label file (distance column written as 0: far field). */
export function formatSceneLabels(events: readonly SoundEvent[]): string {
  const rows: (string | number)[][] = [[...DCASE2019_COLUMNS]];
  for (const e of events) {
    rows.push([e.class, fmt(e.onset, 3), fmt(e.offset, 3), fmt(e.elevation, 1), fmt(e.azimuth, 1), 0]);
  }
  return formatCsv(rows);
}

/** Groups events by `file`, keeping the order in which files first appear. */
export function groupByFile(events: readonly SoundEvent[]): Map<string, SoundEvent[]> {
  const out = new Map<string, SoundEvent[]>();
  for (const e of events) {
    const list = out.get(e.file);
    if (list) list.push(e);
    else out.set(e.file, [e]);
  }
  return out;
}

/** The sorted unique classes of the events. */
export function uniqueClasses(...lists: readonly (readonly SoundEvent[])[]): string[] {
  const s = new Set<string>();
  for (const l of lists) for (const e of l) s.add(e.class);
  return [...s].sort();
}
