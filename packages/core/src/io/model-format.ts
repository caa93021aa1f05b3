/**
 * The gatewave model directory format, apart from any file system: `model.json` (topology, weight manifest, format
 * version, metadata) and the weight files it names. Node reads it from disk (`model-io.ts`), a browser over fetch
 * (`model-fetch.ts`); both check it here, with the same messages.
 */
import type * as tf from '@tensorflow/tfjs';
import { GatewaveError } from '../errors';

/** Version of the on-disk model directory layout. Readers accept every version up to this one. */
export const MODEL_FORMAT_VERSION = 1;

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** What `saveModel` stores beside the network: anything JSON the caller needs to rebuild its pipeline. */
export type ModelMetadata = Record<string, unknown>;

export interface ModelJson {
  format: 'gatewave-model';
  formatVersion: number;
  modelTopology: tf.io.ModelArtifacts['modelTopology'];
  weightsManifest: tf.io.WeightsManifestConfig;
  metadata?: ModelMetadata;
  generatedBy?: string;
}

/** Parses and checks the text of a `model.json`; `where` names it in errors (a file path or a URL). */
export function parseModelJson(text: string, where: string): ModelJson {
  let json: ModelJson;
  try {
    json = JSON.parse(text) as ModelJson;
  } catch (err) {
    throw new GatewaveError(
      'MODEL_CORRUPT',
      `${where} is not valid JSON (${(err as Error).message}); save the model again.`,
    );
  }
  if (
    json === null ||
    typeof json !== 'object' ||
    json.format !== 'gatewave-model' ||
    typeof json.formatVersion !== 'number' ||
    !Array.isArray(json.weightsManifest)
  ) {
    throw new GatewaveError('MODEL_CORRUPT', `${where} is not a gatewave model directory (no format/formatVersion).`);
  }
  if (json.formatVersion > MODEL_FORMAT_VERSION) {
    throw new GatewaveError(
      'MODEL_TOO_NEW',
      `${where} has format version ${json.formatVersion}, newer than this gatewave reads (${MODEL_FORMAT_VERSION}); upgrade @gatewave/core.`,
    );
  }
  return json;
}

/** The weight files a `model.json` names, in order. */
export function weightPaths(json: ModelJson): string[] {
  return json.weightsManifest.flatMap((g) => g.paths);
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };

/** Bytes that one weight of the manifest takes in the weight files. */
export function weightBytes(spec: { shape: number[]; dtype: string }): number {
  return spec.shape.reduce((a, b) => a * b, 1) * (DTYPE_BYTES[spec.dtype] ?? 4);
}

/**
 * tfjs model artifacts from a checked `model.json` and the contents of its weight files (in `weightPaths` order).
 * The weights must hold exactly the bytes the manifest lists; `where` names them in the error.
 */
export function modelArtifacts(
  json: ModelJson,
  weightFiles: readonly Uint8Array[],
  where: string,
): tf.io.ModelArtifacts {
  const entries = json.weightsManifest.flatMap((g) => g.weights);
  const total = weightFiles.reduce((n, b) => n + b.byteLength, 0);
  const expected = entries.reduce((n, e) => n + weightBytes(e), 0);
  if (total !== expected) {
    throw new GatewaveError(
      'MODEL_CORRUPT',
      `${where} holds ${total} bytes, but model.json lists ${expected} bytes of weights; the file is damaged or from another model. Save the model again.`,
    );
  }
  const weightData = new ArrayBuffer(total);
  const view = new Uint8Array(weightData);
  let o = 0;
  for (const b of weightFiles) {
    view.set(b, o);
    o += b.byteLength;
  }
  return { modelTopology: json.modelTopology, weightSpecs: entries, weightData };
}
