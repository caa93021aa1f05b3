import { featureMatrixView, logMelSpectrogram, sedFeaturesView, spectrogramViews, stft } from '../src';
import { DEFAULT_FEATURES, extractFeatures } from '../src/sed/features';

const tone = (f: number, n: number, rate: number): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * f * i) / rate));

describe('ndarray views share the typed arrays', () => {
  test('STFT: [frames, bins], row-major strides, the same values, and no copy', () => {
    const spec = stft(tone(1000, 4000, 16000), { winLength: 400, hopLength: 200, nFft: 512, window: 'hann' });
    const { re, im } = spectrogramViews(spec);
    expect(re.shape).toEqual([spec.frames, 257]);
    expect(re.stride).toEqual([257, 1]);
    expect(re.data).toBe(spec.re);
    expect(im.data).toBe(spec.im);
    // a 1 kHz tone at 16 kHz with nFft 512 peaks at bin 32 in a middle frame
    const t = Math.floor(spec.frames / 2);
    const mag = (k: number) => Math.hypot(re.get(t, k), im.get(t, k));
    expect(mag(32)).toBeGreaterThan(10 * mag(20));
    expect(re.get(3, 7)).toBe(spec.re[3 * 257 + 7]);
    re.set(3, 7, 42);
    expect(spec.re[3 * 257 + 7]).toBe(42);
  });

  test('feature matrix: [frames, size] over m.data', () => {
    const m = logMelSpectrogram(tone(1000, 8000, 16000), 16000, { frameLength: 512, hopLength: 256, melBands: 32 });
    const v = featureMatrixView(m);
    expect(v.shape).toEqual([m.frames, 32]);
    expect(v.stride).toEqual([32, 1]);
    expect(v.data).toBe(m.data);
    expect(v.get(5, 11)).toBe(m.data[5 * 32 + 11]);
    // a row picked through the view is the matrix's row
    expect(Array.from({ length: 32 }, (_, b) => v.pick(9, null).get(b))).toEqual(Array.from(m.data.subarray(288, 320)));
  });

  test('detector features: [frames, melBands, channels] over f.data', () => {
    const x = tone(700, 4800, 24000);
    const f = extractFeatures([x, x, x, x], { format: 'foa', ...DEFAULT_FEATURES });
    const v = sedFeaturesView(f);
    expect(v.shape).toEqual([f.frames, 64, 7]);
    expect(v.stride).toEqual([64 * 7, 7, 1]);
    expect(v.data).toBe(f.data);
    expect(v.get(2, 10, 5)).toBe(f.data[(2 * 64 + 10) * 7 + 5]);
  });
});
