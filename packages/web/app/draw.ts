/** Drawing on canvases: waveforms, spectrograms, event timelines and line plots with a band. */
import { stft, makeWindow } from '@gatewave/audio';

export const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#393b79',
];

function ctx(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const c = canvas.getContext('2d');
  if (!c) throw new Error('this browser cannot draw on a canvas');
  c.clearRect(0, 0, canvas.width, canvas.height);
  return c;
}

/** Min/max of each pixel column. */
export function drawWaveform(canvas: HTMLCanvasElement, x: Float32Array, color = '#1f4e8c'): void {
  const c = ctx(canvas);
  const { width: w, height: h } = canvas;
  c.fillStyle = color;
  const per = Math.max(1, x.length / w);
  for (let px = 0; px < w; px++) {
    let lo = 0;
    let hi = 0;
    const end = Math.min(x.length, Math.floor((px + 1) * per));
    for (let i = Math.floor(px * per); i < end; i++) {
      if (x[i] < lo) lo = x[i];
      if (x[i] > hi) hi = x[i];
    }
    const top = ((1 - Math.min(1, hi)) * h) / 2;
    const bottom = ((1 - Math.max(-1, lo)) * h) / 2;
    c.fillRect(px, top, 1, Math.max(1, bottom - top));
  }
}

/** Log-magnitude STFT (512-point, hop 128) in dB, 80 dB range, dark = loud. */
export function drawSpectrogram(canvas: HTMLCanvasElement, x: Float32Array): void {
  const c = ctx(canvas);
  const { width: w, height: h } = canvas;
  const spec = stft(x, { winLength: 512, hopLength: 128, nFft: 512, window: makeWindow('hann', 512) });
  const bins = spec.bins;
  const db = new Float32Array(spec.frames * bins);
  let max = -Infinity;
  for (let i = 0; i < db.length; i++) {
    db[i] = 10 * Math.log10(spec.re[i] * spec.re[i] + spec.im[i] * spec.im[i] + 1e-12);
    if (db[i] > max) max = db[i];
  }
  const img = c.createImageData(w, h);
  for (let px = 0; px < w; px++) {
    const t = Math.min(spec.frames - 1, Math.floor((px / w) * spec.frames));
    for (let py = 0; py < h; py++) {
      const f = Math.min(bins - 1, Math.floor(((h - 1 - py) / h) * bins));
      const v = Math.max(0, Math.min(1, (db[t * bins + f] - (max - 80)) / 80));
      const o = (py * w + px) * 4;
      img.data[o] = 255 - Math.round(235 * v);
      img.data[o + 1] = 255 - Math.round(200 * v);
      img.data[o + 2] = 255 - Math.round(120 * v);
      img.data[o + 3] = 255;
    }
  }
  c.putImageData(img, 0, 0);
}

export interface Span {
  start: number;
  end: number;
  row: number;
  label?: string;
}

/** One row per class; a bar per event; time axis in seconds. */
export function drawTimeline(
  canvas: HTMLCanvasElement,
  classes: readonly string[],
  spans: readonly Span[],
  duration: number,
): void {
  const c = ctx(canvas);
  const { width: w, height: h } = canvas;
  const left = 120;
  const rowH = (h - 20) / Math.max(1, classes.length);
  c.font = '11px sans-serif';
  c.textBaseline = 'middle';
  classes.forEach((name, i) => {
    c.fillStyle = '#1d2330';
    c.fillText(name, 4, i * rowH + rowH / 2);
    c.fillStyle = i % 2 ? '#f3f5f9' : '#fff';
    c.fillRect(left, i * rowH, w - left, rowH);
  });
  for (const s of spans) {
    c.fillStyle = PALETTE[s.row % PALETTE.length];
    c.fillRect(
      left + (s.start / duration) * (w - left),
      s.row * rowH + 2,
      Math.max(2, ((s.end - s.start) / duration) * (w - left)),
      rowH - 4,
    );
  }
  axis(c, left, w, h, duration);
}

function axis(c: CanvasRenderingContext2D, left: number, w: number, h: number, duration: number): void {
  c.fillStyle = '#5b6577';
  c.textBaseline = 'bottom';
  const step = niceStep(duration / 8);
  for (let t = 0; t <= duration + 1e-9; t += step) {
    c.fillText(`${+t.toFixed(2)} s`, left + (t / duration) * (w - left), h);
  }
}

function niceStep(x: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(Math.max(x, 1e-9))));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= x) ?? 10 * p;
}

export interface Track {
  /** x values (time, seconds or ms since epoch). */
  x: number[];
  y: number[];
  color: string;
  /** Draw points instead of a line. */
  dots?: boolean;
}

/** Line/dot plot with an optional band (lower, upper) over a value range. */
export function drawPlot(
  canvas: HTMLCanvasElement,
  tracks: readonly Track[],
  yRange: [number, number] | null,
  band?: { x: number[]; lower: number[]; upper: number[]; color: string },
): void {
  const c = ctx(canvas);
  const { width: w, height: h } = canvas;
  const xs = tracks.flatMap((t) => t.x).concat(band?.x ?? []);
  const ys = tracks.flatMap((t) => t.y).concat(band?.lower ?? [], band?.upper ?? []);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const [y0, y1] = yRange ?? [Math.min(...ys), Math.max(...ys)];
  const X = (x: number): number => 40 + ((x - x0) / (x1 - x0 || 1)) * (w - 50);
  const Y = (y: number): number => 10 + (1 - (y - y0) / (y1 - y0 || 1)) * (h - 30);
  c.strokeStyle = '#dde2ea';
  c.fillStyle = '#5b6577';
  c.font = '11px sans-serif';
  for (const v of [y0, (y0 + y1) / 2, y1]) {
    c.beginPath();
    c.moveTo(40, Y(v));
    c.lineTo(w - 10, Y(v));
    c.stroke();
    c.fillText(`${+v.toFixed(2)}`, 2, Y(v) + 4);
  }
  if (band && band.x.length) {
    c.fillStyle = band.color;
    c.beginPath();
    band.x.forEach((x, i) => (i ? c.lineTo(X(x), Y(band.upper[i])) : c.moveTo(X(x), Y(band.upper[i]))));
    for (let i = band.x.length - 1; i >= 0; i--) c.lineTo(X(band.x[i]), Y(band.lower[i]));
    c.closePath();
    c.fill();
  }
  for (const t of tracks) {
    c.strokeStyle = t.color;
    c.fillStyle = t.color;
    if (t.dots) {
      t.x.forEach((x, i) => c.fillRect(X(x) - 1.5, Y(t.y[i]) - 1.5, 3, 3));
      continue;
    }
    c.beginPath();
    t.x.forEach((x, i) => (i ? c.lineTo(X(x), Y(t.y[i])) : c.moveTo(X(x), Y(t.y[i]))));
    c.stroke();
  }
}
