/**
 * Both trainers read their checkpoints through @gatewave/core's one checkpoint module. These tests resume from copies
 * of the two committed checkpoints (written by the trainers' earlier, separate formats) and check the restored
 * weights, Adam moments, step count, epoch and learning rate against values read from those files.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend, loadCheckpoint, loadModel, loadModelMetadata, loadOptimizerState, tf } from '@gatewave/core';
import { trainEnhancer, type TrainEnhancerOptions } from '../src/enhance/train';
import { countParameters } from '../src/enhance/frcrn';
import { readWav, writeWav } from '../src/io/wav';
import { describeShared, SHARED } from './shared-data';

const ROOT = path.resolve(__dirname, '../../..');
const ENHANCER_CKPT = path.join(ROOT, 'packages/audio/models/enhancer-medium/checkpoint');
const DETECTOR_CKPT = path.join(ROOT, 'checkpoints/detector-foa-corpus/model.checkpoint');
const ENHANCER_RUN2_CKPT = path.join(ROOT, 'checkpoints/enhancer-medium-run2/model.checkpoint');
const MIC4_CKPT = path.join(ROOT, 'checkpoints/detector-mic4-corpus/model.checkpoint');
const ENHANCER_LARGE_CKPT = path.join(ROOT, 'checkpoints/enhancer-large/model.checkpoint');
const ENHANCER_CASCADE_CKPT = path.join(ROOT, 'checkpoints/enhancer-cascade/model.checkpoint');
const ENHANCER_MIX_CKPT = path.join(ROOT, 'checkpoints/enhancer-mix/model.checkpoint');

let tmp: string;
beforeAll(async () => {
  await initBackend(undefined, { quiet: true }); // the fastest there is: native in CI (a medium model on the cpu backend takes minutes)
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-resume-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * Loads the checkpoint of an enhancer run chosen by its limited gain and checks its counters, config, selection bar
 * (and its key), trainable parameters (as the model cards count them) and Adam's step count; returns its model.
 */
async function checkSelectionRun(
  dir: string,
  name: string,
  expected: {
    state: Record<string, unknown>;
    config: Record<string, unknown>;
    selection: { key: string; best: number };
    parameters: number;
    steps: number;
  },
): Promise<tf.LayersModel> {
  const { model, state, named } = await loadEnhancerCheckpoint(dir, name);
  expect(state).toMatchObject(expected.state);
  expect(state.config).toMatchObject(expected.config);
  const selection = state.selection as { key: string; best: number };
  expect(selection.key).toBe(expected.selection.key);
  expect(selection.best).toBeCloseTo(expected.selection.best, 4);
  expect(countParameters(model)).toBe(expected.parameters);
  expect(await firstValues(named, 'iter', 1)).toEqual([expected.steps]);
  return model;
}

/** A copy of a checkpoint folder's files (not its `best/` folder, which is a model kept beside it by hand). */
function copyCheckpoint(from: string, to: string): string {
  fs.cpSync(from, to, { recursive: true, filter: (src) => path.basename(src) !== 'best' });
  return to;
}

async function firstValues(
  named: Array<{ name: string; tensor: tf.Tensor }>,
  name: string,
  n: number,
): Promise<number[]> {
  const t = named.find((w) => w.name === name);
  if (!t) throw new Error(`no optimizer variable ${name}`);
  return Array.from(await t.tensor.data(), Number).slice(0, n);
}

function weightValues(model: tf.LayersModel, name: string, n: number): number[] {
  const w = model.weights.find((v) => v.originalName === name || v.name === name);
  if (!w) throw new Error(`no weight ${name}`);
  return Array.from(w.read().dataSync()).slice(0, n);
}

