/**
 * From the detector's per-frame output to results: events (thresholds with hysteresis, gap joining, shortest event,
 * mean direction of the active frames) and the per-frame table of `detect --frames`.
 */
import { AudioError } from '../errors';
import { SoundEvent } from './events';
import { toDirection } from './geometry';

/** Per-frame network output at the label rate. */
export interface FrameOutput {
  /** `[frames, K]` activity probabilities. */
  activity: Float32Array;
  /** `[frames, 3K]` direction vectors, or null for mono. */
  doa: Float32Array | null;
  frames: number;
  frameLength: number;
}

/** One row of the per-frame table (`detect --frames`). */
export interface FrameRow {
  file: string;
  frame: number;
  onset: number;
  offset: number;
  class: string;
  probability: number;
  azimuth: number | null;
  elevation: number | null;
}

function directionOf(
  doa: Float32Array,
  K: number,
  k: number,
  frames: number[],
): { azimuth: number; elevation: number } {
  let x = 0;
  let y = 0;
  let z = 0;
  for (const t of frames) {
    x += doa[t * 3 * K + k];
    y += doa[t * 3 * K + K + k];
    z += doa[t * 3 * K + 2 * K + k];
  }
  const d = toDirection(x, y, z);
  return { azimuth: Math.round(d.azimuth * 10) / 10, elevation: Math.round(d.elevation * 10) / 10 };
}

/**
 * Turns frame activities into events, class by class: frames with probability >= `hysteresis × threshold` are
 * active; runs of active frames separated by fewer than `minGap` seconds are joined; runs in which no frame reaches
 * `threshold` itself, and runs shorter than `minDuration`, are dropped. An event's direction is the mean of its
 * active frames' DOA vectors.
 */
export function framesToEvents(
  out: FrameOutput,
  classes: readonly string[],
  file: string,
  options: { threshold: number; minDuration: number; minGap: number; hysteresis?: number },
): SoundEvent[] {
  const K = classes.length;
  const h = out.frameLength;
  const gapFrames = Math.round(options.minGap / h);
  const events: SoundEvent[] = [];
  const hysteresis = options.hysteresis ?? 1;
  if (!(hysteresis > 0 && hysteresis <= 1))
    throw new AudioError('BAD_ARGUMENT', `hysteresis must be in (0, 1], got ${hysteresis}.`);
  const low = options.threshold * hysteresis;
  for (let k = 0; k < K; k++) {
    const runs: [number, number, boolean][] = [];
    for (let t = 0; t < out.frames; t++) {
      const p = out.activity[t * K + k];
      if (p < low) continue;
      const last = runs[runs.length - 1];
      if (last && t - last[1] <= gapFrames) {
        last[1] = t + 1;
        last[2] ||= p >= options.threshold;
      } else runs.push([t, t + 1, p >= options.threshold]);
    }
    for (const [a, b, reached] of runs) {
      if (!reached || (b - a) * h < options.minDuration - 1e-9) continue;
      const active: number[] = [];
      for (let t = a; t < b; t++) if (out.activity[t * K + k] >= low) active.push(t);
      const dir = out.doa ? directionOf(out.doa, K, k, active) : null;
      events.push({
        file,
        onset: Math.round(a * h * 1000) / 1000,
        offset: Math.round(b * h * 1000) / 1000,
        class: classes[k],
        azimuth: dir ? dir.azimuth : null,
        elevation: dir ? dir.elevation : null,
      });
    }
  }
  events.sort((p, q) => p.onset - q.onset || p.class.localeCompare(q.class));
  return events;
}

/** The per-frame table: one row per frame and class whose probability reaches the threshold. */
export function frameRows(out: FrameOutput, classes: readonly string[], file: string, threshold: number): FrameRow[] {
  const K = classes.length;
  const rows: FrameRow[] = [];
  for (let t = 0; t < out.frames; t++) {
    for (let k = 0; k < K; k++) {
      const p = out.activity[t * K + k];
      if (p < threshold) continue;
      const dir = out.doa ? directionOf(out.doa, K, k, [t]) : null;
      rows.push({
        file,
        frame: t,
        onset: Math.round(t * out.frameLength * 1000) / 1000,
        offset: Math.round((t + 1) * out.frameLength * 1000) / 1000,
        class: classes[k],
        probability: Math.round(p * 1000) / 1000,
        azimuth: dir ? dir.azimuth : null,
        elevation: dir ? dir.elevation : null,
      });
    }
  }
  return rows;
}
