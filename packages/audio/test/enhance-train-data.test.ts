import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf, setSeed } from '@gatewave/core';
import { writeWav } from '../src';
import { biquad, convolve, peakingCoefficients, syntheticRir, rms } from '../src/enhance/augment';
import { negSiSnr, spectralLoss, spectralDistance } from '../src/enhance/losses';
import {
  checkMix,
  crop,
  folderData,
  pairedData,
  readManifest,
  scalePair,
  MixingSource,
  DEFAULT_MIX,
} from '../src/enhance/train-data';
import { stftTensor } from '../src/dsp/tensor-stft';
import { makeWindow } from '../src/dsp/stft';
import type { FrcrnEnhancer } from '../src/enhance/frcrn-enhancer';
import type { WithWiener } from '../src/enhance/wiener-share';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'enh-data-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const quiet = (): void => {};
const identity = <T>(xs: T[]): T[] => xs;

function tone(n: number, f: number, a = 0.3): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => a * Math.sin((2 * Math.PI * f * i) / 16000));
}

describe('augmentation', () => {
  test('convolve by FFT equals direct convolution', () => {
    const x = Float32Array.from({ length: 300 }, (_, i) => Math.sin(i * 0.37) + (i % 7) / 7);
    const h = Float32Array.from([0.5, 0, -0.25, 0.125, 0, 0, 0.01]);
    const y = convolve(x, h);
    for (let i = 0; i < x.length; i++) {
      let d = 0;
      for (let j = 0; j < h.length && j <= i; j++) d += h[j] * x[i - j];
      expect(y[i]).toBeCloseTo(d, 4);
    }
  });

  test('peaking EQ: +6 dB at its centre frequency, 0 dB far from it', () => {
    const { b, a } = peakingCoefficients(1000, 6, 1, 16000);
    const gainAt = (f: number): number => {
      const y = biquad(tone(32000, f), b, a);
      return 20 * Math.log10(rms(y.subarray(16000)) / rms(tone(16000, f)));
    };
    expect(gainAt(1000)).toBeCloseTo(6, 1);
    expect(Math.abs(gainAt(7000))).toBeLessThan(0.3);
  });

  test('synthetic RIR: direct impulse first, decays 60 dB over RT60, early part is its first 50 ms', () => {
    setSeed(3);
    const r = syntheticRir(16000, 0.5, 0);
    expect(r.full[0]).toBe(1);
    expect(r.full.length).toBe(8000);
    expect(r.early.length).toBe(800);
    expect(Array.from(r.early)).toEqual(Array.from(r.full.subarray(0, 800)));
    // direct-to-reverberant ratio 0 dB: tail energy equals the direct impulse's
    let tail = 0;
    for (let i = 1; i < r.full.length; i++) tail += r.full[i] ** 2;
    expect(tail).toBeCloseTo(1, 5);
    const e = (a: number, b: number): number => r.full.subarray(a, b).reduce((s, v) => s + v * v, 0) / (b - a);
    // energy 100 ms after onset vs at 400 ms: 300 ms of a 500 ms RT60 is 36 dB
    expect(10 * Math.log10(e(1600, 2400) / e(6400, 7200))).toBeGreaterThan(30);
  });

  test('scalePair keeps the ratio of target to input and never clips', () => {
    const c = tone(1000, 300, 0.5);
    const n = tone(1000, 300, 0.9);
    const p = scalePair(c, n, 0);
    expect(Math.max(...p.noisy.map(Math.abs))).toBeLessThanOrEqual(0.99 + 1e-6);
    expect(p.clean[100] / p.noisy[100]).toBeCloseTo(0.5 / 0.9, 5);
  });

  test('crop: offset, loop and zero padding', () => {
    const x = Int16Array.from([32767, 0, -32767]);
    expect(Array.from(crop(x, 2, false, 1))).toEqual([0, -1]);
    setSeed(1);
    const padded = crop(x, 5, false);
    expect(padded.filter((v) => v !== 0)).toHaveLength(2);
    const looped = crop(x, 7, true);
    expect(looped.filter((v) => v === 1)).toHaveLength(Array.from(looped).filter((v) => v === 1).length);
    expect(new Set(Array.from(looped))).toEqual(new Set([1, 0, -1]));
  });
});