describe('committed checkpoints load through the shared checkpoint module', () => {
  test('enhancer-medium (model/, optimizer.json)', async () => {
    const { model, state, named } = await loadEnhancerCheckpoint(ENHANCER_CKPT, 'enhancer.checkpoint');
    expect(state).toMatchObject({ epoch: 52, learningRate: 0.0000625, config: { name: 'medium' } });
    expect(state).not.toHaveProperty('optimizer');
    const w = weightValues(model, 's1_enc0_conv/kernel_re', 2);
    expect(w[0]).toBeCloseTo(-0.0609941, 6);
    expect(w[1]).toBeCloseTo(0.0822782, 6);
    expect(named).toHaveLength(177);
    expect(await firstValues(named, 'iter', 1)).toEqual([1750]); // 34 epochs of 25 steps, then 11 + 7 of 50
    expect((await firstValues(named, 's1_enc0_conv/kernel_re/m', 1))[0]).toBeCloseTo(-0.00560175767, 9);
    expect((await firstValues(named, 's1_enc0_conv/kernel_re/v', 1))[0]).toBeCloseTo(0.0011704315, 10);
    model.dispose();
  });

  test('enhancer-medium-run2 (epoch 99 of the continued run, key of its 128 validation mixtures)', async () => {
    const { model, state, named } = await loadEnhancerCheckpoint(ENHANCER_RUN2_CKPT, 'enhancer-run2.checkpoint');
    expect(state).toMatchObject({ epoch: 99, learningRate: 0.000015625, badEpochs: 1, validationKey: 'd2ce8984' });
    expect(state.bestVal as number).toBeCloseTo(-6.408533, 5);
    const w = weightValues(model, 's1_enc0_conv/kernel_re', 2);
    expect(w[0]).toBeCloseTo(-0.0574261, 6);
    expect(w[1]).toBeCloseTo(0.0812354, 6);
    expect(await firstValues(named, 'iter', 1)).toEqual([3325]); // 1,750 after epoch 52, 16 epochs of 50, 31 of 25
    expect((await firstValues(named, 's1_enc0_conv/kernel_re/m', 1))[0]).toBeCloseTo(0.01909255795, 9);
    expect((await firstValues(named, 's1_enc0_conv/kernel_re/v', 1))[0]).toBeCloseTo(0.00103472301, 10);
    model.dispose();
  });

  test('enhancer-large: epoch 32, best 17 (validation loss -4.9645 on its 128 mixtures), 800 Adam steps (32 epochs of 25)', async () => {
    const { model, state, named } = await loadEnhancerCheckpoint(ENHANCER_LARGE_CKPT, 'enhancer-large.checkpoint');
    expect(state).toMatchObject({ epoch: 32, learningRate: 0.00000625, badEpochs: 15, validationKey: 'a930bf6e' });
    expect(state.config).toMatchObject({ name: 'large', fullbandUnits: [256, 256] });
    expect(state.bestVal as number).toBeCloseTo(-4.964468, 5);
    const w = weightValues(model, 's1_fullband1_fsmn/project_kernel', 2);
    expect(w[0]).toBeCloseTo(-0.00101787, 7);
    expect(w[1]).toBeCloseTo(0.00141086, 7);
    expect(named).toHaveLength(185);
    expect(await firstValues(named, 'iter', 1)).toEqual([800]);
    expect((await firstValues(named, 's1_fullband1_fsmn/project_kernel/m', 1))[0]).toBeCloseTo(-0.0000281031, 10);
    model.dispose();
  });

  test('enhancer-cascade: epoch 10, its selection bar (+2.98 dB), 999 Adam steps (10 epochs of 100, one skipped)', async () => {
    // the step whose loss was not finite moved nothing, Adam's step count included: 999
    const model = await checkSelectionRun(ENHANCER_CASCADE_CKPT, 'enhancer-cascade.checkpoint', {
      state: { epoch: 10, learningRate: 0.00005, validationKey: '3935b8ac' },
      config: { name: 'large-cascade', stages: 2, fullbandUnits: [256, 256] },
      selection: { key: 'e43e7c77', best: -2.97998 },
      parameters: 2844676,
      steps: 999,
    });
    // both stages started as enhancer-large; training has made them differ
    const s1 = weightValues(model, 's1_fullband1_fsmn/project_kernel', 4);
    const s2 = weightValues(model, 's2_fullband1_fsmn/project_kernel', 4);
    expect(s1).not.toEqual(s2);
    model.dispose();
  });

  test('enhancer-mix: epoch 6, its selection bar (epoch 1, +4.30 dB), 600 Adam steps; epoch 1 is what ships', async () => {
    const model = await checkSelectionRun(ENHANCER_MIX_CKPT, 'enhancer-mix.checkpoint', {
      state: { epoch: 6, learningRate: 0.00005, validationKey: '9350e525' },
      config: { name: 'large', stages: 1, fullbandUnits: [256, 256] },
      selection: { key: '03600864', best: -4.30436 },
      parameters: 1422338,
      steps: 600,
    });
    // training went on after epoch 1, so the checkpoint's weights are not the shipped ones
    const shipped = await loadModel(path.join(ROOT, 'packages/audio/models/enhancer-large'));
    const name = 's1_fullband1_fsmn/project_kernel';
    expect(weightValues(model, name, 4)).not.toEqual(weightValues(shipped, name, 4));
    shipped.dispose();
    model.dispose();
  });

  test('detector-foa-corpus (model/, optimizer.json, detector.json; its step count was stored as int32 bytes)', async () => {
    const { model, state, detector, named } = await loadDetectorCheckpoint(DETECTOR_CKPT, 'detector.checkpoint');
    expect(state).toMatchObject({ epoch: 28, learningRate: 0.000125, bestEpoch: 11 });
    expect(detector.classes).toHaveLength(17);
    const w = weightValues(model, 'conv1/kernel', 2);
    expect(w[0]).toBeCloseTo(0.0820156, 6);
    expect(w[1]).toBeCloseTo(0.1260414, 6);
    expect(named).toHaveLength(65);
    expect(await firstValues(named, 'iter', 1)).toEqual([280]);
    expect((await firstValues(named, 'conv1/kernel/m', 1))[0]).toBeCloseTo(0.00956795365, 9);
    expect((await firstValues(named, 'conv1/kernel/v', 1))[0]).toBeCloseTo(0.00619834522, 10);
    model.dispose();
  });

  test('detector-mic4-corpus: epoch 172, best 160, its 10-channel input kernel and 6,880 Adam steps (172 epochs of 40)', async () => {
    const { model, state, detector, named } = await loadDetectorCheckpoint(MIC4_CKPT, 'mic4.checkpoint');
    expect(state).toMatchObject({ epoch: 172, learningRate: 0.000001953125, bestEpoch: 160 });
    expect(detector.features.format).toBe('mic4');
    expect(detector.classes).toHaveLength(17);
    const kernel = model.weights.find((v) => v.originalName === 'conv1/kernel')!;
    expect(kernel.shape).toEqual([3, 3, 10, 64]);
    const w = weightValues(model, 'conv1/kernel', 2);
    expect(w[0]).toBeCloseTo(0.0658235, 6);
    expect(w[1]).toBeCloseTo(0.239756, 5);
    expect(named).toHaveLength(65);
    expect(await firstValues(named, 'iter', 1)).toEqual([6880]);
    model.dispose();
  });
});

