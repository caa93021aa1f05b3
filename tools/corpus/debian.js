// Shared corpus tooling: audio out of Debian packages, without installing them system-wide.
//
//   fetchPackage(pkg, cacheDir)      apt-get download PKG into cacheDir/debs (skipped when the .deb is there)
//   extractPackage(deb, cacheDir)    dpkg-deb -x into cacheDir/tree/PKG (skipped when already unpacked)
//   unpackArchive(zip, dir, globs)   unzip members of a zip/pk3 into dir (skipped when done)
//   decodeToWav(src, dst, opts)      any audio ffmpeg reads -> 16 kHz (default) mono PCM16 WAV, written atomically
//   decodeManyToWav(jobs, opts)      the same for many files, one ffmpeg process per batch of 40
//   ensureDecoder(log)               installs Debian's ffmpeg with apt-get when it is missing (and says so)
//   readLicence(tree, pkg)           the License: fields of usr/share/doc/PKG/copyright, de-duplicated
//   listFiles(dir, test)             every file under dir whose path (relative) passes test, sorted
//   runPool(items, n, fn)            fn over items, n at a time
//   lockFolder(dir, what)            one build at a time per folder (two would unpack into each other's temporaries)
//
// Every step is resumable: it leaves a finished result (or a `.done` marker) and skips it the next time. A package
// that cannot be fetched or unpacked throws a CorpusError naming the package and the reason; callers collect these
// and build the rest (see enhance.js).
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync, execFile } = require('child_process');

class CorpusError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'CorpusError';
    this.code = code;
  }
}

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28, ...opts }).toString();
}

function runAsync(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 1 << 26, ...opts }, (err, stdout, stderr) => {
      if (err) {
        err.stderr = String(stderr);
        reject(err);
      } else resolve(String(stdout));
    });
  });
}

function has(cmd) {
  try {
    run('sh', ['-c', `command -v ${cmd}`]);
    return true;
  } catch {
    return false;
  }
}

function lastLine(text) {
  const lines = String(text || '')
    .trim()
    .split('\n')
    .filter((l) => l && !/^W: /.test(l));
  return lines[lines.length - 1] || 'no message';
}

/** Path of PKG's .deb in cacheDir/debs, downloading it with `apt-get download` when absent. */
function fetchPackage(pkg, cacheDir) {
  const debs = path.join(cacheDir, 'debs');
  fs.mkdirSync(debs, { recursive: true });
  const find = () => fs.readdirSync(debs).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  let deb = find();
  if (deb) return path.join(debs, deb);
  const tryDownload = () => run('apt-get', ['download', '-q', pkg], { cwd: debs });
  try {
    tryDownload();
  } catch (e1) {
    // a stale or missing package list is the usual cause: refresh once and retry
    try {
      run('apt-get', ['update', '-q']);
      tryDownload();
    } catch (e2) {
      throw new CorpusError('FETCH_FAILED', `${pkg}: apt-get download failed: ${lastLine(e2.stderr || e1.stderr)}`);
    }
  }
  deb = find();
  if (!deb)
    throw new CorpusError(
      'FETCH_FAILED',
      `${pkg}: apt-get download reported success but left no ${pkg}_*.deb in ${debs}`,
    );
  return path.join(debs, deb);
}

/**
 * Fills `dir` once: `fill(tmp)` writes into `dir.partial` (removed when it throws), which then replaces `dir`, and
 * `dir.done` marks it complete, so a later call (or a resumed run) returns `dir` at once.
 */
function fillOnce(dir, fill) {
  const done = `${dir}.done`;
  if (fs.existsSync(done)) return dir;
  const tmp = `${dir}.partial`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    fill(tmp);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  fs.writeFileSync(done, '');
  return dir;
}

/** Whether process `pid` is running (signal 0 only checks). */
function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/**
 * Takes `dir`/.build-lock for this process (created exclusively, holding its pid) until it exits, so that two builds
 * never fill one folder at once: each would remove and unpack into the other's `.partial` folders and mark half-filled
 * ones done. A lock whose process is gone (killed) is taken over. Throws CorpusError BUSY naming the holder.
 */
