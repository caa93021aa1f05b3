/**
 * Training an FRCRN enhancer on (clean target, noisy input) pairs: mixed on the fly from a corpus manifest
 * (`npm run data:enhance`) or from a speech folder and a noise folder, or read from paired clean / noisy folders
 * (VoiceBank+DEMAND layout); see ./train-data.ts for the mixing and augmentation.
 *
 * Each step draws `batchSize` examples of one length in [minSeconds, maxSeconds]. Loss = −SI-SNR(enhanced, target)
 * (dB, thresholded at siSnrCapDb when given) + spectralWeight · multi-resolution spectral loss (./losses.ts) +
 * maskWeight · MSE(mask, clipped cIRM), over the examples whose target is not near silent. Adam
 * with global-norm gradient clipping (a step whose loss or gradient is not finite is skipped); after each epoch the
 * loss on fixed validation examples (drawn once from the validation split) decides: best model saved to `out` (or,
 * with `selectAttenLimit`, the best by ./selection.ts), learning rate halved after `patience` epochs without
 * improvement, stop after `earlyStop` such epochs. The last state (weights, Adam moments, counters) is kept in
 * `<out>.checkpoint/` so `resume` continues where it stopped; resumed on another validation set (a rebuilt corpus,
 * other mixing), the best so far is scored again on this one (./validation.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  tf,
  ProgressBar,
  checkOutputDir,
  checkpointDir,
  checkKeptEpochs,
  epochDir,
  hasCheckpoint,
  loadCheckpoint,
  loadOptimizerState,
  saveCheckpoint,
  saveModel,
  setSeed,
  random,
} from '@gatewave/core';
import { AudioError } from '../errors';
import { checkAttenuationLimit } from './atten-lim';
import { buildFrcrn, countParameters, frcrnBins, type FrcrnConfig } from './frcrn';
import { batchTensors, NonFiniteSteps, toBatch, trainStep, type LossWeights } from './train-step';
import type { TrainingData } from './train-data';
import { evaluate, rebaseBest, validationKey, validationSet, type ValidationSet } from './validation';
import {
  describeSelection,
  rebaseSelection,
  scoreFrcrnSelection,
  type LimitedGainSelection,
  type SelectionScore,
} from './selection';
import { warmStart } from './warm-start';
import { checkInputLevel } from '../dsp/level';
import {
  frcrnConfigOf,
  inputLevelMetadata,
  wienerShareMetadata,
  mixSettingsOf,
  selectionOf,
  trainingData,
  withDefaults,
  type TrainEnhancerOptions,
  type TrainSettings,
} from './train-options';

export { negSiSnr } from './losses';
export { listWavs } from './train-data';
export { mixAt } from './augment';
export { warmStart } from './warm-start';
export type { TrainEnhancerOptions } from './train-options';

interface TrainState {
  epoch: number;
  learningRate: number;
  bestVal: number;
  badEpochs: number;
  sinceHalving: number;
  history: Array<{
    epoch: number;
    trainLoss: number;
    valLoss: number;
    valSiSnrGain?: number;
    limitedGain?: number;
    learningRate: number;
  }>;
  /** Validation loss of the starting weights (a warm start's source model, or random ones). */
  startValLoss?: number;
  /** Which validation set (and loss weights) bestVal was measured on: see ./validation.ts. */
  validationKey?: string;
  /** With selectAttenLimit: the best selection score so far (./selection.ts) and the key of its mixtures. */
  selection?: { key: string; best: number };
  config: FrcrnConfig;
}

