import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// `--id-col` as a user runs it: the built bin (`npx tsc -b packages/core packages/forecast` first).
const cli = path.resolve(__dirname, '../dist/cli.js');
const built = fs.existsSync(cli);
if (!built)
  console.warn(`SKIPPED panel cli tests: ${cli} is missing; build with npx tsc -b packages/core packages/forecast`);
const describeBuilt = built ? describe : describe.skip;

const day = (d: number): string => new Date(Date.UTC(2021, 0, 1) + d * 86400000).toISOString().slice(0, 10);

/** Rows `id,date,y` of a daily series with a weekly pattern at its own level. */
function rows(id: string, n: number, level: number, start = 0): string[] {
  return Array.from(
    { length: n },
    (_, t) => `${id},${day(start + t)},${level + [0, 2, 5, 3, 1, -2, -4][(start + t) % 7] * (level / 10)}`,
  );
}

describeBuilt('gatewave-forecast --id-col (long-format panels)', () => {
  let dir: string;
  const run = (args: string[]): { code: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [cli, ...args], {
      cwd: dir,
      env: { ...process.env, GATEWAVE_BACKEND: 'wasm' },
      encoding: 'utf8',
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const write = (name: string, lines: string[]): void => writeWith(name, 'shop,date,sales', lines);
  const writeWith = (name: string, header: string, lines: string[]): void =>
    fs.writeFileSync(path.join(dir, name), [header, ...lines].join('\n') + '\n');
  /** `shop,date,sales,price,promo` rows from day `start`: a promo every third day adds 5 to the sales. */
  const covRows = (id: string, start: number, n: number, level: number): string[] =>
    Array.from({ length: n }, (_, k) => {
      const t = start + k;
      const promo = t % 3 === 0 ? 1 : 0;
      return `${id},${day(t)},${level + 5 * promo + (t % 7)},${10 + (t % 5)},${promo}`;
    });
  const futureOnly = (line: string): string => {
    const f = line.split(',');
    return [f[0], f[1], f[4]].join(',');
  };
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-panel-cli-'));
    write('ok.csv', [...rows('a', 120, 10), ...rows('b', 100, 50, 20), ...rows('c', 140, 200), ...rows('tiny', 20, 5)]);
    write('dup.csv', [...rows('a', 120, 10), rows('a', 1, 99, 7)[0]]);
    write('freq.csv', [...rows('a', 120, 10), 'w,2021-01-01,1', 'w,2021-01-08,2', 'w,2021-01-15,3']);
    writeWith('cov.csv', 'shop,date,sales,price,promo', [...covRows('a', 0, 90, 10), ...covRows('b', 10, 80, 40)]);
    writeWith('cov-text.csv', 'shop,date,sales,price,promo', [...covRows('a', 0, 90, 10), 'a,2021-04-01,10,cheap,0']);
    // Future promos: 7 rows for a; b has only 3 of its 7.
    writeWith('promo-short.csv', 'shop,date,promo', [
      ...covRows('a', 90, 7, 0).map(futureOnly),
      ...covRows('b', 90, 3, 0).map(futureOnly),
    ]);
    writeWith('promo.csv', 'shop,date,promo', [
      ...covRows('a', 90, 7, 0).map(futureOnly),
      ...covRows('b', 90, 7, 0).map(futureOnly),
    ]);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const base = [
    '--id-col',
    'shop',
    '--target',
    'sales',
    '--lookback',
    '14',
    '--horizon',
    '7',
    '--period',
    '7',
    '--quiet',
  ];

  test('train one global DLinear, eval per series to CSV, predict a long CSV; the short series is skipped with a count', () => {
    const t = run([
      'train',
      '--csv',
      'ok.csv',
      '--model',
      'dlinear',
      '--epochs',
      '2',
      '--out',
      'model',
      '--metrics',
      'train-metrics.csv',
      ...base,
    ]);
    expect(t.stderr).toMatch(/ok.csv: 3 series \(360 rows, daily\) by 'shop', target 'sales'/);
    expect(t.stderr).toMatch(/skipped 1 series shorter than lookback \+ horizon = 21 rows \(tiny: 20\)/);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/test: 3 series/);
    expect(t.stdout).toMatch(/MASE weighted by forecast points: \d/);
    const e = run(['eval', '--model', 'model', '--csv', 'ok.csv', '--metrics', 'metrics.csv']);
    expect(e.code).toBe(0);
    const m = fs.readFileSync(path.join(dir, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(m[0]).toBe('shop,windows,points,mse,mae,rmse,mape,smape,mase');
    // test windows per series: floor(0.2·n) − 7 + 1 (n = 120, 100, 140).
    expect(m.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['a,18,126', 'b,14,98', 'c,22,154']);
    expect(fs.readFileSync(path.join(dir, 'train-metrics.csv'), 'utf8')).toBe(m.join('\n') + '\n');
    const p = run(['predict', '--model', 'model', '--csv', 'ok.csv', '--out', 'f.csv']);
    expect(p.code).toBe(0);
    const f = fs.readFileSync(path.join(dir, 'f.csv'), 'utf8').trim().split('\n');
    expect(f[0]).toBe('shop,date,forecast');
    expect(f).toHaveLength(1 + 3 * 7);
    // b runs from day 20 for 100 days: its forecast starts on day 120.
    expect(f.find((l) => l.startsWith('b,'))!.split(',')[1]).toBe(day(120));
  }, 120000);

  test('seasonal-naive with --interval: bands in eval, predict and a per-series backtest with its actuals', () => {
    const t = run([
      'train',
      '--csv',
      'ok.csv',
      '--model',
      'seasonal-naive',
      '--interval',
      '80,95',
      '--out',
      'sn',
      ...base,
    ]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/80 % interval\s+coverage\s+[\d.]+ % of all points/);
    const p = run(['predict', '--model', 'sn', '--csv', 'ok.csv', '--out', 'sn.csv']);
    expect(p.code).toBe(0);
    const f = fs.readFileSync(path.join(dir, 'sn.csv'), 'utf8').trim().split('\n');
    expect(f[0]).toBe('shop,date,forecast,lo80,hi80,lo95,hi95');
    const [lo80, hi80, lo95, hi95] = f[1].split(',').slice(3, 7).map(Number);
    expect(lo95).toBeLessThanOrEqual(lo80);
    expect(hi80).toBeLessThanOrEqual(hi95);
    const b = run([
      'backtest',
      '--model',
      'sn',
      '--csv',
      'ok.csv',
      '--out',
      'bt.csv',
      '--metrics',
      'bt-m.csv',
      '--json',
    ]);
    expect(b.code).toBe(0);
    const j = JSON.parse(b.stdout);
    expect(j).toMatchObject({ model: 'seasonal-naive', part: 'backtest', series: 3 });
    // Forecasts per series from row floor(0.8·n) every 7 steps while 7 actuals remain: n = 120, 100, 140 give 3, 2, 4.
    expect(j.forecasts).toBe(9);
    const bt = fs.readFileSync(path.join(dir, 'bt.csv'), 'utf8').trim().split('\n');
    expect(bt[0]).toMatch(/^shop,date,origin,forecast,actual,lo80,hi80/);
    expect(bt).toHaveLength(1 + 9 * 7);
    // The weekly pattern repeats exactly: seasonal-naive's backtest errors are 0 and every actual is inside its band.
    expect(fs.readFileSync(path.join(dir, 'bt-m.csv'), 'utf8').split('\n')[1]).toMatch(/^a,3,21,0,0,0,0,0,0,100,/);
  }, 120000);

  test('--plot on predict, backtest and eval: a PNG and an SVG of the first 4 series or of --plot-series, one chart each', () => {
    /** Width and height of a PNG from its IHDR chunk, after checking the signature. */
    const pngSize = (name: string): [number, number] => {
      const b = fs.readFileSync(path.join(dir, name));
      expect(b.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
      expect(b.toString('latin1', 12, 16)).toBe('IHDR');
      return [b.readUInt32BE(16), b.readUInt32BE(20)];
    };
    // One chart is 220 px high plus axes and title, drawn at 2x: 650-800 px of PNG per series, about 2,100 wide.
    const expectCharts = (name: string, ids: string[]): void => {
      const [w, h] = pngSize(`${name}.png`);
      expect(w).toBeGreaterThan(1800);
      expect(w).toBeLessThan(2400);
      expect(h).toBeGreaterThan(650 * ids.length);
      expect(h).toBeLessThan(800 * ids.length);
      const svg = fs.readFileSync(path.join(dir, `${name}.svg`), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      for (const id of ids) expect(svg).toContain(`>${id}</text>`);
    };
    // predict: the first 4 series with a forecast (tiny is skipped), with the 80 and 95 % bands in the legend.
    expect(run(['predict', '--model', 'sn', '--csv', 'ok.csv', '--out', 'pp.csv', '--plot', 'pp.png']).code).toBe(0);
    expectCharts('pp', ['a', 'b', 'c']);
    expect(fs.readFileSync(path.join(dir, 'pp.svg'), 'utf8')).toContain('80 % interval');
    const b = run(['backtest', '--model', 'sn', '--csv', 'ok.csv', '--plot', 'pb.svg', '--plot-series', 'c,b']);
    expect(b.stderr).toMatch(/wrote pb.png, pb.svg/);
    expectCharts('pb', ['c', 'b']);
    expect(run(['eval', '--model', 'sn', '--csv', 'ok.csv', '--plot', 'pe.png', '--plot-series', 'a']).code).toBe(0);
    expectCharts('pe', ['a']);
    // An id that is not in the file, or that gets no forecast: exit 2, nothing written.
    const bad = run(['eval', '--model', 'sn', '--csv', 'ok.csv', '--plot', 'px.png', '--plot-series', 'a,zz']);
    expect(bad.stderr).toMatch(/--plot-series: 'zz' is not a series of ok.csv/);
    expect(bad.code).toBe(2);
    const plotTiny = ['--plot', 'px.png', '--plot-series', 'tiny'];
    const tiny = run(['predict', '--model', 'sn', '--csv', 'ok.csv', '--out', 'px.csv', ...plotTiny]);
    expect(tiny.stderr).toMatch(/--plot-series: 'tiny' got no forecast in this run/);
    expect(tiny.code).toBe(2);
    for (const f of ['px.png', 'px.svg', 'px.csv']) expect(fs.existsSync(path.join(dir, f))).toBe(false);
  }, 120000);

  test("past and future covariates: train, eval, backtest, and predict with each series' future rows", () => {
    const cov = ['--past-cols', 'price', '--future-cols', 'promo'];
    const t = run(['train', '--csv', 'cov.csv', '--model', 'dlinear', '--epochs', '2', '--out', 'cm', ...cov, ...base]);
    expect(t.stderr).toMatch(/cov.csv: 2 series \(170 rows, daily\).*past covariates price, future covariates promo/);
    expect(t.code).toBe(0);
    expect(run(['eval', '--model', 'cm', '--csv', 'cov.csv']).code).toBe(0);
    expect(run(['backtest', '--model', 'cm', '--csv', 'cov.csv', '--out', 'cm-bt.csv']).code).toBe(0);
    // Without --future-csv, or with too few rows for b: a message naming what is missing, exit 2, no output.
    const none = run(['predict', '--model', 'cm', '--csv', 'cov.csv', '--out', 'cm-f.csv']);
    expect(none.stderr).toMatch(/uses future covariates \(promo\).*--future-csv/);
    expect(none.code).toBe(2);
    const short = run([
      'predict',
      '--model',
      'cm',
      '--csv',
      'cov.csv',
      '--future-csv',
      'promo-short.csv',
      '--out',
      'cm-f.csv',
    ]);
    expect(short.stderr).toMatch(
      /promo-short.csv: 1 of 2 series lack future covariate rows: 'b' lacks 4 of 7 \(the first at 2021-04-04\)/,
    );
    expect(short.code).toBe(2);
    expect(fs.existsSync(path.join(dir, 'cm-f.csv'))).toBe(false);
    const p = run(['predict', '--model', 'cm', '--csv', 'cov.csv', '--future-csv', 'promo.csv', '--out', 'cm-f.csv']);
    expect(p.code).toBe(0);
    const f = fs.readFileSync(path.join(dir, 'cm-f.csv'), 'utf8').trim().split('\n');
    expect(f[0]).toBe('shop,date,forecast');
    // a runs days 0-89 and b days 10-89: both forecast days 90-96.
    expect(f.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(
      ['a', 'b'].flatMap((id) => Array.from({ length: 7 }, (_, h) => `${id},${day(90 + h)}`)),
    );
    expect(f.slice(1).every((l) => Number.isFinite(Number(l.split(',')[2])))).toBe(true);
  }, 120000);

  test.each([
    [
      'missing id column',
      ['train', '--csv', 'ok.csv', '--out', 'x1', ...base.map((a) => (a === 'shop' ? 'store' : a))],
      /column 'store' is not in the header.*--id-col/,
    ],
    [
      'different frequencies',
      ['train', '--csv', 'freq.csv', '--out', 'x2', ...base],
      /series 'a' is daily but series 'w' is weekly/,
    ],
    [
      'duplicate (id, time) pairs',
      ['train', '--csv', 'dup.csv', '--out', 'x3', ...base],
      /\(shop, date\) pair.*line 122/,
    ],
    [
      'a short series with --strict',
      ['train', '--csv', 'ok.csv', '--out', 'x4', '--strict', ...base],
      /series 'tiny' has 20 rows.*--strict/,
    ],
    [
      'an interval level of 100',
      ['train', '--csv', 'ok.csv', '--out', 'x5', '--interval', '80,100', ...base],
      /--interval: '80,100' must be interval levels in percent strictly between 0 and 100/,
    ],
    [
      'unsorted quantiles',
      ['train', '--csv', 'ok.csv', '--out', 'x6', '--model', 'dlinear', '--quantiles', '0.9,0.1', ...base],
      /--quantiles: '0.9,0.1' must be in increasing order/,
    ],
    [
      'a covariate column the file lacks',
      ['train', '--csv', 'cov.csv', '--out', 'x7', '--future-cols', 'promo,discount', ...base],
      /cov.csv: --future-cols: column 'discount' is not among the data's columns/,
    ],
    [
      'a covariate column with text in it',
      ['train', '--csv', 'cov-text.csv', '--out', 'x8', '--past-cols', 'price', ...base],
      /cells that are not numbers in column 'price'.*line 92.*cheap/s,
    ],
    [
      'covariates on a rule',
      ['train', '--csv', 'cov.csv', '--out', 'x9', '--model', 'naive', '--past-cols', 'price', ...base],
      /naive is a rule that reads only the target/,
    ],
  ])('train rejects %s (clear message, exit 2, nothing written)', (_name, args, message) => {
    const r = run(args as string[]);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.code).toBe(2);
    const out = (args as string[])[(args as string[]).indexOf('--out') + 1];
    expect(fs.existsSync(path.join(dir, out))).toBe(false);
  });
});
