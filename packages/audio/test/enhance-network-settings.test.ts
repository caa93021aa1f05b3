/**
 * An FRCRN network's settings. Feeding it at a fixed input level: the level arithmetic, level invariance of a model that has one (and
 * the shipped small model's dependence on level without it), chunked output equal to whole-file output, the level in
 * a model's metadata, and choosing the level (and a share of `wiener`) with the attenuation limit
 * (`tuneNetworkSettings`, `tune-enhancer --input-levels --wiener-shares`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { runAudioCli } from './audio-cli';
import { loadModelMetadata } from '@gatewave/core';
import { enhanceAudio, loadEnhancer, loadFrcrnEnhancer, readWav, siSdr, writeWav, SMALL_MODEL_DIR } from '../src';
import { ChannelPower } from '../src/enhance/input-level';
import { checkInputLevel, levelGain } from '../src/dsp/level';
import { rms as rmsOf } from '../src/dsp/level';
import { tuneAttenuationLimit } from '../src/enhance/tune';
import { tuneNetworkSettings } from '../src/enhance/tune-settings';
import { saveTuned } from '../src/enhance/tuned-model';
import { withOverrides, withWiener, wienerShareOf } from '../src/enhance/wiener-share';
import { WienerEnhancer } from '../src/enhance/wiener';
import type { Enhancer } from '../src/enhance/pipeline';
import { smallNetworkFixture } from './small-network';
import { knowing, mixtures, speechLike } from './enhance-oracles';

const { tmp, network: small } = smallNetworkFixture('gw-enh-level-');

/** 1.5 s of speech-like signal in seeded noise at 0 dB, at an RMS of `rms`. */
function noisyAt(rms: number, n = 24000): Float32Array {
  const { list } = mixtures();
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = list[i % 3 === 0 ? 0 : 1].noisy[i % 16000];
  const k = rms / rmsOf(x);
  return x.map((v) => v * k);
}

const maxAbsDiff = (a: Float32Array, b: Float32Array): number =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const peak = (a: Float32Array): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe('input level arithmetic', () => {
  test('levels are -80 to 0 dBFS; the gain brings an RMS to the level; silence is left alone', () => {
    expect(checkInputLevel(-20)).toBe(-20);
    for (const bad of [5, -81, NaN, Infinity])
      expect(() => checkInputLevel(bad, '--input-level')).toThrow(
        new RegExp(`--input-level must be a number of dBFS from -80 to 0, got ${String(bad)}`),
      );
    expect(levelGain(0.01, -20)).toBeCloseTo(10, 9); // 0.01 RMS is -40 dBFS: 20 dB up
    expect(levelGain(0, -20)).toBe(1);
    expect(levelGain(NaN, -20)).toBe(1);
    expect(rmsOf(Float32Array.from([3, -4, 0, 0]))).toBeCloseTo(2.5, 9);
    const p = new ChannelPower(2);
    p.add([Float32Array.from([3, -4]), Float32Array.from([1, 1])]);
    p.add([Float32Array.from([0, 0]), Float32Array.from([1, 1])]);
    expect(p.levels().map((l) => l.rms)).toEqual([2.5, 1]);
  });
});

