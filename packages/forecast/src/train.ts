import { ProgressBar, shuffle, tf } from '@gatewave/core';
import { WindowSet } from './data/windows';
import { ForecastError } from './errors';
import { meanSquaredError } from './fused-loss';

/** Training settings; the defaults are the paper's (Adam, MSE, batch 32, lr 1e−3 × 0.9 per epoch, patience 5). */
export interface TrainOptions {
  epochs?: number;
  /** Stop after this many epochs without a lower validation loss. */
  patience?: number;
  batchSize?: number;
  learningRate?: number;
  /** Learning-rate factor per epoch (the paper's `type4`: lr·0.9^(epoch−1) from the second epoch on). */
  lrDecay?: number;
  /** No progress bar. */
  quiet?: boolean;
  /** Checked between batches; when it returns true, training stops and the best weights so far are kept. */
  shouldStop?: () => boolean;
  /** Called after each epoch whose validation loss is the best so far (e.g. to write a checkpoint). */
  onBest?: (epoch: number, valLoss: number) => Promise<void> | void;
  /**
   * Quantile levels of a network with quantile heads (its output holds Q values per variable, `v·Q + q`): the loss,
   * and the validation loss of early stopping, is then the mean pinball loss over the levels instead of the MSE.
   */
  quantiles?: number[];
  /** Positions of future covariates among the variables: the network then takes a third input, their next H rows. */
  futureIdx?: number[];
}

export interface EpochLog {
  epoch: number;
  loss: number;
  valLoss: number;
  learningRate: number;
  /** Seconds spent on the training batches of this epoch (validation excluded). */
  seconds: number;
}

export interface TrainResult {
  /** Epochs run (complete ones). */
  epochs: number;
  /** 1-based epoch of the kept weights (0 when no epoch completed). */
  bestEpoch: number;
  bestValLoss: number;
  history: EpochLog[];
  /** True when `shouldStop` ended training early. */
  interrupted: boolean;
  /** Mean training seconds per epoch and training windows per second. */
  secondsPerEpoch: number;
  windowsPerSecond: number;
}

/**
 * The network's forecast restricted to the target variables: `[batch, H, targets·Q]` (Q = 1 for a point forecast;
 * with quantile heads the Q values of variable v sit at `v·Q .. v·Q + Q − 1`).
 */
export function targetsOf(out: tf.Tensor, targetIdx: number[], variables: number, quantiles = 1): tf.Tensor {
  if (targetIdx.length === variables && targetIdx.every((t, i) => t === i)) return out;
  if (targetIdx.length === 1) return out.slice([0, 0, targetIdx[0] * quantiles], [-1, -1, quantiles]);
  return tf.gather(
    out,
    targetIdx.flatMap((t) => Array.from({ length: quantiles }, (_, q) => t * quantiles + q)),
    2,
  );
}

/**
 * The network's inputs in its own order, matched by name (`x`, `marks`, `future`): a saved model keeps only the inputs
 * its output depends on (GRU does not read `marks`), so a loaded one may take fewer, in another order.
 */
export function networkInputs(
  net: tf.LayersModel,
  x: tf.Tensor,
  marks: tf.Tensor,
  future?: tf.Tensor | null,
): tf.Tensor[] {
  const byName: Record<string, tf.Tensor | null | undefined> = { x, marks, future };
  return net.inputs.map((input) => {
    const t = byName[input.name.replace(/_\d+$/, '')];
    if (!t)
      throw new ForecastError(
        'MODEL_CORRUPT',
        `the network has an input '${input.name}' that gatewave does not know (x, marks, future); train and save the model again.`,
      );
    return t;
  });
}

/**
 * The training loss of forecasts `out` `[batch, H, K·Q]` against `y` `[batch, H, K]`: the MSE, or with quantile
 * levels τ_q the mean pinball loss ρ_τ(e) = max(τ·e, (τ − 1)·e), e = y − ŷ_τ, over points and levels.
 */
export function forecastLoss(out: tf.Tensor, y: tf.Tensor, quantiles?: number[]): tf.Scalar {
  return tf.tidy(() => {
    if (!quantiles?.length) return meanSquaredError(out, y);
    const [B, H, K] = y.shape;
    const Q = quantiles.length;
    const e = tf.sub(y.reshape([B, H, K, 1]), out.reshape([B, H, K, Q])); // [B, H, K, Q]
    const tau = tf.tensor1d(quantiles);
    return tf.mean(tf.maximum(tf.mul(e, tau), tf.mul(e, tf.sub(tau, 1)))) as tf.Scalar;
  });
}

