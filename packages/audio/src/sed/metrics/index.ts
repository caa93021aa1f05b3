/** Sound event detection and localisation metrics: sed_eval's segment-based figures, DCASE 2019 and DCASE 2020. */
export { hungarian, angularDistance, toUnitVector, toDirection } from '../geometry';
export { eventsToFrames } from './frames';
export type { FrameTrack } from './frames';
export { SegmentBasedMetrics } from './segment';
export type { SegmentBasedResults } from './segment';
export { Seld2019Metrics } from './seld2019';
export type { Seld2019Results } from './seld2019';
export { LocationAwareMetrics } from './location-aware';
export type { LocationAwareResults } from './location-aware';
export { scoreEvents } from './score';
export type { EventScores, ScoreOptions } from './score';
