#!/usr/bin/env node
// `npm run demo`: the main jobs of gatewave end to end, on real data that installs with the project.
// Each step is one of the copyable example scripts in this folder, run with its default settings.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const events = path.resolve(__dirname, '../../shared/data/events');
const steps = [
  // Daily maximum temperature: weather, not a climatology, so TPGN's learning beats naive and seasonal-naive here
  // (on the smooth hourly normals of examples/forecast.js seasonal-naive is hard to beat).
  [
    'intervals.js',
    "Forecasting with 80/95 % intervals: TPGN vs baselines on Seattle's daily maximum temperature (vega-datasets)",
    [],
  ],
  ['enhance-recording.js', 'Speech enhancement of a real noisy recording (audio-lena), FRCRN vs Wiener', []],
  // Detection needs event recordings; the ones gatewave's detector was trained on are not redistributed with it.
  fs.existsSync(events)
    ? [
        'detect.js',
        'Sound event detection and localisation on FOA scenes from the last 30 % of its training clips (same recordings as training; ../shared/data/events)',
        ['--test-count', '3'],
      ]
    : null,
].filter(Boolean);
if (!fs.existsSync(events)) {
  process.stdout.write(
    `(sound event detection demo skipped: it synthesises scenes from ${events}, which is not here)\n`,
  );
}

let failed = 0;
for (const [file, title, args] of steps) {
  const script = path.join(__dirname, file);
  if (!fs.existsSync(script)) continue;
  process.stdout.write(`\n=== ${title} ===\n`);
  const r = spawnSync(process.execPath, [script, ...args], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`demo: ${file} exited with ${r.status ?? r.signal}\n`);
  }
}
process.exit(failed ? 1 : 0);
