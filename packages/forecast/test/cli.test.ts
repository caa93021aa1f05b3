import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SEATTLE_HOURLY as seattle } from './datasets';

// The CLI is tested as a user runs it: the built bin (`npx tsc -b packages/core packages/forecast` first).
const cli = path.resolve(__dirname, '../dist/cli.js');
const built = fs.existsSync(cli);
if (!built) console.warn(`SKIPPED cli tests: ${cli} is missing; build with npx tsc -b packages/core packages/forecast`);
const describeBuilt = built ? describe : describe.skip;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  args: string[],
  options: { cwd: string; onStderr?: (text: string, child: ReturnType<typeof spawn>) => void },
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: options.cwd,
      env: { ...process.env, GATEWAVE_BACKEND: 'wasm' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      options.onStderr?.(stderr, child);
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The first n data rows of the Seattle hourly normals (real data that installs with vega-datasets). */
function seattleRows(n: number): string[] {
  return fs
    .readFileSync(seattle, 'utf8')
    .trim()
    .split('\n')
    .slice(0, n + 1);
}

describeBuilt('gatewave-forecast CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-forecast-cli-'));
    const rows = seattleRows(400);
    const write = (name: string, lines: string[]): void =>
      fs.writeFileSync(path.join(dir, name), lines.join('\n') + '\n');
    write('ok.csv', rows);
    write('empty.csv', []);
    write('header.csv', [rows[0]]);
    write('nonum.csv', ['date,station', '2010-01-01T01:00:00,KSEA', '2010-01-01T02:00:00,KSEA']);
    write('badts.csv', [
      rows[0],
      rows[1],
      rows[2].replace('2010-01-01T02:00:00', '2010-13-45T02:00:00'),
      ...rows.slice(3),
    ]);
    write('dup.csv', [
      rows[0],
      rows[1],
      rows[2],
      rows[2]
        .split(',')
        .map((v, i) => (i === 2 ? '99' : v))
        .join(','),
      ...rows.slice(3),
    ]);
    write('unsorted.csv', [rows[0], rows[1], rows[3], rows[2], ...rows.slice(4)]);
    write('few.csv', rows.slice(0, 101));
    write('nan.csv', [...rows.slice(0, 50), rows[50].replace(/,[^,]*$/, ',NaN'), ...rows.slice(51)]);
    write('inf.csv', [...rows.slice(0, 60), rows[60].replace(/^([^,]*),[^,]*/, '$1,Infinity'), ...rows.slice(61)]);
    write('gaps.csv', [...rows.slice(0, 100), ...rows.slice(103)]);
    write(
      'station.csv',
      rows.map((r, i) => `${r},${i ? 'KSEA' : 'station'}`),
    );
    write(
      'temp-only.csv',
      rows.map((r) =>
        r
          .split(',')
          .filter((_, i) => i === 0 || i === 2)
          .join(','),
      ),
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const base = ['--lookback', '48', '--horizon', '24', '--epochs', '1', '--quiet'];
  const cases: [string, string[], string, RegExp][] = [
    ['empty file', ['--csv', 'empty.csv'], 'EMPTY_FILE', /empty\.csv: the file is empty/],
    ['header only', ['--csv', 'header.csv'], 'HEADER_ONLY', /no data rows/],
    [
      'no numeric column',
      ['--csv', 'nonum.csv', '--features', 'M', '--target', 'station'],
      'NO_NUMERIC_COLUMN',
      /no numeric column besides the time column 'date'/,
    ],
    [
      'unknown --target',
      ['--csv', 'ok.csv', '--target', 'OT'],
      'UNKNOWN_COLUMN',
      /column 'OT' is not in the header \(date, pressure, temperature, wind\); fix --target/,
    ],
    [
      'unparsable timestamp',
      ['--csv', 'badts.csv', '--target', 'temperature'],
      'BAD_TIMESTAMP',
      /timestamps in column 'date' that do not parse \(line 3: '2010-13-45T02:00:00'\)/,
    ],
    [
      'duplicate timestamp',
      ['--csv', 'dup.csv', '--target', 'temperature'],
      'DUPLICATE_TIMESTAMP',
      /repeat a timestamp with different values \(line 4: '2010-01-01 02:00:00'\).*--duplicates/,
    ],
    [
      'unsorted timestamps',
      ['--csv', 'unsorted.csv', '--target', 'temperature'],
      'UNSORTED_TIMESTAMPS',
      /not sorted\) \(line 4: '2010-01-01 02:00:00'\); sort the file by time/,
    ],
    [
      'too few rows',
      ['--csv', 'few.csv', '--target', 'temperature'],
      'TOO_FEW_ROWS',
      /fewer than lookback \+ horizon = 72/,
    ],
    [
      'NaN (missing) in the data with --fill none',
      ['--csv', 'nan.csv', '--target', 'wind', '--fill', 'none'],
      'MISSING_VALUES',
      /1 empty cell\(s\) \(wind: 1\) with --fill none/,
    ],
    [
      'Infinity in the data',
      ['--csv', 'inf.csv', '--features', 'M', '--target', 'temperature'],
      'NON_FINITE_VALUE',
      /values that are not finite in column 'pressure' \(line 61: 'Infinity'\)/,
    ],
    [
      'lookback not a multiple of the period',
      ['--csv', 'ok.csv', '--target', 'temperature', '--lookback', '50'],
      'NOT_A_MULTIPLE',
      /--lookback 50 is not a multiple of --period 24/,
    ],
    [
      'interval level outside (0, 100)',
      ['--csv', 'ok.csv', '--target', 'temperature', '--interval', '80,100'],
      'BAD_ARGUMENT',
      /--interval: '80,100' must be interval levels in percent strictly between 0 and 100/,
    ],
    [
      'too few validation windows for the interval',
      ['--csv', 'ok.csv', '--target', 'temperature', '--model', 'naive', '--interval', '99'],
      'TOO_FEW_ROWS',
      /57 validation window\(s\) cannot calibrate a 99 % interval \(it needs at least 99\)/,
    ],
    [
      'unsorted quantiles',
      ['--csv', 'ok.csv', '--target', 'temperature', '--model', 'dlinear', '--quantiles', '0.9,0.1'],
      'BAD_ARGUMENT',
      /--quantiles: '0.9,0.1' must be in increasing order/,
    ],
    [
      'quantile outside (0, 1)',
      ['--csv', 'ok.csv', '--target', 'temperature', '--model', 'gru', '--quantiles', '0,0.5'],
      'BAD_ARGUMENT',
      /--quantiles: '0,0.5' must be quantile levels strictly between 0 and 1/,
    ],
    [
      'quantile heads on a rule',
      ['--csv', 'ok.csv', '--target', 'temperature', '--model', 'naive', '--quantiles', '0.1,0.9'],
      'BAD_ARGUMENT',
      /naive is a rule without weights and has no quantile heads; use --interval/,
    ],
    [
      'missing future covariate column',
      ['--csv', 'ok.csv', '--target', 'temperature', '--model', 'dlinear', '--future-cols', 'nosuch'],
      'UNKNOWN_COLUMN',
      /--future-cols: column 'nosuch' is not among the data's columns \(date, pressure, temperature, wind\)/,
    ],
    [
      'non-numeric past covariate',
      ['--csv', 'station.csv', '--target', 'temperature', '--model', 'dlinear', '--past-cols', 'station'],
      'NON_NUMERIC_VALUE',
      /cells that are not numbers in column 'station'/,
    ],
    [
      'covariates on a rule model',
      ['--csv', 'ok.csv', '--target', 'temperature', '--model', 'naive', '--past-cols', 'wind'],
      'BAD_ARGUMENT',
      /naive is a rule that reads only the target; covariates need a tpgn, dlinear or gru model/,
    ],
    [
      'gaps with --fill none',
      ['--csv', 'gaps.csv', '--target', 'temperature', '--fill', 'none'],
      'MISSING_VALUES',
      /1 gap\(s\) .*after 2010-01-05 03:00:00, 3 missing row\(s\).*use --fill ffill/,
    ],
  ];

  // The bad-input runs are independent: start them together (a few at a time) and check each in its own test.
  const results = new Map<string, Promise<{ r: Run; out: string; before: string[]; after: string[] }>>();
  const startAll = (): void => {
    let chain: Promise<unknown>[] = [Promise.resolve(), Promise.resolve(), Promise.resolve()];
    cases.forEach(([name, args, code], i) => {
      const lane = i % chain.length;
      const p = chain[lane].then(async () => {
        const out = path.join(dir, `out-${code}-${i}`);
        const before = fs
          .readdirSync(dir)
          .filter((f) => !f.startsWith('.'))
          .sort();
        const r = await run(['train', ...base, ...args, '--out', out], { cwd: dir });
        // A run in another lane may be probing its own --out folder's writability at this moment (a transient
        // .gatewave-write-check file); the test after these checks that none is left behind.
        const after = fs
          .readdirSync(dir)
          .filter((f) => !f.startsWith('.gatewave-write-check.'))
          .sort();
        return { r, out, before, after };
      });
      chain[lane] = p;
      results.set(name, p);
    });
    chain = [];
  };

  test.each(cases)('train rejects: %s (clear message, exit 2, nothing written)', async (name, _args, code, message) => {
    if (results.size === 0) startAll();
    const { r, out, before, after } = await results.get(name)!;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`gatewave-forecast: error [${code}]`);
    expect(r.stderr).toMatch(message);
    expect(fs.existsSync(out)).toBe(false);
    // No temporary or partial files either (the other runs write nothing, as each of them is a bad input too).
    expect(after.filter((f) => !before.includes(f))).toEqual([]);
  });

  test('the bad-input runs leave no temporary files behind', async () => {
    if (results.size === 0) startAll();
    await Promise.all(results.values());
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  test('bad flag values and missing options exit non-zero with help', async () => {
    const r = await run(['train', '--csv', 'ok.csv', '--lookback', '-5', '--out', 'x'], { cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--lookback must be a positive integer/);
    const h = await run(['predict', '--csv', 'ok.csv'], { cwd: dir });
    expect(h.code).not.toBe(0);
    expect(h.stderr).toMatch(/required option '--model <dir>'/);
  });

  test('train, eval --json, predict with a plot, backtest; a model from another feature set is refused', async () => {
    const model = path.join(dir, 'model-m');
    const naive = ['--model', 'naive', '--features', 'M', '--target', 'temperature', '--interval', '95,80'];
    const t = await run(['train', '--csv', 'ok.csv', ...naive, ...base, '--out', model], { cwd: dir });
    expect(t.stderr).toContain('hourly (step 3600 s)');
    expect(t.code).toBe(0);
    expect(fs.existsSync(path.join(model, 'forecast.json'))).toBe(true);
    const e = await run(['eval', '--model', model, '--csv', 'ok.csv', '--json'], { cwd: dir });
    expect(e.code).toBe(0);
    const json = JSON.parse(e.stdout);
    expect(json.mse).toBeGreaterThan(0);
    expect(json.mae).toBeGreaterThan(0);
    expect(json.windows).toBe(400 - Math.floor(400 * 0.8) + 48 - 48 - 24 + 1);
    expect(json.probabilistic.intervals.map((i: { level: number }) => i.level)).toEqual([80, 95]);
    expect(json.probabilistic.quantiles).toEqual([0.025, 0.1, 0.5, 0.9, 0.975]);
    const p = await run(['predict', '--model', model, '--csv', 'ok.csv', '--out', 'f.csv', '--plot', 'f.png'], {
      cwd: dir,
    });
    expect(p.code).toBe(0);
    const lines = fs.readFileSync(path.join(dir, 'f.csv'), 'utf8').trim().split('\n');
    const bounds = ['pressure', 'wind', 'temperature'].flatMap((c) => [
      `${c}_lo80`,
      `${c}_hi80`,
      `${c}_lo95`,
      `${c}_hi95`,
    ]);
    expect(lines[0]).toBe(['date', 'pressure', 'wind', 'temperature', ...bounds].join(','));
    const row = lines[1].split(',').slice(1).map(Number);
    for (let k = 0; k < 3; k++) {
      const [lo80, hi80, lo95, hi95] = row.slice(3 + 4 * k, 7 + 4 * k);
      expect(lo95).toBeLessThanOrEqual(lo80);
      expect(lo80).toBeLessThanOrEqual(row[k]);
      expect(row[k]).toBeLessThanOrEqual(hi80);
      expect(hi80).toBeLessThanOrEqual(hi95);
    }
    expect(lines.length).toBe(25);
    expect(lines[1].startsWith('2010-01-17 17:00:00,')).toBe(true); // the hour after the last of the 400 rows
    expect(fs.readFileSync(path.join(dir, 'f.png')).subarray(1, 4).toString()).toBe('PNG');
    expect(fs.readFileSync(path.join(dir, 'f.svg'), 'utf8')).toContain('<svg');
    const b = await run(
      ['backtest', '--model', model, '--csv', 'ok.csv', '--start', '0.5', '--stride', '24', '--json'],
      { cwd: dir },
    );
    expect(b.code).toBe(0);
    expect(JSON.parse(b.stdout).forecasts).toBe(Math.floor((400 - 24 - 200) / 24) + 1);

    const mismatch = await run(['predict', '--model', model, '--csv', 'temp-only.csv', '--out', 'g.csv'], { cwd: dir });
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/\[MODEL_MISMATCH\].*columns pressure, wind, temperature.*lacks pressure, wind/);
    expect(fs.existsSync(path.join(dir, 'g.csv'))).toBe(false);
  });

  test('future covariates: train, predict refuses without their next rows (nothing written), predicts with --future-csv', async () => {
    const model = path.join(dir, 'model-cov');
    const covariates = ['--target', 'temperature', '--future-cols', 'pressure', '--past-cols', 'wind'];
    const t = await run(['train', '--csv', 'ok.csv', '--model', 'dlinear', ...covariates, ...base, '--out', model], {
      cwd: dir,
    });
    expect(t.code).toBe(0);
    const missing = await run(['predict', '--model', model, '--csv', 'ok.csv', '--out', 'cov.csv'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /\[MISSING_FUTURE_COVARIATES\].*needs the values of pressure for the 24 step\(s\) from 2010-01-17 17:00:00 on.*--future-csv/,
    );
    expect(fs.existsSync(path.join(dir, 'cov.csv'))).toBe(false);
    const hours = Array.from(
      { length: 24 },
      (_, h) => `${new Date(Date.UTC(2010, 0, 17, 17 + h)).toISOString().slice(0, 19)},${1000 + h}`,
    );
    fs.writeFileSync(path.join(dir, 'future.csv'), ['date,pressure', ...hours].join('\n') + '\n');
    const p = await run(
      ['predict', '--model', model, '--csv', 'ok.csv', '--out', 'cov.csv', '--future-csv', 'future.csv'],
      { cwd: dir },
    );
    expect(p.code).toBe(0);
    const lines = fs.readFileSync(path.join(dir, 'cov.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('date,temperature');
    expect(lines).toHaveLength(25);
    expect(lines[1].startsWith('2010-01-17 17:00:00,')).toBe(true);
  });

  test('Ctrl-C during training keeps the best checkpoint', async () => {
    const model = path.join(dir, 'model-int');
    const args = [
      'train',
      '--csv',
      seattle,
      '--target',
      'temperature',
      '--lookback',
      '48',
      '--horizon',
      '24',
      '--epochs',
      '50',
      '--patience',
      '50',
      '--out',
      model,
    ];
    let sent = false;
    const r = await run(args, {
      cwd: dir,
      onStderr: (text, child) => {
        if (!sent && /val \d/.test(text)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted: stopping after this batch/);
    const doc = JSON.parse(fs.readFileSync(path.join(model, 'forecast.json'), 'utf8'));
    expect(doc.training.interrupted).toBe(true);
    expect(doc.training.bestEpoch).toBeGreaterThanOrEqual(1);
    expect(fs.existsSync(path.join(model, 'network', 'weights.bin'))).toBe(true);
  });
});
