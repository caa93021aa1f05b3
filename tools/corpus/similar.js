// Finding the same recording twice: game and desktop packages often take their sound effects from the same public
// collections, so two "different" files can be one recording, trimmed, faded, re-encoded or mixed into something
// else. A recording in training that is also in test would make the test split measure memory, not recognition.
//
// Each clip becomes a coarse log spectrogram (32 bands up to 8 kHz, 20 ms frames); two clips are compared by the
// largest normalised correlation of their band-and-time patterns over every time shift that overlaps at least half
// of the shorter clip. The same recording scores near 1 whatever its gain, trim or codec; different recordings of
// one kind of sound (two dogs) score far lower because their fine time-frequency patterns differ.
'use strict';
const { rfft } = require('@gatewave/audio/dist/dsp/fft.js');

const BANDS = 32;
const FRAME_SECONDS = 0.02;
const MAX_HZ = 8000;
/**
 * Shifts must overlap by 0.5 s: over a few frames all short transients look alike (a single footstep matches some
 * step of any walking recording), so clips shorter than that are never called the same recording.
 */
const MIN_OVERLAP_FRAMES = 25;

/** Log band energies, frame-major (frames x BANDS), each band's mean over the clip removed. */
function fingerprint(samples, sampleRate) {
  const hop = Math.max(1, Math.round(FRAME_SECONDS * sampleRate));
  let n = 1;
  while (n < 2 * hop) n *= 2;
  const frames = Math.max(1, Math.floor((samples.length - n) / hop) + 1);
  const edges = bandEdges(n, sampleRate);
  const out = new Float32Array(frames * BANDS);
  const buf = new Float32Array(n);
  for (let t = 0; t < frames; t++) {
    buf.fill(0);
    buf.set(samples.subarray(t * hop, Math.min(samples.length, t * hop + n)));
    for (let i = 0; i < n; i++) buf[i] *= 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
    const { re, im } = rfft(buf);
    for (let b = 0; b < BANDS; b++) {
      let e = 1e-10;
      for (let k = edges[b]; k < edges[b + 1]; k++) e += re[k] * re[k] + im[k] * im[k];
      out[t * BANDS + b] = Math.log10(e);
    }
  }
  for (let b = 0; b < BANDS; b++) {
    let m = 0;
    for (let t = 0; t < frames; t++) m += out[t * BANDS + b];
    m /= frames;
    for (let t = 0; t < frames; t++) out[t * BANDS + b] -= m;
  }
  return { frames, data: out };
}

/** FFT bin edges of BANDS log-spaced bands from 100 Hz to min(MAX_HZ, Nyquist). */
function bandEdges(n, sampleRate) {
  const top = Math.min(MAX_HZ, sampleRate / 2);
  const edges = [];
  for (let b = 0; b <= BANDS; b++) {
    const hz = 100 * Math.pow(top / 100, b / BANDS);
    edges.push(Math.min(n / 2, Math.max(b, Math.round((hz * n) / sampleRate))));
  }
  for (let b = 1; b <= BANDS; b++) edges[b] = Math.max(edges[b], edges[b - 1] + 1);
  return edges.map((e) => Math.min(e, n / 2 + 1));
}

/**
 * Largest Pearson correlation of the two fingerprints over the time shifts where they overlap by at least half of
 * the shorter one and at least 0.5 s; 0 when the shorter clip is under 0.5 s.
 */
function similarity(a, b) {
  const [s, l] = a.frames <= b.frames ? [a, b] : [b, a];
  if (s.frames < MIN_OVERLAP_FRAMES) return 0;
  const minOverlap = Math.max(Math.ceil(s.frames / 2), MIN_OVERLAP_FRAMES);
  let best = 0;
  for (let shift = -(s.frames - minOverlap); shift <= l.frames - minOverlap; shift++) {
    const t0 = Math.max(0, -shift);
    const t1 = Math.min(s.frames, l.frames - shift);
    if (t1 - t0 < minOverlap) continue;
    best = Math.max(best, pearson(s.data, l.data, t0 * BANDS, (t0 + shift) * BANDS, (t1 - t0) * BANDS));
  }
  return best;
}

function pearson(x, y, i0, j0, len) {
  let sx = 0;
  let sy = 0;
  for (let k = 0; k < len; k++) ((sx += x[i0 + k]), (sy += y[j0 + k]));
  const mx = sx / len;
  const my = sy / len;
  let xy = 0;
  let xx = 0;
  let yy = 0;
  for (let k = 0; k < len; k++) {
    const dx = x[i0 + k] - mx;
    const dy = y[j0 + k] - my;
    xy += dx * dy;
    xx += dx * dx;
    yy += dy * dy;
  }
  return xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : 0;
}

/**
 * Pairs of clips of one kind (default: the same label) in different splits that look like one recording: `clips` are
 * { split, print, ... } (print from fingerprint()); returns { a, b, score } for every such pair with a score of at
 * least `threshold`, a being the clip of the split listed first in `order` (the one to keep).
 */
function crossSplitMatches(clips, threshold, kindOf = (c) => c.label, order = ['test', 'validation', 'train']) {
  const rank = (c) => order.indexOf(c.split);
  const out = [];
  for (let i = 0; i < clips.length; i++)
    for (let j = i + 1; j < clips.length; j++) {
      const [a, b] = rank(clips[i]) <= rank(clips[j]) ? [clips[i], clips[j]] : [clips[j], clips[i]];
      if (kindOf(a) !== kindOf(b) || a.split === b.split) continue;
      const score = similarity(a.print, b.print);
      if (score >= threshold) out.push({ a, b, score });
    }
  return out;
}

/**
 * The clips to leave out because they repeat a recording of a held-out split (see crossSplitMatches; the test copy
 * stays, then the validation one). Logs one line per clip left out, naming both (`describe` names a clip).
 */
function repeatsToLeaveOut(clips, { threshold, kindOf, describe, log }) {
  const dropped = new Set();
  for (const { a, b, score } of crossSplitMatches(clips, threshold, kindOf)) {
    if (dropped.has(a) || dropped.has(b)) continue;
    dropped.add(b);
    log(
      `  left out ${describe(b)} (${b.split}): the same recording as ${describe(a)} (${a.split}), similarity ${score.toFixed(3)}`,
    );
  }
  return dropped;
}

module.exports = { fingerprint, similarity, crossSplitMatches, repeatsToLeaveOut };
