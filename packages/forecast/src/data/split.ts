import { ForecastError } from '../errors';
import { TimeSeries } from './series';

/** `S`: the target in, the target out; `M`: every column in and out; `MS`: every column in, the target out. */
export type FeatureMode = 'S' | 'M' | 'MS';

/** `ett`: the standard ETT borders (12/4/4 months of 30 days); or train/val/test fractions such as `[0.6, 0.2, 0.2]`. */
export type SplitSpec = 'ett' | [number, number, number];

/** Row ranges `[start, end)` of each part; val and test start `lookback` rows before their border. */
export interface SplitRanges {
  train: [number, number];
  val: [number, number];
  test: [number, number];
  /** Rows the scaler is fitted on: `[0, trainRows)`. */
  trainRows: number;
}

export type SplitPart = 'train' | 'val' | 'test';

/** Parses `ett` or `a,b,c` (fractions summing to 1). */
export function parseSplit(text: string): SplitSpec {
  if (text.trim().toLowerCase() === 'ett') return 'ett';
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (
    parts.length !== 3 ||
    parts.some((p) => !Number.isFinite(p) || p <= 0) ||
    Math.abs(parts[0] + parts[1] + parts[2] - 1) > 1e-6
  ) {
    throw new ForecastError(
      'BAD_ARGUMENT',
      `--split: '${text}' is not 'ett' or three positive fractions summing to 1 (e.g. 0.6,0.2,0.2).`,
    );
  }
  return parts as [number, number, number];
}

export function formatSplit(split: SplitSpec): string {
  return split === 'ett' ? 'ett' : split.join(',');
}

const HOUR = 3600 * 1000;

/**
 * The split of the paper's code. Ratios: `numTrain = floor(n·a)`, `numTest = floor(n·c)`, `numVal = n − numTrain −
 * numTest`. ETT: borders 12·30·24, 16·30·24, 20·30·24 rows for hourly data (×4 for 15-minute). Validation and test
 * ranges start `lookback` rows before their border, so their first target is the border row. Checks that each part
 * holds at least one window of `lookback + horizon` rows.
 */
export function splitRanges(
  n: number,
  split: SplitSpec,
  lookback: number,
  horizon: number,
  stepMs: number,
  where = 'series',
): SplitRanges {
  let b1: number;
  let b2: number;
  let b3: number;
  if (split === 'ett') {
    const perHour = HOUR / stepMs;
    if (!Number.isInteger(perHour) || perHour < 1) {
      throw new ForecastError(
        'BAD_ARGUMENT',
        `--split ett: the ETT borders are defined for hourly or sub-hourly data with a step dividing an hour; this series is ${stepMs / 1000} s apart. Use ratios such as 0.6,0.2,0.2.`,
      );
    }
    const month = 30 * 24 * perHour;
    [b1, b2, b3] = [12 * month, 16 * month, 20 * month];
    if (n < b3) {
      throw new ForecastError(
        'TOO_FEW_ROWS',
        `${where}: --split ett needs ${b3} rows (20 months of 30 days), the series has ${n}; use ratios such as 0.6,0.2,0.2.`,
      );
    }
  } else {
    const numTrain = Math.floor(n * split[0]);
    const numTest = Math.floor(n * split[2]);
    b1 = numTrain;
    b2 = n - numTest;
    b3 = n;
  }
  const ranges: SplitRanges = {
    train: [0, b1],
    val: [b1 - lookback, b2],
    test: [b2 - lookback, b3],
    trainRows: b1,
  };
  const need = lookback + horizon;
  for (const part of ['train', 'val', 'test'] as const) {
    const [s, e] = ranges[part];
    if (s < 0 || e - s < need) {
      const rows = split === 'ett' ? n : Math.ceil(need / Math.min(...split.slice(0, 1), split[2]) + lookback);
      throw new ForecastError(
        'TOO_FEW_ROWS',
        `${where}: the ${part} part has ${Math.max(0, e - Math.max(s, 0))} usable rows, fewer than lookback + horizon = ${need}` +
          ` (${n} rows, split ${formatSplit(split)}); use a longer series (about ${rows}+ rows), or a smaller --lookback / --horizon.`,
      );
    }
  }
  return ranges;
}

/** The input and target columns of a mode; in `M` and `MS` the target is moved last, as in the paper's code. */
export function selectColumns(
  series: Pick<TimeSeries, 'columns' | 'source'>,
  mode: FeatureMode,
  target: string,
  columns?: string[],
): { inputColumns: string[]; targetColumns: string[] } {
  if (!['S', 'M', 'MS'].includes(mode)) {
    throw new ForecastError(
      'BAD_ARGUMENT',
      `--features: unknown mode '${mode}'; use S (target only), M (all in, all out) or MS (all in, target out).`,
    );
  }
  if (!series.columns.includes(target)) {
    throw new ForecastError(
      'UNKNOWN_COLUMN',
      `${series.source}: target '${target}' is not a numeric column of the file (numeric columns: ${series.columns.join(', ')}); fix --target.`,
    );
  }
  if (mode === 'S') return { inputColumns: [target], targetColumns: [target] };
  const pool = columns ?? series.columns;
  for (const c of pool) {
    if (!series.columns.includes(c)) {
      throw new ForecastError(
        'UNKNOWN_COLUMN',
        `${series.source}: column '${c}' is not a numeric column (numeric columns: ${series.columns.join(', ')}); fix --columns.`,
      );
    }
  }
  const inputColumns = [...pool.filter((c) => c !== target), target];
  return { inputColumns, targetColumns: mode === 'M' ? inputColumns : [target] };
}
