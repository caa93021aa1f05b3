#!/usr/bin/env node
// `npm run demo`: the main jobs of gatewave end to end, on real data that installs with the project.
// Each step is one of the copyable example scripts in this folder, run with its default settings.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const steps = [
  ['forecast.js', 'Forecasting: TPGN vs baselines on hourly Seattle weather normals (vega-datasets)'],
  ['enhance.js', 'Speech enhancement of a real noisy recording (audio-lena)'],
  ['detect.js', 'Sound event detection and localisation'],
];

let failed = 0;
for (const [file, title] of steps) {
  const script = path.join(__dirname, file);
  if (!fs.existsSync(script)) continue;
  process.stdout.write(`\n=== ${title} ===\n`);
  const r = spawnSync(process.execPath, [script, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`demo: ${file} exited with ${r.status ?? r.signal}\n`);
  }
}
process.exit(failed ? 1 : 0);
