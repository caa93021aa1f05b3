import * as fs from 'fs';
import * as path from 'path';
import { testExample } from './run-example';

testExample(
  { script: 'intervals.js', dist: 'packages/forecast/dist/index.js', args: ['--epochs', '2'] },
  'examples/intervals.js: conformal intervals around TPGN and the baselines, a forecast CSV with bounds and a banded plot',
  (r, out) => {
    expect(r.stdout).toContain('1461 rows, daily');
    for (const model of ['tpgn', 'naive', 'seasonal-naive']) {
      const row = new RegExp(
        `^${model}\\s+([\\d.]+)\\s+([\\d.]+) %\\s+([\\d.]+)\\s+([\\d.]+) %\\s+([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)$`,
        'm',
      ).exec(r.stdout);
      expect(row).not.toBeNull();
      const [mae, c80, w80, c95, w95, pinball, crps] = row!.slice(1).map(Number);
      expect(mae).toBeGreaterThan(0);
      // Calibrated on 2014, tested on the last 20 % of days: near the nominal levels, 95 % wider than 80 %.
      expect(Math.abs(c80 - 80)).toBeLessThan(10);
      expect(Math.abs(c95 - 95)).toBeLessThan(6);
      expect(w95).toBeGreaterThan(w80);
      expect(crps).toBeCloseTo(2 * pinball, 3);
    }
    const lines = fs.readFileSync(path.join(out, 'forecast.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('date,temp_max,temp_max_lo80,temp_max_hi80,temp_max_lo95,temp_max_hi95');
    expect(lines).toHaveLength(8);
    expect(lines[1]).toMatch(/^2016-01-01,/);
    for (const l of lines.slice(1)) {
      const [f, lo80, hi80, lo95, hi95] = l.split(',').slice(1).map(Number);
      expect(lo95 <= lo80 && lo80 < f && f < hi80 && hi80 <= hi95).toBe(true);
    }
    const svg = fs.readFileSync(path.join(out, 'forecast.svg'), 'utf8');
    expect(svg).toContain('80 % interval');
    expect(svg).toContain('95 % interval');
    expect(fs.readFileSync(path.join(out, 'forecast.png')).subarray(1, 4).toString()).toBe('PNG');
  },
);
