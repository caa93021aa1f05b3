/**
 * The Node model-folder functions under the same names in a browser, where a model folder is a URL: `loadModel`
 * loads over fetch; the two that need a file system say what to use instead. Library code shared by Node and the
 * browser (e.g. a detector's `load`) can import them from `@gatewave/core` in both.
 */
import type * as tf from '@tensorflow/tfjs';
import { GatewaveError } from '../errors';
import { loadModelFromUrl } from './model-fetch';
import type { ModelMetadata } from './model-format';

/** In a browser: loads the model folder served at `url` (as `loadModelFromUrl`). */
export async function loadModel(url: string): Promise<tf.LayersModel> {
  return loadModelFromUrl(url);
}

/** Needs a file system: in a browser use `await loadModelMetadataFromUrl(url)`. */
export function loadModelMetadata(dir: string): ModelMetadata {
  throw new GatewaveError(
    'NOT_IN_BROWSER',
    `loadModelMetadata("${dir}") reads a folder on disk, which a browser cannot; use await loadModelMetadataFromUrl(url).`,
  );
}

/** Needs a file system: in a browser save with tfjs (`model.save('downloads://name')` or `'indexeddb://name'`). */
export async function saveModel(_model: tf.LayersModel, dir: string): Promise<void> {
  throw new GatewaveError(
    'NOT_IN_BROWSER',
    `saveModel(…, "${dir}") writes a folder on disk, which a browser cannot; use model.save('downloads://name') or 'indexeddb://name'.`,
  );
}
