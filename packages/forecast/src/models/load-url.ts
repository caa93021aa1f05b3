/**
 * Loading a saved forecast model over HTTP (`fetch`), for browsers: the same folder that `Forecaster.save` and
 * `gatewave-forecast train --out DIR` write (`forecast.json` and `network/`), served as static files.
 */
import { fetchModelFile, joinUrl, loadModelFromUrl, type Fetch } from '@gatewave/core';
import { ForecastError } from '../errors';
import { Forecaster } from './forecaster';
import { ModelOptions, createForecaster } from './registry';
import { NETWORK_DIR, PIPELINE_FILE, parseModelDoc } from './model-doc';

async function fetchText(url: string, fetcher: Fetch): Promise<string> {
  const serve = "; serve a directory written by 'gatewave-forecast train --out DIR' there.";
  return (await fetchModelFile(url, fetcher, { error: ForecastError, kind: 'forecast model', serve })).text();
}

/**
 * Loads the model folder served at `url` (with or without a trailing slash): `forecast.json`, then for a model with
 * weights `network/model.json` and its weight files. `fetcher` defaults to the global `fetch`.
 */
export async function loadForecasterFromUrl(url: string, fetcher?: Fetch): Promise<Forecaster> {
  const get: Fetch = fetcher ?? ((u) => fetch(u));
  const file = joinUrl(url, PIPELINE_FILE);
  const doc = parseModelDoc(await fetchText(file, get), file);
  const model = createForecaster(doc.model, doc.config as unknown as ModelOptions);
  const network = model.hasNetwork ? await loadModelFromUrl(joinUrl(url, NETWORK_DIR), get) : null;
  model.restore(doc.pipeline, doc.training, network);
  return model;
}