function lockFolder(dir, what) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, '.build-lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      process.on('exit', () => fs.rmSync(file, { force: true }));
      return file;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const pid = Number(fs.readFileSync(file, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && processAlive(pid))
        throw new CorpusError(
          'BUSY',
          `${dir} is being built by another ${what} run (process ${pid}); wait for it to finish, or give another folder.`,
        );
      fs.rmSync(file, { force: true });
    }
  }
  throw new CorpusError('BUSY', `${dir}: could not take ${file}; another build keeps taking it.`);
}

/** Unpacks a .deb into cacheDir/tree/PKG (dpkg-deb -x); returns that folder. */
function extractPackage(deb, cacheDir) {
  const pkg = path.basename(deb).split('_')[0];
  return fillOnce(path.join(cacheDir, 'tree', pkg), (tmp) => {
    try {
      run('dpkg-deb', ['-x', deb, tmp]);
    } catch (e) {
      throw new CorpusError('UNPACK_FAILED', `${pkg}: dpkg-deb -x ${deb} failed: ${lastLine(e.stderr)}`);
    }
  });
}

/** Unzips the members of `archive` (zip or pk3) matching `globs` (unzip patterns, default all) into `dir`. */
function unpackArchive(archive, dir, globs = []) {
  return fillOnce(dir, (tmp) => {
    try {
      run('unzip', ['-q', '-o', archive, ...globs, '-d', tmp]);
    } catch (e) {
      // exit 11 = no member matched the patterns: an empty result, not a failure
      if (e.status !== 11) throw new CorpusError('UNPACK_FAILED', `${archive}: unzip failed: ${lastLine(e.stderr)}`);
    }
  });
}

/** Makes sure ffmpeg is there, installing Debian's package when it is not; `log` hears what was done. */
function ensureDecoder(log = () => {}) {
  if (has('ffmpeg')) return 'ffmpeg';
  log("ffmpeg is missing: installing Debian's ffmpeg with apt-get (needed to decode Vorbis and G.722)");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    run('apt-get', ['install', '-y', '-q', '-o', 'DPkg::Lock::Timeout=300', 'ffmpeg'], { env });
  } catch {
    try {
      run('apt-get', ['update', '-q']);
      run('apt-get', ['install', '-y', '-q', '-o', 'DPkg::Lock::Timeout=300', 'ffmpeg'], { env });
    } catch (e) {
      throw new CorpusError(
        'NO_DECODER',
        `ffmpeg is missing and apt-get install ffmpeg failed: ${lastLine(e.stderr)}; install it and run again.`,
      );
    }
  }
  return 'ffmpeg';
}

/** ffmpeg output options shared by decodeToWav and decodeManyToWav: mono 16-bit PCM at `rate`, no metadata. */
function pcmOutputArgs(rate) {
  return ['-ac', '1', '-ar', String(rate), '-c:a', 'pcm_s16le', '-map_metadata', '-1', '-fflags', '+bitexact'];
}

/**
 * Decodes `src` to a mono PCM16 WAV at `rate` (default 16 kHz) in `dst`, through a temporary name (never a half-written
 * file). `format` forces ffmpeg's input format (e.g. 'g722' for Asterisk's raw .g722 files). Skips an existing dst.
 */
async function decodeToWav(src, dst, { rate = 16000, format } = {}) {
  if (fs.existsSync(dst)) return dst;
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  const tmp = `${dst}.partial.wav`;
  const args = [
    '-nostdin',
    '-v',
    'error',
    '-y',
    ...(format ? ['-f', format] : []),
    '-i',
    src,
    ...pcmOutputArgs(rate),
    tmp,
  ];
  try {
    await runAsync('ffmpeg', args);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new CorpusError('DECODE_FAILED', `${src}: ffmpeg could not decode it: ${lastLine(e.stderr)}`);
  }
  fs.renameSync(tmp, dst);
  return dst;
}

