import { FRCRN_SMALL, type FrcrnConfig } from '../src';

/** A very small FRCRN (64-sample STFT, 4 channels) for tests that only need the model's wiring. */
export const TINY_FRCRN: FrcrnConfig = {
  ...FRCRN_SMALL,
  name: 'tiny',
  winLength: 64,
  hopLength: 32,
  nFft: 64,
  channels: [4, 4],
  timeOrder: 3,
};
