/** The shipped small FRCRN network and a temporary folder, shared by a test file's tests. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '@gatewave/core';
import { loadFrcrnEnhancer, SMALL_MODEL_DIR } from '../src';
import type { FrcrnEnhancer } from '../src/enhance/frcrn-enhancer';

/**
 * A temporary folder (made now) and the shipped small network (loaded before the file's tests); both are freed after
 * them. Call at the top of a test file.
 */
export function smallNetworkFixture(prefix: string): { tmp: string; network: () => FrcrnEnhancer } {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  let small: FrcrnEnhancer | undefined;
  beforeAll(async () => {
    await initBackend(undefined, { quiet: true });
    small = await loadFrcrnEnhancer(SMALL_MODEL_DIR);
  });
  afterAll(() => {
    small?.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  return { tmp, network: () => small! };
}
