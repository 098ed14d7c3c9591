// What installing dagship costs a team: the package from `npm pack` of an earlier commit against this
// checkout's, each installed into an empty project with an empty npm cache (so every download counts),
// runtime dependencies only. Prints the tarball size, the installed size, the packages installed and the
// install time (median of interleaved runs), with ratios and the load average. Asserts nothing.
//
//   node bench/install.mjs [--base COMMIT] [--runs N]   (default: ec4fa40, the last commit with runtime dependencies; 3)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const option = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const base = option('--base', 'ec4fa40');
const runs = Number(option('--runs', '3'));
const scratch = mkdtempSync(path.join(tmpdir(), 'dagship-install-'));
const quiet = { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, npm_config_ignore_scripts: 'true', npm_config_update_notifier: 'false' } };

/** The tarball `npm pack` makes of a commit's tree (HEAD: the working tree, as CI packs it). */
function pack(commit) {
  const tree = path.join(scratch, `tree-${commit}`);
  mkdirSync(tree);
  if (commit === 'HEAD') execFileSync('bash', ['-c', `git -C "${root}" ls-files -z | (cd "${root}" && xargs -0 tar -cf -) | tar -xf - -C "${tree}"`]);
  else execFileSync('bash', ['-c', `git -C "${root}" archive ${commit} | tar -xf - -C "${tree}"`]);
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', scratch], { ...quiet, cwd: tree })
    .trim()
    .split('\n')
    .pop();
  const tarball = path.join(scratch, `${commit}-${name}`);
  execFileSync('mv', [path.join(scratch, name), tarball]);
  return tarball;
}

function bytesUnder(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += bytesUnder(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

function install(tarball, i) {
  const app = mkdtempSync(path.join(scratch, `app-${i}-`));
  writeFileSync(path.join(app, 'package.json'), '{"name":"app","private":true}\n');
  const started = process.hrtime.bigint();
  execFileSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--cache', path.join(app, '.npm-cache'), tarball], { ...quiet, cwd: app });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const modules = path.join(app, 'node_modules');
  const packages =
    execFileSync('npm', ['ls', '--all', '--parseable', '--omit=dev'], { ...quiet, cwd: app })
      .trim()
      .split('\n').length - 1;
  const result = { ms, bytes: bytesUnder(modules), packages };
  rmSync(app, { recursive: true, force: true });
  return result;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;
try {
  const tarballs = { [base]: pack(base), current: pack('HEAD') };
  console.log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; ${runs} installs each, interleaved, empty npm cache each time`,
  );
  const results = Object.fromEntries(Object.keys(tarballs).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) for (const [k, t] of Object.entries(tarballs)) results[k].push(install(t, i));
  const rows = Object.entries(results).map(([k, rs]) => ({
    k,
    tarball: statSync(tarballs[k]).size,
    bytes: rs[0].bytes,
    packages: rs[0].packages,
    ms: median(rs.map((r) => r.ms)),
  }));
  for (const r of rows) console.log(`${r.k.padEnd(8)} tarball ${mb(r.tarball)}, installed ${mb(r.bytes)}, ${r.packages} package(s), install ${(r.ms / 1000).toFixed(1)} s (median)`);
  const [before, after] = rows;
  console.log(`current / ${base}: installed size ${(after.bytes / before.bytes).toFixed(2)}×, install time ${(after.ms / before.ms).toFixed(2)}×`);
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
