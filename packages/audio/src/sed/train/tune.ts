/** Choosing a detector's post-processing on validation scenes: view count, threshold, shortest event, hysteresis. */
import * as path from 'path';
import { loadModelMetadata, ProgressBar } from '@gatewave/core';
import { AudioError } from '../../errors';
import { scoreEvents, EventScores } from '../metrics';
import { labelFrameLength, normalizeFeatures, SoundEventDetector } from '../detector';
import { framesToEvents } from '../frame-events';
import { listScenes, prepareScenes, PreparedScene } from './scenes';

/**
 * The score that picks the best model and post-processing (lower is better). With directions: the DCASE 2020 SELD
 * score, `(ER_loc + (1 − F_loc) + LE / 180 + (1 − LR)) / 4` with the location-aware ER and F (`doa_threshold`), the
 * localization error LE (180° when nothing is localized) and the localization recall LR. A model that detects nothing
 * scores at least 0.75 there. The DCASE 2019 score is not used for choosing: it counts the DOA error of a model that
 * detects nothing as 0°, so on scenes that are half silence such a model beats most models that try. Mono (no
 * directions): (ER + 1 − F) / 2.
 */
export function selectionScore(s: EventScores): number {
  const { location_aware_er: er, location_aware_f: f, localization_error: le, localization_recall: lr } = s;
  if (er === null || f === null || le === null || lr === null || Number.isNaN(lr)) return (s.er + (1 - s.f)) / 2;
  return (er + (1 - f) + le / 180 + (1 - lr)) / 4;
}

/** Scores a detector on prepared (normalised) scenes with its default post-processing. */
export function evaluateDetector(detector: SoundEventDetector, scenes: readonly PreparedScene[]): EventScores {
  return tunePostProcessing(detector, scenes, [detector.config.threshold]).validation;
}

/** Activity thresholds tried on the validation scenes after each epoch (see `tunePostProcessing`). */
export const THRESHOLD_GRID = [0.2, 0.3, 0.4, 0.5, 0.6];

/** Shortest-event settings (seconds) tried with each threshold: one, two or three 100 ms label frames. */
export const MIN_DURATION_GRID = [0.1, 0.2, 0.3];

export interface TunedPostProcessing {
  threshold: number;
  minDuration: number;
  views: number;
  hysteresis: number;
  validation: EventScores;
}

/**
 * Runs the detector over prepared (normalised) scenes, once per view count of `viewCounts` (default: the
 * detector's own), and scores its events at each activity threshold of `thresholds` combined with each shortest event
 * of `minDurations` and each threshold hysteresis of `hysteresis` (defaults: the detector's own; other
 * post-processing as configured); returns the combination with the best `selectionScore` (ties go to the earlier
 * view count, then threshold, duration, hysteresis) and its scores.
 */
export function tunePostProcessing(
  detector: SoundEventDetector,
  scenes: readonly PreparedScene[],
  thresholds: readonly number[] = THRESHOLD_GRID,
  minDurations: readonly number[] = [detector.config.minDuration],
  viewCounts: readonly number[] = [detector.config.views ?? 1],
  hysteresis: readonly number[] = [detector.config.hysteresis ?? 1],
): TunedPostProcessing {
  if (thresholds.length === 0) throw new AudioError('BAD_ARGUMENT', 'tunePostProcessing: no thresholds to try.');
  if (hysteresis.length === 0) throw new AudioError('BAD_ARGUMENT', 'tunePostProcessing: no hysteresis values to try.');
  if (minDurations.length === 0)
    throw new AudioError('BAD_ARGUMENT', 'tunePostProcessing: no minimum durations to try.');
  if (viewCounts.length === 0) throw new AudioError('BAD_ARGUMENT', 'tunePostProcessing: no view counts to try.');
  const ref = scenes.flatMap((s) => s.events);
  let best: (TunedPostProcessing & { score: number }) | null = null;
  for (const views of viewCounts) {
    const outs = scenes.map((s) => detector.predictFeatures(s.features, 3000, views));
    for (const threshold of thresholds) {
      for (const minDuration of minDurations) {
        for (const h of hysteresis) {
          const options = { ...detector.resolve({}), threshold, minDuration, hysteresis: h };
          const est = scenes.flatMap((s, i) => framesToEvents(outs[i], detector.config.classes, s.name, options));
          const validation = scoreEvents(ref, est, {
            classes: detector.config.classes,
            frameLength: labelFrameLength(detector.config),
          });
          const score = selectionScore(validation);
          if (!best || score < best.score) best = { threshold, minDuration, views, hysteresis: h, validation, score };
        }
      }
    }
  }
  const { score: _score, ...tuned } = best!;
  return tuned;
}

/**
 * Chooses a trained detector's post-processing on validation scenes (a folder from synth-scenes): the view count,
 * activity threshold and shortest event with the best validation score (see `tunePostProcessing`), written into the
 * detector directory (atomically). Returns what was chosen and its validation scores.
 */
export async function tuneDetector(
  modelDir: string,
  validationDir: string,
  grids: { thresholds?: number[]; minDurations?: number[]; views?: number[]; hysteresis?: number[] } = {},
  progress = false,
): Promise<TunedPostProcessing> {
  const detector = await SoundEventDetector.load(modelDir);
  const set = listScenes(validationDir, detector.config.features.format);
  const bar = progress ? new ProgressBar(set.scenes.length, { label: 'features' }) : null;
  const scenes = prepareScenes(set, detector.config, () => bar?.tick());
  bar?.finish();
  for (const s of scenes) normalizeFeatures(s.features, detector.config);
  const tuned = tunePostProcessing(
    detector,
    scenes,
    grids.thresholds ?? THRESHOLD_GRID,
    grids.minDurations ?? MIN_DURATION_GRID,
    grids.views ?? [1],
    grids.hysteresis ?? [1],
  );
  const config = {
    ...detector.config,
    threshold: tuned.threshold,
    minDuration: tuned.minDuration,
    views: tuned.views,
    hysteresis: tuned.hysteresis,
  };
  const meta = loadModelMetadata(modelDir);
  await new SoundEventDetector(detector.model, config).save(modelDir, {
    ...meta,
    tuned: {
      scenes: `${scenes.length} from ${path.resolve(validationDir)}`,
      threshold: tuned.threshold,
      minDuration: tuned.minDuration,
      views: tuned.views,
      hysteresis: tuned.hysteresis,
      validation: { ...tuned.validation, segment: undefined },
    },
  });
  return tuned;
}
