#!/usr/bin/env node
// npm run bench:audio — speed and quality of @gatewave/audio speech enhancement, over the built packages.
//   Speed: real-time factor (processing seconds / audio seconds) of FRCRN `small`, `medium`, `large`, `large-cascade`
//   and `full` at 16 kHz on 1 and 2 threads (GATEWAVE_THREADS; each setting runs in its own process), with parameter
//   counts and the backend, beside the `wiener` baseline. Untrained weights: speed does not depend on them. Last, the
//   shipped default as a user gets it (its network, share of `wiener` and limit).
//   Quality, for the noisy input, `wiener`, the shipped `small` model and the default model (or --model DIR), mean
//   SI-SDR / STOI / ESTOI and the worst file's SI-SDR change, at -5, 0, 5 and 10 dB, and each method's mean SI-SDR
//   change by kind of interferer (noise recording or music; the "by interferer" lines), and the level check (the
//   model's gain on 0 dB mixtures of the corpus split played at -50 to -5 dBFS):
//   1. on the corpus TEST split (`npm run data:enhance`; --corpus DIR, default /work/runs/corpus-enhance): voices and
//      noise / music recordings that no training or model selection used. Per test speaker, consecutive files are
//      joined (0.2 s gaps) into utterances of at least 3 s; utterance k is mixed with test noise recording k (round
//      robin over recordings). Skipped with a message where the corpus is absent.
//   2. on ../shared/data mixtures (the earlier table's protocol): speaker `it` (first FILES files) with
//      env_rain_01_16k.wav and music_moh_reno_project-system_16k.wav. The Asterisk voices are in the corpus's
//      training split, so for a corpus-trained model these figures are in-distribution (same corpus).
// Settings: --seconds 8 (audio per speed run), --files 6, --utterances 40 (corpus), --model DIR, --corpus DIR,
// --split test|validation (the corpus split scored; validation is for choosing settings, test for reporting),
// --atten-lims 10,20 (also score the model's output mixed with the input at these attenuation limits),
// --skip-speed, --skip-baselines (only the noisy input and the model), --skip-level-check, --json FILE (the figures). Timings on a shared
// machine are noisy.
require('./usage').exitWithUsageIfAsked(__filename);
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const { setting } = require('./settings');
const SECONDS = Number(setting('SECONDS', '8'));
const FILES = Number(setting('FILES', '6'));
const UTTERANCES = Number(setting('UTTERANCES', '40'));
const DATA = path.resolve(__dirname, '../../shared/data');
const CORPUS = path.resolve(setting('CORPUS', '/work/runs/corpus-enhance'));
const SNRS = [-5, 0, 5, 10];
const SPLIT = setting('SPLIT', 'test');
if (!['test', 'validation'].includes(SPLIT)) {
  console.error(`bench:audio: --split must be test or validation, not ${SPLIT}`);
  process.exit(2);
}
/** Attenuation limits (dB) to score the model at too, from its one output per mixture (--atten-lims 10,20). */
const LIMITS = String(setting('ATTEN_LIMS', ''))
  .split(',')
  .filter((v) => v.trim() !== '')
  .map(Number);

async function speedChild() {
  const { initBackend, activeBackend } = require('@gatewave/core');
  const audio = require('@gatewave/audio');
  await initBackend(undefined, { purpose: 'infer', quiet: true });
  const n = SECONDS * 16000;
  const x = Float32Array.from({ length: n }, (_, i) => 0.1 * Math.sin(i / 7) + 0.01 * Math.sin(i * 1.3));
  const rows = [];
  const time = async (e, secs) => {
    const xs = x.subarray(0, secs * 16000);
    await e.enhance(xs.subarray(0, 16000)); // warm-up
    const t0 = process.hrtime.bigint();
    await e.enhance(xs);
    return Number(process.hrtime.bigint() - t0) / 1e9 / secs;
  };
  rows.push({ model: 'wiener', params: 0, rtf: await time(new audio.WienerEnhancer(), SECONDS) });
  for (const name of ['small', 'medium', 'large', 'large-cascade', 'full']) {
    const e = audio.FrcrnEnhancer.fromConfig(audio.FRCRN_CONFIGS[name]);
    rows.push({
      model: `frcrn-${name}`,
      params: audio.countParameters(e.model),
      rtf: await time(e, name === 'full' ? Math.min(SECONDS, 3) : SECONDS),
    });
    e.dispose();
  }
  // The shipped default as loadEnhancer() gives it: its network, its share of wiener and its limit, trained weights.
  const shipped = await audio.loadEnhancer();
  const net = audio.unlimited(shipped);
  const params = audio.countParameters((net.network ?? net).model);
  rows.push({ model: `default as shipped: ${shipped.name}`, params, rtf: await time(shipped, SECONDS) });
  process.stdout.write(JSON.stringify({ backend: activeBackend().name, rows }));
}

