import * as fs from 'fs';
import * as path from 'path';
import { GatewaveError } from '../errors';
import { releaseTemporary, trackTemporary } from './temporaries';

/**
 * Writing outputs without ever destroying a user's files.
 *
 * - `atomicWriteFile` writes through a temporary file and a rename, so a crash never leaves a half-written file.
 * - `atomicWriteDir` fills a temporary directory, then puts it in place. It replaces only a previous gatewave output
 *   (a directory holding nothing but the files gatewave writes). A directory holding anything else is an error,
 *   unless `overwrite` is set, and even then only gatewave's own entries in it are replaced; the rest stay.
 * - `checkOutputDir` / `checkOutputFile` make the same decisions up front, and probe that the place is writable,
 *   so that a long training run cannot fail at its very end.
 */

/** Names of the entries gatewave writes into an output directory (models, checkpoints). */
export const GATEWAVE_OUTPUT_NAMES: readonly string[] = [
  'model.json',
  'weights.bin',
  'optimizer.bin',
  'optimizer.json',
  'state.json',
  'forecast.json',
  'detector.json',
  'network',
  'model',
];

const TEMP_PATTERN = /^\..+\.tmp-\d+-[0-9a-z]+-[0-9a-z]+$/;

function tempName(target: string): string {
  const dir = path.dirname(target);
  const base = path.basename(target);
  return path.join(
    dir,
    `.${base}.tmp-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
  );
}

/** Removes a temporary file or folder of gatewave's; a failure to remove it never hides the error being reported. */
function removeQuietly(p: string): void {
  try {
    fs.rmSync(p, { recursive: true, force: true });
  } catch {
    // nothing there, or a path under a file: nothing to clean up
  }
}

/** True for the names of gatewave's own temporary files (a crashed write can leave one behind). */
export function isGatewaveTempName(name: string): boolean {
  return TEMP_PATTERN.test(name);
}

/** Turns a raw errno from a write into a GatewaveError that names the path and says what to do. */
export function writeError(target: string, err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  if (err instanceof GatewaveError || !(e && typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)))
    return err as Error;
  const reason: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EISDIR: 'it is a folder',
    ENAMETOOLONG: 'the name is too long',
    EEXIST: 'something is already there',
  };
  const why = (e && e.code && reason[e.code]) || (e && e.message) || String(err);
  return new GatewaveError(
    'WRITE_FAILED',
    `cannot write ${target}: ${why}${e?.code ? ` (${e.code})` : ''}; choose another output path.`,
  );
}

function isGatewaveJson(file: string, formats: string[]): boolean {
  try {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { format?: unknown };
    return typeof doc.format === 'string' && formats.includes(doc.format);
  } catch {
    return false;
  }
}

/** True when `dir` is a directory written by gatewave: it holds a gatewave model.json or forecast.json, or a checkpoint. */
export function isGatewaveOutput(dir: string): boolean {
  const has = (name: string): boolean => fs.existsSync(path.join(dir, name));
  if (has('model.json') && isGatewaveJson(path.join(dir, 'model.json'), ['gatewave-model'])) return true;
  if (has('forecast.json') && isGatewaveJson(path.join(dir, 'forecast.json'), ['gatewave-forecast'])) return true;
  return has('state.json') && has('model') && isGatewaveOutput(path.join(dir, 'model'));
}

/** Entries of an existing directory that gatewave did not write (and so must never remove). */
export function foreignEntries(dir: string, ownNames: Iterable<string> = []): string[] {
  const own = new Set([...GATEWAVE_OUTPUT_NAMES, ...ownNames]);
  return fs.readdirSync(dir).filter((name) => !own.has(name) && !isGatewaveTempName(name));
}

export interface OutputDirOptions {
  /** Replace gatewave's own files in a directory that also holds other files (never those other files). */
  overwrite?: boolean;
  /** Paths that are read by the same run: the output may neither be one of them nor a folder holding one. */
  inputs?: string[];
  /** The flag that named the output, for messages (default `output`). */
  flag?: string;
}

type Plan = 'create' | 'replace' | 'merge';

function sameOrInside(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function checkNotInput(target: string, inputs: string[], flag: string, dirOutput: boolean): void {
  for (const input of inputs) {
    const inp = path.resolve(input);
    if (inp === target) {
      throw new GatewaveError(
        'OUTPUT_IS_INPUT',
        `${flag} ${target} is also an input of this run; write the output somewhere else.`,
      );
    }
    if (dirOutput && sameOrInside(inp, target)) {
      throw new GatewaveError(
        'OUTPUT_IS_INPUT',
        `${flag} ${target} holds an input of this run (${input}); write the output to a new folder.`,
      );
    }
  }
}

/** Decides how an output directory will be written, or throws a GatewaveError saying why it cannot be. */
function planDir(target: string, options: OutputDirOptions): Plan {
  const flag = options.flag ?? 'output';
  checkNotInput(target, options.inputs ?? [], flag, true);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(target);
  } catch {
    return 'create';
  }
  if (!st.isDirectory()) {
    throw new GatewaveError(
      'OUTPUT_EXISTS',
      `${flag} ${target} exists and is ${st.isSymbolicLink() ? 'a link' : 'a file'}, not a model folder; gatewave never replaces it. Choose a new folder name.`,
    );
  }
  const entries = fs.readdirSync(target).filter((n) => !isGatewaveTempName(n));
  if (entries.length === 0) return 'replace';
  const ours = isGatewaveOutput(target);
  const foreign = foreignEntries(target);
  if (ours && foreign.length === 0) return 'replace';
  if (options.overwrite) return 'merge';
  const listed = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? `, ... (${foreign.length} in all)` : '');
  throw new GatewaveError(
    'OUTPUT_EXISTS',
    ours
      ? `${flag} ${target} holds a gatewave model and other files (${listed}); pass --overwrite to replace only gatewave's files there, or choose a new folder.`
      : `${flag} ${target} exists and is not a gatewave model folder (it holds ${listed}); choose a new folder, or pass --overwrite to add gatewave's files there (nothing else is touched).`,
  );
}

