#!/usr/bin/env node
// Enhance a real noisy recording that installs with the project (audio-lena: 12.3 s of speech over a noisy
// background, 44.1 kHz): with the pretrained FRCRN model shipped in @gatewave/audio (large mixed with a share of the
// Wiener baseline, removing at most about 16 dB: its attenuation limit keeps intelligibility) and with the classical Wiener baseline. Writes both WAVs
// (at the input's rate, channels and length) and prints the real-time factor and how far the noise floor (the quietest
// 10 % of 20 ms frames) dropped. Settings (env or --flags):
//   node examples/enhance-recording.js --in my.wav --out /tmp/gatewave-enhance-recording [--model DIR]
const fs = require('fs');
const os = require('os');
const path = require('path');
const { initBackend } = require('@gatewave/core');
const { readWav, enhanceFile, loadEnhancer, DEFAULT_MODEL_DIR } = require('@gatewave/audio');
const { setting } = require('./settings');

const lena = path.join(path.dirname(require.resolve('audio-lena')), 'lena.wav');
const INPUT = setting('IN', lena);
const OUT = setting('OUT', path.join(os.tmpdir(), 'gatewave-enhance-recording'));
const MODEL = setting('MODEL', DEFAULT_MODEL_DIR);

/** Level in dBFS of the quietest 10 % of 20 ms frames (mono mix): where only the background is left. */
function noiseFloorDb(file) {
  const { sampleRate, channels } = readWav(file);
  const n = Math.floor(sampleRate * 0.02);
  const levels = [];
  for (let s = 0; s + n <= channels[0].length; s += n) {
    let e = 0;
    for (const ch of channels) for (let i = s; i < s + n; i++) e += ch[i] * ch[i];
    levels.push(10 * Math.log10(e / (n * channels.length) + 1e-12));
  }
  levels.sort((a, b) => a - b);
  const k = Math.max(1, Math.floor(levels.length / 10));
  return levels.slice(0, k).reduce((a, b) => a + b, 0) / k;
}

async function main() {
  await initBackend(undefined, { purpose: 'infer' });
  fs.mkdirSync(OUT, { recursive: true });
  const before = noiseFloorDb(INPUT);
  console.log(`input: ${INPUT} (noise floor ${before.toFixed(1)} dBFS)`);
  const runs = [['wiener', 'wiener']];
  if (fs.existsSync(path.join(MODEL, 'model.json'))) runs.push([`FRCRN ${path.basename(path.resolve(MODEL))}`, MODEL]);
  else console.log(`no model at ${MODEL}: only the Wiener baseline runs`);
  for (const [label, spec] of runs) {
    const enhancer = await loadEnhancer(spec);
    const out = path.join(OUT, `${path.basename(INPUT, '.wav')}_${label.split(' ')[0].toLowerCase()}.wav`);
    const r = await enhanceFile(INPUT, out, enhancer);
    const after = noiseFloorDb(out);
    console.log(
      `${label.padEnd(21)} ${out}  RTF ${r.rtf.toFixed(3)}  noise floor ${after.toFixed(1)} dBFS (${(after - before).toFixed(1)} dB)`,
    );
  }
}

main().catch((err) => {
  console.error(`error: ${err.message}`);
  process.exit(1);
});
