/**
 * The browser entry of @gatewave/core (the `browser` condition of its `exports`): the same layers, models and
 * errors as in Node, models loaded over fetch, and the browser backend order webgpu -> webgl -> wasm -> cpu.
 * Nothing here imports `fs`, the native addon or any Node-only module; a test checks the bundle graph.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export { GatewaveError } from './errors';
export { initBackend, activeBackend, BROWSER_BACKEND_ORDER } from './browser-backend';
export type { BrowserBackendName, BrowserBackendOptions, BrowserBackendInfo } from './browser-backend';
export { setSeed, clearSeed, random, shuffle } from './seed';
export { ProgressBar } from './progress';
export type { ProgressOptions, ProgressStream } from './progress';
export { atomicWriteFile, atomicWriteDir } from './io/atomic-browser';
export { MODEL_FORMAT_VERSION, parseModelJson } from './io/model-format';
export type { ModelMetadata, ModelJson } from './io/model-format';
export { loadModelFromUrl, loadModelMetadataFromUrl, fetchModelJson, urlHandler } from './io/model-fetch';
export { fetchModelFile, joinUrl } from './io/model-fetch';
export type { Fetch } from './io/model-fetch';
export { loadModel, loadModelMetadata, saveModel } from './io/model-browser';
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
