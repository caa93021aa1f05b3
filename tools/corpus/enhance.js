#!/usr/bin/env node
// npm run data:enhance -- --out DIR : builds the speech / noise / music corpus for training speech enhancers from
// Debian packages (downloaded and unpacked in DIR/cache, never installed), decoded to 16 kHz mono PCM16 WAV, and
// writes DIR/manifest.csv. Resumable: run it again and it skips every package, archive and file already done.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const deb = require('./debian');
const { readPcm16, estimateSnr, lowFrequency } = require('./wavstats');
const { SOURCES, RESERVED } = require('./enhance-sources');
const { fingerprint, repeatsToLeaveOut } = require('./similar');

/** Similarity (similar.js) at which two noise or music files count as one recording, and the excerpt compared. */
const SAME_RECORDING = 0.95;
const EXCERPT_SECONDS = 8;

const HELP = `Usage: npm run data:enhance -- --out DIR [options]

Builds a speech-enhancement corpus from Debian packages (apt-get download + dpkg-deb -x; nothing is installed
system-wide except Debian's ffmpeg when it is missing): clean speech (Asterisk prompts, Fish Fillets Czech voices,
Tux Paint and KLettres volunteers, gcin Mandarin syllables), recorded noise and ambience (UFO:AI, 0 A.D., Red
Eclipse, Wesnoth, LinCity-NG, Sonic Pi) and music (0 A.D., Hedgewars, Asterisk music on hold), decoded to 16 kHz
mono PCM16 WAV under DIR/wav, with DIR/manifest.csv:
  file,role,split,package,licence,group,language,seconds,snr_db,low_db,hum_db
Speech files are dropped when their estimated SNR is below --min-snr (SNR = 95th minus 10th percentile of 32 ms
frame powers), or when hum or rumble runs under the voice, which that estimate does not see: low_db (the share of the
file's power below 80 Hz, in dB, from its Welch spectrum) above --max-low-db, or hum_db (how far 50 / 60 Hz mains
lines and their 2nd and 3rd harmonics stand out of the spectrum around them, in dB) above --max-hum-db. Splits keep
whole speakers and whole noise recordings (a speaker's split never depends on which of its files are kept): test
voices and test noises are never in training. Games reuse one sound under several names, so a noise or music file
that repeats a validation or test recording (identical audio in any package, or the same first 8 s by
tools/corpus/similar.js within one package) is left out of training, with a message. Changing a threshold and running
again re-filters without downloading or decoding anything (the measures are cached in DIR/stats.json).

Options:
  --out DIR        corpus folder (required); packages are cached in DIR/cache unless --cache is given
  --cache DIR      where .deb files and unpacked packages are kept
  --min-snr DB     drop speech files with a lower estimated SNR (default 25)
  --max-low-db DB  drop speech files with more of their power below 80 Hz (default -20: a hundredth)
  --max-hum-db DB  drop speech files whose mains-hum lines stand out more (default 12)
  --packages LIST  comma-separated subset of the packages to use (default: all)
  --jobs N         decoders run at once (default 2)
  -h, --help       this text

Exit status: 0 when every package was used; 1 when some could not be fetched or unpacked (the rest is built, and
each failure is named on stderr); 2 on bad usage.`;

function parseArgs(argv) {
  const o = { minSnr: 25, maxLowDb: -20, maxHumDb: 12, jobs: 2, packages: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '-h' || a === '--help') {
      process.stdout.write(`${HELP}\n`);
      process.exit(0);
    } else if (a === '--out') o.out = val();
    else if (a === '--cache') o.cache = val();
    else if (a === '--min-snr') o.minSnr = Number(val());
    else if (a === '--max-low-db') o.maxLowDb = Number(val());
    else if (a === '--max-hum-db') o.maxHumDb = Number(val());
    else if (a === '--jobs') o.jobs = Number(val());
    else if (a === '--packages')
      o.packages = val()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else usage(`unknown option "${a}"`);
  }
  if (!o.out) usage('--out DIR is required');
  for (const [flag, v] of [
    ['--min-snr', o.minSnr],
    ['--max-low-db', o.maxLowDb],
    ['--max-hum-db', o.maxHumDb],
  ])
    if (!Number.isFinite(v)) usage(`${flag} must be a number of dB`);
  if (!(Number.isInteger(o.jobs) && o.jobs > 0)) usage('--jobs must be a positive integer');
  for (const p of o.packages || []) {
    if (RESERVED.some((r) => r.test(p)))
      usage(`${p} is reserved for evaluation (../shared/notes/audio-data.md); it is never used for training`);
    if (!SOURCES.some((s) => s.pkg === p))
      usage(`${p} is not one of this corpus's packages: ${[...new Set(SOURCES.map((s) => s.pkg))].join(', ')}`);
  }
  o.cache = o.cache || path.join(o.out, 'cache');
  return o;
}

