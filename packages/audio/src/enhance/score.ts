/**
 * Scoring a folder of estimates against a folder of clean references: per-file SI-SDR, STOI and ESTOI, and their
 * means. An estimate pairs with the reference of the same name, or with `<name>.wav` when it is called
 * `<name>_enhanced.wav` (what `enhance` writes).
 */
import * as fs from 'fs';
import * as path from 'path';
import { AudioError } from '../errors';
import { scoreFiles } from '../metrics/score-files';

export interface FileScore {
  file: string;
  siSdr: number;
  stoi: number;
  estoi: number;
  seconds: number;
}

export interface FolderScores {
  files: FileScore[];
  mean: { siSdr: number; stoi: number; estoi: number };
}

/** Names of the `.wav` files directly in `dir`, sorted; an error naming `what` when the folder is missing. */
export function wavsIn(dir: string, what: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new AudioError('FILE_NOT_FOUND', `${dir}: no such ${what} folder.`);
  return fs
    .readdirSync(dir)
    .filter((n) => /\.wav$/i.test(n))
    .sort();
}

/** Scores every reference in `cleanDir` that has an estimate in `estDir`; unpaired files are an error that lists them. */
export function scoreFolders(cleanDir: string, estDir: string): FolderScores {
  const clean = wavsIn(cleanDir, 'clean reference');
  const ests = wavsIn(estDir, 'estimate');
  const refOf = (e: string): string => (clean.includes(e) ? e : e.replace(/_enhanced(\.wav)$/i, '$1'));
  const paired = new Map<string, string>();
  const strayEst: string[] = [];
  for (const e of ests) {
    const r = refOf(e);
    if (clean.includes(r) && !paired.has(r)) paired.set(r, e);
    else strayEst.push(e);
  }
  const strayClean = clean.filter((c) => !paired.has(c));
  if (strayClean.length + strayEst.length > 0 || paired.size === 0) {
    const show = (xs: string[]): string =>
      `${xs.slice(0, 10).join(', ')}${xs.length > 10 ? ` and ${xs.length - 10} more` : ''}`;
    const parts: string[] = [];
    if (strayClean.length)
      parts.push(`no estimate for ${strayClean.length} reference(s) in ${cleanDir} (${show(strayClean)})`);
    if (strayEst.length) parts.push(`no reference for ${strayEst.length} estimate(s) in ${estDir} (${show(strayEst)})`);
    if (paired.size === 0 && parts.length === 0) parts.push(`no WAV files in ${cleanDir}`);
    throw new AudioError(
      'BAD_ARGUMENT',
      `score: the folders do not pair up by name (an estimate is NAME.wav or NAME_enhanced.wav): ${parts.join('; ')}.`,
    );
  }
  const files: FileScore[] = [...paired].map(([c, e]) => {
    const r = scoreFiles(path.join(cleanDir, c), path.join(estDir, e));
    return { file: c, siSdr: r.siSdr, stoi: r.stoi, estoi: r.estoi, seconds: r.seconds };
  });
  const mean = (k: 'siSdr' | 'stoi' | 'estoi'): number => files.reduce((s, f) => s + f[k], 0) / files.length;
  return { files, mean: { siSdr: mean('siSdr'), stoi: mean('stoi'), estoi: mean('estoi') } };
}
