/**
 * Writing a copy of an enhancement model with the attenuation limit (and, if chosen, the input level) chosen for it:
 * what `tune-enhancer` writes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { atomicWriteDir, checkOutputDir } from '@gatewave/core';
import { AudioError } from '../errors';
import { checkAttenuationLimit } from './atten-lim';
import { checkInputLevel } from './input-level';

/** A model.json document: what matters here is its metadata. */
export interface ModelJson {
  metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

/** What tuning chose: an attenuation limit (null: none) and, when it was tuned too, the input level. */
export interface Tuning {
  attenuationLimitDb: number | null;
  /** Absent: the model's own input level (or none) is kept. */
  inputLevelDb?: number;
}

/**
 * `model` (a parsed model.json) with `attenuationLimit: { db, chosenOn }` in its metadata, or without one when the
 * limit is null, and with `inputLevel: { db, chosenOn }` when the tuning has one; everything else is kept. `model`
 * itself is not changed.
 */
export function withTuning(model: ModelJson, tuning: Tuning, chosenOn: string): ModelJson {
  const metadata = { ...(model.metadata ?? {}) };
  delete metadata.attenuationLimit;
  const db = tuning.attenuationLimitDb;
  if (db !== null) metadata.attenuationLimit = { db: checkAttenuationLimit(db), chosenOn };
  if (tuning.inputLevelDb !== undefined) metadata.inputLevel = { db: checkInputLevel(tuning.inputLevelDb), chosenOn };
  return { ...model, metadata };
}

/**
 * Copies the model of `modelDir` (model.json + weights.bin) to `outDir`, atomically, with the tuning in its metadata
 * (see `withTuning`). `modelDir` is never changed.
 */
export async function saveTuned(modelDir: string, outDir: string, tuning: Tuning, chosenOn: string): Promise<void> {
  const file = path.join(modelDir, 'model.json');
  if (!fs.existsSync(file))
    throw new AudioError('MODEL_NOT_FOUND', `no enhancement model in ${modelDir} (model.json missing).`);
  const model = withTuning(JSON.parse(fs.readFileSync(file, 'utf8')) as ModelJson, tuning, chosenOn);
  const write = (tmp: string) => {
    fs.writeFileSync(path.join(tmp, 'model.json'), JSON.stringify(model));
    fs.copyFileSync(path.join(modelDir, 'weights.bin'), path.join(tmp, 'weights.bin'));
  };
  await atomicWriteDir(outDir, write, { inputs: [modelDir], flag: '--out' });
}

/** Checks, before any work, that `saveTuned(modelDir, outDir)` will be able to write `outDir`. */
export function checkTunedModelOutput(modelDir: string, outDir: string): void {
  checkOutputDir(outDir, { inputs: [modelDir], flag: '--out' });
}
