/**
 * Every flag of `gatewave-audio`, spelled once with its parser and help text (the shared ones come from
 * `@gatewave/core/cli`, so they read the same in `gatewave-forecast`). Commands pick flags from this table by name and
 * may give their own help text and default. Earlier spellings are kept as hidden aliases for one release.
 */
import type { Command } from 'commander';
import {
  addFlag,
  AddFlagOptions,
  COMMON_FLAGS,
  FlagDef,
  list,
  listOf,
  nonNegativeNumber,
  numberWhere,
  oneOf,
  openUnit,
  positiveInt,
  positiveNumber,
  rangeOf,
  stringList,
} from '@gatewave/core/cli';
import { GatewaveError } from '@gatewave/core';
import { SCENE_FORMATS } from '../sed/format';
import { FOA_VIEW_COUNTS } from '../sed/foa-views';
import { DETECTOR_OUTPUTS } from '../sed/accdoa';

const unitShare = numberWhere((x) => x >= 0 && x <= 1, 'in [0, 1]');
const inputLevelDb = numberWhere((x) => x >= -80 && x <= 0, 'dBFS from -80 to 0');

const viewCount = numberWhere(
  (x) => (FOA_VIEW_COUNTS as readonly number[]).includes(x),
  `one of ${FOA_VIEW_COUNTS.join(', ')}`,
);

/** `lo,hi` with 0 < lo <= hi (a playback speed range). */
const speedRange = rangeOf((x) => x > 0, '0 < lo <= hi', '0.9,1.1');

/** `lo,hi` with lo <= hi, any real numbers (a dB or seconds range). */
const range = rangeOf(() => true, 'lo <= hi', '-10,10');

