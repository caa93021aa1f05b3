#!/usr/bin/env node
// Sound event detection and localisation benchmark: a detector (the packaged FOA one, or --model DIR: FOA, mic4 or
// mono, whose scene format the benchmark's scenes follow) on scenes made only from the TEST recordings of the event
// corpus (npm run data:events; recordings that nothing in training or model selection touched), with reverberation
// and up to two overlapping events as in training, scored by the same code as `score-events`, beside the DCASE 2019
// baseline's published figures (on its own FOA data), per class with the number of test recordings of each class,
// plus the inference real-time factor, and a level check: ER and F with the scenes played 20 dB quieter and 10 dB
// louder, as shipped and (for a detector with an input level) as the input comes; and an interferer check: the same
// scenes with unlabelled sounds of no class added (the corpus's interferers of the split, 0.1 a second, placed like
// events), to show how often the detector reports a class for a sound that is none of them.
//   node bench/sed.js [--corpus DIR] [--model DIR] [--scenes 20] [--seconds 30] [--backend cpu|wasm|native]
//                     [--dir SCENES] [--views N] [--split test|validation] [--keep] [--skip-level-check]
//                     [--skip-interferer-check]
// --corpus defaults to $GATEWAVE_EVENT_CORPUS or ../runs/corpus-events beside the repository; without it the benchmark
// says so and skips. --dir scores an existing folder of scenes instead of synthesising them; --keep keeps the ones made. Classes of the corpus
// that the model does not know are scored as missed (they count against it); the model's other classes count as
// false alarms when it reports them.
// For one thread: cpu is single-threaded JavaScript; wasm is set to 1 thread here; native runs one thread with
// GATEWAVE_THREADS=1.
require('./usage').exitWithUsageIfAsked(__filename);
const fs = require('fs');
const os = require('os');
const path = require('path');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const CORPUS = path.resolve(
  arg('corpus', process.env.GATEWAVE_EVENT_CORPUS || path.resolve(__dirname, '../../runs/corpus-events')),
);
const SPLIT = arg('split', 'test');
const SCENES = Number(arg('scenes', 20));
const SECONDS = Number(arg('seconds', 30));
const BACKEND = arg('backend', 'cpu');
const DIR = arg('dir', undefined);
const VIEWS = arg('views', undefined);
const KEEP = process.argv.includes('--keep');

const BASELINE = { er: 0.34, f: 0.799, doa: 28.5, fr: 0.854, seld: 0.2113 };

/** Interferers a second that the interferer check adds to the scenes. */
const INTERFERER_RATE = 0.1;

/** Gains (dB) at which the level check plays the scenes, beside their own level. */
const CHECK_GAINS = [-20, 0, 10];

/**
 * The level check: ER and F of the detector on the scenes played `CHECK_GAINS` dB louder, as shipped and, when it has
 * an input level, as the input comes (the same weights without it). Prints one line per variant.
 */
function levelCheck(audio, detector, set, classes) {
  const variants = [['as shipped', detector]];
  if (detector.config.inputLevel) {
    const { inputLevel: _level, ...config } = detector.config;
    variants.push(['as the input comes', new audio.SoundEventDetector(detector.model, config)]);
  }
  const level = detector.config.inputLevel ? `input level ${detector.config.inputLevel.db} dBFS` : 'no input level';
  console.log(`
level check (the same scenes ${CHECK_GAINS.map((g) => `${g >= 0 ? '+' : ''}${g}`).join(' / ')} dB; ${level}): ER / F`);
  const views = VIEWS === undefined ? undefined : Number(VIEWS);
  const ref = set.scenes.flatMap((s) => s.events);
  const est = variants.map(() => CHECK_GAINS.map(() => []));
  for (const s of set.scenes) {
    const a = audio.readWav(s.audio);
    CHECK_GAINS.forEach((gain, g) => {
      const k = 10 ** (gain / 20);
      const scaled = { sampleRate: a.sampleRate, channels: a.channels.map((c) => c.map((v) => v * k)) };
      variants.forEach(([, det], v) => est[v][g].push(...det.detect(scaled, s.name, { views }).events));
    });
  }
  variants.forEach(([label], v) => {
    const cells = est[v].map((e) => {
      const sc = audio.scoreEvents(ref, e, { classes });
      return `${sc.er.toFixed(3)} / ${(sc.f * 100).toFixed(1)} %`;
    });
    console.log(`${label.padEnd(20)}${cells.join(' | ')}`);
  });
}

