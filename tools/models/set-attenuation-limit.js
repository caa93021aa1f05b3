#!/usr/bin/env node
// Records the attenuation limit an enhancement model recommends in its metadata (model.json `metadata.attenuationLimit`),
// which loadEnhancer and `gatewave-audio enhance` then apply unless told otherwise (--atten-lim). Choose the limit on
// validation data, never on test data: `node bench/audio.js --skip-speed --skip-baselines --model DIR --split
// validation --atten-lims 6,8,10` scores the model's output at each limit on the corpus's validation split.
//   node tools/models/set-attenuation-limit.js --model DIR --db 9 --chosen-on "how it was chosen"
//   node tools/models/set-attenuation-limit.js --model DIR --none        (removes it)
// model.json is replaced atomically; its weights and everything else in it are left as they are.
'use strict';
const { flag, failer, modelJsonOfArgs } = require('./args');
const { atomicWriteFile } = require('@gatewave/core');
const { checkAttenuationLimit, withTuning } = require('@gatewave/audio');

const USAGE = `usage: node tools/models/set-attenuation-limit.js --model DIR (--db DB --chosen-on TEXT | --none)`;

const fail = failer('set-attenuation-limit');

function main() {
  const { file, model } = modelJsonOfArgs(USAGE, fail, 'train-enhancer');
  if (model.metadata?.kind !== 'frcrn')
    fail(`${file} is not an FRCRN enhancement model (metadata.kind is ${JSON.stringify(model.metadata?.kind)}).`);
  let db = null;
  let chosenOn = '';
  if (!flag('none')) {
    db = Number(flag('db'));
    chosenOn = flag('chosen-on');
    try {
      checkAttenuationLimit(db, '--db');
    } catch (err) {
      fail(err.message);
    }
    if (typeof chosenOn !== 'string' || !chosenOn.trim())
      fail('--chosen-on TEXT is required: say which data chose the limit.');
  }
  const tuned = withTuning(model, { attenuationLimitDb: db }, chosenOn);
  atomicWriteFile(file, JSON.stringify(tuned));
  console.log(`${file}: attenuation limit ${db === null ? 'removed' : `${db} dB`}`);
}

main();
