import * as fs from 'fs';
import * as path from 'path';
import { initBackend } from '@gatewave/core';
import { PanelModel, loadForecaster, readPanelCsv, readPanelFutureCsv } from '@gatewave/forecast';
import { modelTestSetup, normals } from './synthetic';
import { expectError } from './expect-error';

// Covariates on long-format panels, on series whose dependence on the covariate is known: y_i,t = a_i · x_i,t−lag
// + 0.2 ε. Each series has its own slope a_i and its own covariate draws; per-series scaling makes them one task.

const tmp = modelTestSetup('panel-covariates');
const HOUR = 3600e3;
const SLOPES = [0.5, 1, 2, 4, 8, 1.5];
const N = 400;
const stamp = (t: number): string => new Date(Date.UTC(2020, 0, 1) + t * HOUR).toISOString().slice(0, 19);

/** Writes a long CSV `id,time,y,x` of the driven series (x at rows 0..N+extra−1; y only at rows 0..N−1). */
function drivenCsv(name: string, lag: number): { file: string; x: Float64Array[] } {
  const lines = ['id,time,y,x'];
  const x = SLOPES.map((_, i) => normals(N + 8, 300 + i));
  SLOPES.forEach((a, i) => {
    const e = normals(N, 400 + i);
    for (let t = 0; t < N; t++)
      lines.push(`s${i},${stamp(t)},${(t >= lag ? a * x[i][t - lag] : 0) + 0.2 * e[t]},${x[i][t]}`);
  });
  const file = path.join(tmp, name);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return { file, x };
}

const window = { lookback: 24, horizon: 4, period: 24 };
const train = { epochs: 10, learningRate: 0.01, quiet: true, seed: 5 };

