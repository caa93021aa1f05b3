/** `gatewave-audio average-models`: the mean of two shipped-format models, and its errors (exit 2, nothing written). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runAudioCli } from './audio-cli';

const MODELS = path.resolve(__dirname, '../models');
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-average-cli-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function floats(model: string): Float32Array {
  const b = fs.readFileSync(path.join(model, 'weights.bin'));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

test('two enhancer-small copies, one with its weights doubled, average 3:1 to 1.25 times the weights', () => {
  const small = path.join(MODELS, 'enhancer-small');
  const doubled = path.join(dir, 'doubled');
  fs.mkdirSync(doubled);
  fs.copyFileSync(path.join(small, 'model.json'), path.join(doubled, 'model.json'));
  fs.writeFileSync(path.join(doubled, 'weights.bin'), Buffer.from(floats(small).map((v) => 2 * v).buffer));
  const out = path.join(dir, 'mean');
  const r = runAudioCli(['average-models', small, doubled, '--weights', '3,1', '--out', out]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('0.7500 x');
  const [w, mean] = [floats(small), floats(out)];
  expect(mean.length).toBe(w.length);
  for (let i = 0; i < w.length; i += 97) expect(mean[i]).toBeCloseTo(1.25 * w[i], 6);
  const metadata = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8')).metadata;
  expect(metadata.kind).toBe('frcrn');
  expect(metadata.averagedFrom.map((a: { weight: number }) => a.weight)).toEqual([0.75, 0.25]);
});

test('bad input: models of other sizes, a zero weight, no --out: exit 2, a message, nothing written', () => {
  const out = path.join(dir, 'never');
  const small = path.join(MODELS, 'enhancer-small');
  const large = path.join(MODELS, 'enhancer-large');
  const mismatch = runAudioCli(['average-models', small, large, '--out', out]);
  expect(mismatch.status).toBe(2);
  expect(mismatch.stderr).toMatch(/enhancer-large is not the architecture of .*enhancer-small/);
  const zero = runAudioCli(['average-models', small, small, '--weights', '1,0', '--out', out]);
  expect(zero.status).toBe(2);
  expect(zero.stderr).toMatch(/--weights must be a positive number, got "0"/);
  const noOut = runAudioCli(['average-models', small, small]);
  expect(noOut.status).toBe(2);
  expect(noOut.stderr).toMatch(/--out/);
  expect(fs.existsSync(out)).toBe(false);
});
