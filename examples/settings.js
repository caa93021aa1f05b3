// How the examples (and the benchmarks) read their settings, and where they find the vega-datasets CSVs.
'use strict';
const os = require('os');
const path = require('path');
const { initBackend } = require('@gatewave/core');

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

/**
 * The settings every forecasting example reads: `EPOCHS`, `LOOKBACK` and `HORIZON` (numbers, `defaults` where not
 * given) and `OUT`, the output folder (`<tmp>/gatewave-<name>` by default).
 */
function forecastSettings(name, defaults) {
  return {
    epochs: Number(setting('EPOCHS', defaults.epochs)),
    lookback: Number(setting('LOOKBACK', defaults.lookback)),
    horizon: Number(setting('HORIZON', defaults.horizon)),
    out: setting('OUT', path.join(os.tmpdir(), `gatewave-${name}`)),
  };
}

/**
 * Runs a forecasting example: starts the backend these examples train on (the fastest one, without the convolution
 * kernels that they do not use), then `main`; an error prints its message and exits 1.
 */
function runForecastExample(main) {
  initBackend(undefined, { purpose: 'train', convolutional: false })
    .then(main)
    .catch((err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}

module.exports = { setting, vegaDataset, forecastSettings, runForecastExample };
