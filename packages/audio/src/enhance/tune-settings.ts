/**
 * Choosing an FRCRN network's settings with its attenuation limit, on validation mixtures: every pair of input level
 * (./input-level.ts) and share of `wiener` (./wiener-share.ts) in the grid, each with every candidate limit, scored and
 * chosen by the rule of ./tune.ts. The network runs once per mixture and level, `wiener` once per mixture.
 */
import { WienerEnhancer } from './wiener';
import { mixOutputs } from './wiener-share';
import type { Enhancer } from './pipeline';
import type { EvalMixture } from './eval-mixtures';
import { bestScore, LimitScorer, outputFor, type TuneLimitOptions, type TuneLimitResult } from './tune';

/** The settings of one grid point; null: no input level. */
export interface NetworkSetting {
  inputLevelDb: number | null;
  wienerShare: number;
}

/** The limits scored at each grid point, and the (setting, limit) the rule chooses. */
export interface TuneSettingsResult {
  settings: (NetworkSetting & { result: TuneLimitResult })[];
  chosen: NetworkSetting & { limitDb: number | null };
  keepsStoi: boolean;
}

/** A network that can be fed at another input level (an FrcrnEnhancer). */
export interface LevelledNetwork {
  atInputLevel(db: number | null): Enhancer;
}

/** Scores every (input level, wiener share) of the grid with every candidate limit, and chooses by the rule. */
export async function tuneNetworkSettings(
  network: LevelledNetwork,
  mixtures: EvalMixture[],
  grid: { inputLevels: (number | null)[]; wienerShares: number[] },
  options: TuneLimitOptions,
  wiener: Enhancer = new WienerEnhancer(),
): Promise<TuneSettingsResult> {
  const scorer = new LimitScorer(mixtures, options);
  const wienerOut: Float32Array[] = [];
  const settings: TuneSettingsResult['settings'] = [];
  const total = grid.inputLevels.length * mixtures.length;
  for (const [l, inputLevelDb] of grid.inputLevels.entries()) {
    const net = network.atInputLevel(inputLevelDb);
    const sums = grid.wienerShares.map(() => scorer.sums());
    for (let i = 0; i < mixtures.length; i++) {
      const y = await outputFor(net, mixtures[i]);
      for (const [k, share] of grid.wienerShares.entries()) {
        if (share > 0) wienerOut[i] ??= await outputFor(wiener, mixtures[i]);
        scorer.add(sums[k], i, share > 0 ? mixOutputs(y, wienerOut[i], share) : y);
      }
      options.onProgress?.(l * mixtures.length + i + 1, total);
    }
    grid.wienerShares.forEach((wienerShare, k) =>
      settings.push({ inputLevelDb, wienerShare, result: scorer.result(sums[k]) }),
    );
  }
  const best = bestScore(
    settings.flatMap((s) =>
      s.result.scores.map((x) => ({ ...x, inputLevelDb: s.inputLevelDb, wienerShare: s.wienerShare })),
    ),
  );
  return {
    settings,
    chosen: { inputLevelDb: best.inputLevelDb, wienerShare: best.wienerShare, limitDb: best.limitDb },
    keepsStoi: best.keepsStoi,
  };
}
