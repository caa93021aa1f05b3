import * as tf from '@tensorflow/tfjs';
import { check, checkPositiveInt } from '../errors';
import { GRU } from '../layers/gru';

export type HeadActivation = 'linear' | 'sigmoid' | 'tanh' | 'softmax' | 'relu';

export interface CRNNHead {
  /** Output name (e.g. `sed`, `doa`). */
  name: string;
  /** Output units per frame (e.g. classes, or 3 × classes for x, y, z). */
  units: number;
  activation: HeadActivation;
  /** Hidden time-distributed dense layers before the output (linear activation, as in SELDnet). Default [128]. */
  hidden?: number[];
}

export interface CRNNConfig {
  /** `[time, freq, channels]`; time may be null for variable-length input. */
  inputShape: [number | null, number, number];
  /** Output channels of each conv block. Default [64, 64, 64] (SELDnet / DCASE 2019 baseline). */
  convChannels?: number[];
  /** Max-pool size over frequency after each block. Default [4, 4, 2]. */
  freqPool?: number[];
  /** Max-pool size over time after each block (1 = none). Default all 1. */
  timePool?: number[];
  /** Dropout after each conv block. Default 0. */
  dropout?: number;
  /** Units of each stacked bidirectional GRU. Default [128, 128]. */
  gruUnits?: number[];
  /** How the two GRU directions are merged. Default 'concat'. */
  mergeMode?: 'concat' | 'sum' | 'mul' | 'ave';
  /** Named time-distributed output heads, at least one. */
  heads: CRNNHead[];
  name?: string;
}

/**
 * Builds a SELDnet-style CRNN:
 * input `[batch, time, freq, channels]`
 * → per block: Conv2D 3×3 (same) → BatchNorm → ReLU → MaxPool `[timePool, freqPool]` → Dropout
 * → reshape to `[batch, time', freq'·C]` → stacked bidirectional GRUs (full sequences)
 * → for each head: time-distributed Dense layers → `[batch, time', units]` with the head's activation.
 * The model's outputs are in the order of `heads` and carry their names.
 */
