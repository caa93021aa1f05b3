#!/usr/bin/env node
// @gatewave/audio speech enhancement end to end: mix speech of a voice the packaged model never heard
// (../shared/data/speech/train/it; the same studio corpus as its training voices) with noise it never heard
// (env_rain_01_16k.wav) at 0, 5 and 10 dB, enhance with the `wiener` baseline and with a model (--model DIR, or the packaged one when present; optionally train a tiny one first with
// --train), write the WAVs and print SI-SDR / STOI / ESTOI for each. Settings (env or --flags):
//   node examples/enhance.js --count 3 --out /tmp/gatewave-enhance
//   node examples/enhance.js --train --steps 5 --epochs 1 --count 1
const fs = require('fs');
const os = require('os');
const path = require('path');
const { initBackend } = require('@gatewave/core');
const audio = require('@gatewave/audio');
const { setting } = require('./settings');

const DATA = setting('DATA', path.resolve(__dirname, '../../shared/data'));
const OUT = setting('OUT', path.join(os.tmpdir(), 'gatewave-enhance'));
const COUNT = Number(setting('COUNT', '3'));
const MODEL = setting('MODEL', undefined);
const TRAIN = setting('TRAIN', 'false') === 'true';

function mix(speech, noise, snrDb) {
  const rms = (x) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
  const n =
    noise.length >= speech.length
      ? noise.subarray(0, speech.length)
      : Float32Array.from(speech, (_, i) => noise[i % noise.length]);
  const g = rms(speech) / (rms(n) * 10 ** (snrDb / 20));
  const noisy = Float32Array.from(speech, (v, i) => v + g * n[i]);
  const peak = noisy.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const k = peak > 0.99 ? 0.99 / peak : 1;
  return { clean: speech.map((v) => v * k), noisy: noisy.map((v) => v * k) };
}

async function main() {
  const speechDir = path.join(DATA, 'speech/train/it');
  const noiseFile = path.join(DATA, 'noise/env_rain_01_16k.wav');
  if (!fs.existsSync(speechDir) || !fs.existsSync(noiseFile)) {
    console.error(
      `example data missing: ${speechDir} / ${noiseFile}; pass --data DIR (the gatewave shared data folder)`,
    );
    process.exit(2);
  }
  await initBackend(undefined, { purpose: TRAIN ? 'train' : 'infer' });
  const enhancers = [new audio.WienerEnhancer()];
  let modelDir = MODEL;
  if (TRAIN) {
    modelDir = path.join(OUT, 'model');
    await audio.trainEnhancer({
      speechDir: path.join(DATA, 'speech/train'),
      noiseDir: path.join(DATA, 'noise'),
      out: modelDir,
      config: { ...audio.FRCRN_SMALL, name: 'example', channels: [4, 8] },
      epochs: Number(setting('EPOCHS', '1')),
      stepsPerEpoch: Number(setting('STEPS', '5')),
      batchSize: 2,
      validationMixtures: 2,
      exclude: ['/it/', 'env_rain'],
      quiet: true,
    });
  }
  if (modelDir || fs.existsSync(path.join(audio.DEFAULT_MODEL_DIR, 'model.json')))
    enhancers.push(await audio.loadEnhancer(modelDir));
  const files = fs
    .readdirSync(speechDir)
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .slice(0, COUNT);
  const noise = audio.readWav(noiseFile).channels[0];
  fs.mkdirSync(OUT, { recursive: true });
  console.log(`speech: ${speechDir} (${files.join(', ')}); noise: ${noiseFile}`);
  console.log('snr_db  method        si_sdr_db  stoi    estoi   rtf');
  for (const snr of [0, 5, 10]) {
    const rows = {};
    for (const f of files) {
      const speech = audio.readWav(path.join(speechDir, f)).channels[0];
      const { clean, noisy } = mix(speech, noise, snr);
      const score = (name, y, rtf) => {
        const r = (rows[name] ??= { sdr: 0, stoi: 0, estoi: 0, rtf: 0 });
        r.sdr += audio.siSdr(clean, y) / files.length;
        r.stoi += audio.stoi(clean, y, 16000) / files.length;
        r.estoi += audio.estoi(clean, y, 16000) / files.length;
        r.rtf += rtf / files.length;
      };
      score('noisy', noisy, 0);
      audio.writeWav(path.join(OUT, `${f.replace('.wav', '')}_${snr}dB_noisy.wav`), {
        sampleRate: 16000,
        channels: [noisy],
      });
      for (const e of enhancers) {
        const t0 = Date.now();
        const y = (await audio.enhanceAudio({ sampleRate: 16000, channels: [noisy] }, e)).channels[0];
        score(e.name, y, (Date.now() - t0) / 1000 / (noisy.length / 16000));
        audio.writeWav(path.join(OUT, `${f.replace('.wav', '')}_${snr}dB_${e.name}.wav`), {
          sampleRate: 16000,
          channels: [y],
        });
      }
    }
    for (const [name, r] of Object.entries(rows)) {
      console.log(
        `${String(snr).padStart(6)}  ${name.padEnd(12)}  ${r.sdr.toFixed(2).padStart(9)}  ${r.stoi.toFixed(3)}   ${r.estoi.toFixed(3)}   ${r.rtf.toFixed(3)}`,
      );
    }
  }
  console.log(`wrote the WAVs to ${OUT}`);
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