describe('an FRCRN model fed at an input level', () => {
  test("the shipped small model's output depends on the input's level; at an input level it scales with it", async () => {
    const x = noisyAt(0.05);
    const leveled = small().atInputLevel(-20);
    const y = await leveled.enhance(x);
    for (const k of [0.01, 30]) {
      const scaled = x.map((v) => v * k);
      const yk = await leveled.enhance(scaled);
      expect(
        maxAbsDiff(
          yk,
          y.map((v) => v * k),
        ) /
          (k * peak(y)),
      ).toBeLessThan(1e-4);
      // without the level the model treats the quieter or louder input differently
      const bare = await small().enhance(scaled);
      expect(siSdr(y, bare)).toBeLessThan(25);
    }
    // fed at -20 dBFS: what the bare network does to the input brought to -20 dBFS, scaled back
    const g = levelGain(rmsOf(x), -20);
    const viaBare = (await small().enhance(x.map((v) => v * g))).map((v) => v / g);
    expect(maxAbsDiff(y, viaBare) / peak(y)).toBeLessThan(1e-4);
  });

  test("chunked output equals whole-file output: every chunk is fed at the whole channel's level", async () => {
    // a loud half and a quiet half: chunks fed at their own levels would be fed 26 dB apart
    const x = new Float32Array(64000);
    x.set(noisyAt(0.2, 32000));
    x.set(noisyAt(0.01, 32000), 32000);
    const leveled = small().atInputLevel(-20);
    const whole = (await enhanceAudio({ sampleRate: 16000, channels: [x] }, leveled)).channels[0];
    const chunked = (await enhanceAudio({ sampleRate: 16000, channels: [x] }, leveled, { chunkSeconds: 1 }))
      .channels[0];
    expect(siSdr(whole, chunked)).toBeGreaterThan(40);
    // the same chunks, each fed at its own level (as without the pipeline's measurement), differ
    const own: Enhancer = { name: 'own', sampleRate: 16000, contextSeconds: 2, enhance: (c) => leveled.enhance(c) };
    const ownLevels = (await enhanceAudio({ sampleRate: 16000, channels: [x] }, own, { chunkSeconds: 1 })).channels[0];
    expect(siSdr(whole, ownLevels)).toBeLessThan(30);
  });

  test('a model with inputLevel in its metadata loads fed at it; a bad value is a corrupt model', async () => {
    const dir = path.join(tmp, 'leveled');
    await saveTuned(SMALL_MODEL_DIR, dir, { attenuationLimitDb: 9, inputLevelDb: -25 }, 'a test');
    const meta = loadModelMetadata(dir) as { inputLevel?: { db: number; chosenOn: string } };
    expect(meta.inputLevel).toEqual({ db: -25, chosenOn: 'a test' });
    const e = await loadEnhancer(dir);
    expect(e.inputLevelDb).toBe(-25); // through the attenuation limit's wrapper
    const net = await loadFrcrnEnhancer(dir);
    expect(net.inputLevelDb).toBe(-25);
    const x = noisyAt(0.003);
    const direct = await small().atInputLevel(-25).enhance(x);
    expect(maxAbsDiff(await net.enhance(x), direct)).toBeLessThan(1e-7);
    net.dispose();
    e.dispose?.();
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    json.metadata.inputLevel.db = 6;
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    await expect(loadEnhancer(dir)).rejects.toThrow(
      /leveled: metadata\.inputLevel: input level must be a number of dBFS from -80 to 0, got 6/,
    );
  });
});

describe('a share of wiener', () => {
  test('the output is (1 - share) network + share wiener; 0 is the network; the limit goes on top', async () => {
    const { limitAttenuation, unlimited, mixWithInput } = await import('../src');
    const x = noisyAt(0.05, 16000);
    const leveled = small().atInputLevel(-20);
    const mixed = withWiener(leveled, 0.25);
    expect(withWiener(leveled, 0)).toBe(leveled);
    expect(wienerShareOf(mixed)).toBe(0.25);
    expect(mixed.inputLevelDb).toBe(-20);
    const net = await leveled.enhance(x);
    const w = await new WienerEnhancer().enhance(x);
    const y = await mixed.enhance(x);
    for (let i = 0; i < y.length; i += 101) expect(y[i]).toBeCloseTo(0.75 * net[i] + 0.25 * w[i], 6);
    const limited = limitAttenuation(mixed, 12);
    expect(unlimited(limited)).toBe(mixed);
    const z = await limited.enhance(x);
    const expected = mixWithInput(x, y, 12);
    for (let i = 0; i < z.length; i += 101) expect(z[i]).toBeCloseTo(expected[i], 6);
    for (const bad of [1, -0.1, NaN])
      expect(() => withWiener(leveled, bad)).toThrow(/wiener share must be a number from 0 up to 1/);
  });

  test('a model with wienerShare in its metadata loads with it; 0 removes it; a bad value is a corrupt model', async () => {
    const dir = path.join(tmp, 'shared');
    await saveTuned(SMALL_MODEL_DIR, dir, { attenuationLimitDb: null, wienerShare: 0.3 }, 'a test');
    const e = await loadEnhancer(dir);
    expect(wienerShareOf(e)).toBe(0.3);
    const x = noisyAt(0.05, 16000);
    const expected = await withWiener(small(), 0.3).enhance(x);
    expect(maxAbsDiff(await e.enhance(x), expected)).toBeLessThan(1e-7);
    e.dispose?.();
    const none = path.join(tmp, 'shared-none');
    await saveTuned(dir, none, { attenuationLimitDb: null, wienerShare: 0 }, 'a test');
    expect((loadModelMetadata(none) as { wienerShare?: unknown }).wienerShare).toBeUndefined();
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    json.metadata.wienerShare.share = 1;
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    await expect(loadEnhancer(dir)).rejects.toThrow(/shared: metadata\.wienerShare: wiener share must be a number/);
  });
});

