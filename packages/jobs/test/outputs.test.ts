import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  checkInputs,
  checkOutputDir,
  commitOutput,
  isComplete,
  removeLeftovers,
  tempOutputName,
  writeOutputOnce,
} from '../src/outputs';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-outputs-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('commitOutput lands the first attempt and never overwrites: the second returns false and leaves the file', () => {
  const out = path.join(dir, 'a_enhanced.wav');
  const t1 = tempOutputName(out, 'b-1', 1);
  fs.writeFileSync(t1, 'first');
  expect(isComplete(out)).toBe(false);
  expect(commitOutput(t1, out)).toBe(true);
  const inode = fs.statSync(out).ino;
  const t2 = tempOutputName(out, 'b-1', 2);
  fs.writeFileSync(t2, 'second');
  expect(commitOutput(t2, out)).toBe(false);
  expect(fs.readFileSync(out, 'utf8')).toBe('first');
  expect(fs.statSync(out).ino).toBe(inode);
  expect(fs.readdirSync(dir)).toEqual(['a_enhanced.wav']);
});

test("writeOutputOnce does not replace a file that is there (a user's file is safe)", () => {
  const out = path.join(dir, 'sub', 'events.csv');
  expect(writeOutputOnce(out, 'mine')).toBe(true);
  expect(writeOutputOnce(out, 'theirs')).toBe(false);
  expect(fs.readFileSync(out, 'utf8')).toBe('mine');
});

test('removeLeftovers removes only temporary names of this output', () => {
  const out = path.join(dir, 'x.wav');
  const temp = tempOutputName(out, 'b-3', 1);
  fs.writeFileSync(temp, '');
  fs.writeFileSync(path.join(dir, `.${path.basename(temp)}.tmp-123-abc`), ''); // a writer's temp renamed into ours
  fs.writeFileSync(path.join(dir, 'x.wav.bak'), 'user');
  fs.writeFileSync(path.join(dir, '.xy.wav.gatewave-job-b-1-1-1'), 'other output');
  fs.writeFileSync(out, 'done');
  expect(removeLeftovers(out)).toBe(2);
  expect(fs.readdirSync(dir).sort()).toEqual(['.xy.wav.gatewave-job-b-1-1-1', 'x.wav', 'x.wav.bak']);
});

test('checkInputs gives absolute paths and refuses what cannot be read', () => {
  fs.writeFileSync(path.join(dir, 'a.wav'), '');
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    expect(checkInputs(['a.wav'])).toEqual([path.join(process.cwd(), 'a.wav')]);
  } finally {
    process.chdir(cwd);
  }
  expect(() => checkInputs([path.join(dir, 'missing.wav')])).toThrow(
    /missing\.wav: cannot be read here \(ENOENT\).*shared mount\). Nothing was enqueued/,
  );
  expect(() => checkInputs([dir])).toThrow(/is not a file/);
});

test('checkOutputDir creates the folder, and refuses one that cannot be written', () => {
  const out = path.join(dir, 'new', 'out');
  expect(checkOutputDir(out)).toBe(out);
  expect(fs.readdirSync(out)).toEqual([]);
  fs.writeFileSync(path.join(dir, 'file'), '');
  expect(() => checkOutputDir(path.join(dir, 'file', 'out'))).toThrow(
    /the output folder cannot be written \((ENOTDIR|EEXIST)\)/,
  );
});
