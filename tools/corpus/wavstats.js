// Reading the PCM16 mono WAVs that decodeToWav writes, and a crude SNR estimate for clean-speech filtering.
'use strict';
const fs = require('fs');

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

module.exports = { readPcm16, estimateSnr, pcm16Header };
