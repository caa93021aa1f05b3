/**
 * Training an FRCRN enhancer on clean speech and noise, mixed on the fly.
 *
 * Each step draws `batchSize` random crops of one length in [minSeconds, maxSeconds] from the speech files and from
 * the noise files (looped when short), mixes them at an SNR drawn uniformly from [minSnrDb, maxSnrDb], and scales the
 * mixture to a random level (−35 to −15 dBFS RMS, never clipping). Loss = −SI-SNR(enhanced, clean) (dB) +
 * maskWeight · MSE(mask, clipped cIRM), where the cIRM is S / X with each part clipped to [−1, 1] (the range of the
 * tanh-bounded mask). Adam with global-norm gradient clipping; after each epoch the loss on a fixed validation set
 * (mixtures of held-back speech files) decides: best model saved to `out`, learning rate halved after `patience`
 * epochs without improvement, stop after `earlyStop` such epochs. The last state (weights, Adam moments, counters) is
 * kept in `<out>.checkpoint/` so `resume` continues where it stopped.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf, ProgressBar, saveModel, loadModel, setSeed, random, shuffle, atomicWriteFile } from '@gatewave/core';
import { AudioError } from '../errors';
import { readWav } from '../io/wav';
import { resample } from '../io/resample';
import { stftTensor, istftTensor } from '../dsp/tensor-stft';
import { makeWindow } from '../dsp/stft';
import { buildFrcrn, countParameters, frcrnBins, FRCRN_CONFIGS, type FrcrnConfig } from './frcrn';

export interface TrainEnhancerOptions {
  speechDir: string;
  noiseDir: string;
  out: string;
  config?: string | FrcrnConfig;
  epochs?: number;
  stepsPerEpoch?: number;
  batchSize?: number;
  learningRate?: number;
  clipNorm?: number;
  maskWeight?: number;
  minSeconds?: number;
  maxSeconds?: number;
  minSnrDb?: number;
  maxSnrDb?: number;
  patience?: number;
  earlyStop?: number;
  /** Fraction of speech files held back for validation (deterministic). */
  validationFraction?: number;
  validationMixtures?: number;
  /** Paths containing any of these substrings are left out of training and validation (held-out test data). */
  exclude?: string[];
  resume?: boolean;
  seed?: number;
  quiet?: boolean;
  /** Called after each epoch. */
  onEpoch?: (e: { epoch: number; trainLoss: number; valLoss: number; learningRate: number; best: boolean }) => void;
}

interface TrainState {
  epoch: number;
  learningRate: number;
  bestVal: number;
  badEpochs: number;
  sinceHalving: number;
  history: Array<{ epoch: number; trainLoss: number; valLoss: number; learningRate: number }>;
  config: FrcrnConfig;
}

/** Every `.wav` under `dir` (recursively), sorted. */
export function listWavs(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new AudioError('FILE_NOT_FOUND', `${dir}: no such directory of WAV files.`);
  }
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.wav$/i.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

function loadMono(file: string, rate: number): Float32Array {
  const a = readWav(file);
  const n = a.channels[0].length;
  const mono = new Float32Array(n);
  for (const c of a.channels) for (let i = 0; i < n; i++) mono[i] += c[i] / a.channels.length;
  return a.sampleRate === rate ? mono : resample(mono, a.sampleRate, rate);
}

function crop(x: Float32Array, len: number, loop: boolean): Float32Array {
  const out = new Float32Array(len);
  if (x.length >= len) {
    const s = Math.floor(random() * (x.length - len + 1));
    out.set(x.subarray(s, s + len));
  } else if (loop) {
    let o = 0;
    let s = Math.floor(random() * x.length);
    while (o < len) {
      const m = Math.min(len - o, x.length - s);
      out.set(x.subarray(s, s + m), o);
      o += m;
      s = 0;
    }
  } else {
    out.set(x, Math.floor(random() * (len - x.length + 1)));
  }
  return out;
}