/** The model and counters a run starts from: the checkpoint (`resume`, when there is one), or a new model. */
async function startingPoint(
  o: TrainSettings,
  ckpt: string,
  opt: tf.AdamOptimizer,
  baseConfig: FrcrnConfig,
  log: (m: string) => void,
): Promise<{ model: tf.LayersModel; state: TrainState }> {
  if (o.resume && hasCheckpoint(ckpt)) {
    const { model, state } = await loadCheckpoint<TrainState>(ckpt);
    await loadOptimizerState(ckpt, opt);
    if (o.restartLearningRate !== undefined) restartSchedule(state, o.restartLearningRate, log);
    (opt as unknown as { learningRate: number }).learningRate = state.learningRate;
    setSeed(o.seed + 1000 + state.epoch);
    log(
      `resuming from ${ckpt} after epoch ${state.epoch} (best validation loss ${state.bestVal.toFixed(3)}, lr ${state.learningRate})`,
    );
    return { model, state };
  }
  if (o.resume) log(`no checkpoint in ${ckpt}; starting fresh`);
  const model = buildFrcrn(baseConfig);
  if (o.initFrom) log(await warmStart(model, o.initFrom));
  const state: TrainState = {
    epoch: 0,
    learningRate: o.learningRate,
    bestVal: Infinity,
    badEpochs: 0,
    sinceHalving: 0,
    history: [],
    config: baseConfig,
  };
  return { model, state };
}

/** A warm restart: the learning rate set anew and the plateau counters cleared; the best-so-far is kept. */
function restartSchedule(state: TrainState, learningRate: number, log: (m: string) => void): void {
  log(`learning rate restarted at ${learningRate} (was ${state.learningRate}); plateau counters reset`);
  state.learningRate = learningRate;
  state.badEpochs = 0;
  state.sinceHalving = 0;
}

/**
 * Trains (or resumes training of) an FRCRN enhancer; the best model (by validation loss, or by the limited gain with
 * `selectAttenLimit`) ends up in `options.out`.
 */
export async function trainEnhancer(options: TrainEnhancerOptions): Promise<TrainState> {
  const o = withDefaults(options);
  const mix = mixSettingsOf(o);
  if (o.lossAttenLimit !== undefined) checkAttenuationLimit(o.lossAttenLimit, 'lossAttenLimit');
  if (o.inputLevelDb !== undefined) checkInputLevel(o.inputLevelDb, 'inputLevelDb');
  setSeed(o.seed);
  // Before any work: the model and checkpoint folders must be writable and must not destroy anything.
  const inputs = [o.manifest, o.speechDir, o.noiseDir, o.cleanDir, o.noisyDir, o.initFrom].filter(
    (x): x is string => typeof x === 'string',
  );
  checkOutputDir(o.out, { overwrite: o.overwrite, inputs, flag: '--out' });
  checkOutputDir(checkpointDir(o.out), { inputs, flag: '--out (its .checkpoint folder)' });
  if (o.keepEpochs) checkKeptEpochs(o.out, resumedEpoch(o));
  const baseConfig = frcrnConfigOf(o.config);
  const rate = baseConfig.sampleRate;
  const log = (m: string): void => {
    if (!o.quiet) process.stderr.write(`${m}\n`);
  };
  const selection = selectionOf(o);
  const data = trainingData(o, rate, mix, log);
  log(`train-enhancer: ${data.train.describe()}; ${data.validation.describe()}`);
  setSeed(o.seed + 1);
  const val = validationSet(data, o.validationMixtures, o.batchSize, rate, !!o.lossWienerShare);
  setSeed(o.seed + 2);

  const ckpt = checkpointDir(o.out);
  const opt = tf.train.adam(o.learningRate) as tf.AdamOptimizer;
  const { model, state } = await startingPoint(o, ckpt, opt, baseConfig, log);
  const c = state.config;
  if (frcrnBins(c) !== (model.inputs[0].shape[2] as number))
    throw new AudioError('MODEL_CORRUPT', `${ckpt}: model and config disagree.`);
  log(
    `FRCRN ${c.name}: ${countParameters(model)} parameters, batch ${o.batchSize}, ${o.stepsPerEpoch} steps per epoch, ${o.validationMixtures} validation mixture${o.validationMixtures === 1 ? '' : 's'}`,
  );
  const weights: LossWeights = { mask: o.maskWeight, spectral: o.spectralWeight, siSnrCapDb: o.siSnrCapDb };
  if (o.lossAttenLimit !== undefined) weights.limitDb = o.lossAttenLimit;
  if (o.lossWienerShare) weights.wienerShare = o.lossWienerShare;
  if (o.lossStoiWeight) weights.stoi = o.lossStoiWeight;
  if (val.skipped > 0) log(`validation: ${val.skipped} mixtures with a near-silent target left out of the loss`);
  if (selection) log(`train-enhancer: the saved model is chosen by the limited gain on ${selection.what}`);
  const saveAs = (dir: string, m: Record<string, unknown>): Promise<void> =>
    saveModel(
      model,
      dir,
      {
        kind: 'frcrn',
        config: c,
        parameters: countParameters(model),
        ...m,
        trainedOn: data.origin,
        ...(selection ? { selectedBy: selection.what } : {}),
        ...inputLevelMetadata(o.inputLevelDb, mix),
        ...wienerShareMetadata(o.lossWienerShare),
      },
      { overwrite: o.overwrite },
    );
  const saveBest = (m: Record<string, unknown>): Promise<void> => saveAs(o.out, m);
  const run: Run = { model, opt, o, data, val, weights, selection, state, saveBest, log };
  await rebaseOnResume(model, state, { val, weights, selection, out: o.out, saveBest }, log);
  if (state.epoch === 0) await scoreStart(run);
  else if (o.keepEpochs) await keepEpoch(state, saveAs, o.out, true);
  while (state.epoch < o.epochs && state.badEpochs < o.earlyStop) {
    await runEpoch(run);
    await saveCheckpoint(ckpt, { model, optimizer: opt, state, modelMetadata: { kind: 'frcrn', config: c } });
    if (o.keepEpochs) await keepEpoch(state, saveAs, o.out, false);
  }
  if (state.badEpochs >= o.earlyStop) log(`early stop: no improvement for ${o.earlyStop} epochs`);
  tf.dispose(val.batches.flatMap(batchTensors));
  model.dispose();
  return state;
}

