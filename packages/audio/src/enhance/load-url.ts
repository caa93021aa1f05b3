/**
 * Loading an enhancer over HTTP (`fetch`), for browsers: the same model directory that `train-enhancer` writes,
 * served as static files, or `'wiener'` for the classical baseline.
 */
import { loadModelFromUrl, loadModelMetadataFromUrl, type Fetch } from '@gatewave/core';
import type { Enhancer } from './pipeline';
import { WienerEnhancer } from './wiener';
import { frcrnConfigOf, frcrnEnhancerOf } from './frcrn-enhancer';

/**
 * `'wiener'`, or the URL of an FRCRN model directory (model.json + weights.bin), with the attenuation limit the model
 * recommends, if any (`unlimited()` removes it, `limitAttenuation()` replaces it).
 */
export async function loadEnhancerFromUrl(spec: string, fetcher?: Fetch): Promise<Enhancer> {
  if (spec === 'wiener') return new WienerEnhancer();
  const meta = await loadModelMetadataFromUrl(spec, fetcher);
  frcrnConfigOf(meta, spec); // not an FRCRN model: say so before fetching the weights
  return frcrnEnhancerOf(await loadModelFromUrl(spec, fetcher), meta, spec);
}