describe('a user overriding the share of wiener', () => {
  const dir = path.join(tmp, 'overrides');
  beforeAll(() => saveTuned(SMALL_MODEL_DIR, dir, { attenuationLimitDb: 9, wienerShare: 0.3 }, 'a test'));

  test('withOverrides replaces the share and the limit it is given, and keeps the others', async () => {
    const { attenuationLimitOf, mixWithInput, unlimited } = await import('../src');
    const model = await loadEnhancer(dir);
    const x = noisyAt(0.05, 16000);
    const bare = await small().enhance(x);
    const alone = withOverrides(model, { wienerShare: 0 });
    expect(attenuationLimitOf(alone)).toBe(9);
    expect(wienerShareOf(unlimited(alone))).toBe(0);
    expect(maxAbsDiff(await alone.enhance(x), mixWithInput(x, bare, 9))).toBeLessThan(1e-6);
    const more = withOverrides(model, { wienerShare: 0.6, attenuationLimitDb: 20 });
    expect(attenuationLimitOf(more)).toBe(20);
    const w = await new WienerEnhancer().enhance(x);
    const expected = mixWithInput(
      x,
      bare.map((v, i) => 0.4 * v + 0.6 * w[i]),
      20,
    );
    expect(maxAbsDiff(await more.enhance(x), expected)).toBeLessThan(1e-6);
    expect(withOverrides(model, {})).toBe(model);
    expect(wienerShareOf(unlimited(withOverrides(model, { attenuationLimitDb: 3 })))).toBe(0.3);
    expect(() => withOverrides(new WienerEnhancer(), { wienerShare: 0.2 })).toThrow(
      /a share of wiener mixes wiener into a model: give it with an FRCRN model/,
    );
  });

  test('gatewave-audio enhance --wiener-share: 0 gives the network alone; bad values and wiener are errors', async () => {
    const input = path.join(tmp, 'in.wav');
    const x = noisyAt(0.05, 16000);
    writeWav(input, { sampleRate: 16000, channels: [x] }, { format: 'float32' });
    const out = path.join(tmp, 'enh-out');
    const r = runAudioCli(['enhance', input, '-o', out, '--model', dir, '--wiener-share', '0', '--atten-lim', '100']);
    expect(r.status).toBe(0);
    const y = readWav(path.join(out, 'in_enhanced.wav')).channels[0];
    const { mixWithInput } = await import('../src');
    expect(maxAbsDiff(y, mixWithInput(x, await small().enhance(x), 100))).toBeLessThan(1e-5);
    for (const [args, message] of [
      [['--model', dir, '--wiener-share', '1'], /--wiener-share.*a number from 0 up to 1/],
      [['--model', 'wiener', '--wiener-share', '0.2'], /a share of wiener mixes wiener into a model/],
    ] as const) {
      const bad = path.join(tmp, 'never-enh');
      const b = runAudioCli(['enhance', input, '-o', bad, ...args]);
      expect(b.status).toBe(2);
      expect(b.stderr).toMatch(message);
      expect(fs.existsSync(path.join(bad, 'in_enhanced.wav'))).toBe(false);
    }
  });
});