/** The epoch a run continues after: the checkpoint's with `resume`, else 0 (read before the data is loaded). */
function resumedEpoch(o: TrainSettings): number {
  const ckpt = checkpointDir(o.out);
  if (!o.resume || !hasCheckpoint(ckpt)) return 0;
  try {
    const state = JSON.parse(fs.readFileSync(path.join(ckpt, 'state.json'), 'utf8')) as { epoch?: unknown };
    return typeof state.epoch === 'number' ? state.epoch : 0;
  } catch {
    return 0; // an unreadable state.json: loading the checkpoint reports it, naming the file
  }
}

/**
 * `keepEpochs`: the weights after the current epoch, as a model folder `<out>.epochs/e<N>` with the epoch's validation
 * figures. On resume (`onlyIfMissing`) the checkpoint's weights are that epoch's; they are written unless already kept.
 */
async function keepEpoch(
  state: TrainState,
  saveAs: (dir: string, m: Record<string, unknown>) => Promise<void>,
  out: string,
  onlyIfMissing: boolean,
): Promise<void> {
  const dir = epochDir(out, state.epoch);
  if (onlyIfMissing && fs.existsSync(dir)) return;
  const h = state.history.find((e) => e.epoch === state.epoch);
  await saveAs(dir, {
    epoch: state.epoch,
    ...(h ? { validationLoss: h.valLoss, validationSiSnrGain: h.valSiSnrGain, limitedGain: h.limitedGain } : {}),
  });
}

/** What the epochs of one run share. */
interface Run {
  model: tf.LayersModel;
  opt: tf.AdamOptimizer;
  o: TrainSettings;
  data: TrainingData;
  val: ValidationSet;
  weights: LossWeights;
  selection: LimitedGainSelection | null;
  state: TrainState;
  saveBest: (m: Record<string, unknown>) => Promise<void>;
  log: (m: string) => void;
}