/** A copy of a committed detector checkpoint, loaded: its model, state, detector config and restored Adam variables. */
/** A copy of a committed enhancer checkpoint, loaded: its model, state, and Adam variables at the state's rate. */
async function loadEnhancerCheckpoint(committed: string, name: string) {
  const dir = copyCheckpoint(committed, path.join(tmp, name));
  const { model, state } = await loadCheckpoint<Record<string, unknown> & { learningRate: number }>(dir);
  const adam = tf.train.adam(state.learningRate);
  await loadOptimizerState(dir, adam);
  return { model, state, named: await adam.getWeights() };
}

async function loadDetectorCheckpoint(committed: string, name: string) {
  const dir = copyCheckpoint(committed, path.join(tmp, name));
  const { model, state, documents } = await loadCheckpoint<{ epoch: number; learningRate: number; bestEpoch: number }>(
    dir,
    ['detector'],
  );
  const adam = tf.train.adam(state.learningRate);
  await loadOptimizerState(dir, adam);
  const detector = documents.detector as { classes: string[]; features: { format: string } };
  return { model, state, detector, named: await adam.getWeights() };
}

/** A copy of the committed enhancer checkpoint beside two 1 s speech files (one is held out for validation) and 1 s of noise. */
function resumeSetup(name: string): TrainEnhancerOptions {
  const out = path.join(tmp, name);
  copyCheckpoint(ENHANCER_CKPT, `${out}.checkpoint`);
  const speechDir = path.join(tmp, `${name}-speech`);
  const noiseDir = path.join(tmp, `${name}-noise`);
  fs.mkdirSync(speechDir);
  fs.mkdirSync(noiseDir);
  const second = (file: string): Float32Array => readWav(path.join(SHARED, file)).channels[0].slice(8000, 24000);
  const speech = second('speech/train/it/agent-alreadyon.wav');
  writeWav(path.join(speechDir, 'a.wav'), { sampleRate: 16000, channels: [speech] });
  writeWav(path.join(speechDir, 'b.wav'), { sampleRate: 16000, channels: [speech.slice().reverse()] });
  writeWav(path.join(noiseDir, 'n.wav'), {
    sampleRate: 16000,
    channels: [second('noise/noise_cv_ch08_sm001_16k.wav')],
  });
  return { speechDir, noiseDir, out, resume: true, epochs: 52, validationMixtures: 1, batchSize: 1 };
}

