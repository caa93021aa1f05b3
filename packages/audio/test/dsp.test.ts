import { tf, initBackend } from '@gatewave/core';
import {
  AudioError,
  fft,
  ifft,
  rfft,
  irfft,
  stft,
  istft,
  makeWindow,
  stftTensor,
  istftTensor,
  resample,
  RESAMPLE_STOPBAND_DB,
} from '../src';

function naiveDft(re: number[], im: number[]): [number[], number[]] {
  const n = re.length;
  const R: number[] = [];
  const I: number[] = [];
  for (let k = 0; k < n; k++) {
    let a = 0;
    let b = 0;
    for (let t = 0; t < n; t++) {
      const w = (-2 * Math.PI * k * t) / n;
      a += re[t] * Math.cos(w) - im[t] * Math.sin(w);
      b += re[t] * Math.sin(w) + im[t] * Math.cos(w);
    }
    R.push(a);
    I.push(b);
  }
  return [R, I];
}

/** A reproducible pseudo-random sequence in [-1, 1). */
function noise(n: number, seed = 1): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

describe('fft', () => {
  test.each([1, 2, 3, 5, 7, 8, 12, 17, 64, 100, 127, 640])('matches the naive DFT for n = %i', (n) => {
    const re = noise(n, n);
    const im = noise(n, n + 99);
    const [R, I] = naiveDft(Array.from(re), Array.from(im));
    const a = Float64Array.from(re);
    const b = Float64Array.from(im);
    fft(a, b);
    for (let k = 0; k < n; k++) {
      expect(Math.abs(a[k] - R[k])).toBeLessThan(1e-9 * n);
      expect(Math.abs(b[k] - I[k])).toBeLessThan(1e-9 * n);
    }
    ifft(a, b);
    for (let k = 0; k < n; k++) expect(Math.abs(a[k] - re[k]) + Math.abs(b[k] - im[k])).toBeLessThan(1e-12 * n);
  });

  test('rfft/irfft round trip for even and odd n', () => {
    for (const n of [640, 641, 1024]) {
      const x = noise(n, 5);
      const y = irfft(rfft(x), n);
      expect(Math.max(...x.map((v, i) => Math.abs(v - y[i])))).toBeLessThan(1e-12);
    }
    expect(rfft(new Float64Array(640)).re).toHaveLength(321);
  });
});

describe('stft / istft', () => {
  const cases: Array<[string, number, number, number | undefined, 'sqrt-hann' | 'hann' | 'hamming' | 'rectangular']> = [
    ['FRCRN 640/320 sqrt-Hann', 640, 320, undefined, 'sqrt-hann'],
    ['512/128 Hann, nFft 1024', 512, 128, 1024, 'hann'],
    ['400/160 Hamming (hop not dividing the window)', 400, 160, 512, 'hamming'],
    ['odd 321/107 rectangular', 321, 107, undefined, 'rectangular'],
  ];
  test.each(cases)('%s reconstructs the whole signal, edges included', (_, winLength, hopLength, nFft, window) => {
    for (const n of [1, 50, 16000, 16001]) {
      const x = Float32Array.from(noise(n, n));
      const spec = stft(x, { winLength, hopLength, nFft, window });
      expect(spec.bins).toBe(Math.floor((nFft ?? winLength) / 2) + 1);
      const y = istft(spec);
      expect(y).toHaveLength(n);
      let err = 0;
      for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(x[i] - y[i]));
      expect(err).toBeLessThan(1e-5);
    }
  });

  test('a sine lands in its bin', () => {
    const x = Float32Array.from({ length: 6400 }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / 16000));
    const s = stft(x, { winLength: 640, hopLength: 320 });
    const t = 10;
    let best = 0;
    for (let k = 0; k < s.bins; k++) {
      const m = Math.hypot(s.re[t * s.bins + k], s.im[t * s.bins + k]);
      if (m > Math.hypot(s.re[t * s.bins + best], s.im[t * s.bins + best])) best = k;
    }
    expect(best).toBe(40); // 1000 Hz * 640 / 16000
  });

  test('rejects a window/hop pair that leaves gaps, and bad sizes', () => {
    const x = new Float32Array(2000);
    expect(() => istft(stft(x, { winLength: 256, hopLength: 256, window: 'hann' }))).toThrow(/gaps/);
    expect(() => stft(x, { winLength: 256, hopLength: 300 })).toThrow(AudioError);
    expect(() => stft(x, { winLength: 256, hopLength: 64, nFft: 128 })).toThrow(AudioError);
    expect(() => stft(x, { winLength: 4, hopLength: 2, window: new Float32Array(3) })).toThrow(/window has 3/);
  });

  test('square-root Hann at half overlap sums to one', () => {
    const w = makeWindow('sqrt-hann', 640);
    for (let i = 0; i < 320; i++) expect(w[i] ** 2 + w[i + 320] ** 2).toBeCloseTo(1, 6);
  });
});

