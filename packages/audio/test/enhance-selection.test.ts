/**
 * Choosing a training run's saved model by its limited gain (train-enhancer --select-atten-lim): the score on
 * enhancers whose outputs are known, and a tiny run on a synthetic corpus whose saved model is the best by that score.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runAudioCli } from './audio-cli';
import { initBackend, loadModel, loadModelMetadata } from '@gatewave/core';
import { loadEnhancer, unlimited, wienerShareOf, writeWav } from '../src';
import { trainEnhancer, type TrainEnhancerOptions } from '../src/enhance/train';
import { limitedGainSelection, scoreFrcrnSelection, scoreSelection, selectionOn } from '../src/enhance/selection';
import { tuneAttenuationLimit } from '../src/enhance/tune';
import { knowing, mixtures, speechLike } from './enhance-oracles';
import { TINY_FRCRN } from './frcrn-tiny';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-enh-select-'));
beforeAll(() => initBackend(undefined, { quiet: true })); // native where built: the cpu backend takes minutes here
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('scoreSelection', () => {
  test('an enhancer that halves the noise scores its gain at the limit: 20·log10(1/(0.1 + 0.9·0.5)) dB at 20 dB', async () => {
    const { list, noiseOf } = mixtures();
    const sel = selectionOn(list, 20, 0, 'three 0 dB mixtures');
    const s = await scoreSelection(
      knowing(noiseOf, (x, n) => x - 0.5 * n),
      sel,
    );
    // mixed back at 10^(-20/20) = 0.1, the output is clean + (0.1 + 0.9 * 0.5) * noise
    expect(s.siSdrGain).toBeCloseTo(-20 * Math.log10(0.55), 1);
    expect(s.keepsStoi).toBe(true);
    expect(s.value).toBe(-s.siSdrGain);
  });

  test('an enhancer that removes the speech loses STOI and ranks below any that keeps it, by how much it loses', async () => {
    const { list, noiseOf } = mixtures();
    const eraser = knowing(noiseOf, (_x, n) => n);
    const s = await scoreSelection(eraser, selectionOn(list, 30, 0, 'three 0 dB mixtures'));
    const t = await tuneAttenuationLimit(eraser, list, { limits: [30] });
    const lost = t.scores.find((x) => x.limitDb === 30)!.worstStoiChange;
    expect(lost).toBeLessThan(-0.05);
    expect(s.keepsStoi).toBe(false);
    expect(s.value).toBeCloseTo(1000 - 1000 * lost, 6);
  });

  test('the key follows the limit, the tolerance and the mixtures; bad limits and tolerances are errors', () => {
    const { list } = mixtures();
    const key = (l: typeof list, db: number, tol: number) => selectionOn(l, db, tol, '').key;
    expect(key(list, 10, 0)).toBe(key(mixtures().list, 10, 0));
    expect(key(list, 10, 0)).toMatch(/^[0-9a-f]{8}$/);
    expect(key(list, 12, 0)).not.toBe(key(list, 10, 0));
    expect(key(list, 10, 0.005)).not.toBe(key(list, 10, 0));
    expect(key(list.slice(1), 10, 0)).not.toBe(key(list, 10, 0));
    expect(() => selectionOn(list, 120, 0, '')).toThrow(
      /the selection's attenuation limit must be a number of dB from 0 to 100 \(0 keeps the input, 100 is no limit\), got 120/,
    );
    expect(() => selectionOn(list, 10, -1, '')).toThrow(
      /the STOI tolerance needs one number >= 0, or one per group \(1: 0 dB\); got -1/,
    );
    expect(() => selectionOn(list, 10, [0, 0], '')).toThrow(/one per group \(1: 0 dB\); got 0,0/);
    // a tolerance list of one is the number; an input level changes the key, none keeps the old key
    expect(selectionOn(list, 10, [0.005], '').key).toBe(key(list, 10, 0.005));
    expect(selectionOn(list, 10, 0, '', -20).key).not.toBe(key(list, 10, 0));
    expect(selectionOn(list, 10, 0, '', null).key).toBe(key(list, 10, 0));
    expect(() => selectionOn(list, 10, 0, '', 3)).toThrow(/the selection's input level must be a number of dBFS/);
  });
});

/** A corpus manifest of synthetic speech and noise: one speaker and one noise each in train and validation. */
function tinyCorpus(): string {
  const dir = path.join(tmp, 'corpus');
  fs.mkdirSync(dir, { recursive: true });
  let seed = 11;
  const noise = (n: number) =>
    Float32Array.from(
      { length: n },
      () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.2,
    );
  const rows = ['file,role,split,package,licence,group,language,seconds,snr_db'];
  const add = (name: string, role: string, split: string, group: string, x: Float32Array) => {
    writeWav(path.join(dir, name), { sampleRate: 16000, channels: [x] });
    rows.push(`${name},${role},${split},synthetic,CC0,${group},xx,${(x.length / 16000).toFixed(3)},40`);
  };
  for (const [split, f] of [
    ['train', 5],
    ['validation', 7],
  ] as const) {
    add(`${split}-s1.wav`, 'speech', split, `${split}-speaker`, speechLike(32000, f));
    add(`${split}-s2.wav`, 'speech', split, `${split}-speaker`, speechLike(32000, f + 1));
    add(`${split}-n.wav`, 'noise', split, `${split}-noise`, noise(48000));
  }
  const manifest = path.join(dir, 'manifest.csv');
  fs.writeFileSync(manifest, `${rows.join('\n')}\n`);
  return manifest;
}

