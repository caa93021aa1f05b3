/**
 * Choosing an enhancer's attenuation limit on validation mixtures: each mixture is enhanced once without a limit, and
 * every candidate limit is scored on that output mixed with the input. The rule: the largest mean SI-SDR gain among
 * the candidates whose mean STOI, in every group of mixtures (e.g. every SNR), is no more than `stoiTolerance` (one
 * for all groups, or one per group) below the noisy input's; when no candidate keeps STOI, the one that loses least of it. The input level of an FRCRN network
 * can be chosen with the limit, by the same rule.
 */
import { AudioError } from '../errors';
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
  /**
   * How far below the input's mean STOI a group may be: one number for every group, or one per group in the order the
   * groups first appear (e.g. 0,0,0.005,0.005 for −5, 0, 5 and 10 dB: issue 12's rule). Default 0.
   */
  stoiTolerance?: number | number[];
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

function summarise(db: number | null, groups: Map<string, Sums>, tolerance: number[]): LimitScore {
  const g = [...groups].map(([group, s]) => ({ group, siSdrGain: s.gain / s.n, stoiChange: s.stoi / s.n }));
  return {
    limitDb: db,
    groups: g,
    siSdrGain: g.reduce((t, x) => t + x.siSdrGain, 0) / g.length,
    worstStoiChange: Math.min(...g.map((x) => x.stoiChange)),
    keepsStoi: g.every((x, i) => x.stoiChange >= -tolerance[i]),
  };
}

/** The tolerance of each of `groups` groups; a list must have one per group, each >= 0. */
function tolerances(given: number | number[] | undefined, groups: string[]): number[] {
  const t = Array.isArray(given) ? given : groups.map(() => given ?? 0);
  if (t.length !== groups.length || !t.every((x) => x >= 0))
    throw new AudioError(
      'BAD_ARGUMENT',
      `the STOI tolerance needs one number >= 0, or one per group (${groups.length}: ${groups.join(', ')}); got ${String(given)}.`,
    );
  return t;
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
  const tolerance = tolerances(options.stoiTolerance, [...new Set(mixtures.map((m) => m.group))]);
  for (let i = 0; i < mixtures.length; i++) {
    await scoreMixture(bare, mixtures[i], candidates, sums);
    options.onProgress?.(i + 1, mixtures.length);
  }
  const scores = candidates.map((db, i) => summarise(db, sums[i], tolerance));
  const best = bestScore(scores);
  return { scores, chosen: best.limitDb, keepsStoi: best.keepsStoi };
}

/** The rule: the largest mean gain among the scores that keep STOI, else the one that loses least STOI. */
function bestScore<S extends LimitScore>(scores: S[]): S {
  const keeping = scores.filter((s) => s.keepsStoi);
  return keeping.length
    ? keeping.reduce((a, b) => (b.siSdrGain > a.siSdrGain ? b : a))
    : scores.reduce((a, b) => (b.worstStoiChange > a.worstStoiChange ? b : a));
}

/** Attenuation limits scored at each candidate input level, and the (level, limit) pair the rule chooses. */
export interface TuneLevelResult {
  levels: { inputLevelDb: number; result: TuneLimitResult }[];
  chosen: { inputLevelDb: number; limitDb: number | null };
  keepsStoi: boolean;
}

/**
 * Chooses an FRCRN network's input level and attenuation limit together (`network`: e.g. an FrcrnEnhancer): the limits are scored (as
 * `tuneAttenuationLimit` does) with the network fed at each of `inputLevels`, and the rule above picks among all the
 * pairs.
 */
export async function tuneInputLevel(
  network: { atInputLevel(db: number): Enhancer },
  mixtures: EvalMixture[],
  inputLevels: number[],
  options: TuneLimitOptions,
): Promise<TuneLevelResult> {
  const levels: TuneLevelResult['levels'] = [];
  for (const [i, db] of inputLevels.entries()) {
    const result = await tuneAttenuationLimit(network.atInputLevel(db), mixtures, {
      ...options,
      onProgress: (done, total) => options.onProgress?.(i * total + done, inputLevels.length * total),
    });
    levels.push({ inputLevelDb: db, result });
  }
  const best = bestScore(levels.flatMap((l) => l.result.scores.map((s) => ({ ...s, inputLevelDb: l.inputLevelDb }))));
  return { levels, chosen: { inputLevelDb: best.inputLevelDb, limitDb: best.limitDb }, keepsStoi: best.keepsStoi };
}
