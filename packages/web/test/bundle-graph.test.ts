/**
 * The browser builds hold no Node-only code: every module in the esbuild graphs of the core, audio and forecast
 * browser entries and of the app bundle is either gatewave source that imports no Node built-in, or a dependency; the
 * only `(disabled):` modules are those that tfjs's own `browser` fields switch off; no Node-only dependency (danfojs,
 * resvg, vega, commander) is imported. Reads the metafiles `npm run build`
 * writes. Also checks that the package exports send bundlers to the browser entries.
 */
import * as fs from 'fs';
import * as path from 'path';
import { builtinModules } from 'module';

const root = path.resolve(__dirname, '../../..');
const METAFILES = [
  'packages/core/dist/browser.meta.json',
  'packages/audio/dist/browser.meta.json',
  'packages/forecast/dist/browser.meta.json',
  'packages/web/dist/app.meta.json',
];
// Dependencies of the Node packages that must stay out of every browser graph (native addons, Node-only libraries).
const NODE_ONLY_DEPENDENCY = /^(@?danfojs|@resvg\/|vega|commander|@tensorflow\/tfjs-node)/;
const NODE = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
// Modules whose Node branch a dependency's own package.json `browser` field replaces with an empty module.
const DISABLED_BY = /^node_modules\/(@tensorflow\/tfjs-[a-z-]+|seedrandom)\//;

interface Meta {
  inputs: Record<string, { imports: { path: string; external?: boolean }[] }>;
}

const built = METAFILES.every((f) => fs.existsSync(path.join(root, f)));
(built ? describe : describe.skip)('browser bundle graphs (run npm run build first)', () => {
  test.each(METAFILES)('%s: no Node built-in, no native addon, no Node-only gatewave module', (file) => {
    const meta = JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as Meta;
    const ours = Object.keys(meta.inputs).filter((k) => k.startsWith('packages/'));
    expect(ours.length).toBeGreaterThan(0);
    for (const [input, { imports }] of Object.entries(meta.inputs)) {
      expect(input).not.toMatch(/\.node$/);
      expect(input).not.toMatch(/packages\/core\/src\/(native|io\/atomic\.ts|io\/model-io|backend|cli)/);
      expect(input).not.toMatch(/packages\/audio\/src\/(io\/wav\.ts|enhance\/(enhancer|load|batch|train)\.ts|cli)/);
      expect(input).not.toMatch(
        /packages\/forecast\/src\/(cli|commands|panel-commands|plot|data\/(csv-file|panel)|models\/(model-file|panel-model))\.ts/,
      );
      expect(input).not.toMatch(/node_modules\/(@?danfojs|@resvg|vega)/);
      for (const imp of imports) {
        if (imp.path.startsWith('(disabled):')) {
          expect([input, DISABLED_BY.test(input)]).toEqual([input, true]);
          continue;
        }
        expect([input, imp.path, NODE.has(imp.path)]).toEqual([input, imp.path, false]);
        expect([input, imp.path, NODE_ONLY_DEPENDENCY.test(imp.path)]).toEqual([input, imp.path, false]);
      }
    }
  });

  test.each(['core', 'audio', 'forecast'])(
    'the %s ESM entry requires nothing at run time (an ESM file cannot)',
    (name) => {
      const code = fs.readFileSync(path.join(root, 'packages', name, 'dist/browser.mjs'), 'utf8');
      expect(code.match(/__require\(["'][^"']+["']\)/g)).toBeNull();
    },
  );

  // A browser has no setImmediate, Buffer, process or __dirname; esbuild does not shim them, so a use in gatewave code
  // in these graphs fails only when it runs (the enhancer's and the forecast trainer's setImmediate did). A use is
  // allowed on a line that guards it with typeof.
  test('gatewave code in the browser graphs uses no Node global without a typeof guard', () => {
    const sources = new Set<string>();
    for (const file of METAFILES) {
      const meta = JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as Meta;
      for (const input of Object.keys(meta.inputs))
        if (/^packages\/[a-z]+\/src\/.*\.ts$/.test(input)) sources.add(input);
    }
    expect(sources.size).toBeGreaterThan(30);
    const uses: string[] = [];
    for (const input of sources) {
      fs.readFileSync(path.join(root, input), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line.replace(/\/\/.*$/, '');
          if (/^\s*(\/?\*)/.test(code)) return; // a comment line
          for (const [, name] of code.matchAll(/\b(setImmediate|Buffer|process|__dirname|__filename)\b/g)) {
            if (!code.includes(`typeof ${name}`)) uses.push(`${input}:${i + 1}: ${line.trim()}`);
          }
        });
    }
    expect(uses).toEqual([]);
  });

  test('the app bundle reaches core, audio and forecast through their browser entries', () => {
    const meta = JSON.parse(fs.readFileSync(path.join(root, 'packages/web/dist/app.meta.json'), 'utf8')) as Meta;
    const inputs = Object.keys(meta.inputs);
    expect(inputs).toContain('packages/core/dist/browser.mjs');
    expect(inputs).toContain('packages/audio/dist/browser.mjs');
    expect(inputs).toContain('packages/forecast/dist/browser.mjs');
    expect(inputs.some((i) => /packages\/(core|audio|forecast)\/dist\/index\.js/.test(i))).toBe(false);
  });
});

test('package exports: the browser condition points at the ESM browser entries, Node at the CommonJS index', () => {
  for (const name of ['core', 'audio', 'forecast']) {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'packages', name, 'package.json'), 'utf8'));
    expect(pkg.exports['.'].browser).toEqual({ types: './dist/browser.d.ts', default: './dist/browser.mjs' });
    expect(pkg.exports['.'].default).toBe('./dist/index.js');
    expect(fs.existsSync(path.join(root, 'packages', name, 'src', 'browser.ts'))).toBe(true);
  }
});
