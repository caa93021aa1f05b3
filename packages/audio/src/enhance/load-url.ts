/**
 * Loading an enhancer over HTTP (`fetch`), for browsers: the same model directory that `train-enhancer` writes,
 * served as static files, or `'wiener'` for the classical baseline.
 */
import { loadModelFromUrl, loadModelMetadataFromUrl, type Fetch } from '@gatewave/core';
import type { Enhancer } from './pipeline';
import { WienerEnhancer } from './wiener';
import { FrcrnEnhancer, frcrnConfigOf } from './frcrn-enhancer';

/** `'wiener'`, or the URL of an FRCRN model directory (model.json + weights.bin). */
export async function loadEnhancerFromUrl(spec: string, fetcher?: Fetch): Promise<Enhancer> {
  if (spec === 'wiener') return new WienerEnhancer();
  const config = frcrnConfigOf(await loadModelMetadataFromUrl(spec, fetcher), spec);
  return new FrcrnEnhancer(await loadModelFromUrl(spec, fetcher), config);
}
