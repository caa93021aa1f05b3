import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Runs the copyable example on the BUILT packages, as a user would, with small settings.
const example = path.join(__dirname, '..', 'forecast.js');
const built = fs.existsSync(path.resolve(__dirname, '../../packages/forecast/dist/index.js'));
if (!built)
  console.warn(
    'SKIPPED examples/forecast.js test: packages/forecast/dist is missing; run npx tsc -b packages/core packages/forecast',
  );

(built ? test : test.skip)(
  'examples/forecast.js trains TPGN, prints errors beside the baselines, writes a forecast CSV and a PNG plot',
  () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-example-forecast-'));
    const r = spawnSync(
      process.execPath,
      [example, '--epochs', '2', '--lookback', '48', '--horizon', '24', '--out', out],
      {
        env: { ...process.env, GATEWAVE_BACKEND: '' },
        encoding: 'utf8',
      },
    );
    expect(r.stderr).toMatch(/gatewave: backend \w+/);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('8759 rows, hourly');
    const mse = (name: string): number => Number(new RegExp(`^${name}\\s+([\\d.]+)`, 'm').exec(r.stdout)![1]);
    expect(mse('tpgn')).toBeLessThan(mse('naive'));
    // Seasonal-naive is printed beside it (on these smooth climatological normals it is a very strong baseline).
    expect(mse('seasonal-naive')).toBeGreaterThan(0);

    const lines = fs.readFileSync(path.join(out, 'forecast.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('date,temperature');
    expect(lines.length).toBe(25);
    expect(lines[1]).toMatch(/^2011-01-01 00:00:00,-?\d/); // the hour after the last row (2010-12-31 23:00)
    expect(lines[24]).toMatch(/^2011-01-01 23:00:00,/);
    // The forecast is a plausible Seattle New Year's Day (°C).
    for (const l of lines.slice(1)) expect(Math.abs(Number(l.split(',')[1]) - 5)).toBeLessThan(8);
    const png = fs.readFileSync(path.join(out, 'forecast.png'));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBeGreaterThan(800); // width in the IHDR chunk
    expect(fs.readFileSync(path.join(out, 'forecast.svg'), 'utf8')).toMatch(/<svg[\s\S]*temperature/);
    expect(fs.readdirSync(path.join(out, 'model')).sort()).toEqual(['forecast.json', 'network']);
    fs.rmSync(out, { recursive: true, force: true });
  },
);
