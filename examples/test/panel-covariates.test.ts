import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Runs the copyable example on the BUILT packages, as a user would, with small settings.
const example = path.join(__dirname, '..', 'panel-covariates.js');
const built = fs.existsSync(path.resolve(__dirname, '../../packages/forecast/dist/index.js'));
if (!built)
  console.warn(
    'SKIPPED examples/panel-covariates.js test: packages/forecast/dist is missing; run npx tsc -b packages/core packages/forecast',
  );

(built ? test : test.skip)(
  'examples/panel-covariates.js: global DLinear on two cities with and without covariates, a last-week forecast from a future-covariate CSV, and its plot',
  () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-example-panel-cov-'));
    const r = spawnSync(process.execPath, [example, '--epochs', '2', '--out', out], {
      env: { ...process.env, GATEWAVE_BACKEND: '' },
      encoding: 'utf8',
    });
    expect(r.stderr).toMatch(/gatewave: backend \w+/);
    expect(r.status).toBe(0);
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
    fs.rmSync(out, { recursive: true, force: true });
  },
);
