/** DCASE 2020 location-aware detection metrics. */
import { AudioError } from '../../errors';
import { SoundEvent } from '../events';
import { matchDirections } from '../geometry';
import { checkSameFile, directionsOf, eventsToFrames, frameCount, hasDirections } from './frames';

export interface LocationAwareResults {
  /** Location-aware error rate. */
  er: number;
  /** Location-aware F-score. */
  f: number;
  /** Class-aware localisation error in degrees (180 when nothing was localised). */
  localizationError: number;
  /** Class-aware localisation recall. */
  localizationRecall: number;
  doaThreshold: number;
}

/**
 * DCASE 2020 task 3 location-aware detection and class-aware localisation (Mesaros et al., "Joint measurement of
 * localization and detection of sound events", WASPAA 2019), as in the DCASE 2020 baseline's `SELDMetrics`.
 * Frames of `frameLength` s are grouped into segments of `segmentLength` s. For each segment and class, with the
 * class active in the reference (counted in N_ref) and/or the estimate (counted in N_sys):
 * - active in both: over the frames of the segment where the class is active in both, the mean great-circle
 *   distance d̄ of the Hungarian-matched directions of that class (per frame, the mean over matched pairs). If no
 *   such frame exists it is a false negative; else it is localised (`DE_TP += 1`, `ΣDE += d̄`) and a true positive
 *   when d̄ ≤ `doaThreshold` (20°), a false positive otherwise;
 * - only in the reference: false negative; only in the estimate: false positive.
 * Per segment `S = min(FP, FN)`, `D = max(0, FN − FP)`, `I = max(0, FP − FN)`; summed over all segments:
 * - `ER = (ΣS + ΣD + ΣI) / N_ref`, `F = TP / (TP + (FP + FN) / 2)`,
 * - localisation error `LE = ΣDE / DE_TP` (180° when DE_TP = 0), localisation recall `LR = DE_TP / (DE_TP + FN)`.
 */
export class LocationAwareMetrics {
  readonly classes: readonly string[];
  readonly frameLength: number;
  readonly segmentFrames: number;
  readonly doaThreshold: number;
  private tp = 0;
  private fp = 0;
  private fn = 0;
  private s = 0;
  private d = 0;
  private i = 0;
  private nref = 0;
  private nsys = 0;
  private totalDE = 0;
  private deTP = 0;

  constructor(
    classes: readonly string[],
    options: { frameLength?: number; segmentLength?: number; doaThreshold?: number } = {},
  ) {
    this.classes = [...classes];
    this.frameLength = options.frameLength ?? 0.1;
    this.segmentFrames = Math.max(1, Math.round((options.segmentLength ?? 1.0) / this.frameLength));
    this.doaThreshold = options.doaThreshold ?? 20;
  }

  /** Adds one file; both lists need directions. */
  evaluate(reference: readonly SoundEvent[], estimated: readonly SoundEvent[], length?: number): void {
    checkSameFile(reference, estimated);
    if (!hasDirections(reference) || !hasDirections(estimated)) {
      throw new AudioError('NO_DIRECTIONS', 'location-aware metrics need azimuth and elevation on every event.');
    }
    const n = frameCount(reference, estimated, this.frameLength, length);
    const ref = eventsToFrames(reference, this.classes, n, this.frameLength);
    const est = eventsToFrames(estimated, this.classes, n, this.frameLength);
    const S = this.segmentFrames;
    for (let start = 0; start < n; start += S) {
      const end = Math.min(n, start + S);
      let fn = 0;
      let fp = 0;
      for (let k = 0; k < this.classes.length; k++) {
        let inRef = false;
        let inEst = false;
        let distance = 0;
        let matchedFrames = 0;
        for (let t = start; t < end; t++) {
          const r = ref[t].filter((x) => x.classIndex === k);
          const e = est[t].filter((x) => x.classIndex === k);
          inRef ||= r.length > 0;
          inEst ||= e.length > 0;
          if (r.length && e.length) {
            const m = matchDirections(directionsOf(r), directionsOf(e));
            distance += m.sum / m.pairs;
            matchedFrames++;
          }
        }
        if (inRef) this.nref++;
        if (inEst) this.nsys++;
        if (inRef && inEst) {
          if (matchedFrames === 0) fn++;
          else {
            const mean = distance / matchedFrames;
            this.totalDE += mean;
            this.deTP++;
            if (mean <= this.doaThreshold) this.tp++;
            else fp++;
          }
        } else if (inRef) fn++;
        else if (inEst) fp++;
      }
      this.fn += fn;
      this.fp += fp;
      this.s += Math.min(fp, fn);
      this.d += Math.max(0, fn - fp);
      this.i += Math.max(0, fp - fn);
    }
  }

  results(): LocationAwareResults {
    const denomF = this.tp + 0.5 * (this.fp + this.fn);
    return {
      er: this.nref ? (this.s + this.d + this.i) / this.nref : NaN,
      f: denomF ? this.tp / denomF : 0,
      localizationError: this.deTP ? this.totalDE / this.deTP : 180,
      localizationRecall: this.deTP + this.fn ? this.deTP / (this.deTP + this.fn) : NaN,
      doaThreshold: this.doaThreshold,
    };
  }
}
