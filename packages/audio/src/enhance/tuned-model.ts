/** Writing a copy of an enhancement model with the attenuation limit chosen for it (what `tune-enhancer` writes). */
import * as fs from 'fs';
import * as path from 'path';
import { atomicWriteDir, checkOutputDir } from '@gatewave/core';
import { AudioError } from '../errors';
import { checkAttenuationLimit } from './atten-lim';

/** A model.json document: what matters here is its metadata. */
export interface ModelJson {
  metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * `model` (a parsed model.json) with `attenuationLimit: { db, chosenOn }` in its metadata, or without one when `db` is
 * null; everything else is kept. `model` itself is not changed.
 */
export function withAttenuationLimit(model: ModelJson, db: number | null, chosenOn: string): ModelJson {
  const metadata = { ...(model.metadata ?? {}) };
  delete metadata.attenuationLimit;
  if (db !== null) metadata.attenuationLimit = { db: checkAttenuationLimit(db), chosenOn };
  return { ...model, metadata };
}

/**
 * Copies the model of `modelDir` (model.json + weights.bin) to `outDir`, atomically, with `attenuationLimit: { db,
 * chosenOn }` in its metadata, or without one when `db` is null. `modelDir` is never changed.
 */
export async function saveWithAttenuationLimit(
  modelDir: string,
  outDir: string,
  db: number | null,
  chosenOn: string,
): Promise<void> {
  const file = path.join(modelDir, 'model.json');
  if (!fs.existsSync(file))
    throw new AudioError('MODEL_NOT_FOUND', `no enhancement model in ${modelDir} (model.json missing).`);
  const model = withAttenuationLimit(JSON.parse(fs.readFileSync(file, 'utf8')) as ModelJson, db, chosenOn);
  const write = (tmp: string) => {
    fs.writeFileSync(path.join(tmp, 'model.json'), JSON.stringify(model));
    fs.copyFileSync(path.join(modelDir, 'weights.bin'), path.join(tmp, 'weights.bin'));
  };
  await atomicWriteDir(outDir, write, { inputs: [modelDir], flag: '--out' });
}

/** Checks, before any work, that `saveWithAttenuationLimit(modelDir, outDir)` will be able to write `outDir`. */
export function checkTunedModelOutput(modelDir: string, outDir: string): void {
  checkOutputDir(outDir, { inputs: [modelDir], flag: '--out' });
}
