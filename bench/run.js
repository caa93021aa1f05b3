#!/usr/bin/env node
// Runs every benchmark in turn: `npm run bench`. Each prints its own table with settings, baseline and ratio.
require('./usage').exitWithUsageIfAsked(__filename);
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const order = ['kernels', 'forecast', 'audio', 'sed'];
let failed = 0;
for (const name of order) {
  const file = path.join(__dirname, `${name}.js`);
  if (!fs.existsSync(file)) continue;
  process.stdout.write(`\n=== bench:${name} ===\n`);
  const r = spawnSync(process.execPath, [file, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
