/**
 * Property tests of the CSV reader: random bytes, and random mutations of a valid CSV, either parse into a regular
 * series or raise a ForecastError (gatewave's own error, with a code) - never another exception, never a hang.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { ForecastError, readCsv } from '@gatewave/forecast';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-csv-fuzz-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const VALID = [
  'date,load,OT',
  ...Array.from(
    { length: 40 },
    (_, i) =>
      `2020-01-0${1 + Math.floor(i / 24)} ${String(i % 24).padStart(2, '0')}:00:00,${(i * 0.37).toFixed(2)},${(10 + Math.sin(i)).toFixed(3)}`,
  ),
].join('\n');

/** Pieces a mutation inserts: delimiters, quotes, line breaks, NA tokens, extreme numbers, bytes that are not UTF-8. */
const PIECES = [
  ',',
  ';',
  '\t',
  '"',
  '\n',
  '\r\n',
  '',
  'NaN',
  'NA',
  '-9999',
  '1e999',
  '1e300',
  'Infinity',
  'x',
  '2020-13-45',
  'Z',
  '+01:00',
  '\u0000',
  '\uFEFF',
  '\uFFFD',
  ' ',
];

type Mutation = { at: number; cut: number; insert: string };
const mutation = fc.record({
  at: fc.nat(),
  cut: fc.nat({ max: 12 }),
  insert: fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 6 })),
});

function mutate(text: string, ms: Mutation[]): string {
  let t = text;
  for (const m of ms) {
    const at = m.at % (t.length + 1);
    t = t.slice(0, at) + m.insert + t.slice(at + m.cut);
  }
  return t;
}

let n = 0;
/** Reads `content` as a CSV: true when it parsed, false when it raised a ForecastError; anything else fails the test. */
async function parsesOrRejectsCleanly(content: string | Uint8Array, options = {}): Promise<boolean> {
  const file = path.join(tmp, `f${n++}.csv`);
  fs.writeFileSync(file, content);
  try {
    const s = await readCsv(file, options);
    // A parsed series is regular and finite after filling.
    expect(s.length).toBeGreaterThanOrEqual(2);
    expect(s.values.length).toBe(s.length * s.columns.length);
    for (const v of s.values) expect(Number.isFinite(v)).toBe(true);
    for (let i = 1; i < s.length; i++) expect(s.times[i] - s.times[i - 1]).toBe(s.frequency.stepMs);
    return true;
  } catch (err) {
    if (!(err instanceof ForecastError)) throw err;
    expect(err.code).toMatch(/^[A-Z_]+$/);
    expect(err.message.length).toBeGreaterThan(10);
    return false;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

describe('the CSV reader never crashes', () => {
  test('the unmutated file parses', async () => {
    expect(await parsesOrRejectsCleanly(VALID)).toBe(true);
  });

  test('random bytes: parsed or a ForecastError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => {
        await parsesOrRejectsCleanly(bytes);
      }),
      { numRuns: 150, interruptAfterTimeLimit: 30000 },
    );
  }, 60000);

  test('random mutations of a valid CSV: parsed or a ForecastError, under every duplicate rule', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.constantFrom('error', 'first', 'mean'),
        async (ms, duplicates) => {
          await parsesOrRejectsCleanly(mutate(VALID, ms), { duplicates, maxGap: 100 });
        },
      ),
      { numRuns: 300, interruptAfterTimeLimit: 30000 },
    );
  }, 60000);
});
