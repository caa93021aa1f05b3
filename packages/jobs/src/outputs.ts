/**
 * Inputs and outputs of queued work are paths on storage that every worker sees (a shared mount). This module checks
 * them before anything is enqueued, and commits each output exactly once: a job writes to a temporary name of its
 * own beside the output, then hard-links it to the final name. `link` fails when the name exists, so of two attempts
 * at one item (a worker thought dead that comes back) only the first lands, and an existing file - complete, since
 * every write lands by link or rename - is never overwritten.
 */
import * as fs from 'fs';
import * as path from 'path';
import { JobsError } from './errors';

/** Marks temporary names of this module; leftovers of a killed worker carry it and are removed on the next attempt. */
const TEMP_MARK = '.gatewave-job-';

/** Resolves each input to an absolute path and checks that it is a readable file; throws INPUT_NOT_VISIBLE otherwise. */
export function checkInputs(inputs: readonly string[]): string[] {
  return inputs.map((input) => {
    const abs = path.resolve(input);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
      fs.accessSync(abs, fs.constants.R_OK);
    } catch (err) {
      throw new JobsError(
        'INPUT_NOT_VISIBLE',
        `${input}: cannot be read here (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); inputs of queued jobs ` +
          'must be paths on storage that this machine and every worker see (a shared mount). Nothing was enqueued.',
      );
    }
    if (!stat.isFile()) throw new JobsError('INPUT_NOT_VISIBLE', `${input}: is not a file. Nothing was enqueued.`);
    return abs;
  });
}

/** Creates `dir` if needed and proves it writable by writing and removing a probe; throws OUTPUT_NOT_WRITABLE. */
export function checkOutputDir(dir: string): string {
  const abs = path.resolve(dir);
  const probe = path.join(abs, `${TEMP_MARK}probe-${process.pid}-${Date.now().toString(36)}`);
  try {
    fs.mkdirSync(abs, { recursive: true });
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (err) {
    throw new JobsError(
      'OUTPUT_NOT_WRITABLE',
      `${dir}: the output folder cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); choose a folder ` +
        'on shared storage that the workers can write. Nothing was enqueued.',
    );
  }
  return abs;
}

/** True when `output` exists: every output lands whole (link or rename), so an existing one is complete. */
export function isComplete(output: string): boolean {
  return fs.existsSync(output);
}

/** A temporary name beside `output` that belongs to one attempt of one job. */
export function tempOutputName(output: string, jobId: string, attempt: number): string {
  const tag = `${jobId}-${attempt}-${process.pid}`.replace(/[^\w.-]/g, '_');
  return path.join(path.dirname(output), `.${path.basename(output)}${TEMP_MARK}${tag}`);
}

/**
 * Removes what earlier attempts at `output` left behind when their worker was killed: this module's temporary files
 * and the temporary files of writers that renamed into them (`.<temp>.tmp-...`). Only names of our own making.
 */
export function removeLeftovers(output: string): number {
  const dir = path.dirname(output);
  const mine = `.${path.basename(output)}${TEMP_MARK}`;
  let removed = 0;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (name.startsWith(mine) || name.startsWith(`.${mine}`)) {
      fs.rmSync(path.join(dir, name), { recursive: true, force: true }); // a model folder's temporary copy, too
      removed++;
    }
  }
  return removed;
}

/**
 * Moves the finished temporary file `temp` to `output` unless `output` already exists. Returns true when this call
 * landed it, false when an output was there already (then `temp` is removed and `output` is left as it was).
 */
export function commitOutput(temp: string, output: string): boolean {
  try {
    fs.linkSync(temp, output);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/** Writes `data` to `output` exactly once (temp name, then commitOutput); false when it existed already. */
export function writeOutputOnce(output: string, data: string | Uint8Array, jobId = 'direct', attempt = 0): boolean {
  fs.mkdirSync(path.dirname(path.resolve(output)), { recursive: true });
  const temp = tempOutputName(path.resolve(output), jobId, attempt);
  fs.writeFileSync(temp, data);
  return commitOutput(temp, path.resolve(output));
}
