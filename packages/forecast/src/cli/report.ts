import { MetricValues } from '../metrics';
import { ProbabilisticValues } from '../intervals';
import { PanelEvaluation } from '../models/panel-model';

/** The text and JSON that gatewave-forecast prints for a set of errors. */

export function metricTable(scaled: MetricValues, original: MetricValues): string {
  const rows: [string, keyof MetricValues][] = [
    ['MSE', 'mse'],
    ['MAE', 'mae'],
    ['RMSE', 'rmse'],
    ['MAPE %', 'mape'],
    ['sMAPE %', 'smape'],
    ['MASE', 'mase'],
  ];
  const fmt = (v: number): string =>
    Number.isFinite(v) ? (Math.abs(v) >= 1e5 ? v.toExponential(3) : v.toFixed(4)) : 'n/a';
  return [
    `${'metric'.padEnd(8)} ${'scaled'.padStart(12)} ${'original'.padStart(12)}`,
    ...rows.map(
      ([label, key]) => `${label.padEnd(8)} ${fmt(scaled[key]).padStart(12)} ${fmt(original[key]).padStart(12)}`,
    ),
  ].join('\n');
}

export function metricJson(
  extra: Record<string, unknown>,
  scaled: MetricValues,
  original: MetricValues,
  probabilistic?: ProbabilisticValues,
): string {
  const { points, ...s } = scaled;
  return JSON.stringify({
    ...extra,
    ...s,
    points,
    original: { ...original, points: undefined },
    ...(probabilistic ? { probabilistic } : {}),
  });
}

/**
 * Prints the errors of a wide model: with `json`, one JSON object (`head`, then the metrics); else `heading`, the
 * metric table and the interval table.
 */
export function printScores(
  json: unknown,
  head: Record<string, unknown>,
  heading: string,
  r: { scaled: MetricValues; original: MetricValues; probabilistic?: ProbabilisticValues },
): void {
  if (json) console.log(metricJson(head, r.scaled, r.original, r.probabilistic));
  else console.log(`${heading}\n${metricTable(r.scaled, r.original)}${intervalTable(r.probabilistic)}`);
}

/** Lines of interval coverage and width, pinball loss and CRPS (original units); empty without intervals. */
export function intervalTable(p?: ProbabilisticValues): string {
  if (!p) return '';
  const rows = p.intervals.map(
    (iv) =>
      `${`${iv.level} % interval`.padEnd(14)} coverage ${iv.coverage.toFixed(1).padStart(5)} %  mean width ${iv.width.toPrecision(4)}`,
  );
  return `\n${rows.join('\n')}\npinball loss ${p.pinball.toPrecision(4)}, CRPS ${p.crps.toPrecision(4)} (quantiles ${p.quantiles.join(', ')}; original units)`;
}

/** One JSON object of a panel evaluation's aggregates (per-series figures go to --metrics). */
export function panelJson(model: string, e: PanelEvaluation, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    model,
    part: e.part,
    series: e.series.length,
    ...extra,
    mean: e.mean,
    maseWeighted: e.maseWeighted,
    ...(e.probabilistic ? { probabilistic: e.probabilistic } : {}),
  });
}
