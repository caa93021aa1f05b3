/**
 * Server-side forecasting for the Forecast tab (the page says it uploads the CSV): the CSV -> readCsv -> a model
 * fitted here (seasonal naive, naive, or a quickly trained TPGN) with 80 % conformal intervals -> the forecast after
 * the last row, the history before it, and the forecast CSV the CLI writes. The upload is kept in a temporary folder
 * that is removed afterwards.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '@gatewave/core';
import { createForecaster, defaultPeriod, forecastCsv, readCsv, type ModelKind } from '@gatewave/forecast';
import { WebError } from './errors';

export const SERVER_FORECAST_MODELS: readonly ModelKind[] = ['seasonal-naive', 'naive', 'tpgn'];

export interface ForecastReply {
  timeColumn: string;
  target: string;
  model: string;
  /** The last rows before the forecast (at most 4 look-backs). */
  history: { times: number[]; values: number[] };
  forecast: { times: number[]; values: number[]; lower: number[] | null; upper: number[] | null; level: number | null };
  csv: string;
}

function int(query: URLSearchParams, name: string, fallback: number): number {
  const text = query.get(name);
  if (text === null || text === '') return fallback;
  const x = Number(text);
  if (!Number.isInteger(x) || x < 1)
    throw new WebError('BAD_ARGUMENT', `${name} must be a positive integer, got "${text}".`);
  return x;
}

/** Query: `name` (the file's name), `time`, `target`, `model`, `lookback` (96), `horizon` (24). */
export async function forecastOnServer(body: Uint8Array, query: URLSearchParams): Promise<ForecastReply> {
  const kind = (query.get('model') ?? 'seasonal-naive') as ModelKind;
  if (!SERVER_FORECAST_MODELS.includes(kind)) {
    throw new WebError('BAD_ARGUMENT', `model must be one of ${SERVER_FORECAST_MODELS.join(', ')}, got "${kind}".`);
  }
  const target = query.get('target');
  if (!target) throw new WebError('BAD_ARGUMENT', 'choose the target column.');
  const lookback = int(query, 'lookback', 96);
  const horizon = int(query, 'horizon', 24);
  const name = path.basename(query.get('name') || 'upload.csv').replace(/[^\w.-]/g, '_');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-forecast-'));
  try {
    const file = path.join(dir, name);
    fs.writeFileSync(file, body);
    const series = await readCsv(file, { timeColumn: query.get('time') || undefined, columns: [target] });
    const model = createForecaster(kind, { lookback, horizon, period: defaultPeriod(series) });
    if (kind === 'tpgn') await initBackend(undefined, { purpose: 'train', convolutional: false, quiet: true });
    await model.fit(series, {
      target,
      features: 'S',
      split: [0.7, 0.2, 0.1],
      intervals: [80],
      epochs: 3,
      quiet: true,
      seed: 1,
    });
    const f = model.predict(series);
    const from = Math.max(0, series.length - 4 * lookback);
    const iv = f.intervals?.[0];
    return {
      timeColumn: series.timeColumn,
      target,
      model: model.describe(),
      history: { times: Array.from(series.times.subarray(from)), values: Array.from(series.values.subarray(from)) },
      forecast: {
        times: f.times,
        values: Array.from(f.values),
        lower: iv ? Array.from(iv.lower) : null,
        upper: iv ? Array.from(iv.upper) : null,
        level: iv?.level ?? null,
      },
      csv: forecastCsv(series.timeColumn, [f], false),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
