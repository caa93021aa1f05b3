import { GatewaveError } from '@gatewave/core';

/**
 * Stable, machine-readable reasons an audio call can fail. Every message also says what was wrong, where (file,
 * line, flag) and what to do about it.
 */
export type AudioErrorCode =
  // arguments and files
  | 'BAD_ARGUMENT' // an option or argument out of range or of the wrong kind
  | 'FILE_NOT_FOUND' // an input file or folder that is not there
  | 'NO_INPUT' // a batch none of whose input files could be read
  | 'OUTPUT_IS_INPUT' // an output that would overwrite one of the run's inputs
  | 'READ_FAILED' // a file that exists but cannot be read
  // WAV files and audio
  | 'NOT_WAV' // not a RIFF/WAVE file
  | 'TRUNCATED' // a WAV file cut short
  | 'UNSUPPORTED_ENCODING' // a WAV sample format gatewave does not read
  | 'EMPTY_AUDIO' // no samples
  | 'NAN_SAMPLES' // NaN or infinite samples
  | 'TOO_SHORT' // shorter than the computation needs (e.g. STOI's 1 s)
  | 'TOO_LONG' // audio too long for one WAV file (4 GiB)
  | 'SILENT_REFERENCE' // a reference below -100 dBFS: scores against it mean nothing
  | 'RATE_MISMATCH' // two signals that should share a sample rate do not
  | 'LENGTH_MISMATCH' // two signals that should share a length do not
  | 'CHANNEL_MISMATCH' // two signals that should share a channel count do not
  | 'BAD_CHANNELS' // a channel count the model or format does not take
  // models and training
  | 'MODEL_NOT_FOUND' // no model at the path or URL
  | 'MODEL_CORRUPT' // a model folder whose files disagree or cannot be parsed
  | 'NO_CHECKPOINT' // --resume without a checkpoint
  | 'TRAINING_DIVERGED' // the loss became NaN or infinite
  // sound event detection: labels, scenes, DCASE files
  | 'BAD_LABELS' // a label or event file with a bad row
  | 'EMPTY_LABELS' // a label file without events
  | 'UNKNOWN_CLASS' // an event class the model or class list does not have
  | 'UNKNOWN_FILE' // estimated events for a file that has no reference events
  | 'NO_SCENES' // a scene folder without scenes
  | 'NO_DIRECTIONS' // location-aware metrics on events without azimuth and elevation
  | 'SYNTHESIS_FAILED' // scene synthesis failed in its worker thread
  | 'DCASE_MISMATCH' // a DCASE folder whose parts do not match (audio vs metadata)
  | 'BAD_DIRECTION' // an azimuth or elevation out of range
  | 'BEYOND_AUDIO'; // an event past the end of its recording

/** The one error class of @gatewave/audio (a GatewaveError, so every gatewave command line reports it alike). */
export class AudioError extends GatewaveError {
  declare readonly code: AudioErrorCode;

  constructor(code: AudioErrorCode, message: string) {
    super(code, message);
    this.name = 'AudioError';
  }
}

/** Throws an AudioError with code `BAD_ARGUMENT` unless `ok`. */
export function checkArg(ok: unknown, what: string, message: string): asserts ok {
  if (!ok) throw new AudioError('BAD_ARGUMENT', `${what}: ${message}`);
}

/**
 * `check()` of a value read from a model's metadata, with its error turned into MODEL_CORRUPT naming the model
 * (`where`) and the entry (e.g. `inputLevel`).
 */
export function checkedMetadata<T>(where: string, entry: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    throw new AudioError('MODEL_CORRUPT', `${where}: metadata.${entry}: ${(err as Error).message}`);
  }
}
