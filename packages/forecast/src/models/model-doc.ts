import { atomicWriteDir, atomicWriteFile, saveModel, tf } from '@gatewave/core';
import { ForecastError } from '../errors';
import { QuantileValues } from '../intervals';
import { TrainResult } from '../train';
import { MODEL_KINDS, ModelKind, Pipeline } from './types';

/**
 * The model folder's format, without any file access (Node reads it in `model-file.ts`, a browser over fetch in
 * `load-url.ts`): `forecast.json` (format, settings, pipeline, training log) and `network/` (the weights).
 */
export const FORMAT = 'gatewave-forecast';
export const FORMAT_VERSION = 1;
export const PIPELINE_FILE = 'forecast.json';
export const NETWORK_DIR = 'network';

/** Forecasts of a batch of windows and their actuals; see `Forecaster.partForecasts`. */
export interface PartBatch {
  windows: number;
  scaled: Float32Array;
  actualScaled: Float32Array;
  values: Float64Array;
  actual: Float64Array;
  /** Quantile-head forecasts, original units. */
  quantiles?: QuantileValues;
}

/** What `forecast.json` holds. */
export interface ModelDoc {
  model: ModelKind;
  config: Record<string, unknown>;
  pipeline: Pipeline;
  training: TrainResult | null;
}

/** Parses the text of `forecast.json` (`file` names it in messages); throws a clear error when it is not a model. */
export function parseModelDoc(text: string, file: string): ModelDoc {
  let doc: Partial<ModelDoc> & { format?: string; formatVersion?: number };
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ForecastError(
      'MODEL_CORRUPT',
      `${file}: not valid JSON (${(err as Error).message}); train the model again.`,
    );
  }
  if (
    doc.format !== FORMAT ||
    typeof doc.formatVersion !== 'number' ||
    doc.formatVersion > FORMAT_VERSION ||
    !MODEL_KINDS.includes(doc.model as ModelKind)
  ) {
    throw new ForecastError(
      'MODEL_CORRUPT',
      `${file}: not a gatewave forecast model of a version this package reads (format ${doc.format} v${doc.formatVersion}).`,
    );
  }
  return doc as ModelDoc;
}

/**
 * Writes a model folder atomically: `forecast.json` (`doc` with the format stamp) and `network/` when there is a
 * network. Node only: in a browser the core functions it calls say that a browser has no folders to write.
 */
export async function writeModelDir(
  dir: string,
  doc: ModelDoc,
  network: tf.LayersModel | null,
  options: { overwrite?: boolean } = {},
): Promise<void> {
  const stamped = { format: FORMAT, formatVersion: FORMAT_VERSION, ...doc };
  await atomicWriteDir(
    dir,
    async (tmp) => {
      atomicWriteFile(`${tmp}/${PIPELINE_FILE}`, JSON.stringify(stamped, null, 2));
      if (network) await saveModel(network, `${tmp}/${NETWORK_DIR}`, { model: doc.model });
    },
    { overwrite: options.overwrite, flag: 'model folder' },
  );
}
