/**
 * @gatewave/audio: WAV in and out, resampling, STFT, features, speech metrics and speech enhancement.
 */
export { AudioError } from './errors';
export { readWav, decodeWav, writeWav, encodeWav, openWav, readWavFormat, WavReader, WavWriter } from './io/wav';
export { decodeWavFormat } from './io/wav-bytes';
export type { AudioData, WavFormat, WavWriteFormat, WavWriteOptions } from './io/wav';
export { resample, RESAMPLE_STOPBAND_DB } from './io/resample';
export { fft, ifft, rfft, irfft } from './dsp/fft';
export type { ComplexArray } from './dsp/fft';
export { stft, istft, makeWindow, frameCount } from './dsp/stft';
export type { StftOptions, Spectrogram, WindowName } from './dsp/stft';
export { spectrogramViews, featureMatrixView, sedFeaturesView } from './dsp/views';
export { siSdr, stoi, estoi } from './metrics';
export { WienerEnhancer } from './enhance/wiener';
export type { WienerOptions } from './enhance/wiener';
export { enhanceAudio, enhanceFile, enhancedName } from './enhance/enhancer';
export type { Enhancer, EnhanceOptions, EnhanceFileResult } from './enhance/enhancer';
export { loadEnhancer, DEFAULT_MODEL_DIR, SMALL_MODEL_DIR } from './enhance/load';
export { enhanceFiles } from './enhance/batch';
export type { EnhanceFilesOptions, EnhanceFileOutcome } from './enhance/batch';
export { scoreFiles } from './metrics/score-files';
export type { FileScores } from './metrics/score-files';
export {
  limitAttenuation,
  checkAttenuationLimit,
  mixWithInput,
  unlimited,
  attenuationLimitOf,
} from './enhance/atten-lim';
export type { LimitedEnhancer } from './enhance/atten-lim';
export { scoreFolders } from './enhance/score';
export type { FileScore, FolderScores } from './enhance/score';
export { loadEnhancerFromUrl } from './enhance/load-url';
export * from './sed';
export { logMelSpectrogram, mfcc, spectralDescriptors } from './features';
export type { FeatureOptions, FeatureMatrix, ScalarFeature } from './features';
export { stftTensor, istftTensor } from './dsp/tensor-stft';
export type { TensorSpectrogram } from './dsp/tensor-stft';
export {
  buildFrcrn,
  countParameters,
  FRCRN_SMALL,
  FRCRN_MEDIUM,
  FRCRN_FULL,
  FRCRN_CONFIGS,
  ComplexConv2D,
} from './enhance/frcrn';
export type { FrcrnConfig } from './enhance/frcrn';
export { FrcrnEnhancer, frcrnConfigOf, recommendedAttenuationLimit } from './enhance/frcrn-enhancer';
export { loadFrcrnEnhancer } from './enhance/load';
export { trainEnhancer } from './enhance/train';
export { readManifest } from './enhance/manifest';
export type { ManifestRow } from './enhance/manifest';
export type { MixSettings } from './enhance/train-data';
export type { TrainEnhancerOptions } from './enhance/train';