/** Batches of windows in the given order: calls `fn(x, marks, y, size)` with fresh tensors (disposed after). */
export function* batches(
  set: WindowSet,
  order: ArrayLike<number>,
  batchSize: number,
  dropLast: boolean,
  futureIdx: number[] = [],
): Generator<[tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D | null]> {
  const { lookback: L, horizon: H, variables: V, timeFeatures: T } = set;
  const K = set.targetIdx.length;
  const Fc = futureIdx.length;
  const xb = new Float32Array(batchSize * L * V);
  const mb = new Float32Array(batchSize * L * T);
  const yb = new Float32Array(batchSize * H * K);
  const fb = new Float32Array(batchSize * H * Fc);
  const full = Math.floor(order.length / batchSize) * batchSize;
  const end = dropLast ? full : order.length;
  for (let s = 0; s < end; s += batchSize) {
    const idx = Array.prototype.slice.call(order, s, Math.min(end, s + batchSize)) as number[];
    const b = set.fill(idx, xb, mb, yb);
    // Future covariates over the forecast steps of each window: rows [origin + L, origin + L + H).
    for (let i = 0; i < b && Fc; i++) {
      const first = set.origin(idx[i]) + L;
      for (let h = 0; h < H; h++)
        for (let j = 0; j < Fc; j++) fb[(i * H + h) * Fc + j] = set.data[(first + h) * V + futureIdx[j]];
    }
    yield [
      tf.tensor3d(xb.subarray(0, b * L * V), [b, L, V]),
      tf.tensor3d(mb.subarray(0, b * L * T), [b, L, T]),
      tf.tensor3d(yb.subarray(0, b * H * K), [b, H, K]),
      Fc ? tf.tensor3d(fb.subarray(0, b * H * Fc), [b, H, Fc]) : null,
    ];
  }
}

/** The loss (MSE, or mean pinball loss with `quantiles`) of the network over every window of a set (scaled units). */
export function validationLoss(
  net: tf.LayersModel,
  set: WindowSet,
  quantiles?: number[],
  futureIdx: number[] = [],
  batchSize = 256,
): number {
  let sum = 0;
  let n = 0;
  const order = Array.from({ length: set.count }, (_, i) => i);
  for (const [x, m, y, f] of batches(set, order, batchSize, false, futureIdx)) {
    const s = tf.tidy(() => {
      const out = targetsOf(
        net.apply(networkInputs(net, x, m, f), { training: false }) as tf.Tensor,
        set.targetIdx,
        set.variables,
        quantiles?.length || 1,
      );
      return tf.mul(forecastLoss(out, y, quantiles), y.size);
    });
    sum += s.dataSync()[0];
    n += y.size;
    tf.dispose([x, m, y, s, ...(f ? [f] : [])]);
  }
  return sum / n;
}

/** Lets other work run (Ctrl-C in Node, the page in a browser, which has no setImmediate). */
const nextTick = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/** The validation loss after `epoch`; a loss that is not finite stops training (TRAINING_DIVERGED). */
function finiteValidationLoss(net: tf.LayersModel, val: WindowSet, options: TrainOptions, epoch: number): number {
  const valLoss = validationLoss(net, val, options.quantiles, options.futureIdx);
  if (!Number.isFinite(valLoss)) {
    throw new ForecastError(
      'TRAINING_DIVERGED',
      `the validation loss became ${valLoss} after epoch ${epoch}; nothing was saved. Lower --lr or check the data for extreme values.`,
    );
  }
  return valLoss;
}

/** Mean seconds per epoch, and windows trained per second of training. */
function speeds(
  history: EpochLog[],
  trainSeconds: number,
  trainedWindows: number,
): Pick<TrainResult, 'secondsPerEpoch' | 'windowsPerSecond'> {
  return {
    secondsPerEpoch: history.length ? history.reduce((s, h) => s + h.seconds, 0) / history.length : NaN,
    windowsPerSecond: trainSeconds > 0 ? trainedWindows / trainSeconds : NaN,
  };
}

/**
 * One epoch over `train` in the shuffled `order`: an optimizer step per whole batch (the loss must stay finite), with
 * `progress(steps, mean loss)` after each and a look at `shouldStop` every 16 steps.
 */
