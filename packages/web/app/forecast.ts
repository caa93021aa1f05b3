/**
 * The Forecast tab: choose a CSV and its time and target columns, then forecast in the page with the browser build of
 * @gatewave/forecast: with a saved model (the one the server offers, `gatewave-app --forecaster DIR`, loaded over
 * fetch, or a model folder chosen on this computer, read in the page; it reads the CSV as `gatewave-forecast predict`
 * does), or with a quick model fitted here on the CSV. Only when
 * "process on the server" is ticked does the CSV leave the browser (the quick model is then fitted by the server).
 * The page plots history, forecast and interval band and offers the forecast CSV (the CLI's format).
 */
import {
  bytesSource,
  loadForecasterFromUrl,
  readCsvSource,
  readSourceForModel,
  type Forecaster,
  type ModelKind,
} from '@gatewave/forecast';
import type { Fetch } from '@gatewave/core';
import { forecastReply, quickForecast, type ForecastReply } from '../src/forecast-reply';
import { drawPlot } from './draw';
import { $, input, messageOf, nextFrame, onFile, setDownload, showError, status } from './ui';
import type { AppConfig } from './main';

export type { ForecastReply };

/**
 * Quick models trained on the server only: training TPGN in the page kept headless Chromium on this project's CI
 * machine (software webgl, no GPU) busy for more than 30 s without a repaint on 600 hourly rows, so the page sends
 * the CSV to the server for it, and says so. The rules (naive, seasonal naive) are fitted in the page.
 */
const SERVER_ONLY: readonly string[] = ['tpgn'];

/** The last result and where it was computed. */
export type ForecastResult = ForecastReply & { where: 'browser' | 'server' };

let chosen: File | null = null;
let last: ForecastResult | null = null;
/** The saved model served by the app, once loaded (null when there is none or it failed to load). */
let savedModel: Forecaster | null = null;
let savedLoad: Promise<Forecaster | null> = Promise.resolve(null);

/** The header of a CSV (the delimiter that splits the first line most: , ; tab |), quotes removed. */
export function csvHeader(text: string): string[] {
  const line = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = [',', ';', '\t', '|'].reduce(
    (best, d) => (line.split(d).length > line.split(best).length ? d : best),
    ',',
  );
  return line.split(delimiter).map((h) => h.trim().replace(/^"(.*)"$/, '$1'));
}

function options(select: HTMLSelectElement, names: string[], chosenName: string): void {
  select.replaceChildren(...names.map((n) => new Option(n, n, false, n === chosenName)));
}

const modelChoice = (): string => ($('forecast-model') as HTMLSelectElement).value;

/** Selects `value` in a select, adding it as an option when the CSV's header lacks it (the run then says so). */
function select(id: string, value: string): void {
  const el = $(id) as HTMLSelectElement;
  if (!Array.from(el.options).some((o) => o.value === value)) el.add(new Option(value, value));
  el.value = value;
}

/**
 * The saved model's columns, look-back and horizon decide the settings (shown, not editable); the quick models let
 * the user choose them. Runs when the model choice changes, a CSV is chosen and the saved model has loaded.
 */
function syncSettings(): void {
  const choice = modelChoice();
  const fixed = choice === 'saved';
  for (const id of ['forecast-time', 'forecast-target', 'forecast-lookback', 'forecast-horizon'])
    (input(id) as unknown as HTMLSelectElement).disabled = fixed;
  // TPGN is trained on the server only (see SERVER_ONLY); choosing it is asking for that, and the box shows it.
  const server = input('forecast-server');
  if (SERVER_ONLY.includes(choice)) server.checked = true;
  else if (fixed || server.disabled) server.checked = false;
  server.disabled = fixed || SERVER_ONLY.includes(choice);
  if (fixed && savedModel?.pipeline) {
    select('forecast-time', savedModel.pipeline.timeColumn);
    select('forecast-target', savedModel.pipeline.target);
    input('forecast-lookback').value = String(savedModel.lookback);
    input('forecast-horizon').value = String(savedModel.horizon);
  }
}

