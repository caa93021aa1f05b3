/** DCASE 2019 localisation metrics and SELD score. */
import { AudioError } from '../../errors';
import { SoundEvent } from '../events';
import { matchDirections } from '../geometry';
import { directionsOf, eventsToFrames, frameCount, hasDirections } from './frames';
import { SegmentBasedMetrics } from './segment';

export interface Seld2019Results {
  /** Segment-based error rate (1 s segments, `SegmentBasedMetrics`). */
  er: number;
  /** Segment-based F-score (1 s segments). */
  f: number;
  /** DOA error in degrees; null when an event list has no directions (mono). */
  doaError: number | null;
  /** Frame recall. */
  frameRecall: number;
  /** DCASE 2019 SELD score; null without directions. */
  seldScore: number | null;
  frames: number;
}

/**
 * DCASE 2019 task 3 metrics (Adavanne et al., "A multi-room reverberant dataset for sound event localization and
 * detection", 2019), computed on frames of `frameLength` seconds (`eventsToFrames`):
 * - DOA error `DOA = Σ_t Σ_{(i,j) ∈ H_t} σ(ref_i, est_j) / Σ_t N_est(t)`, where H_t is the minimum-cost (Hungarian)
 *   matching between the directions of all reference and all estimated sources active in frame t, regardless of
 *   class, σ the great-circle distance in degrees, and N_est(t) the number of estimated sources in frame t;
 * - frame recall `FR = Σ_t 1[N_ref(t) = N_est(t)] / T` (the share of frames where the number of sources is right);
 * - SELD score `SELD = (ER + (1 − F) + DOA / 180 + (1 − FR)) / 4`, with ER and F the segment-based figures of
 *   `SegmentBasedMetrics` on 1 s segments.
 */
export class Seld2019Metrics {
  readonly classes: readonly string[];
  readonly frameLength: number;
  private readonly segment: SegmentBasedMetrics;
  private frames = 0;
  private goodFrames = 0;
  private doaSum = 0;
  private estSources = 0;
  private directions = true;

  constructor(classes: readonly string[], options: { frameLength?: number; segmentLength?: number } = {}) {
    this.classes = [...classes];
    this.frameLength = options.frameLength ?? 0.1;
    if (!(this.frameLength > 0)) throw new AudioError('BAD_ARGUMENT', 'frameLength must be > 0 seconds.');
    this.segment = new SegmentBasedMetrics(classes, { timeResolution: options.segmentLength ?? 1.0 });
  }

  /** Adds one file. `length` (seconds) extends the evaluated span past the last event. */
  evaluate(reference: readonly SoundEvent[], estimated: readonly SoundEvent[], length?: number): void {
    this.segment.evaluate(reference, estimated, length);
    const n = frameCount(reference, estimated, this.frameLength, length);
    const ref = eventsToFrames(reference, this.classes, n, this.frameLength);
    const est = eventsToFrames(estimated, this.classes, n, this.frameLength);
    const directions = hasDirections(reference) && hasDirections(estimated);
    this.directions &&= directions;
    for (let t = 0; t < n; t++) {
      if (ref[t].length === est[t].length) this.goodFrames++;
      this.estSources += est[t].length;
      if (directions) this.doaSum += matchDirections(directionsOf(ref[t]), directionsOf(est[t])).sum;
    }
    this.frames += n;
  }

  results(): Seld2019Results {
    const seg = this.segment.results();
    const frameRecall = this.frames ? this.goodFrames / this.frames : NaN;
    const doaError = this.directions ? (this.estSources ? this.doaSum / this.estSources : 0) : null;
    const seldScore = doaError === null ? null : (seg.er + (1 - seg.f) + doaError / 180 + (1 - frameRecall)) / 4;
    return { er: seg.er, f: seg.f, doaError, frameRecall, seldScore, frames: this.frames };
  }
}