async function trainEpoch(
  net: tf.LayersModel,
  optimizer: tf.Optimizer,
  train: WindowSet,
  order: number[],
  batchSize: number,
  options: TrainOptions,
  epoch: number,
  progress: (steps: number, meanLoss: number) => void,
): Promise<{ lossSum: number; steps: number; windows: number; interrupted: boolean }> {
  const vars = net.trainableWeights.map((w) => w.read() as tf.Variable);
  let lossSum = 0;
  let steps = 0;
  let windows = 0;
  for (const [x, m, y, f] of batches(train, order, batchSize, true, options.futureIdx)) {
    const loss = optimizer.minimize(
      () => {
        const out = targetsOf(
          net.apply(networkInputs(net, x, m, f), { training: true }) as tf.Tensor,
          train.targetIdx,
          train.variables,
          options.quantiles?.length || 1,
        );
        return forecastLoss(out, y, options.quantiles);
      },
      true,
      vars,
    ) as tf.Scalar;
    const value = loss.dataSync()[0];
    tf.dispose([x, m, y, loss, ...(f ? [f] : [])]);
    if (!Number.isFinite(value)) {
      throw new ForecastError(
        'TRAINING_DIVERGED',
        `the training loss became ${value} at epoch ${epoch}, batch ${steps + 1}; nothing was saved. Lower --lr, check the data for extreme values, or try --norm.`,
      );
    }
    lossSum += value;
    steps++;
    windows += x.shape[0];
    progress(steps, lossSum / steps);
    if (steps % 16 === 0) {
      await nextTick();
      if (options.shouldStop?.()) return { lossSum, steps, windows, interrupted: true };
    }
  }
  return { lossSum, steps, windows, interrupted: false };
}

/**
 * Trains `net` on the windows of `train` with early stopping on `val`, and leaves the best weights (lowest
 * validation MSE) in `net`. Shuffles with core's seeded `shuffle`, so `setSeed` makes a run repeatable.
 */
export async function trainNetwork(
  net: tf.LayersModel,
  train: WindowSet,
  val: WindowSet,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const epochs = options.epochs ?? 25;
  const patience = options.patience ?? 5;
  const batchSize = options.batchSize ?? 32;
  const lr0 = options.learningRate ?? 1e-3;
  const decay = options.lrDecay ?? 0.9;
  // PyTorch's Adam defaults (tfjs would use epsilon 1e-7 on float32 backends).
  const optimizer = tf.train.adam(lr0, 0.9, 0.999, 1e-8);
  const perEpoch = Math.max(1, Math.floor(train.count / batchSize));
  const bar = new ProgressBar(epochs * perEpoch, { label: 'train', silent: options.quiet, logEvery: perEpoch });
  const history: EpochLog[] = [];
  let best: tf.Tensor[] | null = null;
  let bestEpoch = 0;
  let bestValLoss = Infinity;
  let stale = 0;
  let interrupted = false;
  let trainSeconds = 0;
  let trainedWindows = 0;
  const order = Array.from({ length: train.count }, (_, i) => i);
  try {
    for (let epoch = 1; epoch <= epochs && !interrupted; epoch++) {
      // The paper's schedule: lr0 for epochs 1 and 2, then ×0.9 per epoch.
      const lr = lr0 * Math.pow(decay, Math.max(0, epoch - 2));
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
      shuffle(order);
      const t0 = performance.now();
      const run = await trainEpoch(net, optimizer, train, order, batchSize, options, epoch, (steps, loss) =>
        bar.update(
          (epoch - 1) * perEpoch + steps,
          `epoch ${epoch}/${epochs} loss ${loss.toFixed(4)}${bestEpoch ? ` best val ${bestValLoss.toFixed(4)}` : ''}`,
        ),
      );
      const { lossSum, steps } = run;
      trainedWindows += run.windows;
      interrupted = run.interrupted;
      const seconds = (performance.now() - t0) / 1000;
      trainSeconds += seconds;
      if (interrupted) break;
      const valLoss = finiteValidationLoss(net, val, options, epoch);
      history.push({ epoch, loss: lossSum / steps, valLoss, learningRate: lr, seconds });
      bar.update(
        epoch * perEpoch,
        `epoch ${epoch}/${epochs} loss ${(lossSum / steps).toFixed(4)} val ${valLoss.toFixed(4)} lr ${lr.toExponential(2)}`,
      );
      if (valLoss < bestValLoss) {
        bestValLoss = valLoss;
        bestEpoch = epoch;
        stale = 0;
        tf.dispose(best ?? []);
        best = net.getWeights().map((w) => tf.clone(w));
        await options.onBest?.(epoch, valLoss);
      } else if (++stale >= patience) {
        break;
      }
      await nextTick();
      if (options.shouldStop?.()) interrupted = true;
    }
  } finally {
    bar.finish(
      bestEpoch ? `best epoch ${bestEpoch} val ${bestValLoss.toFixed(4)}${interrupted ? ' (interrupted)' : ''}` : '',
    );
    optimizer.dispose();
  }
  if (best) {
    net.setWeights(best);
    tf.dispose(best);
  }
  return {
    epochs: history.length,
    bestEpoch,
    bestValLoss,
    history,
    interrupted,
    ...speeds(history, trainSeconds, trainedWindows),
  };
}
