/** Scene synthesis: spatial encoding, event clips, augmentation, and whole scenes. */
export {
  MIC4_RADIUS,
  MIC4_CAPSULES,
  SPEED_OF_SOUND,
  foaGains,
  mic4Delays,
  fractionalDelay,
  spatialize,
  diffuseNoise,
  diffuseAmbience,
  rms,
} from './spatial';
export { convolveMany, randomEqCurve, randomEqualize, reverberate } from './augment';
export { activeSpans, clipActivity, ACTIVE_DB, BRIDGED_GAP_SECONDS } from './activity';
export type { ClipActivity } from './activity';
export { clipClasses, loadEventClips, loadAmbience, loadInterferers } from './clips';
export type { EventClip, LoadClipsOptions } from './clips';
export { AZIMUTH_GRID, ELEVATION_GRID, synthesizeScene, synthesizeScenes } from './scene';
export type { SceneOptions, Scene, SynthesizeScenesOptions, SceneManifest, SceneAugmentation } from './scene';
export { SCENE_FORMATS } from '../format';
export type { SceneFormat } from '../format';
