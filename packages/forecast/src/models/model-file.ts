import * as fs from 'fs';
import * as path from 'path';
import { ForecastError } from '../errors';
import { QuantileValues } from '../intervals';
import { TrainResult } from '../train';
import { MODEL_KINDS, ModelKind, Pipeline } from './types';

/** The model folder: `forecast.json` (format, settings, pipeline, training log) and `network/` (the weights). */
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

/** Reads `forecast.json` of a model directory; throws a clear error when it is missing or not a forecast model. */
export function readModelDoc(dir: string): {
  model: ModelKind;
  config: Record<string, unknown>;
  pipeline: Pipeline;
  training: TrainResult | null;
} {
  const file = path.join(dir, PIPELINE_FILE);
  if (!fs.existsSync(file)) {
    throw new ForecastError(
      'MODEL_NOT_FOUND',
      `${dir}: no ${PIPELINE_FILE}; pass a directory written by 'gatewave-forecast train --out DIR'.`,
    );
  }
  let doc: {
    format?: string;
    formatVersion?: number;
    model: ModelKind;
    config: Record<string, unknown>;
    pipeline: Pipeline;
    training: TrainResult | null;
  };
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
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
    !MODEL_KINDS.includes(doc.model)
  ) {
    throw new ForecastError(
      'MODEL_CORRUPT',
      `${file}: not a gatewave forecast model of a version this package reads (format ${doc.format} v${doc.formatVersion}).`,
    );
  }
  return doc;
}