export const FLAGS = {
  ...COMMON_FLAGS,
  // Enhancement
  chunk: {
    flags: '--chunk <seconds>',
    description: 'process long files in chunks of this many seconds, 1 to 3600 (bounded memory)',
    parse: numberWhere((x) => x >= 1 && x <= 3600, 'a number of seconds from 1 to 3600'),
  },
  sampleFormat: {
    flags: '--sample-format <pcm16|float32>',
    description: 'output sample format (default: pcm16 for <=16-bit input, else float32)',
    parse: oneOf(['pcm16', 'float32'] as const, 'pcm16 or float32'),
    aliases: ['--format'],
  },
  attenLim: {
    flags: '--atten-lim <dB>',
    description:
      "remove at most this many dB of noise by mixing the input back (0 keeps the input, 100 is no limit; default: the model's own, 16 dB for the default model, none for wiener)",
    parse: numberWhere((x) => x >= 0 && x <= 100, 'a number of dB from 0 to 100'),
  },
  wienerShare: {
    flags: '--wiener-share <share>',
    description: "mix this share (0 to <1) of the wiener baseline's output into the model's (default: the model's own)",
    parse: numberWhere((x) => x >= 0 && x < 1, 'a number from 0 up to 1'),
  },
  utterances: {
    flags: '--utterances <n>',
    description: 'validation utterances (of at least 3 s each) taken from the manifest, round robin over speakers',
    parse: positiveInt,
  },
  lossAttenLim: {
    flags: '--loss-atten-lim <dB>',
    description:
      'train on the output mixed with the input at this attenuation limit (what a model shipped with that limit gives), not on the network output as it is',
    parse: numberWhere((x) => x >= 0 && x <= 100, 'a number of dB from 0 to 100'),
  },
  lossWienerShare: {
    flags: '--loss-wiener-share <share>',
    description: "train on the output mixed with this share of wiener's (the model then ships with it)",
    parse: numberWhere((x) => x > 0 && x < 1, 'a number between 0 and 1'),
  },
  selectAttenLim: {
    flags: '--select-atten-lim <dB>',
    description:
      "choose the saved model by the mean SI-SDR gain of its output at this attenuation limit on the manifest's validation utterances at -5, 0 and 5 dB (keeping STOI within --stoi-tolerance), not by the validation loss",
    parse: numberWhere((x) => x >= 0 && x <= 100, 'a number of dB from 0 to 100'),
  },
  limits: {
    flags: '--limits <list>',
    description: 'attenuation limits to try, in dB (no limit is always tried too)',
    parse: listOf(numberWhere((x) => x >= 0 && x <= 100, 'numbers of dB from 0 to 100')),
  },
  inputLevel: {
    flags: '--input-level <dBFS>',
    description: 'feed the network at this RMS level, -80 to 0 dBFS (the model keeps it); train at --levels around it',
    parse: inputLevelDb,
  },
  levels: {
    flags: '--levels <min,max>',
    description: 'levels of the training mixtures, dBFS RMS (default -40,-15)',
    parse: range,
  },
  inputLevels: {
    flags: '--input-levels <list>',
    description: 'also choose the input level (dBFS) from these, e.g. -30,-25,-20,-15 (default: as the model has it)',
    parse: listOf(inputLevelDb),
  },
  wienerShares: {
    flags: '--wiener-shares <list>',
    description: 'also choose the share of wiener mixed into the network, from these in [0, 1), e.g. 0,0.15,0.25',
    parse: listOf(numberWhere((x) => x >= 0 && x < 1, 'numbers from 0 up to 1')),
  },
  stoiTolerance: {
    flags: '--stoi-tolerance <list>',
    description: 'how far below the input mean STOI a group may fall: one number, or one per SNR group, e.g. 0.005',
    parse: listOf(nonNegativeNumber),
  },
  clean: { flags: '--clean <file>', description: 'clean reference WAV' },
  est: { flags: '--est <file>', description: 'estimate WAV (same rate, channels and length)' },
  noisy: {
    flags: '--noisy <dir>',
    description: "folder of noisy WAV files with the same names as --clean's (VoiceBank+DEMAND layout)",
  },
  manifest: {
    flags: '--manifest <csv>',
    description: 'corpus manifest from npm run data:enhance (trains on its train split, selects on validation)',
  },
  speech: { flags: '--speech <dir>', description: 'directory of clean speech WAV files (searched recursively)' },
  noise: { flags: '--noise <dir>', description: 'directory of noise WAV files (searched recursively)' },
  config: { flags: '--config <small|medium|large|large-cascade|full>', description: 'model size' },
  stepsPerEpoch: {
    flags: '--steps-per-epoch <n>',
    description: 'training steps per epoch',
    parse: positiveInt,
    aliases: ['--steps'],
  },
  exclude: { flags: '--exclude <list>', description: 'comma-separated files to leave out', parse: stringList },
  include: { flags: '--include <list>', description: 'comma-separated files to use (default: all)', parse: stringList },
  resume: {
    flags: '--resume',
    description:
      'continue from <out>.checkpoint; when its validation set differs (other corpus, mixing or loss weights), the ' +
      'best model so far and the resumed weights are scored again on this one and the better sets the bar',
  },
  music: {
    flags: '--music <p>',
    description:
      'share of training interferers that are music tracks (default 0.2; validation keeps 0.2, so its loss stays comparable)',
    parse: unitShare,
  },
  babble: {
    flags: '--babble <p>',
    description:
      'share of training interferers that are babble of 3-6 training voices (default 0.15; validation keeps 0.15)',
    parse: unitShare,
  },
  nearClean: {
    flags: '--near-clean <p>',
    description:
      'share of training mixtures at 30-40 dB SNR, nearly clean, to learn to pass speech through (default 0)',
    parse: unitShare,
  },
  noiseFree: {
    flags: '--noise-free <p>',
    description: 'share of training mixtures with no noise at all (default 0)',
    parse: unitShare,
  },
  steadyNoise: {
    flags: '--steady-noise <p>',
    description:
      'share of training noises that are synthetic steady noises (drones, wind, coloured noise) instead of recordings ' +
      '(default 0; validation always uses recordings)',
    parse: unitShare,
  },
  whisper: {
    flags: '--whisper <p>',
    description:
      'share of training mixtures whose speech is first made a whisper (LPC envelope over noise), as target and input ' +
      '(default 0; validation never)',
    parse: unitShare,
  },
  validationMixtures: {
    flags: '--validation-mixtures <n>',
    description:
      'fixed 2.5 s validation mixtures that choose the best epoch (default 32; more make the choice less noisy and ' +
      'each epoch longer)',
    parse: numberWhere((x) => Number.isInteger(x) && x >= 1 && x <= 4096, 'an integer from 1 to 4096'),
  },
  siSnrCap: {
    flags: '--si-snr-cap <dB>',
    description:
      'threshold the SI-SNR term of the loss at this many dB, so nearly perfect items stop dominating (0-100; ' +
      'default 0: none)',
    parse: numberWhere((x) => x >= 0 && x <= 100, 'a number of dB from 0 to 100'),
  },
  restartLr: {
    flags: '--restart-lr <rate>',
    description:
      "with --resume: continue at this learning rate instead of the checkpoint's, plateau counters reset (warm restart)",
    parse: positiveNumber,
  },
  overwrite: {
    flags: '--overwrite',
    description: "write into an --out folder that holds other files too, replacing only gatewave's own files there",
  },
  // Scenes
  events: { flags: '--events <dir>', description: 'folder of mono event clips' },
  labels: {
    flags: '--labels <csv>',
    description: 'clip labels (columns file,label[,active_onset_s,active_offset_s]); default <events>/labels.csv',
  },
  count: {
    flags: '--count <n>',
    description: 'number of scenes (at most 100000)',
    parse: numberWhere((x) => Number.isInteger(x) && x >= 1 && x <= 100000, 'an integer from 1 to 100000'),
  },
  seconds: {
    flags: '--seconds <s>',
    description: 'scene length in seconds (1 to 3600)',
    parse: numberWhere((x) => x >= 1 && x <= 3600, 'a number of seconds from 1 to 3600'),
  },
  sceneFormat: {
    flags: '--scene-format <foa|mic4|mono>',
    description: 'recording format',
    parse: oneOf(SCENE_FORMATS),
    aliases: ['--format'],
  },
  sampleRate: {
    flags: '--sample-rate <hz>',
    description: 'sample rate (8000 to 192000)',
    parse: numberWhere((x) => Number.isInteger(x) && x >= 8000 && x <= 192000, 'an integer from 8000 to 192000'),
  },
  reverb: { flags: '--reverb', description: 'add early reflections and an exponential reverberant tail' },
  part: {
    flags: '--part <all|train|test>',
    description: 'use all of each clip, its first part (train) or its held-out last part (test)',
  },
  testFraction: {
    flags: '--test-fraction <f>',
    description: 'share of each clip held out for --part test',
    parse: openUnit,
  },
  minEventSeconds: {
    flags: '--min-event-seconds <s>',
    description:
      'augmentation: each event a random excerpt of its clip, at least this long, trimmed to where the clip sounds; pauses of 0.3 s or more are not labelled (default: whole clips)',
    parse: positiveNumber,
  },
  speed: {
    flags: '--speed <lo,hi>',
    description: 'augmentation: play each event at a random speed in this range, e.g. 0.9,1.1 (default: unchanged)',
    parse: speedRange,
  },
  eqDb: {
    flags: '--eq-db <dB>',
    description:
      'augmentation: filter each event by a random smooth EQ curve within +-dB, e.g. 6 (default: unfiltered)',
    parse: numberWhere((x) => x >= 0, 'a number of dB >= 0, e.g. 6'),
  },
  directions: {
    flags: '--directions <grid|continuous>',
    description:
      'event directions: the 10° grid of DCASE 2019 or continuous (azimuth any, elevation -45..45) (default: grid)',
    parse: oneOf(['grid', 'continuous'] as const),
  },
  ambience: {
    flags: '--ambience <dir>',
    description:
      'augmentation: backgrounds from the mono ambience recordings in this folder, played as diffuse fields (default: pink noise)',
  },
  backgroundDb: {
    flags: '--background-db <lo,hi>',
    description: 'augmentation: background level range in dB around the default, e.g. -10,10 (default: 0,0)',
    parse: range,
  },
  snr: {
    flags: '--snr <lo,hi>',
    description: 'event SNR range in dB over the background (default: 5,30)',
    parse: range,
  },
  rt60: {
    flags: '--rt60 <lo,hi>',
    description: 'with --reverb: reverberation time range in seconds of the rooms drawn (default: 0.2,0.6)',
    parse: (v: string, flag: string) => {
      const r = range(v, flag);
      if (!(r[0] > 0))
        throw new GatewaveError('BAD_ARGUMENT', `${flag} needs reverberation times > 0, e.g. 0.2,1.0; got "${v}".`);
      return r;
    },
  },
  // DCASE data
  dcase: {
    flags: '--dcase <dir>',
    description:
      'a DCASE SELD dataset folder (metadata_<set>/ beside foa_<set>/ or mic_<set>/; DCASE 2019 or 2020-2023 metadata)',
  },
  classNames: {
    flags: '--class-names <list>',
    description:
      'class names by index for DCASE 2020-2023 files: starss22, starss23, a file (one name a line) or a,b,c',
  },
  folds: {
    flags: '--folds <list>',
    description: 'with --dcase: recordings whose names start with these (e.g. fold3,fold4,fold5,fold6)',
    parse: stringList,
  },
  validationFolds: {
    flags: '--validation-folds <list>',
    description: 'with --dcase: validation recordings from the same folder (e.g. fold2)',
    parse: stringList,
  },
  outputFormat: {
    flags: '--output-format <events|dcase2020>',
    description:
      'events: one event list CSV (--out FILE); dcase2020: one DCASE 2020 output CSV per recording, frame,class,azimuth,elevation (--out DIR)',
    parse: oneOf(['events', 'dcase2020'] as const),
    aliases: ['--format'],
  },
  // Detector training
  scenes: { flags: '--scenes <dir>', description: 'scenes (scene_NNNN.wav + .csv, scenes.json)' },
  synthesize: {
    flags: '--synthesize <events-dir>',
    description: 'make training scenes on the fly from the mono clips in this folder',
  },
  validation: { flags: '--validation <dir>', description: 'validation scenes (scene_NNNN.wav + .csv, scenes.json)' },
  init: {
    flags: '--init <dir>',
    description: "start from this detector's weights and normalisation (fine-tuning; fresh optimizer)",
  },
  lrPatience: {
    flags: '--lr-patience <n>',
    description: 'halve the learning rate after this many epochs without a better validation score (default: never)',
    parse: positiveInt,
  },
  sequenceSeconds: {
    flags: '--sequence-seconds <s>',
    description: 'training excerpt length (0.5 to 600)',
    parse: numberWhere((x) => x >= 0.5 && x <= 600, 'a number of seconds from 0.5 to 600'),
  },
  freqMasks: {
    flags: '--freq-masks <n>',
    description: 'SpecAugment: frequency masks per training excerpt',
    parse: numberWhere((x) => Number.isInteger(x) && x >= 0, 'an integer >= 0'),
  },
  maxMaskBands: {
    flags: '--max-mask-bands <n>',
    description: 'SpecAugment: widest frequency mask (mel bands)',
    parse: positiveInt,
  },
  classBalance: {
    flags: '--class-balance <alpha>',
    description:
      "weigh each class's active frames in the loss by (its share of active frames / geometric mean share)^-alpha, so short or rare classes count more; 0 = off, 1 = all classes alike",
    parse: numberWhere((x) => x >= 0, 'a number >= 0, e.g. 0.5'),
  },
  convChannels: {
    flags: '--conv-channels <list>',
    description: 'channels of the conv blocks',
    parse: listOf(positiveInt),
  },
  gruUnits: { flags: '--gru-units <list>', description: 'units of the bidirectional GRUs', parse: listOf(positiveInt) },
  doaWeight: { flags: '--doa-weight <λ>', description: 'weight of the masked DOA loss', parse: nonNegativeNumber },
  output: {
    flags: '--output <two-head|accdoa>',
    description:
      'outputs: two-head (activities + directions, the DCASE 2019 baseline; default) or accdoa (one vector per class whose length is its activity, MSE loss, as in the DCASE 2021+ baselines)',
    parse: oneOf(DETECTOR_OUTPUTS),
  },
  pool: { flags: '--pool <n>', description: 'with --synthesize: scenes held in memory', parse: positiveInt },
  refresh: {
    flags: '--refresh <n>',
    description: 'with --synthesize: pool scenes replaced by new ones after each epoch',
    parse: positiveInt,
  },
  sceneSeconds: {
    flags: '--scene-seconds <s>',
    description: 'with --synthesize: scene length (1 to 3600)',
    parse: numberWhere((x) => x >= 1 && x <= 3600, 'a number of seconds from 1 to 3600'),
  },
  validationScenes: {
    flags: '--validation-scenes <n>',
    description: 'with --synthesize and no --validation: validation scenes to make',
    parse: positiveInt,
  },
  // Post-processing: one value (detect) or a list of values to try (tune-detector, train-detector)
  threshold: {
    flags: '--threshold <p>',
    description: "activity threshold (default: the model's, 0.5)",
    parse: openUnit,
  },
  thresholds: {
    flags: '--thresholds <list>',
    description: 'activity thresholds to try',
    parse: listOf(numberWhere((v) => v > 0 && v < 1, 'numbers in (0, 1)')),
  },
  minDuration: {
    flags: '--min-duration <s>',
    description: "shortest event kept (default: the model's)",
    parse: numberWhere((x) => x >= 0, '>= 0'),
  },
  minDurations: {
    flags: '--min-durations <list>',
    description: 'shortest-event settings (s) to try',
    parse: listOf(numberWhere((v) => v >= 0, 'numbers >= 0')),
  },
  minGap: {
    flags: '--min-gap <s>',
    description: "bridge gaps shorter than this within a class (default: the model's)",
    parse: numberWhere((x) => x >= 0, '>= 0'),
  },
  views: {
    flags: '--views <n>',
    description: "FOA: average 1, 2, 4, 8 or 16 rotated/mirrored views of each recording (default: the model's)",
    parse: viewCount,
  },
  viewList: {
    flags: '--views <list>',
    description: 'view counts to try (FOA: 1, 2, 4, 8, 16)',
    parse: listOf(viewCount),
  },
  hysteresis: {
    flags: '--hysteresis <r>',
    description:
      "in (0, 1]: events start at the threshold and continue while above r x threshold (default: the model's; 1 = one threshold)",
    parse: numberWhere((x) => x > 0 && x <= 1, 'in (0, 1]'),
  },
  hysteresisList: {
    flags: '--hysteresis <list>',
    description:
      'threshold hysteresis values to try (1 = one threshold; 0.5 = events continue down to half the threshold)',
    parse: listOf(numberWhere((x) => x > 0 && x <= 1, 'numbers in (0, 1]')),
  },
  frames: {
    flags: '--frames <csv>',
    description: 'also write the per-frame table (file,frame,onset,offset,class,probability,azimuth,elevation)',
  },
  // Event scoring
  ref: {
    flags: '--ref <path>',
    description:
      'reference events: an event list, a DCASE 2019 or 2020-2023 metadata CSV, a folder of them or a DCASE dataset folder',
  },
  classes: {
    flags: '--classes <list>',
    description: 'evaluated classes, comma-separated (default: those in either list); others are an error',
    parse: (v: string) => list(v),
  },
  frameLength: {
    flags: '--frame-length <s>',
    description: 'frame length for DOA, frame recall and location-aware metrics (0.01 to 10)',
    parse: numberWhere((x) => x >= 0.01 && x <= 10, 'a number of seconds from 0.01 to 10'),
  },
  doaThreshold: {
    flags: '--doa-threshold <deg>',
    description: 'threshold of the location-aware metrics (up to 180)',
    parse: numberWhere((x) => x > 0 && x <= 180, 'a number of degrees in (0, 180]'),
  },
} satisfies Record<string, FlagDef>;

export type FlagName = keyof typeof FLAGS;

/** Adds the named flags to `cmd`, in order; a string is the command's own help text, an object its options. */
export function addFlags(cmd: Command, flags: Partial<Record<FlagName, string | AddFlagOptions>>): Command {
  for (const [name, o] of Object.entries(flags)) {
    addFlag(cmd, FLAGS[name as FlagName] as FlagDef, typeof o === 'string' ? { description: o } : o);
  }
  return cmd;
}
