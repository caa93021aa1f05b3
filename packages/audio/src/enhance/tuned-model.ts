/** Writing a copy of an enhancement model with the attenuation limit chosen for it (what `tune-enhancer` writes). */
import * as fs from 'fs';
import * as path from 'path';
import { atomicWriteDir, checkOutputDir } from '@gatewave/core';
import { AudioError } from '../errors';
import { checkAttenuationLimit } from './atten-lim';

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
  const model = JSON.parse(fs.readFileSync(file, 'utf8')) as { metadata?: Record<string, unknown> };
  const metadata = { ...(model.metadata ?? {}) };
  delete metadata.attenuationLimit;
  if (db !== null) metadata.attenuationLimit = { db: checkAttenuationLimit(db), chosenOn };
  const write = (tmp: string) => {
    fs.writeFileSync(path.join(tmp, 'model.json'), JSON.stringify({ ...model, metadata }));
    fs.copyFileSync(path.join(modelDir, 'weights.bin'), path.join(tmp, 'weights.bin'));
  };
  await atomicWriteDir(outDir, write, { inputs: [modelDir], flag: '--out' });
}

/** Checks, before any work, that `saveWithAttenuationLimit(modelDir, outDir)` will be able to write `outDir`. */
export function checkTunedModelOutput(modelDir: string, outDir: string): void {
  checkOutputDir(outDir, { inputs: [modelDir], flag: '--out' });
}