describe('batched tensor stft', () => {
  beforeAll(async () => {
    await initBackend(undefined, { quiet: true });
  });
  const opts = { winLength: 640, hopLength: 320, nFft: 640, window: makeWindow('sqrt-hann', 640) };
  test('equals the float64 stft and inverts it', () => {
    const n = 5000;
    const rows = [Float32Array.from(noise(n, 1)), Float32Array.from(noise(n, 2))];
    const x = tf.tensor2d([...rows[0], ...rows[1]], [2, n]);
    const { re, im } = stftTensor(x, opts);
    const ref = stft(rows[1], opts);
    expect(re.shape).toEqual([2, ref.frames, ref.bins]);
    const r = re.arraySync()[1].flat();
    const i = im.arraySync()[1].flat();
    let err = 0;
    for (let k = 0; k < r.length; k++) err = Math.max(err, Math.abs(r[k] - ref.re[k]), Math.abs(i[k] - ref.im[k]));
    expect(err).toBeLessThan(2e-3); // float32 matmul over 640 taps
    const y = istftTensor({ re, im }, n, opts).arraySync();
    let rec = 0;
    for (let k = 0; k < n; k++) rec = Math.max(rec, Math.abs(y[0][k] - rows[0][k]), Math.abs(y[1][k] - rows[1][k]));
    expect(rec).toBeLessThan(1e-4);
    tf.dispose([x, re, im]);
  });

  test('gradient of a spectral loss matches a finite difference', () => {
    const small = { winLength: 8, hopLength: 4, nFft: 10, window: makeWindow('hann', 8) };
    const x0 = Array.from(noise(20, 3));
    const loss = (x: tf.Tensor2D): tf.Scalar => {
      const s = stftTensor(x, small);
      const y = istftTensor({ re: s.re.mul(0.5), im: s.im.square() as tf.Tensor3D }, 20, small);
      return y.square().sum() as tf.Scalar;
    };
    const g = tf
      .grad((x: tf.Tensor) => loss(x as tf.Tensor2D))(tf.tensor2d(x0, [1, 20]))
      .arraySync() as number[][];
    const h = 1e-2;
    for (const j of [0, 7, 19]) {
      const up = x0.slice();
      const dn = x0.slice();
      up[j] += h;
      dn[j] -= h;
      const num = (loss(tf.tensor2d(up, [1, 20])).arraySync() - loss(tf.tensor2d(dn, [1, 20])).arraySync()) / (2 * h);
      expect(Math.abs(g[0][j] - num)).toBeLessThan(2e-2 * Math.max(1, Math.abs(num)));
    }
  });
});

describe('resample', () => {
  const tone = (f: number, rate: number, n: number): Float32Array =>
    Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * f * i) / rate));
  const rmsOf = (x: Float32Array, from: number, to: number): number => {
    let s = 0;
    for (let i = from; i < to; i++) s += x[i] * x[i];
    return Math.sqrt(s / (to - from));
  };

  test.each([
    [48000, 16000, 3000],
    [16000, 44100, 5000],
    [44100, 16000, 7000],
    [16000, 10000, 4400],
  ])('%i -> %i Hz keeps a %i Hz tone (length, amplitude, phase)', (from, to, f) => {
    const x = tone(f, from, from);
    const y = resample(x, from, to);
    expect(y.length).toBe(Math.ceil((x.length * to) / from));
    const want = tone(f, to, y.length);
    let err = 0;
    for (let i = 400; i < y.length - 400; i++) err = Math.max(err, Math.abs(y[i] - want[i]));
    expect(err).toBeLessThan(1e-3);
  });

  test(`stop-band: a tone above the new Nyquist frequency is attenuated by more than ${RESAMPLE_STOPBAND_DB - 10} dB`, () => {
    for (const f of [8000, 9000, 15000]) {
      const y = resample(tone(f, 48000, 48000), 48000, 16000);
      const db = 20 * Math.log10(rmsOf(y, 500, y.length - 500) / Math.SQRT1_2);
      expect(db).toBeLessThan(-(RESAMPLE_STOPBAND_DB - 10));
    }
  });

  test('co-prime rates with a huge up factor (interpolated kernel) still resample accurately', () => {
    const y = resample(tone(1000, 16000, 4000), 16000, 16001 * 7);
    const want = tone(1000, 16001 * 7, y.length);
    let err = 0;
    for (let i = 5000; i < y.length - 5000; i += 7) err = Math.max(err, Math.abs(y[i] - want[i]));
    expect(err).toBeLessThan(2e-3);
  });

  test('same rate copies; bad rates throw', () => {
    const x = Float32Array.from([1, 2, 3]);
    const y = resample(x, 16000, 16000);
    expect(Array.from(y)).toEqual([1, 2, 3]);
    expect(y).not.toBe(x);
    expect(() => resample(x, 0, 16000)).toThrow(AudioError);
    expect(() => resample(x, 16000, 22050.5)).toThrow(/positive integer/);
    expect(resample(new Float32Array(0), 16000, 8000)).toHaveLength(0);
  });
});
