/** Recording formats of scenes: what the synthesiser writes and the detector reads. */

/** Recording formats the synthesiser and the detector know. */
export type SceneFormat = 'foa' | 'mic4' | 'mono';

export const SCENE_FORMATS: readonly SceneFormat[] = ['foa', 'mic4', 'mono'];

/** Channels of each format. */
export function formatChannels(format: SceneFormat): number {
  return format === 'mono' ? 1 : 4;
}
