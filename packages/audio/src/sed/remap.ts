/**
 * A detector with another class list, starting from a trained one: every layer keeps its weights except the output
 * heads, whose columns follow the classes by name (a class the old model knew keeps its SED unit and its x, y, z
 * DOA (or ACCDOA) units; a new class gets freshly initialised units). Used to fine-tune a shipped detector on a corpus that drops
 * or adds classes.
 */
import { tf } from '@gatewave/core';
import { AudioError } from '../errors';
import { buildDetector, DetectorConfig, SoundEventDetector } from './detector';
import type { DetectorOutput } from './accdoa';
import { featureChannels } from './features';
import type { SceneFormat } from './format';

/**
 * Copies the head columns of `old` (`[units, heads·K_old]` kernel or `[heads·K_old]` bias, class k of group g at
 * g·K_old + k) into `fresh` (`[units, heads·K_new]` / `[heads·K_new]`) for every class in both lists.
 */
export function remapHeadWeights(
  old: Float32Array,
  fresh: Float32Array,
  rows: number,
  groups: number,
  oldClasses: readonly string[],
  newClasses: readonly string[],
): Float32Array {
  const out = Float32Array.from(fresh);
  const Ko = oldClasses.length;
  const Kn = newClasses.length;
  if (old.length !== rows * groups * Ko || fresh.length !== rows * groups * Kn) {
    throw new AudioError(
      'MODEL_CORRUPT',
      `head weights have ${old.length} / ${fresh.length} entries, expected ${rows * groups * Ko} / ${rows * groups * Kn}.`,
    );
  }
  newClasses.forEach((name, kn) => {
    const ko = oldClasses.indexOf(name);
    if (ko < 0) return;
    for (let r = 0; r < rows; r++) {
      for (let g = 0; g < groups; g++) out[r * groups * Kn + g * Kn + kn] = old[r * groups * Ko + g * Ko + ko];
    }
  });
  return out;
}

/** A new detector for `classes` with `source`'s weights (heads remapped by class name), normalisation and settings. */
export function detectorWithClasses(source: SoundEventDetector, classes: readonly string[]): SoundEventDetector {
  if (classes.length === 0) throw new AudioError('BAD_ARGUMENT', 'the new class list is empty.');
  const config: DetectorConfig = { ...source.config, classes: [...classes], positiveWeights: undefined };
  delete config.positiveWeights;
  const model = buildDetector(config);
  const oldByName = new Map(source.model.weights.map((w) => [w.originalName, w]));
  for (const w of model.weights) {
    const o = oldByName.get(w.originalName);
    if (!o)
      throw new AudioError(
        'MODEL_CORRUPT',
        `the source detector has no weight ${w.originalName}; it has another architecture.`,
      );
    const head = /^(sed|doa|accdoa)\//.exec(w.originalName);
    if (!head) {
      w.write(o.read().clone());
      continue;
    }
    const groups = head[1] === 'sed' ? 1 : 3;
    const rows = w.shape.length === 2 ? (w.shape[0] as number) : 1;
    const data = remapHeadWeights(
      o.read().dataSync() as Float32Array,
      w.read().dataSync() as Float32Array,
      rows,
      groups,
      source.config.classes,
      classes,
    );
    w.write(tf.tensor(data, w.shape as number[]));
  }
  return new SoundEventDetector(model, config);
}

/**
 * A detector with another output kind (`two-head` or `accdoa`, see ./accdoa.ts) on `source`'s trunk: every weight
 * of the conv blocks and GRUs is copied, the output heads of the new kind (and their hidden layers) start fresh.
 * Used to fine-tune a trained detector into an ACCDOA one.
 */
export function detectorWithOutput(source: SoundEventDetector, output: DetectorOutput): SoundEventDetector {
  const config: DetectorConfig = { ...source.config, output };
  if (output === 'two-head') delete config.output;
  const model = buildDetector(config);
  const oldByName = new Map(source.model.weights.map((w) => [w.originalName, w]));
  for (const w of model.weights) {
    if (/^(sed|doa|accdoa)(_fc\d+)?\//.test(w.originalName)) continue;
    copyWeight(w, oldByName.get(w.originalName));
  }
  return new SoundEventDetector(model, config);
}

/** Writes the source detector's weight `o` into `w`; an error when there is none of the same shape. */
function copyWeight(w: tf.LayerVariable, o: tf.LayerVariable | undefined): void {
  if (!o || o.shape.join() !== w.shape.join())
    throw new AudioError('MODEL_CORRUPT', `the source detector has no weight ${w.originalName} of shape [${w.shape}].`);
  w.write(o.read().clone());
}

/** Log-mel spectrogram channels of a format's features: they come first (mono 1; foa and mic4 one per channel, 4). */
function logMelChannels(format: SceneFormat): number {
  return format === 'mono' ? 1 : 4;
}

/**
 * `conv1`'s kernel `[kh, kw, channels, out]` for a format with `fresh`'s channels: the log-mel channels both formats
 * have (`shared`, the first ones) take `old`'s kernels, the rest keep `fresh`'s.
 */
export function remapInputKernel(
  old: Float32Array,
  fresh: Float32Array,
  taps: number,
  oldChannels: number,
  newChannels: number,
  out: number,
  shared: number,
): Float32Array {
  if (old.length !== taps * oldChannels * out || fresh.length !== taps * newChannels * out || shared > oldChannels)
    throw new AudioError('MODEL_CORRUPT', `conv1 kernels of ${old.length} / ${fresh.length} values do not match.`);
  const result = Float32Array.from(fresh);
  for (let t = 0; t < taps; t++)
    for (let c = 0; c < shared; c++)
      for (let k = 0; k < out; k++) result[(t * newChannels + c) * out + k] = old[(t * oldChannels + c) * out + k];
  return result;
}

/**
 * A detector for scenes of another format (e.g. a 4-microphone `mic4` detector from a FOA one) on `source`'s
 * weights: the first convolution keeps its kernels for the log-mel channels both formats have and starts fresh on the
 * format's own ones (FOA intensity vectors, mic4 GCC-PHAT), every other layer is copied. The feature normalisation
 * is cleared (training measures it on its scenes) and FOA's symmetric views are dropped.
 */
export function detectorWithFormat(source: SoundEventDetector, format: SceneFormat): SoundEventDetector {
  const from = source.config.features.format;
  const config: DetectorConfig = {
    ...source.config,
    features: { ...source.config.features, format },
    normalization: { mean: [], std: [] },
  };
  delete config.views;
  const model = buildDetector(config);
  const oldByName = new Map(source.model.weights.map((w) => [w.originalName, w]));
  for (const w of model.weights) {
    const o = oldByName.get(w.originalName);
    if (w.originalName === 'conv1/kernel' && o) {
      // the first convolution: kernels of the shared log-mel channels from the source, the rest fresh
      const [kh, kw, , out] = w.shape as number[];
      const data = remapInputKernel(
        o.read().dataSync() as Float32Array,
        w.read().dataSync() as Float32Array,
        kh * kw,
        featureChannels(from),
        featureChannels(format),
        out,
        Math.min(logMelChannels(from), logMelChannels(format)),
      );
      w.write(tf.tensor(data, w.shape as number[]));
    } else copyWeight(w, o);
  }
  return new SoundEventDetector(model, config);
}
