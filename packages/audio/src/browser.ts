/**
 * The browser entry of @gatewave/audio (the `browser` condition of its `exports`): WAV parse and encode on bytes,
 * resampling, FFT/STFT, features, metrics, and enhancer and detector inference with models loaded over fetch.
 * Nothing here imports `fs`, a native addon or any Node-only module; a test checks the bundle graph.
 */
export { AudioError } from './errors';
export { decodeWav, decodeWavFormat, encodeWav } from './io/wav-bytes';
export type { AudioData, WavFormat, WavWriteFormat, WavWriteOptions } from './io/wav-bytes';
export { resample, RESAMPLE_STOPBAND_DB } from './io/resample';
export { fft, ifft, rfft, irfft } from './dsp/fft';
export type { ComplexArray } from './dsp/fft';
export { stft, istft, makeWindow, frameCount } from './dsp/stft';
export type { StftOptions, Spectrogram, WindowName } from './dsp/stft';
export { spectrogramViews, featureMatrixView, sedFeaturesView } from './dsp/views';
export { stftTensor, istftTensor } from './dsp/tensor-stft';
export type { TensorSpectrogram } from './dsp/tensor-stft';
export { siSdr } from './metrics/sisdr';
export { stoi, estoi } from './metrics/stoi';
export { logMelSpectrogram, mfcc, spectralDescriptors } from './features';
export type { FeatureOptions, FeatureMatrix, ScalarFeature } from './features';
export { WienerEnhancer } from './enhance/wiener';
export type { WienerOptions } from './enhance/wiener';
export { enhanceAudio } from './enhance/pipeline';
export type { Enhancer, EnhanceOptions } from './enhance/pipeline';
export { buildFrcrn, FRCRN_SMALL, FRCRN_FULL, FRCRN_CONFIGS } from './enhance/frcrn';
export type { FrcrnConfig } from './enhance/frcrn';
export {
  FrcrnEnhancer,
  frcrnConfigOf,
  recommendedAttenuationLimit,
  recommendedInputLevel,
  recommendedWienerShare,
  recommendedShifts,
} from './enhance/frcrn-enhancer';
export { loadEnhancerFromUrl } from './enhance/load-url';
export {
  limitAttenuation,
  checkAttenuationLimit,
  mixWithInput,
  unlimited,
  attenuationLimitOf,
} from './enhance/atten-lim';
export type { LimitedEnhancer } from './enhance/atten-lim';
export { checkInputLevel, INPUT_LEVEL_RANGE, rms } from './dsp/level';
export { withWiener, wienerShareOf, checkWienerShare, withOverrides } from './enhance/wiener-share';
export { averageOverShifts, checkShifts, shiftOffsets, MAX_SHIFTS } from './enhance/shifts';
export type { WithWiener, EnhancerOverrides } from './enhance/wiener-share';
export type { InputLevel } from './enhance/input-level';
export type { SoundEvent } from './sed/event-list';
export { formatEventList, parseEventList, formatCsv, parseCsv } from './sed/event-list';
export { SoundEventDetector, detectorConfigOf } from './sed/detector';
export { framesToEvents } from './sed/frame-events';
export { FOA_VIEW_COUNTS } from './sed/foa-views';
export type { DetectorConfig, DetectOptions } from './sed/detector';
export type { FrameOutput, FrameRow } from './sed/frame-events';
export { loadDetectorFromUrl } from './sed/load-url';
