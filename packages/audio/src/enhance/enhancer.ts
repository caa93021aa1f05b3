/**
 * Enhancing WAV files: read -> the chunked loop of `pipeline.ts` -> write, block by block, atomically.
 */
import * as fs from 'fs';
import * as path from 'path';
import { openWav, WavWriter, type WavWriteFormat } from '../io/wav';
import { runChunks, type Enhancer, type EnhanceOptions } from './pipeline';

export { enhanceAudio } from './pipeline';
export type { Enhancer, EnhanceOptions } from './pipeline';

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
    return {
      input,
      output,
      duration,
      elapsed,
      rtf: elapsed / duration,
      sampleRate: f.sampleRate,
      channels: f.channelCount,
    };
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
      if (wavs.length === 0)
        out.push(p); // reported as "is a directory" with no WAV files
      else out.push(...wavs);
    } else out.push(p);
  }
  return out;
}
