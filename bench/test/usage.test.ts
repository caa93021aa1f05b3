/* eslint-disable @typescript-eslint/no-require-imports */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';

const { leadingComment } = require('../usage');

const scripts = ['audio', 'forecast', 'jobs', 'kernels', 'panel-memory', 'run', 'sed'];

describe('benchmark --help', () => {
  test('leadingComment reads // and /** */ headers after a #! line, and stops at the first code line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-usage-'));
    const a = path.join(dir, 'a.js');
    fs.writeFileSync(a, '#!/usr/bin/env node\n// one\n//   two\nconst x = 1; // not this\n');
    const b = path.join(dir, 'b.js');
    fs.writeFileSync(b, '/**\n * first\n * second\n */\n// after the block\nmodule.exports = 1;\n');
    expect(leadingComment(a)).toBe('one\n  two');
    expect(leadingComment(b)).toBe('first\nsecond');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test.each(scripts)('bench/%s.js --help prints its usage and exits 0 without starting work', (name) => {
    const file = path.join(__dirname, '..', `${name}.js`);
    const r = spawnSync(process.execPath, [file, '--help'], { encoding: 'utf8', timeout: 30000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${leadingComment(file)}\n`);
    expect(r.stdout.length).toBeGreaterThan(80);
    expect(r.stderr).not.toMatch(/backend/); // no package was loaded (initBackend prints its choice)
  });
});
