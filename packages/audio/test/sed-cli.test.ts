import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { formatEventList, readEventList } from '../src/sed/events';
import { SoundEventDetector } from '../src/sed/detector';
import { tempDir } from '../../core/test/test-setup';
import { runSed, saveTinyDetector, writeHumAndHissClips } from './sed-helpers';
import { ev } from './sound-event';

describe('event-list CSV', () => {
  const dir = tempDir('sed-cli-');

  test('round trip, quoting and empty directions', () => {
    const events = [ev('a,b.wav', 0.5, 1.25, 'dog', 30, -10), ev('c.wav', 2, 3.5, 'door', null, null)];
    const f = path.join(dir, 'rt.csv');
    fs.writeFileSync(f, formatEventList(events));
    expect(fs.readFileSync(f, 'utf8').split('\n')[0]).toBe('file,onset,offset,class,azimuth,elevation');
    expect(readEventList(f)).toEqual(events);
  });

  test('clear errors: empty file, unknown class, bad numbers, header only', () => {
    const empty = path.join(dir, 'empty.csv');
    fs.writeFileSync(empty, '');
    expect(() => readEventList(empty)).toThrow(/empty\.csv is empty/);
    const f = path.join(dir, 'x.csv');
    fs.writeFileSync(f, 'file,onset,offset,class,azimuth,elevation\na.wav,0,1,unicorn,0,0\n');
    expect(() => readEventList(f, { classes: ['dog'] })).toThrow(/line 2: unknown class 'unicorn'; known classes: dog/);
    fs.writeFileSync(f, 'file,onset,offset,class,azimuth,elevation\na.wav,zero,1,dog,0,0\n');
    expect(() => readEventList(f)).toThrow(/column 'onset' must be a number/);
    fs.writeFileSync(f, 'file,onset,offset,class\n');
    expect(readEventList(f)).toEqual([]);
    expect(() => readEventList(f, { allowNoEvents: false })).toThrow(/no events/);
  });

  test('score-events --json prints the required figures', async () => {
    const ref = path.join(dir, 'ref.csv');
    const est = path.join(dir, 'est.csv');
    fs.writeFileSync(ref, formatEventList([ev('s.wav', 0, 2, 'dog', 0, 0), ev('s.wav', 1, 2, 'cat', 90, 0)]));
    fs.writeFileSync(est, formatEventList([ev('s.wav', 0, 1, 'dog', 10, 0), ev('s.wav', 1, 2, 'dog', 80, 0)]));
    const out = JSON.parse(
      await runSed(['score-events', '--ref', ref, '--est', est, '--json', '--frame-length', '0.5']),
    );
    // the same case as the hand-computed Seld2019Metrics test
    expect(out.er).toBeCloseTo(1 / 3, 10);
    expect(out.f).toBeCloseTo(0.8, 10);
    expect(out.doa_error).toBeCloseTo(10, 8);
    expect(out.frame_recall).toBeCloseTo(0.5, 10);
    expect(out.seld_score).toBeCloseTo((1 / 3 + 0.2 + 10 / 180 + 0.5) / 4, 10);
    expect(out).toHaveProperty('er_20');
    const table = await runSed(['score-events', '--ref', ref, '--est', est]);
    expect(table).toMatch(/ER 0\.333 {2}F 80\.0 %/);
  });

  test('score-events: empty reference and unknown classes fail', async () => {
    const ref = path.join(dir, 'ref0.csv');
    fs.writeFileSync(ref, 'file,onset,offset,class,azimuth,elevation\n');
    await expect(runSed(['score-events', '--ref', ref, '--est', ref])).rejects.toThrow(/no events/);
    const ref2 = path.join(dir, 'ref2.csv');
    fs.writeFileSync(ref2, formatEventList([ev('s.wav', 0, 2, 'dog', 0, 0)]));
    await expect(runSed(['score-events', '--ref', ref2, '--est', ref2, '--classes', 'cat'])).rejects.toThrow(
      /unknown class 'dog'/,
    );
  });

  test('detect: missing input and missing model are errors', async () => {
    await expect(runSed(['detect', path.join(dir, 'nope.wav'), '--out', path.join(dir, 'o.csv')])).rejects.toThrow(
      /does not exist/,
    );
    const wav = path.join(dir, 'x.wav');
    fs.writeFileSync(wav, 'RIFF');
    await expect(
      runSed(['detect', wav, '--out', path.join(dir, 'o.csv'), '--model', path.join(dir, 'nomodel')]),
    ).rejects.toThrow(/no detector/);
  });

  test('synth-scenes validates its options', async () => {
    await expect(runSed(['synth-scenes', '--events', dir, '--out', dir, '--format', 'stereo'])).rejects.toThrow(
      /--format must be one of foa, mic4, mono/,
    );
    await expect(runSed(['synth-scenes', '--events', dir, '--out', dir, '--count', '0'])).rejects.toThrow(
      /--count must be an integer from 1 to 100000/,
    );
    await expect(runSed(['synth-scenes', '--events', dir, '--out', dir])).rejects.toThrow(/labels .*cannot read/);
  });
});

