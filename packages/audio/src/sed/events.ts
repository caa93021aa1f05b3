/** Event lists and scene labels on disk; the text formats themselves are in `event-list.ts` (re-exported here). */
import * as fs from 'fs';
import { atomicWriteFile } from '@gatewave/core';
import { AudioError } from '../errors';
import {
  formatEventList,
  parseEventList,
  parseSceneLabels,
  type ReadEventsOptions,
  type SoundEvent,
} from './event-list';

export * from './event-list';

function readText(file: string, what: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new AudioError('FILE_NOT_FOUND', `${what} ${file}: cannot read it (${(err as Error).message}).`);
  }
  if (text.trim() === '') {
    throw new AudioError('EMPTY_LABELS', `${what} ${file} is empty; it needs a header line and one row per event.`);
  }
  return text;
}

/** Reads an event-list CSV file (the form `detect` writes). */
export function readEventList(file: string, options: ReadEventsOptions = {}): SoundEvent[] {
  return parseEventList(readText(file, 'event list'), file, options);
}

/** Writes an event-list CSV atomically. */
export function writeEventList(file: string, events: readonly SoundEvent[]): void {
  atomicWriteFile(file, formatEventList(events));
}

/**
 * Reads a DCASE 2019 scene label file (`sound_event_recording,start_time,end_time,ele,azi,dist`). The events get
 * `file` = `recording` (the scene's WAV name). Empty files, files without events and (when `classes` is given)
 * unknown classes are errors.
 */
export function readSceneLabels(file: string, recording: string, classes?: readonly string[]): SoundEvent[] {
  return parseSceneLabels(readText(file, 'scene label file'), file, recording, classes);
}
