// How the benchmarks read their settings (bench:audio reads them as the examples do: a flag, else the environment).
'use strict';
const { setting } = require('../examples/settings');

/** A flag: the value after `--name`, true for `--name` given alone, else `fallback` (the environment is not read). */
function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  return v === undefined || v.startsWith('--') ? true : v;
}

module.exports = { flag, setting };
