/**
 * WAV (RIFF/WAVE) parsing and encoding on bytes in memory, with no file system: the part of `wav.ts` that also runs
 * in a browser (on the bytes of an ArrayBuffer). See `wav.ts` for what is read and written.
 */
import { AudioError } from '../errors';

/** Decoded audio: one Float32Array per channel, all of the same length. */
export interface AudioData {
  sampleRate: number;
  channels: Float32Array[];
}

/** How the samples of a WAV file are stored. */
export interface WavFormat {
  sampleRate: number;
  /** Number of channels. */
  channelCount: number;
  /** 8, 16, 24, 32 or 64. */
  bitsPerSample: number;
  encoding: 'pcm' | 'float';
  /** True when the fmt chunk is WAVE_FORMAT_EXTENSIBLE. */
  extensible: boolean;
  /** Number of sample frames (samples per channel). */
  frames: number;
}

export type WavWriteFormat = 'pcm16' | 'float32';

export interface WavWriteOptions {
  /** 'pcm16' (default): 16-bit PCM, values clipped to [-1, 1). 'float32': IEEE float, no clipping. */
  format?: WavWriteFormat;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
const FORMAT_NAMES: Record<number, string> = {
  2: 'Microsoft ADPCM',
  6: 'A-law',
  7: 'mu-law',
  0x11: 'IMA ADPCM',
  0x31: 'GSM 6.10',
  0x50: 'MPEG',
  0x55: 'MP3',
};

/** Random access to the bytes of a file or of a buffer. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}

export class BufferSource implements ByteSource {
  constructor(private readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.byteLength;
  }
  read(offset: number, length: number): Uint8Array {
    return this.bytes.subarray(offset, Math.min(offset + length, this.bytes.byteLength));
  }
}

function ascii(b: Uint8Array, o: number, n: number): string {
  let s = '';
  for (let i = 0; i < n && o + i < b.length; i++) s += String.fromCharCode(b[o + i]);
  return s;
}

function printable(id: string): string {
  return JSON.stringify(id);
}

export interface ParsedHeader {
  format: WavFormat;
  dataOffset: number;
  blockAlign: number;
}

/**
 * Reads a WAV header: the RIFF/WAVE magic, then chunks until "data", checking the "fmt " chunk on the way. Errors
 * name the file (`where`), what is wrong, and what to do.
 */
export function parseHeader(src: ByteSource, where: string): ParsedHeader {
  if (src.size === 0) {
    throw new AudioError('NOT_WAV', `${where}: the file is empty (0 bytes), not a WAV file.`);
  }
  checkRiffWave(src, where);
  let fmt: FmtChunk | undefined;
  let offset = 12;
  for (;;) {
    const ch = src.read(offset, 8);
    if (ch.length < 8) {
      if (fmt === undefined) {
        throw new AudioError(
          'TRUNCATED',
          `${where}: the file ends before its "fmt " chunk; it is truncated or not a WAV file.`,
        );
      }
      throw new AudioError(
        'TRUNCATED',
        `${where}: the file ends before its "data" chunk; it is truncated. Re-export it.`,
      );
    }
    const id = ascii(ch, 0, 4);
    const size = new DataView(ch.buffer, ch.byteOffset, 8).getUint32(4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16)
        throw new AudioError(
          'NOT_WAV',
          `${where}: its "fmt " chunk is ${size} bytes, shorter than the 16 a WAV needs.`,
        );
      fmt = parseFmtChunk(src, body, size, where);
    } else if (id === 'data') {
      if (fmt === undefined) {
        throw new AudioError(
          'NOT_WAV',
          `${where}: its "data" chunk comes before any "fmt " chunk; the file is damaged.`,
        );
      }
      const frames = dataFrames(src, body, size, fmt, where);
      const { blockAlign, ...format } = fmt;
      return { format: { ...format, frames }, dataOffset: body, blockAlign };
    }
    offset = body + size + (size % 2); // chunks are padded to an even size
  }
}

type FmtChunk = Omit<WavFormat, 'frames'> & { blockAlign: number };

