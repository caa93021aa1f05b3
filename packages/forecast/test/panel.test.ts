import { PanelModel, parseTimestamp, readPanelCsv } from '@gatewave/forecast';
import { tempDir, writeIn } from '../../core/test/test-setup';
import { expectError } from './expect-error';

const tmp = tempDir('gw-forecast-panel-');
const csv = (name: string, text: string): string => writeIn(tmp, name, text);

const day = (d: number): string => new Date(Date.UTC(2020, 0, 1) + d * 86400000).toISOString().slice(0, 10);

/** A long CSV of daily series `id -> values[]` starting at day `start[id]`, rows shuffled between series. */
function longCsv(name: string, series: Record<string, number[]>, start: Record<string, number> = {}): string {
  const rows: string[] = [];
  for (const [id, values] of Object.entries(series))
    values.forEach((v, i) => rows.push(`${id},${day((start[id] ?? 0) + i)},${v}`));
  // Interleave: sort by date string descending so that series and times are both out of order.
  rows.sort((a, b) => (a.split(',')[1] < b.split(',')[1] ? 1 : -1));
  return csv(name, `store,date,sales\n${rows.join('\n')}\n`);
}

const range = (n: number, f: (t: number) => number): number[] => Array.from({ length: n }, (_, t) => f(t));

describe('readPanelCsv', () => {
  test('groups unsorted rows into typed arrays per series, of different lengths and starts', () => {
    const file = longCsv('a.csv', { a: [1, 2, 3, 4], b: [10, 20, 30] }, { a: 0, b: 5 });
    const p = readPanelCsv(file, { idColumn: 'store', target: 'sales' });
    expect(p.step).toEqual({ unit: 'ms', size: 86400000 });
    expect(p.series.map((s) => s.id).sort()).toEqual(['a', 'b']);
    const a = p.series.find((s) => s.id === 'a')!;
    const b = p.series.find((s) => s.id === 'b')!;
    expect(a.values).toBeInstanceOf(Float64Array);
    expect(Array.from(a.values)).toEqual([1, 2, 3, 4]);
    expect(Array.from(b.values)).toEqual([10, 20, 30]);
    expect(b.times[0]).toBe(Date.UTC(2020, 0, 6));
    expect(b.times[2] - b.times[0]).toBe(2 * 86400000);
  });

  test('fills a gap inside a series forward and counts it', () => {
    const file = csv(
      'gap.csv',
      'id,date,y\nx,2020-01-01,1\nx,2020-01-02,2\nx,2020-01-04,4\ny,2020-01-01,5\ny,2020-01-02,6\n',
    );
    const p = readPanelCsv(file, { idColumn: 'id', target: 'y' });
    const x = p.series.find((s) => s.id === 'x')!;
    expect(Array.from(x.values)).toEqual([1, 2, 2, 4]);
    expect(x.filled).toBe(1);
  });

  test('reads month-start dates as a monthly calendar step', () => {
    const file = csv(
      'm.csv',
      'symbol,date,price\nA,2000-01-01,1\nA,2000-02-01,2\nA,2000-03-01,3\nB,2000-02-01,7\nB,2000-03-01,8\n',
    );
    const p = readPanelCsv(file, { idColumn: 'symbol', target: 'price' });
    expect(p.step).toEqual({ unit: 'month', size: 1 });
    expect(Array.from(p.series.find((s) => s.id === 'A')!.times)).toEqual([
      Date.UTC(2000, 0, 1),
      Date.UTC(2000, 1, 1),
      Date.UTC(2000, 2, 1),
    ]);
  });

  test('reads dates written with a month name (Jan 1 2000, as in vega-datasets stocks.csv)', () => {
    expect(parseTimestamp('Jan 1 2000')).toBe(Date.UTC(2000, 0, 1));
    expect(parseTimestamp('September 30, 2010')).toBe(Date.UTC(2010, 8, 30));
    expect(parseTimestamp('Feb 30 2001')).toBeNaN();
    expect(parseTimestamp('Foo 1 2000')).toBeNaN();
    const file = csv('names.csv', 'symbol,date,price\nA,Jan 1 2000,1\nA,Feb 1 2000,2\nA,Mar 1 2000,4\n');
    expect(Array.from(readPanelCsv(file, { idColumn: 'symbol', target: 'price' }).series[0].values)).toEqual([1, 2, 4]);
  });

  test('a missing id column is an error naming --id-col', () => {
    const file = longCsv('noid.csv', { a: [1, 2, 3] });
    expectError(() => readPanelCsv(file, { idColumn: 'shop', target: 'sales' }), 'UNKNOWN_COLUMN', /'shop'.*--id-col/);
  });

  test('series at different frequencies are an error naming both', () => {
    const file = csv(
      'freq.csv',
      'id,date,y\nd,2020-01-01,1\nd,2020-01-02,2\nd,2020-01-03,3\nw,2020-01-01,1\nw,2020-01-08,2\nw,2020-01-15,3\n',
    );
    expectError(
      () => readPanelCsv(file, { idColumn: 'id', target: 'y' }),
      'IRREGULAR_TIMESTAMPS',
      /'d' is daily but series 'w' is weekly/,
    );
  });

  test('a repeated (id, time) pair is an error with its line', () => {
    const file = csv('dup.csv', 'id,date,y\na,2020-01-01,1\na,2020-01-02,2\nb,2020-01-01,3\na,2020-01-02,5\n');
    expectError(
      () => readPanelCsv(file, { idColumn: 'id', target: 'y' }),
      'DUPLICATE_TIMESTAMP',
      /\(id, date\).*line 5/s,
    );
  });

  test('a series shorter than minLength is skipped with a count, or an error with strict', () => {
    const file = longCsv('short.csv', { long: range(10, (t) => t), short: [1, 2, 3] });
    const p = readPanelCsv(file, { idColumn: 'store', target: 'sales', minLength: 5 });
    expect(p.series.map((s) => s.id)).toEqual(['long']);
    expect(p.skipped).toEqual([{ id: 'short', rows: 3 }]);
    expectError(
      () => readPanelCsv(file, { idColumn: 'store', target: 'sales', minLength: 5, strict: true }),
      'TOO_FEW_ROWS',
      /'short' has 3 rows.*--strict/,
    );
  });
});

