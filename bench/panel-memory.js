#!/usr/bin/env node
// Peak memory of a large long-format panel (issue 14: 10,000 series of 500 points train and predict with peak RSS
// under 2 GB). Writes a synthetic long CSV (id,time,y: hourly, a daily cycle per series at its own level, scale and
// phase, plus noise; lengths as given), then in this one process: reads it as a panel (typed arrays per series), trains
// a global TPGN for a few batches on windows pooled from every series (the CLI's `train --id-col` path, stopped after
// --steps batches, as Ctrl-C would), evaluates every test window of every series (as `train` and `eval` do), saves
// it, and forecasts every series with the saved model and per-series scalers
// (`predict --id-col`'s library function, writing the long forecast CSV). Prints the process's peak RSS (VmHWM) after
// each stage. Speed figures are not the point and are not printed.
//
//   nice -n 10 node bench/panel-memory.js                        10,000 series x 500 points, 32 training batches
//   node bench/panel-memory.js --series 200 --points 300 --steps 16 --keep
// Flags: --series N  --points N  --steps N (training batches, a multiple of 16)  --lookback N  --horizon N
//        --dir DIR (where the CSV, model and forecast go; default a temporary folder, removed unless --keep)
require('./usage').exitWithUsageIfAsked(__filename);
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const core = require(path.join(root, 'packages/core/dist/index.js'));
const fc = require(path.join(root, 'packages/forecast/dist/index.js'));

const { flag } = require('./settings');
const SERIES = Number(flag('series', 10000));
const POINTS = Number(flag('points', 500));
const STEPS = Number(flag('steps', 32));
const LOOKBACK = Number(flag('lookback', 48));
const HORIZON = Number(flag('horizon', 24));
const KEEP = Boolean(flag('keep', false));
const DIR = flag('dir', null) || fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-panel-memory-'));

/** Peak resident set size of this process so far, in MiB (Linux VmHWM; else the same from process.resourceUsage). */
function peakMiB() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** Writes the long CSV in chunks (never the whole text in memory): SERIES series of POINTS hourly rows. */
function writePanelCsv(file) {
  let seed = 12345;
  const uniform = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, 'id,time,y\n');
  const t0 = Date.UTC(2020, 0, 1);
  for (let s = 0; s < SERIES; s++) {
    const level = 10 + 1000 * uniform();
    const scale = 1 + 50 * uniform();
    const phase = Math.floor(24 * uniform());
    const lines = [];
    for (let t = 0; t < POINTS; t++) {
      const y = level + scale * Math.sin((2 * Math.PI * (t + phase)) / 24) + 0.2 * scale * (uniform() - 0.5);
      lines.push(`s${s},${new Date(t0 + t * 3600e3).toISOString().slice(0, 19)},${y.toFixed(3)}`);
    }
    fs.writeSync(fd, lines.join('\n') + '\n');
  }
  fs.closeSync(fd);
}

async function main() {
  const info = await core.initBackend(undefined, { purpose: 'train', convolutional: false, quiet: true });
  const csv = path.join(DIR, `panel-${SERIES}x${POINTS}.csv`);
  console.log(`# bench panel-memory  backend ${info.name}, node ${process.version}, ${new Date().toISOString()}`);
  console.log(
    `settings: ${SERIES} series x ${POINTS} hourly points (synthetic), TPGN d=2 lookback ${LOOKBACK} horizon ${HORIZON} period 24, batch 32, ${STEPS} training batches; target: peak RSS < 2048 MiB`,
  );
  if (!fs.existsSync(csv)) writePanelCsv(csv);
  console.log(
    `csv written: ${(fs.statSync(csv).size / 2 ** 20).toFixed(0)} MiB   peak RSS ${peakMiB().toFixed(0)} MiB`,
  );
  const log = () => undefined;
  const panel = fc.readPanelForModel(
    csv,
    { idColumn: 'id', timeColumn: 'time', target: 'y', lookback: LOOKBACK, horizon: HORIZON },
    log,
  );
  console.log(`read: ${panel.series.length} series   peak RSS ${peakMiB().toFixed(0)} MiB`);
  const model = new fc.PanelModel('tpgn', { lookback: LOOKBACK, horizon: HORIZON, period: 24, dModel: 2, norm: true });
  let checks = 0;
  const fit = await model.fit(panel, {
    epochs: 1,
    quiet: true,
    seed: 1,
    // Checked every 16 batches: stop once STEPS batches have run.
    shouldStop: () => ++checks * 16 >= STEPS,
  });
  console.log(
    `trained: ${fit.series} series, ${fit.windows.train} training windows pooled (${checks * 16} batches run)   peak RSS ${peakMiB().toFixed(0)} MiB`,
  );
  const test = model.evaluate(panel, 'test');
  console.log(
    `evaluated: ${test.series.reduce((a, s) => a + s.windows, 0)} test windows of ${test.series.length} series   peak RSS ${peakMiB().toFixed(0)} MiB`,
  );
  const modelDir = path.join(DIR, 'model');
  await model.forecaster.save(modelDir, { overwrite: true });
  const out = path.join(DIR, 'forecast.csv');
  const { rows } = await fc.predictPanelCsv(modelDir, csv, out, { log });
  console.log(
    `predicted: ${rows.length} rows (${SERIES} series x ${HORIZON} steps)   peak RSS ${peakMiB().toFixed(0)} MiB`,
  );
  const peak = peakMiB();
  console.log(`peak RSS ${peak.toFixed(0)} MiB: ${peak < 2048 ? 'under' : 'OVER'} the 2 GiB target`);
  if (!KEEP && !flag('dir', null)) fs.rmSync(DIR, { recursive: true, force: true });
  if (peak >= 2048) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
