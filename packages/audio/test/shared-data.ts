import * as fs from 'fs';
import * as path from 'path';

/** /work/shared/data, resolved from packages/audio/test. */
export const SHARED = path.resolve(__dirname, '../../../../shared/data');
export const HAS_SHARED = fs.existsSync(path.join(SHARED, 'golden', 'golden.json'));
/** describe, or describe.skip with the reason in the name when ../shared is missing. */
export const describeShared = HAS_SHARED
  ? describe
  : (name: string, fn: () => void) => describe.skip(`${name} (skipped: ${SHARED} not found)`, fn);

/** A folder of ../shared/data, and whether `marker` is in it (the tests that need the folder skip without it). */
export function sharedFolder(name: string, marker: string): { dir: string; present: boolean } {
  const dir = path.join(SHARED, name);
  return { dir, present: fs.existsSync(path.join(dir, marker)) };
}
