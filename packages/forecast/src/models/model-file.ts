import * as fs from 'fs';
import * as path from 'path';
import { loadModel } from '@gatewave/core';
import { ForecastError } from '../errors';
import { Forecaster } from './forecaster';
import { ModelOptions, createForecaster } from './registry';
import { ModelDoc, NETWORK_DIR, PIPELINE_FILE, parseModelDoc } from './model-doc';

/** Model folders on disk (Node only); the format itself is in `model-doc.ts`, the browser's loader in `load-url.ts`. */

/** Reads `forecast.json` of a model directory; throws a clear error when it is missing or not a forecast model. */
export function readModelDoc(dir: string): ModelDoc {
  const file = path.join(dir, PIPELINE_FILE);
  if (!fs.existsSync(file)) {
    throw new ForecastError(
      'MODEL_NOT_FOUND',
      `${dir}: no ${PIPELINE_FILE}; pass a directory written by 'gatewave-forecast train --out DIR'.`,
    );
  }
  return parseModelDoc(fs.readFileSync(file, 'utf8'), file);
}

/** Loads a model directory written by `Forecaster.save`. */
export async function loadForecaster(dir: string): Promise<Forecaster> {
  const doc = readModelDoc(dir);
  const model = createForecaster(doc.model, doc.config as unknown as ModelOptions);
  let network = null;
  if (model.hasNetwork) {
    const netDir = path.join(dir, NETWORK_DIR);
    if (!fs.existsSync(netDir)) {
      throw new ForecastError(
        'MODEL_CORRUPT',
        `${dir}: the ${model.kind} model has no ${NETWORK_DIR}/ folder; train and save it again.`,
      );
    }
    network = await loadModel(netDir);
  }
  model.restore(doc.pipeline, doc.training, network);
  return model;
}
