/**
 * ndarray views (scijs) of the package's spectrograms and feature matrices, for code that works on ndarrays
 * (ndarray-ops, ndarray-fft, ...). A view shares the typed array it looks at: nothing is copied, and writing through
 * the view changes the spectrogram or matrix itself.
 */
import ndarray, { type NdArray } from 'ndarray';
import type { Spectrogram } from './stft';
import type { FeatureMatrix } from '../features';
import type { SedFeatures } from '../sed/features';

/** The real and imaginary parts of an STFT as `[frames, bins]` ndarrays over `spec.re` and `spec.im`. */
export function spectrogramViews(spec: Spectrogram): { re: NdArray<Float32Array>; im: NdArray<Float32Array> } {
  const shape = [spec.frames, spec.bins];
  return { re: ndarray(spec.re, shape), im: ndarray(spec.im, shape) };
}

/** A feature matrix (log-mel, MFCC, descriptors) as a `[frames, size]` ndarray over `m.data`. */
export function featureMatrixView(m: FeatureMatrix): NdArray<Float32Array> {
  return ndarray(m.data, [m.frames, m.size]);
}

/** The detector's input features as a `[frames, melBands, channels]` ndarray over `f.data`. */
export function sedFeaturesView(f: SedFeatures): NdArray<Float32Array> {
  return ndarray(f.data, [f.frames, f.melBands, f.channels]);
}
