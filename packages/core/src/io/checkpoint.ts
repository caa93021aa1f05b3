/**
 * Resumable training checkpoints, one format for every gatewave trainer: the latest weights, the optimizer's state
 * (Adam's moments and step count), the trainer's counters and any JSON documents it needs to carry on.
 *
 * Layout of a checkpoint folder (usually `<out>.checkpoint/` beside the model folder `out`):
 * - `model/`          the weights (a gatewave model folder, `saveModel`);
 * - `optimizer.json`  `[{ name, shape }]`, one entry per optimizer variable, in the optimizer's own order;
 * - `optimizer.bin`   those variables' float32 values, one after the other;
 * - `state.json`      the trainer's counters (epoch, learning rate, best score, history, ...);
 * - `<name>.json`     extra documents (e.g. the detector's `detector.json`).
 * The folder is written at once (`atomicWriteDir`), so a crash leaves the previous checkpoint whole.
 *
 * `loadCheckpoint` also reads the layout the enhancer trainer wrote before this module existed: the model's files at
 * the top of the folder and the optimizer's variable list as `state.json`'s `optimizer` field.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { GatewaveError } from '../errors';
import { atomicWriteDir, GATEWAVE_OUTPUT_NAMES } from './atomic';
import { loadModel, saveModel, type ModelMetadata } from './model-io';

/** One optimizer variable as listed in `optimizer.json`. */
export interface OptimizerVariableSpec {
  name: string;
  shape: number[];
}

export interface SaveCheckpointOptions<S> {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  /** The trainer's counters, written as `state.json`. */
  state: S;
  /** Stored with the weights in `model/model.json`. */
  modelMetadata?: ModelMetadata;
  /**
   * Extra JSON documents by base name: `{ detector: config }` is written as `detector.json`. Each file name must be
   * one of `GATEWAVE_OUTPUT_NAMES`, so that the next checkpoint may replace the folder.
   */
  documents?: Record<string, unknown>;
}

export interface LoadedCheckpoint<S> {
  model: tf.LayersModel;
  state: S;
  /** The extra JSON documents asked for, by base name. */
  documents: Record<string, unknown>;
}

/** The checkpoint folder that belongs to the model folder `out`: `<out>.checkpoint`. */
export function checkpointDir(out: string): string {
  return `${path.resolve(out).replace(/[\\/]+$/, '')}.checkpoint`;
}

/**
 * Where a trainer that keeps every epoch (`--keep-epochs`) writes the weights after epoch `epoch`:
 * `<out>.epochs/e<epoch>`, a model folder of its own (for `average-models`, or to pick an epoch later).
 */
export function epochDir(out: string, epoch: number): string {
  return path.join(`${path.resolve(out).replace(/[\\/]+$/, '')}.epochs`, `e${epoch}`);
}

/**
 * Checks, before training, that keeping the epochs after `lastEpoch` will not replace epochs kept by an earlier run
 * that went further (a resume from an older checkpoint, or a fresh run into the same `out`). Throws OUTPUT_EXISTS
 * naming them.
 */
export function checkKeptEpochs(out: string, lastEpoch: number, flag = '--keep-epochs'): void {
  const dir = path.dirname(epochDir(out, 1));
  if (!fs.existsSync(dir)) return;
  if (!fs.statSync(dir).isDirectory())
    throw new GatewaveError('OUTPUT_EXISTS', `${flag}: ${dir} is a file; move it away or choose another --out.`);
  const later = fs
    .readdirSync(dir)
    .map((name) => /^e(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[1]) > lastEpoch)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  if (later.length === 0) return;
  const listed =
    later
      .slice(0, 5)
      .map((n) => `e${n}`)
      .join(', ') + (later.length > 5 ? `, ... (${later.length} in all)` : '');
  throw new GatewaveError(
    'OUTPUT_EXISTS',
    `${flag}: ${dir} already holds epochs after ${lastEpoch}, where this run starts (${listed}); this run would replace them. Move them away, or choose another --out.`,
  );
}

/** True when `dir` holds a checkpoint (in either layout) that `loadCheckpoint` can read. */
export function hasCheckpoint(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'state.json'));
}

