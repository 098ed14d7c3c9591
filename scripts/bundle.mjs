// Builds the committed bundle that the CLI (`bin.dagship`) and every action run: dist/cli.js, plus the
// chunks it loads per command, so that `build` or `lint` never parse the Kubernetes client (~0.25 s).
import { build } from 'esbuild';
import { chmodSync, readdirSync, readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const result = await build({
  entryPoints: { cli: 'cli/main.ts' },
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
  logLevel: 'warning',
  metafile: true,
});
chmodSync('dist/cli.js', 0o755);
// Stale chunks of an earlier build must not linger in the committed folder. Removed after the new build
// is written, never before, so a CLI already running from dist/ keeps its files.
const written = new Set(Object.keys(result.metafile.outputs).map((p) => p.replace(/^dist\//, '')));
for (const name of readdirSync('dist')) if (!written.has(name)) rmSync(`dist/${name}`);