/**
 * The interferer check: the scenes of `recipe` made again with the split's interferers (the same events and
 * backgrounds, as the interferers draw from their own random generator), detected and scored beside the plain ones.
 */
function interfererCheck(audio, detector, recipe, plain, classes) {
  const interferers = path.join(CORPUS, 'interferers', SPLIT);
  if (!fs.existsSync(interferers)) {
    console.log(`\ninterferer check skipped: no ${interferers} (rebuild the corpus: npm run data:events -- --out DIR)`);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-bench-sed-interferers-'));
  try {
    audio.synthesizeScenes({ ...recipe, out: dir, interfererDir: interferers, interfererRate: INTERFERER_RATE });
    const set = audio.listScenes(dir);
    const views = VIEWS === undefined ? undefined : Number(VIEWS);
    const est = set.scenes.flatMap((s) => detector.detect(audio.readWav(s.audio), s.name, { views }).events);
    const ref = set.scenes.flatMap((s) => s.events);
    const line = (sc, n) => `ER ${sc.er.toFixed(3)}, F ${(sc.f * 100).toFixed(1)} %, ${n} events reported`;
    console.log(`
interferer check (the same scenes with ${INTERFERER_RATE} interferers a second from ${interferers}, ${fs.readdirSync(interferers).filter((f) => f.endsWith('.wav')).length} recordings):
without: ${line(audio.scoreEvents(ref, plain, { classes }), plain.length)}
with:    ${line(audio.scoreEvents(ref, est, { classes }), est.length)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Test recordings per class, from the split's labels.csv. */
function recordingsPerClass(labels) {
  const lines = fs.readFileSync(labels, 'utf8').trim().split('\n').slice(1);
  const n = {};
  for (const l of lines) {
    const label = l.split(',')[1];
    n[label] = (n[label] || 0) + 1;
  }
  return n;
}

function perClassTable(audio, ref, est, classes, counts) {
  const out = [];
  for (const c of classes) {
    const r = ref.filter((e) => e.class === c);
    if (r.length === 0) continue;
    const s = audio.scoreEvents(
      r,
      est.filter((e) => e.class === c && r.some((x) => x.file === e.file)),
      { classes: [c] },
    );
    out.push([
      c,
      counts ? String(counts[c] || 0) : '-',
      String(r.length),
      s.er.toFixed(2),
      `${(s.f * 100).toFixed(1)} %`,
      s.doa_error === null || Number.isNaN(s.doa_error) || s.segment.nsys === 0 ? '-' : `${s.doa_error.toFixed(1)}°`,
    ]);
  }
  return out;
}

async function main() {
  const labels = path.join(CORPUS, SPLIT, 'labels.csv');
  if (!DIR && !fs.existsSync(labels)) {
    console.log(
      `SKIPPED bench:sed: no event corpus at ${CORPUS} (build it: npm run data:events -- --out ${CORPUS}, or pass --corpus DIR)`,
    );
    return;
  }
  if (BACKEND === 'wasm') require('@tensorflow/tfjs-backend-wasm').setThreadsCount(1);
  const core = require('../packages/core/dist');
  const audio = require('../packages/audio/dist');
  const modelDir = arg('model', audio.DEFAULT_DETECTOR_DIR);
  if (!fs.existsSync(path.join(modelDir, 'model.json'))) {
    console.log(
      `SKIPPED bench:sed: no detector at ${modelDir} (train one: see packages/audio/models/detector-foa/README.md)`,
    );
    return;
  }
  await core.initBackend(BACKEND, { purpose: 'infer' });
  const detector = await audio.loadDetector(modelDir);
  const dir = DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-bench-sed-'));
  // The validation recipe of the detector's training (README): rooms of 0.2-1.0 s, continuous directions, the
  // split's own ambience recordings as background at -10..+10 dB, SNR 5-30 dB, up to two events at once.
  const ambience = path.join(CORPUS, 'ambience', SPLIT);
  const recipe = {
    events: path.join(CORPUS, SPLIT),
    out: dir,
    count: SCENES,
    seconds: SECONDS,
    format: detector.config.features.format,
    seed: 3,
    part: 'all',
    reverb: true,
    rt60: [0.2, 1.0],
    directions: 'continuous',
    backgroundDb: [-10, 10],
    ...(fs.existsSync(ambience) ? { ambienceDir: ambience } : {}),
    progress: false,
  };
  try {
    if (!DIR) audio.synthesizeScenes(recipe);
    const set = audio.listScenes(dir);
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
    const classes = [...new Set([...set.classes, ...detector.config.classes])].sort();
    const sc = audio.scoreEvents(ref, est, { classes });
    const c = detector.config;
    const backend = core.activeBackend().name;
    const threads =
      backend === 'native'
        ? (process.env.GATEWAVE_THREADS ?? `${os.cpus().length} (set GATEWAVE_THREADS=1)`)
        : backend === 'cpu' || backend === 'wasm'
          ? '1'
          : '?';
    const counts = fs.existsSync(labels) ? recordingsPerClass(labels) : null; // null: no labels for this split, counts unknown
    const unknown = set.classes.filter((k) => !c.classes.includes(k));
    console.log(
      `settings: model ${modelDir} (${c.classes.length} classes, threshold ${c.threshold}, hysteresis ${c.hysteresis ?? 1}, ` +
        `min duration ${c.minDuration} s, views ${VIEWS ?? c.views ?? 1}), ${set.scenes.length} ${set.format} scenes of ${SECONDS} s with reverb ` +
        `(${DIR ? DIR : `seed 3, only the ${SPLIT} recordings and ${SPLIT} ambience of ${CORPUS}; rooms 0.2-1.0 s, continuous directions`}), backend ${backend}, threads ${threads}`,
    );
    if (unknown.length) console.log(`classes the model does not know (scored as missed): ${unknown.join(', ')}`);
    console.log('timings are noisy on a shared machine; re-run: node bench/sed.js');
    const rows = [
      ['ER (1 s)', sc.er.toFixed(3), BASELINE.er.toFixed(2), (sc.er / BASELINE.er).toFixed(2)],
      ['F (1 s)', `${(sc.f * 100).toFixed(1)} %`, '79.9 %', (sc.f / BASELINE.f).toFixed(2)],
      ['DOA error', `${sc.doa_error.toFixed(1)}°`, '28.5°', (sc.doa_error / BASELINE.doa).toFixed(2)],
      ['frame recall', `${(sc.frame_recall * 100).toFixed(1)} %`, '85.4 %', (sc.frame_recall / BASELINE.fr).toFixed(2)],
      ['SELD score', sc.seld_score.toFixed(3), '0.211', (sc.seld_score / BASELINE.seld).toFixed(2)],
      [
        'ER/F @20° (2020)',
        `${sc.location_aware_er.toFixed(3)} / ${(sc.location_aware_f * 100).toFixed(1)} %`,
        '-',
        '-',
      ],
      [
        'LE / LR (2020)',
        `${sc.localization_error.toFixed(1)}° / ${(sc.localization_recall * 100).toFixed(1)} %`,
        '-',
        '-',
      ],
      [`RTF (${threads} thr)`, (compute / audioSec).toFixed(4), 'target 0.05', (compute / audioSec / 0.05).toFixed(2)],
    ];
    console.log(`${'metric'.padEnd(18)}${'ours'.padStart(18)}${'DCASE19 BL'.padStart(14)}${'ratio'.padStart(8)}`);
    for (const r of rows) console.log(`${r[0].padEnd(18)}${r[1].padStart(18)}${r[2].padStart(14)}${r[3].padStart(8)}`);
    console.log(
      '\nper class (events of that class only; DOA error over the frames where it was detected, - when never):',
    );
    console.log(
      `${'class'.padEnd(16)}${`${SPLIT} recs`.padStart(11)}${'events'.padStart(8)}${'ER'.padStart(7)}${'F'.padStart(9)}${'DOA'.padStart(8)}`,
    );
    for (const r of perClassTable(audio, ref, est, set.classes, counts)) {
      console.log(
        `${r[0].padEnd(16)}${r[1].padStart(11)}${r[2].padStart(8)}${r[3].padStart(7)}${r[4].padStart(9)}${r[5].padStart(8)}`,
      );
    }
    if (!process.argv.includes('--skip-level-check')) levelCheck(audio, detector, set, classes);
    if (!DIR && !process.argv.includes('--skip-interferer-check'))
      interfererCheck(audio, detector, recipe, est, classes);
  } finally {
    if (!DIR && !KEEP) fs.rmSync(dir, { recursive: true, force: true });
    if (KEEP) console.log(`scenes kept in ${dir}`);
  }
}
main().catch((err) => {
  console.error(`bench:sed: ${err.message}`);
  process.exit(1);
});
