/** Sound event detection and localisation: event lists, metrics, scene synthesis, features, detector, training. */
export {
  parseEventList,
  readEventList,
  formatEventList,
  writeEventList,
  readSceneLabels,
  formatSceneLabels,
  EVENT_COLUMNS,
  DCASE2019_COLUMNS,
} from './events';
export type { SoundEvent, ReadEventsOptions } from './events';
export {
  hungarian,
  angularDistance,
  eventsToFrames,
  SegmentBasedMetrics,
  Seld2019Metrics,
  LocationAwareMetrics,
  scoreEvents,
} from './metrics';
export type {
  SegmentBasedResults,
  Seld2019Results,
  LocationAwareResults,
  EventScores,
  ScoreOptions,
  FrameTrack,
} from './metrics';
export {
  foaGains,
  mic4Delays,
  fractionalDelay,
  spatialize,
  loadEventClips,
  loadAmbience,
  diffuseAmbience,
  synthesizeScene,
  synthesizeScenes,
  MIC4_RADIUS,
  MIC4_CAPSULES,
  SCENE_FORMATS,
} from './synth';
export type { SceneFormat, EventClip, SceneOptions, Scene, SynthesizeScenesOptions, SceneManifest } from './synth';
export {
  extractFeatures as extractSedFeatures,
  featureChannels,
  DEFAULT_FEATURES as DEFAULT_SED_FEATURES,
} from './features';
export type { SedFeatureConfig, SedFeatures } from './features';
export { SoundEventDetector, buildDetector, defaultDetectorConfig, detectorLoss, detectorConfigOf } from './detector';
export { atLevel, medianLevelDb, recordingRms } from '../dsp/level';
export { framesToEvents } from './frame-events';
export { FOA_VIEW_COUNTS } from './foa-views';
export { loadDetectorFromUrl } from './load-url';
export type { DetectorConfig, DetectOptions } from './detector';
export { accdoaActivity, accdoaLoss, DETECTOR_OUTPUTS } from './accdoa';
export type { DetectorOutput } from './accdoa';
export type { FrameOutput, FrameRow } from './frame-events';
export {
  trainDetector,
  tuneDetector,
  tunePostProcessing,
  listScenes,
  evaluateDetector,
  classBalanceWeights,
} from './train';
export type { TrainDetectorOptions, SynthesizedTrainingOptions, EpochSummary, TunedPostProcessing } from './train';
export { loadDetector, detectFiles, eventFileNames, formatFrameTable, DEFAULT_DETECTOR_DIR } from './detect-files';
export type { DetectFileResult, DetectFilesOptions } from './detect-files';
export {
  DCASE_CLASS_LISTS,
  DCASE_FRAME_SECONDS,
  metadataKind,
  parseDcase2019Metadata,
  parseDcase2020Metadata,
  parseDcase2020Output,
  parseDcaseFrameRows,
  frameRowsToEvents,
  readDcaseMetadata,
  readEventFile,
  eventsToDcase2020Rows,
  formatDcase2020Output,
  writeDcase2020Outputs,
  dcaseOutputName,
  resolveClassNames,
} from './dcase';
export type { DcaseMetadataKind, DcaseReadOptions, DcaseFrameRow, EventFileFormat } from './dcase';
export { readDcaseDataset, datasetEvents, dcaseSceneSet, readEventsAnyFormat } from './dcase-dataset';
export type { DcaseDataset, DcaseRecording, ReadDcaseOptions } from './dcase-dataset';
export { detectorWithClasses, remapHeadWeights } from './remap';
