/* eslint-disable @typescript-eslint/no-require-imports */
import * as path from 'path';
import { execFileSync } from 'child_process';

const { activeRegion, excluded, keepClasses, parseLine } = require('../events');
const { RULES, AMBIENCE, INTERFERERS, RESERVED, SHARED_CLASSES } = require('../events-sources');

describe('event corpus', () => {
  test('activeRegion: 20 ms frames within floorDb of the loudest one', () => {
    // 1 kHz rate, 20-sample frames: silence, a -40 dB frame, two loud frames, a -60 dB frame, silence
    const x = new Float32Array(120);
    for (let i = 20; i < 40; i++) x[i] = 0.01;
    for (let i = 40; i < 80; i++) x[i] = 1;
    for (let i = 80; i < 100; i++) x[i] = 0.001;
    expect(activeRegion(x, 1000, 45)).toMatchObject({ first: 20, last: 80 });
    expect(activeRegion(x, 1000, 30)).toMatchObject({ first: 40, last: 80 });
    expect(activeRegion(x, 1000, 70)).toMatchObject({ first: 20, last: 100 });
  });

  test('keepClasses: at least 4 recordings and one in every split', () => {
    const it = (label: string, split: string) => ({ label, split });
    const items = [
      ...['train', 'train', 'validation', 'test'].map((s) => it('dog', s)),
      ...['train', 'train', 'train', 'validation'].map((s) => it('cat', s)),
      ...['train', 'validation', 'test'].map((s) => it('cow', s)),
    ];
    expect(keepClasses(items, () => {}).map((x: { label: string }) => x.label)).toEqual(['dog', 'dog', 'dog', 'dog']);
  });

  test('the sources never use a reserved package, and split every class three ways', () => {
    for (const r of [...RULES, ...AMBIENCE]) expect(RESERVED.some((re: RegExp) => re.test(r.pkg))).toBe(false);
    for (const r of RULES) expect(['train', 'validation', 'test']).toContain(r.split);
    const classes = new Set(RULES.map((r: { label: string }) => r.label));
    for (const c of classes) {
      const splits = new Set(
        RULES.filter((r: { label: string }) => r.label === c).map((r: { split: string }) => r.split),
      );
      if (!SHARED_CLASSES.includes(c)) expect(splits.has('train')).toBe(true);
      expect(splits.has('validation') && splits.has('test')).toBe(true);
    }
    expect(parseLine('a.wav,dog,"x, y",3')).toEqual(['a.wav', 'dog', 'x, y', '3']);
  });

  test('interferers: never a reserved package, a package that gives validation or test events, or a named class', () => {
    const eventSplits = (pkg: string) =>
      new Set(
        [...RULES, ...AMBIENCE].filter((r: { pkg: string }) => r.pkg === pkg).map((r: { split: string }) => r.split),
      );
    for (const r of INTERFERERS) {
      expect(RESERVED.some((re: RegExp) => re.test(r.pkg))).toBe(false);
      expect(r.label).toBe('interferer');
      // training interferers come from packages whose every event and ambience recording is on the training side
      if (r.split === 'train') expect([...eventSplits(r.pkg)].every((s) => s === 'train')).toBe(true);
      else expect(r.split).toBe('test');
    }
    const rule = INTERFERERS.find((r: { pkg: string }) => r.pkg === 'flare-game');
    const event = { pkg: 'flare-game', re: /soundfx\/door_open\.ogg$/, label: 'door' };
    const rules = [rule, event];
    const at = (name: string) => `usr/share/games/flare/mods/fantasycore/soundfx/${name}`;
    // the file's name or its folder's names a class: left out
    for (const name of ['steps/step_cloth1.ogg', 'environment/rain.ogg', 'NYX/NYX_STEP_DIRT1.ogg', 'dog_bark.ogg'])
      expect(excluded(rule, at(name), rules)).toBe(true);
    // an event rule of the package takes it: left out, though the pattern would not catch it
    expect(excluded(rule, at('door_open.ogg'), [rule, { ...event, re: /door_open/ }])).toBe(true);
    expect(excluded(rule, at('enemies/goblin_hit.ogg'), [rule, { ...event, re: /goblin_hit/ }])).toBe(true);
    // other sounds stay, and so do the package's folders that merely contain a class word (widelands: "land")
    for (const name of ['enemies/goblin_hit.ogg', 'environment/bird_twitter_loop.ogg', 'powers/fireball.ogg'])
      expect(excluded(rule, at(name), rules)).toBe(false);
    expect(excluded(rule, 'usr/share/games/widelands/data/sound/animals/bird1_00.ogg', rules)).toBe(false);
    // rules without a pattern (events, ambience) exclude nothing
    expect(excluded(event, at('door_open.ogg'), rules)).toBe(false);
  });

  test('--help prints the usage and exits 0; bad options exit 2', () => {
    const script = path.resolve(__dirname, '../events.js');
    expect(execFileSync(process.execPath, [script, '--help']).toString()).toMatch(
      /^Usage: npm run data:events -- --out DIR/,
    );
    let status = 0;
    try {
      execFileSync(process.execPath, [script, '--jobs', '0'], { stdio: 'pipe' });
    } catch (e) {
      status = (e as { status: number }).status;
    }
    expect(status).toBe(2);
  });
});
