#!/usr/bin/env node
/**
 * Removes build outputs whose TypeScript source is gone (packages/<pkg>/dist/X.js, .d.ts, .map with no src/X.ts).
 * `tsc -b` never deletes them, and a stale `dist/sed/synth.js` would shadow a newer `dist/sed/synth/index.js`
 * (Node resolves a file before a folder), so `npm run build` runs this first. It only deletes inside dist/.
 */
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', 'packages');
let removed = 0;

function prune(dist, src) {
  if (!fs.existsSync(dist)) return;
  for (const entry of fs.readdirSync(dist, { withFileTypes: true })) {
    const p = path.join(dist, entry.name);
    if (entry.isDirectory()) {
      prune(p, path.join(src, entry.name));
      if (fs.readdirSync(p).length === 0) fs.rmdirSync(p);
      continue;
    }
    const m = /^(.*?)(\.d\.ts\.map|\.d\.ts|\.js\.map|\.js)$/.exec(entry.name);
    if (!m) continue;
    if (!fs.existsSync(path.join(src, `${m[1]}.ts`))) {
      fs.unlinkSync(p);
      removed++;
    }
  }
}

for (const pkg of fs.readdirSync(root)) {
  prune(path.join(root, pkg, 'dist'), path.join(root, pkg, 'src'));
}
if (removed > 0) console.log(`prune-dist: removed ${removed} stale build output(s)`);
