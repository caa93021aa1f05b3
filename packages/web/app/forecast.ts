/**
 * The Forecast tab: choose a CSV and its time and target columns; on request the CSV goes to the local server,
 * which fits the chosen model with @gatewave/forecast; the page plots history, forecast and interval band and
 * offers the forecast CSV (the CLI's format).
 */
import { drawPlot } from './draw';
import { $, input, messageOf, onFile, setDownload, showError, status } from './ui';
import type { AppConfig } from './main';

export interface ForecastReply {
  timeColumn: string;
  target: string;
  model: string;
  history: { times: number[]; values: number[] };
  forecast: { times: number[]; values: number[]; lower: number[] | null; upper: number[] | null; level: number | null };
  csv: string;
}

let chosen: File | null = null;
let last: ForecastReply | null = null;

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

async function choose(file: File): Promise<void> {
  showError('forecast', null);
  $('forecast-result').hidden = true;
  chosen = file;
  const header = csvHeader(await file.slice(0, 65536).text());
  options($('forecast-time') as HTMLSelectElement, header, header[0]);
  options($('forecast-target') as HTMLSelectElement, header, header.includes('OT') ? 'OT' : header[header.length - 1]);
  (input('forecast-run') as unknown as HTMLButtonElement).disabled = false;
  status('forecast', `${file.name}: ${header.length} columns; choose the columns and press Forecast.`);
}

async function run(config: AppConfig): Promise<void> {
  if (!chosen) return;
  showError('forecast', null);
  $('forecast-result').hidden = true;
  try {
    if (chosen.size > config.maxUploadBytes) {
      throw new Error(
        `${chosen.name} is ${(chosen.size / 1048576).toFixed(1)} MiB; this server accepts at most ${(config.maxUploadBytes / 1048576).toFixed(1)} MiB ` +
          '(start it with --max-upload-mb to change that).',
      );
    }
    const q = new URLSearchParams({
      name: chosen.name,
      time: ($('forecast-time') as HTMLSelectElement).value,
      target: ($('forecast-target') as HTMLSelectElement).value,
      model: ($('forecast-model') as HTMLSelectElement).value,
      lookback: input('forecast-lookback').value,
      horizon: input('forecast-horizon').value,
    });
    status('forecast', `forecasting ${q.get('target')} of ${chosen.name} on the server…`);
    const res = await fetch(`/api/forecast?${q}`, { method: 'POST', body: chosen });
    const reply = (await res.json()) as ForecastReply & { error?: string };
    if (!res.ok) throw new Error(reply.error ?? `the server answered ${res.status}`);
    last = reply;
    show(reply, chosen.name);
  } catch (err) {
    status('forecast', '');
    showError('forecast', messageOf(err));
  }
}

function show(r: ForecastReply, name: string): void {
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
  setDownload('forecast-download', r.csv, `${name.replace(/\.csv$/i, '')}_forecast.csv`, 'text/csv');
  status(
    'forecast',
    `${r.model}: ${f.values.length} forecast rows of ${r.target}${f.level ? ` with a ${f.level} % interval` : ''}.`,
  );
}

export function setupForecast(config: AppConfig): { last(): ForecastReply | null } {
  onFile('forecast-file', (file) => void choose(file));
  $('forecast-run').addEventListener('click', () => void run(config));
  return { last: () => last };
}
