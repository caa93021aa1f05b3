#!/usr/bin/env node
// Records the input level of a sound event detector (model.json `metadata.detector.inputLevel`): every recording is
// then scaled so that its RMS over all channels is that level before its features are taken. Choose it from the
// detector's validation scenes (their median level, the level its training scenes have), never from test scenes:
//   node tools/models/set-detector-input-level.js --model DIR --from-scenes SCENES_DIR
//   node tools/models/set-detector-input-level.js --model DIR --db -30 --chosen-on "how it was chosen"
//   node tools/models/set-detector-input-level.js --model DIR --none        (removes it)
// model.json is replaced atomically; its weights and everything else in it are left as they are.
'use strict';
const fs = require('fs');
const { flag, failer, modelJsonOfArgs } = require('./args');
const { atomicWriteFile } = require('@gatewave/core');
const { checkInputLevel, listScenes, medianLevelDb, readWav } = require('@gatewave/audio');

const USAGE =
  'usage: node tools/models/set-detector-input-level.js --model DIR (--from-scenes DIR | --db DB --chosen-on TEXT | --none)';

const fail = failer('set-detector-input-level');

/** The level and what chose it, from the flags. */
function chosenLevel() {
  const scenes = flag('from-scenes');
  if (typeof scenes === 'string') {
    if (!fs.existsSync(scenes)) fail(`${scenes}: no such folder of scenes.`);
    let recordings = [];
    try {
      recordings = listScenes(scenes).scenes.map((s) => readWav(s.audio).channels);
    } catch (err) {
      fail(err.message);
    }
    if (recordings.length === 0) fail(`${scenes} holds no scenes (WAV + CSV pairs).`);
    const db = Math.round(medianLevelDb(recordings) * 10) / 10;
    return { db, chosenOn: `the median RMS over all channels of the ${recordings.length} scenes in ${scenes}` };
  }
  const db = Number(flag('db'));
  const chosenOn = flag('chosen-on');
  try {
    checkInputLevel(db, '--db');
  } catch (err) {
    fail(err.message);
  }
  if (typeof chosenOn !== 'string' || !chosenOn.trim()) fail('--chosen-on TEXT is required: say what chose the level.');
  return { db, chosenOn };
}

function main() {
  const { file, model } = modelJsonOfArgs(USAGE, fail, 'train-detector');
  const detector = model.metadata?.detector;
  if (detector?.kind !== 'gatewave-sed') fail(`${file} is not a sound event detector (no metadata.detector).`);
  const level = flag('none') ? undefined : chosenLevel();
  const { inputLevel: _old, ...rest } = detector;
  const updated = {
    ...model,
    metadata: { ...model.metadata, detector: level ? { ...rest, inputLevel: level } : rest },
  };
  atomicWriteFile(file, JSON.stringify(updated));
  console.log(`${file}: input level ${level ? `${level.db} dBFS (${level.chosenOn})` : 'removed'}`);
}

main();