describe('tuneNetworkSettings', () => {
  test('chooses the level and limit pair by the rule: here the level at which the oracle halves the noise', async () => {
    const { list, noiseOf } = mixtures();
    // removes half the noise when fed at -20 dBFS, a tenth elsewhere
    const network = {
      atInputLevel: (db: number | null) => knowing(noiseOf, (x, n) => x - (db === -20 ? 0.5 : 0.1) * n),
    };
    const grid = { inputLevels: [-30, -20, -10], wienerShares: [0] };
    const t = await tuneNetworkSettings(network, list, grid, { limits: [6, 20] });
    expect(t.chosen).toEqual({ inputLevelDb: -20, wienerShare: 0, limitDb: null });
    expect(t.keepsStoi).toBe(true);
    expect(t.settings.map((l) => l.inputLevelDb)).toEqual([-30, -20, -10]);
    const gain = (db: number) => t.settings.find((l) => l.inputLevelDb === db)!.result.scores[0].siSdrGain;
    expect(gain(-20)).toBeGreaterThan(5.5); // 20·log10(1/0.5) = 6.0 dB
    expect(gain(-30)).toBeCloseTo(gain(-10), 9);
    expect(gain(-30)).toBeLessThan(1); // 20·log10(1/0.9) = 0.9 dB
  });

  test('a share of wiener whose errors are independent of the network: half of each halves the error (+3 dB)', async () => {
    const { list, noiseOf } = mixtures();
    // the network leaves half the noise; "wiener" leaves half of the noise played backwards, as strong and uncorrelated
    const network = { atInputLevel: () => knowing(noiseOf, (x, n) => x - 0.5 * n) };
    const wiener = knowing(noiseOf, () => 0);
    wiener.enhance = async (x: Float32Array) => {
      const n = [...noiseOf].find(([k]) => k.length === x.length && k.every((v, i) => v === x[i]))![1];
      return x.map((v, i) => v - n[i] + 0.5 * n[n.length - 1 - i]);
    };
    const grid = { inputLevels: [null], wienerShares: [0, 0.5] };
    const t = await tuneNetworkSettings(network, list, grid, { limits: [] }, wiener);
    expect(t.chosen).toEqual({ inputLevelDb: null, wienerShare: 0.5, limitDb: null });
    const [alone, half] = t.settings.map((s) => s.result.scores[0].siSdrGain);
    expect(half - alone).toBeGreaterThan(2.7);
    expect(half - alone).toBeLessThan(3.3);
  });

  test('a STOI tolerance per group: a group may fall as far as its own tolerance, and a list must fit the groups', async () => {
    const { list, noiseOf } = mixtures();
    const two = [...list, ...list.map((m) => ({ ...m, group: 'other' }))];
    const eraser = knowing(noiseOf, (_x, n) => n); // removes the speech: STOI falls in both groups
    const strict = await tuneAttenuationLimit(eraser, two, { limits: [20] });
    const lost = strict.scores.find((s) => s.limitDb === 20)!.groups.map((g) => -g.stoiChange);
    expect(strict.scores.find((s) => s.limitDb === 20)!.keepsStoi).toBe(false);
    expect(lost.every((l) => l > 0.01)).toBe(true);
    const loose = await tuneAttenuationLimit(eraser, two, { limits: [20], stoiTolerance: [lost[0] + 1e-6, 1] });
    expect(loose.scores.find((s) => s.limitDb === 20)!.keepsStoi).toBe(true);
    const tight = await tuneAttenuationLimit(eraser, two, { limits: [20], stoiTolerance: [lost[0] - 1e-4, 1] });
    expect(tight.scores.find((s) => s.limitDb === 20)!.keepsStoi).toBe(false);
    await expect(tuneAttenuationLimit(eraser, two, { limits: [20], stoiTolerance: [0, 0, 0] })).rejects.toThrow(
      /the STOI tolerance needs one number >= 0, or one per group \(2: 0 dB, other\); got 0,0,0/,
    );
  });
});