async function choose(file: File): Promise<void> {
  showError('forecast', null);
  $('forecast-result').hidden = true;
  chosen = file;
  const header = csvHeader(await file.slice(0, 65536).text());
  options($('forecast-time') as HTMLSelectElement, header, header[0]);
  options($('forecast-target') as HTMLSelectElement, header, header.includes('OT') ? 'OT' : header[header.length - 1]);
  (input('forecast-run') as unknown as HTMLButtonElement).disabled = false;
  syncSettings();
  status('forecast', `${file.name}: ${header.length} columns; choose the columns and press Forecast.`);
}

function quickSettings(): { kind: ModelKind; target: string; lookback: number; horizon: number } {
  return {
    kind: modelChoice() as ModelKind,
    target: ($('forecast-target') as HTMLSelectElement).value,
    lookback: Number(input('forecast-lookback').value),
    horizon: Number(input('forecast-horizon').value),
  };
}

/** Forecasts in the page: the saved model on the CSV (read with the model's rules), or a quick model fitted here. */
async function inBrowser(file: File): Promise<ForecastReply> {
  const source = bytesSource(file.name, new Uint8Array(await file.arrayBuffer()));
  if (modelChoice() === 'saved') {
    const model = await savedLoad;
    if (!model)
      throw new Error('the saved model did not load (see the server and the model folder); choose a quick model.');
    const series = await readSourceForModel(model, source);
    return forecastReply(model, series, model.predict(series));
  }
  const s = quickSettings();
  const time = ($('forecast-time') as HTMLSelectElement).value;
  const series = await readCsvSource(source, { timeColumn: time || undefined, columns: [s.target] });
  return quickForecast(series, s);
}

/** Uploads the CSV; the server fits the same quick model (`/api/forecast`). */
async function onServer(file: File, config: AppConfig): Promise<ForecastReply> {
  if (file.size > config.maxUploadBytes) {
    throw new Error(
      `${file.name} is ${(file.size / 1048576).toFixed(1)} MiB; this server accepts at most ${(config.maxUploadBytes / 1048576).toFixed(1)} MiB ` +
        '(start it with --max-upload-mb to change that).',
    );
  }
  const s = quickSettings();
  const q = new URLSearchParams({
    name: file.name,
    time: ($('forecast-time') as HTMLSelectElement).value,
    target: s.target,
    model: s.kind,
    lookback: String(s.lookback),
    horizon: String(s.horizon),
  });
  const res = await fetch(`/api/forecast?${q}`, { method: 'POST', body: file });
  const reply = (await res.json()) as ForecastReply & { error?: string };
  if (!res.ok) throw new Error(reply.error ?? `the server answered ${res.status}`);
  return reply;
}

async function run(config: AppConfig): Promise<void> {
  if (!chosen) return;
  const file = chosen;
  showError('forecast', null);
  $('forecast-result').hidden = true;
  const server = input('forecast-server').checked;
  try {
    const what = modelChoice() === 'saved' ? 'the saved model' : `a quick ${modelChoice()} model`;
    status(
      'forecast',
      `forecasting ${file.name} with ${what} ${server ? 'on the server (CSV uploaded)' : 'in the browser'}…`,
    );
    await nextFrame();
    const reply = server ? await onServer(file, config) : await inBrowser(file);
    last = { ...reply, where: server ? 'server' : 'browser' };
    show(last, file.name);
  } catch (err) {
    status('forecast', '');
    showError('forecast', messageOf(err));
  }
}

