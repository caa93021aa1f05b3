#!/usr/bin/env node
// Prediction intervals around any model: TPGN and the naive baselines on the daily maximum temperature in Seattle
// (2012–2015, `seattle-weather.csv` from vega-datasets). Each model gets split-conformal 80 % and 95 % intervals,
// calibrated per forecast step on the validation part; the table shows their coverage and width on the test part
// (the last 20 % of days, which neither training nor calibration saw), with pinball loss and CRPS. The next week's
// forecast is written as CSV (with its bounds) and as a plot with the bands. Settings (env or --flags):
//   EPOCHS=10 LOOKBACK=56 HORIZON=7 OUT=/tmp/gatewave-intervals node examples/intervals.js
//   node examples/intervals.js --epochs 2 --out /tmp/iv
const path = require('path');
const { atomicWriteFile } = require('@gatewave/core');
const {
  readCsv,
  describeSeries,
  createForecaster,
  forecastCsv,
  plotForecast,
  plotPoints,
  plotBands,
} = require('@gatewave/forecast');
const { vegaDataset, forecastSettings, runForecastExample } = require('./settings');

const S = forecastSettings('intervals', { epochs: 10, lookback: 56, horizon: 7 });

async function main() {
  const series = await readCsv(vegaDataset('seattle-weather.csv'), { columns: ['temp_max'] });
  describeSeries(series).forEach((line) => console.log(line));

  // One option adds intervals to any model: `intervals: [80, 95]` (the CLI's `--interval 80,95`).
  const window = { lookback: S.lookback, horizon: S.horizon, period: 7 };
  const fitOptions = {
    target: 'temp_max',
    split: [0.6, 0.2, 0.2],
    epochs: S.epochs,
    seed: 2023,
    quiet: true,
    intervals: [80, 95],
  };
  const models = [
    createForecaster('tpgn', { ...window, dModel: 2, norm: true }),
    createForecaster('naive', window),
    createForecaster('seasonal-naive', window),
  ];
  console.log(`\ntest part, ${S.horizon}-day forecasts from every day (°C)`);
  console.log('model            MAE    80 % cover  width   95 % cover  width   pinball  CRPS');
  for (const model of models) {
    await model.fit(series, fitOptions);
    const { original, probabilistic: p } = model.evaluate(series, 'test');
    const [i80, i95] = p.intervals;
    console.log(
      `${model.kind.padEnd(16)} ${original.mae.toFixed(3)}  ${i80.coverage.toFixed(1).padStart(8)} %  ${i80.width.toFixed(2).padStart(5)}  ` +
        `${i95.coverage.toFixed(1).padStart(8)} %  ${i95.width.toFixed(2).padStart(5)}  ${p.pinball.toFixed(4).padStart(7)}  ${p.crps.toFixed(4)}`,
    );
  }

  // The next HORIZON days after the last row, with both bands.
  const tpgn = models[0];
  const forecast = tpgn.predict(series);
  const csvOut = path.join(S.out, 'forecast.csv');
  atomicWriteFile(csvOut, forecastCsv(series.timeColumn, [forecast], false));
  const plot = await plotForecast(
    path.join(S.out, 'forecast.png'),
    plotPoints(tpgn, series, [forecast], false),
    { title: `TPGN forecast of Seattle's daily maximum temperature, 80 % and 95 % intervals`, yTitle: 'temp_max (°C)' },
    plotBands([forecast]),
  );
  console.log(`\nforecast: ${csvOut}\nplot: ${plot.png} (and ${path.basename(plot.svg)})`);
  models.forEach((m) => m.dispose());
}

runForecastExample(main);
