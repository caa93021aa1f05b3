import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { writeWav } from '../src';

// the built CLI, as a user runs it (npm run build first)
const builtCli = path.resolve(__dirname, '../dist/cli.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-enh-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [builtCli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, GATEWAVE_BACKEND: 'cpu' },
  });
}

const speechLike = (n: number, f: number): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin(i / f) * Math.sin(i / 900));

describe('gatewave-audio enhancement commands', () => {
  test('bad input: --atten-lim outside 0-100, unpaired --clean/--noisy, a folder without usable WAV, file vs folder in score, kept epochs a run would replace', () => {
    const clean = path.join(tmp, 'clean');
    const noisy = path.join(tmp, 'noisy');
    fs.mkdirSync(clean, { recursive: true });
    fs.mkdirSync(noisy, { recursive: true });
    writeWav(path.join(clean, 'p232_001.wav'), { sampleRate: 16000, channels: [speechLike(8000, 5)] });
    writeWav(path.join(clean, 'p232_002.wav'), { sampleRate: 16000, channels: [speechLike(8000, 6)] });
    writeWav(path.join(noisy, 'p232_001.wav'), { sampleRate: 16000, channels: [speechLike(8000, 5)] });
    writeWav(path.join(noisy, 'p232_003.wav'), { sampleRate: 16000, channels: [speechLike(8000, 7)] });
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    fs.mkdirSync(path.join(tmp, 'kept.epochs', 'e1'), { recursive: true }); // kept by an earlier run
    const cases: Array<[string[], RegExp]> = [
      [
        ['train-enhancer', '--speech', clean, '--noise', noisy, '--out', path.join(tmp, 'kept'), '--keep-epochs'],
        /--keep-epochs: .*kept\.epochs already holds epochs after 0, where this run starts \(e1\)/,
      ],
      [
        ['enhance', path.join(clean, 'p232_001.wav'), '-o', path.join(tmp, 'o'), '--atten-lim', '120'],
        /--atten-lim must be a number of dB from 0 to 100, got "120"/,
      ],
      [
        ['enhance', path.join(clean, 'p232_001.wav'), '-o', path.join(tmp, 'o'), '--atten-lim', '-3'],
        /--atten-lim must be a number of dB from 0 to 100/,
      ],
      [
        ['train-enhancer', '--clean', clean, '--noisy', noisy, '--out', path.join(tmp, 'm')],
        /unpaired: 1 in .*clean only \(p232_002\.wav\); 1 in .*noisy only \(p232_003\.wav\)/,
      ],
      [
        ['train-enhancer', '--speech', empty, '--noise', noisy, '--out', path.join(tmp, 'm')],
        /empty: needs at least 2 usable speech WAV files, found 0/,
      ],
      [['score', '--clean', clean, '--est', path.join(clean, 'p232_001.wav')], /must both be files or both be folders/],
      [
        ['train-enhancer', '--clean', clean, '--noisy', noisy, '--out', path.join(tmp, 'm'), '--restart-lr', '1e-4'],
        /--restart-lr needs --resume/,
      ],
      [
        ['train-enhancer', '--manifest', 'x.csv', '--out', path.join(tmp, 'm'), '--resume', '--restart-lr', '0'],
        /--restart-lr must be a positive number/,
      ],
      [
        ['train-enhancer', '--manifest', 'x.csv', '--out', path.join(tmp, 'm'), '--si-snr-cap', '120'],
        /--si-snr-cap must be a number of dB from 0 to 100, got "120"/,
      ],
      [
        ['train-enhancer', '--manifest', 'x.csv', '--out', path.join(tmp, 'm'), '--validation-mixtures', '0'],
        /--validation-mixtures must be an integer from 1 to 4096, got "0"/,
      ],
      [
        ['train-enhancer', '--manifest', 'x.csv', '--out', path.join(tmp, 'm'), '--steady-noise', '1.5'],
        /--steady-noise must be in \[0, 1\], got "1\.5"/,
      ],
      [
        ['train-enhancer', '--manifest', 'x.csv', '--out', path.join(tmp, 'm'), '--whisper', '-0.1'],
        /--whisper must be in \[0, 1\], got "-0\.1"/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      expect(r.stderr).toMatch(message);
      expect(r.status).toBe(2);
    }
    expect(fs.existsSync(path.join(tmp, 'o'))).toBe(false);
    expect(fs.existsSync(path.join(tmp, 'm'))).toBe(false);
    expect(fs.existsSync(path.join(tmp, 'kept'))).toBe(false);
    expect(fs.readdirSync(path.join(tmp, 'kept.epochs'))).toEqual(['e1']);
  }, 60000);

  test('enhance --atten-lim 0 returns the input; score over two folders prints a table and JSON', () => {
    const clean = path.join(tmp, 'c2');
    fs.mkdirSync(clean, { recursive: true });
    writeWav(path.join(clean, 'a.wav'), { sampleRate: 16000, channels: [speechLike(16000, 5)] });
    writeWav(path.join(clean, 'b.wav'), { sampleRate: 16000, channels: [speechLike(16000, 7)] });
    const out = path.join(tmp, 'e2');
    const r = run(['enhance', clean, '-o', out, '--model', 'wiener', '--atten-lim', '0', '-q']);
    expect(r.status).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['a_enhanced.wav', 'b_enhanced.wav']);
    const t = run(['score', '--clean', clean, '--est', out]);
    expect(t.status).toBe(0);
    expect(t.stdout).toMatch(/^file\s+SI-SDR\s+STOI\s+ESTOI$/m);
    expect(t.stdout).toMatch(/^a\.wav\s+\d+\.\d{3}\s+1\.0000\s+1\.0000$/m);
    expect(t.stdout).toMatch(/^mean \(2 files\)/m);
    const j = JSON.parse(run(['score', '--clean', clean, '--est', out, '--json']).stdout);
    expect(j.files.map((f: { file: string }) => f.file)).toEqual(['a.wav', 'b.wav']);
    // 0 dB limit: the output is the input itself, to PCM16 precision
    expect(j.mean.si_sdr).toBeGreaterThan(60);
  }, 60000);
});
