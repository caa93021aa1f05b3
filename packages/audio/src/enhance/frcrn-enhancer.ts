/**
 * Running a trained FRCRN model: analysis (STFT) -> network (complex mask) -> complex product -> synthesis (iSTFT).
 */
import { tf, loadModel, loadModelMetadata } from '@gatewave/core';
import { AudioError } from '../errors';
import { stft, istft, makeWindow } from '../dsp/stft';
import { buildFrcrn, frcrnBins, type FrcrnConfig } from './frcrn';
import type { Enhancer } from './enhancer';

/** An FRCRN network with its STFT settings, usable wherever an Enhancer is. */
export class FrcrnEnhancer implements Enhancer {
  readonly name: string;
  readonly sampleRate: number;
  /** The bottleneck FSMNs see timeOrder frames back; 2 s covers that with margin for the BatchNorm-free edges. */
  readonly contextSeconds = 2;

  constructor(
    readonly model: tf.LayersModel,
    readonly config: FrcrnConfig,
  ) {
    this.name = `frcrn-${config.name}`;
    this.sampleRate = config.sampleRate;
  }

  /** A fresh, untrained network of `config` (for training or tests). */
  static fromConfig(config: FrcrnConfig): FrcrnEnhancer {
    return new FrcrnEnhancer(buildFrcrn(config), config);
  }

  async enhance(x: Float32Array): Promise<Float32Array> {
    const c = this.config;
    const window = makeWindow('sqrt-hann', c.winLength);
    const spec = stft(x, { winLength: c.winLength, hopLength: c.hopLength, nFft: c.nFft, window });
    const F = frcrnBins(c);
    const input = new Float32Array(spec.frames * F * 2);
    for (let i = 0; i < spec.frames * F; i++) {
      input[2 * i] = spec.re[i];
      input[2 * i + 1] = spec.im[i];
    }
    const maskT = tf.tidy(() => this.model.predict(tf.tensor4d(input, [1, spec.frames, F, 2])) as tf.Tensor);
    const mask = (await maskT.data()) as Float32Array;
    maskT.dispose();
    for (let i = 0; i < spec.frames * F; i++) {
      const mr = mask[2 * i];
      const mi = mask[2 * i + 1];
      const yr = spec.re[i];
      const yi = spec.im[i];
      spec.re[i] = mr * yr - mi * yi;
      spec.im[i] = mr * yi + mi * yr;
    }
    return istft(spec, x.length);
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** Loads a model directory written by `train-enhancer` (model.json + weights.bin, config in the metadata). */
export async function loadFrcrnEnhancer(dir: string): Promise<FrcrnEnhancer> {
  const meta = loadModelMetadata(dir) as { kind?: string; config?: FrcrnConfig };
  if (meta.kind !== 'frcrn' || !meta.config) {
    throw new AudioError('MODEL_CORRUPT', `${dir} is not an FRCRN enhancement model (metadata.kind is ${JSON.stringify(meta.kind)}).`);
  }
  const model = await loadModel(dir);
  return new FrcrnEnhancer(model, meta.config);
}