/** A fresh run scores its starting weights; with a selection they are the bar, saved as the best so far. */
async function scoreStart(r: Run): Promise<void> {
  const { model, state, selection: sel, o } = r;
  const v = evaluate(model, state.config, r.val, r.weights);
  state.startValLoss = v.valLoss;
  const s = sel ? await scoreFrcrnSelection(model, state.config, sel) : null;
  if (s && sel) {
    state.selection = { key: sel.key, best: s.value };
    await r.saveBest({ epoch: 0, validationLoss: v.valLoss, limitedGain: s.siSdrGain, keepsStoi: s.keepsStoi });
  }
  r.log(
    `before training: validation loss ${v.valLoss.toFixed(3)}, validation SI-SNR gain ${v.valSiSnrGain.toFixed(2)} dB` +
      `${s && sel ? `, ${describeSelection(s, sel)}` : ''}${o.initFrom ? ` (the ${o.initFrom} model)` : ''}`,
  );
}

/** One epoch: training, validation (and the selection score), the record, the log line and the callback. */
async function runEpoch(r: Run): Promise<void> {
  const { model, state, selection: sel, o } = r;
  const c = state.config;
  const trainLoss = await trainEpoch(model, r.opt, c, r.data, o, r.weights, state, r.log);
  const { valLoss, valSiSnrGain } = evaluate(model, c, r.val, r.weights);
  const selected = sel ? await scoreFrcrnSelection(model, c, sel) : undefined;
  state.epoch += 1;
  const limitedGain = selected?.siSdrGain;
  const learningRate = state.learningRate;
  state.history.push({ epoch: state.epoch, trainLoss, valLoss, valSiSnrGain, limitedGain, learningRate });
  const best = await recordEpoch(r.opt, o, state, { valLoss, valSiSnrGain, selected }, r.saveBest, r.log);
  r.log(
    `epoch ${state.epoch}: train loss ${trainLoss.toFixed(3)}, validation loss ${valLoss.toFixed(3)}, ` +
      `validation SI-SNR gain ${valSiSnrGain.toFixed(2)} dB` +
      `${selected && sel ? `, ${describeSelection(selected, sel)}` : ''}${best ? ' (best, saved)' : ''}`,
  );
  // the callback sees the rate after a halving at this epoch, as it always did
  o.onEpoch?.({
    epoch: state.epoch,
    trainLoss,
    valLoss,
    valSiSnrGain,
    limitedGain,
    learningRate: state.learningRate,
    best,
  });
}

/**
 * On resume, the best-so-far bars are made to mean something on this run's validation data (./validation.ts,
 * ./selection.ts). With a selection, the loss bar only drives the schedule, so it is reset to the resumed weights'
 * loss and nothing is saved on its account.
 */
async function rebaseOnResume(
  model: tf.LayersModel,
  state: TrainState,
  v: {
    val: ValidationSet;
    weights: LossWeights;
    selection: LimitedGainSelection | null;
    out: string;
    saveBest: (m: Record<string, unknown>) => Promise<void>;
  },
  log: (m: string) => void,
): Promise<void> {
  const c = state.config;
  const key = validationKey(v.val, v.weights);
  if (state.epoch > 0 && state.validationKey !== key) {
    if (v.selection) {
      state.bestVal = evaluate(model, c, v.val, v.weights).valLoss;
      state.badEpochs = 0;
      state.sinceHalving = 0;
      log(
        `another validation set than the checkpoint's: the loss bar is now the resumed weights' ${state.bestVal.toFixed(3)}`,
      );
    } else log(await rebaseBest(model, c, v.val, v.weights, state, v.out, v.saveBest));
  }
  state.validationKey = key;
  const sel = v.selection;
  if (sel && state.epoch > 0 && state.selection?.key !== sel.key) {
    const save = (s: SelectionScore): Promise<void> =>
      v.saveBest({ epoch: state.epoch, limitedGain: s.siSdrGain, keepsStoi: s.keepsStoi });
    const r = await rebaseSelection(model, c, sel, v.out, save);
    state.selection = { key: sel.key, best: r.best };
    log(r.line);
  }
}