function usage(message) {
  process.stderr.write(`data:enhance: ${message}\nRun with --help for usage.\n`);
  process.exit(2);
}

const log = (m) => process.stderr.write(`${m}\n`);

/** Fetches and unpacks every package (and archive) the sources need; returns { trees, licences, failures }. */
function preparePackages(sources, cache) {
  const trees = new Map();
  const licences = new Map();
  const failures = [];
  for (const pkg of [...new Set(sources.map((s) => s.pkg))]) {
    try {
      log(`${pkg}: fetching and unpacking`);
      const tree = deb.extractPackage(deb.fetchPackage(pkg, cache), cache);
      licences.set(pkg, deb.readLicence(tree, pkg));
      trees.set(pkg, tree);
      for (const s of sources.filter((x) => x.pkg === pkg && x.archive)) {
        const archive = path.join(tree, s.archive.path);
        const dir = path.join(cache, 'archives', pkg, path.basename(s.archive.path));
        if (!fs.existsSync(`${dir}.done`) && !fs.existsSync(archive))
          throw new deb.CorpusError('UNPACK_FAILED', `${pkg}: ${s.archive.path} is not in the package`);
        trees.set(`${pkg}:${s.archive.path}`, deb.unpackArchive(archive, dir, s.archive.globs));
      }
    } catch (e) {
      failures.push({ pkg, reason: e.message });
      log(`data:enhance: skipping ${pkg}: ${e.message}`);
    }
  }
  return { trees, licences, failures };
}

/** Every file the sources select, with where it goes. */
function selectFiles(sources, trees, licences, out) {
  const items = [];
  for (const s of sources) {
    const root = trees.get(s.archive ? `${s.pkg}:${s.archive.path}` : s.pkg);
    if (!root) continue;
    for (const file of deb.listFiles(root)) {
      const rel = path.relative(root, file).split(path.sep).join('/');
      const m = s.match(rel);
      if (!m) continue;
      const wav = path.join('wav', s.role, s.pkg, rel.replace(/\.[^./]+$/, '.wav'));
      items.push({
        src: file,
        wav,
        abs: path.join(out, wav),
        role: s.role,
        pkg: s.pkg,
        licence: licences.get(s.pkg),
        format: s.format,
        ...m,
      });
    }
  }
  return items;
}

/** Which split a group goes to: its pinned split, else 70 / 15 / 15 by a stable hash of its name. */
function splitOf(item) {
  if (item.split) return item.split;
  const h = deb.unitHash(`${item.role}|${item.group}`);
  return h < 0.7 ? 'train' : h < 0.85 ? 'validation' : 'test';
}

/**
 * Duration, SNR and (speech) low-frequency measures of each decoded file, cached in DIR/stats.json so a rerun does not
 * read every file again; a cache entry written before a measure existed gets it on the next run.
 */
function measure(items, out) {
  const cacheFile = path.join(out, 'stats.json');
  const stats = fs.existsSync(cacheFile) ? JSON.parse(fs.readFileSync(cacheFile, 'utf8')) : {};
  for (const it of items) {
    if (!fs.existsSync(it.abs)) continue;
    const st = stats[it.wav];
    if (!st || (it.role === 'speech' && st.lowDb === undefined)) {
      const { sampleRate, samples } = readPcm16(it.abs);
      const e = estimateSnr(samples, sampleRate);
      stats[it.wav] = { seconds: samples.length / sampleRate, snrDb: e.snrDb, levelDb: e.levelDb };
      if (it.role === 'speech') Object.assign(stats[it.wav], lowFrequency(samples, sampleRate));
    }
    Object.assign(it, stats[it.wav]);
  }
  const tmp = `${cacheFile}.partial`;
  fs.writeFileSync(tmp, JSON.stringify(stats));
  fs.renameSync(tmp, cacheFile);
}

/** Why a decoded file is left out (a short reason, the same for every file it applies to), or '' to keep it. */
function dropReason(it, o) {
  if (it.seconds === undefined) return 'not decoded';
  if (it.seconds < (it.role === 'speech' ? 0.3 : 0.5)) return 'too short';
  if (it.levelDb < -60) return 'near silent';
  if (it.role !== 'speech') return '';
  if (it.snrDb < o.minSnr) return `estimated SNR < ${o.minSnr} dB`;
  if (it.lowDb > o.maxLowDb) return `power below 80 Hz > ${o.maxLowDb} dB`;
  if (it.humDb > o.maxHumDb) return `mains hum > ${o.maxHumDb} dB`;
  return '';
}

/**
 * Training noise and music files that repeat a held-out recording: identical decoded audio in any package, or the
 * same recording by similar.js on the first EXCERPT_SECONDS within one package (the held-out copy stays).
 */
