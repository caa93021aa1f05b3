/**
 * The files the app server may serve, as a fixed table from URL path to file, built once at start: the app's own
 * files and the model files (only the files directly inside each folder). Any other path, including every
 * path-traversal form (`/../`, `%2e%2e/`, `..%2f`, backslashes, double encoding), matches nothing and gets 404.
 */
import * as fs from 'fs';
import * as path from 'path';
import { WebError } from './errors';

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.map': 'application/json; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

/** URL path -> absolute file. */
export type RouteTable = Map<string, string>;

/** Adds every plain file directly inside `dir` under `prefix` (e.g. `/models/enhancer/`). */
export function addFolder(table: RouteTable, prefix: string, dir: string, what: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    throw new WebError('NOT_FOUND', `${what} ${dir} does not exist or cannot be read; pass an existing folder.`);
  }
  for (const name of names) {
    const file = path.join(dir, name);
    if (!fs.statSync(file).isFile() || !(path.extname(name) in CONTENT_TYPES)) continue;
    table.set(`${prefix}${name}`, file);
  }
}

/**
 * The file for a request path, or null. The path is compared as sent and once percent-decoded; neither form may
 * contain `..`, a backslash or a NUL, whatever the table holds.
 */
export function lookup(table: RouteTable, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  for (const p of [urlPath, decoded]) {
    if (p.includes('..') || p.includes('\\') || p.includes('\0')) return null;
  }
  return table.get(urlPath === '/' ? '/index.html' : urlPath) ?? null;
}
