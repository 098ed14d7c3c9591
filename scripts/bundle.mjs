// Builds the one committed bundle that the CLI (`bin.dagship`) and every action run: dist/cli.js.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['cli/main.ts'],
  outfile: 'dist/cli.js',
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
});