function repeatedNoises(kept) {
  const clips = kept
    .filter((it) => it.role !== 'speech')
    .map((it) => {
      const { sampleRate, samples } = readPcm16(it.abs);
      const bytes = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
      return {
        it,
        split: it.splitName,
        hash: crypto.createHash('sha1').update(bytes).digest('hex'),
        print: fingerprint(samples.subarray(0, EXCERPT_SECONDS * sampleRate), sampleRate),
      };
    });
  const options = { threshold: SAME_RECORDING, describe: (c) => c.it.wav, log };
  const identical = repeatsToLeaveOut(clips, { ...options, kindOf: (c) => c.hash });
  const rest = clips.filter((c) => !identical.has(c));
  const similar = repeatsToLeaveOut(rest, { ...options, kindOf: (c) => c.it.pkg });
  return new Set([...identical, ...similar].map((c) => c.it));
}

function csvField(v) {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function writeManifest(kept, out) {
  const header = 'file,role,split,package,licence,group,language,seconds,snr_db,low_db,hum_db';
  const rows = kept.map((it) =>
    [
      it.wav,
      it.role,
      it.splitName,
      it.pkg,
      it.licence,
      it.group,
      it.language,
      it.seconds.toFixed(3),
      it.snrDb.toFixed(1),
      it.lowDb === undefined ? '' : it.lowDb.toFixed(1),
      it.humDb === undefined ? '' : it.humDb.toFixed(1),
    ]
      .map(csvField)
      .join(','),
  );
  const file = path.join(out, 'manifest.csv');
  fs.writeFileSync(`${file}.partial`, `${header}\n${rows.join('\n')}\n`);
  fs.renameSync(`${file}.partial`, file);
  return file;
}

function summarise(kept) {
  const table = {};
  for (const it of kept) {
    const k = `${it.role}/${it.splitName}`;
    table[k] ??= { files: 0, minutes: 0, groups: new Set() };
    table[k].files++;
    table[k].minutes += it.seconds / 60;
    table[k].groups.add(it.group);
  }
  for (const [k, v] of Object.entries(table).sort())
    log(
      `  ${k.padEnd(18)} ${String(v.files).padStart(6)} files ${v.minutes.toFixed(1).padStart(7)} min ${String(v.groups.size).padStart(4)} groups`,
    );
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  fs.mkdirSync(o.out, { recursive: true });
  try {
    for (const dir of new Set([o.out, o.cache])) deb.lockFolder(dir, 'data:enhance');
    deb.ensureDecoder(log);
  } catch (e) {
    log(`data:enhance: ${e.message}`);
    process.exit(1);
  }
  const sources = SOURCES.filter((s) => !o.packages || o.packages.includes(s.pkg));
  const { trees, licences, failures } = preparePackages(sources, o.cache);
  const items = selectFiles(sources, trees, licences, o.out);
  const todo = items.filter((it) => !fs.existsSync(it.abs));
  log(`${items.length} files selected, ${todo.length} to decode`);
  const decodeErrors = (
    await deb.decodeManyToWav(
      todo.map((it) => ({ src: it.src, dst: it.abs, format: it.format })),
      { parallel: o.jobs, onProgress: (d, n) => d % 400 === 0 && log(`  decoded ${d} / ${n}`) },
    )
  ).map((e) => e.message);
  for (const m of decodeErrors.slice(0, 10)) log(`data:enhance: ${m}`);
  if (decodeErrors.length > 10)
    log(`data:enhance: ... and ${decodeErrors.length - 10} more files that could not be decoded`);
  measure(items, o.out);
  const kept = [];
  const dropped = {};
  for (const it of items) {
    const why = dropReason(it, o);
    if (why) dropped[`${it.role}: ${why}`] = (dropped[`${it.role}: ${why}`] || 0) + 1;
    else kept.push({ ...it, splitName: splitOf(it) });
  }
  const repeats = repeatedNoises(kept);
  if (repeats.size) dropped['noise/music: repeats a validation or test recording'] = repeats.size;
  kept.splice(0, kept.length, ...kept.filter((it) => !repeats.has(it)));
  const manifest = writeManifest(kept, o.out);
  log(
    `${manifest}: ${kept.length} files; dropped: ${
      Object.entries(dropped)
        .map(([why, n]) => `${n} ${why}`)
        .join(', ') || 'none'
    }`,
  );
  summarise(kept);
  if (failures.length > 0) {
    log(
      `data:enhance: ${failures.length} package(s) could not be used: ${failures.map((f) => f.pkg).join(', ')} (reasons above); the rest was built.`,
    );
    process.exit(1);
  }
}

if (require.main === module) {
  main().catch((e) => {
    log(`data:enhance: ${e instanceof deb.CorpusError ? e.message : e.stack}`);
    process.exit(1);
  });
}

module.exports = { repeatedNoises };
