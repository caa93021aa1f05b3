/**
 * Training an FRCRN enhancer on (clean target, noisy input) pairs: mixed on the fly from a corpus manifest
 * (`npm run data:enhance`) or from a speech folder and a noise folder, or read from paired clean / noisy folders
 * (VoiceBank+DEMAND layout); see ./train-data.ts for the mixing and augmentation.
 *
 * Each step draws `batchSize` examples of one length in [minSeconds, maxSeconds]. Loss = −SI-SNR(enhanced, target)
 * (dB) + spectralWeight · multi-resolution spectral loss (./losses.ts) + maskWeight · MSE(mask, clipped cIRM). Adam
 * with global-norm gradient clipping; after each epoch the loss on fixed validation examples (drawn once from the
 * validation split) decides: best model saved to `out`, learning rate halved after `patience` epochs without
 * improvement, stop after `earlyStop` such epochs. The last state (weights, Adam moments, counters) is kept in
 * `<out>.checkpoint/` so `resume` continues where it stopped.
 */
import {
  tf,
  ProgressBar,
  checkOutputDir,
  checkpointDir,
  hasCheckpoint,
  loadCheckpoint,
  loadOptimizerState,
  saveCheckpoint,
  saveModel,
  loadModel,
  setSeed,
  random,
  shuffle,
} from '@gatewave/core';
import { AudioError } from '../errors';
import { stftTensor, istftTensor } from '../dsp/tensor-stft';
import { makeWindow } from '../dsp/stft';
import { buildFrcrn, countParameters, frcrnBins, FRCRN_CONFIGS, type FrcrnConfig } from './frcrn';
import { negSiSnr, spectralLoss } from './losses';
import {
  corpusData,
  folderData,
  pairedData,
  DEFAULT_MIX,
  type MixSettings,
  type Pair,
  type TrainingData,
} from './train-data';
import { rms } from './augment';

export { negSiSnr } from './losses';
export { listWavs } from './train-data';

export interface TrainEnhancerOptions {
  /** A corpus manifest (`npm run data:enhance`): trains on its train split, selects on its validation split. */
  manifest?: string;
  /** Clean speech and noise folders, mixed on the fly (validation: `validationFraction` of the speech files). */
  speechDir?: string;
  noiseDir?: string;
  /** Paired clean and noisy folders with the same file names (VoiceBank+DEMAND layout). */
  cleanDir?: string;
  noisyDir?: string;
  out: string;
  /** 'small', 'medium' (default), 'full', or a config. */
  config?: string | FrcrnConfig;
  epochs?: number;
  stepsPerEpoch?: number;
  batchSize?: number;
  learningRate?: number;
  clipNorm?: number;
  maskWeight?: number;
  spectralWeight?: number;
  minSeconds?: number;
  maxSeconds?: number;
  /** Mixing and augmentation (./train-data.ts); SNR −5..20 dB by default. */
  mix?: Partial<MixSettings>;
  /** Kept for callers of earlier versions: the SNR range (overrides mix). */
  minSnrDb?: number;
  maxSnrDb?: number;
  patience?: number;
  earlyStop?: number;
  /** Fraction of speech files (or pairs) held back for validation in folder modes (deterministic). */
  validationFraction?: number;
  validationMixtures?: number;
  /** Folder mode: paths containing any of these substrings are left out (held-out test data). */
  exclude?: string[];
  resume?: boolean;
  /**
   * A fresh run starts from this model directory's weights wherever a layer has the same name and shapes (e.g. a
   * `small` model into `medium`); residual FSMN blocks with no counterpart start as the identity.
   */
  initFrom?: string;
  /** Write into an `out` folder that holds other files too, replacing only gatewave's own files there. */
  overwrite?: boolean;
  seed?: number;
  quiet?: boolean;
  /** Called after each epoch. */
  onEpoch?: (e: {
    epoch: number;
    trainLoss: number;
    valLoss: number;
    valSiSnrGain: number;
    learningRate: number;
    best: boolean;
  }) => void;
}

