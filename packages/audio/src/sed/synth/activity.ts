/**
 * Where a mono event clip actually sounds: 20 ms frames within `ACTIVE_DB` of its loudest frame. Scene synthesis
 * uses it for excerpts (`SceneOptions.minEventSeconds`), so that an excerpt taken from a pause of the clip (a gap
 * between barks or footsteps) is neither labelled as the class nor amplified to the event's level.
 */
import { rms } from './spatial';

/** Frames more than this many dB below the clip's loudest frame are pauses. */
export const ACTIVE_DB = 20;
/** Frame length (s) of the activity mask. */
export const ACTIVITY_FRAME_SECONDS = 0.02;
/** Pauses shorter than this (s) inside an excerpt stay inside one labelled event. */
export const BRIDGED_GAP_SECONDS = 0.3;

/** A clip's activity: frame length in samples, one flag per frame, and the RMS of the whole clip. */
export interface ClipActivity {
  frame: number;
  active: Uint8Array;
  rms: number;
}

const cache = new WeakMap<Float32Array, ClipActivity>();

/** The activity of `samples` (cached per array): frames within `ACTIVE_DB` dB of the loudest frame. */
export function clipActivity(samples: Float32Array, sampleRate: number): ClipActivity {
  const known = cache.get(samples);
  if (known) return known;
  const frame = Math.max(1, Math.round(ACTIVITY_FRAME_SECONDS * sampleRate));
  const count = Math.ceil(samples.length / frame);
  const level = new Float64Array(count);
  let loudest = 0;
  for (let f = 0; f < count; f++) {
    level[f] = rms(samples.subarray(f * frame, Math.min(samples.length, (f + 1) * frame)));
    loudest = Math.max(loudest, level[f]);
  }
  const floor = loudest * Math.pow(10, -ACTIVE_DB / 20);
  const active = new Uint8Array(count);
  for (let f = 0; f < count; f++) active[f] = loudest > 0 && level[f] >= floor ? 1 : 0;
  const result = { frame, active, rms: rms(samples) };
  cache.set(samples, result);
  return result;
}

/**
 * The sounding spans of samples [from, to) of a clip, as [start, end) sample offsets relative to `from`: runs of
 * active frames, clipped to the range, with pauses shorter than `bridge` samples joined. Empty when the range holds
 * no active frame.
 */
export function activeSpans(activity: ClipActivity, from: number, to: number, bridge: number): Array<[number, number]> {
  const { frame, active } = activity;
  const spans: Array<[number, number]> = [];
  const first = Math.floor(from / frame);
  const last = Math.min(active.length, Math.ceil(to / frame));
  for (let f = first; f < last; f++) {
    if (!active[f]) continue;
    const a = Math.max(from, f * frame) - from;
    while (f + 1 < last && active[f + 1]) f++;
    const b = Math.min(to, (f + 1) * frame) - from;
    const prev = spans[spans.length - 1];
    if (prev && a - prev[1] < bridge) prev[1] = b;
    else spans.push([a, b]);
  }
  return spans;
}
