#!/usr/bin/env node
// Sound event detection and localisation benchmark: the packaged FOA detector (or --model DIR) on held-out scenes
// synthesised from the last 30 % of every clip in ../shared/data/events (never used for training), scored beside
// the DCASE 2019 baseline's published figures (on its own FOA data), plus the inference real-time factor.
//   node bench/sed.js [--model DIR] [--scenes 20] [--seconds 30] [--backend cpu|wasm|native] [--dir SCENES] [--views N]
// For one thread: the cpu backend is single-threaded JavaScript; wasm is set to 1 thread here; native runs one
// thread with GATEWAVE_THREADS=1. --dir scores an existing folder of held-out scenes (synth-scenes --part test)
// instead of synthesising them.
const fs = require('fs');
const os = require('os');
const path = require('path');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const EVENTS = path.resolve(__dirname, '../../shared/data/events');
const SCENES = Number(arg('scenes', 20));
const SECONDS = Number(arg('seconds', 30));
const BACKEND = arg('backend', 'cpu');
const DIR = arg('dir', undefined);
const VIEWS = arg('views', undefined);

async function main() {
  if (!fs.existsSync(path.join(EVENTS, 'labels.csv'))) {
    console.log(`SKIPPED bench:sed: ${EVENTS} is missing`);
    return;
  }
  if (BACKEND === 'wasm') require('@tensorflow/tfjs-backend-wasm').setThreadsCount(1);
  const core = require('../packages/core/dist');
  const audio = require('../packages/audio/dist');
  const modelDir = arg('model', audio.DEFAULT_DETECTOR_DIR);
  if (!fs.existsSync(path.join(modelDir, 'model.json'))) {
    console.log(`SKIPPED bench:sed: no detector at ${modelDir} (train one: see packages/audio/models/detector-foa/README.md)`);
    return;
  }
  await core.initBackend(BACKEND, { purpose: 'infer' });
  const detector = await audio.loadDetector(modelDir);
  const dir = DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-bench-sed-'));
  try {
    if (!DIR) audio.synthesizeScenes({ events: EVENTS, out: dir, count: SCENES, seconds: SECONDS, format: 'foa', seed: 3, part: 'test', reverb: true, progress: false });
    const set = audio.listScenes(dir);
    const manifest = path.join(dir, 'scenes.json');
    const part = fs.existsSync(manifest) ? JSON.parse(fs.readFileSync(manifest, 'utf8')).part : undefined;
    if (part !== 'test') throw new Error(`${dir} was not synthesised from the held-out part of the clips (--part test)`);
    const ref = [];
    const est = [];
    let audioSec = 0;
    let compute = 0;
    for (const s of set.scenes) {
      const a = audio.readWav(s.audio);
      const t0 = process.hrtime.bigint();
      est.push(...detector.detect(a, s.name, { views: VIEWS === undefined ? undefined : Number(VIEWS) }).events);
      compute += Number(process.hrtime.bigint() - t0) / 1e9;
      audioSec += a.channels[0].length / a.sampleRate;
      ref.push(...s.events);
    }
    const sc = audio.scoreEvents(ref, est, { classes: detector.config.classes });
    const c = detector.config;
    const backend = core.activeBackend().name;
    const threads = backend === 'native' ? process.env.GATEWAVE_THREADS ?? `${os.cpus().length} (set GATEWAVE_THREADS=1)` : backend === 'cpu' || backend === 'wasm' ? '1' : '?';
    console.log(`settings: model ${modelDir} (conv ${c.convChannels.join('/')}, bi-GRU ${c.gruUnits.join('/')}, ${c.classes.length} classes, ` +
      `threshold ${c.threshold}, hysteresis ${c.hysteresis ?? 1}, min duration ${c.minDuration} s, views ${VIEWS ?? c.views ?? 1}), ${set.scenes.length} held-out FOA scenes (${DIR ? DIR : `seed 3, ${SECONDS} s`}; clips: last 30 % of ${EVENTS}), ` +
      `backend ${backend}, threads ${threads}`);
    console.log('timings are noisy on a shared machine; re-run: node bench/sed.js');
    const rows = [
      ['ER (1 s)', sc.er.toFixed(3), '0.34', (sc.er / 0.34).toFixed(2)],
      ['F (1 s)', `${(sc.f * 100).toFixed(1)} %`, '79.9 %', (sc.f / 0.799).toFixed(2)],
      ['DOA error', `${sc.doa_error.toFixed(1)}°`, '28.5°', (sc.doa_error / 28.5).toFixed(2)],
      ['frame recall', `${(sc.frame_recall * 100).toFixed(1)} %`, '85.4 %', (sc.frame_recall / 0.854).toFixed(2)],
      ['SELD score', sc.seld_score.toFixed(3), '0.211', (sc.seld_score / 0.2113).toFixed(2)],
      ['ER/F @20° (2020)', `${sc.er_20.toFixed(3)} / ${(sc.f_20 * 100).toFixed(1)} %`, '-', '-'],
      ['LE / LR (2020)', `${sc.localization_error.toFixed(1)}° / ${(sc.localization_recall * 100).toFixed(1)} %`, '-', '-'],
      [`RTF (${threads} thr)`, (compute / audioSec).toFixed(4), 'target 0.05', (compute / audioSec / 0.05).toFixed(2)],
    ];
    console.log(`${'metric'.padEnd(18)}${'ours'.padStart(18)}${'DCASE19 BL'.padStart(14)}${'ratio'.padStart(8)}`);
    for (const r of rows) console.log(`${r[0].padEnd(18)}${r[1].padStart(18)}${r[2].padStart(14)}${r[3].padStart(8)}`);
  } finally {
    if (!DIR) fs.rmSync(dir, { recursive: true, force: true });
  }
}
main().catch((err) => {
  console.error(`bench:sed: ${err.message}`);
  process.exit(1);
});