function show(r: ForecastResult, name: string): void {
  $('forecast-result').hidden = false;
  const f = r.forecast;
  const band =
    f.lower && f.upper ? { x: f.times, lower: f.lower, upper: f.upper, color: 'rgba(31, 119, 180, 0.2)' } : undefined;
  drawPlot(
    $('forecast-plot') as HTMLCanvasElement,
    [
      { x: r.history.times, y: r.history.values, color: '#7f7f7f' },
      { x: f.times, y: f.values, color: '#1f77b4' },
    ],
    null,
    band,
  );
  $('forecast-caption').textContent =
    `History (grey), forecast (blue)${f.level ? ` and its ${f.level} % interval` : ''} of ${r.target}`;
  setDownload('forecast-download', r.csv, `${name.replace(/\.csv$/i, '')}_forecast.csv`, 'text/csv');
  status(
    'forecast',
    `${r.model}: ${f.values.length} forecast rows of ${r.target}${f.level ? ` with a ${f.level} % interval` : ''}, computed ${r.where === 'server' ? 'on the server' : 'in the browser'}.`,
  );
}

/** The "saved model" choice, added first in the model list when there is a saved model to offer. */
function savedChoice(): HTMLOptionElement {
  const select = $('forecast-model') as HTMLSelectElement;
  const existing = Array.from(select.options).find((o) => o.value === 'saved');
  if (existing) return existing;
  const choice = new Option('saved model', 'saved');
  select.prepend(choice);
  return choice;
}

/** Loads a saved model (from the server or from a chosen folder) and makes it the current choice. */
async function useSaved(where: string, loading: Promise<Forecaster>): Promise<void> {
  const choice = savedChoice();
  choice.text = `saved model (loading ${where}…)`;
  choice.disabled = false;
  ($('forecast-model') as HTMLSelectElement).value = 'saved';
  savedModel?.dispose();
  savedModel = null;
  savedLoad = loading;
  syncSettings();
  try {
    const model = await loading;
    savedModel = model;
    choice.text = `saved ${model.kind} model from ${where} (${model.pipeline?.target}, look-back ${model.lookback}, horizon ${model.horizon})`;
    syncSettings();
  } catch (err) {
    savedLoad = Promise.resolve(null);
    choice.text = 'saved model (failed to load)';
    choice.disabled = true;
    showError('forecast', messageOf(err));
  }
}

/**
 * A fetch over the files of a folder chosen in the page (`<input webkitdirectory>`): `folder:/network/model.json` is
 * the chosen folder's `network/model.json`. The files are read in the browser; nothing is sent anywhere.
 */
export function folderFetch(files: File[]): Fetch {
  const byPath = new Map(files.map((f) => [f.webkitRelativePath.split('/').slice(1).join('/'), f]));
  return async (url) => {
    const file = byPath.get(url.replace(/^folder:\/*/, ''));
    return {
      ok: file !== undefined,
      status: file ? 200 : 404,
      statusText: file ? 'OK' : 'not in the chosen folder',
      text: async () => (file ? file.text() : ''),
      arrayBuffer: async () => (file ? file.arrayBuffer() : new ArrayBuffer(0)),
    };
  };
}

/** A model folder chosen on this computer: checked for forecast.json, then loaded from the files in the page. */
function chooseFolder(files: File[]): void {
  showError('forecast', null);
  if (files.length === 0) return;
  const name = files[0].webkitRelativePath.split('/')[0] || 'the chosen folder';
  if (!files.some((f) => f.webkitRelativePath === `${name}/forecast.json`)) {
    showError(
      'forecast',
      `${name}: no forecast.json; choose a folder written by 'gatewave-forecast train --out DIR' (it holds forecast.json and network/).`,
    );
    return;
  }
  void useSaved(name, loadForecasterFromUrl('folder:', folderFetch(files)));
}

export function setupForecast(config: AppConfig): { last(): ForecastResult | null } {
  if (config.forecaster) void useSaved(config.forecaster, loadForecasterFromUrl(config.forecaster));
  const folder = input('forecast-model-dir');
  folder.addEventListener('change', () => chooseFolder(Array.from(folder.files ?? [])));
  syncSettings();
  $('forecast-model').addEventListener('change', syncSettings);
  onFile('forecast-file', (file) => void choose(file));
  $('forecast-run').addEventListener('click', () => void run(config));
  return { last: () => last };
}
