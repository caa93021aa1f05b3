import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';

// The library must not depend on its command line: nothing outside src/cli.ts and src/cli/ imports CLI code or
// commander (a type-only import is erased), and loading the built package loads no CLI module.
const src = path.resolve(__dirname, '../src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const isCli = (file: string) => file === path.join(src, 'cli.ts') || file.startsWith(path.join(src, 'cli') + path.sep);

test('no library module imports CLI code or commander', () => {
  const library = sourceFiles(src).filter((f) => !isCli(f));
  expect(library.length).toBeGreaterThan(20);
  const offenders: string[] = [];
  for (const file of library) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)';/gms)) {
      const [, typeOnly, spec] = m;
      const target = spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : spec;
      const cli = spec.startsWith('.')
        ? isCli(`${target}.ts`) || isCli(path.join(target, 'index.ts'))
        : spec === '@gatewave/core/cli';
      if (cli || (spec === 'commander' && !typeOnly)) offenders.push(`${path.relative(src, file)} imports ${spec}`);
    }
  }
  expect(offenders).toEqual([]);
});

test('the checker above catches a library module that imports the CLI', () => {
  // The same regular expression on a made-up module: a value import of ../cli/sed must be found.
  const text = "import { registerSedCommands } from '../cli/sed';\nimport type { Command } from 'commander';\n";
  const found = [...text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)';/gms)].map((m) => [Boolean(m[1]), m[2]]);
  expect(found).toEqual([
    [false, '../cli/sed'],
    [true, 'commander'],
  ]);
  expect(isCli(path.resolve(src, 'sed', '../cli/sed') + '.ts')).toBe(true);
});

const built = path.resolve(__dirname, '../dist/index.js');
(fs.existsSync(built) ? test : test.skip)("require('@gatewave/audio') loads no CLI module and not commander", () => {
  const script = `require(${JSON.stringify(built)}); console.log(JSON.stringify(Object.keys(require.cache)));`;
  const r = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { ...process.env, GATEWAVE_BACKEND: 'cpu' },
  });
  expect(r.status).toBe(0);
  const loaded = JSON.parse(r.stdout.trim().split('\n').pop()!) as string[];
  expect(loaded.some((f) => f.includes(`${path.sep}audio${path.sep}dist${path.sep}sed${path.sep}`))).toBe(true);
  const cli = loaded.filter(
    (f) =>
      /[\\/]dist[\\/](cli(\.js|[\\/])|(.*[\\/])?commands\.js)/.test(f) ||
      /[\\/]node_modules[\\/]commander[\\/]/.test(f),
  );
  expect(cli).toEqual([]);
});
