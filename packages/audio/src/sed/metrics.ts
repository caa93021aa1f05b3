import { AudioError } from '../errors';
import { SoundEvent, groupByFile, uniqueClasses } from './events';

// ---------------------------------------------------------------------------------------------------------------
// Building blocks: optimal assignment and angular distance
// ---------------------------------------------------------------------------------------------------------------

/**
 * Minimum-cost assignment (Hungarian / Kuhn-Munkres method with row and column potentials, O(n²·m)) for a
 * rectangular cost matrix `cost[row][col]`. Returns the pairs `[row, col]` of an assignment of size
 * min(rows, cols) whose total cost is smallest; ties are broken by the scan order.
 */
export function hungarian(cost: readonly (readonly number[])[]): [number, number][] {
  const rows = cost.length;
  const cols = rows ? cost[0].length : 0;
  if (rows === 0 || cols === 0) return [];
  const transposed = rows > cols;
  const n = transposed ? cols : rows; // n <= m
  const m = transposed ? rows : cols;
  const a = (i: number, j: number) => (transposed ? cost[j - 1][i - 1] : cost[i - 1][j - 1]);
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j]: the row (1-based) assigned to column j, 0 if none
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Infinity);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = a(i0, j) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const pairs: [number, number][] = [];
  for (let j = 1; j <= m; j++) {
    if (p[j] === 0) continue;
    pairs.push(transposed ? [j - 1, p[j] - 1] : [p[j] - 1, j - 1]);
  }
  pairs.sort((x, y) => x[0] - y[0]);
  return pairs;
}

const RAD = Math.PI / 180;

/**
 * Great-circle (central) angle in degrees between two directions given as azimuth/elevation in degrees:
 * `σ = arccos(sin e1 · sin e2 + cos e1 · cos e2 · cos(a1 − a2))`, evaluated as `atan2(|u × v|, u · v)` on the unit
 * vectors u, v (the same angle, without arccos's loss of precision near 0° and 180°).
 */
export function angularDistance(azimuth1: number, elevation1: number, azimuth2: number, elevation2: number): number {
  const [x1, y1, z1] = toUnitVector(azimuth1, elevation1);
  const [x2, y2, z2] = toUnitVector(azimuth2, elevation2);
  const cx = y1 * z2 - z1 * y2;
  const cy = z1 * x2 - x1 * z2;
  const cz = x1 * y2 - y1 * x2;
  return Math.atan2(Math.hypot(cx, cy, cz), x1 * x2 + y1 * y2 + z1 * z2) / RAD;
}

/** Unit vector `[x, y, z]` of a direction: x front, y left, z up (azimuth counter-clockwise from x). */
export function toUnitVector(azimuth: number, elevation: number): [number, number, number] {
  const a = azimuth * RAD;
  const e = elevation * RAD;
  return [Math.cos(a) * Math.cos(e), Math.sin(a) * Math.cos(e), Math.sin(e)];
}

/** Azimuth and elevation in degrees of a (not necessarily unit) vector; azimuth in [−180, 180]. */
export function toDirection(x: number, y: number, z: number): { azimuth: number; elevation: number } {
  return { azimuth: Math.atan2(y, x) / RAD, elevation: Math.atan2(z, Math.hypot(x, y)) / RAD };
}

interface Direction {
  azimuth: number;
  elevation: number;
}

/** Sum of the great-circle distances of the minimum-cost matching between two sets of directions, and its size. */
function matchDirections(ref: readonly Direction[], est: readonly Direction[]): { sum: number; pairs: number } {
  if (!ref.length || !est.length) return { sum: 0, pairs: 0 };
  const cost = ref.map((r) => est.map((e) => angularDistance(r.azimuth, r.elevation, e.azimuth, e.elevation)));
  const pairs = hungarian(cost);
  let sum = 0;
  for (const [i, j] of pairs) sum += cost[i][j];
  return { sum, pairs: pairs.length };
}

function maxOffset(events: readonly SoundEvent[]): number {
  let m = 0;
  for (const e of events) m = Math.max(m, e.offset);
  return m;
}

function checkSameFile(ref: readonly SoundEvent[], est: readonly SoundEvent[]): void {
  const files = new Set([...ref, ...est].map((e) => e.file));
  if (files.size > 1) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `evaluate() takes the events of one file at a time, got ${[...files].join(', ')}; use scoreEvents() for lists.`,
    );
  }
}

function classIndex(classes: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  classes.forEach((c, i) => m.set(c, i));
  return m;
}

