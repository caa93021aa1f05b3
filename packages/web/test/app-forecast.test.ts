/**
 * The Forecast tab in headless Chromium, on ETTh1 (shared/data/ett):
 * - a DLinear model saved by `trainFromCsv` (what `gatewave-forecast train` runs) and served with `--forecaster`:
 *   the page loads it over fetch and forecasts in the browser; its rows equal Node's `predictCsv` on the same CSV
 *   within 1e-4; a CSV without the model's columns shows the CLI's message; the same folder chosen in the page
 *   (read there, not uploaded) gives the same rows;
 * - a quick seasonal-naive model fitted in the browser equals the library's in Node, and the same on the server when
 *   "process on the server" is ticked; the quick TPGN is trained on the server;
 * - a file that is not a CSV shows the library's message.
 * Screenshot: test-output/web/forecast.png.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  createForecaster,
  defaultPeriod,
  loadForecaster,
  predictCsv,
  readCsv,
  readCsvForModel,
  trainFromCsv,
} from '@gatewave/forecast';
import { describeBrowserWithShared, OUTPUT, SHARED, openApp, settle, type AppWindow, type Session } from './browser';

const ETTH1 = path.join(SHARED, 'ett/ETTh1.csv');

interface Reply {
  where: string;
  model: string;
  forecast: { times: number[]; values: number[]; lower: number[]; upper: number[] };
  csv: string;
}

async function messageOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as Error).message;
  }
  return '';
}

/** Every number of two CSV texts with the same rows and columns agrees within `tol`; text fields are equal. */
function expectCsvClose(got: string, want: string, tol: number): void {
  const rows = (t: string): string[][] =>
    t
      .trim()
      .split('\n')
      .map((l) => l.split(','));
  const [a, b] = [rows(got), rows(want)];
  expect(a.map((r) => r.length)).toEqual(b.map((r) => r.length));
  a.forEach((r, i) =>
    r.forEach((cell, j) => {
      if (i === 0 || j === 0) expect(cell).toBe(b[i][j]);
      else expect(Math.abs(Number(cell) - Number(b[i][j]))).toBeLessThanOrEqual(tol);
    }),
  );
}

