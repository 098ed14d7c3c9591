// Builds the committed bundle that the CLI (`bin.dagship`) and every action run: dist/cli.js, plus the
// chunks it loads per command, so that `build` or `lint` never parse the Kubernetes client (~0.25 s).
import { build } from 'esbuild';
import { chmodSync, readdirSync, readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// Parsing costs every command time at start-up, so code that only rare set-ups need leaves the main bundle:
// docker-modem's SSH transport (ssh2, for ssh:// engines) is its own file, loaded on first use; dockerode's
// BuildKit session and progress (gRPC, protobuf) are never called by dagship, which drives builds through
// the Engine API.
const SSH_TRANSPORT = 'docker-modem-ssh.cjs';
const lazyDependencies = {
  name: 'lazy-dependencies',
  setup(build) {
    build.onResolve({ filter: /^dagship-lazy:/ }, (args) => ({ path: `./${args.path.slice('dagship-lazy:'.length)}`, external: true }));
    const rewrite = (filter, from, to) =>
      build.onLoad({ filter }, (args) => {
        let source = readFileSync(args.path, 'utf8');
        [from].flat().forEach((text, i) => {
          if (!source.includes(text)) throw new Error(`${args.path} no longer contains ${text}: update scripts/bundle.mjs`);
          source = source.replace(text, [to].flat()[i]);
        });
        return { contents: source, loader: 'js' };
      });
    rewrite(/docker-modem[\\/]lib[\\/]modem\.js$/, "ssh = require('./ssh'),", `ssh = function (opt) { return require('dagship-lazy:${SSH_TRANSPORT}')(opt); },`);
    // Both need .proto files beside dockerode's sources, which a bundle does not have: they could not work.
    rewrite(
      /dockerode[\\/]lib[\\/]docker\.js$/,
      ["withSession = require('./session'),", "var buildkit = require('./buildkit');"],
      [
        "withSession = function () { throw new Error('dockerode BuildKit sessions are not bundled with dagship'); },",
        "throw new Error('dockerode BuildKit progress is not bundled with dagship');",
      ],
    );
  },
};

// @actions/core imports its OIDC client (an HTTP client, ~800 kB bundled) and runner-platform helpers at
// module level; dagship calls neither, so they are marked free of side effects and left out when unused.
const ACTIONS_CORE_EXTRAS = /[\\/]@actions[\\/]core[\\/]lib[\\/](oidc-utils|platform)\.js$/;
const unusedActionsCoreExtras = {
  name: 'unused-actions-core-extras',
  setup(build) {
    build.onResolve({ filter: /^\.\/(oidc-utils|platform)\.js$/ }, async (args) => {
      if (args.pluginData?.extras || !/[\\/]@actions[\\/]core[\\/]/.test(args.importer)) return undefined;
      const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { extras: true } });
      return ACTIONS_CORE_EXTRAS.test(resolved.path) ? { path: resolved.path, sideEffects: false } : undefined;
    });
  },
};

const lazy = await build({
  entryPoints: ['node_modules/docker-modem/lib/ssh.js'],
  outfile: `dist/${SSH_TRANSPORT}`,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  legalComments: 'none',
  external: ['cpu-features', '*.node'],
  logLevel: 'warning',
  metafile: true,
});

const result = await build({
  entryPoints: { cli: 'cli/bin.ts' },
  outdir: 'dist',
  // Flat beside cli.js: the checker finds src/python relative to the module that runs it.
  chunkNames: 'chunk-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  legalComments: 'none',
  define: { DAGSHIP_VERSION: JSON.stringify(pkg.version) },
  // ssh2 (pulled in by docker-modem) loads these optional native helpers inside try/catch.
  external: ['cpu-features', '*.node'],
  banner: {
    // CommonJS dependencies inside an ESM bundle still expect require, __filename and __dirname.
    js: [
      '#!/usr/bin/env node',
      "import { createRequire as __cr } from 'node:module';",
      "import { fileURLToPath as __f2p } from 'node:url';",
      'const require = __cr(import.meta.url);',
      'const __filename = __f2p(import.meta.url);',
      "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
    ].join('\n'),
  },
  plugins: [lazyDependencies, unusedActionsCoreExtras],
  logLevel: 'warning',
  metafile: true,
});
chmodSync('dist/cli.js', 0o755);
// Stale chunks of an earlier build must not linger in the committed folder. Removed after the new build
// is written, never before, so a CLI already running from dist/ keeps its files.
const written = new Set([...Object.keys(result.metafile.outputs), ...Object.keys(lazy.metafile.outputs)].map((p) => p.replace(/^dist\//, '')));
for (const name of readdirSync('dist')) if (!written.has(name)) rmSync(`dist/${name}`);
