import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { GatewaveError } from '../errors';
import { OutputDirOptions, atomicWriteDir } from './atomic';

/** Version of the on-disk model directory layout. Readers accept every version up to this one. */
export const MODEL_FORMAT_VERSION = 1;

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

/** What `saveModel` stores beside the network: anything JSON the caller needs to rebuild its pipeline. */
export type ModelMetadata = Record<string, unknown>;

interface ModelJson {
  format: 'gatewave-model';
  formatVersion: number;
  modelTopology: tf.io.ModelArtifacts['modelTopology'];
  weightsManifest: tf.io.WeightsManifestConfig;
  metadata?: ModelMetadata;
  generatedBy?: string;
}

function concatBuffers(data: tf.io.ModelArtifacts['weightData']): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  if (Array.isArray(data)) {
    const total = data.reduce((n, b) => n + b.byteLength, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const b of data) {
      out.set(new Uint8Array(b), o);
      o += b.byteLength;
    }
    return out;
  }
  return new Uint8Array(data);
}

/** A tfjs IO handler that writes `model.json` + `weights.bin` into a directory, atomically. */
export function directoryHandler(dir: string, metadata?: ModelMetadata, options: OutputDirOptions = {}): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const weights = concatBuffers(artifacts.weightData);
      const json: ModelJson = {
        format: 'gatewave-model',
        formatVersion: MODEL_FORMAT_VERSION,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
        metadata,
        generatedBy: 'gatewave',
      };
      await atomicWriteDir(dir, (tmp) => {
        fs.writeFileSync(path.join(tmp, WEIGHTS_BIN), weights);
        fs.writeFileSync(path.join(tmp, MODEL_JSON), JSON.stringify(json));
      }, options);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: weights.byteLength,
        },
      };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = readModelJson(dir);
      const entries = json.weightsManifest.flatMap((g) => g.weights);
      const bufs = json.weightsManifest.flatMap((g) => g.paths.map((p) => readWeights(dir, p)));
      const total = bufs.reduce((n, b) => n + b.byteLength, 0);
      const expected = entries.reduce((n, e) => n + e.shape.reduce((a, b) => a * b, 1) * (DTYPE_BYTES[e.dtype] ?? 4), 0);
      if (total !== expected) {
        throw new GatewaveError(
          'MODEL_CORRUPT',
          `${path.join(dir, WEIGHTS_BIN)} holds ${total} bytes, but model.json lists ${expected} bytes of weights; the file is damaged or from another model. Save the model again.`,
        );
      }
      const weightData = new ArrayBuffer(total);
      const view = new Uint8Array(weightData);
      let o = 0;
      for (const b of bufs) {
        view.set(b, o);
        o += b.byteLength;
      }
      return { modelTopology: json.modelTopology, weightSpecs: entries, weightData };
    },
  };
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };

function readWeights(dir: string, name: string): Buffer {
  const file = path.join(dir, name);
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new GatewaveError('MODEL_CORRUPT', `${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the model folder is incomplete. Save the model again.`);
  }
}

function readModelJson(dir: string): ModelJson {
  const file = path.join(dir, MODEL_JSON);
  if (!fs.existsSync(file)) {
    throw new GatewaveError('MODEL_NOT_FOUND', `no model at ${dir}: ${MODEL_JSON} is missing. Pass a directory written by saveModel.`);
  }
  let json: ModelJson;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8')) as ModelJson;
  } catch (err) {
    throw new GatewaveError('MODEL_CORRUPT', `${file} is not valid JSON (${(err as Error).message}); save the model again.`);
  }
  if (json === null || typeof json !== 'object' || json.format !== 'gatewave-model' || typeof json.formatVersion !== 'number' || !Array.isArray(json.weightsManifest)) {
    throw new GatewaveError('MODEL_CORRUPT', `${file} is not a gatewave model directory (no format/formatVersion).`);
  }
  if (json.formatVersion > MODEL_FORMAT_VERSION) {
    throw new GatewaveError(
      'MODEL_TOO_NEW',
      `${file} has format version ${json.formatVersion}, newer than this gatewave reads (${MODEL_FORMAT_VERSION}); upgrade @gatewave/core.`,
    );
  }
  return json;
}

/** Saves a layers model to `dir` (model.json + weights.bin), atomically, with optional JSON metadata. */
export async function saveModel(model: tf.LayersModel, dir: string, metadata?: ModelMetadata, options: OutputDirOptions = {}): Promise<void> {
  await model.save(directoryHandler(dir, metadata, options));
}

/** Loads a model saved by `saveModel`. Custom gatewave layers must be imported (they are, via @gatewave/core). */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(directoryHandler(dir));
}

/** Reads only the metadata stored by `saveModel`. */
export function loadModelMetadata(dir: string): ModelMetadata {
  return readModelJson(dir).metadata ?? {};
}