interface TrainState {
  epoch: number;
  learningRate: number;
  bestVal: number;
  badEpochs: number;
  sinceHalving: number;
  history: Array<{ epoch: number; trainLoss: number; valLoss: number; valSiSnrGain?: number; learningRate: number }>;
  /** Validation loss of the starting weights (a warm start's source model, or random ones). */
  startValLoss?: number;
  config: FrcrnConfig;
}

/** One mixture: clean speech and noisy mixture, scaled together. */
export function mixAt(
  speech: Float32Array,
  noise: Float32Array,
  snrDb: number,
  levelDb: number,
): { clean: Float32Array; noisy: Float32Array } {
  const g = rms(speech) / (rms(noise) * 10 ** (snrDb / 20));
  const noisy = new Float32Array(speech.length);
  for (let i = 0; i < noisy.length; i++) noisy[i] = speech[i] + g * noise[i];
  let scale = 10 ** (levelDb / 20) / rms(noisy);
  let peak = 0;
  for (let i = 0; i < noisy.length; i++) peak = Math.max(peak, Math.abs(noisy[i]));
  if (peak * scale > 0.99) scale = 0.99 / peak;
  const clean = new Float32Array(speech.length);
  for (let i = 0; i < noisy.length; i++) {
    clean[i] = speech[i] * scale;
    noisy[i] *= scale;
  }
  return { clean, noisy };
}

interface Batch {
  clean: tf.Tensor2D;
  noisy: tf.Tensor2D;
}

function toBatch(pairs: Pair[]): Batch {
  const n = pairs.length;
  const len = pairs[0].clean.length;
  const cl = new Float32Array(n * len);
  const no = new Float32Array(n * len);
  pairs.forEach((p, b) => {
    cl.set(p.clean, b * len);
    no.set(p.noisy, b * len);
  });
  return { clean: tf.tensor2d(cl, [n, len]), noisy: tf.tensor2d(no, [n, len]) };
}

interface LossWeights {
  mask: number;
  spectral: number;
}

/** Loss of `model` on one batch, and its −SI-SNR part (inside the caller's tidy / variableGrads). */
function batchLoss(
  model: tf.LayersModel,
  c: FrcrnConfig,
  b: Batch,
  w: LossWeights,
  training: boolean,
): { loss: tf.Scalar; negSiSnr: tf.Scalar } {
  const opts = {
    winLength: c.winLength,
    hopLength: c.hopLength,
    nFft: c.nFft,
    window: makeWindow('sqrt-hann', c.winLength),
  };
  const X = stftTensor(b.noisy, opts); // [batch, time, F]
  const S = stftTensor(b.clean, opts);
  const input = tf.stack([X.re, X.im], 3) as tf.Tensor4D; // [batch, time, F, 2]
  const mask = model.apply(input, { training }) as tf.Tensor4D; // [batch, time, F, 2]
  const [mr, mi] = tf.unstack(mask, 3) as tf.Tensor3D[];
  const est = { re: mr.mul(X.re).sub(mi.mul(X.im)) as tf.Tensor3D, im: mr.mul(X.im).add(mi.mul(X.re)) as tf.Tensor3D };
  const y = istftTensor(est, b.clean.shape[1], opts);
  const sisnr = negSiSnr(b.clean, y);
  let loss: tf.Tensor = sisnr;
  if (w.spectral > 0) loss = loss.add(spectralLoss(b.clean, y, { ref: S, est }).mul(w.spectral));
  if (w.mask > 0) {
    // target cIRM = S X* / |X|², each part clipped to the mask's range
    const den = X.re.square().add(X.im.square()).add(1e-8);
    const tr = S.re.mul(X.re).add(S.im.mul(X.im)).div(den).clipByValue(-1, 1);
    const ti = S.im.mul(X.re).sub(S.re.mul(X.im)).div(den).clipByValue(-1, 1);
    loss = loss.add(mr.sub(tr).square().mean().add(mi.sub(ti).square().mean()).div(2).mul(w.mask));
  }
  return { loss: loss as tf.Scalar, negSiSnr: sisnr };
}

