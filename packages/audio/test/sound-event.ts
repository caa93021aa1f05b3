import { SoundEvent } from '../src/sed/events';

/** A sound event; no direction unless given. */
export function ev(
  file: string,
  onset: number,
  offset: number,
  cls: string,
  az: number | null = null,
  el: number | null = null,
): SoundEvent {
  return { file, onset, offset, class: cls, azimuth: az, elevation: el };
}
