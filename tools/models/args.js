// The command-line helpers of the model tools in this folder: `--name value` flags, and errors that exit.
'use strict';
const fs = require('fs');
const path = require('path');

/** The value after `--name`; true when it is given without one; undefined when it is not given. */
function flag(name) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  return v === undefined || v.startsWith('--') ? true : v;
}

/** A `fail(message, code = 2)` that writes `<tool>: message` to stderr and exits. */
function failer(tool) {
  return (message, code = 2) => {
    process.stderr.write(`${tool}: ${message}\n`);
    process.exit(code);
  };
}

/**
 * The model folder of `--model DIR`, read: its model.json's path and parsed contents. `--help` prints `usage` and
 * exits; a missing flag or file fails naming what to pass (`trainedBy`: the command that writes such folders).
 */
function modelJsonOfArgs(usage, fail, trainedBy) {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(usage);
    process.exit(0);
  }
  const dir = flag('model');
  if (typeof dir !== 'string') fail(`--model DIR is required.\n${usage}`);
  const file = path.join(dir, 'model.json');
  if (!fs.existsSync(file)) fail(`${file}: no such file; pass a model folder written by ${trainedBy}.`);
  return { file, model: JSON.parse(fs.readFileSync(file, 'utf8')) };
}

module.exports = { flag, failer, modelJsonOfArgs };
