/** The DCASE parts of the sed commands: training sets from a dataset folder, output files, reading any event format. */
import { AudioError } from '../errors';
import { SoundEvent } from '../sed/events';
import { resolveClassNames, writeDcase2020Outputs } from '../sed/dcase';
import { dcaseSceneSet, readDcaseDataset, readEventsAnyFormat } from '../sed/dcase-dataset';
import type { SceneSet } from '../sed/train/scenes';
import type { SceneFormat } from '../sed/format';

export interface DcaseTrainingFlags {
  dcase?: string;
  classNames?: string;
  folds?: string[];
  validationFolds?: string[];
  validation?: string;
}

/**
 * The training and validation sets of `train-detector --dcase DIR`: `--folds` (default: all but the validation folds)
 * and `--validation-folds` (else `--validation`). Everything is read and checked here, before any training.
 */
export function dcaseTrainingSets(
  o: DcaseTrainingFlags,
  format: SceneFormat,
): { scenes: SceneSet; validation?: string | SceneSet } {
  const dir = o.dcase as string;
  const classes = o.classNames ? resolveClassNames(o.classNames) : undefined;
  const fmt = format === 'mono' ? undefined : format;
  const all = readDcaseDataset(dir, { format: fmt, classes });
  const names = (r: { name: string }) => r.name.split(/[\\/]/).pop() as string;
  const inFolds = (folds: readonly string[]) => all.recordings.filter((r) => folds.some((f) => names(r).startsWith(f)));
  // The class list is the whole dataset's, so that training and validation agree.
  const set = (recordings: typeof all.recordings, what: string): SceneSet => {
    if (recordings.length === 0) throw new AudioError('NO_SCENES', `${dir}: no recordings in the ${what}.`);
    return dcaseSceneSet({ ...all, recordings });
  };
  if (o.validationFolds) {
    if (o.validation) throw new AudioError('BAD_ARGUMENT', 'give --validation-folds or --validation, not both.');
    const val = inFolds(o.validationFolds);
    const train = o.folds ? inFolds(o.folds) : all.recordings.filter((r) => !val.includes(r));
    const overlap = train.filter((r) => val.includes(r));
    if (overlap.length)
      throw new AudioError('BAD_ARGUMENT', `${overlap[0].metadata} is in both the training and the validation folds.`);
    return {
      scenes: set(train, `training folds ${o.folds?.join(', ') ?? '(the rest)'}`),
      validation: set(val, `validation folds ${o.validationFolds.join(', ')}`),
    };
  }
  return {
    scenes: set(o.folds ? inFolds(o.folds) : all.recordings, `folds ${o.folds?.join(', ') ?? ''}`),
    validation: o.validation,
  };
}

/** Writes `detect`'s DCASE 2020 output files (one per input) into `dir`; classes by `--class-names` or the model's order. */
export function writeDcaseDetections(
  dir: string,
  inputs: readonly string[],
  events: readonly SoundEvent[],
  modelClasses: readonly string[],
  classNames?: string,
): string[] {
  return writeDcase2020Outputs(dir, inputs, events, classNames ? resolveClassNames(classNames) : modelClasses);
}

/** Reads `score-events`' reference or estimate in any event format (see `readEventsAnyFormat`). */
export function readScoredEvents(
  target: string,
  o: { classes?: string[]; classNames?: string },
  reference: boolean,
): SoundEvent[] {
  return readEventsAnyFormat(target, {
    classNames: o.classNames ? resolveClassNames(o.classNames) : undefined,
    classes: o.classes,
    allowNoEvents: !reference,
  });
}
