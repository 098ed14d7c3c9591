// Builds the committed bundle that the CLI (`bin.dagship`) and every action run, as a small fixed set of
// files whose names never change with their contents:
//   dist/cli.js              the entry: the command table and all of dagship's own code
//   dist/vendor-<name>.cjs   each large dependency, loaded on first use (build or lint never parse the
//                            Kubernetes client; `--help` parses none of them)
//   dist/docker-modem-ssh.cjs  docker-modem's SSH transport, loaded only for ssh:// engines
//   dist/cli.js.map          its source map (node --enable-source-maps dist/cli.js …)
//   dist/LICENSES.txt        every bundled package with its licence
// Run with --out DIR to write somewhere else (bench/startup.mjs builds an older commit that way).
import { build } from 'esbuild';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ENTRY = 'cli/bin.ts';
const outAt = process.argv.indexOf('--out');
const out = outAt > 0 ? process.argv[outAt + 1] : 'dist';
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// The large dependencies, each its own CommonJS file. dagship's code is one file in which esbuild turns
// every lazily imported command into a module initialised on first use; the require() of a vendor file
// sits inside that initialiser, so a command loads only the dependencies it reaches. Packages left out of
// this list (commander, zod) are small enough to parse with cli.js, or needed by nearly every command.
const VENDOR = {
  'vendor-kubernetes.cjs': '@kubernetes/client-node',
  'vendor-docker.cjs': 'dockerode',
  'vendor-execa.cjs': 'execa',
  'vendor-yaml.cjs': 'yaml',
  'vendor-glob.cjs': 'glob',
  'vendor-tar-stream.cjs': 'tar-stream',
  'vendor-ignore.cjs': 'ignore',
};
const SSH_TRANSPORT = 'docker-modem-ssh.cjs';
// ssh2 (pulled in by docker-modem) loads these optional native helpers inside try/catch.
const NATIVE = ['cpu-features', '*.node'];

// Parsing costs every command time at start-up, so code that only rare set-ups need leaves the docker
// bundle: docker-modem's SSH transport (ssh2, for ssh:// engines) is its own file, loaded on first use;
// dockerode's BuildKit session and progress (gRPC, protobuf) are never called by dagship, which drives
// builds through the Engine API.
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
      ["withSession = function () { throw new Error('dockerode BuildKit sessions are not bundled with dagship'); },", "throw new Error('dockerode BuildKit progress is not bundled with dagship');"],
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

// dagship's imports of a vendored package become a CommonJS stub that requires the vendor file at run time.
const vendorStubs = {
  name: 'vendor-stubs',
  setup(build) {
    const files = Object.fromEntries(Object.entries(VENDOR).map(([file, name]) => [name, file]));
    build.onResolve({ filter: /^[@a-z]/ }, (args) => (files[args.path] ? { path: args.path, namespace: 'vendor', sideEffects: false } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'vendor' }, (args) => ({ contents: `module.exports = require('dagship-lazy:${files[args.path]}');`, loader: 'js' }));
  },
};

