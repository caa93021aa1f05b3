#!/usr/bin/env node
// A test set for one model from an event corpus (npm run data:events): the clips of some source packages, taken from
// one split, laid out as a corpus test split (OUT/test/ with its labels.csv; OUT/ambience/test/ and
// OUT/interferers/test/ with the corpus's test ambience and interferers), so that `node bench/sed.js --corpus OUT` scores a detector on them.
//
// What it is for: recordings that joined the corpus's training split after a detector was trained are recordings
// that detector never heard. For that detector (and only for it: a model trained on today's corpus has heard them)
// they are a second test set beside the test split. The tool also reports, for each clip taken, the most similar clip
// of its class left in the corpus (tools/corpus/similar.js), so a repeat of a recording the model trained on shows.
//
//   node tools/corpus/subset.js --corpus DIR --split train --packages a,b,c --out DIR
'use strict';
const fs = require('fs');
const path = require('path');
const { fingerprint, similarity } = require('./similar');

const USAGE =
  'usage: node tools/corpus/subset.js --corpus DIR --split train|validation|test --packages PKG[,PKG...] --out DIR';

/** Splits a CSV line with no quoted fields (the corpus's manifests and labels are written that way). */
function cells(line) {
  return line.split(',');
}

/** The manifest's event clips (ambience and interferers left out): file, label, split and package. */
function readClips(corpus) {
  const manifest = path.join(corpus, 'manifest.csv');
  if (!fs.existsSync(manifest))
    throw new Error(`${manifest} not found: build the corpus with npm run data:events -- --out ${corpus}`);
  const [head, ...rows] = fs.readFileSync(manifest, 'utf8').trim().split('\n');
  const col = Object.fromEntries(cells(head).map((name, i) => [name, i]));
  for (const name of ['file', 'label', 'split', 'package'])
    if (col[name] === undefined) throw new Error(`${manifest}: no "${name}" column in its header`);
  return rows
    .map((r) => cells(r))
    .filter((r) => !['ambience', 'interferer'].includes(r[col.label]))
    .map((r) => ({ file: r[col.file], label: r[col.label], split: r[col.split], pkg: r[col.package] }));
}

/**
 * Copies the clips of `packages` in `split` of `corpus` to `out`/test with their rows of the split's labels.csv, and
 * the corpus's test ambience and interferers to `out`/ambience/test and `out`/interferers/test. `out` must not exist. `readWav` reads a clip (for the similarity
 * report). Returns the clips taken, with the most similar other clip of their class in the corpus.
 */
function subsetCorpus({ corpus, split, packages, out, readWav }) {
  if (fs.existsSync(out)) throw new Error(`--out ${out} exists; choose a new folder (nothing is overwritten)`);
  const clips = readClips(corpus);
  const wanted = new Set(packages);
  const taken = clips.filter((c) => c.split === split && wanted.has(c.pkg));
  const missing = packages.filter((p) => !taken.some((c) => c.pkg === p));
  if (missing.length)
    throw new Error(`no ${split} clips of ${missing.join(', ')} in ${corpus}/manifest.csv; check the package names`);
  const labels = fs
    .readFileSync(path.join(corpus, split, 'labels.csv'), 'utf8')
    .trim()
    .split('\n');
  const rowOf = new Map(labels.slice(1).map((l) => [cells(l)[0], l]));
  const others = clips.filter((c) => !taken.includes(c));
  const prints = new Map();
  const print = (c) => {
    if (!prints.has(c.file)) {
      const w = readWav(path.join(corpus, c.file));
      prints.set(c.file, fingerprint(w.channels[0], w.sampleRate));
    }
    return prints.get(c.file);
  };
  const report = taken.map((c) => {
    let nearest = { similarity: -1, file: null };
    for (const o of others.filter((x) => x.label === c.label)) {
      const s = similarity(print(c), print(o));
      if (s > nearest.similarity) nearest = { similarity: s, file: o.file };
    }
    return { ...c, nearest };
  });
  const tmp = `${out}.tmp-${process.pid}`;
  fs.mkdirSync(path.join(tmp, 'test'), { recursive: true });
  const rows = [labels[0]];
  for (const c of taken) {
    const name = path.basename(c.file);
    if (!rowOf.has(name)) throw new Error(`${corpus}/${split}/labels.csv has no row for ${name}`);
    fs.copyFileSync(path.join(corpus, c.file), path.join(tmp, 'test', name));
    rows.push(rowOf.get(name));
  }
  fs.writeFileSync(path.join(tmp, 'test', 'labels.csv'), `${rows.join('\n')}\n`);
  for (const kind of ['ambience', 'interferers']) {
    const from = path.join(corpus, kind, 'test');
    if (fs.existsSync(from)) fs.cpSync(from, path.join(tmp, kind, 'test'), { recursive: true });
  }
  fs.renameSync(tmp, out);
  return report;
}

function parseArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!['corpus', 'split', 'packages', 'out'].includes(key) || argv[i + 1] === undefined)
      throw new Error(`${argv[i]}: ${USAGE}`);
    o[key] = argv[i + 1];
  }
  for (const key of ['corpus', 'split', 'packages', 'out']) if (!o[key]) throw new Error(`--${key} missing: ${USAGE}`);
  return { ...o, packages: o.packages.split(',').filter(Boolean) };
}

function main() {
  if (process.argv.includes('--help') || process.argv.includes('-h')) return console.log(USAGE);
  const o = parseArgs(process.argv.slice(2));
  const { readWav } = require('@gatewave/audio');
  const report = subsetCorpus({ ...o, readWav });
  const byClass = {};
  for (const c of report) byClass[c.label] = (byClass[c.label] ?? 0) + 1;
  console.log(`${report.length} clips of ${o.packages.length} packages -> ${o.out}/test`);
  console.log(
    `per class: ${Object.entries(byClass)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
  );
  console.log('most similar clip of the same class left in the corpus (1: the same recording):');
  for (const c of [...report].sort((a, b) => b.nearest.similarity - a.nearest.similarity))
    console.log(`  ${c.nearest.similarity.toFixed(3)}  ${c.file}  ~  ${c.nearest.file}`);
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    console.error(`subset: ${err.message}`);
    process.exit(2);
  }
}

module.exports = { subsetCorpus };
