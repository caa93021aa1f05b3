/**
 * Server-side forecasting for the Forecast tab, only when the user ticks "process on the server" (the page says it
 * uploads the CSV): the CSV -> readCsv -> the quick model of `forecast-reply.ts` (the page fits the same one itself
 * otherwise) -> the forecast after the last row, the history before it, and the forecast CSV the CLI writes. The
 * upload is kept in a temporary folder that is removed afterwards.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '@gatewave/core';
import { readCsv, type ModelKind } from '@gatewave/forecast';
import { WebError } from './errors';
import { QUICK_MODELS, quickForecast, type ForecastReply } from './forecast-reply';

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
  if (!QUICK_MODELS.includes(kind)) {
    throw new WebError('BAD_ARGUMENT', `model must be one of ${QUICK_MODELS.join(', ')}, got "${kind}".`);
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
    if (kind === 'tpgn') await initBackend(undefined, { purpose: 'train', convolutional: false, quiet: true });
    return await quickForecast(series, { kind, target, lookback, horizon });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