describe('losses', () => {
  test('spectral loss is zero for a perfect estimate and grows with the error', () => {
    const c = tf.tensor2d(tone(4000, 440), [1, 4000]);
    const half = c.mul(0.5) as tf.Tensor2D;
    expect(spectralLoss(c, c).dataSync()[0]).toBeCloseTo(0, 3);
    const l1 = spectralLoss(c, half).dataSync()[0];
    const l2 = spectralLoss(c, c.mul(0.1) as tf.Tensor2D).dataSync()[0];
    expect(l1).toBeGreaterThan(0.3);
    expect(l2).toBeGreaterThan(l1);
    // hand check at one resolution: |Y| = |S| / 2 gives SC = 0.5 and compressed L1 = (1 - 0.5^0.3) mean |S|^0.3
    const opts = { winLength: 256, hopLength: 64, nFft: 256, window: makeWindow('hann', 256) };
    const S = stftTensor(c, opts);
    const Y = stftTensor(half, opts);
    const m03 = S.re.square().add(S.im.square()).add(1e-10).sqrt().pow(0.3).mean().dataSync()[0];
    // (to 0.005: the 1e-10 floor under the square root makes near-silent bins differ by less than the formula says)
    expect(spectralDistance(S, Y).dataSync()[0]).toBeCloseTo(0.5 + (1 - 0.5 ** 0.3) * m03, 2);
    expect(negSiSnr(c, half).dataSync()[0]).toBeLessThan(-60); // SI-SNR ignores the scale; the spectral term does not
  });
});

describe('training data', () => {
  const wav = (file: string, x: Float32Array): void => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeWav(file, { sampleRate: 16000, channels: [x] });
  };

  test('a folder with no usable WAV is an error that names it', () => {
    fs.mkdirSync(path.join(tmp, 'empty'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'empty', 'broken.wav'), 'not a wav');
    wav(path.join(tmp, 'noise', 'n.wav'), tone(8000, 1000));
    expect(() =>
      folderData(
        { speechDir: path.join(tmp, 'empty'), noiseDir: path.join(tmp, 'noise'), exclude: [], validationFraction: 0.1 },
        16000,
        DEFAULT_MIX,
        identity,
        quiet,
      ),
    ).toThrow(/empty: needs at least 2 usable speech WAV files, found 0/);
  });

  test('paired folders: unpaired names are listed; a paired draw keeps clean and noisy aligned', () => {
    wav(path.join(tmp, 'clean', 'p1.wav'), tone(8000, 200));
    wav(path.join(tmp, 'clean', 'p2.wav'), tone(8000, 300));
    wav(path.join(tmp, 'clean', 'only-clean.wav'), tone(8000, 300));
    wav(path.join(tmp, 'noisy', 'p1.wav'), tone(8000, 200, 0.6));
    wav(path.join(tmp, 'noisy', 'p2.wav'), tone(8000, 300, 0.6));
    wav(path.join(tmp, 'noisy', 'only-noisy.wav'), tone(8000, 300));
    const go = (): unknown =>
      pairedData(
        { cleanDir: path.join(tmp, 'clean'), noisyDir: path.join(tmp, 'noisy'), validationFraction: 0.5 },
        16000,
        DEFAULT_MIX,
        identity,
        quiet,
      );
    expect(go).toThrow(/unpaired: 1 in .*clean only \(only-clean\.wav\); 1 in .*noisy only \(only-noisy\.wav\)/);
    fs.rmSync(path.join(tmp, 'clean', 'only-clean.wav'));
    fs.rmSync(path.join(tmp, 'noisy', 'only-noisy.wav'));
    const d = go() as { train: { draw(n: number): { clean: Float32Array; noisy: Float32Array } } };
    setSeed(5);
    const p = d.train.draw(4000);
    for (let i = 0; i < 4000; i += 97) expect(p.noisy[i]).toBeCloseTo(2 * p.clean[i], 3);
  });

  test('readManifest parses quoted fields and resolves files against its folder', () => {
    const m = path.join(tmp, 'corpus', 'manifest.csv');
    fs.mkdirSync(path.dirname(m), { recursive: true });
    fs.writeFileSync(
      m,
      'file,role,split,package,licence,group,language,seconds,snr_db\nwav/a.wav,speech,train,pkg,"GPL-2, CC0",g,"en",1.500,40.0\n',
    );
    const rows = readManifest(m);
    expect(rows).toHaveLength(1);
    expect(rows[0].file).toBe(path.join(tmp, 'corpus', 'wav/a.wav'));
    expect(rows[0].licence).toBe('GPL-2, CC0');
    expect(rows[0].seconds).toBe(1.5);
    expect(() => readManifest(path.join(tmp, 'nope.csv'))).toThrow(/no such corpus manifest/);
  });
});

