/**
 * Averaging an FRCRN network's output over shifts of its STFT frame grid: the offsets, the average against hand-made
 * references, the input level kept across shifts, the number of shifts in a model's metadata, a user's override
 * (`enhance --shifts`), and choosing it on validation data (`tune-enhancer --shift-counts`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { runAudioCli } from './audio-cli';
import { loadModelMetadata } from '@gatewave/core';
import { loadEnhancer, loadFrcrnEnhancer, readWav, writeWav, SMALL_MODEL_DIR } from '../src';
import { averageOverShifts, checkShifts, shiftOffsets } from '../src/enhance/shifts';
import { rms } from '../src/dsp/level';
import { saveTuned } from '../src/enhance/tuned-model';
import { tuneNetworkSettings } from '../src/enhance/tune-settings';
import { withOverrides, withWiener } from '../src/enhance/wiener-share';
import { attenuationLimitOf, mixWithInput, unlimited } from '../src/enhance/atten-lim';
import { WienerEnhancer } from '../src/enhance/wiener';
import { smallNetworkFixture } from './small-network';
import { knowing, mixtures, speechLike } from './enhance-oracles';

const { tmp, network: small } = smallNetworkFixture('gw-enh-shifts-');

const maxAbsDiff = (a: Float32Array, b: Float32Array): number =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** A noisy speech-like test input of `n` samples at about −26 dBFS. */
function noisy(n = 16000): Float32Array {
  const { list } = mixtures();
  return Float32Array.from({ length: n }, (_, i) => 0.1 * list[1].noisy[i % 16000]);
}

/** x delayed by `offset` samples (zeros in front), as averageOverShifts feeds it. */
const delayed = (x: Float32Array, offset: number): Float32Array => {
  const d = new Float32Array(x.length + offset);
  d.set(x, offset);
  return d;
};

describe('the offsets and the average', () => {
  test('offsets are evenly spaced within one hop; 1 to 8 shifts', () => {
    expect(shiftOffsets(1, 320)).toEqual([0]);
    expect(shiftOffsets(2, 320)).toEqual([0, 160]);
    expect(shiftOffsets(3, 320)).toEqual([0, 107, 213]);
    expect(shiftOffsets(4, 320)).toEqual([0, 80, 160, 240]);
    expect(checkShifts(8)).toBe(8);
    for (const bad of [0, 9, 1.5, NaN])
      expect(() => checkShifts(bad, '--shifts')).toThrow(
        new RegExp(`--shifts must be a whole number from 1 \\(no averaging\\) to 8, got ${String(bad)}`),
      );
  });

  test('the mean of what a position-dependent process gives at each offset, realigned', async () => {
    const x = Float32Array.from({ length: 13 }, (_, i) => i + 1);
    // drops every sample at a multiple of 4 of its own input's positions, and records what it was given
    const seen: number[] = [];
    const dropEveryFourth = async (d: Float32Array) => {
      seen.push(d.length);
      return d.map((v, i) => (i % 4 === 0 ? 0 : v));
    };
    const y = await averageOverShifts(x, [0, 2], dropEveryFourth);
    expect(seen).toEqual([13, 15]);
    // sample i sits at i in the first pass and at i + 2 in the second
    const expected = x.map((v, i) => ((i % 4 === 0 ? 0 : v) + ((i + 2) % 4 === 0 ? 0 : v)) / 2);
    expect(Array.from(y)).toEqual(Array.from(expected));
    // one offset of 0 is the process itself
    expect(Array.from(await averageOverShifts(x, [0], dropEveryFourth))).toEqual(
      Array.from(x.map((v, i) => (i % 4 === 0 ? 0 : v))),
    );
  });
});

