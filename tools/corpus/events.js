#!/usr/bin/env node
// npm run data:events -- --out DIR : builds the sound-event corpus (mono clips, one class each, split by recording)
// from Debian packages (downloaded and unpacked in a cache, never installed) and ../shared/data/events.
'use strict';
const fs = require('fs');
const path = require('path');
const deb = require('./debian');
const { readPcm16, pcm16Header } = require('./wavstats');
const { RULES, AMBIENCE, INTERFERERS, RESERVED, SHARED_CLASSES } = require('./events-sources');
const { unpackSoundCatalogue } = require('./sound-catalogue');
const { fingerprint, repeatsToLeaveOut } = require('./similar');

/** Similarity (tools/corpus/similar.js) at which two clips of one class in different splits count as one recording. */
const SAME_RECORDING = 0.95;

/** The folders of the recordings that are not events, by label. */
const FOLDERS = { ambience: 'ambience', interferer: 'interferers' };
const isEvent = (it) => !(it.label in FOLDERS);

const HELP = `Usage: npm run data:events -- --out DIR [options]

Builds a sound-event corpus for training and testing gatewave's detectors: mono clips of one class each from Debian
packages (0 A.D., Tux Paint stamps, UFO:AI, Red Eclipse, Widelands, SuperTux, Minetest, OpenTTD's OpenSFX, Sonic Pi,
Scorched 3D, FLARE, Seven Kingdoms, Wesnoth, Simutrans, desktop sound themes, ...; apt-get download + dpkg-deb -x
into a cache, nothing installed system-wide except Debian's ffmpeg when it is missing) and the clips of
../shared/data/events, decoded to mono PCM16 WAV, trimmed to their active part (20 ms frames within --floor-db of the
loudest frame) and cut to at most --max-seconds. Writes
  DIR/{train,validation,test}/*.wav + labels.csv   (file,label,active_onset_s,active_offset_s,licence,source)
  DIR/ambience/{train,validation,test}/*.wav + labels.csv   (real ambience for scene backgrounds, at most
                                                    --ambience-seconds each, split by package like the events)
  DIR/interferers/{train,test}/*.wav + labels.csv  (sounds of none of the classes, for train-detector --interferers
                                                    and bench:sed's interferer check; trimmed and cut like the events)
  DIR/manifest.csv                                  (file,label,split,package,licence,source,seconds)
Splits are whole recordings (files), mostly whole packages; every ../shared/data/events clip is on the training side.
A clip that repeats a recording of another split (tools/corpus/similar.js: similarity >= 0.95) is left out of the
training side (or of validation, when the other is a test clip), with a message. Only classes with at least 4
recordings and at least one in each split are kept.

Options:
  --out DIR         corpus folder (required)
  --cache DIR       where .deb files and unpacked packages are kept (default DIR/cache)
  --shared DIR      the shared event clips (default ../shared/data/events beside the repository)
  --sample-rate HZ  rate of the clips (default 24000, the detectors' rate)
  --max-seconds S   longest clip kept (default 10; longer recordings are cut)
  --floor-db DB     activity floor below the loudest 20 ms frame (default 40)
  --ambience-seconds S  longest ambience excerpt kept (default 20)
  --jobs N          decoders run at once (default 2)
  -h, --help        this text
Exit codes: 0 ok, 1 a package or file failed, 2 bad options.`;

function parseArgs(argv) {
  const o = { sampleRate: 24000, maxSeconds: 10, floorDb: 40, ambienceSeconds: 20, jobs: 2 };
  const num = (flag, v, ok) => {
    const x = Number(v);
    if (v === undefined || !Number.isFinite(x) || !ok(x)) usage(`${flag} needs a valid number, got "${v}"`);
    return x;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '-h' || a === '--help') {
      process.stdout.write(HELP + '\n');
      process.exit(0);
    } else if (a === '--out') o.out = v();
    else if (a === '--cache') o.cache = v();
    else if (a === '--shared') o.shared = v();
    else if (a === '--sample-rate') o.sampleRate = num(a, v(), (x) => Number.isInteger(x) && x >= 8000);
    else if (a === '--max-seconds') o.maxSeconds = num(a, v(), (x) => x > 0);
    else if (a === '--floor-db') o.floorDb = num(a, v(), (x) => x > 0);
    else if (a === '--ambience-seconds') o.ambienceSeconds = num(a, v(), (x) => x > 0);
    else if (a === '--jobs') o.jobs = num(a, v(), (x) => Number.isInteger(x) && x > 0);
    else usage(`unknown option ${a}`);
  }
  if (!o.out) usage('--out DIR is required');
  o.cache = o.cache || path.join(o.out, 'cache');
  o.shared = o.shared || path.resolve(__dirname, '../../../shared/data/events');
  return o;
}

