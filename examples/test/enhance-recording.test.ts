import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readWav } from '@gatewave/audio';

// The demo's enhancement step on the real recording from audio-lena, against the built packages.
test('examples/enhance-recording.js writes same-shape WAVs with a lower noise floor', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-example-recording-'));
  const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'enhance-recording.js'), '--out', out], {
    encoding: 'utf8',
  });
  expect(r.stderr).toMatch(/gatewave: backend/);
  expect(r.status).toBe(0);
  const input = readWav(path.join(path.dirname(require.resolve('audio-lena')), 'lena.wav'));
  const lines = r.stdout.split('\n').filter((l) => /RTF/.test(l));
  expect(lines.length).toBeGreaterThanOrEqual(1);
  for (const line of lines) {
    const [, file, drop] = /(\S+\.wav)\s+RTF [\d.]+\s+noise floor \S+ dBFS \((\S+) dB\)/.exec(line)!;
    // wiener lowers this recording's noise floor by about 11 dB; the default model by about 9.0 (its 16 dB attenuation
    // limit keeps part of the input: it trades noise removal for intelligibility).
    const least = line.startsWith('wiener') ? -6 : -2;
    const enhanced = readWav(file);
    expect(enhanced.sampleRate).toBe(input.sampleRate);
    expect(enhanced.channels.length).toBe(input.channels.length);
    expect(enhanced.channels[0].length).toBe(input.channels[0].length);
    expect(Number(drop)).toBeLessThan(least);
  }
  fs.rmSync(out, { recursive: true, force: true });
});
