/**
 * The enhancement pipeline shared by every enhancer (the `wiener` baseline and FRCRN models):
 * read -> per channel: resample to the enhancer's rate -> enhance -> resample back -> write,
 * in chunks of `chunkSeconds` with `contextSeconds` of extra audio on each side that is processed and then dropped,
 * so a long file needs memory for one chunk only and the joins are seamless.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AudioError } from '../errors';
import { openWav, WavWriter, type AudioData, type WavWriteFormat } from '../io/wav';
import { resample } from '../io/resample';

/** Anything that turns noisy mono speech at `sampleRate` into enhanced speech of the same length. */
export interface Enhancer {
  /** 'wiener' or the model's name. */
  readonly name: string;
  /** The rate the enhancer works at; input at other rates is resampled to it and back. */
  readonly sampleRate: number;
  /** Audio on each side of a chunk needed for its output to match whole-file processing. */
  readonly contextSeconds: number;
  enhance(x: Float32Array): Promise<Float32Array>;
  /** Frees resources (tensors); optional. */
  dispose?(): void;
}

export interface EnhanceOptions {
  /** Length of one processed chunk (default 30 s). */
  chunkSeconds?: number;
  /** Overrides the enhancer's context on each side of a chunk. */
  contextSeconds?: number;
  /** Called with a warning (e.g. resampling); default: none. */
  onWarning?: (message: string) => void;
  /** Called after each chunk with (framesDone, framesTotal). */
  onProgress?: (done: number, total: number) => void;
}

interface FrameSource {
  sampleRate: number;
  channelCount: number;
  frames: number;
  read(start: number, count: number): Float32Array[];
}

async function runChunks(
  src: FrameSource,
  enhancer: Enhancer,
  sink: (block: Float32Array[]) => void,
  options: EnhanceOptions,
): Promise<void> {
  const rate = src.sampleRate;
  const chunk = Math.max(1, Math.round((options.chunkSeconds ?? 30) * rate));
  const context = Math.max(0, Math.round((options.contextSeconds ?? enhancer.contextSeconds) * rate));
  if (rate !== enhancer.sampleRate) {
    options.onWarning?.(`input is ${rate} Hz; resampling to ${enhancer.sampleRate} Hz for ${enhancer.name} and back`);
  }
  for (let start = 0; start < src.frames; start += chunk) {
    const count = Math.min(chunk, src.frames - start);
    const from = Math.max(0, start - context);
    const to = Math.min(src.frames, start + count + context);
    const block = src.read(from, to - from);
    const out: Float32Array[] = [];
    for (const ch of block) {
      const x = rate === enhancer.sampleRate ? ch : resample(ch, rate, enhancer.sampleRate);
      const y = await enhancer.enhance(x);
      const back = rate === enhancer.sampleRate ? y : resample(y, enhancer.sampleRate, rate);
      const full = new Float32Array(ch.length);
      full.set(back.subarray(0, Math.min(back.length, ch.length)));
      out.push(full.slice(start - from, start - from + count));
    }
    sink(out);
    options.onProgress?.(start + count, src.frames);
  }
}

/** Enhances audio held in memory; every channel separately. Output has the input's rate, channels and length. */
export async function enhanceAudio(audio: AudioData, enhancer: Enhancer, options: EnhanceOptions = {}): Promise<AudioData> {
  const frames = audio.channels[0]?.length ?? 0;
  if (frames === 0) throw new AudioError('EMPTY_AUDIO', 'enhanceAudio: the audio holds no samples.');
  const out = audio.channels.map(() => new Float32Array(frames));
  let at = 0;
  await runChunks(
    {
      sampleRate: audio.sampleRate,
      channelCount: audio.channels.length,
      frames,
      read: (s, n) => audio.channels.map((c) => c.subarray(s, s + n)),
    },
    enhancer,
    (block) => {
      block.forEach((b, c) => out[c].set(b, at));
      at += block[0].length;
    },
    options,
  );
  return { sampleRate: audio.sampleRate, channels: out };
}

export interface EnhanceFileResult {
  input: string;
  output: string;
  /** Seconds of audio. */
  duration: number;
  /** Seconds spent. */
  elapsed: number;
  /** Real-time factor: elapsed / duration. */
  rtf: number;
  sampleRate: number;
  channels: number;
}

/** `<name>_enhanced.wav` in `outDir`. */
export function enhancedName(input: string, outDir: string): string {
  return path.join(outDir, `${path.basename(input).replace(/\.wav$/i, '')}_enhanced.wav`);
}

/**
 * Enhances one WAV file into `output` (written atomically; on any error nothing is left there). 16-bit input gives a
 * 16-bit output; 8-bit stays 16-bit; 24/32-bit PCM and float give 32-bit float, unless `format` says otherwise.
 */
export async function enhanceFile(
  input: string,
  output: string,
  enhancer: Enhancer,
  options: EnhanceOptions & { format?: WavWriteFormat } = {},
): Promise<EnhanceFileResult> {
  const t0 = process.hrtime.bigint();
  const reader = openWav(input);
  let writer: WavWriter | undefined;
  try {
    const f = reader.format;
    const format = options.format ?? (f.encoding === 'pcm' && f.bitsPerSample <= 16 ? 'pcm16' : 'float32');
    writer = new WavWriter(output, f.sampleRate, f.channelCount, format);
    const w = writer;
    await runChunks(
      { sampleRate: f.sampleRate, channelCount: f.channelCount, frames: f.frames, read: (s, n) => reader.read(s, n) },
      enhancer,
      (block) => w.write(block),
      options,
    );
    writer.close();
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    const duration = f.frames / f.sampleRate;
    return { input, output, duration, elapsed, rtf: elapsed / duration, sampleRate: f.sampleRate, channels: f.channelCount };
  } catch (err) {
    writer?.abort();
    throw err;
  } finally {
    reader.close();
  }
}

/** Expands directories to the `.wav` files directly inside them (sorted); keeps files as given. */
export function expandInputs(inputs: string[]): string[] {
  const out: string[] = [];
  for (const p of inputs) {
    let isDir = false;
    try {
      isDir = fs.statSync(p).isDirectory();
    } catch {
      /* missing: reported when it is opened */
    }
    if (isDir) {
      const wavs = fs
        .readdirSync(p)
        .filter((n) => /\.wav$/i.test(n))
        .sort()
        .map((n) => path.join(p, n));
      if (wavs.length === 0) out.push(p); // reported as "is a directory" with no WAV files
      else out.push(...wavs);
    } else out.push(p);
  }
  return out;
}
