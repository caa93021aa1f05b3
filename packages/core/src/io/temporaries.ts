import * as fs from 'fs';

/**
 * Temporary files and folders that a write in progress owns (a WAV being streamed, a model folder being filled).
 * They are registered while they exist, so that an interrupted run (Ctrl-C, SIGTERM) can remove them before it exits
 * instead of leaving hidden `.tmp` files behind.
 */
const open = new Set<string>();

/** Registers a temporary path; `releaseTemporary` unregisters it once it is renamed into place or removed. */
export function trackTemporary(p: string): void {
  open.add(p);
}

export function releaseTemporary(p: string): void {
  open.delete(p);
}

/** Removes every registered temporary path (those already gone are skipped); returns the ones removed. */
export function removeTemporaries(): string[] {
  const removed: string[] = [];
  for (const p of open) {
    try {
      if (fs.existsSync(p)) {
        fs.rmSync(p, { recursive: true, force: true });
        removed.push(p);
      }
    } catch {
      // best effort: the process is exiting
    }
  }
  open.clear();
  return removed;
}
