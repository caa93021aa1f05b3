/**
 * Choosing an enhancer's attenuation limit on validation mixtures: each mixture is enhanced once without a limit, and
 * every candidate limit is scored on that output mixed with the input. The rule: the largest mean SI-SDR gain among
 * the candidates whose mean STOI, in every group of mixtures (e.g. every SNR), is no more than `stoiTolerance` below
 * the noisy input's; when no candidate keeps STOI, the one that loses least of it.
 */
import { siSdr } from '../metrics/sisdr';
import { stoi } from '../metrics/stoi';
import { mixWithInput, unlimited } from './atten-lim';
import { enhanceAudio, type Enhancer } from './pipeline';
import type { EvalMixture } from './eval-mixtures';

/** The figures of one candidate limit (null: no limit) over the mixtures. */
export interface LimitScore {
  limitDb: number | null;
  /** Per group, in the order the groups first appear: mean SI-SDR gain (dB) and mean STOI change over the input. */
  groups: { group: string; siSdrGain: number; stoiChange: number }[];
  /** Mean of the groups' SI-SDR gains. */
  siSdrGain: number;
  /** The lowest of the groups' STOI changes. */
  worstStoiChange: number;
  /** Whether every group keeps STOI within the tolerance. */
  keepsStoi: boolean;
}

export interface TuneLimitResult {
  scores: LimitScore[];
  /** The chosen limit in dB, or null for no limit. */
  chosen: number | null;
  /** False when no candidate kept STOI (the chosen one is then the one that loses least). */
  keepsStoi: boolean;
}

export interface TuneLimitOptions {
  /** Candidate limits in dB (no limit is always a candidate too). */
  limits: number[];
  /** How far below the input's mean STOI a group may be. Default 0. */
  stoiTolerance?: number;
  /** Called after each mixture. */
  onProgress?: (done: number, total: number) => void;
}

interface Sums {
  gain: number;
  stoi: number;
  n: number;
}

/** Scores `candidates` on one mixture, adding into `sums[candidate][group]`. */
async function scoreMixture(
  enhancer: Enhancer,
  m: EvalMixture,
  candidates: (number | null)[],
  sums: Map<string, Sums>[],
): Promise<void> {
  const y = (await enhanceAudio({ sampleRate: m.sampleRate, channels: [m.noisy] }, enhancer)).channels[0];
  const baseSdr = siSdr(m.clean, m.noisy);
  const baseStoi = stoi(m.clean, m.noisy, m.sampleRate);
  candidates.forEach((db, i) => {
    const out = db === null ? y : mixWithInput(m.noisy, y, db);
    const s = sums[i].get(m.group) ?? { gain: 0, stoi: 0, n: 0 };
    s.gain += siSdr(m.clean, out) - baseSdr;
    s.stoi += stoi(m.clean, out, m.sampleRate) - baseStoi;
    s.n += 1;
    sums[i].set(m.group, s);
  });
}

function summarise(db: number | null, groups: Map<string, Sums>, tolerance: number): LimitScore {
  const g = [...groups].map(([group, s]) => ({ group, siSdrGain: s.gain / s.n, stoiChange: s.stoi / s.n }));
  const worst = Math.min(...g.map((x) => x.stoiChange));
  return {
    limitDb: db,
    groups: g,
    siSdrGain: g.reduce((t, x) => t + x.siSdrGain, 0) / g.length,
    worstStoiChange: worst,
    keepsStoi: worst >= -tolerance,
  };
}

/** Scores no limit and every limit of `options.limits` on `mixtures`, and chooses by the rule above. */
export async function tuneAttenuationLimit(
  enhancer: Enhancer,
  mixtures: EvalMixture[],
  options: TuneLimitOptions,
): Promise<TuneLimitResult> {
  const candidates: (number | null)[] = [null, ...options.limits];
  const sums = candidates.map(() => new Map<string, Sums>());
  const bare = unlimited(enhancer);
  for (let i = 0; i < mixtures.length; i++) {
    await scoreMixture(bare, mixtures[i], candidates, sums);
    options.onProgress?.(i + 1, mixtures.length);
  }
  const scores = candidates.map((db, i) => summarise(db, sums[i], options.stoiTolerance ?? 0));
  const keeping = scores.filter((s) => s.keepsStoi);
  const best = keeping.length
    ? keeping.reduce((a, b) => (b.siSdrGain > a.siSdrGain ? b : a))
    : scores.reduce((a, b) => (b.worstStoiChange > a.worstStoiChange ? b : a));
  return { scores, chosen: best.limitDb, keepsStoi: keeping.length > 0 };
}