describe('nearly clean and noise-free mixtures', () => {
  const toInt16 = (x: Float32Array): Int16Array => Int16Array.from(x, (v) => Math.round(v * 32767));
  // speech: two tones under a slow envelope; noise: a deterministic pseudo-random sequence
  const speech = toInt16(
    Float32Array.from(
      { length: 32000 },
      (_, i) => (0.2 + 0.1 * Math.sin(i / 3000)) * Math.sin(i / 5 + Math.sin(i / 40)),
    ),
  );
  let r = 12345;
  const noise = toInt16(
    Float32Array.from({ length: 32000 }, () => ((r = (r * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.4),
  );
  const plain = { ...DEFAULT_MIX, reverbProbability: 0, eqProbability: 0, secondNoiseProbability: 0 };
  plain.babbleProbability = 0;
  plain.musicProbability = 0;
  /** `plain` with the default shares of babble and music, which validation always uses. */
  const DEFAULT_MIX_NO_AUG = { ...plain, babbleProbability: 0.15, musicProbability: 0.2 };
  const snrsOf = (mix: typeof DEFAULT_MIX, n: number): number[] => {
    setSeed(11);
    const src = new MixingSource('t', [speech], [noise], [], 16000, mix);
    return Array.from({ length: n }, () => {
      const p = src.draw(8000);
      let e = 0;
      for (let i = 0; i < p.noisy.length; i++) e += (p.noisy[i] - p.clean[i]) ** 2;
      return e === 0 ? Infinity : 20 * Math.log10(rms(p.clean) / Math.sqrt(e / p.noisy.length));
    });
  };

  test('by default every mixture is at -5 to 20 dB; nearCleanProbability 1 puts every one at 30 to 40 dB', () => {
    const base = snrsOf(plain, 60);
    expect(Math.min(...base)).toBeGreaterThan(-5.01);
    expect(Math.max(...base)).toBeLessThan(20.01);
    expect(Math.max(...base) - Math.min(...base)).toBeGreaterThan(15);
    const near = snrsOf({ ...plain, nearCleanProbability: 1 }, 60);
    expect(Math.min(...near)).toBeGreaterThan(29.99);
    expect(Math.max(...near)).toBeLessThan(40.01);
  });

  test('noiseFreeProbability 1: the input is the target; shares of 0.2 / 0.3 come out near those shares', () => {
    setSeed(4);
    const p = new MixingSource('t', [speech], [noise], [], 16000, { ...plain, noiseFreeProbability: 1 }).draw(4000);
    expect(Array.from(p.noisy)).toEqual(Array.from(p.clean));
    expect(rms(p.noisy)).toBeGreaterThan(1e-3);
    const snrs = snrsOf({ ...plain, noiseFreeProbability: 0.2, nearCleanProbability: 0.3 }, 400);
    const share = (f: (v: number) => boolean): number => snrs.filter(f).length / snrs.length;
    expect(share((v) => v === Infinity)).toBeCloseTo(0.2, 1);
    expect(share((v) => v >= 29.99 && v < 40.01)).toBeCloseTo(0.3, 1);
    expect(share((v) => v > -5.01 && v < 20.01)).toBeCloseTo(0.5, 1);
  });

  test('validation mixtures are drawn without the nearly clean, noise-free, synthetic steady and whisper shares', async () => {
    const { initBackend } = await import('@gatewave/core');
    await initBackend('cpu', { quiet: true });
    const { validationSet, validationKey } = await import('../src/enhance/validation');
    const keyWith = (mix: typeof DEFAULT_MIX): string => {
      setSeed(2);
      const v = new MixingSource('v', [speech], [noise], [], 16000, mix);
      const set = validationSet({ train: v, validation: v, origin: {} }, 4, 2, 16000);
      const key = validationKey(set, { mask: 0, spectral: 10 });
      tf.dispose(set.batches.flatMap((b) => [b.clean, b.noisy]));
      return key;
    };
    const base = keyWith(plain);
    expect(keyWith({ ...plain, nearCleanProbability: 0.5, noiseFreeProbability: 0.5 })).toBe(base);
    expect(keyWith({ ...plain, steadyProbability: 0.5, whisperProbability: 0.5 })).toBe(base);
    expect(keyWith({ ...plain, babbleProbability: 0.4, musicProbability: 0.6 })).toBe(keyWith(DEFAULT_MIX_NO_AUG));
    expect(keyWith({ ...plain, minSnrDb: 0 })).not.toBe(base);
  });

  test('musicProbability 1 makes every interferer a music track; 0 (and no babble) every one a noise recording', () => {
    // the "music" alternates sign every sample (lag-1 correlation -1), the noise is white (about 0)
    const music = toInt16(Float32Array.from({ length: 32000 }, (_, i) => (i % 2 ? 0.2 : -0.2)));
    const lag1 = (mix: typeof DEFAULT_MIX): number[] => {
      setSeed(9);
      const src = new MixingSource('t', [speech], [noise], [music], 16000, mix);
      return Array.from({ length: 20 }, () => {
        const p = src.draw(8000);
        const r = p.noisy.map((v, i) => v - p.clean[i]);
        let a = 0;
        let b = 0;
        for (let i = 0; i + 1 < r.length; i++) {
          a += r[i] * r[i + 1];
          b += r[i] * r[i];
        }
        return a / b;
      });
    };
    for (const c of lag1({ ...plain, musicProbability: 1 })) expect(c).toBeLessThan(-0.95);
    for (const c of lag1(plain)) expect(Math.abs(c)).toBeLessThan(0.1);
  });

  test('settings out of range are errors that name them', () => {
    expect(() => checkMix({ ...DEFAULT_MIX, nearCleanProbability: 1.5 })).toThrow(/nearCleanProbability .* got 1\.5/);
    expect(() => checkMix({ ...DEFAULT_MIX, nearCleanProbability: 0.6, noiseFreeProbability: 0.5 })).toThrow(
      /must not exceed 1/,
    );
    expect(() => checkMix({ ...DEFAULT_MIX, steadyProbability: -0.1 })).toThrow(/steadyProbability .* got -0\.1/);
    expect(() => checkMix({ ...DEFAULT_MIX, whisperProbability: 2 })).toThrow(/whisperProbability .* got 2/);
    expect(() => checkMix({ ...DEFAULT_MIX, musicProbability: 0.9, babbleProbability: 0.2 })).toThrow(
      /babbleProbability \+ musicProbability must not exceed 1/,
    );
    expect(() => checkMix({ ...DEFAULT_MIX, nearCleanMinSnrDb: 40, nearCleanMaxSnrDb: 30 })).toThrow(/SNR range/);
    expect(() => checkMix(DEFAULT_MIX)).not.toThrow();
  });
});

describe('attenuation limit', () => {
  test('mixes the input back at 10^(-dB/20); 0 dB returns the input; outside 0-100 is an error', async () => {
    const { limitAttenuation } = await import('../src/enhance/atten-lim');
    const silence = {
      name: 'zero',
      sampleRate: 16000,
      contextSeconds: 0,
      enhance: async (x: Float32Array) => new Float32Array(x.length),
    };
    const x = Float32Array.from([1, -0.5, 0.25]);
    expect(Array.from(await limitAttenuation(silence, 0).enhance(x))).toEqual(Array.from(x));
    const y = await limitAttenuation(silence, 20).enhance(x);
    for (let i = 0; i < 3; i++) expect(y[i]).toBeCloseTo(0.1 * x[i], 6);
    expect(() => limitAttenuation(silence, -1)).toThrow(/from 0 to 100/);
    expect(() => limitAttenuation(silence, 101)).toThrow(/from 0 to 100/);
    expect(() => limitAttenuation(silence, NaN)).toThrow(/from 0 to 100/);
  });

  test('a new limit replaces the one an enhancer has (never stacks); unlimited() and attenuationLimitOf() see through it', async () => {
    const { limitAttenuation, unlimited, attenuationLimitOf } = await import('../src/enhance/atten-lim');
    const half = {
      name: 'half',
      sampleRate: 16000,
      contextSeconds: 0,
      enhance: async (x: Float32Array) => x.map((v) => v / 2),
    };
    const x = Float32Array.from([1, -0.5, 0.25]);
    const at6 = limitAttenuation(half, 6);
    const at20 = limitAttenuation(at6, 20);
    expect(attenuationLimitOf(at6)).toBe(6);
    expect(attenuationLimitOf(at20)).toBe(20);
    expect(attenuationLimitOf(half)).toBeNull();
    expect(unlimited(at20)).toBe(half);
    expect(unlimited(half)).toBe(half);
    expect(at20.name).toBe('half (attenuation limit 20 dB)');
    // g = 0.1: 0.9 · x/2 + 0.1 · x = 0.55 x (stacked on the 6 dB limit it would be 0.9 · (0.5 + 0.501 · 0.5) x + 0.1 x)
    const y = await at20.enhance(x);
    for (let i = 0; i < 3; i++) expect(y[i]).toBeCloseTo(0.55 * x[i], 6);
  });

  test("a model's recommended limit comes from its metadata; a value outside 0-100 dB is a corrupt model", async () => {
    const { recommendedAttenuationLimit } = await import('../src/enhance/frcrn-enhancer');
    expect(recommendedAttenuationLimit({ kind: 'frcrn' }, 'm')).toBeNull();
    expect(recommendedAttenuationLimit({ kind: 'frcrn', attenuationLimit: { db: 9 } }, 'm')).toBe(9);
    expect(() => recommendedAttenuationLimit({ kind: 'frcrn', attenuationLimit: { db: 140 } }, 'dir/m')).toThrow(
      /dir\/m: metadata\.attenuationLimit: .*from 0 to 100.*got 140/,
    );
    expect(() => recommendedAttenuationLimit({ kind: 'frcrn', attenuationLimit: {} }, 'm')).toThrow(/got undefined/);
  });
});

describe('scoreFolders', () => {
  test('pairs NAME.wav with NAME_enhanced.wav, gives per-file figures and means, and lists unpaired files', async () => {
    const { scoreFolders } = await import('../src/enhance/score');
    const { siSdr } = await import('../src');
    const c = path.join(tmp, 'sc', 'clean');
    const e = path.join(tmp, 'sc', 'est');
    const s1 = Float32Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin(i / 5) * Math.sin(i / 900));
    const s2 = Float32Array.from({ length: 16000 }, (_, i) => 0.2 * Math.sin(i / 3) * Math.cos(i / 700));
    const e1 = Float32Array.from(s1, (v, i) => v + 0.03 * Math.sin(i * 1.7));
    const e2 = Float32Array.from(s2, (v, i) => v + 0.05 * Math.cos(i * 2.3));
    fs.mkdirSync(c, { recursive: true });
    fs.mkdirSync(e, { recursive: true });
    writeWav(path.join(c, 'a.wav'), { sampleRate: 16000, channels: [s1] });
    writeWav(path.join(c, 'b.wav'), { sampleRate: 16000, channels: [s2] });
    writeWav(path.join(e, 'a_enhanced.wav'), { sampleRate: 16000, channels: [e1] });
    writeWav(path.join(e, 'b.wav'), { sampleRate: 16000, channels: [e2] });
    const r = scoreFolders(c, e);
    expect(r.files.map((f) => f.file)).toEqual(['a.wav', 'b.wav']);
    // PCM16 round trip: within 0.05 dB of the float figures
    expect(r.files[0].siSdr).toBeCloseTo(siSdr(s1, e1), 1);
    expect(r.mean.siSdr).toBeCloseTo((r.files[0].siSdr + r.files[1].siSdr) / 2, 10);
    writeWav(path.join(e, 'stray.wav'), { sampleRate: 16000, channels: [e2] });
    fs.rmSync(path.join(e, 'b.wav'));
    expect(() => scoreFolders(c, e)).toThrow(
      /no estimate for 1 reference\(s\) in .*clean \(b\.wav\); no reference for 1 estimate\(s\) in .*est \(stray\.wav\)/,
    );
  });
});

describe('warm start', () => {
  /**
   * Builds `config`, warm-starts it from the shipped model `from`, and checks that it computes that model's mask on a
   * random spectrogram (and that the mask is not near zero, which any two models would share). Returns the log line.
   */
  async function warmStartKeepsTheMask(config: string, from: string, seed: number): Promise<string> {
    const { initBackend, loadModel } = await import('@gatewave/core');
    await initBackend('cpu', { quiet: true });
    const { buildFrcrn, FRCRN_CONFIGS } = await import('../src/enhance/frcrn');
    const { warmStart } = await import('../src/enhance/train');
    const dir = path.resolve(__dirname, `../models/${from}`);
    const grown = buildFrcrn(FRCRN_CONFIGS[config]);
    const msg = await warmStart(grown, dir);
    const old = await loadModel(dir);
    const x = tf.randomNormal([1, 12, 321, 2], 0, 0.1, 'float32', seed);
    const a = (old.predict(x) as tf.Tensor).dataSync();
    const b = (grown.predict(x) as tf.Tensor).dataSync();
    let d = 0;
    for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
    expect(d).toBeLessThan(1e-5);
    expect(Math.max(...a.map(Math.abs))).toBeGreaterThan(1e-3);
    return msg;
  }

  test('medium started from the shipped small model computes the same mask', async () => {
    expect(await warmStartKeepsTheMask('medium', 'enhancer-small', 9)).toMatch(/new: s1_fullband0_fsmn$/);
  });

  test('large (1,422,338 parameters) started from the shipped medium model computes the same mask; only its second full-band block is new', async () => {
    const { buildFrcrn, FRCRN_LARGE, countParameters } = await import('../src/enhance/frcrn');
    expect(countParameters(buildFrcrn(FRCRN_LARGE))).toBe(1422338);
    expect(await warmStartKeepsTheMask('large', 'enhancer-medium', 11)).toMatch(
      /: \d+ layers copied; new: s1_fullband1_fsmn$/,
    );
  });

  test('large-cascade started from the shipped large model: both stages are large, so its mask is M(X) ⊙ M(M(X) ⊙ X)', async () => {
    const { initBackend, loadModel } = await import('@gatewave/core');
    await initBackend('cpu', { quiet: true });
    const { buildFrcrn, FRCRN_LARGE_CASCADE, countParameters } = await import('../src/enhance/frcrn');
    const { warmStart } = await import('../src/enhance/train');
    const dir = path.resolve(__dirname, '../models/enhancer-large');
    const cascade = buildFrcrn(FRCRN_LARGE_CASCADE);
    expect(countParameters(cascade)).toBe(2 * 1422338);
    expect(await warmStart(cascade, dir)).toMatch(/: \d+ layers copied; new: none$/);
    const large = await loadModel(dir);
    const times = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => {
      const [ar, ai] = tf.unstack(a, 3);
      const [br, bi] = tf.unstack(b, 3);
      return tf.stack([ar.mul(br).sub(ai.mul(bi)), ar.mul(bi).add(ai.mul(br))], 3);
    };
    const x = tf.randomNormal([1, 12, 321, 2], 0, 0.1, 'float32', 13);
    const m1 = large.predict(x) as tf.Tensor;
    const expected = times(m1, large.predict(times(m1, x)) as tf.Tensor).dataSync();
    const got = (cascade.predict(x) as tf.Tensor).dataSync();
    let d = 0;
    for (let i = 0; i < got.length; i++) d = Math.max(d, Math.abs(got[i] - expected[i]));
    expect(d).toBeLessThan(1e-5);
    expect(Math.max(...got.map(Math.abs))).toBeGreaterThan(1e-3);
  });
});

describe('shipped enhancers', () => {
  /**
   * Loads `dir` as loadEnhancer() would and checks its name, its recommended limit, its network's size, that it keeps the
   * length of its input, and that its limited output is its unlimited output mixed with the input at that limit.
   */
  async function checkShipped(dir: string | undefined, config: string, limitDb: number, parameters: number) {
    const { initBackend } = await import('@gatewave/core');
    await initBackend('cpu', { quiet: true });
    const { loadEnhancer, countParameters, unlimited, attenuationLimitOf, mixWithInput } = await import('../src');
    const limited = await loadEnhancer(dir);
    expect(limited.name).toBe(`frcrn-${config} (attenuation limit ${limitDb} dB)`);
    expect(attenuationLimitOf(limited)).toBe(limitDb);
    const e = unlimited(limited);
    expect(e.name).toBe(`frcrn-${config}`);
    const network = ((e as { network?: typeof e }).network ?? e) as unknown as { model: tf.LayersModel };
    expect(countParameters(network.model)).toBe(parameters);
    const x = tone(8000, 440, 0.1);
    const y = await limited.enhance(x);
    expect(y).toHaveLength(8000);
    const mixed = mixWithInput(x, await e.enhance(x), limitDb);
    for (let i = 0; i < y.length; i += 97) expect(y[i]).toBeCloseTo(mixed[i], 6);
  }

  test('the default is FRCRN large fed at -20 dBFS, averaged over 2 shifts, with 25 % wiener under its 16 dB limit', async () => {
    const { DEFAULT_MODEL_DIR, loadEnhancer, wienerShareOf, unlimited } = await import('../src');
    expect(path.resolve(DEFAULT_MODEL_DIR)).toBe(path.resolve(__dirname, '../models/enhancer-large'));
    await checkShipped(undefined, 'large (2 shifts) + 25 % wiener', 16, 1422338);
    const e = await loadEnhancer();
    expect(e.inputLevelDb).toBe(-20);
    const mixed = unlimited(e);
    expect(wienerShareOf(mixed)).toBe(0.25);
    expect(((mixed as WithWiener).network as FrcrnEnhancer).shifts).toBe(2);
  });

  test('medium loads with its 9 dB limit, and its checkpoint resumes the same config', async () => {
    const { MEDIUM_MODEL_DIR } = await import('../src');
    const dir = path.resolve(__dirname, '../models/enhancer-medium');
    expect(path.resolve(MEDIUM_MODEL_DIR)).toBe(dir);
    await checkShipped(dir, 'medium', 9, 722786);
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint', 'state.json'), 'utf8'));
    expect(state.config.name).toBe('medium');
    const opt = fs.statSync(path.join(dir, 'checkpoint', 'optimizer.bin')).size;
    const variables = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint', 'optimizer.json'), 'utf8'));
    expect(opt).toBe(
      4 * variables.reduce((n: number, s: { shape: number[] }) => n + s.shape.reduce((a, b) => a * b, 1), 0),
    );
  });
});
