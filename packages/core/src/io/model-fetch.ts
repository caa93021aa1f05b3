/**
 * Loading a gatewave model directory over HTTP (`fetch`), for browsers: the same `model.json` + weight files that
 * `saveModel` writes, served as static files. `url` is the directory's URL, with or without a trailing slash.
 */
import * as tf from '@tensorflow/tfjs';
import { GatewaveError } from '../errors';
import {
  MODEL_JSON,
  modelArtifacts,
  parseModelJson,
  weightPaths,
  type ModelJson,
  type ModelMetadata,
} from './model-format';

/** The `fetch` to use (the global one by default); tests and workers may pass their own. */
export type Fetch = (url: string) => Promise<{
  ok: boolean;
  status: number;
  statusText?: string;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

/** `name` inside the folder at URL `dir` (with or without a trailing slash). */
export function joinUrl(dir: string, name: string): string {
  return `${dir.replace(/\/+$/, '')}/${name}`;
}

/** How `fetchModelFile` reports a file it cannot get: in which error class, and what to say. */
export interface FetchReport {
  /** The error class, e.g. GatewaveError or a package's own; always with code MODEL_NOT_FOUND. */
  error: new (code: 'MODEL_NOT_FOUND', message: string) => Error;
  /** What is missing when the server answers with an error status ("no <kind> at <url>"), e.g. 'model'. */
  kind: string;
  /** Which file of the model this is, named in both messages (none: the URL says it). */
  what?: string;
  /** The end of the message for an error status: what to serve there. */
  serve: string;
}

/** Fetches one file of a served model; a failed request or an error status throws MODEL_NOT_FOUND as `report` says. */
export async function fetchModelFile(
  url: string,
  fetcher: Fetch,
  report: FetchReport,
): Promise<{ text(): Promise<string>; arrayBuffer(): Promise<ArrayBuffer> }> {
  let res: Awaited<ReturnType<Fetch>>;
  try {
    res = await fetcher(url);
  } catch (err) {
    throw new report.error(
      'MODEL_NOT_FOUND',
      `cannot fetch ${report.what ? `${report.what} from ` : ''}${url} (${(err as Error).message}); check the model URL and that the server is running.`,
    );
  }
  if (!res.ok) {
    const answer = `${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
    throw new report.error(
      'MODEL_NOT_FOUND',
      `no ${report.kind} at ${url}: the server answered ${answer}${report.what ? ` for ${report.what}` : ''}${report.serve}`,
    );
  }
  return res;
}

/** A file of a model directory saved by `saveModel`. */
function get(url: string, what: string, fetcher: Fetch): ReturnType<typeof fetchModelFile> {
  const serve = '. Serve a directory written by saveModel there.';
  return fetchModelFile(url, fetcher, { error: GatewaveError, kind: 'model', what, serve });
}

function defaultFetch(): Fetch {
  if (typeof fetch !== 'function') {
    throw new GatewaveError(
      'NO_FETCH',
      'this environment has no global fetch; pass a fetch function to the model loader.',
    );
  }
  return (url) => fetch(url);
}

/** Fetches and checks `model.json` of the model directory at `url`. */
export async function fetchModelJson(url: string, fetcher: Fetch = defaultFetch()): Promise<ModelJson> {
  const file = joinUrl(url, MODEL_JSON);
  return parseModelJson(await (await get(file, MODEL_JSON, fetcher)).text(), file);
}

/** A tfjs IO handler that loads the model directory at `url` (read only). */
export function urlHandler(url: string, fetcher: Fetch = defaultFetch()): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = await fetchModelJson(url, fetcher);
      const files = await Promise.all(
        weightPaths(json).map(
          async (p) => new Uint8Array(await (await get(joinUrl(url, p), p, fetcher)).arrayBuffer()),
        ),
      );
      return modelArtifacts(json, files, joinUrl(url, weightPaths(json).join(', ')));
    },
  };
}

/** Loads a model saved by `saveModel` and served at `url`. Custom gatewave layers must be imported (they are). */
export async function loadModelFromUrl(url: string, fetcher?: Fetch): Promise<tf.LayersModel> {
  return tf.loadLayersModel(urlHandler(url, fetcher));
}

/** Fetches only the metadata stored by `saveModel`. */
export async function loadModelMetadataFromUrl(url: string, fetcher?: Fetch): Promise<ModelMetadata> {
  return (await fetchModelJson(url, fetcher)).metadata ?? {};
}