/**
 * Counts an epoch by its validation loss: when it is the lowest so far, the plateau counters restart; otherwise it is
 * a bad epoch, and after `patience` of them in a row the learning rate is halved. The best so far (by the selection
 * score when there is one, else by the loss) is saved. Returns whether it was the best.
 */
async function recordEpoch(
  opt: tf.AdamOptimizer,
  o: TrainSettings,
  state: TrainState,
  v: { valLoss: number; valSiSnrGain: number; selected?: SelectionScore },
  saveBest: (m: Record<string, unknown>) => Promise<void>,
  log: (m: string) => void,
): Promise<boolean> {
  const { valLoss, valSiSnrGain, selected } = v;
  const lowest = valLoss < state.bestVal;
  if (lowest) {
    state.bestVal = valLoss;
    state.badEpochs = 0;
    state.sinceHalving = 0;
  } else {
    state.badEpochs += 1;
    state.sinceHalving += 1;
    if (state.sinceHalving >= o.patience) {
      state.learningRate /= 2;
      state.sinceHalving = 0;
      (opt as unknown as { learningRate: number }).learningRate = state.learningRate;
      log(`validation loss did not improve for ${o.patience} epochs: learning rate halved to ${state.learningRate}`);
    }
  }
  const best = selected && state.selection ? selected.value < state.selection.best : lowest;
  if (!best) return false;
  if (selected && state.selection) state.selection.best = selected.value;
  const chosenBy = selected ? { limitedGain: selected.siSdrGain, keepsStoi: selected.keepsStoi } : {};
  await saveBest({ epoch: state.epoch, validationLoss: valLoss, validationSiSnrGain: valSiSnrGain, ...chosenBy });
  return true;
}

/** One epoch of `stepsPerEpoch` steps; returns the mean training loss. */
async function trainEpoch(
  model: tf.LayersModel,
  opt: tf.AdamOptimizer,
  c: FrcrnConfig,
  data: TrainingData,
  o: {
    epochs: number;
    stepsPerEpoch: number;
    batchSize: number;
    minSeconds: number;
    maxSeconds: number;
    clipNorm: number;
    quiet?: boolean;
  },
  weights: LossWeights,
  state: TrainState,
  log: (m: string) => void,
): Promise<number> {
  const bar = new ProgressBar(o.stepsPerEpoch, { label: `epoch ${state.epoch + 1}/${o.epochs}`, silent: o.quiet });
  const skipped = new NonFiniteSteps(3);
  let sum = 0;
  for (let step = 0; step < o.stepsPerEpoch; step++) {
    const len = Math.round((o.minSeconds + random() * (o.maxSeconds - o.minSeconds)) * c.sampleRate);
    const pairs = Array.from({ length: o.batchSize }, () => data.train.draw(len));
    const batch = toBatch(pairs, !!weights.wienerShare);
    const loss = await trainStep(model, opt, c, batch, weights, o.clipNorm);
    tf.dispose(batchTensors(batch));
    skipped.record(loss, `epoch ${state.epoch + 1}, step ${step + 1}`);
    if (loss !== null) sum += loss;
    const done = step + 1 - skipped.total;
    bar.update(step + 1, `loss ${(sum / Math.max(1, done)).toFixed(3)}`);
  }
  bar.finish();
  if (skipped.total > 0)
    log(`epoch ${state.epoch + 1}: ${skipped.total} step(s) skipped: their loss or gradient was not finite`);
  return sum / Math.max(1, o.stepsPerEpoch - skipped.total);
}