function usage(msg) {
  process.stderr.write(`data:events: ${msg}\n\n${HELP}\n`);
  process.exit(2);
}

/** [first, last) sample of the active part: 20 ms frames within floorDb of the loudest one. */
function activeRegion(x, rate, floorDb) {
  const n = Math.max(1, Math.round(0.02 * rate));
  const frames = Math.floor(x.length / n);
  const db = new Float64Array(frames);
  let max = -Infinity;
  for (let f = 0; f < frames; f++) {
    let s = 0;
    for (let i = f * n; i < (f + 1) * n; i++) s += x[i] * x[i];
    db[f] = 10 * Math.log10(s / n + 1e-12);
    max = Math.max(max, db[f]);
  }
  let a = 0;
  let b = frames - 1;
  while (a < frames && db[a] < max - floorDb) a++;
  while (b > a && db[b] < max - floorDb) b--;
  return { first: a * n, last: Math.min(x.length, (b + 1) * n), peakDb: max };
}

function writePcm16(file, samples, rate) {
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++)
    data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32768))), 2 * i);
  const h = pcm16Header(rate, data.length);
  const tmp = `${file}.partial`;
  fs.writeFileSync(tmp, Buffer.concat([h, data]));
  fs.renameSync(tmp, file);
}

const csv = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));

/** The folder an archive inside a package unpacks to: a zip/pk3 (`globs`) or an OpenTTD sound catalogue. */
function unpack(archive, tree, cache) {
  const file = path.join(tree, archive.path);
  const dir = path.join(cache, 'archives', archive.name);
  return archive.kind === 'sound-catalogue'
    ? unpackSoundCatalogue(file, dir)
    : deb.unpackArchive(file, dir, archive.globs);
}

/** Where a recording came from; a sound catalogue's entry adds its title (original recording, author, licence). */
function sourceOf(pkg, root, file, archive) {
  const where = `${pkg}: ${path.relative(root, file)}`;
  if (archive?.kind !== 'sound-catalogue') return where;
  return `${where} (${fs.readFileSync(file.replace(/\.wav$/, '.txt'), 'utf8').trim()})`;
}

/**
 * Whether rule `r` leaves out the file at `rel`: its `exclude` pattern matches the file's name or its folder's, or
 * another rule of the package (an event's) takes the file.
 */
function excluded(r, rel, rules) {
  if (!r.exclude) return false;
  const tail = `${path.basename(path.dirname(rel))}/${path.basename(rel)}`;
  return r.exclude.test(tail) || rules.some((o) => o !== r && !o.exclude && o.archive === r.archive && o.re.test(rel));
}

