/**
 * The Node atomic-write functions under the same names in a browser, which has no folders to write: each says what to
 * do instead. Library code shared by Node and the browser (e.g. a forecaster's `save`) imports them from
 * `@gatewave/core` in both; in a page only the call fails, with this message, not the import.
 */
import { GatewaveError } from '../errors';

/** Needs a file system: in a browser offer the bytes as a download (a Blob and an `<a download>` link). */
export function atomicWriteFile(file: string, _data: string | Uint8Array): void {
  throw new GatewaveError(
    'NOT_IN_BROWSER',
    `atomicWriteFile("${file}") writes a file on disk, which a browser cannot; offer the data as a download instead.`,
  );
}

/** Needs a file system: a model folder cannot be written from a browser; save it with the Node package. */
export async function atomicWriteDir(dir: string, _fill: (tmpDir: string) => Promise<void> | void): Promise<void> {
  throw new GatewaveError(
    'NOT_IN_BROWSER',
    `atomicWriteDir("${dir}") writes a folder on disk, which a browser cannot; save models with the Node package (e.g. gatewave-forecast train --out DIR).`,
  );
}