/** trainEnhancer on the tiny corpus; returns the state and what it logged. */
async function run(o: Partial<TrainEnhancerOptions>) {
  const lines: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => lines.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const state = await trainEnhancer({
      manifest: tinyCorpus(),
      out: path.join(tmp, 'model'),
      config: TINY_FRCRN,
      stepsPerEpoch: 2,
      batchSize: 2,
      minSeconds: 0.5,
      maxSeconds: 0.5,
      learningRate: 0.01,
      validationMixtures: 2,
      seed: 3,
      resume: true,
      ...o,
    });
    return { state, log: lines.join('') };
  } finally {
    process.stderr.write = write;
  }
}

/** The limited gain logged for the starting weights. */
function startGain(log: string): number {
  const m = /before training: .*, ([+-]\d+\.\d+) dB at the 10 dB limit/.exec(log);
  if (!m) throw new Error(`no starting limited gain in the log:\n${log}`);
  return Number(m[1]);
}

describe('trainEnhancer with selectAttenLimit', () => {
  test('needs a corpus manifest', async () => {
    const speechDir = path.join(tmp, 'folders-speech');
    await expect(
      trainEnhancer({ speechDir, noiseDir: speechDir, out: path.join(tmp, 'no'), selectAttenLimit: 10 }),
    ).rejects.toThrow(/--select-atten-lim\) needs a corpus --manifest/);
  });

  test('saves the epoch with the highest limited gain (the start included) and resumes with its bar', async () => {
    const first = await run({ epochs: 3, selectAttenLimit: 10, selectUtterances: 1 });
    const gains = [startGain(first.log), ...first.state.history.map((h) => h.limitedGain!)];
    expect(gains).toHaveLength(4);
    const bestEpoch = gains.indexOf(Math.max(...gains));
    const meta = loadModelMetadata(path.join(tmp, 'model'));
    expect(meta.epoch).toBe(bestEpoch);
    // and not the epoch with the lowest validation loss (here they differ: the loss would have saved another)
    const losses = first.state.history.map((h) => h.valLoss);
    expect(bestEpoch).not.toBe(1 + losses.indexOf(Math.min(...losses)));
    expect(meta.selectedBy).toMatch(/^1 validation utterances of 1 speakers at -5, 0, 5 dB, limit 10 dB$/);
    expect(first.state.selection!.best).toBeCloseTo(-Math.max(...gains), 2);
    // the saved model scores what was recorded for it
    const sel = limitedGainSelection(tinyCorpus(), 10, 1, 0);
    const saved = await loadModel(path.join(tmp, 'model'));
    const again = await scoreFrcrnSelection(saved, TINY_FRCRN, sel);
    saved.dispose();
    expect(again.siSdrGain).toBeCloseTo(meta.limitedGain as number, 3);
    expect(first.state.selection!.key).toBe(sel.key);
    // resumed with the same selection: the bar is kept, nothing is scored again
    const resumed = await run({ epochs: 3, selectAttenLimit: 10, selectUtterances: 1 });
    expect(resumed.log).toMatch(/resuming from .* after epoch 3/);
    expect(resumed.log).not.toMatch(/not measured on these mixtures before/);
    expect(resumed.state.selection).toEqual(first.state.selection);
  });

  test('with an input level: trains at the given levels, scores and saves the model fed at it', async () => {
    const out = path.join(tmp, 'leveled');
    const r = await run({
      out,
      epochs: 1,
      selectAttenLimit: 10,
      selectUtterances: 1,
      inputLevelDb: -20,
      mix: { minLevelDb: -25, maxLevelDb: -15 },
    });
    const meta = loadModelMetadata(out) as { inputLevel?: { db: number; chosenOn: string }; selectedBy?: string };
    expect(meta.inputLevel).toEqual({
      db: -20,
      chosenOn: 'train-enhancer --input-level (training mixtures at -25 to -15 dBFS)',
    });
    expect(meta.selectedBy).toMatch(/limit 10 dB, input level -20 dBFS$/);
    const sel = limitedGainSelection(tinyCorpus(), 10, 1, 0, -20);
    expect(r.state.selection!.key).toBe(sel.key);
    const saved = await loadModel(out);
    const again = await scoreFrcrnSelection(saved, TINY_FRCRN, sel);
    saved.dispose();
    expect(again.value).toBeCloseTo(r.state.selection!.best, 3);
    await expect(run({ out: path.join(tmp, 'no'), inputLevelDb: 3 })).rejects.toThrow(
      /inputLevelDb must be a number of dBFS from -80 to 0, got 3/,
    );
    await expect(run({ out: path.join(tmp, 'no'), mix: { minLevelDb: -10, maxLevelDb: -20 } })).rejects.toThrow(
      /the level range must have its minimum no larger than its maximum, at most 0 dBFS; got -10 to -20/,
    );
  });

  test('with a share of wiener in the loss: the saved model carries it and is scored with it', async () => {
    const out = path.join(tmp, 'mixed');
    const r = await run({ out, epochs: 1, selectAttenLimit: 10, selectUtterances: 1, lossWienerShare: 0.3 });
    const meta = loadModelMetadata(out) as { wienerShare?: { share: number; chosenOn: string }; selectedBy?: string };
    expect(meta.wienerShare).toEqual({ share: 0.3, chosenOn: 'train-enhancer --loss-wiener-share' });
    expect(meta.selectedBy).toMatch(/limit 10 dB, 30 % wiener$/);
    const sel = limitedGainSelection(tinyCorpus(), 10, 1, 0, null, 0.3);
    expect(r.state.selection!.key).toBe(sel.key);
    expect(sel.key).not.toBe(limitedGainSelection(tinyCorpus(), 10, 1, 0).key);
    const saved = await loadModel(out);
    expect((await scoreFrcrnSelection(saved, TINY_FRCRN, sel)).value).toBeCloseTo(r.state.selection!.best, 3);
    saved.dispose();
    expect(wienerShareOf(unlimited(await loadEnhancer(out)))).toBe(0.3);
  });

  test('a run chosen by the loss, resumed with a selection, scores its saved model and the resumed weights first', async () => {
    const out = path.join(tmp, 'by-loss');
    await run({ out, epochs: 1 });
    expect(loadModelMetadata(out).limitedGain).toBeUndefined();
    const r = await run({ out, epochs: 1, selectAttenLimit: 10, selectUtterances: 1 });
    expect(r.log).toMatch(
      /selection by limited gain, not measured on these mixtures before: resumed weights [+-]\d+\.\d+ dB at the 10 dB limit \((keeps|loses) STOI\); the model in .*by-loss [+-]\d+\.\d+ dB/,
    );
    expect(r.state.selection!.best).toBeLessThan(1e9);
  });
});

