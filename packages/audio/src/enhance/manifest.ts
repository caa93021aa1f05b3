/** Reading the corpus manifest that `npm run data:enhance` writes (tools/corpus/enhance.js). */
import * as fs from 'fs';
import * as path from 'path';
import { AudioError } from '../errors';

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
  const lines = fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
  const parse = (line: string): string[] => {
    const out: string[] = [];
    let cur = '';
    let q = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (q) {
        if (ch === '"' && line[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (ch === '"') q = false;
        else cur += ch;
      } else if (ch === '"') q = true;
      else if (ch === ',') {
        out.push(cur);
        cur = '';
      } else cur += ch;
    }
    out.push(cur);
    return out;
  };
  const head = parse(lines[0] ?? '');
  for (const col of ['file', 'role', 'split']) {
    if (!head.includes(col))
      throw new AudioError('BAD_ARGUMENT', `${file}: the header has no "${col}" column; is this a corpus manifest?`);
  }
  const dir = path.dirname(path.resolve(file));
  return lines.slice(1).map((l) => {
    const v = parse(l);
    const r = Object.fromEntries(head.map((h, i) => [h, v[i] ?? ''])) as Record<string, string>;
    return { ...r, file: path.resolve(dir, r.file), seconds: Number(r.seconds) } as unknown as ManifestRow;
  });
}
