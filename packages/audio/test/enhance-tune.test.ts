/**
 * Choosing an attenuation limit on validation mixtures: the rule on enhancers whose outputs are known, the paired
 * mixtures' errors, and `tune-enhancer` as a user runs it (a tuned copy written, the model left alone).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runAudioCli } from './audio-cli';
import { writeWav } from '../src';
import { corpusUtterances, pairedMixtures } from '../src/enhance/eval-mixtures';
import { tuneAttenuationLimit } from '../src/enhance/tune';
import { knowing, mixtures, speechLike } from './enhance-oracles';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-enh-tune-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('tuneAttenuationLimit', () => {
  test('an enhancer that halves the noise: no limit gains most (about 6 dB) and keeps STOI, so it is chosen', async () => {
    const { list, noiseOf } = mixtures();
    const half = knowing(noiseOf, (x, n) => x - 0.5 * n);
    const t = await tuneAttenuationLimit(half, list, { limits: [0, 6, 20] });
    expect(t.chosen).toBeNull();
    expect(t.keepsStoi).toBe(true);
    const byLimit = new Map(t.scores.map((s) => [s.limitDb, s]));
    expect(byLimit.get(null)!.siSdrGain).toBeGreaterThan(5.5);
    expect(byLimit.get(null)!.siSdrGain).toBeLessThan(6.5);
    expect(byLimit.get(0)!.siSdrGain).toBeCloseTo(0, 6); // a 0 dB limit returns the input
    expect(byLimit.get(0)!.worstStoiChange).toBeCloseTo(0, 9);
    // less of the input mixed back, more gain: 0 < 6 < 20 dB < none
    const gains = [0, 6, 20, null].map((l) => byLimit.get(l)!.siSdrGain);
    expect([...gains].sort((a, b) => a - b)).toEqual(gains);
  });

  test('an enhancer that removes the speech: only the 0 dB limit (the input) keeps STOI, so it is chosen', async () => {
    const { list, noiseOf } = mixtures();
    const eraser = knowing(noiseOf, (_x, n) => n);
    const t = await tuneAttenuationLimit(eraser, list, { limits: [0, 3, 20] });
    expect(t.chosen).toBe(0);
    expect(t.keepsStoi).toBe(true);
    expect(t.scores.filter((s) => s.keepsStoi).map((s) => s.limitDb)).toEqual([0]);
    const none = t.scores.find((s) => s.limitDb === null)!;
    expect(none.worstStoiChange).toBeLessThan(-0.1);
  });

  test('when no candidate keeps STOI, the one that loses least is chosen and keepsStoi is false', async () => {
    const { list, noiseOf } = mixtures();
    const eraser = knowing(noiseOf, (_x, n) => n);
    const t = await tuneAttenuationLimit(eraser, list, { limits: [10, 30] });
    expect(t.keepsStoi).toBe(false);
    expect(t.chosen).toBe(10);
  });
});

describe('corpusUtterances', () => {
  test("joins a speaker's files into utterances of >= 3 s and pairs them round robin with noise and music, kind and all", () => {
    const dir = path.join(tmp, 'cu');
    fs.mkdirSync(dir);
    const rows = ['file,role,split,package,licence,group,language,seconds,snr_db'];
    const add = (name: string, role: string, group: string, x: Float32Array) => {
      writeWav(path.join(dir, name), { sampleRate: 16000, channels: [x] });
      rows.push(`${name},${role},validation,pkg,CC0,${group},xx,${(x.length / 16000).toFixed(3)},40`);
    };
    for (let k = 0; k < 4; k++) add(`s${k}.wav`, 'speech', 'spk', speechLike(32000, 5 + k));
    add('n.wav', 'noise', 'rain', speechLike(40000, 3));
    add('m.wav', 'music', 'song', speechLike(40000, 9));
    add('short.wav', 'music', 'jingle', speechLike(16000, 9)); // under 2 s: not a noise for mixtures
    fs.writeFileSync(path.join(dir, 'manifest.csv'), `${rows.join('\n')}\n`);
    const c = corpusUtterances(path.join(dir, 'manifest.csv'), { split: 'validation' });
    expect(c.items.map((it) => [it.name, it.kind, it.clean.length])).toEqual([
      ['spk#1 + pkg:n.wav', 'noise', 2 * (32000 + 3200)],
      ['spk#2 + pkg:m.wav', 'music', 2 * (32000 + 3200)],
    ]);
    expect(c.noises).toEqual(['pkg:n.wav', 'pkg:m.wav']);
  });
});

describe('pairedMixtures', () => {
  test('pairs NAME.wav of the two folders; unpaired names and mismatched lengths are errors that name the files', () => {
    const clean = path.join(tmp, 'pm-clean');
    const noisy = path.join(tmp, 'pm-noisy');
    fs.mkdirSync(clean);
    fs.mkdirSync(noisy);
    writeWav(path.join(clean, 'a.wav'), { sampleRate: 16000, channels: [speechLike(8000, 5)] });
    writeWav(path.join(noisy, 'a.wav'), { sampleRate: 16000, channels: [speechLike(8000, 6)] });
    expect(pairedMixtures(clean, noisy).map((m) => [m.name, m.group, m.clean.length])).toEqual([
      ['a.wav', 'all', 8000],
    ]);
    writeWav(path.join(clean, 'b.wav'), { sampleRate: 16000, channels: [speechLike(8000, 5)] });
    expect(() => pairedMixtures(clean, noisy)).toThrow(
      /1 clean file\(s\) have no noisy file of the same name .*\(b\.wav\)/,
    );
    writeWav(path.join(noisy, 'b.wav'), { sampleRate: 16000, channels: [speechLike(4000, 5)] });
    expect(() => pairedMixtures(clean, noisy)).toThrow(/b\.wav: the clean and noisy files differ in rate or length/);
    expect(() => pairedMixtures(path.join(tmp, 'nope'), noisy)).toThrow(/nope: no such clean folder/);
  });
});

describe('gatewave-audio tune-enhancer', () => {
  const small = path.resolve(__dirname, '../models/enhancer-small');
  const run = (args: string[]) => runAudioCli(args);

  test('writes a tuned copy whose metadata holds the chosen limit and the data it was chosen on; the model is unchanged', () => {
    const clean = path.join(tmp, 'cli-clean');
    const noisy = path.join(tmp, 'cli-noisy');
    fs.mkdirSync(clean);
    fs.mkdirSync(noisy);
    const { list } = mixtures();
    list.forEach((m, k) => {
      writeWav(path.join(clean, `u${k}.wav`), { sampleRate: 16000, channels: [m.clean] });
      writeWav(path.join(noisy, `u${k}.wav`), { sampleRate: 16000, channels: [m.noisy] });
    });
    const before = fs.readFileSync(path.join(small, 'model.json'), 'utf8');
    const out = path.join(tmp, 'tuned');
    const r = run([
      'tune-enhancer',
      '--model',
      small,
      '--clean',
      clean,
      '--noisy',
      noisy,
      '--out',
      out,
      '--limits',
      '0,9',
      '--json',
    ]);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.scores.map((s: { limitDb: number | null }) => s.limitDb)).toEqual([null, 0, 9]);
    const meta = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8')).metadata;
    if (report.chosen === null) expect(meta.attenuationLimit).toBeUndefined();
    else expect(meta.attenuationLimit.db).toBe(report.chosen);
    expect(meta.kind).toBe('frcrn');
    expect(
      fs.readFileSync(path.join(out, 'weights.bin')).equals(fs.readFileSync(path.join(small, 'weights.bin'))),
    ).toBe(true);
    expect(fs.readFileSync(path.join(small, 'model.json'), 'utf8')).toBe(before);
  });

  test('bad input is a clear error (exit 2) and writes nothing', () => {
    const out = path.join(tmp, 'never');
    const cases: Array<[string[], RegExp]> = [
      [['--model', small, '--out', out], /name the validation data: --manifest CSV, or --clean DIR with --noisy DIR/],
      [['--model', small, '--out', out, '--manifest', 'm.csv', '--clean', 'c'], /either --manifest or --clean/],
      [['--model', small, '--out', small, '--clean', 'c', '--noisy', 'n'], /--out/],
      [['--model', small, '--out', out, '--limits', '6,120', '--clean', 'c', '--noisy', 'n'], /--limits/],
      [
        ['--model', small, '--out', out, '--manifest', path.join(tmp, 'none.csv')],
        /none\.csv: no such corpus manifest/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = run(['tune-enhancer', ...args]);
      expect(r.stderr).toMatch(message);
      expect(r.status).toBe(2);
    }
    expect(fs.existsSync(out)).toBe(false);
  });
});