function checkRiffWave(src: ByteSource, where: string): void {
  const head = src.read(0, 12);
  if (head.length < 12 || ascii(head, 0, 4) !== 'RIFF' || ascii(head, 8, 4) !== 'WAVE') {
    const magic = ascii(head, 0, 4);
    const hint =
      magic === 'RIFX' ? ' (big-endian RIFX is not supported)' : magic === 'RF64' ? ' (RF64 is not supported)' : '';
    throw new AudioError(
      'NOT_WAV',
      `${where}: not a WAV file${hint}: it does not start with "RIFF....WAVE" (starts with ${printable(ascii(head, 0, Math.min(12, head.length)))}). ` +
        'Convert it to WAV first (e.g. ffmpeg -i IN OUT.wav).',
    );
  }
}

/** The "fmt " chunk at `body` (`size` bytes): PCM 8/16/24/32-bit or IEEE float 32/64-bit, plain or extensible. */
function parseFmtChunk(src: ByteSource, body: number, size: number, where: string): FmtChunk {
  const f = src.read(body, Math.min(size, 40));
  if (f.length < 16)
    throw new AudioError('TRUNCATED', `${where}: the file ends inside its "fmt " chunk; it is truncated.`);
  const v = new DataView(f.buffer, f.byteOffset, f.length);
  let tag = v.getUint16(0, true);
  const channelCount = v.getUint16(2, true);
  const sampleRate = v.getUint32(4, true);
  const blockAlign = v.getUint16(12, true);
  const bitsPerSample = v.getUint16(14, true);
  const extensible = tag === WAVE_FORMAT_EXTENSIBLE;
  if (extensible) {
    if (f.length < 40) {
      throw new AudioError(
        'NOT_WAV',
        `${where}: WAVE_FORMAT_EXTENSIBLE "fmt " chunk is ${f.length} bytes, it needs 40.`,
      );
    }
    tag = v.getUint16(24, true); // first two bytes of the SubFormat GUID
  }
  if (tag !== WAVE_FORMAT_PCM && tag !== WAVE_FORMAT_IEEE_FLOAT) {
    const name = FORMAT_NAMES[tag] ?? `format tag 0x${tag.toString(16)}`;
    throw new AudioError(
      'UNSUPPORTED_ENCODING',
      `${where}: unsupported WAV encoding ${name}; only PCM (8/16/24/32-bit) and IEEE float (32/64-bit) are read. ` +
        'Convert it, e.g. ffmpeg -i IN -c:a pcm_s16le OUT.wav.',
    );
  }
  const encoding = tag === WAVE_FORMAT_PCM ? 'pcm' : 'float';
  const okBits = encoding === 'pcm' ? [8, 16, 24, 32] : [32, 64];
  if (!okBits.includes(bitsPerSample)) {
    throw new AudioError(
      'UNSUPPORTED_ENCODING',
      `${where}: unsupported ${encoding === 'pcm' ? 'PCM' : 'float'} sample size of ${bitsPerSample} bits; ` +
        `supported: ${okBits.join(', ')}-bit. Convert it, e.g. ffmpeg -i IN -c:a pcm_s16le OUT.wav.`,
    );
  }
  if (channelCount === 0) throw new AudioError('NOT_WAV', `${where}: the "fmt " chunk says 0 channels.`);
  if (sampleRate === 0) throw new AudioError('NOT_WAV', `${where}: the "fmt " chunk says a sample rate of 0 Hz.`);
  if (blockAlign !== channelCount * (bitsPerSample / 8)) {
    throw new AudioError(
      'NOT_WAV',
      `${where}: inconsistent "fmt " chunk: block align ${blockAlign} bytes for ${channelCount} channel(s) of ${bitsPerSample} bits.`,
    );
  }
  return { sampleRate, channelCount, bitsPerSample, encoding, extensible, blockAlign };
}

