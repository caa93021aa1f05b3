/** The flags of `gatewave-audio`'s detection commands: scenes, DCASE data, detector training, post-processing, scoring. */
import {
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

const viewCount = numberWhere(
  (x) => (FOA_VIEW_COUNTS as readonly number[]).includes(x),
  `one of ${FOA_VIEW_COUNTS.join(', ')}`,
);

/** `lo,hi` with 0 < lo <= hi (a playback speed range). */
const speedRange = rangeOf((x) => x > 0, '0 < lo <= hi', '0.9,1.1');

/** `lo,hi` with lo <= hi, any real numbers (a dB or seconds range). */
export const range = rangeOf(() => true, 'lo <= hi', '-10,10');

export const SED_FLAGS = {
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
  interferers: {
    flags: '--interferers <dir>',
    description:
      'augmentation: unlabelled sounds of no class, from the mono recordings in this folder, placed like events in every scene (default: none)',
  },
  interfererRate: {
    flags: '--interferer-rate <n>',
    description: 'with --interferers: interferers per second of scene (default: 0.1)',
    parse: positiveNumber,
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