describe('PanelModel', () => {
  test('naive per series: hand-computed errors, mean and MASE-weighted aggregates', () => {
    // a = t and b = 2t (40 rows each). Naive with H = 2 errs by 1·slope at h = 1 and 2·slope at h = 2: MAE a = 1.5,
    // b = 3. The in-sample naive error (period 1) is the slope, so MASE = 1.5 for both.
    const file = longCsv('lin.csv', { a: range(40, (t) => t), b: range(40, (t) => 2 * t) });
    const panel = readPanelCsv(file, { idColumn: 'store', target: 'sales' });
    const m = new PanelModel('naive', { lookback: 3, horizon: 2, period: 1 });
    return m.fit(panel).then((fit) => {
      expect(fit.series).toBe(2);
      const ev = m.evaluate(panel);
      const a = ev.series.find((s) => s.id === 'a')!;
      const b = ev.series.find((s) => s.id === 'b')!;
      // test part: the last floor(0.2·40) = 8 rows as targets, windows starting 3 rows before: 8 − 2 + 1 = 7 windows.
      expect(a.windows).toBe(7);
      expect(a.mae).toBeCloseTo(1.5, 5);
      expect(b.mae).toBeCloseTo(3, 5);
      expect(a.mase).toBeCloseTo(1.5, 5);
      expect(ev.mean.mae).toBeCloseTo(2.25, 5);
      expect(ev.maseWeighted).toBeCloseTo(1.5, 5);
      const rows = m.predict(panel);
      // Float32 scaling round trip: within 1e-4 of the last value, 78.
      rows.filter((r) => r.id === 'b').forEach((r) => expect(r.forecast).toBeCloseTo(78, 4));
      expect(rows.find((r) => r.id === 'a')!.time).toBe(Date.UTC(2020, 0, 1) + 40 * 86400000);
    });
  });

  test('seasonal-naive per series repeats each series own last period', () => {
    const file = longCsv(
      'seas.csv',
      { p: range(48, (t) => [1, 5, 2, 8][t % 4]), q: range(40, (t) => [3, 0, 0, 9][t % 4] + 100) },
      { q: 3 },
    );
    const panel = readPanelCsv(file, { idColumn: 'store', target: 'sales' });
    const m = new PanelModel('seasonal-naive', { lookback: 8, horizon: 4, period: 4 });
    return m.fit(panel).then(() => {
      const ev = m.evaluate(panel);
      for (const s of ev.series) expect(s.mae).toBeCloseTo(0, 5);
      const q = m
        .predict(panel)
        .filter((r) => r.id === 'q')
        .map((r) => r.forecast);
      [103, 100, 100, 109].forEach((v, h) => expect(q[h]).toBeCloseTo(v, 4));
    });
  });

  test('series too short for the split are skipped with a count, or an error with strict', async () => {
    const file = longCsv('split.csv', { a: range(60, (t) => t % 5), tiny: range(8, (t) => t) });
    const panel = readPanelCsv(file, { idColumn: 'store', target: 'sales' });
    const m = new PanelModel('naive', { lookback: 4, horizon: 2, period: 5 });
    const fit = await m.fit(panel);
    expect(fit).toMatchObject({ series: 1, skipped: 1 });
    expect(m.skipped).toEqual([{ id: 'tiny', rows: 8 }]);
    await expect(m.fit(panel, { strict: true })).rejects.toThrow(/series 'tiny'.*fewer than lookback \+ horizon/);
  });

  test('DLinear trains one global model on windows pooled from all series and beats naive on them', async () => {
    // Three series with the same period-6 shape at different levels and amplitudes: per-series scaling makes them one
    // pattern, so one global linear model learns it.
    const shape = [0, 1, 3, 2, -1, -2];
    const series: Record<string, number[]> = {};
    [
      [10, 1],
      [100, 5],
      [-3, 0.5],
    ].forEach(([level, amp], i) => (series[`s${i}`] = range(90 + 10 * i, (t) => level + amp * shape[t % 6])));
    const panel = readPanelCsv(longCsv('glob.csv', series), { idColumn: 'store', target: 'sales' });
    const model = new PanelModel('dlinear', { lookback: 12, horizon: 3, period: 6 });
    const fit = await model.fit(panel, {
      epochs: 30,
      patience: 30,
      learningRate: 0.01,
      batchSize: 16,
      seed: 1,
      quiet: true,
    });
    // train windows: floor(0.6·n) − 12 − 3 + 1 per series, n = 90, 100, 110.
    expect(fit.windows.train).toBe(40 + 46 + 52);
    const naive = new PanelModel('naive', { lookback: 12, horizon: 3, period: 6 });
    await naive.fit(panel);
    const g = model.evaluate(panel);
    const n = naive.evaluate(panel);
    expect(g.maseWeighted).toBeLessThan(0.5 * n.maseWeighted);
    expect(g.series).toHaveLength(3);
  }, 60000);
});
