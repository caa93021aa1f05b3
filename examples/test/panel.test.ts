import * as fs from 'fs';
import * as path from 'path';
import { testExample } from './run-example';

testExample(
  { script: 'panel.js', dist: 'packages/forecast/dist/index.js', args: ['--epochs', '2'] },
  'examples/panel.js: global TPGN and DLinear over the five stock series, per-series errors and a long forecast CSV',
  (r, out) => {
    // GOOG starts in August 2004: 68 months; the others 123 (January 2000 to March 2010).
    expect(r.stdout).toContain('5 series, monthly: MSFT 123, AMZN 123, IBM 123, GOOG 68, AAPL 123');
    for (const model of ['tpgn', 'dlinear', 'naive', 'seasonal-naive']) {
      const row = new RegExp(`^${model}\\s+((?:[\\d.]+\\s+){5})([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)$`, 'm').exec(
        r.stdout,
      );
      expect(row).not.toBeNull();
      const per = row![1].trim().split(/\s+/).map(Number);
      const mean = Number(row![2]);
      expect(per).toHaveLength(5);
      expect(mean).toBeCloseTo(per.reduce((a, b) => a + b, 0) / 5, 2);
    }
    const metrics = fs.readFileSync(path.join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(metrics[0]).toBe('symbol,windows,points,mse,mae,rmse,mape,smape,mase');
    expect(
      metrics
        .slice(1)
        .map((l) => l.split(',')[0])
        .sort(),
    ).toEqual(['AAPL', 'AMZN', 'GOOG', 'IBM', 'MSFT']);
    const lines = fs.readFileSync(path.join(out, 'forecast.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('symbol,date,forecast');
    expect(lines).toHaveLength(1 + 5 * 12);
    // Every series ends in March 2010: its forecast covers April 2010 to March 2011, month starts.
    const goog = lines.filter((l) => l.startsWith('GOOG,')).map((l) => l.split(',')[1]);
    expect(goog).toHaveLength(12);
    expect([goog[0], goog[8], goog[11]]).toEqual(['2010-04-01', '2010-12-01', '2011-03-01']);
  },
);
