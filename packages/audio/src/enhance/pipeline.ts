/**
 * The chunked enhancement loop shared by every enhancer (the `wiener` baseline and FRCRN models) and every source
 * (a file in Node, audio in memory in Node or a browser): per channel, resample to the enhancer's rate -> enhance ->
 * resample back, in chunks of `chunkSeconds` with `contextSeconds` of extra audio on each side that is processed and
 * then dropped, so a long file needs memory for one chunk only and the joins are seamless. No file system here.
 */
import { AudioError } from '../errors';
import type { AudioData } from '../io/wav-bytes';
import { resample } from '../io/resample';
import { ChannelPower, type InputLevel } from './input-level';

/** Anything that turns noisy mono speech at `sampleRate` into enhanced speech of the same length. */
export interface Enhancer {
  /** 'wiener' or the model's name. */
  readonly name: string;
  /** The rate the enhancer works at; input at other rates is resampled to it and back. */
  readonly sampleRate: number;
  /** Audio on each side of a chunk needed for its output to match whole-file processing. */
  readonly contextSeconds: number;
  /**
   * The level (dBFS RMS) an FRCRN model feeds its network at, when it has one: the pipeline then measures each
   * channel's RMS before enhancing it and passes it with every chunk.
   */
  readonly inputLevelDb?: number | null;
  /** `level`: the whole channel's, when `x` is a chunk of it; an enhancer with an input level uses x's own without it. */
  enhance(x: Float32Array, level?: InputLevel): Promise<Float32Array>;
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

export interface FrameSource {
  sampleRate: number;
  channelCount: number;
  frames: number;
  read(start: number, count: number): Float32Array[];
}

/** Each channel's RMS over the whole source, read chunk by chunk (for an enhancer with an input level). */
function measureLevels(src: FrameSource, chunk: number): InputLevel[] {
  const power = new ChannelPower(src.channelCount);
  for (let start = 0; start < src.frames; start += chunk)
    power.add(src.read(start, Math.min(chunk, src.frames - start)));
  return power.levels();
}

export async function runChunks(
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
  const levels = enhancer.inputLevelDb != null ? measureLevels(src, chunk) : undefined;
  for (let start = 0; start < src.frames; start += chunk) {
    const count = Math.min(chunk, src.frames - start);
    const from = Math.max(0, start - context);
    const to = Math.min(src.frames, start + count + context);
    const block = src.read(from, to - from);
    const out: Float32Array[] = [];
    for (const [c, ch] of block.entries()) {
      const x = rate === enhancer.sampleRate ? ch : resample(ch, rate, enhancer.sampleRate);
      const y = await enhancer.enhance(x, levels?.[c]);
      const back = rate === enhancer.sampleRate ? y : resample(y, enhancer.sampleRate, rate);
      const full = new Float32Array(ch.length);
      full.set(back.subarray(0, Math.min(back.length, ch.length)));
      out.push(full.slice(start - from, start - from + count));
    }
    sink(out);
    options.onProgress?.(start + count, src.frames);
    // Let signal handlers run between chunks (Ctrl-C must not wait for the end of a long file). setTimeout, not
    // setImmediate: this module is also in the browser build, which has no setImmediate.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** Enhances audio held in memory; every channel separately. Output has the input's rate, channels and length. */
export async function enhanceAudio(
  audio: AudioData,
  enhancer: Enhancer,
  options: EnhanceOptions = {},
): Promise<AudioData> {
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
