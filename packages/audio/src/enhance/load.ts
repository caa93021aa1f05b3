import * as fs from 'fs';
import * as path from 'path';
import { AudioError } from '../errors';
import type { Enhancer } from './enhancer';
import { WienerEnhancer } from './wiener';
import { loadModel, loadModelMetadata } from '@gatewave/core';
import { FrcrnEnhancer, frcrnConfigOf, frcrnEnhancerOf, frcrnNetworkOf } from './frcrn-enhancer';

/**
 * The default enhancer shipped inside the package: FRCRN `large` trained on the Debian speech / noise / music corpus
 * (warm-started from `medium`, then trained on its shipped output with an intelligibility term; the mean of 12
 * epochs' weights), fed at −20 dBFS, averaged over two shifts of its STFT frames, mixed with 25 % of `wiener`'s output
 * and under a 16 dB attenuation limit, all chosen on that corpus's validation split (see its model card).
 */
export const DEFAULT_MODEL_DIR = path.resolve(__dirname, '../../models/enhancer-large');

/** FRCRN `medium`, the default before `large` (9 dB attenuation limit); same compute, half the parameters. */
export const MEDIUM_MODEL_DIR = path.resolve(__dirname, '../../models/enhancer-medium');

/** The small FRCRN model shipped inside the package, for low-power use (about 1/10 of `medium`'s compute). */
export const SMALL_MODEL_DIR = path.resolve(__dirname, '../../models/enhancer-small');

/**
 * Loads an enhancer: `'wiener'` for the classical baseline, a model directory written by `train-enhancer`, or
 * (no argument) the pretrained model shipped in the package. A model that recommends an attenuation limit in its
 * metadata comes with it (`unlimited()` removes it, `limitAttenuation()` replaces it).
 */
export async function loadEnhancer(spec?: string): Promise<Enhancer> {
  if (spec === 'wiener') return new WienerEnhancer();
  const dir = spec ?? DEFAULT_MODEL_DIR;
  if (!fs.existsSync(path.join(dir, 'model.json'))) {
    throw new AudioError(
      'MODEL_NOT_FOUND',
      spec === undefined
        ? `the pretrained model is missing from ${dir}; reinstall @gatewave/audio, or load a model directory or "wiener" instead.`
        : `no enhancement model in ${dir} (model.json missing); pass a directory written by train-enhancer, or "wiener".`,
    );
  }
  const meta = loadModelMetadata(dir);
  frcrnConfigOf(meta, dir);
  return frcrnEnhancerOf(await loadModel(dir), meta, dir);
}

/**
 * Loads a model directory written by `train-enhancer` (model.json + weights.bin, config in the metadata) as the bare
 * network, fed at the input level its metadata names but without any attenuation limit it recommends.
 */
export async function loadFrcrnEnhancer(dir: string): Promise<FrcrnEnhancer> {
  const meta = loadModelMetadata(dir);
  frcrnConfigOf(meta, dir);
  return frcrnNetworkOf(await loadModel(dir), meta, dir);
}
