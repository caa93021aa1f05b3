import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { WaveFile } from 'wavefile';
import { AudioError, decodeWav, encodeWav, openWav, readWav, writeWav, WavWriter } from '../src';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-wav-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Deterministic test tone per channel: a few sines and a ramp, in [-0.9, 0.9]. */
function signal(n: number, ch: number): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = 0.6 * Math.sin((2 * Math.PI * (ch + 1) * 3 * i) / n) + 0.3 * ((i % 17) / 17 - 0.5);
  return x;
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AudioError);
    return (e as AudioError).code;
  }
  throw new Error('expected an AudioError');
}

const FORMATS: Array<{ depth: string; scale: number; offset?: number }> = [
  { depth: '8', scale: 128, offset: 128 },
  { depth: '16', scale: 32768 },
  { depth: '24', scale: 8388608 },
  { depth: '32', scale: 2147483648 },
  { depth: '32f', scale: 1 },
  { depth: '64', scale: 1 },
];

describe('readWav reads what wavefile writes', () => {
  for (const { depth, scale, offset } of FORMATS) {
    for (const channels of [1, 2, 6]) {
      test(`${depth}-bit, ${channels} channel(s)`, () => {
        const n = 257;
        const float = depth === '32f' || depth === '64';
        const samples = Array.from({ length: channels }, (_, c) =>
          Array.from(signal(n, c), (v) => (float ? v : Math.round(v * scale * 0.99) + (offset ?? 0))),
        );
        const wav = new WaveFile();
        wav.fromScratch(channels, 22050, depth, samples);
        const bytes = wav.toBuffer();
        const a = decodeWav(bytes, 'mem');
        expect(a.sampleRate).toBe(22050);
        expect(a.channels).toHaveLength(channels);
        for (let c = 0; c < channels; c++) {
          expect(a.channels[c]).toHaveLength(n);
          for (let i = 0; i < n; i += 13) {
            const want = float ? samples[c][i] : (samples[c][i] - (offset ?? 0)) / scale;
            expect(a.channels[c][i]).toBeCloseTo(want, 6);
          }
        }
      });
    }
  }
});

describe('writeWav', () => {
  test('16-bit round trip is exact on the int16 grid and wavefile reads it back', () => {
    const n = 1001;
    const x = Float32Array.from(signal(n, 0), (v) => Math.round(v * 32768) / 32768);
    const y = Float32Array.from(signal(n, 1), (v) => Math.round(v * 32768) / 32768);
    const file = path.join(tmp, 'pcm16.wav');
    writeWav(file, { sampleRate: 16000, channels: [x, y] });
    const a = readWav(file);
    expect(a.sampleRate).toBe(16000);
    expect(Array.from(a.channels[0])).toEqual(Array.from(x));
    expect(Array.from(a.channels[1])).toEqual(Array.from(y));
    const wf = new WaveFile(fs.readFileSync(file));
    expect((wf.fmt as { bitsPerSample: number }).bitsPerSample).toBe(16);
    const s = wf.getSamples(false, Float64Array) as unknown as Float64Array[];
    expect(s[1][500]).toBe(Math.round(y[500] * 32768));
  });

  test('float32 round trip is exact, 3 channels use WAVE_FORMAT_EXTENSIBLE', () => {
    const chans = [0, 1, 2].map((c) => Float32Array.from(signal(300, c), (v) => v * 3)); // beyond [-1, 1]: no clipping
    const file = path.join(tmp, 'f32.wav');
    writeWav(file, { sampleRate: 48000, channels: chans }, { format: 'float32' });
    const r = openWav(file);
    expect(r.format).toMatchObject({
      encoding: 'float',
      bitsPerSample: 32,
      extensible: true,
      channelCount: 3,
      frames: 300,
    });
    const a = r.readAll();
    r.close();
    for (let c = 0; c < 3; c++) expect(Array.from(a.channels[c])).toEqual(Array.from(chans[c]));
    const wf = new WaveFile(fs.readFileSync(file));
    expect((wf.fmt as { audioFormat: number }).audioFormat).toBe(0xfffe);
  });

  test('pcm16 clips out-of-range values', () => {
    const a = decodeWav(encodeWav({ sampleRate: 8000, channels: [Float32Array.from([2, -2, 0.5])] }));
    expect(Array.from(a.channels[0])).toEqual([32767 / 32768, -1, 0.5]);
  });

  test('WavWriter in blocks gives the same bytes as writeWav; nothing appears until close; abort leaves nothing', () => {
    const x = Float32Array.from(signal(999, 0));
    const whole = path.join(tmp, 'whole.wav');
    const blocks = path.join(tmp, 'blocks.wav');
    writeWav(whole, { sampleRate: 16000, channels: [x] });
    const w = new WavWriter(blocks, 16000, 1);
    w.write([x.subarray(0, 400)]);
    expect(fs.existsSync(blocks)).toBe(false);
    w.write([x.subarray(400)]);
    w.close();
    expect(Buffer.compare(fs.readFileSync(whole), fs.readFileSync(blocks))).toBe(0);
    const aborted = path.join(tmp, 'aborted.wav');
    const w2 = new WavWriter(aborted, 16000, 1);
    w2.write([x]);
    w2.abort();
    expect(fs.readdirSync(tmp).filter((f) => f.includes('aborted'))).toEqual([]);
  });

  test('odd-length 16-bit mono data gets its pad byte', () => {
    const bytes = encodeWav({ sampleRate: 8000, channels: [new Float32Array(3)] }, { format: 'pcm16' });
    expect(bytes.length % 2).toBe(0);
    const f32 = encodeWav({ sampleRate: 8000, channels: [new Float32Array(3)] }, { format: 'float32' });
    expect(decodeWav(f32).channels[0]).toHaveLength(3);
  });

  test('refuses NaN and leaves no file behind', () => {
    const file = path.join(tmp, 'nan.wav');
    expect(code(() => writeWav(file, { sampleRate: 16000, channels: [Float32Array.from([0, NaN])] }))).toBe(
      'NAN_SAMPLES',
    );
    expect(fs.readdirSync(tmp).filter((f) => f.includes('nan'))).toEqual([]);
  });

  test('rejects bad audio objects', () => {
    expect(code(() => encodeWav({ sampleRate: 0, channels: [new Float32Array(2)] }))).toBe('BAD_ARGUMENT');
    expect(code(() => encodeWav({ sampleRate: 8000, channels: [] }))).toBe('BAD_ARGUMENT');
    expect(code(() => encodeWav({ sampleRate: 8000, channels: [new Float32Array(2), new Float32Array(3)] }))).toBe(
      'BAD_ARGUMENT',
    );
  });
});