/** trainEnhancer with these options; returns the state and what it logged. */
async function resumeRun(
  o: TrainEnhancerOptions,
): Promise<{ state: Awaited<ReturnType<typeof trainEnhancer>>; log: string }> {
  const lines: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => lines.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const state = await trainEnhancer(o);
    return { state, log: lines.join('') };
  } finally {
    process.stderr.write = write;
  }
}

/** Resumes a copy of the committed enhancer checkpoint for no further epoch; returns the state and the log. */
async function resumeCommittedEnhancer(
  name: string,
  extra: Partial<TrainEnhancerOptions> = {},
): Promise<{ state: Awaited<ReturnType<typeof trainEnhancer>>; log: string }> {
  return resumeRun({ ...resumeSetup(name), ...extra });
}

/** The validation loss that a rebased resume logged for the resumed weights. */
function rebasedLoss(log: string): number {
  const m = /best validation loss recomputed on this one: resumed weights \(epoch 52\) (-?\d+\.\d+)/.exec(log);
  if (!m) throw new Error(`no recomputed validation loss in the log:\n${log}`);
  return Number(m[1]);
}

describeShared('trainEnhancer resumes from the committed enhancer-medium checkpoint', () => {
  test('its counters and history come back through the trainer (a run already at its last epoch stops there)', async () => {
    const { state, log } = await resumeCommittedEnhancer('enhancer-resumed');
    expect(log).toMatch(
      /resuming from .*enhancer-resumed\.checkpoint after epoch 52 \(best validation loss -6\.784, lr 0\.0000625\)/,
    );
    expect(log).toMatch(/batch 1, 100 steps per epoch, 1 validation mixture\n/);
    expect(state).toMatchObject({ epoch: 52, learningRate: 0.0000625, badEpochs: 0, sinceHalving: 0 });
    const old = JSON.parse(fs.readFileSync(path.join(ENHANCER_CKPT, 'state.json'), 'utf8'));
    expect(state.history).toEqual(old.history);
    expect(state.config).toEqual(old.config);
  });

  test('restartLearningRate sets the rate anew and clears the plateau counters', async () => {
    const { state, log } = await resumeCommittedEnhancer('enhancer-restarted', { restartLearningRate: 0.0005 });
    expect(log).toMatch(/learning rate restarted at 0\.0005 \(was 0\.0000625\); plateau counters reset/);
    expect(state).toMatchObject({ epoch: 52, learningRate: 0.0005, badEpochs: 0, sinceHalving: 0 });
    expect(state.bestVal).toBeCloseTo(rebasedLoss(log), 3);
  });

  test('on another validation set the best so far is scored again; resumed on the same set it is kept', async () => {
    // The checkpoint's best (-6.784) was measured on the corpus's validation mixtures, not on these.
    const o = { ...resumeSetup('enhancer-rebased'), epochs: 53, stepsPerEpoch: 1, batchSize: 1 };
    const first = await resumeRun({ ...o, minSeconds: 0.5, maxSeconds: 0.5 });
    expect(first.log).toMatch(/the validation set is not the one the checkpoint was scored on \(best -6\.784 there\)/);
    expect(first.log).toMatch(
      /the resumed weights saved to .*enhancer-rebased as the best so far; plateau counters reset/,
    );
    const rebased = rebasedLoss(first.log);
    expect(rebased).not.toBeCloseTo(-6.784, 1);
    expect(first.state.epoch).toBe(53);
    const last = first.state.history[first.state.history.length - 1];
    expect(first.state.bestVal).toBeCloseTo(Math.min(rebased, last.valLoss), 3);
    expect(first.state.validationKey).toMatch(/^[0-9a-f]{8}$/);
    expect(loadModelMetadata(o.out).epoch).toBe(last.valLoss < rebased ? 53 : 52);
    // the same data, mixing and seed draw the same validation set: nothing is recomputed
    const again = await resumeRun({ ...o, epochs: 53 });
    expect(again.log).toMatch(/resuming from .* after epoch 53/);
    expect(again.log).not.toMatch(/not the one the checkpoint was scored on/);
    expect(again.state.bestVal).toBe(first.state.bestVal);
  });
});