/** Scores every enhancer on `items` ({ name, clean, noise }) at each SNR; prints one table. */
async function scoreTable(title, items, enhancers) {
  const audio = require('@gatewave/audio');
  console.log(`\n${title}`);
  console.log('snr_db | method | si_sdr_db | stoi | estoi | worst_file_si_sdr_change_db');
  const out = {};
  for (const snr of SNRS) {
    const acc = {};
    for (const it of items) {
      const noisy = audio.mixAtSnr(it.clean, it.noise, snr);
      const base = audio.siSdr(it.clean, noisy);
      const add = (k, y) => {
        const r = (acc[k] ??= { sdr: 0, stoi: 0, estoi: 0, n: 0, worst: Infinity });
        const d = audio.siSdr(it.clean, y);
        r.sdr += d;
        r.stoi += audio.stoi(it.clean, y, 16000);
        r.estoi += audio.estoi(it.clean, y, 16000);
        r.n += 1;
        if (d - base < r.worst) r.worstItem = it.name;
        r.worst = Math.min(r.worst, d - base);
        (r.files ??= []).push({ item: it.name, inputSiSdr: base, siSdr: d });
      };
      add('noisy', noisy);
      for (const e of enhancers) {
        // One run of the model without a limit; its own limit (if any) and the --atten-lims ones are mixes of it.
        const own = audio.attenuationLimitOf(e.enhancer);
        const input = { sampleRate: 16000, channels: [noisy] };
        const y = (await audio.enhanceAudio(input, audio.unlimited(e.enhancer))).channels[0];
        add(
          own === null ? e.label : `${e.label} (its ${own} dB limit)`,
          own === null ? y : audio.mixWithInput(noisy, y, own),
        );
        for (const db of e.limits ?? [])
          add(`${e.label}, attenuation limit ${db} dB`, audio.mixWithInput(noisy, y, db));
        if (own !== null && e.limits?.length) add(`${e.label}, no attenuation limit`, y);
      }
    }
    printByKind(snr, acc, items);
    for (const [k, r] of Object.entries(acc)) {
      const noisy = k === 'noisy';
      const row = { siSdr: r.sdr / r.n, stoi: r.stoi / r.n, estoi: r.estoi / r.n, worst: noisy ? 0 : r.worst };
      if (!noisy) Object.assign(row, { worstItem: r.worstItem, files: r.files });
      (out[snr] ??= {})[k] = row;
      const worst = noisy ? '-' : `${row.worst.toFixed(2)} (${r.worstItem})`;
      console.log(
        `${snr} | ${k} | ${row.siSdr.toFixed(2)} | ${row.stoi.toFixed(3)} | ${row.estoi.toFixed(3)} | ${worst}`,
      );
    }
  }
  return out;
}

/**
 * Mean SI-SDR change per kind of interferer (noise recording or music) for each method at one SNR: one line per method,
 * printed before the table's rows ("by interferer" lines), when the items are of more than one kind.
 */
