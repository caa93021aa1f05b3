#!/usr/bin/env node
/**
 * Browser builds, run by `npm run build` after tsc: the ESM browser entries of @gatewave/core, @gatewave/audio and
 * @gatewave/forecast (`dist/browser.mjs`, their `browser` export condition; dependencies stay imports), and the web
 * app bundle
 * (`packages/web/dist/app/`: page, `app.mjs` with everything bundled - not `.js`, which the build's prune step would
 * take for a stale tsc output - and tfjs's wasm files). Each build writes its esbuild
 * metafile beside it (`*.meta.json`), which the tests read to check that no Node-only module is in the graph.
 */
const fs = require('fs');
const path = require('path');
const { builtinModules } = require('module');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '../../..');
const pkg = (name) => path.join(root, 'packages', name);

/** Fails the build on any import of a Node built-in from gatewave's own code (dependencies' browser fields aside). */
const noNodeBuiltins = {
  name: 'no-node-builtins',
  setup(b) {
    const names = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    b.onResolve({ filter: /.*/ }, (args) => {
      if (!names.has(args.path) || args.importer.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      return {
        errors: [
          {
            text: `${path.relative(root, args.importer)} imports the Node module "${args.path}", which a browser does not have; keep it out of the browser entry's graph.`,
          },
        ],
      };
    });
  },
};

/**
 * The packages' ESM entries keep their dependencies as imports (the app's bundler, or the user's, resolves them), but
 * a deep import into a dependency's files (e.g. meyda's CommonJS `dist/node/utilities`, read with require) is
 * bundled: an ESM file cannot require it at run time.
 */
const dependenciesExternal = {
  name: 'dependencies-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.importer.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      return /^(@[^/]+\/)?[^/]+$/.test(args.path) ? { path: args.path, external: true } : undefined;
    });
  },
};

async function build(options, metaFile) {
  const result = await esbuild.build({
    bundle: true,
    platform: 'browser',
    target: 'es2021',
    metafile: true,
    logLevel: 'warning',
    sourcemap: true,
    ...options,
    plugins: [noNodeBuiltins, ...(options.plugins ?? [])],
  });
  fs.writeFileSync(metaFile, JSON.stringify(result.metafile));
}

function copyWasm(outDir) {
  const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json', { paths: [pkg('core')] }));
  for (const name of fs.readdirSync(path.join(dir, 'dist')).filter((n) => n.endsWith('.wasm'))) {
    fs.copyFileSync(path.join(dir, 'dist', name), path.join(outDir, name));
  }
}

async function main() {
  for (const name of ['core', 'audio', 'forecast']) {
    await build(
      {
        entryPoints: [path.join(pkg(name), 'src/browser.ts')],
        outfile: path.join(pkg(name), 'dist/browser.mjs'),
        format: 'esm',
        plugins: [dependenciesExternal],
      },
      path.join(pkg(name), 'dist/browser.meta.json'),
    );
  }
  const out = path.join(pkg('web'), 'dist/app');
  fs.mkdirSync(out, { recursive: true });
  await build(
    {
      entryPoints: [path.join(pkg('web'), 'app/main.ts')],
      outfile: path.join(out, 'app.mjs'),
      format: 'esm',
      minify: true,
    },
    path.join(pkg('web'), 'dist/app.meta.json'),
  );
  for (const name of ['index.html', 'style.css'])
    fs.copyFileSync(path.join(pkg('web'), 'app', name), path.join(out, name));
  copyWasm(out);
}

main().catch((err) => {
  console.error(`build-browser: ${err.message}`);
  process.exit(1);
});