/** The optimizer's variables, their list and their values concatenated. */
async function optimizerParts(optimizer: tf.Optimizer): Promise<{ specs: OptimizerVariableSpec[]; bytes: Buffer }> {
  const named = await optimizer.getWeights();
  const specs: OptimizerVariableSpec[] = [];
  const parts: Buffer[] = [];
  for (const w of named) {
    // Adam's step count `iter` is an int32 scalar: stored, like everything else, as a float32 value.
    const data = Float32Array.from(await w.tensor.data());
    specs.push({ name: w.name, shape: w.tensor.shape });
    parts.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  return { specs, bytes: Buffer.concat(parts) };
}

/** Writes a checkpoint folder at `dir` in one step, replacing the previous one. */
export async function saveCheckpoint<S>(dir: string, options: SaveCheckpointOptions<S>): Promise<void> {
  for (const name of Object.keys(options.documents ?? {})) {
    if (!GATEWAVE_OUTPUT_NAMES.includes(`${name}.json`)) {
      throw new GatewaveError(
        'BAD_ARGUMENT',
        `checkpoint document ${name}.json is not one of gatewave's output names.`,
      );
    }
  }
  const { specs, bytes } = await optimizerParts(options.optimizer);
  await atomicWriteDir(dir, async (tmp) => {
    await saveModel(options.model, path.join(tmp, 'model'), options.modelMetadata);
    fs.writeFileSync(path.join(tmp, 'optimizer.json'), JSON.stringify(specs));
    fs.writeFileSync(path.join(tmp, 'optimizer.bin'), bytes);
    fs.writeFileSync(path.join(tmp, 'state.json'), JSON.stringify(options.state, null, 1));
    for (const [name, doc] of Object.entries(options.documents ?? {})) {
      fs.writeFileSync(path.join(tmp, `${name}.json`), JSON.stringify(doc));
    }
  });
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new GatewaveError('CHECKPOINT_CORRUPT', `cannot read ${file}: ${(err as Error).message}.`);
  }
}

/** The optimizer's variable list: `optimizer.json`, or (older enhancer layout) the `optimizer` field of state.json. */
function optimizerSpecs(dir: string, state: Record<string, unknown>): OptimizerVariableSpec[] {
  const file = path.join(dir, 'optimizer.json');
  const specs = fs.existsSync(file) ? readJson(file) : state.optimizer;
  if (!Array.isArray(specs)) {
    throw new GatewaveError('CHECKPOINT_CORRUPT', `${dir}: no optimizer variable list (optimizer.json).`);
  }
  return specs as OptimizerVariableSpec[];
}

/**
 * The detector trainer wrote Adam's int32 step count by its bytes, which read as float32 are a denormal (160 steps
 * read as 2.2e-43); a step count is a whole number below 2^24, so such a value is turned back into its integer.
 */
function legacyStepCount(value: number): number {
  if (value === 0 || Number.isInteger(value)) return value;
  const bits = new Int32Array(new Float32Array([value]).buffer)[0];
  return Math.abs(value) < 1.2e-38 && bits > 0 ? bits : value;
}

/**
 * Restores the optimizer's variables from the checkpoint folder `dir` into `optimizer` (which must be of the same
 * kind, e.g. Adam). Throws a GatewaveError (`CHECKPOINT_CORRUPT`) when the list and the values do not match.
 */
export async function loadOptimizerState(dir: string, optimizer: tf.Optimizer): Promise<void> {
  const state = readJson(path.join(dir, 'state.json')) as Record<string, unknown>;
  const specs = optimizerSpecs(dir, state);
  const raw = fs.readFileSync(path.join(dir, 'optimizer.bin'));
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const sizes = specs.map((s) => s.shape.reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== all.length) {
    throw new GatewaveError(
      'CHECKPOINT_CORRUPT',
      `${dir}: optimizer.bin holds ${all.length} values, its variable list ${total}.`,
    );
  }
  let offset = 0;
  const named = specs.map((s, i) => {
    const values = all.slice(offset, offset + sizes[i]);
    offset += sizes[i];
    if (s.name === 'iter' && values.length === 1) values[0] = legacyStepCount(values[0]);
    return { name: s.name, tensor: tf.tensor(values, s.shape) };
  });
  await optimizer.setWeights(named);
  tf.dispose(named.map((n) => n.tensor));
}

/**
 * Reads the checkpoint folder `dir`: the model, the trainer's state and the extra documents named in `documents`
 * (base names; each must be there). The optimizer's state is restored separately (`loadOptimizerState`), once the
 * trainer has made its optimizer.
 */
export async function loadCheckpoint<S>(dir: string, documents: string[] = []): Promise<LoadedCheckpoint<S>> {
  if (!hasCheckpoint(dir)) {
    throw new GatewaveError('NO_CHECKPOINT', `no checkpoint at ${dir} (no state.json there).`);
  }
  const state = readJson(path.join(dir, 'state.json')) as S & { optimizer?: unknown };
  // The older enhancer layout kept the optimizer's variable list in state.json: it is not part of the counters.
  delete state.optimizer;
  const modelDir = fs.existsSync(path.join(dir, 'model', 'model.json')) ? path.join(dir, 'model') : dir;
  const model = await loadModel(modelDir);
  const docs: Record<string, unknown> = {};
  for (const name of documents) docs[name] = readJson(path.join(dir, `${name}.json`));
  return { model, state: state as S, documents: docs };
}
