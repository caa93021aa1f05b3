/** Detector training: scene folders, post-processing tuning, and the training loop. */
export { listScenes, prepareScenes, featureStatistics } from './scenes';
export type { PreparedScene, SceneSet } from './scenes';
export {
  evaluateDetector,
  tunePostProcessing,
  tuneDetector,
  selectionScore,
  THRESHOLD_GRID,
  MIN_DURATION_GRID,
} from './tune';
export type { TunedPostProcessing } from './tune';
export { trainDetector, maskFrequencies, classBalanceWeights } from './train';
export type { TrainDetectorOptions, SynthesizedTrainingOptions, EpochSummary } from './train';
