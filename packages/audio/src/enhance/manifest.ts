/** Reading the corpus manifest that `npm run data:enhance` writes (tools/corpus/enhance.js). */
import * as fs from 'fs';
import * as path from 'path';
import { AudioError } from '../errors';
import { parseCsv } from '../sed/event-list';

/** One row of a corpus manifest (see tools/corpus/enhance.js). */
export interface ManifestRow {
  file: string;
  role: string;
  split: string;
  package: string;
  licence: string;
  group: string;
  language: string;
  seconds: number;
}

/** Reads `manifest.csv` (RFC 4180 quoting); file paths are resolved against the manifest's folder. */
export function readManifest(file: string): ManifestRow[] {
  if (!fs.existsSync(file))
    throw new AudioError(
      'FILE_NOT_FOUND',
      `${file}: no such corpus manifest; build one with npm run data:enhance -- --out DIR.`,
    );
  const rows = parseCsv(fs.readFileSync(file, 'utf8'));
  const head = rows[0] ?? [];
  for (const col of ['file', 'role', 'split']) {
    if (!head.includes(col))
      throw new AudioError('BAD_ARGUMENT', `${file}: the header has no "${col}" column; is this a corpus manifest?`);
  }
  const dir = path.dirname(path.resolve(file));
  return rows.slice(1).map((v) => {
    const r = Object.fromEntries(head.map((h, i) => [h, v[i] ?? ''])) as Record<string, string>;
    return { ...r, file: path.resolve(dir, r.file), seconds: Number(r.seconds) } as unknown as ManifestRow;
  });
}