describe('tune-detector, detect --views and train-detector arguments', () => {
  const dir = tempDir('sed-cli-tune-');
  beforeAll(async () => {
    const clips = writeHumAndHissClips(dir);
    const scenes = ['--count', '2', '--seconds', '3', '--seed', '4', '--min-event-seconds', '0.2', '-q'];
    await runSed(['synth-scenes', '--events', clips, '--out', path.join(dir, 'val'), ...scenes]);
    await saveTinyDetector(path.join(dir, 'model'));
  });

  test('tune-detector writes the chosen views, threshold and shortest event into the model', async () => {
    const model = path.join(dir, 'model');
    const out = await runSed([
      'tune-detector',
      '--model',
      model,
      '--validation',
      path.join(dir, 'val'),
      '--views',
      '2',
      '--thresholds',
      '0.35',
      '--min-durations',
      '0.25',
      '--hysteresis',
      '0.8',
      '-q',
    ]);
    expect(out).toMatch(/segment-based \(1 s\):\s+ER [\d.]+/);
    // one value per grid, none of them a default: each must come from its flag
    const tuned = await SoundEventDetector.load(model);
    expect(tuned.config.views).toBe(2);
    expect(tuned.config.threshold).toBe(0.35);
    expect(tuned.config.minDuration).toBe(0.25);
    expect(tuned.config.hysteresis).toBe(0.8);
    const meta = JSON.parse(fs.readFileSync(path.join(model, 'model.json'), 'utf8'));
    expect(JSON.stringify(meta)).toMatch(/"tuned":\{"scenes":"2 from /);
    await expect(
      runSed(['tune-detector', '--model', model, '--validation', path.join(dir, 'val'), '--views', '3']),
    ).rejects.toThrow(/--views .*one of 1, 2, 4, 8, 16/);
    await expect(
      runSed(['tune-detector', '--model', model, '--validation', path.join(dir, 'val'), '--hysteresis', '1,0']),
    ).rejects.toThrow(/--hysteresis .*in \(0, 1\]/);
  });

  test('detect --views averages views; a bad count is an error', async () => {
    const scene = path.join(dir, 'val', 'scene_0001.wav');
    const csv = path.join(dir, 'events.csv');
    await runSed(['detect', scene, '--out', csv, '--model', path.join(dir, 'model'), '--views', '4', '-q']);
    expect(fs.readFileSync(csv, 'utf8').split('\n')[0]).toBe('file,onset,offset,class,azimuth,elevation');
    await expect(
      runSed(['detect', scene, '--out', csv, '--model', path.join(dir, 'model'), '--views', '5']),
    ).rejects.toThrow(/--views/);
  });

  test('train-detector: scenes or clips, not both, not neither; augmentation flags are checked', async () => {
    const out = path.join(dir, 'm2');
    await expect(runSed(['train-detector', '--out', out])).rejects.toThrow(
      /give one of --scenes DIR .* --synthesize EVENTS_DIR/,
    );
    await expect(runSed(['train-detector', '--out', out, '--scenes', dir, '--synthesize', dir])).rejects.toThrow(
      /give one of --scenes/,
    );
    await expect(runSed(['train-detector', '--out', out, '--synthesize', dir, '--speed', '1.1'])).rejects.toThrow(
      /--speed needs two numbers/,
    );
    await expect(runSed(['train-detector', '--out', out, '--synthesize', dir, '--eq-db', '-3'])).rejects.toThrow(
      /--eq-db must be a number of dB >= 0, e.g. 6, got "-3"/,
    );
    await expect(runSed(['train-detector', '--out', out, '--synthesize', dir, '--part', 'test'])).rejects.toThrow(
      /--part must be all or train/,
    );
    await expect(
      runSed(['train-detector', '--out', out, '--synthesize', dir, '--class-balance', '-1']),
    ).rejects.toThrow(/--class-balance must be a number >= 0, e.g. 0.5, got "-1"/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

// The installed command: each new bad-input path prints its code and message after the program name and exits with 2 (bad input).
const builtCli = path.resolve(__dirname, '../dist/cli.js');
(fs.existsSync(builtCli) ? test : test.skip)(
  'gatewave-audio exits 2 with the message for bad train-detector, tune-detector and detect arguments',
  () => {
    const out = path.join(os.tmpdir(), `sed-cli-exit-${process.pid}`);
    const cases: [string[], RegExp][] = [
      [
        ['train-detector', '--out', out],
        /^gatewave-audio: error \[[A-Z_]+\]: give one of --scenes DIR \(scenes from synth-scenes\), --synthesize EVENTS_DIR/m,
      ],
      [
        ['train-detector', '--out', out, '--synthesize', out, '--speed', '0.9'],
        /^gatewave-audio: error \[[A-Z_]+\]: --speed needs two numbers lo,hi/m,
      ],
      [
        ['synth-scenes', '--events', out, '--out', out, '--eq-db', 'loud'],
        /^gatewave-audio: error \[[A-Z_]+\]: --eq-db must be a number of dB >= 0, e.g. 6, got "loud"/m,
      ],
      [
        ['synth-scenes', '--events', out, '--out', out, '--interferer-rate', '0.1'],
        /^gatewave-audio: error \[[A-Z_]+\]: --interferer-rate needs --interferers <dir>, the recordings to place/m,
      ],
      [
        ['train-detector', '--out', out, '--synthesize', out, '--interferers', out, '--interferer-rate', '0'],
        /^gatewave-audio: error \[[A-Z_]+\]: --interferer-rate must be a positive number, got "0"/m,
      ],
      [
        ['train-detector', '--out', out, '--scenes', out, '--class-balance', 'x'],
        /^gatewave-audio: error \[[A-Z_]+\]: --class-balance must be a number >= 0, e.g. 0.5, got "x"/m,
      ],
      [
        ['tune-detector', '--model', out, '--validation', out, '--views', '3'],
        /^gatewave-audio: error \[[A-Z_]+\]: --views must be one of 1, 2, 4, 8, 16/m,
      ],
      [
        ['detect', 'x.wav', '--out', path.join(out, 'e.csv'), '--views', '5'],
        /^gatewave-audio: error \[[A-Z_]+\]: --views must be one of 1, 2, 4, 8, 16/m,
      ],
      [
        ['detect', 'x.wav', '--out', path.join(out, 'e.csv'), '--hysteresis', '2'],
        /^gatewave-audio: error \[[A-Z_]+\]: --hysteresis must be in \(0, 1\]/m,
      ],
    ];
    for (const [args, message] of cases) {
      const r = spawnSync(process.execPath, [builtCli, ...args], {
        encoding: 'utf8',
        env: { ...process.env, GATEWAVE_BACKEND: 'cpu' },
      });
      expect(r.stderr).toMatch(message);
      expect(r.status).toBe(2);
    }
    expect(fs.existsSync(out)).toBe(false);
  },
  60000,
);