function rms(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s / x.length + 1e-20);
}

/** One mixture: clean speech and noisy mixture, scaled together. */
export function mixAt(speech: Float32Array, noise: Float32Array, snrDb: number, levelDb: number): { clean: Float32Array; noisy: Float32Array } {
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

/** Negative SI-SNR in dB (zero-mean), averaged over the batch: `[batch, samples]`. */
export function negSiSnr(clean: tf.Tensor2D, est: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const s = clean.sub(clean.mean(1, true));
    const e = est.sub(est.mean(1, true));
    const a = e.mul(s).sum(1, true).div(s.square().sum(1, true).add(1e-8));
    const t = s.mul(a);
    const ratio = t.square().sum(1).div(e.sub(t).square().sum(1).add(1e-8)).add(1e-8);
    return ratio.log().mul(-10 / Math.LN10).mean() as tf.Scalar;
  });
}

interface Batch {
  clean: tf.Tensor2D;
  noisy: tf.Tensor2D;
}

/** Loss of `model` on one batch; returns the scalar (inside the caller's tidy / variableGrads). */
function batchLoss(model: tf.LayersModel, c: FrcrnConfig, b: Batch, maskWeight: number, training: boolean): tf.Scalar {
  const opts = { winLength: c.winLength, hopLength: c.hopLength, nFft: c.nFft, window: makeWindow('sqrt-hann', c.winLength) };
  const X = stftTensor(b.noisy, opts); // [batch, time, F]
  const S = stftTensor(b.clean, opts);
  const input = tf.stack([X.re, X.im], 3) as tf.Tensor4D; // [batch, time, F, 2]
  const mask = model.apply(input, { training }) as tf.Tensor4D; // [batch, time, F, 2]
  const [mr, mi] = tf.unstack(mask, 3) as tf.Tensor3D[];
  const est = { re: mr.mul(X.re).sub(mi.mul(X.im)) as tf.Tensor3D, im: mr.mul(X.im).add(mi.mul(X.re)) as tf.Tensor3D };
  const y = istftTensor(est, b.clean.shape[1], opts);
  // target cIRM = S X* / |X|², each part clipped to the mask's range
  const den = X.re.square().add(X.im.square()).add(1e-8);
  const tr = S.re.mul(X.re).add(S.im.mul(X.im)).div(den).clipByValue(-1, 1);
  const ti = S.im.mul(X.re).sub(S.re.mul(X.im)).div(den).clipByValue(-1, 1);
  const maskMse = mr.sub(tr).square().mean().add(mi.sub(ti).square().mean()).div(2);
  return negSiSnr(b.clean, y).add(maskMse.mul(maskWeight)) as tf.Scalar;
}

function checkpointDir(out: string): string {
  return `${path.resolve(out).replace(/[\\/]+$/, '')}.checkpoint`;
}

async function saveCheckpoint(dir: string, model: tf.LayersModel, opt: tf.AdamOptimizer, state: TrainState): Promise<void> {
  const named = await opt.getWeights();
  const specs = named.map((w) => ({ name: w.name, shape: w.tensor.shape }));
  const parts = await Promise.all(named.map((w) => w.tensor.data() as Promise<Float32Array>));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const buf = new Float32Array(total);
  let o = 0;
  for (const p of parts) {
    buf.set(p, o);
    o += p.length;
  }
  await saveModel(model, dir, { kind: 'frcrn', config: state.config });
  atomicWriteFile(path.join(dir, 'optimizer.bin'), new Uint8Array(buf.buffer));
  atomicWriteFile(path.join(dir, 'state.json'), JSON.stringify({ ...state, optimizer: specs }, null, 1));
}

async function loadCheckpoint(dir: string, opt: tf.AdamOptimizer): Promise<{ model: tf.LayersModel; state: TrainState }> {
  const state = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')) as TrainState & {
    optimizer: Array<{ name: string; shape: number[] }>;
  };
  const model = await loadModel(dir);
  const raw = fs.readFileSync(path.join(dir, 'optimizer.bin'));
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  let o = 0;
  const named = state.optimizer.map((s) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(all.subarray(o, o + n), s.shape);
    o += n;
    return { name: s.name, tensor: t };
  });
  await opt.setWeights(named);
  return { model, state };
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

