/**
 * Server-side enhancement, for when the page asks for it: the uploaded WAV bytes -> the library's enhanceAudio
 * (same pipeline as `gatewave-audio enhance`) -> WAV bytes. The model is loaded once per model choice.
 */
import { initBackend } from '@gatewave/core';
import { decodeWav, encodeWav, enhanceAudio, mixWithInput, loadEnhancer, type Enhancer } from '@gatewave/audio';
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

/** Query: `model` = `default` | `wiener`; `attenLim` = dB (optional). Returns the enhanced WAV's bytes. */
export async function enhanceOnServer(
  body: Uint8Array,
  enhancerDir: string,
  query: URLSearchParams,
): Promise<Uint8Array> {
  const model = query.get('model') ?? 'default';
  if (model !== 'default' && model !== 'wiener')
    throw new WebError('BAD_ARGUMENT', `model must be "default" or "wiener", got "${model}".`);
  const audio = decodeWav(body, query.get('name') ?? 'the upload');
  const out = await enhanceAudio(audio, await enhancer(model, enhancerDir));
  const lim = query.get('attenLim');
  if (lim !== null && lim !== '') {
    const db = Number(lim);
    out.channels = out.channels.map((c, i) => mixWithInput(audio.channels[i], c, db));
  }
  return encodeWav(out);
}
