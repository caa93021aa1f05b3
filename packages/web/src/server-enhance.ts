/**
 * Server-side enhancement, for when the page asks for it: the uploaded WAV bytes -> the library's enhanceAudio
 * (same pipeline as `gatewave-audio enhance`) -> WAV bytes. The model is loaded once per model choice.
 */
import { initBackend } from '@gatewave/core';
import {
  checkAttenuationLimit,
  decodeWav,
  encodeWav,
  enhanceAudio,
  limitAttenuation,
  loadEnhancer,
  unlimited,
  type Enhancer,
} from '@gatewave/audio';
import { WebError } from './errors';

const loaded = new Map<string, Promise<Enhancer>>();

async function enhancer(spec: string, enhancerDir: string): Promise<Enhancer> {
  const key = spec === 'wiener' ? 'wiener' : enhancerDir;
  if (!loaded.has(key)) {
    loaded.set(
      key,
      (async () => {
        await initBackend(undefined, { purpose: 'infer', quiet: true });
        return loadEnhancer(spec === 'wiener' ? 'wiener' : enhancerDir);
      })(),
    );
  }
  return loaded.get(key)!;
}

/**
 * The enhancer for the query's `attenLim`: absent or empty, the model's own limit (the one it recommends, if any);
 * `none`, no limit; a number of dB, that limit instead of the model's.
 */
function withLimit(e: Enhancer, attenLim: string | null): Enhancer {
  if (attenLim === null || attenLim === '') return e;
  if (attenLim === 'none') return unlimited(e);
  const db = Number(attenLim);
  try {
    return limitAttenuation(e, checkAttenuationLimit(db, 'attenLim'));
  } catch (err) {
    throw new WebError('BAD_ARGUMENT', (err as Error).message);
  }
}

/** Query: `model` = `default` | `wiener`; `attenLim` = dB or `none` (optional). Returns the enhanced WAV's bytes. */
export async function enhanceOnServer(
  body: Uint8Array,
  enhancerDir: string,
  query: URLSearchParams,
): Promise<Uint8Array> {
  const model = query.get('model') ?? 'default';
  if (model !== 'default' && model !== 'wiener')
    throw new WebError('BAD_ARGUMENT', `model must be "default" or "wiener", got "${model}".`);
  const audio = decodeWav(body, query.get('name') ?? 'the upload');
  const used = withLimit(await enhancer(model, enhancerDir), query.get('attenLim'));
  return encodeWav(await enhanceAudio(audio, used));
}