/** Builds a RIFF file from chunks (id, body), adding pad bytes after odd bodies. */
function riff(chunks: Array<[string, Uint8Array]>): Uint8Array {
  const parts: number[] = [];
  const push32 = (v: number): void => {
    parts.push(v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255);
  };
  const body: number[] = [...'WAVE'].map((c) => c.charCodeAt(0));
  for (const [id, data] of chunks) {
    body.push(...[...id].map((c) => c.charCodeAt(0)));
    const len: number[] = [];
    parts.length = 0;
    push32(data.length);
    len.push(...parts);
    body.push(...len, ...data);
    if (data.length % 2) body.push(0);
  }
  parts.length = 0;
  push32(body.length);
  return Uint8Array.from([...[...'RIFF'].map((c) => c.charCodeAt(0)), ...parts, ...body]);
}

function fmtChunk(tag: number, channels: number, rate: number, bits: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint16(0, tag, true);
  v.setUint16(2, channels, true);
  v.setUint32(4, rate, true);
  v.setUint32(8, (rate * channels * bits) / 8, true);
  v.setUint16(12, (channels * bits) / 8, true);
  v.setUint16(14, bits, true);
  return b;
}

/** A WAV file of one fmt chunk (format tag, channels, sample rate, bits per sample) and one data chunk. */
function wavBytes(tag: number, channels: number, rate: number, bits: number, data: Uint8Array): Uint8Array {
  return riff([
    ['fmt ', fmtChunk(tag, channels, rate, bits)],
    ['data', data],
  ]);
}

function int16(values: number[]): Uint8Array {
  return new Uint8Array(Int16Array.from(values).buffer);
}