test('a panel driven by a known future covariate is forecast far better with --future-cols x than without', async () => {
  const { file, x } = drivenCsv('future.csv', 0);
  const withX = new PanelModel('dlinear', window);
  await withX.fit(readPanelCsv(file, { idColumn: 'id', target: 'y', futureColumns: ['x'] }), train);
  const without = new PanelModel('dlinear', window);
  await without.fit(readPanelCsv(file, { idColumn: 'id', target: 'y' }), train);
  const panel = readPanelCsv(file, { idColumn: 'id', target: 'y', futureColumns: ['x'] });
  const ew = withX.evaluate(panel, 'test');
  const eo = without.evaluate(readPanelCsv(file, { idColumn: 'id', target: 'y' }), 'test');
  // Without x each series is noise of std √(a_i² + 0.04) (MAE ≈ 0.8 of it); with x only the 0.2 ε remains (MAE ≈
  // 0.16): at a = 0.5 that is 0.37 of the MAE without x, at a = 8 0.03.
  ew.series.forEach((s, i) => {
    expect(eo.series[i].mae).toBeGreaterThan(0.7 * Math.sqrt(SLOPES[i] ** 2 + 0.04));
    expect(s.mae).toBeLessThan(0.5 * eo.series[i].mae);
  });
  expect(ew.mean.mase).toBeLessThan(0.35 * eo.mean.mase);
  expect(withX.forecaster.pipeline!.inputColumns).toEqual(['y', 'x']);

  // predict needs every series' next 4 rows of x, and names the series that lack them.
  expect(() => withX.predict(panel)).toThrow(/needs their values of x for the 4 step\(s\) after each series' last row/);
  const rows = (ids: number[], steps: (i: number) => number): string[] =>
    ids.flatMap((i) => Array.from({ length: steps(i) }, (_, h) => `s${i},${stamp(N + h)},${x[i][N + h]}`));
  const partial = path.join(tmp, 'partial-future.csv');
  fs.writeFileSync(partial, ['id,time,x', ...rows([0, 1, 2, 3, 4], (i) => (i === 2 ? 2 : 4))].join('\n') + '\n');
  const partialFuture = readPanelFutureCsv(partial, { idColumn: 'id', columns: ['x'] });
  expectError(
    () => withX.predict(panel, { future: partialFuture }),
    'MISSING_FUTURE_COVARIATES',
    /2 of 6 series lack future covariate rows: 's2' lacks 2 of 4 \(the first at 2020-01-17 18:00:00\); 's5' lacks 4 of 4/,
  );
  const full = path.join(tmp, 'future-x.csv');
  fs.writeFileSync(full, ['id,time,x', ...rows([5, 4, 3, 2, 1, 0], () => 4)].join('\n') + '\n');
  const future = readPanelFutureCsv(full, { idColumn: 'id', columns: ['x'] });
  const forecast = withX.predict(panel, { future });
  expect(forecast).toHaveLength(6 * 4);
  forecast.forEach((r, k) => {
    const i = Math.floor(k / 4);
    const h = k % 4;
    expect(r.id).toBe(`s${i}`);
    expect(r.time).toBe(Date.UTC(2020, 0, 1) + (N + h) * HOUR);
    // The known answer a_i · x_i,t, within a few noise stds.
    expect(Math.abs(r.forecast - SLOPES[i] * x[i][N + h])).toBeLessThan(0.6 + 0.05 * SLOPES[i]);
  });

  // The per-series covariate scalers are saved: a loaded model forecasts the same.
  await withX.forecaster.save(path.join(tmp, 'model-x'));
  const again = new PanelModel(await loadForecaster(path.join(tmp, 'model-x')));
  expect(again.panel!.scalers!.covariateStd!.map((s) => s.length)).toEqual(SLOPES.map(() => 1));
  again.predict(panel, { future }).forEach((r, k) => expect(r.forecast).toBeCloseTo(forecast[k].forecast, 4));
  expectError(
    () => again.evaluate(readPanelCsv(file, { idColumn: 'id', target: 'y' })),
    'MODEL_MISMATCH',
    /trained with covariates \[x\].*read with \[\]/,
  );
  [withX, without, again].forEach((m) => m.forecaster.dispose());
});

test('a past covariate (y_t = a_i · x_t−4) trains, evaluates better than without it, backtests and predicts without future rows', async () => {
  const { file } = drivenCsv('past.csv', 4);
  const panel = readPanelCsv(file, { idColumn: 'id', target: 'y', pastColumns: ['x'] });
  const withX = new PanelModel('dlinear', window);
  await withX.fit(panel, train);
  const without = new PanelModel('dlinear', window);
  await without.fit(readPanelCsv(file, { idColumn: 'id', target: 'y' }), train);
  const ew = withX.evaluate(panel, 'test');
  const eo = without.evaluate(readPanelCsv(file, { idColumn: 'id', target: 'y' }), 'test');
  // x_t−4 lies in the lookback for all 4 forecast steps: only the noise remains.
  expect(ew.mean.mase).toBeLessThan(0.35 * eo.mean.mase);
  expect(withX.forecaster.pipeline!.pastColumns).toEqual(['x']);
  const rows = withX.predict(panel);
  expect(rows.map((r) => r.id)).toEqual(SLOPES.flatMap((_, i) => Array(4).fill(`s${i}`)));
  const bt = withX.backtest(panel, { start: 0.9 });
  expect(bt.evaluation.series).toHaveLength(6);
  expect(bt.evaluation.mean.mae).toBeLessThan(0.3);
  [withX, without].forEach((m) => m.forecaster.dispose());
});

test('covariates that are missing, non-numeric or a target are clear errors; rules take none', async () => {
  const { file } = drivenCsv('bad.csv', 0);
  expectError(
    () => readPanelCsv(file, { idColumn: 'id', target: 'y', futureColumns: ['z'] }),
    'UNKNOWN_COLUMN',
    /--future-cols: column 'z' is not among the data's columns \(time, y, x\)/,
  );
  expectError(
    () => readPanelCsv(file, { idColumn: 'id', target: 'y', pastColumns: ['y'] }),
    'BAD_ARGUMENT',
    /--past-cols: 'y' is a target/,
  );
  const text = fs.readFileSync(file, 'utf8').split('\n');
  text[5] = text[5].replace(/,[^,]*$/, ',high');
  const bad = path.join(tmp, 'text-x.csv');
  fs.writeFileSync(bad, text.join('\n'));
  expectError(
    () => readPanelCsv(bad, { idColumn: 'id', target: 'y', pastColumns: ['x'] }),
    'NON_NUMERIC_VALUE',
    /cells that are not numbers in column 'x'.*line 6/s,
  );
  const panel = readPanelCsv(file, { idColumn: 'id', target: 'y', pastColumns: ['x'] });
  await expect(new PanelModel('seasonal-naive', window).fit(panel)).rejects.toThrow(
    /seasonal-naive is a rule that reads only the target/,
  );
});

test.each(['tpgn', 'gru'] as const)(
  '%s takes a future covariate on a panel: far better than naive, and a loaded model forecasts the same',
  async (kind) => {
    await initBackend(undefined, { quiet: true }); // native in CI: two epochs of these models take ~45 s on cpu
    const { file, x } = drivenCsv(`future-${kind}.csv`, 0);
    const read = () => readPanelCsv(file, { idColumn: 'id', target: 'y', futureColumns: ['x'] });
    const model = new PanelModel(
      kind,
      kind === 'tpgn' ? { ...window, period: 4, dModel: 4 } : { ...window, hidden: 16 },
    );
    await model.fit(read(), { ...train, epochs: 2 });
    const naive = new PanelModel('naive', window);
    await naive.fit(readPanelCsv(file, { idColumn: 'id', target: 'y' }), train);
    const withX = model.evaluate(read(), 'test').mean.mase;
    const rule = naive.evaluate(readPanelCsv(file, { idColumn: 'id', target: 'y' }), 'test').mean.mase;
    // y is a_i · x plus small noise and x is white: naive (last value) is pure noise, x explains nearly all of y.
    expect(withX).toBeLessThan(0.4 * rule);
    const futureFile = path.join(tmp, `future-x-${kind}.csv`);
    const rows = SLOPES.flatMap((_, i) => [0, 1, 2, 3].map((h) => `s${i},${stamp(N + h)},${x[i][N + h]}`));
    fs.writeFileSync(futureFile, ['id,time,x', ...rows].join('\n') + '\n');
    const future = readPanelFutureCsv(futureFile, { idColumn: 'id', columns: ['x'] });
    const forecast = model.predict(read(), { future });
    await model.forecaster.save(path.join(tmp, `model-${kind}`));
    const again = new PanelModel(await loadForecaster(path.join(tmp, `model-${kind}`)));
    again.predict(read(), { future }).forEach((r, k) => expect(r.forecast).toBeCloseTo(forecast[k].forecast, 4));
    [model, naive, again].forEach((m) => m.forecaster.dispose());
  },
  120000,
);