describe('an FRCRN network averaged over shifts', () => {
  test('equals the mean of the network at each offset, fed at the input level of the undelayed input', async () => {
    const x = noisy();
    const leveled = small().atInputLevel(-20);
    const two = leveled.withShifts(2);
    expect(two.shifts).toBe(2);
    expect(two.inputLevelDb).toBe(-20);
    expect(two.atInputLevel(-25).shifts).toBe(2); // the level and the shifts are set independently
    expect(two.name).toBe('frcrn-small (2 shifts)');
    const level = { rms: rms(x) };
    const first = await leveled.enhance(x);
    const second = (await leveled.enhance(delayed(x, 160), level)).subarray(160);
    const y = await two.enhance(x);
    expect(
      maxAbsDiff(
        y,
        first.map((v, i) => (v + second[i]) / 2),
      ),
    ).toBeLessThan(1e-6);
    // the second pass really differs from the first (the frame grid moved), so the mean is not either one
    expect(maxAbsDiff(first, second)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(await leveled.withShifts(1).enhance(x), first)).toBe(0);
    expect(() => small().withShifts(0)).toThrow(/shifts must be a whole number from 1/);
  });

  test('a model with shifts in its metadata loads with them; 1 removes them; a bad value is a corrupt model', async () => {
    const dir = path.join(tmp, 'shifted');
    await saveTuned(SMALL_MODEL_DIR, dir, { attenuationLimitDb: 9, shifts: 3 }, 'a test');
    expect((loadModelMetadata(dir) as { shifts?: unknown }).shifts).toEqual({ count: 3, chosenOn: 'a test' });
    const net = await loadFrcrnEnhancer(dir);
    expect(net.shifts).toBe(3);
    const x = noisy();
    const e = await loadEnhancer(dir);
    expect(maxAbsDiff(await e.enhance(x), mixWithInput(x, await small().withShifts(3).enhance(x), 9))).toBeLessThan(
      1e-6,
    );
    net.dispose();
    e.dispose?.();
    const none = path.join(tmp, 'shifted-none');
    await saveTuned(dir, none, { attenuationLimitDb: 9, shifts: 1 }, 'a test');
    expect((loadModelMetadata(none) as { shifts?: unknown }).shifts).toBeUndefined();
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    json.metadata.shifts.count = 9;
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    await expect(loadEnhancer(dir)).rejects.toThrow(/shifted: metadata\.shifts: shifts must be a whole number from 1/);
  });
});

