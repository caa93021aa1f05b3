import * as tf from '@tensorflow/tfjs';

/** The one tfjs instance gatewave uses; import it from here so that models and tensors share it. */
export { tf };
export { GatewaveError } from './errors';
export { initBackend, activeBackend, BACKEND_ORDER } from './backend';
export type { BackendName, BackendOptions, BackendInfo } from './backend';
export { setSeed, clearSeed, random, shuffle } from './seed';
export { ProgressBar } from './progress';
export type { ProgressOptions } from './progress';
export { atomicWriteFile, atomicWriteDir } from './io/atomic';
export { saveModel, loadModel, loadModelMetadata, directoryHandler, MODEL_FORMAT_VERSION } from './io/model-io';
export type { ModelMetadata } from './io/model-io';
