/**
 * Property tests of the WAV reader: random bytes, and random mutations of valid WAV files (header fields, sizes,
 * truncation), either decode into finite audio or raise an AudioError (gatewave's own error, with a code) - never
 * another exception, never a hang.
 */
import fc from 'fast-check';
import { AudioError, decodeWav, encodeWav } from '../src';

function validWav(format: 'pcm16' | 'float32', channels: number): Uint8Array {
  const n = 300;
  const data = Array.from({ length: channels }, (_, c) =>
    Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((i + c) / 7)),
  );
  return encodeWav({ sampleRate: 16000, channels: data }, { format });
}

function decodesOrRejectsCleanly(bytes: Uint8Array): boolean {
  try {
    const a = decodeWav(bytes, 'fuzz.wav');
    expect(a.sampleRate).toBeGreaterThan(0);
    expect(a.channels.length).toBeGreaterThan(0);
    for (const c of a.channels) for (const v of c) expect(Number.isFinite(v)).toBe(true);
    return true;
  } catch (err) {
    if (!(err instanceof AudioError)) throw err;
    expect(err.code).toMatch(/^[A-Z_]+$/);
    return false;
  }
}

describe('the WAV reader never crashes', () => {
  test('valid files decode', () => {
    expect(decodesOrRejectsCleanly(validWav('pcm16', 1))).toBe(true);
    expect(decodesOrRejectsCleanly(validWav('float32', 2))).toBe(true);
  });

  test('random bytes, with and without a RIFF/WAVE header: decoded or an AudioError', () => {
    const riff = Uint8Array.from(Buffer.from('RIFF\u0000\u0000\u0000\u0000WAVE', 'latin1'));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, header) => {
        const b = header ? Uint8Array.from([...riff, ...bytes]) : bytes;
        decodesOrRejectsCleanly(b);
      }),
      { numRuns: 300, interruptAfterTimeLimit: 20000 },
    );
  });

  test('random byte changes and truncations of valid files: decoded or an AudioError', () => {
    const bases = [validWav('pcm16', 1), validWav('float32', 2)];
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1),
        fc.array(fc.record({ at: fc.nat({ max: 80 }), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 8 }),
        fc.option(fc.nat(), { nil: undefined }),
        (which, changes, cut) => {
          const b = Uint8Array.from(bases[which]);
          // Mostly in the header (the first 80 bytes), where sizes and formats live.
          for (const c of changes) b[c.at % b.length] = c.value;
          decodesOrRejectsCleanly(cut === undefined ? b : b.subarray(0, cut % b.length));
        },
      ),
      { numRuns: 400, interruptAfterTimeLimit: 20000 },
    );
  });
});
