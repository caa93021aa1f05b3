#!/usr/bin/env node
// Many series in one long-format file: the monthly stock prices of MSFT, AMZN, IBM, GOOG and AAPL (2000-2010,
// `stocks.csv` from vega-datasets: symbol,date,price; GOOG starts in 2004, so the series differ in length and start).
// TPGN and DLinear each train ONE global model on windows pooled from all five series, every series scaled by its
// own training part; naive and seasonal-naive forecast each series from its own history. The table shows the test
// errors per series (the last 20 % of each series' months, which training and early stopping never saw) and their
// aggregates; the per-series errors and the next months' forecasts are written as CSV. Settings (env or --flags):
//   EPOCHS=20 LOOKBACK=24 HORIZON=12 OUT=/tmp/gatewave-panel node examples/panel.js
//   node examples/panel.js --epochs 2 --out /tmp/panel
const path = require('path');
const { atomicWriteFile } = require('@gatewave/core');
const {
  readPanelCsv,
  PanelModel,
  seriesMetricsCsv,
  panelForecastCsv,
  describePanelStep,
} = require('@gatewave/forecast');
const { vegaDataset, forecastSettings, runForecastExample } = require('./settings');

const S = forecastSettings('panel', { epochs: 20, lookback: 24, horizon: 12 });

async function main() {
  // The CLI's `--id-col symbol --time-col date --target price`.
  const panel = readPanelCsv(vegaDataset('stocks.csv'), {
    idColumn: 'symbol',
    timeColumn: 'date',
    target: 'price',
    minLength: S.lookback + S.horizon,
  });
  console.log(
    `${panel.series.length} series, ${describePanelStep(panel.step)}: ${panel.series.map((s) => `${s.id} ${s.values.length}`).join(', ')}`,
  );

  const window = { lookback: S.lookback, horizon: S.horizon, period: 12 };
  const fitOptions = { split: [0.6, 0.2, 0.2], epochs: S.epochs, learningRate: 0.005, seed: 2023, quiet: true };
  const models = [
    new PanelModel('tpgn', { ...window, dModel: 2, norm: true }),
    new PanelModel('dlinear', window),
    new PanelModel('naive', window),
    new PanelModel('seasonal-naive', window),
  ];
  const ids = panel.series.map((s) => s.id);
  console.log(`\ntest part, ${S.horizon}-month forecasts from every month: MASE per series (season 12) and aggregates`);
  console.log(`model            ${ids.map((id) => id.padStart(7)).join('')}  mean MASE  weighted MASE  mean sMAPE %`);
  for (const model of models) {
    await model.fit(panel, fitOptions);
    const e = model.evaluate(panel, 'test');
    const per = ids
      .map((id) =>
        e.series
          .find((s) => s.id === id)
          .mase.toFixed(3)
          .padStart(7),
      )
      .join('');
    console.log(
      `${model.kind.padEnd(16)} ${per}  ${e.mean.mase.toFixed(3).padStart(9)}  ${e.maseWeighted.toFixed(3).padStart(13)}  ${e.mean.smape.toFixed(2).padStart(12)}`,
    );
    if (model.kind === 'tpgn') atomicWriteFile(path.join(S.out, 'metrics.csv'), seriesMetricsCsv(panel.idColumn, e));
  }

  // The next HORIZON months after each series' last row, in long format.
  const rows = models[0].predict(panel);
  atomicWriteFile(path.join(S.out, 'forecast.csv'), panelForecastCsv(panel.idColumn, panel.timeColumn, rows));
  console.log(
    `\nwrote ${path.join(S.out, 'metrics.csv')} (TPGN's test errors per series) and ${path.join(S.out, 'forecast.csv')} (${rows.length} rows)`,
  );
}

runForecastExample(main);