function printByKind(snr, acc, items) {
  const kindOf = new Map(items.map((it) => [it.name, it.kind]));
  const kinds = [...new Set(kindOf.values())];
  if (kinds.length < 2) return;
  for (const [method, r] of Object.entries(acc)) {
    if (method === 'noisy') continue;
    const parts = kinds.map((kind) => {
      const files = r.files.filter((f) => kindOf.get(f.item) === kind);
      const gain = files.reduce((t, f) => t + f.siSdr - f.inputSiSdr, 0) / files.length;
      return `${kind} ${gain >= 0 ? '+' : ''}${gain.toFixed(2)} dB (${files.length})`;
    });
    console.log(`${snr} | ${method} | by interferer: SI-SDR change ${parts.join(', ')}`);
  }
}

/** RMS levels (dBFS) at which the level check feeds 0 dB mixtures to the model. */
const CHECK_LEVELS = [-50, -35, -20, -5];

/**
 * The level check: the model's mean SI-SDR change on the items' 0 dB mixtures scaled to each of CHECK_LEVELS, as
 * shipped (its input level, share of wiener and limit) and, when it has an input level, with its network fed as the
 * input comes (the rest as shipped).
 */
async function levelTable(items, e) {
  const audio = require('@gatewave/audio');
  const shipped = audio.unlimited(e.enhancer);
  const limit = audio.attenuationLimitOf(e.enhancer);
  const share = audio.wienerShareOf(shipped);
  const variants = [[`${e.label} as shipped (input level ${shipped.inputLevelDb ?? 'none'})`, shipped]];
  if (shipped.inputLevelDb != null) {
    const network = (shipped.network ?? shipped).atInputLevel(null);
    variants.push([`${e.label} fed as the input comes`, audio.withWiener(network, share)]);
  }
  console.log(
    `
input level check: ${items.length} ${SPLIT} utterances at 0 dB SNR, scaled to ${CHECK_LEVELS.join(', ')} dBFS RMS; ` +
      `mean SI-SDR change in dB${limit === null ? '' : ` at the model's ${limit} dB limit`}`,
  );
  console.log(`method | ${CHECK_LEVELS.map((l) => `${l} dBFS`).join(' | ')}`);
  const out = {};
  for (const [label, enhancer] of variants) {
    const gains = [];
    for (const level of CHECK_LEVELS) {
      let sum = 0;
      for (const it of items) {
        const mixed = audio.mixAtSnr(it.clean, it.noise, 0);
        const k = 10 ** (level / 20) / audio.rms(mixed);
        const noisy = mixed.map((v) => v * k);
        const y = (await audio.enhanceAudio({ sampleRate: 16000, channels: [noisy] }, enhancer)).channels[0];
        const out = limit === null ? y : audio.mixWithInput(noisy, y, limit);
        sum += audio.siSdr(it.clean, out) - audio.siSdr(it.clean, noisy);
      }
      gains.push(sum / items.length);
    }
    out[label] = Object.fromEntries(CHECK_LEVELS.map((l, i) => [l, gains[i]]));
    console.log(`${label} | ${gains.map((g) => `${g >= 0 ? '+' : ''}${g.toFixed(2)}`).join(' | ')}`);
  }
  return out;
}

/** The corpus split SPLIT as the library's utterances with noise recordings (null without a corpus). */
function corpusItems(audio) {
  const manifest = path.join(CORPUS, 'manifest.csv');
  if (!fs.existsSync(manifest)) return null;
  return audio.corpusUtterances(manifest, { split: SPLIT, utterances: UTTERANCES });
}

