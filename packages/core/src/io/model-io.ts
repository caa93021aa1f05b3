import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { GatewaveError } from '../errors';
import { OutputDirOptions, atomicWriteDir } from './atomic';
import {
  MODEL_FORMAT_VERSION,
  MODEL_JSON,
  WEIGHTS_BIN,
  modelArtifacts,
  parseModelJson,
  weightPaths,
} from './model-format';
import type { ModelJson, ModelMetadata } from './model-format';

export { MODEL_FORMAT_VERSION };
export type { ModelMetadata };

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
export function directoryHandler(
  dir: string,
  metadata?: ModelMetadata,
  options: OutputDirOptions = {},
): tf.io.IOHandler {
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
      await atomicWriteDir(
        dir,
        (tmp) => {
          fs.writeFileSync(path.join(tmp, WEIGHTS_BIN), weights);
          fs.writeFileSync(path.join(tmp, MODEL_JSON), JSON.stringify(json));
        },
        options,
      );
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
      return modelArtifacts(
        json,
        weightPaths(json).map((p) => readWeights(dir, p)),
        path.join(dir, WEIGHTS_BIN),
      );
    },
  };
}

function readWeights(dir: string, name: string): Buffer {
  const file = path.join(dir, name);
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new GatewaveError(
      'MODEL_CORRUPT',
      `${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the model folder is incomplete. Save the model again.`,
    );
  }
}

function readModelJson(dir: string): ModelJson {
  const file = path.join(dir, MODEL_JSON);
  if (!fs.existsSync(file)) {
    throw new GatewaveError(
      'MODEL_NOT_FOUND',
      `no model at ${dir}: ${MODEL_JSON} is missing. Pass a directory written by saveModel.`,
    );
  }
  return parseModelJson(fs.readFileSync(file, 'utf8'), file);
}

/** Saves a layers model to `dir` (model.json + weights.bin), atomically, with optional JSON metadata. */
export async function saveModel(
  model: tf.LayersModel,
  dir: string,
  metadata?: ModelMetadata,
  options: OutputDirOptions = {},
): Promise<void> {
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
