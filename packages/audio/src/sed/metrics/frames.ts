/** The label-rate view of event lists shared by the metrics: class lookup, frame tables, lengths and directions. */
import { AudioError } from '../../errors';
import { SoundEvent } from '../events';
import { Direction } from '../geometry';

export function maxOffset(events: readonly SoundEvent[]): number {
  let m = 0;
  for (const e of events) m = Math.max(m, e.offset);
  return m;
}

export function checkSameFile(ref: readonly SoundEvent[], est: readonly SoundEvent[]): void {
  const files = new Set([...ref, ...est].map((e) => e.file));
  if (files.size > 1) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `evaluate() takes the events of one file at a time, got ${[...files].join(', ')}; use scoreEvents() for lists.`,
    );
  }
}

export function classIndex(classes: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  classes.forEach((c, i) => m.set(c, i));
  return m;
}

export function indexOf(index: Map<string, number>, e: SoundEvent): number {
  const k = index.get(e.class);
  if (k === undefined) {
    throw new AudioError(
      'UNKNOWN_CLASS',
      `event ${e.file} ${e.onset}-${e.offset} s has class '${e.class}', which is not among the evaluated classes ` +
        `(${[...index.keys()].join(', ')}).`,
    );
  }
  return k;
}

/** One active source in one frame. */
export interface FrameTrack {
  classIndex: number;
  azimuth: number | null;
  elevation: number | null;
}

/**
 * The active sources per frame of `frameLength` seconds: an event is active in frame k when the frame's centre
 * (k + ½)·frameLength lies in [onset, offset).
 */
export function eventsToFrames(
  events: readonly SoundEvent[],
  classes: readonly string[],
  frames: number,
  frameLength: number,
): FrameTrack[][] {
  const index = classIndex(classes);
  const out: FrameTrack[][] = [];
  for (let t = 0; t < frames; t++) out.push([]);
  for (const e of events) {
    const k = indexOf(index, e);
    const first = Math.max(0, Math.ceil(e.onset / frameLength - 0.5));
    const end = Math.min(frames, Math.ceil(e.offset / frameLength - 0.5));
    for (let t = first; t < end; t++) out[t].push({ classIndex: k, azimuth: e.azimuth, elevation: e.elevation });
  }
  return out;
}

export function frameCount(
  ref: readonly SoundEvent[],
  est: readonly SoundEvent[],
  frameLength: number,
  length?: number,
) {
  const seconds = Math.max(maxOffset(ref), maxOffset(est), length ?? 0);
  return Math.ceil(seconds / frameLength - 1e-9);
}

export function hasDirections(events: readonly SoundEvent[]): boolean {
  return events.every((e) => e.azimuth !== null && e.elevation !== null);
}

export function directionsOf(tracks: readonly FrameTrack[]): Direction[] {
  return tracks.map((t) => ({ azimuth: t.azimuth as number, elevation: t.elevation as number }));
}
