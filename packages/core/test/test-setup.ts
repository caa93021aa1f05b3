import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

/**
 * Setup that many test files share; other packages' tests import it from here too. Call these at the top of a test
 * file (or of a describe block, to scope them to it).
 */

/** A temporary folder for the tests that follow: made now, removed with all it holds after them. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `text` to `name` in `dir` and returns the file's path. */
export function writeIn(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** Puts tfjs on the cpu backend before the tests that follow (tests that compare numbers want the reference one). */
export function useCpuBackend(): void {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
}
