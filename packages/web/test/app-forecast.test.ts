/**
 * The Forecast tab in headless Chromium: ETTh1 (shared/data/ett) with its `date` and `OT` columns, forecast on the
 * server with the seasonal-naive model (what the page plots equals the library's forecast, row for row); a file that
 * is not a CSV shows the library's message; a screenshot goes to test-output/web/forecast.png.
 */
import * as fs from 'fs';
import * as path from 'path';
import { createForecaster, defaultPeriod, readCsv } from '@gatewave/forecast';
import { describeBrowser, HAS_SHARED, OUTPUT, SHARED, openApp, settle, type AppWindow, type Session } from './browser';

const describeIf = HAS_SHARED
  ? describeBrowser
  : (name: string, fn: () => void) => describe.skip(`${name} (skipped: ${SHARED} not found)`, fn);
const ETTH1 = path.join(SHARED, 'ett/ETTh1.csv');

describeIf('Forecast tab in Chromium', () => {
  let s: Session;
  beforeAll(async () => {
    s = await openApp();
    await s.page.click('nav [data-tab="forecast"]');
  });
  afterAll(async () => s?.close());

  test("ETTh1: the columns are offered, and the forecast rows are the library's", async () => {
    await s.page.setInputFiles('#forecast-file', ETTH1);
    await s.page.waitForSelector('#forecast-run:not([disabled])');
    expect(await s.page.$$eval('#forecast-target option', (o) => o.map((x) => (x as HTMLOptionElement).value))).toEqual(
      ['date', 'HUFL', 'HULL', 'MUFL', 'MULL', 'LUFL', 'LULL', 'OT'],
    );
    expect(await s.page.inputValue('#forecast-target')).toBe('OT');
    await s.page.click('#forecast-run');
    expect(await settle(s.page, 'forecast')).toBe('');
    const reply = (await s.page.evaluate(() => (window as unknown as AppWindow).gatewaveApp.forecast.last())) as {
      forecast: { times: number[]; values: number[]; lower: number[] };
      csv: string;
    };
    expect(reply.forecast.values).toHaveLength(24);
    expect(reply.csv.trim().split('\n')).toHaveLength(25);
    expect(reply.csv.split('\n')[0]).toBe('date,OT,OT_lo80,OT_hi80');

    const series = await readCsv(ETTH1, { timeColumn: 'date', columns: ['OT'] });
    const model = createForecaster('seasonal-naive', { lookback: 96, horizon: 24, period: defaultPeriod(series) });
    await model.fit(series, {
      target: 'OT',
      features: 'S',
      split: [0.7, 0.2, 0.1],
      intervals: [80],
      quiet: true,
      seed: 1,
    });
    const f = model.predict(series);
    expect(reply.forecast.times).toEqual(f.times);
    reply.forecast.values.forEach((v, i) => expect(v).toBeCloseTo(f.values[i], 9));
    reply.forecast.lower.forEach((v, i) => expect(v).toBeCloseTo(f.intervals![0].lower[i], 9));
    await s.page.screenshot({ path: path.join(OUTPUT, 'forecast.png'), fullPage: true });
  });

  test("a file that is not a CSV shows the library's message", async () => {
    const bad = path.join(OUTPUT, 'not-a-table.csv');
    fs.mkdirSync(OUTPUT, { recursive: true });
    fs.writeFileSync(bad, Buffer.from([0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x41, 0x56, 0x45, 0, 1, 2, 3]));
    let expected = '';
    try {
      await readCsv(bad, { timeColumn: 'RIFF', columns: ['RIFF'] });
    } catch (err) {
      expected = (err as Error).message;
    }
    expect(expected.length).toBeGreaterThan(10);
    await s.page.setInputFiles('#forecast-file', bad);
    await s.page.waitForSelector('#forecast-run:not([disabled])');
    await s.page.click('#forecast-run');
    expect(await settle(s.page, 'forecast')).toBe(expected);
  });
});
