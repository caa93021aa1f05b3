// `--help` / `-h` for every benchmark script: prints the script's leading comment (its usage) and exits 0, before the
// script loads any package or starts any work.
'use strict';
const fs = require('fs');

/** The comment block at the top of a script (after its `#!` line), without the comment markers. */
function leadingComment(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const out = [];
  for (const line of lines.slice(lines[0].startsWith('#!') ? 1 : 0)) {
    const t = line.trim();
    if (!/^(\/\/|\/\*\*?|\*)/.test(t)) break;
    out.push(t.replace(/^(\/\/ ?|\/\*\*? ?|\*\/|\* ?)/, '').replace(/\*\/$/, ''));
    if (t.endsWith('*/')) break;
  }
  return out.join('\n').trim();
}

/** Prints `file`'s usage and exits when the command line asks for help. */
function exitWithUsageIfAsked(file) {
  if (!process.argv.slice(2).some((a) => a === '--help' || a === '-h')) return;
  process.stdout.write(`${leadingComment(file)}\n`);
  process.exit(0);
}

module.exports = { exitWithUsageIfAsked, leadingComment };