// Whitespace-minified: half the bytes to read and parse at start-up (the Kubernetes client: 2.8 MB, not
// 6.3 MB); names are kept, and cli.js has a source map.
const common = { bundle: true, minifyWhitespace: true, platform: 'node', target: 'node20', legalComments: 'none', logLevel: 'warning', metafile: true };
mkdirSync(out, { recursive: true });
const [ssh, cli] = await Promise.all([
  build({ ...common, entryPoints: ['node_modules/docker-modem/lib/ssh.js'], outfile: `${out}/${SSH_TRANSPORT}`, format: 'cjs', external: NATIVE }),
  build({
    ...common,
    // Flat beside cli.js: the checker finds src/python relative to the module that runs it.
    entryPoints: { cli: ENTRY },
    outdir: out,
    format: 'esm',
    // dagship's own code only: the vendor files' maps would more than double dist/ for code nobody debugs here.
    sourcemap: 'linked',
    define: { DAGSHIP_VERSION: JSON.stringify(pkg.version) },
    external: NATIVE,
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
    plugins: [vendorStubs, lazyDependencies, unusedActionsCoreExtras],
  }),
]);
const cliCode = readFileSync(`${out}/cli.js`, 'utf8');
const vendors = await Promise.all(
  Object.entries(VENDOR).map(async ([file, name]) =>
    build({
      ...common,
      stdin: { contents: await vendorEntry(name, cliCode), resolveDir: '.', sourcefile: `${name} (vendored)` },
      outfile: `${out}/${file}`,
      format: 'cjs',
      external: NATIVE,
      plugins: [lazyDependencies],
      // ESM-only packages (execa, glob, the Kubernetes client) read import.meta.url; CommonJS has __filename.
      define: { 'import.meta.url': '__dagship_import_meta_url' },
      banner: { js: "const __dagship_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
    }),
  ),
);
const builds = [ssh, cli, ...vendors];
chmodSync(`${out}/cli.js`, 0o755);

const bundled = new Set(
  builds
    .flatMap((b) => Object.keys(b.metafile.inputs))
    .map(packageOf)
    .filter(Boolean),
);
writeFileSync(`${out}/LICENSES.txt`, licences([...bundled].sort()));

// Stale files of an earlier build must not linger in the committed folder. Removed after the new build
// is written, never before, so a CLI already running from dist/ keeps its files.
const written = new Set(['LICENSES.txt', ...builds.flatMap((b) => Object.keys(b.metafile.outputs)).map((p) => path.relative(out, p))]);
for (const name of readdirSync(out)) if (!written.has(name)) rmSync(path.join(out, name), { recursive: true });

/**
 * The vendor file's source. An ES module package exports only the names cli.js reads from it, so that
 * esbuild drops the rest as it would inside one bundle (the Kubernetes client: 5 MB instead of 15 MB).
 */
async function vendorEntry(name, code) {
  const meta = JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8'));
  if (meta.type !== 'module') return `module.exports = require(${JSON.stringify(name)});`;
  const stub = new RegExp(`var (\\w+) ?= ?__commonJS\\({\\s*"vendor:${name.replace(/[/.]/g, '\\$&')}"`).exec(code)?.[1];
  const bindings = [...code.matchAll(new RegExp(`(\\w+) ?= ?__toESM\\(${stub}\\(\\)`, 'g'))].map((m) => m[1]);
  // A binding's name can also occur in a string ('k8s.io'): keep what the package really exports.
  const exported = new Set(Object.keys(await import(name)));
  const names = new Set(bindings.flatMap((b) => [...code.matchAll(new RegExp(`\\b${b}\\.(\\w+)`, 'g'))].map((m) => m[1])).filter((n) => exported.has(n)));
  if (!stub || names.size === 0) throw new Error(`cli.js reads nothing from ${name}: remove it from VENDOR in scripts/bundle.mjs`);
  // Only `binding.Name` reads are seen: a binding used whole (passed on, indexed) could read any name.
  for (const b of bindings) {
    const whole = new RegExp(`(?<![\\w$.'"/-]|var |, ?)${b}(?![\\w$.'"/-]| ?= ?__toESM|,|;)`).exec(code);
    if (whole) throw new Error(`cli.js uses ${name} whole (${code.slice(whole.index - 40, whole.index + 40)}): import the names it needs`);
  }
  return `export { ${[...names].sort().join(', ')} } from ${JSON.stringify(name)};`;
}

/** The package folder an esbuild input comes from (node_modules/a/node_modules/@b/c/x.js → that @b/c). */
function packageOf(input) {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return m?.[1];
}

/** Every bundled package with its licence text, as actions that commit a bundle ship them. */
function licences(dirs) {
  const seen = new Map();
  for (const dir of dirs) {
    const meta = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));
    const key = `${meta.name}@${meta.version}`;
    if (seen.has(key)) continue;
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = file ? readFileSync(`${dir}/${file}`, 'utf8').trim() : `${meta.license ?? 'UNKNOWN'} (no licence file in the package)`;
    seen.set(key, `${key}\nLicense: ${typeof meta.license === 'string' ? meta.license : JSON.stringify(meta.license)}\n\n${text}\n`);
  }
  const header = `Third-party packages bundled into dagship's dist/ (${seen.size}), with their licences.\nGenerated by scripts/bundle.mjs: do not edit.\n`;
  return [header, ...seen.values()].join(`\n${'-'.repeat(100)}\n\n`);
}
