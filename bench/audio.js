#!/usr/bin/env node
// npm run bench:audio — speed and quality of @gatewave/audio speech enhancement, over the built packages.
//   Speed: real-time factor (processing seconds / audio seconds) of FRCRN `small` and `full` at 16 kHz on 1 and 2
//   threads (GATEWAVE_THREADS; each setting runs in its own process), with parameter counts and the backend, beside
//   the `wiener` baseline. Untrained weights: speed does not depend on them.
//   Quality: SI-SDR / STOI / ESTOI of the noisy input, `wiener` and the packaged model (or --model DIR) on held-out
//   mixtures: speaker it (../shared/data/speech/train/it, first FILES files) with noises env_rain_01_16k.wav and
//   music_moh_reno_project-system_16k.wav at 0, 5 and 10 dB (both left out of the packaged model's training).
// Settings: --seconds 8 (audio per speed run), --files 6, --model DIR. Timings on a shared machine are noisy.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

function setting(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : process.env[name.toUpperCase()] ?? fallback;
}
const SECONDS = Number(setting('seconds', '8'));
const FILES = Number(setting('files', '6'));
const DATA = path.resolve(__dirname, '../../shared/data');

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
  for (const name of ['small', 'full']) {
    const e = audio.FrcrnEnhancer.fromConfig(audio.FRCRN_CONFIGS[name]);
    rows.push({ model: `frcrn-${name}`, params: audio.countParameters(e.model), rtf: await time(e, name === 'full' ? Math.min(SECONDS, 3) : SECONDS) });
    e.dispose();
  }
  process.stdout.write(JSON.stringify({ backend: activeBackend().name, rows }));
}

async function quality() {
  const audio = require('@gatewave/audio');
  const { initBackend } = require('@gatewave/core');
  await initBackend(undefined, { purpose: 'infer', quiet: true });
  const speechDir = path.join(DATA, 'speech/train/it');
  if (!fs.existsSync(speechDir)) return console.log(`quality: skipped, ${speechDir} not found`);
  const enhancers = [new audio.WienerEnhancer()];
  const modelDir = setting('model', undefined);
  if (modelDir || fs.existsSync(path.join(audio.DEFAULT_MODEL_DIR, 'model.json'))) enhancers.push(await audio.loadEnhancer(modelDir));
  else console.log(`quality: no packaged model in ${audio.DEFAULT_MODEL_DIR}; pass --model DIR to include one`);
  const files = fs.readdirSync(speechDir).filter((f) => f.endsWith('.wav')).sort().slice(0, FILES);
  const noises = ['env_rain_01_16k.wav', 'music_moh_reno_project-system_16k.wav'];
  console.log(`\nquality on held-out mixtures: ${files.length} files of ${speechDir} x ${noises.join(', ')}`);
  console.log('snr_db | method | si_sdr_db | stoi | estoi');
  for (const snr of [0, 5, 10]) {
    const acc = {};
    for (const nf of noises) {
      const noise = audio.readWav(path.join(DATA, 'noise', nf)).channels[0];
      for (const f of files) {
        const s = audio.readWav(path.join(speechDir, f)).channels[0];
        const z = Float32Array.from(s, (_, i) => noise[i % noise.length]);
        const rms = (a) => Math.sqrt(a.reduce((t, v) => t + v * v, 0) / a.length);
        const g = rms(s) / (rms(z) * 10 ** (snr / 20));
        const noisy = Float32Array.from(s, (v, i) => v + g * z[i]);
        const add = (k, y) => {
          const r = (acc[k] ??= [0, 0, 0, 0]);
          r[0] += audio.siSdr(s, y);
          r[1] += audio.stoi(s, y, 16000);
          r[2] += audio.estoi(s, y, 16000);
          r[3] += 1;
        };
        add('noisy', noisy);
        for (const e of enhancers) add(e.name, (await audio.enhanceAudio({ sampleRate: 16000, channels: [noisy] }, e)).channels[0]);
      }
    }
    for (const [k, r] of Object.entries(acc)) console.log(`${snr} | ${k} | ${(r[0] / r[3]).toFixed(2)} | ${(r[1] / r[3]).toFixed(3)} | ${(r[2] / r[3]).toFixed(3)}`);
  }
}

async function main() {
  if (process.argv.includes('--child')) return speedChild();
  console.log(`speech enhancement speed: ${SECONDS} s of 16 kHz audio (full: 3 s), untrained weights, RTF = seconds / audio second`);
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
    for (const row of rows) console.log(`${threads} | ${backend} | ${row.model} | ${row.params} | ${row.rtf.toFixed(3)} | ${(row.rtf / base).toFixed(1)}`);
  }
  await quality();
}

main().catch((err) => {
  console.error(err.stack || err.message);
  process.exit(1);
});
