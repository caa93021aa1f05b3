/** Enhancing many files at once (what `gatewave-audio enhance` does): one result or one error per file. */
import * as fs from 'fs';
import * as path from 'path';
import { checkOutputFile } from '@gatewave/core';
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
  /** Notes about the batch: inputs skipped (outputs of an earlier run), outputs renamed so that they stay distinct. */
  onNote?: (message: string) => void;
}

/**
 * The output file of each input: `outDir/<name>_enhanced.wav`, with `_2`, `_3`, ... added when inputs from different
 * folders share a name (so that none overwrites another). Inputs that are themselves outputs of an earlier run (a
 * `*_enhanced.wav` inside `outDir`) are left out, so that a second run never makes `x_enhanced_enhanced.wav`.
 */
export function planOutputs(
  inputs: string[],
  outDir: string,
): { jobs: { input: string; output: string }[]; notes: string[] } {
  const notes: string[] = [];
  const out = path.resolve(outDir);
  const taken = new Set<string>();
  const jobs: { input: string; output: string }[] = [];
  const skipped: string[] = [];
  const earlierOutput = (input: string): boolean =>
    path.dirname(path.resolve(input)) === out && /_enhanced\.wav$/i.test(input);
  // An earlier output is replaced by this run's; any other input must never be.
  const resolvedInputs = new Set(inputs.filter((i) => !earlierOutput(i)).map((i) => path.resolve(i)));
  for (const input of inputs) {
    if (earlierOutput(input)) {
      skipped.push(input);
      continue;
    }
    const first = enhancedName(input, outDir);
    let output = first;
    for (let n = 2; taken.has(path.resolve(output).toLowerCase()); n++)
      output = first.replace(/_enhanced\.wav$/, `_${n}_enhanced.wav`);
    taken.add(path.resolve(output).toLowerCase());
    if (output !== first) notes.push(`${input} has the same name as an earlier input; it is written to ${output}`);
    if (resolvedInputs.has(path.resolve(output))) {
      throw new AudioError(
        'OUTPUT_IS_INPUT',
        `${output} would be written over the input of the same name; choose another -o folder.`,
      );
    }
    jobs.push({ input, output });
  }
  if (skipped.length) {
    notes.push(
      `skipped ${skipped.length} file(s) in the output folder that are outputs of an earlier run (${skipped
        .slice(0, 3)
        .map((f) => path.basename(f))
        .join(', ')}${skipped.length > 3 ? ', ...' : ''})`,
    );
  }
  return { jobs, notes };
}

/** What happened to one input: its result, or the error that stopped it (the other files go on). */
export type EnhanceFileOutcome =
  { input: string; result: EnhanceFileResult; error?: undefined } | { input: string; result?: undefined; error: Error };

/**
 * Enhances every WAV file of `inputs` (files, or directories whose .wav files are all taken) into
 * `outDir/<name>_enhanced.wav`. A file that fails does not stop the others; its error is in its outcome.
 */
export async function enhanceFiles(
  inputs: string[],
  outDir: string,
  enhancer: Enhancer,
  options: EnhanceFilesOptions = {},
): Promise<EnhanceFileOutcome[]> {
  const outcomes: EnhanceFileOutcome[] = [];
  const all = expandInputs(inputs);
  const { jobs, notes } = planOutputs(all, outDir);
  for (const note of notes) options.onNote?.(note);
  // Before any work: the output folder must be writable (the first output stands for all of them).
  if (jobs.length) checkOutputFile(jobs[0].output, { inputs: jobs.map((j) => j.input), flag: '-o' });
  for (const { input, output } of jobs) {
    let outcome: EnhanceFileOutcome;
    try {
      if (fs.existsSync(input) && fs.statSync(input).isDirectory()) {
        throw new AudioError('NOT_WAV', `${input}: directory holds no .wav files.`);
      }
      const result = await enhanceFile(input, output, enhancer, {
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
