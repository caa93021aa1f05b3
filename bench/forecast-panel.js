// The panel suite of `npm run bench:forecast` (`--suite panel`): real long-format data sets that install from npm
// (vega-datasets):
// - `unemployment-across-industries.json`: US unemployed persons per industry, monthly 2000-2010, 14 series of 122
//   months (rows `series, year, month, count`, written here as a long CSV). Its test part (the last 20 % of months)
//   is the 2008-2010 recession, which no training month resembles.
// - `weather.csv`: daily maximum temperature in Seattle and New York, 2012-2015, 2 series of 1461 days (a long CSV
//   as shipped: `location, date, ..., temp_max, ...`).
// One global TPGN and one global DLinear are trained over all series of a set; naive and seasonal-naive forecast each
// series alone. Every series is split by time (0.6/0.2/0.2 of its rows): the test errors are on the last 20 % of each
// series, held out in time only (the same series trained the models). Each model also gets split-conformal 80/95 %
// intervals, calibrated per forecast step on the validation windows of all series in units of each series' std.
const fs = require('fs');
const os = require('os');
const path = require('path');

const dataDir = () => path.join(path.resolve(path.dirname(require.resolve('vega-datasets')), '..'), 'data');

/** The unemployment JSON rows as a long CSV (`series,date,count`, dates on the 1st of the month); returns its path. */
function unemploymentCsv(dir) {
  const rows = JSON.parse(fs.readFileSync(path.join(dataDir(), 'unemployment-across-industries.json'), 'utf8'));
  const pad = (n) => String(n).padStart(2, '0');
  const lines = rows.map((r) => `"${r.series}",${r.year}-${pad(r.month)}-01,${r.count}`);
  const file = path.join(dir, 'unemployment-across-industries.csv');
  fs.writeFileSync(file, ['series,date,count', ...lines].join('\n') + '\n');
  return file;
}

const DATASETS = [
  {
    name: 'unemployment-across-industries (vega-datasets), 14 series x 122 months',
    csv: unemploymentCsv,
    read: { idColumn: 'series', timeColumn: 'date', target: 'count' },
    window: { lookback: 24, horizon: 12, period: 12 },
    unit: 'month',
  },
  {
    name: 'weather.csv temp_max (vega-datasets), 2 series (Seattle, New York) x 1461 days, °C',
    csv: () => path.join(dataDir(), 'weather.csv'),
    read: { idColumn: 'location', timeColumn: 'date', target: 'temp_max' },
    window: { lookback: 56, horizon: 7, period: 7 },
    unit: 'day',
  },
];

const f3 = (v) => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');

/** Fits each model (trained ones once per seed), evaluates the test part; returns one result per model. */
async function runModels(fc, panel, window, o) {
  const kinds = [
    ['tpgn', { ...window, dModel: 2, norm: true }],
    ['dlinear', window],
    ['naive', window],
    ['seasonal-naive', window],
  ];
  const results = [];
  for (const [kind, config] of kinds) {
    const trained = kind === 'tpgn' || kind === 'dlinear';
    const evals = [];
    for (const seed of trained ? o.seeds : o.seeds.slice(0, 1)) {
      const model = new fc.PanelModel(kind, config);
      await model.fit(panel, {
        split: [0.6, 0.2, 0.2],
        epochs: o.epochs,
        patience: o.patience,
        learningRate: 0.005,
        seed,
        quiet: true,
        intervals: [80, 95],
      });
      evals.push(model.evaluate(panel, 'test'));
      model.forecaster.dispose();
    }
    results.push({ kind: trained ? `${kind} (global)` : `${kind} (per series)`, evals });
  }
  return results;
}

/** Mean of a figure over the seeds' evaluations. */
const over = (evals, f) => evals.reduce((a, e) => a + f(e), 0) / evals.length;

function printPanelTables(results, ids, d, o) {
  const { lookback, horizon, period } = d.window;
  console.log(
    `\nPanel: ${d.name}, lookback ${lookback}, horizon ${horizon}, season ${period}; ` +
      `test = the last 20 % of each series' ${d.unit}s (held out in time, same series); ${horizon}-${d.unit} forecasts from every ${d.unit}; ` +
      `MASE against each series' own seasonal-naive in-sample error; trained models: epochs <= ${o.epochs}, mean over seeds ${o.seeds.join(', ')}.\n`,
  );
  console.log(
    `| model | mean MASE | MASE weighted by points | mean sMAPE % | mean MAE | series where it beats seasonal-naive |`,
  );
  console.log('|---|---|---|---|---|---|');
  const snaive = results.find((r) => r.kind.startsWith('seasonal-naive')).evals[0];
  for (const r of results) {
    const mase = ids.map((id) => over(r.evals, (e) => e.series.find((s) => s.id === id).mase));
    const wins = ids.filter((id, i) => mase[i] < snaive.series.find((s) => s.id === id).mase).length;
    console.log(
      `| ${r.kind} | ${f3(over(r.evals, (e) => e.mean.mase))} | ${f3(over(r.evals, (e) => e.maseWeighted))} | ${f3(over(r.evals, (e) => e.mean.smape))} | ${over(r.evals, (e) => e.mean.mae).toFixed(1)} | ${r.kind.startsWith('seasonal-naive') ? '-' : `${wins} of ${ids.length}`} |`,
    );
  }
  console.log(`\nPer-series test MASE:\n\n| series | ${results.map((r) => r.kind).join(' | ')} |`);
  console.log(`|---|${results.map(() => '---|').join('')}`);
  for (const id of ids) {
    const cells = results.map((r) => f3(over(r.evals, (e) => e.series.find((s) => s.id === id).mase)));
    console.log(`| ${id} | ${cells.join(' | ')} |`);
  }
  console.log(
    `\nPanel intervals (${d.name}): split-conformal, calibrated per forecast step on the validation windows of all series (in units of each series' std); ` +
      "coverage over all test points of all series; width in units of each series' training std.\n",
  );
  console.log('| model | 80 % coverage | 80 % width (std) | 95 % coverage | 95 % width (std) | CRPS (std) |');
  console.log('|---|---|---|---|---|---|');
  for (const r of results) {
    const iv = (j, key) => over(r.evals, (e) => e.probabilistic.intervals[j][key]);
    console.log(
      `| ${r.kind} | ${iv(0, 'coverage').toFixed(1)} % | ${f3(iv(0, 'width'))} | ${iv(1, 'coverage').toFixed(1)} % | ${f3(iv(1, 'width'))} | ${over(r.evals, (e) => e.probabilistic.crps).toFixed(4)} |`,
    );
  }
}

/** Runs the panel suite with the bench's settings (`fc`: the built @gatewave/forecast). */
async function panelSuite(fc, o) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-bench-panel-'));
  console.log(
    `# bench:forecast --suite panel  backend ${o.backend}, node ${process.version}, ${new Date().toISOString()}`,
  );
  try {
    for (const d of DATASETS) {
      const panel = fc.readPanelCsv(d.csv(dir), { ...d.read, minLength: d.window.lookback + d.window.horizon });
      const ids = panel.series.map((s) => s.id);
      printPanelTables(await runModels(fc, panel, d.window, o), ids, d, o);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { panelSuite };
