/** Segment-based detection metrics (sed_eval). */
import { AudioError } from '../../errors';
import { SoundEvent } from '../events';
import { checkSameFile, classIndex, indexOf, maxOffset } from './frames';

export interface SegmentBasedResults {
  /** Segment-based error rate `ER = (S + D + I) / N_ref`. */
  er: number;
  /** Overall (micro) F-score `F = 2·P·R / (P + R)`, P = TP / N_sys, R = TP / N_ref. */
  f: number;
  precision: number;
  recall: number;
  /** `(TP + TN) / (TP + TN + FP + FN)` over all segment × class cells. */
  accuracy: number;
  substitutions: number;
  deletions: number;
  insertions: number;
  truePositives: number;
  trueNegatives: number;
  falsePositives: number;
  falseNegatives: number;
  nref: number;
  nsys: number;
  /** Segments evaluated (all files). */
  segments: number;
  /** Per class: `er = (FN + FP) / N_ref`, F-score, N_ref, N_sys. */
  classWise: Record<string, { er: number; f: number; nref: number; nsys: number }>;
}

/**
 * Segment-based sound event detection metrics, as defined in sed_eval (`SegmentBasedMetrics`, Mesaros et al. 2016).
 *
 * Each file is cut into segments of `timeResolution` seconds. An event marks its class active in the segments from
 * `floor(onset / res)` to `ceil(offset / res) − 1`. The file's length is the latest offset of the reference and the
 * estimate (or `evaluatedLength`), rounded up to whole segments. In each segment, with N_ref / N_sys the active
 * classes in reference / estimate and TP those active in both:
 * - substitutions `S = min(N_ref, N_sys) − TP`, deletions `D = max(0, N_ref − N_sys)`,
 *   insertions `I = max(0, N_sys − N_ref)`;
 * and summed over every segment of every evaluated file:
 * - error rate `ER = (ΣS + ΣD + ΣI) / ΣN_ref`;
 * - F-score `F = 2·P·R / (P + R)` with precision `P = ΣTP / ΣN_sys`, recall `R = ΣTP / ΣN_ref` (micro average).
 */
export class SegmentBasedMetrics {
  readonly classes: readonly string[];
  readonly timeResolution: number;
  private readonly index: Map<string, number>;
  private tp = 0;
  private tn = 0;
  private fp = 0;
  private fn = 0;
  private s = 0;
  private d = 0;
  private i = 0;
  private nref = 0;
  private nsys = 0;
  private segments = 0;
  private readonly perClass: { tp: number; fp: number; fn: number; nref: number; nsys: number }[];

  constructor(classes: readonly string[], options: { timeResolution?: number } = {}) {
    this.classes = [...classes];
    this.timeResolution = options.timeResolution ?? 1.0;
    if (!(this.timeResolution > 0)) throw new AudioError('BAD_ARGUMENT', 'timeResolution must be > 0 seconds.');
    this.index = classIndex(this.classes);
    this.perClass = this.classes.map(() => ({ tp: 0, fp: 0, fn: 0, nref: 0, nsys: 0 }));
  }

  private roll(events: readonly SoundEvent[], length: number): Uint8Array[] {
    const res = this.timeResolution;
    const roll: Uint8Array[] = [];
    for (let t = 0; t < length; t++) roll.push(new Uint8Array(this.classes.length));
    for (const e of events) {
      const k = indexOf(this.index, e);
      const on = Math.floor(e.onset / res);
      const off = Math.min(length, Math.ceil(e.offset / res));
      for (let t = on; t < off; t++) roll[t][k] = 1;
    }
    return roll;
  }

  /** Adds one file: its reference and estimated events (all of the same file). */
  evaluate(reference: readonly SoundEvent[], estimated: readonly SoundEvent[], evaluatedLength?: number): void {
    checkSameFile(reference, estimated);
    const res = this.timeResolution;
    const refSegments = Math.ceil(maxOffset(reference) / res);
    const evaluated =
      evaluatedLength === undefined ? Math.max(maxOffset(reference), maxOffset(estimated)) : evaluatedLength;
    const length = Math.max(refSegments, Math.ceil(evaluated / res));
    const ref = this.roll(reference, length);
    const est = this.roll(estimated, length);
    for (let t = 0; t < length; t++) {
      let tp = 0;
      let nref = 0;
      let nsys = 0;
      for (let k = 0; k < this.classes.length; k++) {
        const r = ref[t][k];
        const e = est[t][k];
        const c = this.perClass[k];
        nref += r;
        nsys += e;
        c.nref += r;
        c.nsys += e;
        if (r && e) {
          tp++;
          c.tp++;
        } else if (e) {
          this.fp++;
          c.fp++;
        } else if (r) {
          this.fn++;
          c.fn++;
        } else this.tn++;
      }
      this.tp += tp;
      this.nref += nref;
      this.nsys += nsys;
      this.s += Math.min(nref, nsys) - tp;
      this.d += Math.max(0, nref - nsys);
      this.i += Math.max(0, nsys - nref);
    }
    this.segments += length;
  }

  results(): SegmentBasedResults {
    const precision = this.nsys ? this.tp / this.nsys : 0;
    const recall = this.nref ? this.tp / this.nref : 0;
    const classWise: SegmentBasedResults['classWise'] = {};
    this.classes.forEach((name, k) => {
      const c = this.perClass[k];
      classWise[name] = {
        er: c.nref ? (c.fn + c.fp) / c.nref : NaN,
        f: c.nref + c.nsys ? (2 * c.tp) / (c.nref + c.nsys) : NaN,
        nref: c.nref,
        nsys: c.nsys,
      };
    });
    const cells = this.tp + this.tn + this.fp + this.fn;
    return {
      er: this.nref ? (this.s + this.d + this.i) / this.nref : NaN,
      f: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
      precision,
      recall,
      accuracy: cells ? (this.tp + this.tn) / cells : NaN,
      substitutions: this.s,
      deletions: this.d,
      insertions: this.i,
      truePositives: this.tp,
      trueNegatives: this.tn,
      falsePositives: this.fp,
      falseNegatives: this.fn,
      nref: this.nref,
      nsys: this.nsys,
      segments: this.segments,
      classWise,
    };
  }
}
