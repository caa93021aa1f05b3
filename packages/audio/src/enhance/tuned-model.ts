/**
 * Writing a copy of an enhancement model with the attenuation limit (and, when they were tuned too, the input level
 * and the share of `wiener`) chosen for it: what `tune-enhancer` writes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { atomicWriteDir, checkOutputDir } from '@gatewave/core';
import { AudioError } from '../errors';
import { checkAttenuationLimit } from './atten-lim';
import { checkInputLevel } from '../dsp/level';
import { checkWienerShare } from './wiener-share';
import { checkShifts } from './shifts';

/** A model.json document: what matters here is its metadata. */
export interface ModelJson {
  metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

/** What tuning chose: an attenuation limit (null: none) and, when they were tuned too, the network's settings. */
export interface Tuning {
  attenuationLimitDb: number | null;
  /** Absent: the model's own input level (or none) is kept; null: none. */
  inputLevelDb?: number | null;
  /** Absent: the model's own share of `wiener` (or none) is kept; 0: none. */
  wienerShare?: number;
  /** Absent: the model's own number of shifts (or none) is kept; 1: none. */
  shifts?: number;
}

/**
 * `model` (a parsed model.json) with `attenuationLimit: { db, chosenOn }` in its metadata, or without one when the
 * limit is null; `inputLevel: { db, chosenOn }`, `wienerShare: { share, chosenOn }` and `shifts: { count, chosenOn }`
 * likewise when the tuning names them. Everything else is kept; `model` itself is not changed.
 */
export function withTuning(model: ModelJson, tuning: Tuning, chosenOn: string): ModelJson {
  const metadata = { ...(model.metadata ?? {}) };
  delete metadata.attenuationLimit;
  const db = tuning.attenuationLimitDb;
  if (db !== null) metadata.attenuationLimit = { db: checkAttenuationLimit(db), chosenOn };
  const { inputLevelDb: level, wienerShare: share } = tuning;
  if (level !== undefined) delete metadata.inputLevel;
  if (level != null) metadata.inputLevel = { db: checkInputLevel(level), chosenOn };
  if (share !== undefined) delete metadata.wienerShare;
  if (share) metadata.wienerShare = { share: checkWienerShare(share), chosenOn };
  if (tuning.shifts !== undefined) delete metadata.shifts;
  if (tuning.shifts !== undefined && checkShifts(tuning.shifts) > 1)
    metadata.shifts = { count: tuning.shifts, chosenOn };
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
