#!/usr/bin/env node
// @gatewave/audio sound event detection and localisation end to end: with --train, train a detector on FOA scenes
// made on the fly from the real clips in ../shared/data/events (first 70 % of each clip; random excerpts, speeds, EQ,
// directions and reverberation; new scenes made in a worker thread while the model trains; short classes weighted up
// in the loss), else use --model DIR or the packaged one; synthesise test scenes from the last 30 % of each clip
// (not used in training, but the same recordings: an in-distribution check, not a test on unseen recordings), detect
// events in them, write them as CSV and score them beside the DCASE 2019 baseline's published figures.
// Settings (env or --flags):
//   node examples/detect.js --model packages/audio/models/detector-foa --test-count 5
//   node examples/detect.js --train --train-count 16 --epochs 3 --seconds 20 --out /tmp/gatewave-detect
const fs = require('fs');
const os = require('os');
const path = require('path');
const { initBackend } = require('@gatewave/core');
const {
  synthesizeScenes,
  trainDetector,
  loadDetector,
  listScenes,
  readWav,
  scoreEvents,
  writeEventList,
  parseCsv,
  DEFAULT_DETECTOR_DIR,
} = require('@gatewave/audio');
const { setting } = require('./settings');

const EVENTS = setting('EVENTS', path.resolve(__dirname, '../../shared/data/events'));
const OUT = setting('OUT', path.join(os.tmpdir(), 'gatewave-detect'));
const SECONDS = Number(setting('SECONDS', 30));
const TEST_COUNT = Number(setting('TEST_COUNT', 5));
const TRAIN = setting('TRAIN', 'false') === 'true';
const TRAIN_COUNT = Number(setting('TRAIN_COUNT', 40));
const EPOCHS = Number(setting('EPOCHS', 20));
const CONV = setting('CONV_CHANNELS', '64,64,64').split(',').map(Number);
const GRU = setting('GRU_UNITS', '128,128').split(',').map(Number);
const MODEL = setting('MODEL', undefined);

/** The clips of `labels.csv` in `events` whose class is one of `classes`; says which classes were left out. */
function clipsOfClasses(events, classes) {
  const rows = parseCsv(fs.readFileSync(path.join(events, 'labels.csv'), 'utf8'));
  const [head, ...clips] = rows;
  const file = head.indexOf('file');
  const label = head.indexOf('label');
  const known = new Set(classes);
  const left = [...new Set(clips.map((r) => r[label]).filter((c) => c && !known.has(c)))].sort();
  if (left.length) console.log(`not in the detector's classes, left out of the test scenes: ${left.join(', ')}`);
  return clips.filter((r) => known.has(r[label])).map((r) => r[file]);
}

async function main() {
  if (!fs.existsSync(path.join(EVENTS, 'labels.csv'))) {
    throw new Error(`no event clips at ${EVENTS}; pass --events DIR (a folder of mono clips with labels.csv)`);
  }
  fs.mkdirSync(OUT, { recursive: true });
  const quiet = { progress: false };

  // 1. A detector: trained here on scenes made from the training part of each clip, or loaded.
  let modelDir = MODEL ?? DEFAULT_DETECTOR_DIR;
  if (TRAIN) {
    await initBackend(undefined, { purpose: 'train' });
    modelDir = path.join(OUT, 'model');
    const { history } = await trainDetector({
      synthesize: {
        events: EVENTS,
        format: 'foa',
        part: 'train',
        pool: TRAIN_COUNT,
        refresh: Math.max(1, Math.round(TRAIN_COUNT / 8)),
        validationScenes: Math.max(1, Math.round(TRAIN_COUNT / 8)),
        scene: { seconds: SECONDS, reverb: true, minEventSeconds: 0.1, speedRange: [0.9, 1.1], eqDb: 6 },
      },
      out: modelDir,
      epochs: EPOCHS,
      model: { convChannels: CONV, gruUnits: GRU },
      classBalance: 1,
      ...quiet,
      log: (line) => console.log(line),
    });
    console.log(`trained ${history.length} epochs`);
  }
  await initBackend(undefined, { purpose: 'infer' });
  const detector = await loadDetector(modelDir);

  // 2. Held-out test scenes: the last 30 % of every clip, never seen in training; only clips of classes the detector
  //    knows (the shipped detector knows 17 of the 24 classes of ../shared/data/events).
  const include = clipsOfClasses(EVENTS, detector.config.classes);
  const testDir = path.join(OUT, 'test');
  synthesizeScenes({
    events: EVENTS,
    include,
    out: testDir,
    count: TEST_COUNT,
    seconds: SECONDS,
    format: 'foa',
    seed: 99,
    part: 'test',
    reverb: true,
    ...quiet,
  });
  const set = listScenes(testDir);

  // 3. Detect, timing each file; write the event list.
  const ref = [];
  const est = [];
  let audioSeconds = 0;
  let computeSeconds = 0;
  for (const s of set.scenes) {
    const audio = readWav(s.audio);
    const t0 = process.hrtime.bigint();
    const { events } = detector.detect(audio, s.name);
    computeSeconds += Number(process.hrtime.bigint() - t0) / 1e9;
    audioSeconds += audio.channels[0].length / audio.sampleRate;
    ref.push(...s.events);
    est.push(...events);
  }
  writeEventList(path.join(OUT, 'events.csv'), est);
  writeEventList(path.join(OUT, 'reference.csv'), ref);

  // 4. Scores beside the DCASE 2019 baseline (its own FOA development data, published figures).
  const sc = scoreEvents(ref, est, { classes: detector.config.classes });
  const row = (name, ours, base) =>
    console.log(`${name.padEnd(16)}${String(ours).padStart(10)}${String(base).padStart(12)}`);
  console.log(
    `\n${set.scenes.length} scenes from the last 30 % of the training clips (same recordings as training), ${ref.length} reference events, ${est.length} detected (events: ${EVENTS})`,
  );
  row('metric', 'ours', 'DCASE19 BL');
  row('ER', sc.er.toFixed(3), '0.34');
  row('F', `${(sc.f * 100).toFixed(1)} %`, '79.9 %');
  row('DOA error', `${sc.doa_error.toFixed(1)}°`, '28.5°');
  row('frame recall', `${(sc.frame_recall * 100).toFixed(1)} %`, '85.4 %');
  row('SELD score', sc.seld_score.toFixed(3), '0.2113');
  console.log(
    `RTF ${(computeSeconds / audioSeconds).toFixed(3)} (${computeSeconds.toFixed(1)} s for ${audioSeconds.toFixed(0)} s of audio)`,
  );
  console.log(`events written to ${path.join(OUT, 'events.csv')}`);
}

main().catch((err) => {
  console.error(`detect example: ${err.message}`);
  process.exit(1);
});
