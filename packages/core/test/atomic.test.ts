import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { atomicWriteDir, atomicWriteFile, checkOutputDir, checkOutputFile, GatewaveError } from '../src';

/** What a folder holds, recursively, as sorted relative paths. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const name of fs.readdirSync(d)) {
      const p = path.join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      if (fs.statSync(p).isDirectory()) walk(p, r);
      else out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}

const writeModel =
  (v: string) =>
  (tmp: string): void => {
    fs.writeFileSync(path.join(tmp, 'model.json'), JSON.stringify({ format: 'gatewave-model', formatVersion: 1, v }));
    fs.writeFileSync(path.join(tmp, 'weights.bin'), v);
  };

describe('atomicWriteDir never removes what gatewave did not write', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-atomic-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('creates a new folder, then replaces its own previous output whole', async () => {
    const out = path.join(root, 'm');
    await atomicWriteDir(out, writeModel('1'));
    await atomicWriteDir(out, writeModel('2'));
    expect(tree(root)).toEqual(['m/model.json', 'm/weights.bin']);
    expect(fs.readFileSync(path.join(out, 'weights.bin'), 'utf8')).toBe('2');
  });

  test('an existing folder of other files is an error and stays as it was', async () => {
    fs.writeFileSync(path.join(root, 'data.csv'), 'date,x\n');
    await expect(atomicWriteDir(root, writeModel('1'))).rejects.toMatchObject({
      code: 'OUTPUT_EXISTS',
      message: expect.stringContaining('data.csv'),
    });
    expect(tree(root)).toEqual(['data.csv']);
  });

  test('--overwrite on a folder of other files replaces only gatewave files', async () => {
    fs.writeFileSync(path.join(root, 'data.csv'), 'keep');
    fs.writeFileSync(path.join(root, 'weights.bin'), 'old');
    await atomicWriteDir(root, writeModel('new'), { overwrite: true });
    expect(tree(root)).toEqual(['data.csv', 'model.json', 'weights.bin']);
    expect(fs.readFileSync(path.join(root, 'data.csv'), 'utf8')).toBe('keep');
    expect(fs.readFileSync(path.join(root, 'weights.bin'), 'utf8')).toBe('new');
  });

  test('a gatewave model with a user file added: error without --overwrite, the user file kept with it', async () => {
    const out = path.join(root, 'm');
    await atomicWriteDir(out, writeModel('1'));
    fs.writeFileSync(path.join(out, 'notes.txt'), 'mine');
    await expect(atomicWriteDir(out, writeModel('2'))).rejects.toMatchObject({
      code: 'OUTPUT_EXISTS',
      message: expect.stringContaining('notes.txt'),
    });
    await atomicWriteDir(out, writeModel('2'), { overwrite: true });
    expect(tree(out)).toEqual(['model.json', 'notes.txt', 'weights.bin']);
    expect(fs.readFileSync(path.join(out, 'weights.bin'), 'utf8')).toBe('2');
  });

  test('a file at the output path is never replaced, even with overwrite', async () => {
    const f = path.join(root, 'series.csv');
    fs.writeFileSync(f, 'date,x\n');
    for (const overwrite of [false, true]) {
      await expect(atomicWriteDir(f, writeModel('1'), { overwrite })).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    }
    expect(fs.readFileSync(f, 'utf8')).toBe('date,x\n');
    expect(tree(root)).toEqual(['series.csv']);
  });

  test('output equal to an input, or a folder holding one, is an error', async () => {
    const csv = path.join(root, 'in.csv');
    fs.writeFileSync(csv, 'x');
    expect(() => checkOutputDir(csv, { inputs: [csv] })).toThrow(/also an input/);
    expect(() => checkOutputDir(root, { inputs: [csv], overwrite: true })).toThrow(/holds an input/);
    expect(() => checkOutputFile(csv, { inputs: [csv], flag: '--out' })).toThrow(/--out .* is also an input/);
  });

  test('an empty folder is used; a failed fill leaves nothing behind', async () => {
    const out = path.join(root, 'empty');
    fs.mkdirSync(out);
    await expect(
      atomicWriteDir(out, () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(tree(root)).toEqual([]);
    expect(fs.readdirSync(root)).toEqual(['empty']);
    await atomicWriteDir(out, writeModel('1'));
    expect(tree(root)).toEqual(['empty/model.json', 'empty/weights.bin']);
  });

  test("a path under a file is reported up front as not writable, with gatewave's error", () => {
    const f = path.join(root, 'file');
    fs.writeFileSync(f, '');
    let err: unknown;
    try {
      checkOutputDir(path.join(f, 'sub', 'model'), { flag: '--out' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewaveError);
    expect((err as GatewaveError).code).toBe('OUTPUT_NOT_WRITABLE');
    expect((err as Error).message).toMatch(/--out .*is a file, not a folder/);
  });

  test("atomicWriteFile onto a folder or under a file fails with gatewave's error and leaves no temp file", () => {
    fs.mkdirSync(path.join(root, 'd'));
    expect(() => atomicWriteFile(path.join(root, 'd'), 'x')).toThrow(GatewaveError);
    fs.writeFileSync(path.join(root, 'f'), 'x');
    expect(() => atomicWriteFile(path.join(root, 'f', 'out.csv'), 'y')).toThrow(
      expect.objectContaining({ code: 'WRITE_FAILED' }),
    );
    expect(tree(root)).toEqual(['f']);
  });
});
