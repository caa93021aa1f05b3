/** Loading a sound event detector over HTTP (`fetch`), for browsers: the folder `train-detector` writes, served as files. */
import { loadModelFromUrl, loadModelMetadataFromUrl, type Fetch } from '@gatewave/core';
import { detectorConfigOf, SoundEventDetector } from './detector';

/** The detector whose model folder is served at `url`. */
export async function loadDetectorFromUrl(url: string, fetcher?: Fetch): Promise<SoundEventDetector> {
  const config = detectorConfigOf(await loadModelMetadataFromUrl(url, fetcher), url);
  return new SoundEventDetector(await loadModelFromUrl(url, fetcher), config);
}