/** Every recording the rules and the shared clips name: { src, label, split, pkg, licence, source }. */
function collect(o, log) {
  const items = [];
  const ALL = [...RULES, ...AMBIENCE, ...INTERFERERS];
  const packages = [...new Set(ALL.map((r) => r.pkg))];
  const failures = [];
  for (const pkg of packages) {
    if (RESERVED.some((re) => re.test(pkg))) throw new Error(`${pkg} is reserved for evaluation and must not be used`);
    let tree;
    let licence;
    try {
      tree = deb.extractPackage(deb.fetchPackage(pkg, o.cache), o.cache);
      licence = deb.readLicence(tree, pkg);
    } catch (e) {
      failures.push(e.message);
      continue;
    }
    const rules = ALL.filter((r) => r.pkg === pkg);
    const roots = new Map();
    for (const r of rules) {
      const key = r.archive ? r.archive.name : '';
      if (roots.has(key)) continue;
      roots.set(key, r.archive ? unpack(r.archive, tree, o.cache) : tree);
    }
    for (const r of rules) {
      const root = roots.get(r.archive ? r.archive.name : '');
      const files = deb.listFiles(root, (rel) => r.re.test(rel) && !excluded(r, rel, rules));
      if (files.length === 0) failures.push(`${pkg}: no file matches ${r.re} (${r.label})`);
      for (const f of files)
        items.push({ src: f, label: r.label, split: r.split, pkg, licence, source: sourceOf(pkg, root, f, r.archive) });
    }
  }
  const labels = path.join(o.shared, 'labels.csv');
  if (!fs.existsSync(labels)) failures.push(`${labels} not found: the shared clips are missing (--shared DIR)`);
  else {
    const rows = fs.readFileSync(labels, 'utf8').trim().split('\n').slice(1);
    for (const line of rows) {
      const cells = parseLine(line);
      if (!SHARED_CLASSES.includes(cells[1])) continue;
      items.push({
        src: path.join(o.shared, cells[0]),
        label: cells[1],
        split: 'train',
        pkg: 'shared/data/events',
        licence: cells[7],
        source: `shared/data/events/${cells[0]} (${cells[9]})`,
      });
    }
  }
  log(`data:events: ${items.length} recordings named by the rules and the shared clips`);
  return { items, failures };
}

function parseLine(line) {
  const out = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"' && line[i + 1] === '"') ((cur += '"'), i++);
      else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') (out.push(cur), (cur = ''));
    else cur += c;
  }
  out.push(cur);
  return out;
}

/** Classes with >= 4 recordings and one in every split; the others are dropped with a message. */
function keepClasses(items, log) {
  const by = new Map();
  for (const it of items) {
    const s = by.get(it.label) || { n: 0, train: 0, validation: 0, test: 0 };
    s.n++;
    s[it.split]++;
    by.set(it.label, s);
  }
  const keep = new Set();
  for (const [label, s] of [...by].sort()) {
    const ok = s.n >= 4 && s.train > 0 && s.validation > 0 && s.test > 0;
    log(
      `  ${label.padEnd(15)} ${String(s.n).padStart(3)} recordings: train ${s.train}, validation ${s.validation}, test ${s.test}${ok ? '' : '  -> dropped'}`,
    );
    if (ok) keep.add(label);
  }
  return items.filter((it) => keep.has(it.label));
}

/** A recording decoded, trimmed to its active part and cut: { ...item, samples }; null when silent, undefined on failure. */
async function decodeClip(it, o, failures) {
  const decoded = path.join(
    o.cache,
    'decoded',
    String(o.sampleRate),
    it.pkg,
    path.relative(path.dirname(path.dirname(it.src)), it.src) + '.wav',
  );
  try {
    await deb.decodeToWav(it.src, decoded, { rate: o.sampleRate });
  } catch (e) {
    failures.push(e.message);
    return undefined;
  }
  const { samples } = readPcm16(decoded);
  const ambience = it.label === 'ambience';
  const { first, last, peakDb } = ambience
    ? { first: 0, last: samples.length, peakDb: 0 }
    : activeRegion(samples, o.sampleRate, o.floorDb);
  if (peakDb < -60 || last - first < 0.05 * o.sampleRate) return null;
  const end = Math.min(last, first + Math.round((ambience ? o.ambienceSeconds : o.maxSeconds) * o.sampleRate));
  return { ...it, samples: samples.subarray(first, end) };
}

/**
 * Leaves out clips that repeat a recording of another split (similar.js): of such a pair the test clip stays, then
 * the validation one, so the held-out splits never lose a recording to training. Says which and why.
 */
function dropRepeatedRecordings(clips, sampleRate, log) {
  const events = clips.filter((c) => isEvent(c));
  for (const c of events) c.print = fingerprint(c.samples, sampleRate);
  const dropped = repeatsToLeaveOut(events, { threshold: SAME_RECORDING, describe: (c) => c.source, log });
  return clips.filter((c) => !dropped.has(c));
}

