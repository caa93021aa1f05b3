/**
 * @gatewave/audio: WAV in and out, resampling, STFT, features, speech metrics, speech enhancement and sound event
 * detection. In Node the package exports everything its browser entry does (`browser.ts`, one list kept once), then
 * what needs files, training and the model internals.
 */
export * from './browser';
export * from './sed';
// WAV files on disk (Node only; the byte-level decodeWav / encodeWav come from the browser entry).
export { readWav, writeWav, openWav, readWavFormat, WavReader, WavWriter } from './io/wav';
export { enhanceFile, enhancedName } from './enhance/enhancer';
export type { EnhanceFileResult } from './enhance/enhancer';
export { loadEnhancer, loadFrcrnEnhancer, DEFAULT_MODEL_DIR, MEDIUM_MODEL_DIR, SMALL_MODEL_DIR } from './enhance/load';
export { enhanceFiles } from './enhance/batch';
export type { EnhanceFilesOptions, EnhanceFileOutcome } from './enhance/batch';
export { scoreFiles } from './metrics/score-files';
export type { FileScores } from './metrics/score-files';
export { scoreFolders } from './enhance/score';
export type { FileScore, FolderScores } from './enhance/score';
export { countParameters, FRCRN_MEDIUM, FRCRN_LARGE, FRCRN_LARGE_CASCADE, ComplexConv2D } from './enhance/frcrn';
export { trainEnhancer } from './enhance/train';
export type { TrainEnhancerOptions } from './enhance/train';
export { corpusMixtures, corpusUtterances, pairedMixtures, mixAtSnr } from './enhance/eval-mixtures';
export type { EvalMixture, CorpusMixtureOptions, UtteranceWithNoise } from './enhance/eval-mixtures';
export { tuneAttenuationLimit } from './enhance/tune';
export type { LimitScore, TuneLimitResult, TuneLimitOptions } from './enhance/tune';
export { tuneNetworkSettings } from './enhance/tune-settings';
export type { NetworkSetting, TuneSettingsResult } from './enhance/tune-settings';
export { saveTuned, withTuning } from './enhance/tuned-model';
export type { Tuning } from './enhance/tuned-model';
export type { ModelJson } from './enhance/tuned-model';
export { readManifest } from './enhance/manifest';
export type { ManifestRow } from './enhance/manifest';
export type { MixSettings } from './enhance/train-data';