function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  return tf.tidy(() => {
    const norm = Math.sqrt(Object.values(grads).reduce((s, g) => s + (g.square().sum().dataSync()[0] as number), 0));
    if (!(norm > maxNorm)) return grads;
    const f = maxNorm / norm;
    const out: tf.NamedTensorMap = {};
    for (const [k, g] of Object.entries(grads)) out[k] = g.mul(f);
    return out;
  });
}

/**
 * Copies the weights of every layer of `dir`'s model that `model` has under the same name with the same shapes; the
 * FSMN blocks left over get a zero output projection, so (being residual) they start as the identity and the warm
 * model computes what the old one did. Returns a line for the log.
 */
export async function warmStart(model: tf.LayersModel, dir: string): Promise<string> {
  const old = await loadModel(dir);
  let copied = 0;
  const fresh: string[] = [];
  for (const layer of model.layers) {
    const w = layer.getWeights();
    if (w.length === 0) continue;
    let src: tf.layers.Layer | undefined;
    try {
      src = old.getLayer(layer.name);
    } catch {
      src = undefined;
    }
    const ow = src?.getWeights() ?? [];
    if (ow.length === w.length && ow.every((t, i) => t.shape.join() === w[i].shape.join())) {
      layer.setWeights(ow);
      copied++;
    } else {
      fresh.push(layer.name);
      if (layer.getClassName() === 'GatewaveFSMN') {
        const names = layer.weights.map((v) => v.originalName ?? v.name);
        layer.setWeights(w.map((t, i) => (/project_kernel/.test(names[i]) ? tf.zerosLike(t) : t)));
      }
    }
  }
  old.dispose();
  return `warm start from ${dir}: ${copied} layers copied; new: ${fresh.join(', ') || 'none'}`;
}

/** Picks the data source from the options: exactly one of manifest, speechDir + noiseDir, cleanDir + noisyDir. */
function trainingData(
  o: TrainEnhancerOptions & { validationFraction: number; exclude: string[] },
  rate: number,
  mix: MixSettings,
  log: (m: string) => void,
): TrainingData {
  const modes = [
    o.manifest !== undefined,
    o.speechDir !== undefined || o.noiseDir !== undefined,
    o.cleanDir !== undefined || o.noisyDir !== undefined,
  ];
  if (modes.filter(Boolean).length !== 1) {
    throw new AudioError(
      'BAD_ARGUMENT',
      'give exactly one training source: a corpus manifest, speech + noise folders, or clean + noisy folders.',
    );
  }
  if (o.manifest !== undefined) return corpusData(o.manifest, rate, mix, log);
  if (modes[1]) {
    if (!o.speechDir || !o.noiseDir)
      throw new AudioError('BAD_ARGUMENT', 'speech and noise folders go together: give both.');
    return folderData(
      { speechDir: o.speechDir, noiseDir: o.noiseDir, exclude: o.exclude, validationFraction: o.validationFraction },
      rate,
      mix,
      shuffle,
      log,
    );
  }
  if (!o.cleanDir || !o.noisyDir)
    throw new AudioError('BAD_ARGUMENT', 'clean and noisy folders go together: give both.');
  return pairedData(
    { cleanDir: o.cleanDir, noisyDir: o.noisyDir, validationFraction: o.validationFraction },
    rate,
    mix,
    shuffle,
    log,
  );
}

/** Fixed validation batches (drawn once, from their own seed), and the noisy input's mean −SI-SNR on them. */
function validationSet(
  data: TrainingData,
  n: number,
  batchSize: number,
  rate: number,
): { batches: Batch[]; noisyNegSiSnr: number } {
  const len = Math.round(2.5 * rate);
  const batches = Array.from({ length: Math.ceil(n / batchSize) }, () =>
    toBatch(Array.from({ length: batchSize }, () => data.validation.draw(len))),
  );
  const noisyNegSiSnr =
    batches.reduce((a, b) => a + tf.tidy(() => negSiSnr(b.clean, b.noisy).dataSync()[0]), 0) / batches.length;
  return { batches, noisyNegSiSnr };
}