describe('gatewave-audio tune-enhancer --input-levels and --wiener-shares', () => {
  const run = (args: string[]) => runAudioCli(['tune-enhancer', ...args]);
  const clean = path.join(tmp, 'cli-clean');
  const noisy = path.join(tmp, 'cli-noisy');
  beforeAll(() => {
    fs.mkdirSync(clean);
    fs.mkdirSync(noisy);
    [5, 6].forEach((f, k) => {
      const c = speechLike(16000, f);
      writeWav(path.join(clean, `u${k}.wav`), { sampleRate: 16000, channels: [c] });
      writeWav(path.join(noisy, `u${k}.wav`), { sampleRate: 16000, channels: [noisyAt(0.02, 16000)] });
    });
  });

  test('writes the chosen level and limit into the copy, with a table per level', () => {
    const out = path.join(tmp, 'tuned');
    const args = ['--model', SMALL_MODEL_DIR, '--clean', clean, '--noisy', noisy, '--out', out, '--limits', '6'];
    const r = run([...args, '--input-levels', '-40,-20', '--stoi-tolerance', '0.01']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/input level -40 dBFS/);
    expect(r.stdout).toMatch(/input level -20 dBFS/);
    expect(r.stdout.match(/<- chosen/g)).toHaveLength(1);
    const meta = loadModelMetadata(out) as { inputLevel: { db: number }; attenuationLimit?: { db: number } };
    const said = /tune-enhancer: (no limit|an attenuation limit of (\d+) dB), input level (-\d+) dBFS/.exec(r.stderr)!;
    expect(meta.inputLevel.db).toBe(Number(said[3]));
    expect(meta.attenuationLimit?.db).toBe(said[2] === undefined ? undefined : Number(said[2]));
    const json = JSON.parse(
      run([...args, '--out', path.join(tmp, 'tuned-json'), '--input-levels', '-40,-20', '--json']).stdout,
    );
    expect(json.settings.map((l: { inputLevelDb: number }) => l.inputLevelDb)).toEqual([-40, -20]);
    // the share of wiener, tuned with the model's own level (none for small())
    const shared = path.join(tmp, 'tuned-shares');
    const w = run([...args, '--out', shared, '--wiener-shares', '0,0.5', '--stoi-tolerance', '0.01']);
    expect(w.status).toBe(0);
    expect(w.stdout).toMatch(/no input level, 50 % wiener/);
    const m = loadModelMetadata(shared) as { wienerShare?: { share: number }; inputLevel?: unknown };
    const chose = /, no input level, (\d+) % wiener/.exec(w.stderr)!;
    expect(m.wienerShare?.share ?? 0).toBe(Number(chose[1]) / 100);
    expect(m.inputLevel).toBeUndefined();
  });

  test('bad levels and tolerances are errors (exit 2) that write nothing', () => {
    const out = path.join(tmp, 'never');
    const base = ['--model', SMALL_MODEL_DIR, '--clean', clean, '--noisy', noisy, '--out', out];
    const cases: Array<[string[], RegExp]> = [
      [['--input-levels', '-20,5'], /--input-levels.*dBFS from -80 to 0/],
      [['--stoi-tolerance', '0,-1'], /--stoi-tolerance/],
      [['--stoi-tolerance', '0,0'], /one per group \(1: all\)/],
      [['--wiener-shares', '0,1'], /--wiener-shares.*numbers from 0 up to 1/],
    ];
    for (const [args, message] of cases) {
      const r = run([...base, ...args]);
      expect(r.stderr).toMatch(message);
      expect(r.status).toBe(2);
    }
    expect(fs.existsSync(out)).toBe(false);
  });
});