/** Writes the clips into their split folders with a labels.csv each; returns the manifest rows. */
function writeClips(clips, o) {
  const names = new Set();
  const rows = [];
  const ordered = [...clips].sort((a, b) => a.source.localeCompare(b.source));
  for (const it of ordered) {
    const stem = path
      .basename(it.src)
      .replace(/\.[^.]+$/, '')
      .replace(/[^A-Za-z0-9_-]+/g, '_');
    const pkgTag = it.pkg.replace(/[^a-z0-9]+/gi, '').slice(0, 10);
    let file = `${it.label}_${pkgTag}_${stem}.wav`;
    const folder = isEvent(it) ? it.split : path.join(FOLDERS[it.label], it.split);
    for (let k = 2; names.has(`${folder}/${file}`); k++) file = `${it.label}_${pkgTag}_${stem}_${k}.wav`;
    names.add(`${folder}/${file}`);
    fs.mkdirSync(path.join(o.out, folder), { recursive: true });
    writePcm16(path.join(o.out, folder, file), it.samples, o.sampleRate);
    const { label, split, pkg, licence, source } = it;
    rows.push({ label, split, pkg, licence, source, folder, file, seconds: it.samples.length / o.sampleRate });
  }
  return rows;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const log = (s) => process.stderr.write(s + '\n');
  for (const dir of new Set([o.out, o.cache])) deb.lockFolder(dir, 'data:events');
  deb.ensureDecoder(log);
  const { items: all, failures } = collect(o, log);
  const decoded = [];
  await deb.runPool(all, o.jobs, async (it) => {
    const clip = await decodeClip(it, o, failures);
    if (clip) decoded.push(clip);
    else if (clip === null) log(`  skipped ${it.source}: silent or shorter than 50 ms`);
  });
  const distinct = dropRepeatedRecordings(decoded, o.sampleRate, log);
  const clips = [...keepClasses(distinct.filter(isEvent), log), ...distinct.filter((it) => !isEvent(it))];
  const rows = writeClips(clips, o);
  rows.sort((a, b) => a.folder.localeCompare(b.folder) || a.file.localeCompare(b.file));
  for (const folder of [...new Set(rows.map((r) => r.folder))]) {
    const lines = ['file,label,active_onset_s,active_offset_s,licence,source'];
    for (const r of rows.filter((x) => x.folder === folder))
      lines.push([r.file, r.label, 0, r.seconds.toFixed(3), r.licence, r.source].map(csv).join(','));
    fs.writeFileSync(path.join(o.out, folder, 'labels.csv.partial'), lines.join('\n') + '\n');
    fs.renameSync(path.join(o.out, folder, 'labels.csv.partial'), path.join(o.out, folder, 'labels.csv'));
  }
  const manifest = ['file,label,split,package,licence,source,seconds'];
  for (const r of rows)
    manifest.push(
      [`${r.folder}/${r.file}`, r.label, r.split, r.pkg, r.licence, r.source, r.seconds.toFixed(3)].map(csv).join(','),
    );
  fs.writeFileSync(path.join(o.out, 'manifest.csv.partial'), manifest.join('\n') + '\n');
  fs.renameSync(path.join(o.out, 'manifest.csv.partial'), path.join(o.out, 'manifest.csv'));
  const count = (s) => rows.filter((r) => r.folder === s).length;
  const counted = (label) => rows.filter((r) => r.label === label).length;
  log(
    `data:events: ${rows.length} clips (train ${count('train')}, validation ${count('validation')}, test ${count('test')}; ambience ${counted('ambience')}; interferers ${counted('interferer')}) -> ${o.out}`,
  );
  for (const f of failures) log(`  failed: ${f}`);
  process.exitCode = failures.length ? 1 : 0;
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`data:events: ${e.message}\n`);
    process.exit(1);
  });
}

module.exports = { activeRegion, keepClasses, parseLine, dropRepeatedRecordings, excluded };