async function quality() {
  const audio = require('@gatewave/audio');
  const { initBackend } = require('@gatewave/core');
  await initBackend(undefined, { purpose: 'infer', quiet: true });
  const enhancers = [];
  const smallDir = path.resolve(__dirname, '../packages/audio/models/enhancer-small');
  if (!process.argv.includes('--skip-baselines')) {
    enhancers.push({ label: 'wiener', enhancer: new audio.WienerEnhancer() });
    enhancers.push({ label: 'small', enhancer: await audio.loadEnhancer(smallDir) });
  }
  const modelDir = setting('MODEL', undefined);
  const defaultDir = audio.DEFAULT_MODEL_DIR;
  if (modelDir)
    enhancers.push({
      label: `model ${path.basename(path.resolve(modelDir))}`,
      enhancer: await audio.loadEnhancer(modelDir),
      limits: LIMITS,
    });
  else if (path.resolve(defaultDir) !== smallDir)
    enhancers.push({
      label: `default ${path.basename(defaultDir)}`,
      enhancer: await audio.loadEnhancer(),
      limits: LIMITS,
    });
  const results = {};

  const corpus = corpusItems(audio);
  if (!corpus)
    console.log(
      `\ncorpus ${SPLIT} split: skipped, no ${path.join(CORPUS, 'manifest.csv')} (build it with npm run data:enhance -- --out ${CORPUS})`,
    );
  else {
    results[SPLIT === 'test' ? 'corpusTest' : `corpus_${SPLIT}`] = await scoreTable(
      `corpus ${SPLIT.toUpperCase()} split (${CORPUS}): ${corpus.items.length} utterances of >= 3 s from ${corpus.speakers.length} ${SPLIT} speakers (${corpus.speakers.join(', ')}), ` +
        `each with one of ${Math.min(corpus.items.length, corpus.noises.length)} ${SPLIT} noise/music recordings`,
      corpus.items,
      enhancers,
    );
    const model = enhancers.find((e) => e.limits);
    if (model && !process.argv.includes('--skip-level-check'))
      results.levelCheck = await levelTable(corpus.items, model);
  }

  const speechDir = path.join(DATA, 'speech/train/it');
  if (!fs.existsSync(speechDir)) console.log(`\nshared-data mixtures: skipped, ${speechDir} not found`);
  else {
    const files = fs
      .readdirSync(speechDir)
      .filter((f) => f.endsWith('.wav'))
      .sort()
      .slice(0, FILES);
    const items = [];
    for (const nf of ['env_rain_01_16k.wav', 'music_moh_reno_project-system_16k.wav']) {
      const noise = audio.readWav(path.join(DATA, 'noise', nf)).channels[0];
      for (const f of files)
        items.push({
          clean: audio.readWav(path.join(speechDir, f)).channels[0],
          noise,
          name: `${f} + ${nf}`,
          kind: nf.startsWith('music') ? 'music' : 'noise',
        });
    }
    results.sharedData = await scoreTable(
      `../shared/data mixtures: ${files.length} files of speech/train/it x env_rain_01_16k.wav, music_moh_reno_project-system_16k.wav ` +
        '(held out for `small`; the Asterisk voices are training data for corpus-trained models: same corpus, in-distribution)',
      items,
      enhancers,
    );
  }
  const jsonOut = setting('JSON', undefined);
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(results, null, 1));
}

async function main() {
  if (process.argv.includes('--child')) return speedChild();
  if (!process.argv.includes('--skip-speed')) {
    console.log(
      `speech enhancement speed: ${SECONDS} s of 16 kHz audio (full: 3 s), untrained weights, RTF = seconds / audio second`,
    );
    console.log('threads | backend | model | parameters | rtf | rtf / wiener');
    for (const threads of ['1', '2']) {
      const r = spawnSync(process.execPath, [__filename, '--child', '--seconds', String(SECONDS)], {
        env: { ...process.env, GATEWAVE_THREADS: threads },
        encoding: 'utf8',
      });
      if (r.status !== 0) {
        console.log(`threads ${threads}: failed: ${r.stderr.split('\n').slice(-3).join(' ')}`);
        continue;
      }
      const { backend, rows } = JSON.parse(r.stdout);
      const base = rows[0].rtf;
      for (const row of rows)
        console.log(
          `${threads} | ${backend} | ${row.model} | ${row.params} | ${row.rtf.toFixed(3)} | ${(row.rtf / base).toFixed(1)}`,
        );
    }
    await require('./browser').printBrowserRows(SECONDS); // the shipped enhancer in headless Chromium (bench/browser.js)
  }
  await quality();
}

main().catch((err) => {
  console.error(err.stack || err.message);
  process.exit(1);
});
