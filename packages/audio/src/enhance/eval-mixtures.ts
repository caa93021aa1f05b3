/**
 * Fixed noisy mixtures to evaluate or tune an enhancer on: from one split of a corpus manifest (`npm run
 * data:enhance`), or from paired clean / noisy folders (VoiceBank+DEMAND layout).
 */
import * as path from 'path';
import { AudioError } from '../errors';
import { readWav } from '../io/wav';
import { readManifest, type ManifestRow } from './manifest';
import { wavsIn } from './score';

/** One mixture: the clean reference and its noisy version, of one length and rate; `group` is what it is averaged in. */
export interface EvalMixture {
  name: string;
  group: string;
  sampleRate: number;
  clean: Float32Array;
  noisy: Float32Array;
}

export interface CorpusMixtureOptions {
  /** Manifest split: 'validation' (to choose settings) or 'test' (to report). */
  split: string;
  /** Most utterances, taken round robin over the split's speakers. Default 40. */
  utterances?: number;
  /** SNRs in dB; every utterance is mixed at each. Default −5, 0, 5, 10. */
  snrs?: number[];
}

const GAP_SECONDS = 0.2;
const MIN_UTTERANCE_SECONDS = 3;

/** Consecutive files of one speaker joined with short gaps into utterances of at least 3 s. */
function utterancesOf(speaker: string, files: ManifestRow[], rate: number): { name: string; clean: Float32Array }[] {
  const out: { name: string; clean: Float32Array }[] = [];
  const gap = new Float32Array(Math.round(GAP_SECONDS * rate));
  let parts: Float32Array[] = [];
  let length = 0;
  for (const f of files) {
    const x = readWav(f.file).channels[0];
    parts.push(x, gap);
    length += x.length + gap.length;
    if (length >= MIN_UTTERANCE_SECONDS * rate) {
      const u = new Float32Array(length);
      let o = 0;
      for (const p of parts) {
        u.set(p, o);
        o += p.length;
      }
      out.push({ name: `${speaker}#${out.length + 1}`, clean: u });
      parts = [];
      length = 0;
    }
  }
  return out;
}

const rms = (a: Float32Array): number => Math.sqrt(a.reduce((t, v) => t + v * v, 0) / a.length + 1e-20);

/** `clean` plus `noise` (looped to its length) scaled for `snrDb`. */
export function mixAtSnr(clean: Float32Array, noise: Float32Array, snrDb: number): Float32Array {
  const z = Float32Array.from(clean, (_, i) => noise[i % noise.length]);
  const g = rms(clean) / (rms(z) * 10 ** (snrDb / 20));
  return Float32Array.from(clean, (v, i) => v + g * z[i]);
}

/** A clean utterance and the noise recording it is mixed with. */
export interface UtteranceWithNoise {
  name: string;
  clean: Float32Array;
  noise: Float32Array;
  /** The noise recording's role in the manifest: 'noise' (a recording) or 'music'. */
  kind: string;
}

/**
 * Utterances of one split of a corpus manifest, each with a noise recording of the same split: per speaker,
 * consecutive files joined (0.2 s gaps) into utterances of at least 3 s; up to `utterances` of them round robin over
 * speakers; utterance k with noise recording k (one file per recording group, round robin). Also returns the speakers
 * and noises of the split, and the sample rate.
 */
export function corpusUtterances(
  manifest: string,
  options: Omit<CorpusMixtureOptions, 'snrs'>,
): { items: UtteranceWithNoise[]; speakers: string[]; noises: string[]; sampleRate: number } {
  const rows = readManifest(manifest).filter((r) => r.split === options.split);
  const bySpeaker = new Map<string, ManifestRow[]>();
  for (const r of rows.filter((x) => x.role === 'speech'))
    bySpeaker.set(r.group, [...(bySpeaker.get(r.group) ?? []), r]);
  const noises: ManifestRow[] = [];
  const seen = new Set<string>();
  for (const r of rows.filter((x) => x.role !== 'speech' && x.seconds >= 2)) {
    if (seen.has(r.group)) continue; // one file per recording group, so no group counts twice
    seen.add(r.group);
    noises.push(r);
  }
  if (bySpeaker.size === 0 || noises.length === 0) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `${manifest}: the ${options.split} split has ${bySpeaker.size} speaker(s) and ${noises.length} noise recording(s); it needs both.`,
    );
  }
  const sampleRate = readWav(rows[0].file).sampleRate;
  const perSpeaker = [...bySpeaker].map(([speaker, files]) => utterancesOf(speaker, files, sampleRate));
  const most = options.utterances ?? 40;
  const picked: { name: string; clean: Float32Array }[] = [];
  for (let k = 0; picked.length < most && perSpeaker.some((u) => u.length > k); k++) {
    for (const u of perSpeaker) if (u.length > k && picked.length < most) picked.push(u[k]);
  }
  const label = (n: ManifestRow) => `${n.package}:${path.basename(n.file)}`;
  const noiseOf = new Map<string, Float32Array>();
  const items = picked.map((u, k) => {
    const n = noises[k % noises.length];
    if (!noiseOf.has(n.file)) noiseOf.set(n.file, readWav(n.file).channels[0]);
    return { name: `${u.name} + ${label(n)}`, clean: u.clean, noise: noiseOf.get(n.file)!, kind: n.role };
  });
  return { items, speakers: [...bySpeaker.keys()], noises: noises.map(label), sampleRate };
}

/** `corpusUtterances` mixed at each SNR (group `"<snr> dB"`). */
export function corpusMixtures(
  manifest: string,
  options: CorpusMixtureOptions,
): { mixtures: EvalMixture[]; speakers: string[]; noises: string[] } {
  const { items, speakers, noises, sampleRate } = corpusUtterances(manifest, options);
  const mixtures: EvalMixture[] = [];
  for (const snr of options.snrs ?? [-5, 0, 5, 10]) {
    for (const u of items) {
      const noisy = mixAtSnr(u.clean, u.noise, snr);
      mixtures.push({ name: u.name, group: `${snr} dB`, sampleRate, clean: u.clean, noisy });
    }
  }
  return { mixtures, speakers, noises };
}

/** Mixtures from paired folders: every `NAME.wav` of `cleanDir` with the `NAME.wav` of `noisyDir` (group `all`). */
export function pairedMixtures(cleanDir: string, noisyDir: string): EvalMixture[] {
  const clean = wavsIn(cleanDir, 'clean');
  const noisy = new Set(wavsIn(noisyDir, 'noisy'));
  const missing = clean.filter((n) => !noisy.has(n));
  if (clean.length === 0 || missing.length > 0) {
    throw new AudioError(
      'BAD_ARGUMENT',
      clean.length === 0
        ? `${cleanDir}: no WAV files.`
        : `${missing.length} clean file(s) have no noisy file of the same name in ${noisyDir} (${missing.slice(0, 5).join(', ')}).`,
    );
  }
  return clean.map((n) => {
    const c = readWav(path.join(cleanDir, n));
    const x = readWav(path.join(noisyDir, n));
    if (c.sampleRate !== x.sampleRate || c.channels[0].length !== x.channels[0].length) {
      throw new AudioError(
        'BAD_ARGUMENT',
        `${n}: the clean and noisy files differ in rate or length (${c.sampleRate} Hz × ${c.channels[0].length} vs ${x.sampleRate} Hz × ${x.channels[0].length}).`,
      );
    }
    return { name: n, group: 'all', sampleRate: c.sampleRate, clean: c.channels[0], noisy: x.channels[0] };
  });
}
