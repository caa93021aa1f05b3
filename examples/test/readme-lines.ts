/**
 * Shell lines of the READMEs' code blocks, as a user would paste them: continuation lines joined, comments dropped,
 * `NAME=value` variables of the block substituted, `a && b` split into commands, and `[--flag VALUE]` optional
 * parts unbracketed. Used by readme.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface ShellCommand {
  /** README path relative to the repository root, and the line the command starts on. */
  readme: string;
  line: number;
  /** The command as written (after joining and substitution). */
  text: string;
  /** Its words, with environment assignments in front removed. */
  words: string[];
}

const SHELL_LANGS = new Set(['', 'sh', 'bash', 'shell', 'console']);

/** README.md files under `root`, skipping dependencies, builds and hidden folders. */
export function findReadmes(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === 'node_modules' || e.name === 'dist') continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'README.md') out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

/** Drops a comment: from a `#` at the start of a word, outside quotes. */
function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

/** Splits a command into words (quotes removed; no globbing or escapes beyond what READMEs use). */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3]);
  return words;
}

/** The shell commands of one README's text. */
export function shellCommands(readme: string, text: string): ShellCommand[] {
  const out: ShellCommand[] = [];
  const lines = text.split('\n');
  let inBlock = false;
  let shell = false;
  let vars = new Map<string, string>();
  for (let i = 0; i < lines.length; i++) {
    const fence = /^\s*```(\S*)/.exec(lines[i]);
    if (fence) {
      inBlock = !inBlock;
      shell = inBlock && SHELL_LANGS.has(fence[1]);
      vars = new Map();
      continue;
    }
    if (!shell) continue;
    const start = i;
    let joined = stripComment(lines[i]);
    while (/\\\s*$/.test(joined) && i + 1 < lines.length)
      joined = joined.replace(/\\\s*$/, ' ') + stripComment(lines[++i]);
    const substituted = joined
      .replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (all, name: string) => vars.get(name) ?? all)
      .trim();
    for (const part of substituted.split(/\s*&&\s*/)) {
      const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"]*)"|'([^']*)'|(\S*))$/.exec(part);
      if (assignment) {
        vars.set(assignment[1], assignment[2] ?? assignment[3] ?? assignment[4]);
        continue;
      }
      const words = splitWords(part.replace(/[[\]]/g, ' '));
      while (words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) words.shift();
      if (words.length) out.push({ readme, line: start + 1, text: part, words });
    }
  }
  return out;
}
