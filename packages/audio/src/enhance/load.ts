import * as fs from 'fs';
import * as path from 'path';
import { AudioError } from '../errors';
import type { Enhancer } from './enhancer';
import { WienerEnhancer } from './wiener';
import { loadModel, loadModelMetadata } from '@gatewave/core';
import { FrcrnEnhancer, frcrnConfigOf } from './frcrn-enhancer';

/** The pretrained `small` FRCRN model shipped inside the package. */
export const DEFAULT_MODEL_DIR = path.resolve(__dirname, '../../models/enhancer-small');

/**
 * Loads an enhancer: `'wiener'` for the classical baseline, a model directory written by `train-enhancer`, or
 * (no argument) the pretrained model shipped in the package.
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
  return loadFrcrnEnhancer(dir);
}

/** Loads a model directory written by `train-enhancer` (model.json + weights.bin, config in the metadata). */
export async function loadFrcrnEnhancer(dir: string): Promise<FrcrnEnhancer> {
  const config = frcrnConfigOf(loadModelMetadata(dir), dir);
  return new FrcrnEnhancer(await loadModel(dir), config);
}