describe('odd chunk layouts', () => {
  test('LIST with an odd size (pad byte), fact, and a chunk after data', () => {
    const list = new TextEncoder().encode('INFOISFT\x05\x00\x00\x00gwav\x00'); // 17 bytes: odd
    const bytes = riff([
      ['LIST', list],
      ['fmt ', fmtChunk(1, 1, 16000, 16)],
      ['fact', new Uint8Array([3, 0, 0, 0])],
      ['data', int16([100, -200, 300])],
      ['cue ', new Uint8Array(4)],
    ]);
    const a = decodeWav(bytes);
    expect(Array.from(a.channels[0]).map((v) => v * 32768)).toEqual([100, -200, 300]);
  });

  test('hand-made WAVE_FORMAT_EXTENSIBLE 24-bit stereo', () => {
    const fmt = new Uint8Array(40);
    fmt.set(fmtChunk(0xfffe, 2, 44100, 24));
    const v = new DataView(fmt.buffer);
    v.setUint16(16, 22, true);
    v.setUint16(18, 24, true);
    v.setUint32(20, 3, true);
    fmt.set([1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71], 24);
    // frame: L = -1 (0xffffff), R = 0x400000 (0.5)
    const a = decodeWav(
      riff([
        ['fmt ', fmt],
        ['data', new Uint8Array([0xff, 0xff, 0xff, 0, 0, 0x40])],
      ]),
    );
    expect(a.sampleRate).toBe(44100);
    expect(a.channels[0][0]).toBeCloseTo(-1 / 8388608, 12);
    expect(a.channels[1][0]).toBe(0.5);
  });

  test('block-wise reads equal the whole read', () => {
    const file = path.join(tmp, 'blockread.wav');
    const x = Float32Array.from(signal(5000, 0));
    writeWav(file, { sampleRate: 8000, channels: [x, x.map((v) => -v)] }, { format: 'float32' });
    const r = openWav(file);
    const parts = [r.read(0, 1234), r.read(1234, 10000)];
    r.close();
    expect(parts[1][1]).toHaveLength(5000 - 1234);
    expect(parts[0][1][7]).toBe(-x[7]);
    expect(parts[1][0][0]).toBe(x[1234]);
  });
});

describe('bad input', () => {
  test('not a WAV', () => {
    expect(code(() => decodeWav(new TextEncoder().encode('ID3\x03 this is an mp3, honest'), 'song.mp3'))).toBe(
      'NOT_WAV',
    );
    expect(code(() => decodeWav(new Uint8Array(0)))).toBe('NOT_WAV');
    const err = (() => {
      try {
        decodeWav(new TextEncoder().encode('hello world!'), 'x.txt');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toMatch(/x\.txt: not a WAV file/);
  });

  test('truncated data, header or fmt', () => {
    const good = wavBytes(1, 1, 16000, 16, int16([1, 2, 3, 4]));
    expect(code(() => decodeWav(good.subarray(0, good.length - 3), 'cut.wav'))).toBe('TRUNCATED');
    expect(code(() => decodeWav(good.subarray(0, 30)))).toBe('TRUNCATED');
    expect(code(() => decodeWav(riff([['fmt ', fmtChunk(1, 1, 16000, 16)]])))).toBe('TRUNCATED');
    // half a 16-bit stereo frame
    expect(code(() => decodeWav(wavBytes(1, 2, 16000, 16, new Uint8Array(6))))).toBe('TRUNCATED');
  });

  test('unsupported encodings', () => {
    expect(code(() => decodeWav(wavBytes(7, 1, 8000, 8, new Uint8Array(4))))).toBe('UNSUPPORTED_ENCODING'); // mu-law
    expect(code(() => decodeWav(wavBytes(2, 1, 8000, 4, new Uint8Array(4))))).toBe('UNSUPPORTED_ENCODING'); // ADPCM
    expect(code(() => decodeWav(wavBytes(1, 1, 8000, 12, new Uint8Array(4))))).toBe('UNSUPPORTED_ENCODING');
    expect(code(() => decodeWav(wavBytes(3, 1, 8000, 16, new Uint8Array(4))))).toBe('UNSUPPORTED_ENCODING');
  });

  test('zero-length audio', () => {
    expect(code(() => decodeWav(wavBytes(1, 1, 16000, 16, new Uint8Array(0))))).toBe('EMPTY_AUDIO');
  });

  test('NaN and infinite float samples', () => {
    const f = new Float32Array([0.1, NaN, 0.2]);
    const bad = wavBytes(3, 1, 16000, 32, new Uint8Array(f.buffer));
    expect(code(() => decodeWav(bad))).toBe('NAN_SAMPLES');
    const inf = wavBytes(3, 1, 16000, 64, new Uint8Array(new Float64Array([Infinity]).buffer));
    expect(code(() => decodeWav(inf))).toBe('NAN_SAMPLES');
  });

  test('missing file and directory', () => {
    expect(code(() => readWav(path.join(tmp, 'nope.wav')))).toBe('FILE_NOT_FOUND');
    expect(code(() => readWav(tmp))).toBe('NOT_WAV');
  });
});
