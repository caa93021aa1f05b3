/** Running the built `gatewave-audio` command line as a user would, on the cpu backend (tests of the CLI layer). */
import * as path from 'path';
import { spawnSync, type SpawnSyncReturns } from 'child_process';

const CLI = path.resolve(__dirname, '../dist/cli.js');

/** `gatewave-audio ARGS...`: exit status, stdout and stderr as text. */
export function runAudioCli(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, GATEWAVE_BACKEND: 'cpu' },
  });
}
