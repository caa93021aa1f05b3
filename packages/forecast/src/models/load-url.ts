/**
 * Loading a saved forecast model over HTTP (`fetch`), for browsers: the same folder that `Forecaster.save` and
 * `gatewave-forecast train --out DIR` write (`forecast.json` and `network/`), served as static files.
 */
import { loadModelFromUrl, type Fetch } from '@gatewave/core';
import { ForecastError } from '../errors';
import { Forecaster } from './forecaster';
import { ModelOptions, createForecaster } from './registry';
import { NETWORK_DIR, PIPELINE_FILE, parseModelDoc } from './model-doc';

const join = (url: string, name: string): string => `${url.replace(/\/+$/, '')}/${name}`;

async function fetchText(url: string, fetcher: Fetch): Promise<string> {
  let res: Awaited<ReturnType<Fetch>>;
  try {
    res = await fetcher(url);
  } catch (err) {
    throw new ForecastError(
      'MODEL_NOT_FOUND',
      `cannot fetch ${url} (${(err as Error).message}); check the model URL and that the server is running.`,
    );
  }
  if (!res.ok) {
    throw new ForecastError(
      'MODEL_NOT_FOUND',
      `no forecast model at ${url}: the server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}; serve a directory written by 'gatewave-forecast train --out DIR' there.`,
    );
  }
  return res.text();
}

/**
 * Loads the model folder served at `url` (with or without a trailing slash): `forecast.json`, then for a model with
 * weights `network/model.json` and its weight files. `fetcher` defaults to the global `fetch`.
 */
export async function loadForecasterFromUrl(url: string, fetcher?: Fetch): Promise<Forecaster> {
  const get: Fetch = fetcher ?? ((u) => fetch(u));
  const file = join(url, PIPELINE_FILE);
  const doc = parseModelDoc(await fetchText(file, get), file);
  const model = createForecaster(doc.model, doc.config as unknown as ModelOptions);
  const network = model.hasNetwork ? await loadModelFromUrl(join(url, NETWORK_DIR), get) : null;
  model.restore(doc.pipeline, doc.training, network);
  return model;
}
