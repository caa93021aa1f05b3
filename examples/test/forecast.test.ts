import * as fs from 'fs';
import * as path from 'path';
import { testExample } from './run-example';

testExample(
  {
    script: 'forecast.js',
    dist: 'packages/forecast/dist/index.js',
    args: ['--epochs', '2', '--lookback', '48', '--horizon', '24'],
  },
  'examples/forecast.js trains TPGN, prints errors beside the baselines, writes a forecast CSV and a PNG plot',
  (r, out) => {
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
  },
);
