import * as tf from '@tensorflow/tfjs';

/** The one tfjs instance gatewave uses; import it from here so that models and tensors share it. */
export { tf };
export { GatewaveError } from './errors';
export { initBackend, activeBackend, BACKEND_ORDER } from './backend';
export type { BackendName, BackendOptions, BackendInfo } from './backend';
export { setSeed, clearSeed, random, shuffle, Rng } from './seed';
export { ProgressBar } from './progress';
export type { ProgressOptions, ProgressStream } from './progress';
export {
  atomicWriteFile,
  atomicWriteDir,
  writeError,
  checkOutputDir,
  checkOutputFile,
  isGatewaveOutput,
  foreignEntries,
  GATEWAVE_OUTPUT_NAMES,
} from './io/atomic';
export type { OutputDirOptions } from './io/atomic';
export { trackTemporary, releaseTemporary, removeTemporaries } from './io/temporaries';
export { saveModel, loadModel, loadModelMetadata, directoryHandler, MODEL_FORMAT_VERSION } from './io/model-io';
export type { ModelMetadata } from './io/model-io';
export { averageModels } from './io/average';
export type { AverageModelsOptions } from './io/average';
export {
  checkpointDir,
  epochDir,
  checkKeptEpochs,
  hasCheckpoint,
  saveCheckpoint,
  loadCheckpoint,
  loadOptimizerState,
} from './io/checkpoint';
export type { SaveCheckpointOptions, LoadedCheckpoint, OptimizerVariableSpec } from './io/checkpoint';
export { loadModelFromUrl, loadModelMetadataFromUrl, fetchModelJson, urlHandler } from './io/model-fetch';
export { fetchModelFile, joinUrl } from './io/model-fetch';
export type { Fetch, FetchReport } from './io/model-fetch';
export { PGN } from './layers/pgn';
export type { PGNConfig } from './layers/pgn';
export { nativeKernels } from './layers/native-kernels';
export type { NativeKernels } from './layers/native-kernels';
export { FSMN, ComplexFSMN } from './layers/fsmn';
export type { FSMNConfig, FSMNAxis } from './layers/fsmn';
export { buildCRNN } from './models/crnn';
export type { CRNNConfig, CRNNHead, HeadActivation } from './models/crnn';
export { GRU, bidirectionalGRU } from './layers/gru';
export type { GRUConfig, BidirectionalGRUConfig } from './layers/gru';
export { NATIVE_BACKEND, registerNativeBackend, nativeInfo, canFuseGru, fusedGru } from './native';
export type { NativeStatus, NativeInfo, FusedGruOptions } from './native';
