// What the speech-enhancement corpus takes from which Debian package (see ../shared/notes/audio-data.md).
//
// Each source: { pkg, role: 'speech' | 'noise' | 'music', archive?: { path, globs }, match(rel) -> null | { group,
// language }, format? }. `rel` is the file's path inside the unpacked package (or inside its archive). `group` is the
// speaker (speech) or the recording (noise, music): the unit that the train / validation / test split keeps whole.
// `split` (optional) pins a group to a split; other groups are split by a stable hash of their name.
//
// Never listed here (reserved for evaluation): asterisk-core-sounds-ru*, ktuberling-data, supertuxkart-data,
// megaglest-data, gcompris-qt-data.
'use strict';
const path = require('path');

/** A recording's group: its folder plus its name without trailing digits/takes ("wind2.ogg" and "wind3.ogg" go together). */
function recordingGroup(pkg, rel) {
  const stem = path
    .basename(rel)
    .replace(/\.[^.]+$/, '')
    .replace(/[-_ ]?(\d+|[a-z])$/i, '')
    .replace(/[-_ ]?\d+$/, '');
  return `${pkg}:${path.dirname(rel)}/${stem}`;
}

const noise = (pkg, re, exclude = /$^/, extra = {}) => ({
  pkg,
  role: 'noise',
  ...extra,
  match: (rel) => (re.test(rel) && !exclude.test(rel) ? { group: recordingGroup(pkg, rel), language: '' } : null),
});

const music = (pkg, re, extra = {}) => ({
  pkg,
  role: 'music',
  ...extra,
  match: (rel) => (re.test(rel) ? { group: `${pkg}:${path.basename(rel)}`, language: '' } : null),
});

const asterisk = (lang) => ({
  pkg: `asterisk-core-sounds-${lang}-g722`,
  role: 'speech',
  format: 'g722',
  // usr/share/asterisk/sounds/en_US_f_Allison/...; the voices of ../shared/data/speech: always training
  match: (rel) => {
    const m = /^usr\/share\/asterisk\/sounds\/([a-z]{2})_[A-Z]{2}_[fm]_([A-Za-z]+)\/(.*)\.g722$/.exec(rel);
    if (!m || /(^|\/)silence\//.test(m[3])) return null;
    return { group: `asterisk:${m[2]}`, language: m[1], split: 'train' };
  },
});

// Tux Paint stamp descriptions: one volunteer per language (the largest six sets go to training).
const TUXPAINT_TRAIN = new Set(['fr', 'ru', 'ro', 'ca', 'bg', 'es']);
// KLettres volunteers (one per language) pinned to the test split, so that it holds about 17 minutes of unseen voices
// in 9 languages with gcin and the hashed Tux Paint / Fish Fillets groups (the hash alone left it 6 minutes)
const KLETTRES_TEST = new Set(['de', 'hu', 'he', 'pt_BR', 'uk', 'nl']);

const SOURCES = [
  asterisk('en'),
  asterisk('es'),
  asterisk('fr'),
  asterisk('it'),
  {
    pkg: 'fillets-ng-data-cs',
    role: 'speech',
    // sound/<level>/cs/<level prefix>-<character>-<line>.ogg; characters m and v (the two fish) speak in every level
    match: (rel) => {
      const m = /^usr\/share\/games\/fillets-ng\/sound\/(.+)\/cs\/([a-z0-9]+)-([a-z0-9]+)-[^/]*\.ogg$/.exec(rel);
      if (!m) return null;
      const who = m[3] === 'm' || m[3] === 'v' ? m[3] : `${m[2]}-${m[3]}`;
      return { group: `fillets-cs:${who}`, language: 'cs', ...(who.length === 1 ? { split: 'train' } : {}) };
    },
  },
  {
    pkg: 'tuxpaint-stamps-default',
    role: 'speech',
    match: (rel) => {
      const m = /^usr\/share\/tuxpaint\/stamps\/.*_desc(?:_([a-z]{2}(?:_[A-Z]{2})?))?\.ogg$/.exec(rel);
      if (!m) return null;
      const lang = m[1] || 'en';
      return { group: `tuxpaint:${lang}`, language: lang, ...(TUXPAINT_TRAIN.has(lang) ? { split: 'train' } : {}) };
    },
  },
  {
    pkg: 'klettres-data',
    role: 'speech',
    match: (rel) => {
      const m = /^usr\/share\/klettres\/([a-zA-Z_]+)\/(alpha|syllab)\/[^/]+\.ogg$/.exec(rel);
      if (!m) return null;
      return { group: `klettres:${m[1]}`, language: m[1], ...(KLETTRES_TEST.has(m[1]) ? { split: 'test' } : {}) };
    },
  },
  {
    pkg: 'gcin-voice',
    role: 'speech',
    // one Mandarin speaker: a language no other source has, kept for the test split
    match: (rel) =>
      /^usr\/share\/gcin-voice\/ogg\/.*\.ogg$/.test(rel) ? { group: 'gcin:zh', language: 'zh', split: 'test' } : null,
  },
  noise('ufoai-sound', /^sound\/ambience\/.*\.ogg$/, /tv_news|radiomessage/, {
    archive: { path: 'usr/share/games/ufoai/base/0snd.pk3', globs: ['sound/ambience/*'] },
  }),
  noise('0ad-data', /^audio\/ambient\/.*\.(ogg|wav)$/, /$^/, {
    archive: { path: 'usr/share/games/0ad/mods/public/public.zip', globs: ['audio/ambient/*', 'audio/music/*'] },
  }),
  music('0ad-data', /^audio\/music\/.*\.(ogg|wav)$/, {
    archive: { path: 'usr/share/games/0ad/mods/public/public.zip', globs: ['audio/ambient/*', 'audio/music/*'] },
  }),
  noise('redeclipse-data', /^usr\/share\/games\/redeclipse\/data\/sounds\/ambience\/.*\.(ogg|wav)$/),
  noise('wesnoth-1.16-data', /^usr\/share\/games\/wesnoth\/1\.16\/data\/core\/sounds\/ambient\/.*\.(ogg|wav)$/),
  noise('lincity-ng-data', /^usr\/share\/games\/lincity-ng\/sounds\/.*\.(ogg|wav)$/),
  noise('sonic-pi-samples', /^usr\/share\/sonic-pi\/samples\/(ambi|misc|vinyl)_.*\.(flac|wav|ogg)$/),
  music('asterisk-moh-opsound-g722', /^usr\/share\/asterisk\/moh\/.*\.g722$/, { format: 'g722' }),
  music('hedgewars-data', /^usr\/share\/games\/hedgewars\/Data\/Music\/.*\.ogg$/),
];

const RESERVED = [
  /^asterisk-core-sounds-ru/,
  /^ktuberling-data$/,
  /^supertuxkart-data$/,
  /^megaglest-data$/,
  /^gcompris-qt-data$/,
];

module.exports = { SOURCES, RESERVED, recordingGroup };
