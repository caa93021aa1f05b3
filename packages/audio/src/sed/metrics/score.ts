/** All figures at once, over whole event lists: what `score-events` prints. */
import { AudioError } from '../../errors';
import { SoundEvent, groupByFile, uniqueClasses } from '../events';
import { hasDirections } from './frames';
import { SegmentBasedMetrics, SegmentBasedResults } from './segment';
import { Seld2019Metrics } from './seld2019';
import { LocationAwareMetrics } from './location-aware';

/** The figures `score-events` prints (snake_case keys as in the DCASE tools). Direction figures are null for mono. */
export interface EventScores {
  er: number;
  f: number;
  doa_error: number | null;
  frame_recall: number;
  seld_score: number | null;
  /** DCASE 2020 location-aware error rate and F-score: a detection counts only within `doa_threshold` degrees. */
  location_aware_er: number | null;
  location_aware_f: number | null;
  /** @deprecated The same as `location_aware_er`, under its old name (kept in the JSON for this release). */
  er_20: number | null;
  /** @deprecated The same as `location_aware_f`, under its old name (kept in the JSON for this release). */
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
    location_aware_er: l ? l.er : null,
    location_aware_f: l ? l.f : null,
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
