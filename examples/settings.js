// How the examples (and the benchmarks) read their settings, and where they find the vega-datasets CSVs.
'use strict';
const path = require('path');

/**
 * A setting `NAME`: the value after `--name` on the command line (lower case, `_` as `-`), 'true' for a flag given
 * alone, else the environment variable NAME, else `fallback`.
 */
function setting(name, fallback) {
  const flag = `--${name.toLowerCase().replace(/_/g, '-')}`;
  const i = process.argv.indexOf(flag);
  if (i >= 0 && process.argv[i + 1] !== undefined && !process.argv[i + 1].startsWith('--')) return process.argv[i + 1];
  if (i >= 0) return 'true';
  return process.env[name] ?? fallback;
}

/** The path of a CSV of the vega-datasets package (installed with the examples), e.g. `vegaDataset('stocks.csv')`. */
function vegaDataset(file) {
  return path.join(path.resolve(path.dirname(require.resolve('vega-datasets')), '..'), 'data', file);
}

module.exports = { setting, vegaDataset };
