// OpenTTD sound catalogues (`*.cat`, as in openttd-opensfx): a table of (offset, size) pairs, little-endian uint32,
// whose first offset / 8 is the entry count (newer catalogues set the top bit of each offset); each entry is a
// length byte, a NUL-terminated title (OpenSFX titles carry the original recording, its author and its licence),
// then a RIFF/WAVE file.
'use strict';
const fs = require('fs');
const path = require('path');
const { fillOnce } = require('./debian');

class CatalogueError extends Error {}

/** [{ index, title, wav }] of a catalogue's bytes; wav is null for an entry without sound (OpenSFX has empty ones). */
function readSoundCatalogue(bytes, name = 'catalogue') {
  const fail = (msg) => {
    throw new CatalogueError(`${name}: ${msg}; not an OpenTTD sound catalogue`);
  };
  if (bytes.length < 8) fail('shorter than one table entry');
  const offset = (i) => bytes.readUInt32LE(8 * i) & 0x7fffffff;
  const count = offset(0) / 8;
  if (!Number.isInteger(count) || count < 1 || 8 * count > bytes.length) fail(`a table of ${count} entries`);
  const out = [];
  for (let i = 0; i < count; i++) {
    const at = offset(i);
    const size = bytes.readUInt32LE(8 * i + 4);
    if (at + size > bytes.length || size < 1) fail(`entry ${i} (offset ${at}, size ${size}) runs past the end`);
    const len = bytes[at];
    const title = bytes
      .toString('latin1', at + 1, at + 1 + len)
      .replace(/\0+$/, '')
      .trim();
    const data = bytes.subarray(at + 1 + len, at + size);
    out.push({ index: i, title, wav: data.toString('ascii', 0, 4) === 'RIFF' ? data : null });
  }
  if (!out.some((e) => e.wav)) fail('no entry holds RIFF/WAVE data');
  return out;
}

/**
 * Writes every entry of the catalogue `file` into `dir` as NN.wav plus NN.txt (its title), once: an interrupted unpack
 * is redone and a finished one is reused (debian.js's fillOnce). Returns `dir`.
 */
function unpackSoundCatalogue(file, dir) {
  return fillOnce(dir, (tmp) => {
    for (const e of readSoundCatalogue(fs.readFileSync(file), file).filter((x) => x.wav)) {
      const stem = String(e.index).padStart(2, '0');
      fs.writeFileSync(path.join(tmp, `${stem}.wav`), e.wav);
      fs.writeFileSync(path.join(tmp, `${stem}.txt`), e.title + '\n');
    }
  });
}

module.exports = { readSoundCatalogue, unpackSoundCatalogue, CatalogueError };
