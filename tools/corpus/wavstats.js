// Reading the PCM16 mono WAVs that decodeToWav writes, a crude SNR estimate and a low-frequency (hum / rumble) measure
// for clean-speech filtering. The FFT is @gatewave/audio's (built by npm ci / npm run build).
'use strict';
const fs = require('fs');
const { rfft } = require('@gatewave/audio/dist/dsp/fft.js');

/** { sampleRate, samples: Float32Array } of a PCM16 WAV (any channel count: the first channel). */
function readPcm16(file) {
  const b = fs.readFileSync(file);
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE')
    throw new Error(`${file}: not a RIFF/WAVE file`);
  let o = 12;
  let rate = 0;
  let channels = 1;
  let bits = 0;
  while (o + 8 <= b.length) {
    const id = b.toString('ascii', o, o + 4);
    const size = b.readUInt32LE(o + 4);
    if (id === 'fmt ') {
      channels = b.readUInt16LE(o + 10);
      rate = b.readUInt32LE(o + 12);
      bits = b.readUInt16LE(o + 22);
    } else if (id === 'data') {
      if (bits !== 16) throw new Error(`${file}: ${bits}-bit WAV; expected PCM16`);
      const n = Math.floor(Math.min(size, b.length - o - 8) / (2 * channels));
      const samples = new Float32Array(n);
      for (let i = 0; i < n; i++) samples[i] = b.readInt16LE(o + 8 + 2 * channels * i) / 32768;
      return { sampleRate: rate, samples };
    }
    o += 8 + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

/**
 * Estimated SNR (dB) of a speech recording: frame powers over 32 ms frames (hop 16 ms), DC removed; the noise floor is
 * their 10th percentile and the speech level their 95th. Hum, hiss and room noise raise the floor; a clean studio
 * take with digital silence scores high (the floor is clamped at -100 dBFS so the figure stays finite). Also returns
 * the active-speech level (dBFS) and the fraction of frames within 30 dB of the speech level.
 */
function estimateSnr(samples, sampleRate) {
  const frame = Math.round(0.032 * sampleRate);
  const hop = Math.round(0.016 * sampleRate);
  let mean = 0;
  for (let i = 0; i < samples.length; i++) mean += samples[i];
  mean /= Math.max(1, samples.length);
  const powers = [];
  for (let s = 0; s + frame <= samples.length; s += hop) {
    let p = 0;
    for (let i = s; i < s + frame; i++) p += (samples[i] - mean) ** 2;
    powers.push(10 * Math.log10(Math.max(p / frame, 1e-10)));
  }
  if (powers.length < 4) return { snrDb: 0, levelDb: -100, activeFraction: 0 };
  const sorted = [...powers].sort((a, b) => a - b);
  const q = (f) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))];
  const floor = q(0.1);
  const level = q(0.95);
  const active = powers.filter((p) => p > level - 30).length / powers.length;
  return { snrDb: level - floor, levelDb: level, activeFraction: active };
}

/** Welch power spectrum: mean |DFT|² over `frame`-sample Hann frames (hop frame/2, each frame's mean removed). */
function welchPower(samples, frame) {
  const power = new Float64Array(frame / 2 + 1);
  const win = Float64Array.from({ length: frame }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / frame));
  const buf = new Float64Array(frame);
  let frames = 0;
  for (let s = 0; frames === 0 || s + frame <= samples.length; s += frame / 2) {
    const m = Math.min(frame, samples.length - s);
    let mean = 0;
    for (let i = 0; i < m; i++) mean += samples[s + i];
    mean /= Math.max(1, m);
    buf.fill(0);
    for (let i = 0; i < m; i++) buf[i] = (samples[s + i] - mean) * win[i];
    const { re, im } = rfft(buf, frame);
    for (let k = 0; k < power.length; k++) power[k] += re[k] * re[k] + im[k] * im[k];
    frames++;
  }
  return power.map((p) => p / frames);
}

/**
 * Low-frequency content of a recording (hum and rumble that the SNR estimate does not see when they run under the
 * speech), from its Welch power spectrum (4096-sample Hann frames at 16 kHz, 3.9 Hz bins):
 * - `lowDb`: the share of the power (DC excluded) below `cutoffHz` (default 80 Hz, under any speaking voice's
 *   fundamental), in dB: clean speech sits near -30 dB or lower; 0 dB means all of it.
 * - `humDb`: how far mains-hum lines stand out: for 50 Hz and for 60 Hz, the mean over the fundamental and its 2nd and
 *   3rd harmonics of (the strongest bin within one bin of the line) / (the median of the bins 8 to 24 Hz away), in
 *   dB; the larger of the two. About 0-5 dB without hum.
 */
function lowFrequency(samples, sampleRate, { cutoffHz = 80, frame = 4096 } = {}) {
  const p = welchPower(samples, frame);
  const df = sampleRate / frame;
  let low = 0;
  let total = 0;
  for (let k = 1; k < p.length; k++) {
    total += p[k];
    if (k * df < cutoffHz) low += p[k];
  }
  const lowDb = 10 * Math.log10(Math.max(low, 1e-30) / Math.max(total, 1e-30));
  const line = (f) => {
    const k = Math.round(f / df);
    const peak = Math.max(p[k - 1], p[k], p[k + 1]);
    const around = [];
    for (let j = 1; j < p.length; j++) {
      const d = Math.abs(j * df - f);
      if (d >= 8 && d <= 24) around.push(p[j]);
    }
    around.sort((a, b) => a - b);
    return 10 * Math.log10((peak + 1e-30) / (around[Math.floor(around.length / 2)] + 1e-30));
  };
  const humDb = Math.max(...[50, 60].map((f) => (line(f) + line(2 * f) + line(3 * f)) / 3));
  return { lowDb, humDb };
}

/** The 44-byte header of a mono 16-bit PCM WAV at `rate` Hz whose data chunk holds `dataBytes` bytes. */
function pcm16Header(rate, dataBytes) {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

module.exports = { readPcm16, estimateSnr, lowFrequency, pcm16Header };