function indexOf(index: Map<string, number>, e: SoundEvent): number {
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

// ---------------------------------------------------------------------------------------------------------------
// Segment-based detection metrics (sed_eval)
// ---------------------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------------------
// Frame tables (the label-rate view of an event list)
// ---------------------------------------------------------------------------------------------------------------

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

function frameCount(ref: readonly SoundEvent[], est: readonly SoundEvent[], frameLength: number, length?: number) {
  const seconds = Math.max(maxOffset(ref), maxOffset(est), length ?? 0);
  return Math.ceil(seconds / frameLength - 1e-9);
}

function hasDirections(events: readonly SoundEvent[]): boolean {
  return events.every((e) => e.azimuth !== null && e.elevation !== null);
}

function directionsOf(tracks: readonly FrameTrack[]): Direction[] {
  return tracks.map((t) => ({ azimuth: t.azimuth as number, elevation: t.elevation as number }));
}

// ---------------------------------------------------------------------------------------------------------------
// DCASE 2019 localisation metrics and SELD score
// ---------------------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------------------
// DCASE 2020 location-aware detection metrics
// ---------------------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------------------
// All figures at once, over whole event lists
// ---------------------------------------------------------------------------------------------------------------

/** The figures `score-events` prints (snake_case keys as in the DCASE tools). Direction figures are null for mono. */
export interface EventScores {
  er: number;
  f: number;
  doa_error: number | null;
  frame_recall: number;
  seld_score: number | null;
  /** DCASE 2020 location-aware figures at `doa_threshold` degrees; null for mono. */
  er_20: number | null;
  f_20: number | null;
  localization_error: number | null;
  localization_recall: number | null;
  doa_threshold: number;
  files: number;
  classes: string[];
  segment: SegmentBasedResults;
}

export interface ScoreOptions {
  /** Evaluated classes; default: every class in the reference or the estimate. */
  classes?: readonly string[];
  /** Frame length (s) for DOA error, frame recall and location-aware metrics. Default 0.1 (the label rate). */
  frameLength?: number;
  /** Segment length (s) for ER/F. Default 1. */
  segmentLength?: number;
  /** Threshold (degrees) of the location-aware metrics. Default 20. */
  doaThreshold?: number;
}

/**
 * Scores an estimated event list against a reference, file by file (files are those of the reference; an estimate
 * for a file absent from the reference is an error), accumulating `SegmentBasedMetrics`, `Seld2019Metrics` and
 * `LocationAwareMetrics`.
 */
export function scoreEvents(
  reference: readonly SoundEvent[],
  estimated: readonly SoundEvent[],
  options: ScoreOptions = {},
): EventScores {
  if (reference.length === 0) {
    throw new AudioError('EMPTY_LABELS', 'the reference event list has no events: there is nothing to score against.');
  }
  const classes = options.classes ? [...options.classes] : uniqueClasses(reference, estimated);
  const refByFile = groupByFile(reference);
  const estByFile = groupByFile(estimated);
  for (const f of estByFile.keys()) {
    if (!refByFile.has(f)) {
      throw new AudioError(
        'UNKNOWN_FILE',
        `the estimate lists events for '${f}', which has no reference events; score files that are in both lists.`,
      );
    }
  }
  const segOpts = { timeResolution: options.segmentLength ?? 1.0 };
  const frameOpts = { frameLength: options.frameLength ?? 0.1, segmentLength: options.segmentLength ?? 1.0 };
  const segment = new SegmentBasedMetrics(classes, segOpts);
  const seld = new Seld2019Metrics(classes, frameOpts);
  const directions = hasDirections(reference) && hasDirections(estimated);
  const located = new LocationAwareMetrics(classes, { ...frameOpts, doaThreshold: options.doaThreshold });
  for (const [file, ref] of refByFile) {
    const est = estByFile.get(file) ?? [];
    segment.evaluate(ref, est);
    seld.evaluate(ref, est);
    if (directions) located.evaluate(ref, est);
  }
  const s = seld.results();
  const l = directions ? located.results() : null;
  return {
    er: s.er,
    f: s.f,
    doa_error: s.doaError,
    frame_recall: s.frameRecall,
    seld_score: s.seldScore,
    er_20: l ? l.er : null,
    f_20: l ? l.f : null,
    localization_error: l ? l.localizationError : null,
    localization_recall: l ? l.localizationRecall : null,
    doa_threshold: located.doaThreshold,
    files: refByFile.size,
    classes,
    segment: segment.results(),
  };
}