/** The number of whole sample frames in the "data" chunk at `body` (declared `size` bytes). */
function dataFrames(src: ByteSource, body: number, size: number, fmt: FmtChunk, where: string): number {
  const { blockAlign } = fmt;
  const available = src.size - body;
  let dataBytes = size;
  if (size === 0xffffffff) {
    // A streaming writer that never patched the size: take every whole frame that is there.
    dataBytes = available - (available % blockAlign);
  }
  if (dataBytes > available) {
    throw new AudioError(
      'TRUNCATED',
      `${where}: truncated: the "data" chunk declares ${dataBytes} bytes but only ${available} follow ` +
        `(${((dataBytes - available) / blockAlign / fmt.sampleRate).toFixed(3)} s missing). Re-export or repair the file.`,
    );
  }
  if (dataBytes % blockAlign !== 0) {
    throw new AudioError(
      'TRUNCATED',
      `${where}: the "data" chunk holds ${dataBytes} bytes, not a whole number of ${blockAlign}-byte sample frames; the file is damaged.`,
    );
  }
  const frames = dataBytes / blockAlign;
  if (frames === 0) {
    throw new AudioError('EMPTY_AUDIO', `${where}: the WAV file holds no samples (zero-length "data" chunk).`);
  }
  return frames;
}

/** Decodes `count` interleaved frames of `bytes` into per-channel float32 arrays, appended at `at`. */
export function decodeFrames(
  bytes: Uint8Array,
  format: WavFormat,
  out: Float32Array[],
  at: number,
  where: string,
): void {
  const nch = format.channelCount;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bps = format.bitsPerSample / 8;
  const frames = bytes.byteLength / (bps * nch);
  let o = 0;
  if (format.encoding === 'float') {
    for (let i = 0; i < frames; i++) {
      for (let c = 0; c < nch; c++) {
        const x = bps === 4 ? v.getFloat32(o, true) : v.getFloat64(o, true);
        if (!Number.isFinite(x)) {
          throw new AudioError(
            'NAN_SAMPLES',
            `${where}: sample ${at + i} of channel ${c} is ${x}; the audio holds NaN or infinite values. Fix the source.`,
          );
        }
        out[c][at + i] = x;
        o += bps;
      }
    }
    return;
  }
  switch (format.bitsPerSample) {
    case 8:
      for (let i = 0; i < frames; i++) for (let c = 0; c < nch; c++) out[c][at + i] = (bytes[o++] - 128) / 128;
      break;
    case 16:
      for (let i = 0; i < frames; i++)
        for (let c = 0; c < nch; c++, o += 2) out[c][at + i] = v.getInt16(o, true) / 32768;
      break;
    case 24:
      for (let i = 0; i < frames; i++) {
        for (let c = 0; c < nch; c++, o += 3) {
          const u = bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16);
          out[c][at + i] = ((u << 8) >> 8) / 8388608;
        }
      }
      break;
    default:
      for (let i = 0; i < frames; i++)
        for (let c = 0; c < nch; c++, o += 4) out[c][at + i] = v.getInt32(o, true) / 2147483648;
  }
}

/**
 * Reads `count` frames from frame `start` (clamped to the end) of the audio that `header` describes in `src`, one
 * Float32Array per channel. `where` names the source in errors.
 */
export function readFrames(
  src: ByteSource,
  header: ParsedHeader,
  start: number,
  count: number,
  where: string,
): Float32Array[] {
  const n = Math.max(0, Math.min(count, header.format.frames - start));
  const out = Array.from({ length: header.format.channelCount }, () => new Float32Array(n));
  // Decode in slices of at most ~4 MB so a long read never holds two full copies of raw bytes.
  const slice = Math.max(1, Math.floor((4 << 20) / header.blockAlign));
  for (let done = 0; done < n; done += slice) {
    const m = Math.min(slice, n - done);
    const bytes = src.read(header.dataOffset + (start + done) * header.blockAlign, m * header.blockAlign);
    if (bytes.byteLength < m * header.blockAlign) {
      throw new AudioError('TRUNCATED', `${where}: the file got shorter while it was being read.`);
    }
    decodeFrames(bytes, header.format, out, done, where);
  }
  return out;
}

/** Decodes a whole WAV file held in memory. `where` names it in error messages. */
export function decodeWav(bytes: Uint8Array, where = '<buffer>'): AudioData {
  const src = new BufferSource(bytes);
  const header = parseHeader(src, where);
  return { sampleRate: header.format.sampleRate, channels: readFrames(src, header, 0, header.format.frames, where) };
}

/** Reads only the format of a WAV file held in memory. */
export function decodeWavFormat(bytes: Uint8Array, where = '<buffer>'): WavFormat {
  return parseHeader(new BufferSource(bytes), where).format;
}