/** Trains (or resumes training of) an FRCRN enhancer; the best model (by validation loss) ends up in `options.out`. */
export async function trainEnhancer(options: TrainEnhancerOptions): Promise<TrainState> {
  const o = {
    epochs: 50,
    stepsPerEpoch: 100,
    batchSize: 4,
    learningRate: 1e-3,
    clipNorm: 5,
    maskWeight: 0,
    spectralWeight: 10,
    minSeconds: 1,
    maxSeconds: 2,
    patience: 2,
    earlyStop: 5,
    validationFraction: 0.05,
    validationMixtures: 32,
    exclude: [] as string[],
    seed: 1234,
    // an option given as undefined keeps its default
    ...(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as TrainEnhancerOptions),
  };
  const mix: MixSettings = { ...DEFAULT_MIX, ...o.mix };
  if (o.minSnrDb !== undefined) mix.minSnrDb = o.minSnrDb;
  if (o.maxSnrDb !== undefined) mix.maxSnrDb = o.maxSnrDb;
  setSeed(o.seed);
  // Before any work: the model and checkpoint folders must be writable and must not destroy anything.
  const inputs = [o.manifest, o.speechDir, o.noiseDir, o.cleanDir, o.noisyDir, o.initFrom].filter(
    (x): x is string => typeof x === 'string',
  );
  checkOutputDir(o.out, { overwrite: o.overwrite, inputs, flag: '--out' });
  checkOutputDir(checkpointDir(o.out), { inputs, flag: '--out (its .checkpoint folder)' });
  const baseConfig = typeof o.config === 'object' ? o.config : FRCRN_CONFIGS[o.config ?? 'medium'];
  if (!baseConfig)
    throw new AudioError(
      'BAD_ARGUMENT',
      `unknown config "${String(o.config)}"; use ${Object.keys(FRCRN_CONFIGS).join(', ')}.`,
    );
  const rate = baseConfig.sampleRate;
  const log = (m: string): void => {
    if (!o.quiet) process.stderr.write(`${m}\n`);
  };
  const data = trainingData(o, rate, mix, log);
  log(`train-enhancer: ${data.train.describe()}; ${data.validation.describe()}`);
  setSeed(o.seed + 1);
  const val = validationSet(data, o.validationMixtures, o.batchSize, rate);
  setSeed(o.seed + 2);

  const ckpt = checkpointDir(o.out);
  const opt = tf.train.adam(o.learningRate) as tf.AdamOptimizer;
  let model: tf.LayersModel;
  let state: TrainState;
  if (o.resume && hasCheckpoint(ckpt)) {
    ({ model, state } = await loadCheckpoint<TrainState>(ckpt));
    await loadOptimizerState(ckpt, opt);
    (opt as unknown as { learningRate: number }).learningRate = state.learningRate;
    setSeed(o.seed + 1000 + state.epoch);
    log(
      `resuming from ${ckpt} after epoch ${state.epoch} (best validation loss ${state.bestVal.toFixed(3)}, lr ${state.learningRate})`,
    );
  } else {
    if (o.resume) log(`no checkpoint in ${ckpt}; starting fresh`);
    model = buildFrcrn(baseConfig);
    if (o.initFrom) log(await warmStart(model, o.initFrom));
    state = {
      epoch: 0,
      learningRate: o.learningRate,
      bestVal: Infinity,
      badEpochs: 0,
      sinceHalving: 0,
      history: [],
      config: baseConfig,
    };
  }
  const c = state.config;
  if (frcrnBins(c) !== (model.inputs[0].shape[2] as number))
    throw new AudioError('MODEL_CORRUPT', `${ckpt}: model and config disagree.`);
  log(
    `FRCRN ${c.name}: ${countParameters(model)} parameters, batch ${o.batchSize}, ${o.stepsPerEpoch} steps per epoch`,
  );
  const weights = { mask: o.maskWeight, spectral: o.spectralWeight };
  if (state.epoch === 0) {
    const v = evaluate(model, c, val, weights);
    state.startValLoss = v.valLoss;
    log(
      `before training: validation loss ${v.valLoss.toFixed(3)}, validation SI-SNR gain ${v.valSiSnrGain.toFixed(2)} dB${o.initFrom ? ` (the ${o.initFrom} model)` : ''}`,
    );
  }

  while (state.epoch < o.epochs && state.badEpochs < o.earlyStop) {
    const trainLoss = await trainEpoch(model, opt, c, data, o, weights, state);
    const { valLoss, valSiSnrGain } = evaluate(model, c, val, weights);
    state.epoch += 1;
    state.history.push({ epoch: state.epoch, trainLoss, valLoss, valSiSnrGain, learningRate: state.learningRate });
    const best = valLoss < state.bestVal;
    if (best) {
      state.bestVal = valLoss;
      state.badEpochs = 0;
      state.sinceHalving = 0;
      await saveModel(
        model,
        o.out,
        {
          kind: 'frcrn',
          config: c,
          parameters: countParameters(model),
          epoch: state.epoch,
          validationLoss: valLoss,
          validationSiSnrGain: valSiSnrGain,
          trainedOn: data.origin,
        },
        { overwrite: o.overwrite },
      );
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
    log(
      `epoch ${state.epoch}: train loss ${trainLoss.toFixed(3)}, validation loss ${valLoss.toFixed(3)}, ` +
        `validation SI-SNR gain ${valSiSnrGain.toFixed(2)} dB${best ? ' (best, saved)' : ''}`,
    );
    o.onEpoch?.({ epoch: state.epoch, trainLoss, valLoss, valSiSnrGain, learningRate: state.learningRate, best });
    await saveCheckpoint(ckpt, { model, optimizer: opt, state, modelMetadata: { kind: 'frcrn', config: c } });
  }
  if (state.badEpochs >= o.earlyStop) log(`early stop: no improvement for ${o.earlyStop} epochs`);
  tf.dispose(val.batches.flatMap((b) => [b.clean, b.noisy]));
  model.dispose();
  return state;
}

/** Validation loss and SI-SNR gain over the noisy input, on the fixed validation batches. */
function evaluate(
  model: tf.LayersModel,
  c: FrcrnConfig,
  val: { batches: Batch[]; noisyNegSiSnr: number },
  weights: LossWeights,
): { valLoss: number; valSiSnrGain: number } {
  let valLoss = 0;
  let valNeg = 0;
  for (const vb of val.batches) {
    const [l, n] = tf.tidy(() => {
      const r = batchLoss(model, c, vb, weights, false);
      return [r.loss.dataSync()[0], r.negSiSnr.dataSync()[0]];
    });
    valLoss += l / val.batches.length;
    valNeg += n / val.batches.length;
  }
  return { valLoss, valSiSnrGain: val.noisyNegSiSnr - valNeg };
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
): Promise<number> {
  const bar = new ProgressBar(o.stepsPerEpoch, { label: `epoch ${state.epoch + 1}/${o.epochs}`, silent: o.quiet });
  let sum = 0;
  for (let step = 0; step < o.stepsPerEpoch; step++) {
    const len = Math.round((o.minSeconds + random() * (o.maxSeconds - o.minSeconds)) * c.sampleRate);
    const batch = toBatch(Array.from({ length: o.batchSize }, () => data.train.draw(len)));
    const { value, grads } = tf.variableGrads(() => batchLoss(model, c, batch, weights, true).loss);
    const clipped = clipByGlobalNorm(grads, o.clipNorm);
    opt.applyGradients(Object.entries(clipped).map(([name, tensor]) => ({ name, tensor })));
    const loss = (await value.data())[0];
    tf.dispose([value, batch.clean, batch.noisy]);
    tf.dispose(Object.values(grads));
    tf.dispose(Object.values(clipped));
    if (!Number.isFinite(loss))
      throw new AudioError(
        'TRAINING_DIVERGED',
        `loss became ${loss} at epoch ${state.epoch + 1}, step ${step + 1}; lower --lr.`,
      );
    sum += loss;
    bar.update(step + 1, `loss ${(sum / (step + 1)).toFixed(3)}`);
  }
  bar.finish();
  return sum / o.stepsPerEpoch;
}
