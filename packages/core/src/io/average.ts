/**
 * Weight averaging of saved models of one architecture (checkpoint averaging, "model soups": Wortsman et al. 2022):
 * models fine-tuned from one starting point usually sit in one basin of the loss, and the mean of their weights often
 * generalises better than any one of them, at no cost at inference. Works on the saved folders, byte for byte: the
 * layer classes and weight manifests (names, shapes, types) must be identical; float32 weights are averaged, integer
 * ones must agree.
 */
import * as fs from 'fs';
import * as path from 'path';
import { GatewaveError } from '../errors';
import { atomicWriteDir, checkOutputDir, type OutputDirOptions } from './atomic';
import { MODEL_FORMAT_VERSION, MODEL_JSON, WEIGHTS_BIN, weightBytes, type ModelJson } from './model-format';
import { directoryHandler, loadModelMetadata } from './model-io';

export interface AverageModelsOptions extends OutputDirOptions {
  /** One weight per model, each > 0; scaled to sum to 1 (default: all alike). */
  weights?: number[];
}

interface SavedModel {
  dir: string;
  json: ModelJson;
  data: Buffer;
}

/** A saved model as `loadModel` reads it (same checks: the folder, its model.json, the size of its weights). */
async function readSaved(dir: string): Promise<SavedModel> {
  const artifacts = await directoryHandler(dir).load!(); // the directory handler always reads
  const json: ModelJson = {
    format: 'gatewave-model',
    formatVersion: MODEL_FORMAT_VERSION,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
    metadata: loadModelMetadata(dir),
    generatedBy: 'gatewave',
  };
  return { dir, json, data: Buffer.from(artifacts.weightData as ArrayBuffer) };
}

/** The weights each model gets, checked and scaled to sum to 1. */
function normalisedWeights(count: number, weights?: number[]): number[] {
  if (count < 2) throw new GatewaveError('BAD_ARGUMENT', `averaging needs at least 2 models; got ${count}.`);
  const w = weights ?? new Array<number>(count).fill(1);
  if (w.length !== count) {
    throw new GatewaveError('BAD_ARGUMENT', `${w.length} weights for ${count} models; give one weight per model.`);
  }
  if (w.some((v) => !Number.isFinite(v) || v <= 0)) {
    throw new GatewaveError('BAD_ARGUMENT', `weights must be positive numbers; got ${w.join(', ')}.`);
  }
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / sum);
}

/** Throws unless `other` has the topology and weight manifest of `first`, naming the first difference. */
function checkSameArchitecture(first: SavedModel, other: SavedModel): void {
  const a = first.json.weightsManifest.flatMap((g) => g.weights);
  const b = other.json.weightsManifest.flatMap((g) => g.weights);
  const differs = (what: string) =>
    new GatewaveError(
      'MODEL_MISMATCH',
      `${other.dir} is not the architecture of ${first.dir} (${what}); only models of one architecture can be averaged.`,
    );
  if (a.length !== b.length) throw differs(`${b.length} weights against ${a.length}`);
  a.forEach((s, i) => {
    const t = b[i];
    if (s.name !== t.name || s.dtype !== t.dtype || s.shape.join('x') !== t.shape.join('x')) {
      throw differs(`weight ${i}: ${t.name} ${t.dtype} [${t.shape}] against ${s.name} ${s.dtype} [${s.shape}]`);
    }
  });
  const [ka, kb] = [layerClasses(first.json.modelTopology), layerClasses(other.json.modelTopology)];
  if (ka.join() !== kb.join()) throw differs(`layers ${kb.join(', ')} against ${ka.join(', ')}`);
}

/** The class names of a topology's layers, in order (names given by tfjs, such as `model_3`, may differ). */
function layerClasses(topology: unknown): string[] {
  const out: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.class_name === 'string') out.push(o.class_name);
      Object.values(o).forEach(visit);
    }
  };
  visit(topology);
  return out;
}

/** The weighted mean of the models' weights, as one weights.bin; integer weights must be equal in every model. */
function averagedData(models: SavedModel[], w: number[]): Buffer {
  const out = Buffer.alloc(models[0].data.byteLength);
  let offset = 0;
  for (const spec of models[0].json.weightsManifest.flatMap((g) => g.weights)) {
    const n = spec.shape.reduce((x, y) => x * y, 1);
    const bytes = weightBytes(spec);
    if (spec.dtype === 'float32') {
      const sum = new Float64Array(n);
      models.forEach((m, k) => {
        const v = new Float32Array(m.data.buffer.slice(m.data.byteOffset + offset, m.data.byteOffset + offset + bytes));
        for (let i = 0; i < n; i++) sum[i] += w[k] * v[i];
      });
      Buffer.from(Float32Array.from(sum).buffer).copy(out, offset);
    } else {
      const ref = models[0].data.subarray(offset, offset + bytes);
      const other = models.find((m) => !m.data.subarray(offset, offset + bytes).equals(ref));
      if (other) {
        throw new GatewaveError(
          'MODEL_MISMATCH',
          `${other.dir}: ${spec.dtype} weight ${spec.name} differs; it cannot be averaged.`,
        );
      }
      ref.copy(out, offset);
    }
    offset += bytes;
  }
  return out;
}

/**
 * Writes to `out` a model whose weights are the weighted mean of those saved in `dirs` (atomically; never over a
 * folder of other files unless `overwrite`). Its metadata is the first model's, with `averagedFrom` naming every model
 * and its weight. Returns the weights used (summing to 1).
 */
export async function averageModels(
  dirs: string[],
  out: string,
  options: AverageModelsOptions = {},
): Promise<number[]> {
  const w = normalisedWeights(dirs.length, options.weights);
  const outputOptions = { ...options, inputs: [...(options.inputs ?? []), ...dirs] };
  checkOutputDir(out, outputOptions);
  const models = await Promise.all(dirs.map(readSaved));
  for (const m of models.slice(1)) checkSameArchitecture(models[0], m);
  const data = averagedData(models, w);
  const json: ModelJson = {
    ...models[0].json,
    metadata: { ...models[0].json.metadata, averagedFrom: dirs.map((d, k) => ({ model: d, weight: w[k] })) },
  };
  await atomicWriteDir(
    out,
    (tmp) => {
      fs.writeFileSync(path.join(tmp, WEIGHTS_BIN), data);
      fs.writeFileSync(path.join(tmp, MODEL_JSON), JSON.stringify(json));
    },
    outputOptions,
  );
  return w;
}
