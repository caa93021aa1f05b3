import { ForecastMetrics, seasonalNaiveScale } from '@gatewave/forecast';

describe('ForecastMetrics', () => {
  test('hand-computed values, accumulated over two updates', () => {
    // errors: +1, −2, 0, +4 on actuals 2, 4, 0, 8 (one column)
    const m = new ForecastMetrics(1, [2]);
    m.update([3, 2], [2, 4]).update([0, 12], [0, 8]);
    const r = m.results();
    expect(r.points).toBe(4);
    expect(r.mse).toBeCloseTo((1 + 4 + 0 + 16) / 4, 12);
    expect(r.mae).toBeCloseTo(7 / 4, 12);
    expect(r.rmse).toBeCloseTo(Math.sqrt(21 / 4), 12);
    expect(r.mape).toBeCloseTo((100 * (1 / 2 + 2 / 4 + 4 / 8)) / 3, 10); // y = 0 skipped
    expect(r.smape).toBeCloseTo((100 * (2 / 5 + 4 / 6 + 0 + 8 / 20)) / 4, 10);
    expect(r.mase).toBeCloseTo(7 / 4 / 2, 12);
  });

  test('MASE averages per-column scaled errors; no scale gives NaN', () => {
    const m = new ForecastMetrics(2, [1, 10]);
    m.update([1, 10, 1, 10], [0, 0, 0, 0]); // column 0 MAE 1, column 1 MAE 10
    expect(m.results().mase).toBeCloseTo((1 / 1 + 10 / 10) / 2, 12);
    expect(new ForecastMetrics(1).update([1], [2]).results().mase).toBeNaN();
  });

  test('seasonal-naive scale', () => {
    // column 1 of [t, 2]: 0, 1, 4, 9, 16 with season 2: |4−0|, |9−1|, |16−4| → 24/3
    const v = [0, 0, 0, 1, 0, 4, 0, 9, 0, 16];
    expect(seasonalNaiveScale(v, 2, 1, 5, 2)).toBeCloseTo(8, 12);
  });
});
