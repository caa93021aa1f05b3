import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './test-setup';

const LAUNCH = path.resolve(__dirname, '../launch.js');

/** Runs `launch(name, <pkg>/bin)` in a child process, for a package folder made in a temporary directory. */
function runLauncher(pkg: string, name: string) {
  const script = `require(${JSON.stringify(LAUNCH)}).launch(${JSON.stringify(name)}, ${JSON.stringify(path.join(pkg, 'bin'))})`;
  return spawnSync(process.execPath, ['-e', script, '--', 'a', 'b'], { encoding: 'utf8' });
}

describe('the shared launcher of the installed commands', () => {
  const tmp = tempDir('gatewave-launch-');

  test("runs the package's built dist/cli.js main with the process arguments", () => {
    const pkg = path.join(tmp, 'built');
    fs.mkdirSync(path.join(pkg, 'dist'), { recursive: true });
    fs.writeFileSync(
      path.join(pkg, 'dist', 'cli.js'),
      'exports.main = (argv) => process.stdout.write(JSON.stringify(argv.slice(-2)));',
    );
    const r = runLauncher(pkg, 'gatewave-test');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(['a', 'b']);
  });

  test('an unbuilt package: exit 1 and a message that says what to run', () => {
    const r = runLauncher(path.join(tmp, 'unbuilt'), 'gatewave-test');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^gatewave-test: the package is not built \(.*dist[\\/]cli\.js is missing\); run `npm run build`/,
    );
  });
});
