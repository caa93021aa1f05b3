/**
 * Choosing an enhancer's attenuation limit on validation mixtures: each mixture is enhanced once without a limit, and
 * every candidate limit is scored on that output mixed with the input. The rule: the largest mean SI-SDR gain among
 * the candidates whose mean STOI, in every group of mixtures (e.g. every SNR), is no more than `stoiTolerance` (one
 * for all groups, or one per group) below the noisy input's; when no candidate keeps STOI, the one that loses least
 * of it. The settings of an FRCRN network (input level, share of `wiener`) are chosen with the limit by the same rule:
 * ./tune-settings.ts.
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

/**
 * Scores the candidate limits (no limit, then `limits`) on outputs for `mixtures`: `add` one output per mixture into a
 * fresh `sums()`, then `result`. The noisy inputs' own figures are computed once, however many outputs are scored.
 */
export class LimitScorer {
  readonly candidates: (number | null)[];
  private readonly tolerance: number[];
  private readonly base: { sdr: number; stoi: number }[] = [];

  constructor(
    private readonly mixtures: EvalMixture[],
    options: TuneLimitOptions,
  ) {
    this.candidates = [null, ...options.limits];
    this.tolerance = tolerances(options.stoiTolerance, [...new Set(mixtures.map((m) => m.group))]);
  }

  sums(): Map<string, Sums>[] {
    return this.candidates.map(() => new Map<string, Sums>());
  }

  /** Scores `y`, the output for mixture `i`, at every candidate limit. */
  add(sums: Map<string, Sums>[], i: number, y: Float32Array): void {
    const m = this.mixtures[i];
    const base = (this.base[i] ??= { sdr: siSdr(m.clean, m.noisy), stoi: stoi(m.clean, m.noisy, m.sampleRate) });
    this.candidates.forEach((db, k) => {
      const out = db === null ? y : mixWithInput(m.noisy, y, db);
      const s = sums[k].get(m.group) ?? { gain: 0, stoi: 0, n: 0 };
      s.gain += siSdr(m.clean, out) - base.sdr;
      s.stoi += stoi(m.clean, out, m.sampleRate) - base.stoi;
      s.n += 1;
      sums[k].set(m.group, s);
    });
  }

  result(sums: Map<string, Sums>[]): TuneLimitResult {
    const scores = this.candidates.map((db, k) => summarise(db, sums[k], this.tolerance));
    const best = bestScore(scores);
    return { scores, chosen: best.limitDb, keepsStoi: best.keepsStoi };
  }
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
export function tolerances(given: number | number[] | undefined, groups: string[]): number[] {
  const t = Array.isArray(given) ? given : groups.map(() => given ?? 0);
  if (t.length !== groups.length || !t.every((x) => x >= 0))
    throw new AudioError(
      'BAD_ARGUMENT',
      `the STOI tolerance needs one number >= 0, or one per group (${groups.length}: ${groups.join(', ')}); got ${String(given)}.`,
    );
  return t;
}

/** An enhancer's output for one mixture (the pipeline, as a user's file would go). */
export async function outputFor(enhancer: Enhancer, m: EvalMixture): Promise<Float32Array> {
  return (await enhanceAudio({ sampleRate: m.sampleRate, channels: [m.noisy] }, enhancer)).channels[0];
}

/** Scores no limit and every limit of `options.limits` on `mixtures`, and chooses by the rule above. */
export async function tuneAttenuationLimit(
  enhancer: Enhancer,
  mixtures: EvalMixture[],
  options: TuneLimitOptions,
): Promise<TuneLimitResult> {
  const scorer = new LimitScorer(mixtures, options);
  const sums = scorer.sums();
  const bare = unlimited(enhancer);
  for (let i = 0; i < mixtures.length; i++) {
    scorer.add(sums, i, await outputFor(bare, mixtures[i]));
    options.onProgress?.(i + 1, mixtures.length);
  }
  return scorer.result(sums);
}

/** The rule: the largest mean gain among the scores that keep STOI, else the one that loses least STOI. */
export function bestScore<S extends LimitScore>(scores: S[]): S {
  const keeping = scores.filter((s) => s.keepsStoi);
  return keeping.length
    ? keeping.reduce((a, b) => (b.siSdrGain > a.siSdrGain ? b : a))
    : scores.reduce((a, b) => (b.worstStoiChange > a.worstStoiChange ? b : a));
}