describeBrowserWithShared('Forecast tab in Chromium', () => {
  let s: Session;
  let tmp = '';
  let csv = '';
  let modelDir = '';
  const last = async (): Promise<Reply> =>
    (await s.page.evaluate(() => (window as unknown as AppWindow).gatewaveApp.forecast.last())) as Reply;
  const run = async (file: string): Promise<string> => {
    await s.page.setInputFiles('#forecast-file', file);
    await s.page.waitForSelector('#forecast-run:not([disabled])');
    await s.page.click('#forecast-run');
    return settle(s.page, 'forecast');
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-web-forecast-'));
    // The first 3000 hours of ETTh1: enough for a DLinear with a 96-step look-back, quick to train on this machine.
    csv = path.join(tmp, 'etth1-3000.csv');
    fs.writeFileSync(csv, fs.readFileSync(ETTH1, 'utf8').split('\n').slice(0, 3001).join('\n') + '\n');
    modelDir = path.join(tmp, 'dlinear');
    await trainFromCsv({
      csv,
      out: modelDir,
      model: 'dlinear',
      target: 'OT',
      features: 'S',
      lookback: 96,
      horizon: 24,
      epochs: 1,
      intervals: [80],
      quiet: true,
      seed: 1,
    });
    s = await openApp('', { forecasterDir: modelDir });
    await s.page.click('nav [data-tab="forecast"]');
  });
  afterAll(async () => {
    await s?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test("the saved model forecasts in the browser: Node's predictCsv rows within 1e-4", async () => {
    expect(await s.page.inputValue('#forecast-model')).toBe('saved');
    expect(await run(csv)).toBe('');
    const reply = await last();
    expect(reply.where).toBe('browser');
    expect(reply.model).toMatch(/^dlinear lookback=96 horizon=24/);
    const out = path.join(tmp, 'node-forecast.csv');
    const node = await predictCsv(modelDir, csv, out);
    expect(reply.forecast.times).toEqual(node.forecast.times);
    expect(reply.forecast.values).toHaveLength(24);
    const iv = node.forecast.intervals![0];
    reply.forecast.values.forEach((v, i) => expect(Math.abs(v - node.forecast.values[i])).toBeLessThanOrEqual(1e-4));
    reply.forecast.lower.forEach((v, i) => expect(Math.abs(v - iv.lower[i])).toBeLessThanOrEqual(1e-4));
    reply.forecast.upper.forEach((v, i) => expect(Math.abs(v - iv.upper[i])).toBeLessThanOrEqual(1e-4));
    expect(reply.csv.split('\n')[0]).toBe('date,OT,OT_lo80,OT_hi80');
    expectCsvClose(reply.csv, fs.readFileSync(out, 'utf8'), 1e-4);
    const backend = await s.page.getAttribute('#backend', 'data-backend');
    console.log(`browser forecast with the saved DLinear on backend ${backend}: 24 rows equal to Node's within 1e-4`);
    await s.page.screenshot({ path: path.join(OUTPUT, 'forecast.png'), fullPage: true });
  });

  test("a CSV without the saved model's target column shows the CLI's message", async () => {
    const other = path.join(tmp, 'no-ot.csv');
    const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
    fs.writeFileSync(other, lines.map((l) => l.split(',').slice(0, 7).join(',')).join('\n') + '\n');
    const model = await loadForecaster(modelDir);
    // The CLI names the file as given on its command line; the page by its name (here: run from its folder).
    const expected = (await messageOf(readCsvForModel(model, other))).replace(other, path.basename(other));
    model.dispose();
    expect(expected).toMatch(/^no-ot\.csv: the model was trained on etth1-3000\.csv .* lacks OT\./);
    expect(await run(other)).toBe(expected);
  });

  test('a model folder chosen on this computer is read in the page and forecasts the same rows', async () => {
    await s.page.setInputFiles('#forecast-model-dir', path.join(modelDir, 'network'));
    expect(await s.page.textContent('#forecast-error')).toBe(
      "network: no forecast.json; choose a folder written by 'gatewave-forecast train --out DIR' (it holds forecast.json and network/).",
    );
    await s.page.setInputFiles('#forecast-model-dir', modelDir);
    await s.page.waitForFunction(() =>
      /^saved dlinear model from dlinear /.test(
        (document.querySelector('#forecast-model option[value="saved"]') as HTMLOptionElement).text,
      ),
    );
    expect(await run(csv)).toBe('');
    const reply = await last();
    expect(reply.where).toBe('browser');
    const node = await predictCsv(modelDir, csv, path.join(tmp, 'node-forecast-2.csv'));
    reply.forecast.values.forEach((v, i) => expect(Math.abs(v - node.forecast.values[i])).toBeLessThanOrEqual(1e-4));
  });

  test("a quick seasonal-naive model in the browser and on the server: the library's rows", async () => {
    await s.page.selectOption('#forecast-model', 'seasonal-naive');
    await s.page.setInputFiles('#forecast-file', ETTH1);
    await s.page.waitForSelector('#forecast-run:not([disabled])');
    expect(await s.page.$$eval('#forecast-target option', (o) => o.map((x) => (x as HTMLOptionElement).value))).toEqual(
      ['date', 'HUFL', 'HULL', 'MUFL', 'MULL', 'LUFL', 'LULL', 'OT'],
    );
    expect(await s.page.inputValue('#forecast-target')).toBe('OT');
    await s.page.click('#forecast-run');
    expect(await settle(s.page, 'forecast')).toBe('');
    const browser = await last();
    expect(browser.where).toBe('browser');

    const series = await readCsv(ETTH1, { timeColumn: 'date', columns: ['OT'] });
    const model = createForecaster('seasonal-naive', { lookback: 96, horizon: 24, period: defaultPeriod(series) });
    await model.fit(series, { target: 'OT', features: 'S', split: [0.7, 0.2, 0.1], intervals: [80], quiet: true });
    const f = model.predict(series);
    expect(browser.forecast.times).toEqual(f.times);
    browser.forecast.values.forEach((v, i) => expect(Math.abs(v - f.values[i])).toBeLessThanOrEqual(1e-4));
    browser.forecast.lower.forEach((v, i) => expect(Math.abs(v - f.intervals![0].lower[i])).toBeLessThanOrEqual(1e-4));

    await s.page.check('#forecast-server');
    await s.page.click('#forecast-run');
    expect(await settle(s.page, 'forecast')).toBe('');
    const server = await last();
    expect(server.where).toBe('server');
    server.forecast.values.forEach((v, i) => expect(v).toBeCloseTo(f.values[i], 9));
    expectCsvClose(server.csv, browser.csv, 1e-4);
    await s.page.uncheck('#forecast-server');
  });

  test('the quick TPGN is trained on the server (the page ticks and locks "process on the server")', async () => {
    const small = path.join(tmp, 'etth1-600.csv');
    fs.writeFileSync(small, fs.readFileSync(csv, 'utf8').split('\n').slice(0, 601).join('\n') + '\n');
    await s.page.selectOption('#forecast-model', 'tpgn');
    expect(await s.page.isChecked('#forecast-server')).toBe(true);
    expect(await s.page.isDisabled('#forecast-server')).toBe(true);
    await s.page.fill('#forecast-lookback', '48');
    expect(await run(small)).toBe('');
    const reply = await last();
    expect(reply.where).toBe('server');
    expect(reply.model).toMatch(/^tpgn lookback=48 horizon=24 period=24/);
    expect(reply.forecast.values).toHaveLength(24);
    reply.forecast.values.forEach((v, i) => {
      expect(Number.isFinite(v)).toBe(true);
      expect(reply.forecast.lower[i]).toBeLessThanOrEqual(v);
      expect(reply.forecast.upper[i]).toBeGreaterThanOrEqual(v);
    });
    await s.page.fill('#forecast-lookback', '96');
    await s.page.selectOption('#forecast-model', 'seasonal-naive');
    expect(await s.page.isChecked('#forecast-server')).toBe(false);
  });

  test("a file that is not a CSV shows the library's message", async () => {
    const bad = path.join(OUTPUT, 'not-a-table.csv');
    fs.mkdirSync(OUTPUT, { recursive: true });
    fs.writeFileSync(bad, Buffer.from([0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x41, 0x56, 0x45, 0, 1, 2, 3]));
    const expected = await messageOf(readCsv(bad, { timeColumn: 'RIFF', columns: ['RIFF'] }));
    expect(expected).toMatch(/^not-a-table\.csv: this is not a text CSV file/);
    expect(await run(bad)).toBe(expected);
  });
});