describe('gatewave-audio train-enhancer selection flags', () => {
  const runCli = (args: string[]) => runAudioCli(['train-enhancer', ...args]);

  test('--utterances and --stoi-tolerance go with --select-atten-lim; its limit is 0-100 dB', () => {
    const base = ['--manifest', path.join(tmp, 'none.csv'), '--out', path.join(tmp, 'cli-out')];
    const lone = runCli([...base, '--utterances', '3']);
    expect(lone.status).not.toBe(0);
    expect(lone.stderr).toMatch(/--utterances goes with --select-atten-lim/);
    const far = runCli([...base, '--select-atten-lim', '150']);
    expect(far.status).not.toBe(0);
    expect(far.stderr).toMatch(/--select-atten-lim.*a number of dB from 0 to 100/);
    expect(fs.existsSync(path.join(tmp, 'cli-out'))).toBe(false);
  });

  test('--input-level is -80 to 0 dBFS; --levels is a range lo,hi; --loss-stoi is a weight >= 0', () => {
    const base = ['--manifest', path.join(tmp, 'none.csv'), '--out', path.join(tmp, 'cli-out')];
    const loud = runCli([...base, '--input-level', '3']);
    expect(loud.status).toBe(2);
    expect(loud.stderr).toMatch(/--input-level.*dBFS from -80 to 0/);
    const backwards = runCli([...base, '--levels', '-10,-20']);
    expect(backwards.status).toBe(2);
    expect(backwards.stderr).toMatch(/--levels needs two numbers lo,hi with lo <= hi/);
    const negative = runCli([...base, '--loss-stoi', '-1']);
    expect(negative.status).toBe(2);
    expect(negative.stderr).toMatch(/--loss-stoi.*a number from 0 to 1000/);
    expect(fs.existsSync(path.join(tmp, 'cli-out'))).toBe(false);
  });
});
