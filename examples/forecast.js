#!/usr/bin/env node
// @gatewave/forecast end to end: read a real hourly CSV (Seattle hourly temperature normals, from vega-datasets),
// train TPGN, compare its test errors with the naive and seasonal-naive baselines, forecast the next day, and write
// the forecast as CSV and as a PNG/SVG plot. Settings (env or --flags):
//   EPOCHS=10 LOOKBACK=168 HORIZON=24 D_MODEL=2 OUT=/tmp/gatewave-forecast node examples/forecast.js
//   node examples/forecast.js --epochs 2 --lookback 48 --horizon 24 --out /tmp/fc
const path = require('path');
const {
  readCsv,
  describeSeries,
  createForecaster,
  loadForecaster,
  forecastCsv,
  plotForecast,
  plotPoints,
} = require('@gatewave/forecast');
const { atomicWriteFile } = require('@gatewave/core');
const { setting, vegaDataset, forecastSettings, runForecastExample } = require('./settings');

const S = forecastSettings('forecast', { epochs: 10, lookback: 168, horizon: 24 });
const D_MODEL = Number(setting('D_MODEL', 2));

async function main() {
  // 1. Data: a CSV with a time column; the step (hourly) is inferred, the target chosen by name.
  const csv = vegaDataset('seattle-weather-hourly-normals.csv');
  const series = await readCsv(csv, { columns: ['temperature'] });
  describeSeries(series).forEach((line) => console.log(line));

  // 2. The same verbs on every model: fit, evaluate (test part of a 0.6/0.2/0.2 split), predict, save.
  const fitOptions = { target: 'temperature', features: 'S', split: [0.6, 0.2, 0.2], epochs: S.epochs, seed: 2023 };
  const window = { lookback: S.lookback, horizon: S.horizon, period: 24 };
  const tpgn = createForecaster('tpgn', { ...window, dModel: D_MODEL, norm: true });
  const fit = await tpgn.fit(series, fitOptions);
  console.log(
    `TPGN: ${fit.training.epochs} epochs, best ${fit.training.bestEpoch}, ${fit.training.secondsPerEpoch.toFixed(2)} s/epoch`,
  );

  console.log(`\ntest errors (${fit.windows.test} windows, ${S.lookback} h in, ${S.horizon} h out)`);
  console.log('model            MSE (scaled)  MAE (scaled)  MAE (°C)  sMAPE %');
  for (const model of [tpgn, createForecaster('naive', window), createForecaster('seasonal-naive', window)]) {
    if (model !== tpgn) await model.fit(series, fitOptions);
    const { scaled, original } = model.evaluate(series, 'test');
    console.log(
      `${model.kind.padEnd(16)} ${scaled.mse.toFixed(4).padStart(12)}  ${scaled.mae.toFixed(4).padStart(12)}  ${original.mae.toFixed(3).padStart(8)}  ${original.smape.toFixed(2).padStart(7)}`,
    );
  }

  // 3. Save, reload, forecast the next HORIZON hours after the last row, write CSV and plot.
  const modelDir = path.join(S.out, 'model');
  await tpgn.save(modelDir);
  const reloaded = await loadForecaster(modelDir);
  const forecast = reloaded.predict(series);
  const csvOut = path.join(S.out, 'forecast.csv');
  atomicWriteFile(csvOut, forecastCsv(series.timeColumn, [forecast], false));
  const plot = await plotForecast(path.join(S.out, 'forecast.png'), plotPoints(reloaded, series, [forecast], false), {
    title: `TPGN forecast of Seattle hourly temperature normals (next ${S.horizon} h)`,
    yTitle: 'temperature (°C)',
  });
  console.log(`\nmodel: ${modelDir}\nforecast: ${csvOut}\nplot: ${plot.png} (and ${path.basename(plot.svg)})`);
}

runForecastExample(main);