/** The nearest existing folder at or above `p`, or an error when a part of the path is a file. */
function existingAncestor(p: string, flag: string): string {
  let dir = p;
  for (;;) {
    if (fs.existsSync(dir)) {
      if (!fs.statSync(dir).isDirectory()) {
        throw new GatewaveError(
          'OUTPUT_NOT_WRITABLE',
          `${flag} ${p}: ${dir} is a file, not a folder; choose another output path.`,
        );
      }
      return dir;
    }
    const up = path.dirname(dir);
    if (up === dir) return dir;
    dir = up;
  }
}

/** Creates and removes a probe file in `dir` (permission bits alone do not tell: root, read-only mounts, quotas). */
function probeWritable(dir: string, target: string, flag: string): void {
  const probe = tempName(path.join(dir, 'gatewave-write-check'));
  try {
    fs.writeFileSync(probe, '');
  } catch (err) {
    const e = writeError(dir, err);
    throw new GatewaveError('OUTPUT_NOT_WRITABLE', `${flag} ${target}: ${e.message}`);
  } finally {
    removeQuietly(probe);
  }
}

/**
 * Checks, before any work starts, that `atomicWriteDir(dir)` will be able to write there: the path is not an input,
 * not a file, not a folder of other files (unless `overwrite`), and its folder is writable. Throws a GatewaveError.
 */
export function checkOutputDir(dir: string, options: OutputDirOptions = {}): void {
  const target = path.resolve(dir);
  const flag = options.flag ?? 'output';
  const plan = planDir(target, options);
  probeWritable(existingAncestor(path.dirname(target), flag), target, flag);
  if (plan === 'merge') probeWritable(target, target, flag);
}

/**
 * Checks, before any work starts, that a file can be written at `file`: it is not one of `inputs`, not a folder,
 * and its folder is writable. An existing file there is replaced (outputs such as forecasts are meant to be rewritten).
 */
export function checkOutputFile(file: string, options: { inputs?: string[]; flag?: string } = {}): void {
  const target = path.resolve(file);
  const flag = options.flag ?? 'output';
  checkNotInput(target, options.inputs ?? [], flag, false);
  if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
    throw new GatewaveError('OUTPUT_EXISTS', `${flag} ${target} is a folder; give a file name.`);
  }
  probeWritable(existingAncestor(path.dirname(target), flag), target, flag);
}

/**
 * Writes `data` to `file` through a temporary file in the same directory and a rename, so a crash never leaves a
 * half-written file behind. Creates the parent directory. A failure is a GatewaveError (`WRITE_FAILED`).
 */
export function atomicWriteFile(file: string, data: string | Uint8Array): void {
  const target = path.resolve(file);
  const tmp = tempName(target);
  try {
    if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
      throw new GatewaveError('OUTPUT_EXISTS', `cannot write ${target}: it is a folder; give a file name.`);
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, target);
  } catch (err) {
    removeQuietly(tmp);
    throw writeError(target, err);
  }
}

/** Puts `src` at `dest`, moving a previous `dest` aside first and removing it only once the new one is in place. */
function swapIn(src: string, dest: string): void {
  if (!fs.existsSync(dest)) {
    fs.renameSync(src, dest);
    return;
  }
  const old = tempName(dest);
  fs.renameSync(dest, old);
  try {
    fs.renameSync(src, dest);
  } catch (err) {
    fs.renameSync(old, dest);
    throw err;
  }
  fs.rmSync(old, { recursive: true, force: true });
}

/**
 * Fills a fresh temporary directory through `fill(tmpDir)`, then puts it at `dir`:
 * - nothing there, or an empty folder, or a previous gatewave output (only gatewave's own files): one rename, the old
 *   one removed after the new one is in place;
 * - a folder with other files: an error (`OUTPUT_EXISTS`), or with `overwrite` each entry that was written replaces
 *   the entry of the same name, and the other files stay;
 * - a file: always an error.
 * On failure nothing at `dir` changes and the temporary directory is removed.
 */
export async function atomicWriteDir(
  dir: string,
  fill: (tmpDir: string) => Promise<void> | void,
  options: OutputDirOptions = {},
): Promise<void> {
  const target = path.resolve(dir);
  const plan = planDir(target, options);
  let tmp = '';
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    tmp = tempName(target);
    fs.mkdirSync(tmp);
    trackTemporary(tmp);
    await fill(tmp);
    if (plan === 'merge') {
      for (const name of fs.readdirSync(tmp)) swapIn(path.join(tmp, name), path.join(target, name));
      fs.rmdirSync(tmp);
    } else {
      if (plan === 'replace' && fs.readdirSync(target).every(isGatewaveTempName))
        fs.rmSync(target, { recursive: true });
      swapIn(tmp, target);
    }
  } catch (err) {
    if (tmp) removeQuietly(tmp);
    throw writeError(target, err);
  } finally {
    if (tmp) releaseTemporary(tmp);
  }
}
