/**
 * WAV (RIFF/WAVE) reading and writing.
 *
 * Reads PCM 8 (unsigned) / 16 / 24 / 32-bit and IEEE float 32 / 64-bit, plain or WAVE_FORMAT_EXTENSIBLE, any
 * channel count, with any other chunks (LIST, fact, cue, ...) before or after the data and the RIFF pad byte after
 * odd-sized chunks. Samples come back as float32 in [-1, 1): int / 2^(bits-1) (8-bit: (u - 128) / 128).
 * Writes 16-bit PCM or 32-bit float, always through a temporary file and a rename. The byte-level parser and encoder
 * live in `wav-bytes.ts` (no file system, so they also run in a browser); this file adds files.
 *
 * The parser is our own (so that a one-hour file can be read block by block with `openWav` and every error says
 * exactly what is wrong); the tests check it against files written by the `wavefile` library.
 */
import * as fs from 'fs';
import * as path from 'path';
import { atomicWriteFile, releaseTemporary, trackTemporary, writeError } from '@gatewave/core';
import { AudioError } from '../errors';
import {
  BufferSource,
  checkAudio,
  decodeWav,
  encodeFrames,
  encodeWav,
  headerBytes,
  parseHeader,
  readFrames,
  type AudioData,
  type ByteSource,
  type ParsedHeader,
  type WavFormat,
  type WavWriteFormat,
  type WavWriteOptions,
} from './wav-bytes';

export { decodeWav, encodeWav };
export type { AudioData, WavFormat, WavWriteFormat, WavWriteOptions };

class FileSource implements ByteSource {
  readonly size: number;
  constructor(private readonly fd: number) {
    this.size = fs.fstatSync(fd).size;
  }
  read(offset: number, length: number): Uint8Array {
    const n = Math.max(0, Math.min(length, this.size - offset));
    const buf = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const got = fs.readSync(this.fd, buf, done, n - done, offset + done);
      if (got === 0) break;
      done += got;
    }
    return done === n ? buf : buf.subarray(0, done);
  }
}

/** A WAV file opened for reading block by block (bounded memory for long files). Call `close()` when done. */
export class WavReader {
  readonly format: WavFormat;
  private readonly header: ParsedHeader;
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    private readonly src: ByteSource,
    fd: number | undefined,
  ) {
    this.fd = fd;
    this.header = parseHeader(src, path);
    this.format = this.header.format;
  }

  /** Opens and checks the header of `file`; throws AudioError (FILE_NOT_FOUND, NOT_WAV, ...) on bad input. */
  static open(file: string): WavReader {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') throw new AudioError('FILE_NOT_FOUND', `${file}: no such file.`);
      if (e.code === 'EISDIR') throw new AudioError('NOT_WAV', `${file}: is a directory, not a WAV file.`);
      throw new AudioError('READ_FAILED', `${file}: cannot open (${e.message}).`);
    }
    try {
      if (fs.fstatSync(fd).isDirectory()) throw new AudioError('NOT_WAV', `${file}: is a directory, not a WAV file.`);
      return new WavReader(file, new FileSource(fd), fd);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  /** Reads from an in-memory buffer; `where` names it in error messages. */
  static fromBytes(bytes: Uint8Array, where = '<buffer>'): WavReader {
    return new WavReader(where, new BufferSource(bytes), undefined);
  }

  get sampleRate(): number {
    return this.format.sampleRate;
  }

  get frames(): number {
    return this.format.frames;
  }

  /** Reads `count` frames from frame `start` (clamped to the end), one Float32Array per channel. */
  read(start: number, count: number): Float32Array[] {
    return readFrames(this.src, this.header, start, count, this.path);
  }

  /** Reads every frame. */
  readAll(): AudioData {
    return { sampleRate: this.format.sampleRate, channels: this.read(0, this.format.frames) };
  }

  close(): void {
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

/** Opens a WAV file for block-wise reading. */
export function openWav(file: string): WavReader {
  return WavReader.open(file);
}

/** Reads the header of a WAV file only. */
export function readWavFormat(file: string): WavFormat {
  const r = WavReader.open(file);
  r.close();
  return r.format;
}

/** Reads a whole WAV file. Throws AudioError on a missing, damaged or unsupported file. */
export function readWav(file: string): AudioData {
  const r = WavReader.open(file);
  try {
    return r.readAll();
  } finally {
    r.close();
  }
}

/** Writes audio to `file` as a WAV, atomically (temporary file + rename): a crash leaves no half-written file. */
export function writeWav(file: string, audio: AudioData, options: WavWriteOptions = {}): void {
  checkAudio(audio, file);
  atomicWriteFile(file, encodeWav(audio, options));
}

/**
 * Writes a WAV file block by block (bounded memory). Samples go to a temporary file beside `file`; `close()`
 * patches the header and renames it into place, `abort()` deletes it. Until `close()`, `file` is untouched.
 */
export class WavWriter {
  private fd: number | undefined;
  private readonly tmp: string;
  private frames = 0;

  constructor(
    readonly file: string,
    readonly sampleRate: number,
    readonly channelCount: number,
    readonly format: WavWriteFormat = 'pcm16',
  ) {
    checkAudio({ sampleRate, channels: Array.from({ length: channelCount }, () => new Float32Array(0)) }, file);
    const dir = path.dirname(path.resolve(file));
    this.tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
    try {
      fs.mkdirSync(dir, { recursive: true });
      this.fd = fs.openSync(this.tmp, 'w');
    } catch (err) {
      throw writeError(file, err);
    }
    trackTemporary(this.tmp);
    fs.writeSync(this.fd, headerBytes(format, sampleRate, channelCount, 0));
  }

  /** Appends one block: one Float32Array per channel, all of the same length. */
  write(channels: Float32Array[]): void {
    if (this.fd === undefined) throw new AudioError('BAD_ARGUMENT', `${this.file}: write after close/abort.`);
    if (channels.length !== this.channelCount) {
      throw new AudioError(
        'BAD_ARGUMENT',
        `${this.file}: expected ${this.channelCount} channel(s), got ${channels.length}.`,
      );
    }
    checkAudio({ sampleRate: this.sampleRate, channels }, this.file);
    const bytes = encodeFrames(channels, this.format, this.file, this.frames);
    fs.writeSync(this.fd, bytes);
    this.frames += channels[0].length;
  }

  /** Finishes the file: patches sizes, adds the pad byte, renames into place. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    try {
      const bps = this.format === 'float32' ? 4 : 2;
      const dataBytes = this.frames * this.channelCount * bps;
      if (dataBytes % 2) fs.writeSync(fd, new Uint8Array(1));
      const header = headerBytes(this.format, this.sampleRate, this.channelCount, this.frames);
      fs.writeSync(fd, header, 0, header.length, 0);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      this.fd = undefined;
      fs.renameSync(this.tmp, this.file);
      releaseTemporary(this.tmp);
    } catch (err) {
      this.abort();
      throw writeError(this.file, err);
    }
  }

  /** Drops the temporary file; `file` stays as it was. */
  abort(): void {
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        /* already closed */
      }
      this.fd = undefined;
    }
    fs.rmSync(this.tmp, { force: true });
    releaseTemporary(this.tmp);
  }
}