export function buildCRNN(config: CRNNConfig): tf.LayersModel {
  const { inputShape, convChannels, freqPool, timePool, dropout, gruUnits, mergeMode, heads, freqOut } =
    resolveCRNNConfig(config);
  const [time, freq, channels] = inputShape;
  const blocks = convChannels.length;

  const input = tf.input({ shape: [time, freq, channels], name: 'features' }); // [batch, time, freq, channels]
  let x: tf.SymbolicTensor = input;
  for (let i = 0; i < blocks; i++) {
    x = tf.layers
      .conv2d({ filters: convChannels[i], kernelSize: 3, padding: 'same', name: `conv${i + 1}` })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ axis: -1, name: `bn${i + 1}` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.activation({ activation: 'relu', name: `relu${i + 1}` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers
      .maxPooling2d({ poolSize: [timePool[i], freqPool[i]], name: `pool${i + 1}` })
      .apply(x) as tf.SymbolicTensor;
    if (dropout > 0) x = tf.layers.dropout({ rate: dropout, name: `dropout${i + 1}` }).apply(x) as tf.SymbolicTensor;
  }
  // [batch, time', freq', C] → [batch, time', freq'·C]
  const width = freqOut * convChannels[blocks - 1];
  x = tf.layers.reshape({ targetShape: [-1, width], name: 'to_sequence' }).apply(x) as tf.SymbolicTensor;
  gruUnits.forEach((units, i) => {
    x = tf.layers
      .bidirectional({
        // Runs as one fused op per direction on the native backend; exactly tf.layers.gru elsewhere.
        layer: new GRU({ units, returnSequences: true, name: `gru${i + 1}` }) as unknown as tf.RNN,
        mergeMode,
        name: `bigru${i + 1}`,
      })
      .apply(x) as tf.SymbolicTensor; // [batch, time', units·(2 if concat else 1)]
  });
  const outputs = heads.map((h) => {
    let y = x;
    (h.hidden ?? [128]).forEach((u, j) => {
      y = tf.layers.dense({ units: u, name: `${h.name}_fc${j + 1}` }).apply(y) as tf.SymbolicTensor;
    });
    return tf.layers.dense({ units: h.units, activation: h.activation, name: h.name }).apply(y) as tf.SymbolicTensor;
  });
  return tf.model({ inputs: input, outputs, name: config.name ?? 'crnn' });
}

/** A CRNN config with every default filled in and every value checked. */
export type ResolvedCRNNConfig = Required<Omit<CRNNConfig, 'name'>> & { freqOut: number };

/** Checks `config` and fills in the defaults (which reproduce SELDnet / the DCASE 2019 baseline). */
export function resolveCRNNConfig(config: CRNNConfig): ResolvedCRNNConfig {
  check(
    config && Array.isArray(config.inputShape) && config.inputShape.length === 3,
    'CRNN inputShape',
    'must be [time, freq, channels]',
  );
  const [time, freq, channels] = config.inputShape;
  checkPositiveInt(freq, 'CRNN inputShape freq');
  checkPositiveInt(channels, 'CRNN inputShape channels');
  if (time !== null) checkPositiveInt(time, 'CRNN inputShape time');
  const convChannels = config.convChannels ?? [64, 64, 64];
  const blocks = convChannels.length;
  const freqPool = config.freqPool ?? [4, 4, 2].slice(0, blocks);
  const timePool = config.timePool ?? new Array<number>(blocks).fill(1);
  check(
    freqPool.length === blocks,
    'CRNN freqPool',
    `needs one entry per conv block (${blocks}), got ${freqPool.length}`,
  );
  check(
    timePool.length === blocks,
    'CRNN timePool',
    `needs one entry per conv block (${blocks}), got ${timePool.length}`,
  );
  convChannels.forEach((c, i) => checkPositiveInt(c, `CRNN convChannels[${i}]`));
  freqPool.forEach((p, i) => checkPositiveInt(p, `CRNN freqPool[${i}]`));
  timePool.forEach((p, i) => checkPositiveInt(p, `CRNN timePool[${i}]`));
  const dropout = config.dropout ?? 0;
  check(dropout >= 0 && dropout < 1, 'CRNN dropout', `must be in [0, 1), got ${dropout}`);
  const gruUnits = config.gruUnits ?? [128, 128];
  gruUnits.forEach((u, i) => checkPositiveInt(u, `CRNN gruUnits[${i}]`));
  check(
    Array.isArray(config.heads) && config.heads.length > 0,
    'CRNN heads',
    'needs at least one head, e.g. {name: "sed", units: 10, activation: "sigmoid"}',
  );
  const names = new Set<string>();
  for (const h of config.heads) {
    check(
      typeof h.name === 'string' && h.name.length > 0 && !names.has(h.name),
      'CRNN heads',
      `head names must be unique and non-empty (got '${h.name}')`,
    );
    names.add(h.name);
    checkPositiveInt(h.units, `CRNN head '${h.name}' units`);
  }
  const freqOut = freqPool.reduce((f, p) => Math.floor(f / p), freq);
  check(freqOut >= 1, 'CRNN freqPool', `pools ${freqPool.join('×')} leave no frequency bins from ${freq}`);
  if (time !== null) {
    const timeOut = timePool.reduce((t, p) => Math.floor(t / p), time);
    check(timeOut >= 1, 'CRNN timePool', `pools ${timePool.join('×')} leave no frames from ${time}`);
  }

  return {
    inputShape: config.inputShape,
    convChannels,
    freqPool,
    timePool,
    dropout,
    gruUnits,
    mergeMode: config.mergeMode ?? 'concat',
    heads: config.heads,
    freqOut,
  };
}
