#!/usr/bin/env node
// A panel with covariates: daily weather of Seattle and New York, 2012-2015 (`weather.csv` from vega-datasets:
// location,date,precipitation,temp_max,temp_min,wind,weather). One global DLinear forecasts each city's temp_max a
// week ahead, without covariates and with the day's temp_min as a FUTURE covariate (known ahead, as a weather
// forecast's low would be: an oracle here, since it is the measured value) and wind and precipitation as PAST
// covariates (observed up to the forecast origin). Each covariate is scaled per city on its own training part. The
// table shows the test errors per city (the last 20 % of each city's days, which training and early stopping never
// saw). 80 and 95 % conformal bands are calibrated on the validation days. Then the model forecasts the last week of each city from the days before it, reading that week's temp_min
// from a long future-covariate CSV (`--future-csv` in the CLI), and plots both cities. Settings (env or --flags):
//   EPOCHS=10 OUT=/tmp/gatewave-panel-covariates node examples/panel-covariates.js
//   node examples/panel-covariates.js --epochs 2 --out /tmp/panel-cov
const fs = require('fs');
const os = require('os');
const path = require('path');
const { atomicWriteFile } = require('@gatewave/core');
const { readPanelCsv, PanelModel, predictPanelCsv } = require('@gatewave/forecast');
const { setting, vegaDataset, runForecastExample } = require('./settings');

const EPOCHS = Number(setting('EPOCHS', 10));
const OUT = setting('OUT', path.join(os.tmpdir(), 'gatewave-panel-covariates'));
const WINDOW = { lookback: 28, horizon: 7, period: 7 };
const FIT = {
  split: [0.6, 0.2, 0.2],
  epochs: EPOCHS,
  learningRate: 0.005,
  seed: 2023,
  quiet: true,
  intervals: [80, 95],
};
const COVARIATES = { pastColumns: ['wind', 'precipitation'], futureColumns: ['temp_min'] };

/** Splits weather.csv into the history (all but each city's last `horizon` days) and that week's temp_min. */
function holdOutLastWeek(csv, horizon) {
  const [header, ...lines] = fs.readFileSync(csv, 'utf8').trim().split('\n');
  const cols = header.split(',');
  const byCity = new Map();
  for (const l of lines) {
    const city = l.split(',')[0];
    byCity.set(city, [...(byCity.get(city) ?? []), l]);
  }
  const history = [header];
  const future = ['location,date,temp_min'];
  const actual = new Map();
  for (const [city, rows] of byCity) {
    history.push(...rows.slice(0, -horizon));
    for (const l of rows.slice(-horizon)) {
      const f = l.split(',');
      future.push([city, f[cols.indexOf('date')], f[cols.indexOf('temp_min')]].join(','));
      actual.set(`${city} ${f[cols.indexOf('date')]}`, Number(f[cols.indexOf('temp_max')]));
    }
  }
  atomicWriteFile(path.join(OUT, 'history.csv'), history.join('\n') + '\n');
  atomicWriteFile(path.join(OUT, 'future.csv'), future.join('\n') + '\n');
  return actual;
}

async function main() {
  const csv = vegaDataset('weather.csv');
  // The CLI's `--id-col location --time-col date --target temp_max [--past-cols wind,precipitation --future-cols temp_min]`.
  const read = (cov) => readPanelCsv(csv, { idColumn: 'location', timeColumn: 'date', target: 'temp_max', ...cov });
  const runs = [
    ['dlinear, no covariates', read({})],
    ['dlinear + covariates', read(COVARIATES)],
  ];
  console.log(`test part, ${WINDOW.horizon}-day forecasts of temp_max (°C) from every day: MAE per city and MASE`);
  console.log(`model                    ${'Seattle'.padStart(9)}${'New York'.padStart(10)}  mean MASE`);
  let model;
  for (const [name, panel] of runs) {
    model = new PanelModel('dlinear', WINDOW);
    await model.fit(panel, FIT);
    const e = model.evaluate(panel, 'test');
    const mae = (id) => e.series.find((s) => s.id === id).mae.toFixed(3);
    console.log(
      `${name.padEnd(24)} ${mae('Seattle').padStart(9)}${mae('New York').padStart(10)}  ${e.mean.mase.toFixed(3).padStart(9)}`,
    );
  }

  // The last week of each city, forecast from the days before it with that week's temp_min; saved model, as the CLI.
  const modelDir = path.join(OUT, 'model');
  await model.forecaster.save(modelDir, { overwrite: true });
  const actual = holdOutLastWeek(csv, WINDOW.horizon);
  const out = path.join(OUT, 'forecast.csv');
  const { rows, files } = await predictPanelCsv(modelDir, path.join(OUT, 'history.csv'), out, {
    futureCsv: path.join(OUT, 'future.csv'),
    plot: path.join(OUT, 'forecast.png'),
  });
  const err = rows.map((r) =>
    Math.abs(r.forecast - actual.get(`${r.id} ${new Date(r.time).toISOString().slice(0, 10)}`)),
  );
  console.log(
    `\nlast week (${rows.length / 2} days per city, not trained on): MAE ${(err.reduce((a, b) => a + b, 0) / err.length).toFixed(3)} °C`,
  );
  console.log(`wrote ${files.join(', ')}`);
}

runForecastExample(main);
