/**
 * Choosing an FRCRN network's settings with its attenuation limit, on validation mixtures: every combination of number
 * of shifts (./shifts.ts), input level (./input-level.ts) and share of `wiener` (./wiener-share.ts) in the grid, each
 * with every candidate limit, scored and chosen by the rule of ./tune.ts. The network runs once per mixture, number of
 * shifts and level; `wiener` once per mixture.
 */
import { AudioError } from '../errors';
import { WienerEnhancer } from './wiener';
import { mixOutputs } from './wiener-share';
import type { Enhancer } from './pipeline';
import type { EvalMixture } from './eval-mixtures';
import { bestScore, LimitScorer, outputFor, type TuneLimitOptions, type TuneLimitResult } from './tune';

/** The settings of one grid point; null: no input level; shifts absent: as the network has it. */
export interface NetworkSetting {
  inputLevelDb: number | null;
  wienerShare: number;
  shifts?: number;
}

/** The grid: shifts absent means the network's own number only. */
export interface SettingsGrid {
  inputLevels: (number | null)[];
  wienerShares: number[];
  shifts?: number[];
}

/** The limits scored at each grid point, and the (setting, limit) the rule chooses. */
export interface TuneSettingsResult {
  settings: (NetworkSetting & { result: TuneLimitResult })[];
  chosen: NetworkSetting & { limitDb: number | null };
  keepsStoi: boolean;
}

/** A network that can be fed at another input level and, for a grid of shifts, averaged over shifts (an FrcrnEnhancer). */
export interface LevelledNetwork {
  atInputLevel(db: number | null): Enhancer;
  withShifts?(count: number): LevelledNetwork;
}

/** The grid's (shifts, input level) pairs, each with the network it runs. */
function networkPoints(network: LevelledNetwork, grid: SettingsGrid) {
  const shifted = (count: number) => {
    if (!network.withShifts) throw new AudioError('BAD_ARGUMENT', 'this network cannot be averaged over shifts.');
    return network.withShifts(count);
  };
  return (grid.shifts ?? [undefined]).flatMap((shifts) =>
    grid.inputLevels.map((inputLevelDb) => ({
      shifts,
      inputLevelDb,
      net: (shifts === undefined ? network : shifted(shifts)).atInputLevel(inputLevelDb),
    })),
  );
}

/** Scores every (shifts, input level, wiener share) of the grid with every candidate limit; chooses by the rule. */
export async function tuneNetworkSettings(
  network: LevelledNetwork,
  mixtures: EvalMixture[],
  grid: SettingsGrid,
  options: TuneLimitOptions,
  wiener: Enhancer = new WienerEnhancer(),
): Promise<TuneSettingsResult> {
  const scorer = new LimitScorer(mixtures, options);
  const wienerOut: Float32Array[] = [];
  const settings: TuneSettingsResult['settings'] = [];
  const points = networkPoints(network, grid);
  const total = points.length * mixtures.length;
  for (const [l, { shifts, inputLevelDb, net }] of points.entries()) {
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
      settings.push({ ...shiftsField(shifts), inputLevelDb, wienerShare, result: scorer.result(sums[k]) }),
    );
  }
  const best = bestScore(
    settings.flatMap((s) =>
      s.result.scores.map((x) => ({
        ...x,
        ...shiftsField(s.shifts),
        inputLevelDb: s.inputLevelDb,
        wienerShare: s.wienerShare,
      })),
    ),
  );
  const { inputLevelDb, wienerShare, limitDb } = best;
  return {
    settings,
    chosen: { ...shiftsField(best.shifts), inputLevelDb, wienerShare, limitDb },
    keepsStoi: best.keepsStoi,
  };
}

/** `{ shifts }` when the grid named shifts, else nothing (so that a setting without them compares as before). */
function shiftsField(shifts: number | undefined): { shifts?: number } {
  return shifts === undefined ? {} : { shifts };
}