export function checkAudio(audio: AudioData, where: string): void {
  if (!Number.isFinite(audio.sampleRate) || audio.sampleRate <= 0 || !Number.isInteger(audio.sampleRate)) {
    throw new AudioError('BAD_ARGUMENT', `${where}: sampleRate must be a positive integer, got ${audio.sampleRate}.`);
  }
  if (audio.channels.length === 0 || audio.channels.length > 65535) {
    throw new AudioError('BAD_ARGUMENT', `${where}: needs 1 to 65535 channels, got ${audio.channels.length}.`);
  }
  const n = audio.channels[0].length;
  if (audio.channels.some((c) => c.length !== n)) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `${where}: channels differ in length (${audio.channels.map((c) => c.length).join(', ')}).`,
    );
  }
}

export function headerBytes(
  format: WavWriteFormat,
  sampleRate: number,
  channelCount: number,
  frames: number,
): Uint8Array {
  const float = format === 'float32';
  const bits = float ? 32 : 16;
  const blockAlign = channelCount * (bits / 8);
  const dataBytes = frames * blockAlign;
  const extensible = channelCount > 2;
  const fmtSize = extensible ? 40 : float ? 18 : 16;
  const factSize = float ? 12 : 0;
  const size = 12 + 8 + fmtSize + factSize + 8;
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  const put = (o: number, s: string): void => {
    for (let i = 0; i < s.length; i++) b[o + i] = s.charCodeAt(i);
  };
  const riffSize = size - 8 + dataBytes + (dataBytes % 2);
  if (riffSize > 0xffffffff) {
    throw new AudioError('TOO_LONG', `a WAV file holds at most 4 GiB; this audio needs ${riffSize} bytes. Split it.`);
  }
  put(0, 'RIFF');
  v.setUint32(4, riffSize, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  v.setUint32(16, fmtSize, true);
  const tag = float ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM;
  v.setUint16(20, extensible ? WAVE_FORMAT_EXTENSIBLE : tag, true);
  v.setUint16(22, channelCount, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * blockAlign, true);
  v.setUint16(32, blockAlign, true);
  v.setUint16(34, bits, true);
  let o = 36;
  if (extensible) {
    v.setUint16(36, 22, true); // cbSize
    v.setUint16(38, bits, true); // valid bits
    v.setUint32(40, 0, true); // channel mask: unspecified
    // SubFormat GUID {0000000X-0000-0010-8000-00aa00389b71}
    const guid = [tag, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71];
    b.set(guid, 44);
    o = 60;
  } else if (float) {
    v.setUint16(36, 0, true); // cbSize
    o = 38;
  }
  if (float) {
    put(o, 'fact');
    v.setUint32(o + 4, 4, true);
    v.setUint32(o + 8, frames, true);
    o += 12;
  }
  put(o, 'data');
  v.setUint32(o + 4, dataBytes, true);
  return b;
}

export function encodeFrames(channels: Float32Array[], format: WavWriteFormat, where: string, at = 0): Uint8Array {
  const nch = channels.length;
  const n = channels[0].length;
  const bps = format === 'float32' ? 4 : 2;
  const out = new Uint8Array(n * nch * bps);
  const v = new DataView(out.buffer);
  let o = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < nch; c++, o += bps) {
      const x = channels[c][i];
      if (!Number.isFinite(x)) {
        throw new AudioError(
          'NAN_SAMPLES',
          `${where}: sample ${at + i} of channel ${c} is ${x}; refusing to write NaN or infinite audio.`,
        );
      }
      if (bps === 4) v.setFloat32(o, x, true);
      else v.setInt16(o, Math.max(-32768, Math.min(32767, Math.round(x * 32768))), true);
    }
  }
  return out;
}

/** Encodes audio as the bytes of a WAV file (16-bit PCM by default, or 32-bit float). */
export function encodeWav(audio: AudioData, options: WavWriteOptions = {}): Uint8Array {
  checkAudio(audio, 'encodeWav');
  const format = options.format ?? 'pcm16';
  const frames = audio.channels[0].length;
  const header = headerBytes(format, audio.sampleRate, audio.channels.length, frames);
  const data = encodeFrames(audio.channels, format, 'encodeWav');
  const out = new Uint8Array(header.length + data.length + (data.length % 2));
  out.set(header, 0);
  out.set(data, header.length);
  return out;
}
