import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readWav, writeWav, siSdr, WienerEnhancer, enhanceAudio, enhanceFile, encodeWav, type Enhancer } from '../src';
import { buildProgram } from '../src/cli';
import { mixAt } from '../src/enhance/train';
import { SHARED, describeShared } from './shared-data';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-enh-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs the CLI in-process; returns exit code and stderr/stdout text. */
async function cli(args: string[]): Promise<{ code: number; err: string; out: string }> {
  let err = '';
  let out = '';
  const e = jest
    .spyOn(process.stderr, 'write')
    .mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  const o = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const before = process.exitCode;
  process.exitCode = 0;
  let code = 0;
  try {
    await buildProgram()
      .exitOverride()
      .parseAsync(['node', 'gatewave-audio', ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (x) {
    err += (x as Error).message;
    code = 1;
  } finally {
    e.mockRestore();
    o.mockRestore();
    process.exitCode = before;
  }
  return { code, err, out };
}

/** An enhancer that halves its input: makes the chunking and resampling logic checkable exactly. */
const halver: Enhancer = {
  name: 'halver',
  sampleRate: 16000,
  contextSeconds: 0.1,
  enhance: async (x) => x.map((v) => v / 2),
};

describe('enhancement pipeline', () => {
  test('chunked processing at another rate keeps rate, channels and length', async () => {
    const n = 44100 + 17;
    const ch = [0, 1].map((c) =>
      Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin((2 * Math.PI * (300 + 200 * c) * i) / 44100)),
    );
    const out = await enhanceAudio({ sampleRate: 44100, channels: ch }, halver, { chunkSeconds: 0.7 });
    expect(out.sampleRate).toBe(44100);
    expect(out.channels).toHaveLength(2);
    expect(out.channels[1]).toHaveLength(n);
    for (let i = 1000; i < n - 1000; i += 101) expect(out.channels[1][i]).toBeCloseTo(ch[1][i] / 2, 3);
  });

  test('wiener: chunked output matches whole-signal output; enhanceFile writes 24-bit input as float', async () => {
    const w = new WienerEnhancer();
    const n = 16000 * 4;
    let s = 7;
    const x = Float32Array.from({ length: n }, (_, i) => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return 0.05 * (s / 2 ** 32 - 0.5) + (Math.floor(i / 8000) % 2 ? 0.3 * Math.sin(i / 9) : 0);
    });
    const whole = await w.enhance(x);
    const chunked = await enhanceAudio({ sampleRate: 16000, channels: [x] }, w, {
      chunkSeconds: 1.5,
      contextSeconds: 1.5,
    });
    expect(siSdr(whole, chunked.channels[0])).toBeGreaterThan(30);
    const input = path.join(tmp, 'in24.wav');
    const bytes = encodeWav({ sampleRate: 16000, channels: [x] }, { format: 'float32' });
    fs.writeFileSync(input, bytes);
    const r = await enhanceFile(input, path.join(tmp, 'out', 'in24_enhanced.wav'), w, { chunkSeconds: 2 });
    expect(r.rtf).toBeGreaterThan(0);
    const o = readWav(r.output);
    expect(o.channels[0]).toHaveLength(n);
  });
});

describeShared(
  'wiener on real speech and noise (speech/train/it/agent-alreadyon.wav + noise_cv_ch08_sm001_16k.wav)',
  () => {
    test('improves SI-SDR at 0 and 5 dB SNR', async () => {
      const speech = readWav(path.join(SHARED, 'speech/train/it/agent-alreadyon.wav')).channels[0];
      const noise = readWav(path.join(SHARED, 'noise/noise_cv_ch08_sm001_16k.wav')).channels[0].subarray(
        0,
        speech.length,
      );
      for (const snr of [0, 5]) {
        const m = mixAt(speech, noise, snr, -25);
        const y = await new WienerEnhancer().enhance(m.noisy);
        expect(siSdr(m.clean, y)).toBeGreaterThan(siSdr(m.clean, m.noisy) + 3);
      }
    });
  },
);

describe('gatewave-audio enhance / score', () => {
  const good = path.join(tmp, 'good.wav');
  const good2Dir = path.join(tmp, 'dir');
  beforeAll(() => {
    const x = Float32Array.from({ length: 16000 }, (_, i) => 0.2 * Math.sin(i / 5) + 0.01 * Math.sin(i * 1.7));
    writeWav(good, { sampleRate: 16000, channels: [x] });
    fs.mkdirSync(good2Dir);
    writeWav(path.join(good2Dir, 'a.wav'), { sampleRate: 22050, channels: [x, x] });
    writeWav(path.join(good2Dir, 'b.WAV'), { sampleRate: 8000, channels: [x.subarray(0, 5000)] });
  });

  test('enhances files and a directory, logs the RTF, keeps rate/channels/length', async () => {
    const out = path.join(tmp, 'o1');
    const r = await cli(['enhance', good, good2Dir, '-o', out, '--model', 'wiener', '-q']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/good\.wav -> .*good_enhanced\.wav: 1\.00 s audio .* RTF [0-9.]+ \(wiener\)/);
    expect(fs.readdirSync(out).sort()).toEqual(['a_enhanced.wav', 'b_enhanced.wav', 'good_enhanced.wav']);
    const a = readWav(path.join(out, 'a_enhanced.wav'));
    expect(a.sampleRate).toBe(22050);
    expect(a.channels).toHaveLength(2);
    expect(a.channels[0]).toHaveLength(16000);
    expect(r.err).toMatch(/resampling to 16000 Hz/);
  });

  test('bad inputs: clear message, non-zero exit, nothing half-written, the good file still processed', async () => {
    const bad = path.join(tmp, 'bad');
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, 'text.wav'), 'this is not audio at all');
    const trunc = encodeWav({ sampleRate: 16000, channels: [new Float32Array(1000)] });
    fs.writeFileSync(path.join(bad, 'trunc.wav'), trunc.subarray(0, trunc.length - 100));
    const ulaw = Buffer.from(trunc);
    ulaw.writeUInt16LE(7, 20);
    fs.writeFileSync(path.join(bad, 'ulaw.wav'), ulaw);
    fs.writeFileSync(path.join(bad, 'empty.wav'), encodeWav({ sampleRate: 16000, channels: [new Float32Array(0)] }));
    const nan = Buffer.from(
      encodeWav({ sampleRate: 16000, channels: [new Float32Array(40000).fill(0.1)] }, { format: 'float32' }),
    );
    nan.writeFloatLE(NaN, nan.length - 8); // the last chunk holds the NaN: earlier chunks were already enhanced
    fs.writeFileSync(path.join(bad, 'nan.wav'), nan);
    const out = path.join(tmp, 'o2');
    const files = ['text', 'trunc', 'ulaw', 'empty', 'nan'].map((n) => path.join(bad, `${n}.wav`));
    const r = await cli([
      'enhance',
      ...files,
      path.join(tmp, 'missing.wav'),
      good,
      '-o',
      out,
      '--model',
      'wiener',
      '--chunk',
      '1',
      '-q',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/text\.wav: not a WAV file/);
    expect(r.err).toMatch(/trunc\.wav: truncated/);
    expect(r.err).toMatch(/ulaw\.wav: unsupported WAV encoding mu-law/);
    expect(r.err).toMatch(/empty\.wav: the WAV file holds no samples/);
    expect(r.err).toMatch(/nan\.wav: sample 39998 of channel 0 is NaN/);
    expect(r.err).toMatch(/missing\.wav: no such file/);
    expect(r.err).toMatch(/6 of 7 file\(s\) failed/);
    expect(fs.readdirSync(out)).toEqual(['good_enhanced.wav']); // no partial or temporary files
  });

  test('a missing model directory is a clear error', async () => {
    const r = await cli(['enhance', good, '-o', path.join(tmp, 'o3'), '--model', path.join(tmp, 'no-model')]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/no enhancement model in .*no-model/);
  });

  test('score prints SI-SDR, STOI, ESTOI; --json; mismatches are errors', async () => {
    const r = await cli(['score', '--clean', good, '--est', good, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.si_sdr).toBeGreaterThan(100);
    expect(j.stoi).toBeCloseTo(1, 6);
    expect(j.estoi).toBeCloseTo(1, 6);
    const t = await cli(['score', '--clean', good, '--est', good]);
    expect(t.out).toMatch(/SI-SDR .* dB\nSTOI   1\.0000\nESTOI  1\.0000/);
    const m = await cli(['score', '--clean', good, '--est', path.join(good2Dir, 'a.wav')]);
    expect(m.code).not.toBe(0);
    expect(m.err).toMatch(/22050 Hz but .* 16000 Hz/);
  });
});
