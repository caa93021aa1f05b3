/** Detecting events in many files at once (what `gatewave-audio detect` does), and the packaged detector. */
import * as fs from 'fs';
import * as path from 'path';
import { AudioError } from '../errors';
import { readWav } from '../io/wav';
import { formatCsv, SoundEvent } from './events';
import { DetectOptions, SoundEventDetector } from './detector';
import { FrameRow } from './frame-events';

/**
 * The pretrained FOA detector shipped with the package: `detector-foa-corpus`, trained on the event corpus's
 * recordings (17 classes, several recordings each). `detector-foa` (24 classes, most learnt from one clip) stays in
 * `models/` for comparison.
 */
export const DEFAULT_DETECTOR_DIR = path.resolve(__dirname, '../../models/detector-foa-corpus');

/** Loads a detector from `dir`, or the packaged FOA model. */
export async function loadDetector(dir?: string): Promise<SoundEventDetector> {
  const target = dir ?? DEFAULT_DETECTOR_DIR;
  if (!dir && !fs.existsSync(path.join(target, 'model.json'))) {
    throw new AudioError(
      'MODEL_NOT_FOUND',
      `no pretrained detector is installed at ${target}; train one with train-detector and load it from its directory.`,
    );
  }
  return SoundEventDetector.load(target);
}

/** Throws FILE_NOT_FOUND for the first of `files` that does not exist. */
export function requireFiles(files: readonly string[]): void {
  for (const f of files) {
    if (!fs.existsSync(f)) throw new AudioError('FILE_NOT_FOUND', `${f} does not exist.`);
  }
}

/** The events and per-frame rows of one file, with its length and the time detection took. */
export interface DetectFileResult {
  file: string;
  events: SoundEvent[];
  frames: FrameRow[];
  /** Audio length in seconds. */
  duration: number;
  /** Wall-clock seconds of detection (reading excluded). */
  seconds: number;
  /** Real-time factor: seconds / duration. */
  rtf: number;
}

export interface DetectFilesOptions extends DetectOptions {
  /** Notes about the input (for example resampling). */
  onNotice?: (message: string) => void;
  /** Called after each file. */
  onFile?: (result: DetectFileResult) => void;
  /**
   * When given, a file that cannot be read or detected is reported here and left out, and the other files go on;
   * without it the first such file throws.
   */
  onError?: (file: string, error: Error) => void;
}

/**
 * The name each file's events get in the `file` column: its base name, or the path as given when two inputs share a
 * base name (so that their rows stay apart).
 */
export function eventFileNames(files: readonly string[]): string[] {
  const count = new Map<string, number>();
  for (const f of files) count.set(path.basename(f), (count.get(path.basename(f)) ?? 0) + 1);
  return files.map((f) => ((count.get(path.basename(f)) ?? 0) > 1 ? f : path.basename(f)));
}

/**
 * Detects events in each WAV file of `files` (checked to exist before any work unless `onError` is given), naming
 * events by the file's base name (by the path as given where base names repeat); returns every file's events and
 * frames in input order.
 */
export function detectFiles(
  files: readonly string[],
  detector: SoundEventDetector,
  options: DetectFilesOptions = {},
): DetectFileResult[] {
  const { onNotice, onFile, onError, ...detect } = options;
  if (!onError) requireFiles(files);
  const names = eventFileNames(files);
  const results: DetectFileResult[] = [];
  files.forEach((file, i) => {
    try {
      if (!fs.existsSync(file)) throw new AudioError('FILE_NOT_FOUND', `${file} does not exist.`);
      const audio = readWav(file);
      const t0 = process.hrtime.bigint();
      const r = detector.detect(audio, names[i], detect, onNotice);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const duration = audio.channels[0].length / audio.sampleRate;
      const result = { file, events: r.events, frames: r.frames, duration, seconds, rtf: seconds / duration };
      onFile?.(result);
      results.push(result);
    } catch (err) {
      if (!onError) throw err;
      onError(file, err as Error);
    }
  });
  return results;
}

/** The per-frame table as CSV: file,frame,onset,offset,class,probability,azimuth,elevation. */
export function formatFrameTable(rows: readonly FrameRow[]): string {
  const out: (string | number)[][] = [
    ['file', 'frame', 'onset', 'offset', 'class', 'probability', 'azimuth', 'elevation'],
  ];
  for (const r of rows) {
    out.push([r.file, r.frame, r.onset, r.offset, r.class, r.probability, r.azimuth ?? '', r.elevation ?? '']);
  }
  return formatCsv(out);
}
