/**
 * Every flag of `gatewave-audio` (the detection ones in ./sed-flags.ts), spelled once with its parser and help text (the shared ones come from
 * `@gatewave/core/cli`, so they read the same in `gatewave-forecast`). Commands pick flags from this table by name and
 * may give their own help text and default. Earlier spellings are kept as hidden aliases for one release.
 */
import type { Command } from 'commander';
import {
  addFlag,
  AddFlagOptions,
  COMMON_FLAGS,
  FlagDef,
  listOf,
  nonNegativeNumber,
  numberWhere,
  oneOf,
  positiveInt,
  positiveNumber,
  stringList,
} from '@gatewave/core/cli';
import { range, SED_FLAGS } from './sed-flags';
import { MAX_SHIFTS } from '../enhance/shifts';

const unitShare = numberWhere((x) => x >= 0 && x <= 1, 'in [0, 1]');
const inputLevelDb = numberWhere((x) => x >= -80 && x <= 0, 'dBFS from -80 to 0');
const shiftCount = (what: string) => numberWhere((x) => Number.isInteger(x) && x >= 1 && x <= MAX_SHIFTS, what);

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
  shifts: {
    flags: '--shifts <n>',
    description:
      "average the network's output over this many shifts of its STFT frames, 1 to 8 (n times the compute; default: the model's own, 2 for the default model)",
    parse: shiftCount(`a whole number from 1 to ${MAX_SHIFTS}`),
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
  lossStoi: {
    flags: '--loss-stoi <weight>',
    description:
      'add this weight times (1 - a differentiable STOI of the output) to the loss, so that SI-SNR is not bought with intelligibility (default 0: none)',
    parse: numberWhere((x) => x >= 0 && x <= 1000, 'a number from 0 to 1000'),
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
  shiftCounts: {
    flags: '--shift-counts <list>',
    description: "also choose how many shifts of the STFT frames the network's output is averaged over, e.g. 1,2",
    parse: listOf(shiftCount(`whole numbers from 1 to ${MAX_SHIFTS}`)),
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
  weights: {
    flags: '--weights <list>',
    description: 'one positive weight per model, comma-separated, scaled to sum to 1 (default: all alike)',
    parse: listOf(positiveNumber),
  },
  keepEpochs: {
    flags: '--keep-epochs',
    description:
      'also keep the weights after every epoch, each as a model folder <out>.epochs/e<N> (for average-models, or to choose an epoch later)',
  },
  overwrite: {
    flags: '--overwrite',
    description: "write into an --out folder that holds other files too, replacing only gatewave's own files there",
  },
  ...SED_FLAGS,
} satisfies Record<string, FlagDef>;

export type FlagName = keyof typeof FLAGS;

/**
 * Adds the named flags to `cmd`, in order; a string is the command's own help text, an object its options. Each
 * flag's value is `opts()[name]`, also where two names share a spelling (`views` and `viewList` are both `--views`).
 */
export function addFlags(cmd: Command, flags: Partial<Record<FlagName, string | AddFlagOptions>>): Command {
  for (const [name, o] of Object.entries(flags)) {
    addFlag(cmd, FLAGS[name as FlagName] as FlagDef, {
      ...(typeof o === 'string' ? { description: o } : o),
      key: name,
    });
  }
  return cmd;
}
