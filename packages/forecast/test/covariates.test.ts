import * as path from 'path';
import { tf } from '@gatewave/core';
import {
  ForecastError,
  buildDLinear,
  buildGRU,
  buildTPGN,
  createForecaster,
  loadForecaster,
  timeSeriesFromArrays,
} from '@gatewave/forecast';
import { hourly, modelTestSetup, normals } from './synthetic';

const tmp = modelTestSetup('covariates');

/** y and a covariate c, row-major [y, c]: y_t = 2·c_{t−lag} + 0.3·ε_t with c and ε independent N(0, 1). */
function drivenSeries(n: number, lag: number) {
  const c = normals(n, 21);
  const e = normals(n, 22);
  const values: number[] = [];
  for (let t = 0; t < n; t++) values.push(2 * (t >= lag ? c[t - lag] : 0) + 0.3 * e[t], c[t]);
  return { c, series: timeSeriesFromArrays({ times: hourly(n), columns: ['y', 'c'], values }) };
}

const fitOptions = { target: 'y', epochs: 12, learningRate: 0.01, quiet: true, seed: 4 };

test('a series driven by a known future covariate is forecast far better with it than without', async () => {
  const { c, series } = drivenSeries(3000, 0);
  const window = { lookback: 24, horizon: 4, period: 24 };
  const withCov = createForecaster('dlinear', window);
  await withCov.fit(series, { ...fitOptions, futureColumns: ['c'] });
  const without = createForecaster('dlinear', window);
  await without.fit(series, fitOptions);
  const mseWith = withCov.evaluate(series, 'test').original.mse;
  const mseWithout = without.evaluate(series, 'test').original.mse;
  // Without c the target is unpredictable noise of variance 4 + 0.09; with it only the 0.09 remains.
  expect(mseWithout).toBeGreaterThan(3);
  expect(mseWith).toBeLessThan(0.3);
  expect(withCov.pipeline!.inputColumns).toEqual(['y', 'c']);
  expect(withCov.pipeline!.targetColumns).toEqual(['y']);

  // predict needs the covariate's next rows, and says so.
  expect(() => withCov.predict(series)).toThrow(
    /needs the values of c for the 4 step\(s\) from 2020-05-05 00:00:00 on/,
  );
  const futureC = [1, -1, 0.5, 2];
  const future = timeSeriesFromArrays({ times: hourly(4, 3000), columns: ['c'], values: futureC });
  const early = timeSeriesFromArrays({ times: hourly(4, 2999), columns: ['c'], values: futureC });
  expect(() => withCov.predict(series, { future: early })).toThrow(ForecastError);
  const f = withCov.predict(series, { future });
  for (let h = 0; h < 4; h++) expect(Math.abs(f.values[h] - 2 * futureC[h])).toBeLessThan(0.4);

  // Saved and loaded, the model gives the same forecast.
  await withCov.save(path.join(tmp, 'future'));
  const again = await loadForecaster(path.join(tmp, 'future'));
  expect(again.pipeline!.futureColumns).toEqual(['c']);
  expect(Array.from(again.predict(series, { future }).values)).toEqual(Array.from(f.values));
  void c;
  [withCov, without, again].forEach((m) => m.dispose());
});

test('a past covariate (a leading indicator) reaches the forecast through the covariate head', async () => {
  const { series } = drivenSeries(3000, 4); // y_t = 2·c_{t−4} + noise: every forecast step's driver is already observed
  const window = { lookback: 24, horizon: 4, period: 24 };
  const withCov = createForecaster('dlinear', window);
  await withCov.fit(series, { ...fitOptions, pastColumns: ['c'] });
  const without = createForecaster('dlinear', window);
  await without.fit(series, fitOptions);
  expect(without.evaluate(series, 'test').original.mse).toBeGreaterThan(3);
  expect(withCov.evaluate(series, 'test').original.mse).toBeLessThan(0.3);
  expect(withCov.predict(series).values).toHaveLength(4); // no future rows needed for past covariates
  [withCov, without].forEach((m) => m.dispose());
});

test('TPGN, DLinear and GRU take covariates: a third input for future ones, one more weight matrix', () => {
  const spec = { indices: [1, 2], future: 1 }; // column 1 past, column 2 future
  const x = tf.randomNormal([2, 48, 3]) as tf.Tensor3D;
  const m = tf.zeros([2, 48, 4]) as tf.Tensor3D;
  const f = tf.randomNormal([2, 24, 1]) as tf.Tensor3D;
  const nets = [
    buildTPGN({ lookback: 48, horizon: 24, period: 24, dModel: 2, norm: true }, 3, 4, spec),
    buildDLinear({ lookback: 48, horizon: 24, kernelSize: 25, quantiles: [0.1, 0.5, 0.9] }, 3, 4, spec),
    buildGRU({ lookback: 48, horizon: 24, hidden: 8 }, 3, 4, spec),
  ];
  const outputs = [3, 9, 3];
  nets.forEach((net, i) => {
    expect(net.inputs.map((t) => t.name.replace(/_\d+$/, ''))).toEqual(['x', 'marks', 'future']);
    expect((net.apply([x, m, f]) as tf.Tensor).shape).toEqual([2, 24, outputs[i]]);
    const head = net.getLayer('covariate_head');
    expect(head.getWeights()[0].shape).toEqual([48 * 2 + 24 * 1, 24 * outputs[i]]);
    net.dispose();
  });
});

test('GRU with a future covariate and quantile heads: saved and loaded, it forecasts the same (its unused marks input is dropped on save)', async () => {
  const { series } = drivenSeries(600, 0);
  const model = createForecaster('gru', { lookback: 24, horizon: 4, period: 24, hidden: 8, quantiles: [0.1, 0.9] });
  await model.fit(series, { target: 'y', epochs: 1, quiet: true, seed: 1, futureColumns: ['c'] });
  await model.save(path.join(tmp, 'gru'));
  const again = await loadForecaster(path.join(tmp, 'gru'));
  expect(again.network!.inputs.map((t) => t.name.replace(/_\d+$/, ''))).toEqual(['x', 'future']);
  const future = timeSeriesFromArrays({ times: hourly(4, 600), columns: ['c'], values: [1, 2, 3, 4] });
  const a = model.predict(series, { future });
  const b = again.predict(series, { future });
  expect(Array.from(b.values)).toEqual(Array.from(a.values));
  expect(b.quantiles!.map((q) => Array.from(q.values))).toEqual(a.quantiles!.map((q) => Array.from(q.values)));
  [model, again].forEach((m) => m.dispose());
});

test('bad covariates: unknown, the target itself, both past and future, or on a rule', async () => {
  const { series } = drivenSeries(400, 0);
  const model = (): ReturnType<typeof createForecaster> =>
    createForecaster('dlinear', { lookback: 24, horizon: 4, period: 24 });
  await expect(model().fit(series, { target: 'y', futureColumns: ['nosuch'] })).rejects.toThrow(
    /--future-cols: column 'nosuch' is not among the data's columns \(y, c\)/,
  );
  await expect(model().fit(series, { target: 'y', pastColumns: ['y'] })).rejects.toThrow(
    /--past-cols: 'y' is a target/,
  );
  await expect(model().fit(series, { target: 'y', pastColumns: ['c'], futureColumns: ['c'] })).rejects.toThrow(
    /both name c/,
  );
  const naive = createForecaster('naive', { lookback: 24, horizon: 4, period: 24 });
  await expect(naive.fit(series, { target: 'y', futureColumns: ['c'] })).rejects.toThrow(
    /naive is a rule that reads only the target/,
  );
});
