import * as fs from 'fs';
import * as path from 'path';

function tempName(target: string): string {
  const dir = path.dirname(target);
  const base = path.basename(target);
  return path.join(dir, `.${base}.tmp-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
}

/**
 * Writes `data` to `file` through a temporary file in the same directory and a rename, so a crash never leaves a
 * half-written file behind. Creates the parent directory.
 */
export function atomicWriteFile(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = tempName(path.resolve(file));
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Fills a fresh temporary directory through `fill(tmpDir)`, then moves it to `dir` in one rename (a previous `dir`
 * is replaced only after the new one is complete). On failure nothing at `dir` changes.
 */
export async function atomicWriteDir(dir: string, fill: (tmpDir: string) => Promise<void> | void): Promise<void> {
  const target = path.resolve(dir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = tempName(target);
  fs.mkdirSync(tmp);
  try {
    await fill(tmp);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  if (fs.existsSync(target)) {
    const old = tempName(target);
    fs.renameSync(target, old);
    fs.renameSync(tmp, target);
    fs.rmSync(old, { recursive: true, force: true });
  } else {
    fs.renameSync(tmp, target);
  }
}