describe('a user overriding the shifts', () => {
  const dir = path.join(tmp, 'overrides');
  beforeAll(() => saveTuned(SMALL_MODEL_DIR, dir, { attenuationLimitDb: 9, wienerShare: 0.3 }, 'a test'));

  test('withOverrides replaces the shifts and keeps the share of wiener and the limit', async () => {
    const model = await loadEnhancer(dir);
    const x = noisy();
    const shifted = withOverrides(model, { shifts: 2 });
    expect(attenuationLimitOf(shifted)).toBe(9);
    const expected = mixWithInput(x, await withWiener(small().withShifts(2), 0.3).enhance(x), 9);
    expect(maxAbsDiff(await shifted.enhance(x), expected)).toBeLessThan(1e-6);
    expect(unlimited(shifted).name).toBe('frcrn-small (2 shifts) + 30 % wiener');
    expect(() => withOverrides(new WienerEnhancer(), { shifts: 2 })).toThrow(
      /shifts average a network's output: give them with an FRCRN model, not wiener/,
    );
  });

  test('gatewave-audio enhance --shifts 2 writes what the library gives; bad counts and wiener are errors', async () => {
    const input = path.join(tmp, 'in.wav');
    const x = noisy();
    writeWav(input, { sampleRate: 16000, channels: [x] }, { format: 'float32' });
    const out = path.join(tmp, 'enh-out');
    const r = runAudioCli(['enhance', input, '-o', out, '--model', dir, '--shifts', '2']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    const y = readWav(path.join(out, 'in_enhanced.wav')).channels[0];
    const expected = mixWithInput(x, await withWiener(small().withShifts(2), 0.3).enhance(x), 9);
    expect(maxAbsDiff(y, expected)).toBeLessThan(1e-5);
    for (const [args, message] of [
      [['--model', dir, '--shifts', '0'], /--shifts.*a whole number from 1 to 8/],
      [['--model', dir, '--shifts', '1.5'], /--shifts.*a whole number from 1 to 8/],
      [['--model', 'wiener', '--shifts', '2'], /shifts average a network's output/],
    ] as const) {
      const bad = path.join(tmp, 'never-enh');
      const b = runAudioCli(['enhance', input, '-o', bad, ...args]);
      expect(b.stderr).toMatch(message);
      expect(b.status).toBe(2);
      expect(fs.existsSync(path.join(bad, 'in_enhanced.wav'))).toBe(false);
    }
  });
});

describe('choosing the number of shifts', () => {
  test('tuneNetworkSettings scores each count of the grid and chooses the best by the rule', async () => {
    const { list, noiseOf } = mixtures();
    // averaged over n shifts, this "network" leaves 1/(n + 1) of the noise
    const at = (n: number) => ({ atInputLevel: () => knowing(noiseOf, (x, v) => x - (n / (n + 1)) * v) });
    const network = { ...at(1), withShifts: at };
    const grid = { inputLevels: [null], wienerShares: [0], shifts: [1, 3] };
    const t = await tuneNetworkSettings(network, list, grid, { limits: [] });
    expect(t.chosen).toEqual({ inputLevelDb: null, wienerShare: 0, shifts: 3, limitDb: null });
    const [one, three] = t.settings.map((s) => s.result.scores[0].siSdrGain);
    expect(t.settings.map((s) => s.shifts)).toEqual([1, 3]);
    expect(one).toBeCloseTo(20 * Math.log10(2), 1); // half the noise left: +6.0 dB
    expect(three).toBeCloseTo(20 * Math.log10(4), 1); // a quarter left: +12.0 dB
    // without a grid of shifts nothing is said about them; a network that cannot shift cannot be given one
    const plain = await tuneNetworkSettings(at(1), list, { inputLevels: [null], wienerShares: [0] }, { limits: [] });
    expect(plain.chosen).toEqual({ inputLevelDb: null, wienerShare: 0, limitDb: null });
    await expect(tuneNetworkSettings(at(1), list, grid, { limits: [] })).rejects.toThrow(
      /this network cannot be averaged over shifts/,
    );
  });

  test('gatewave-audio tune-enhancer --shift-counts writes the chosen count into the copy, with a table per count', () => {
    const clean = path.join(tmp, 'cli-clean');
    const noisyDir = path.join(tmp, 'cli-noisy');
    fs.mkdirSync(clean);
    fs.mkdirSync(noisyDir);
    const n = noisy();
    [5, 6].forEach((f, k) => {
      const c = speechLike(16000, f);
      writeWav(path.join(clean, `u${k}.wav`), { sampleRate: 16000, channels: [c] });
      writeWav(path.join(noisyDir, `u${k}.wav`), {
        sampleRate: 16000,
        channels: [c.map((v, i) => v + 0.5 * n[i])],
      });
    });
    const out = path.join(tmp, 'tuned');
    const base = ['tune-enhancer', '--model', SMALL_MODEL_DIR, '--clean', clean, '--noisy', noisyDir, '--limits', '6'];
    const r = runAudioCli([...base, '--out', out, '--shift-counts', '1,2', '--stoi-tolerance', '1']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/no input level, 0 % wiener, 1 shift( \(chosen\))?\n/);
    expect(r.stdout).toMatch(/no input level, 0 % wiener, 2 shifts/);
    expect(r.stdout.match(/<- chosen/g)).toHaveLength(1);
    const said = /, no input level, 0 % wiener, (\d) shifts? ->/.exec(r.stderr)!;
    const meta = loadModelMetadata(out) as { shifts?: { count: number } };
    expect(meta.shifts?.count ?? 1).toBe(Number(said[1]));
    const bad = runAudioCli([...base, '--out', path.join(tmp, 'never'), '--shift-counts', '1,9']);
    expect(bad.stderr).toMatch(/--shift-counts.*whole numbers from 1 to 8/);
    expect(bad.status).toBe(2);
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
  });
});