/** Trains (or resumes training of) an FRCRN enhancer; the best model ends up in `options.out`. */
export async function trainEnhancer(options: TrainEnhancerOptions): Promise<TrainState> {
  const o = {
    epochs: 50,
    stepsPerEpoch: 100,
    batchSize: 4,
    learningRate: 1e-3,
    clipNorm: 5,
    maskWeight: 10,
    minSeconds: 1,
    maxSeconds: 2,
    minSnrDb: -5,
    maxSnrDb: 20,
    patience: 2,
    earlyStop: 5,
    validationFraction: 0.05,
    validationMixtures: 16,
    exclude: [] as string[],
    seed: 1234,
    ...options,
  };
  setSeed(o.seed);
  const baseConfig = typeof o.config === 'object' ? o.config : FRCRN_CONFIGS[o.config ?? 'small'];
  if (!baseConfig) throw new AudioError('BAD_ARGUMENT', `unknown config "${String(o.config)}"; use small or full.`);
  const keep = (f: string): boolean => !o.exclude.some((x) => f.includes(x));
  const speechFiles = listWavs(o.speechDir).filter(keep);
  const noiseFiles = listWavs(o.noiseDir).filter(keep);
  if (speechFiles.length < 2) throw new AudioError('BAD_ARGUMENT', `${o.speechDir}: needs at least 2 speech WAV files, found ${speechFiles.length}.`);
  if (noiseFiles.length < 1) throw new AudioError('BAD_ARGUMENT', `${o.noiseDir}: needs at least 1 noise WAV file.`);
  const rate = baseConfig.sampleRate;
  const order = shuffle(speechFiles.map((_, i) => i));
  const nVal = Math.max(1, Math.round(speechFiles.length * o.validationFraction));
  const valSet = new Set(order.slice(0, nVal));
  const speech = speechFiles.map((f) => loadMono(f, rate));
  const noise = noiseFiles.map((f) => loadMono(f, rate));
  const trainIdx = speech.map((_, i) => i).filter((i) => !valSet.has(i));
  const valIdx = [...valSet];
  const log = (m: string): void => {
    if (!o.quiet) process.stderr.write(`${m}\n`);
  };
  log(`train-enhancer: ${trainIdx.length} speech files for training, ${valIdx.length} for validation, ${noise.length} noise files`);

  const drawBatch = (idx: number[], n: number, seconds: number): Batch => {
    const len = Math.round(seconds * rate);
    const cl = new Float32Array(n * len);
    const no = new Float32Array(n * len);
    for (let b = 0; b < n; b++) {
      const s = crop(speech[idx[Math.floor(random() * idx.length)]], len, false);
      const z = crop(noise[Math.floor(random() * noise.length)], len, true);
      const snr = o.minSnrDb + random() * (o.maxSnrDb - o.minSnrDb);
      const m = mixAt(s, z, snr, -35 + random() * 20);
      cl.set(m.clean, b * len);
      no.set(m.noisy, b * len);
    }
    return { clean: tf.tensor2d(cl, [n, len]), noisy: tf.tensor2d(no, [n, len]) };
  };
  // fixed validation mixtures (drawn once, from their own seed)
  setSeed(o.seed + 1);
  const valBatches = Array.from({ length: Math.ceil(o.validationMixtures / o.batchSize) }, () => drawBatch(valIdx, o.batchSize, 1.5));
  setSeed(o.seed + 2);

  const ckpt = checkpointDir(o.out);
  const opt = tf.train.adam(o.learningRate) as tf.AdamOptimizer;
  let model: tf.LayersModel;
  let state: TrainState;
  if (o.resume && fs.existsSync(path.join(ckpt, 'state.json'))) {
    ({ model, state } = await loadCheckpoint(ckpt, opt));
    (opt as unknown as { learningRate: number }).learningRate = state.learningRate;
    setSeed(o.seed + 1000 + state.epoch);
    log(`resuming from ${ckpt} after epoch ${state.epoch} (best validation loss ${state.bestVal.toFixed(3)}, lr ${state.learningRate})`);
  } else {
    if (o.resume) log(`no checkpoint in ${ckpt}; starting fresh`);
    model = buildFrcrn(baseConfig);
    state = { epoch: 0, learningRate: o.learningRate, bestVal: Infinity, badEpochs: 0, sinceHalving: 0, history: [], config: baseConfig };
  }
  const c = state.config;
  if (frcrnBins(c) !== (model.inputs[0].shape[2] as number)) throw new AudioError('MODEL_CORRUPT', `${ckpt}: model and config disagree.`);
  log(`FRCRN ${c.name}: ${countParameters(model)} parameters, batch ${o.batchSize}, ${o.stepsPerEpoch} steps per epoch`);

  while (state.epoch < o.epochs && state.badEpochs < o.earlyStop) {
    const bar = new ProgressBar(o.stepsPerEpoch, { label: `epoch ${state.epoch + 1}/${o.epochs}`, silent: o.quiet });
    let sum = 0;
    for (let step = 0; step < o.stepsPerEpoch; step++) {
      const seconds = o.minSeconds + random() * (o.maxSeconds - o.minSeconds);
      const batch = drawBatch(trainIdx, o.batchSize, seconds);
      const { value, grads } = tf.variableGrads(() => batchLoss(model, c, batch, o.maskWeight, true));
      const clipped = clipByGlobalNorm(grads, o.clipNorm);
      opt.applyGradients(Object.entries(clipped).map(([name, tensor]) => ({ name, tensor })));
      const loss = (await value.data())[0];
      tf.dispose([value, batch.clean, batch.noisy]);
      tf.dispose(Object.values(grads));
      tf.dispose(Object.values(clipped));
      if (!Number.isFinite(loss)) throw new AudioError('TRAINING_DIVERGED', `loss became ${loss} at epoch ${state.epoch + 1}, step ${step + 1}; lower --lr.`);
      sum += loss;
      bar.update(step + 1, `loss ${(sum / (step + 1)).toFixed(3)}`);
    }
    bar.finish();
    const trainLoss = sum / o.stepsPerEpoch;
    let val = 0;
    for (const vb of valBatches) val += tf.tidy(() => batchLoss(model, c, vb, o.maskWeight, false).dataSync()[0]) / valBatches.length;
    state.epoch += 1;
    state.history.push({ epoch: state.epoch, trainLoss, valLoss: val, learningRate: state.learningRate });
    const best = val < state.bestVal;
    if (best) {
      state.bestVal = val;
      state.badEpochs = 0;
      state.sinceHalving = 0;
      await saveModel(model, o.out, {
        kind: 'frcrn',
        config: c,
        parameters: countParameters(model),
        epoch: state.epoch,
        validationLoss: val,
        trainedOn: { speech: path.resolve(o.speechDir), noise: path.resolve(o.noiseDir), exclude: o.exclude, speechFiles: trainIdx.length, noiseFiles: noise.length },
      });
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
    log(`epoch ${state.epoch}: train loss ${trainLoss.toFixed(3)}, validation loss ${val.toFixed(3)}${best ? ' (best, saved)' : ''}`);
    o.onEpoch?.({ epoch: state.epoch, trainLoss, valLoss: val, learningRate: state.learningRate, best });
    await saveCheckpoint(ckpt, model, opt, state);
  }
  if (state.badEpochs >= o.earlyStop) log(`early stop: no improvement for ${o.earlyStop} epochs`);
  tf.dispose(valBatches.flatMap((b) => [b.clean, b.noisy]));
  model.dispose();
  return state;
}
