/** Enhancing many files at once (what `gatewave-audio enhance` does): one result or one error per file. */
import * as fs from 'fs';
import { AudioError } from '../errors';
import { WavWriteFormat } from '../io/wav';
import { Enhancer, EnhanceFileResult, enhanceFile, enhancedName, expandInputs } from './enhancer';

export interface EnhanceFilesOptions {
  /** Process long files in chunks of this many seconds (bounded memory). */
  chunkSeconds?: number;
  /** Output sample format (default: pcm16 for input of 16 bits or fewer, else float32). */
  format?: WavWriteFormat;
  onWarning?: (file: string, message: string) => void;
  onProgress?: (file: string, done: number, total: number) => void;
  /** Called after each file with its outcome, before the next file starts. */
  onFile?: (outcome: EnhanceFileOutcome) => void;
}

/** What happened to one input: its result, or the error that stopped it (the other files go on). */
export type EnhanceFileOutcome = { input: string; result: EnhanceFileResult; error?: undefined } | { input: string; result?: undefined; error: Error };

/**
 * Enhances every WAV file of `inputs` (files, or directories whose .wav files are all taken) into
 * `outDir/<name>_enhanced.wav`. A file that fails does not stop the others; its error is in its outcome.
 */
export async function enhanceFiles(inputs: string[], outDir: string, enhancer: Enhancer, options: EnhanceFilesOptions = {}): Promise<EnhanceFileOutcome[]> {
  const outcomes: EnhanceFileOutcome[] = [];
  for (const input of expandInputs(inputs)) {
    let outcome: EnhanceFileOutcome;
    try {
      if (fs.existsSync(input) && fs.statSync(input).isDirectory()) {
        throw new AudioError('NOT_WAV', `${input}: directory holds no .wav files.`);
      }
      const result = await enhanceFile(input, enhancedName(input, outDir), enhancer, {
        chunkSeconds: options.chunkSeconds,
        format: options.format,
        onWarning: (m) => options.onWarning?.(input, m),
        onProgress: (done, total) => options.onProgress?.(input, done, total),
      });
      outcome = { input, result };
    } catch (err) {
      outcome = { input, error: err as Error };
    }
    outcomes.push(outcome);
    options.onFile?.(outcome);
  }
  return outcomes;
}
