import * as fs from 'fs';
import * as path from 'path';
import { testExample } from './run-example';

testExample(
  { script: 'panel-covariates.js', dist: 'packages/forecast/dist/index.js', args: ['--epochs', '2'] },
  'examples/panel-covariates.js: global DLinear on two cities with and without covariates, a last-week forecast from a future-covariate CSV, and its plot',
  (r, out) => {
    for (const name of ['dlinear, no covariates', 'dlinear \\+ covariates'])
      expect(r.stdout).toMatch(new RegExp(`^${name}\\s+[\\d.]+\\s+[\\d.]+\\s+[\\d.]+$`, 'm'));
    expect(r.stdout).toMatch(/last week \(7 days per city, not trained on\): MAE [\d.]+ °C/);
    // weather.csv ends on 2015-12-31 for both cities: the forecast is of 2015-12-25 to 2015-12-31.
    const lines = fs.readFileSync(path.join(out, 'forecast.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('location,date,forecast,lo80,hi80,lo95,hi95');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(
      ['Seattle', 'New York'].flatMap((c) =>
        Array.from({ length: 7 }, (_, d) => `${c},2015-12-${String(25 + d).padStart(2, '0')}`),
      ),
    );
    const png = fs.readFileSync(path.join(out, 'forecast.png'));
    expect(png.toString('latin1', 1, 4)).toBe('PNG');
    expect(fs.readFileSync(path.join(out, 'forecast.svg'), 'utf8')).toContain('80 % interval');
  },
);