/**
 * Decodes many files with one ffmpeg process per batch (starting ffmpeg costs more than decoding a short clip):
 * `jobs` is [{ src, dst, format? }], each written as decodeToWav would. A batch that fails is retried file by file, so
 * one bad file costs only itself; returns the CorpusErrors of the files that could not be decoded.
 */
async function decodeManyToWav(jobs, { rate = 16000, batch = 40, parallel = 2, onProgress = () => {} } = {}) {
  const todo = jobs.filter((j) => !fs.existsSync(j.dst));
  const batches = [];
  for (let i = 0; i < todo.length; i += batch) batches.push(todo.slice(i, i + batch));
  const errors = [];
  let done = 0;
  await runPool(batches, parallel, async (b) => {
    const args = ['-nostdin', '-v', 'error', '-y'];
    for (const j of b) args.push(...(j.format ? ['-f', j.format] : []), '-i', j.src);
    b.forEach((j, k) => {
      fs.mkdirSync(path.dirname(j.dst), { recursive: true });
      args.push('-map', `${k}:a:0`, ...pcmOutputArgs(rate), `${j.dst}.partial.wav`);
    });
    try {
      await runAsync('ffmpeg', args);
      for (const j of b) fs.renameSync(`${j.dst}.partial.wav`, j.dst);
    } catch {
      for (const j of b) {
        fs.rmSync(`${j.dst}.partial.wav`, { force: true });
        try {
          await decodeToWav(j.src, j.dst, { rate, format: j.format });
        } catch (e) {
          errors.push(e);
        }
      }
    }
    done += b.length;
    onProgress(done, todo.length);
  });
  return errors;
}

/** The distinct `License:` values in `tree`/usr/share/doc/PKG/copyright (e.g. "GPL-2+; CC-BY-SA-3.0"), or 'unknown'. */
function readLicence(tree, pkg) {
  const file = path.join(tree, 'usr/share/doc', pkg, 'copyright');
  if (!fs.existsSync(file)) return 'unknown (no usr/share/doc/PKG/copyright)';
  const text = fs.readFileSync(file, 'utf8');
  const found = [...text.matchAll(/^License:[ \t]*(\S.*)$/gm)].map((m) => m[1].trim());
  const unique = [...new Set(found)];
  if (unique.length > 0) return unique.join('; ');
  // not machine-readable: name the licences its prose mentions
  const prose = [
    [/GNU General Public License[^.]{0,80}?version 2/i, 'GPL-2'],
    [/GNU General Public License[^.]{0,80}?version 3/i, 'GPL-3'],
    [/Creative Commons Attribution-ShareAlike\s*3\.0/i, 'CC-BY-SA-3.0'],
    [/Creative Commons Attribution\s*3\.0/i, 'CC-BY-3.0'],
    [/public domain/i, 'public-domain'],
  ]
    .filter(([re]) => re.test(text))
    .map(([, name]) => name);
  return prose.length > 0
    ? `${prose.join('; ')} (from the copyright file's text)`
    : 'see usr/share/doc/PKG/copyright (no License: field)';
}

/** Every file under `dir` whose path relative to `dir` passes `test`, sorted. */
function listFiles(dir, test = () => true) {
  const out = [];
  const walk = (d) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && test(path.relative(dir, p))) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Runs async `fn(item, index)` over `items`, `n` at a time; returns the results in order. */
async function runPool(items, n, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  return results;
}

/** A stable hash of a string in [0, 1) (FNV-1a), for splits that do not depend on file order. */
function unitHash(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 2 ** 32;
}

module.exports = {
  CorpusError,
  fetchPackage,
  extractPackage,
  unpackArchive,
  fillOnce,
  ensureDecoder,
  decodeToWav,
  decodeManyToWav,
  readLicence,
  listFiles,
  runPool,
  unitHash,
  lockFolder,
};
