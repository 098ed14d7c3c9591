// Start-up of the committed bundle against the dist/ of an earlier commit, in one run: `check --help`
// (the command table only) and `check` up to the point where it first talks to the Docker Engine (the
// repository read, the config validated, the engine client loaded; DOCKER_HOST points at a socket that
// does not exist, so it stops there with exit 2). Each variant is warmed once, then the runs are
// interleaved and the medians shown with the load average. Prints figures and ratios; asserts nothing.
//
//   npm run build && node bench/startup.mjs [--base COMMIT | --against DIST] [--runs N]   (default: 3ef90ac, 21)
//
// --against compares with any built dist/ folder instead (e.g. another bundle layout of the same sources).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const option = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const against = option('--against', undefined);
const base = against ? 'other' : option('--base', '3ef90ac');
const runs = Number(option('--runs', '21'));

const scratch = mkdtempSync(path.join(tmpdir(), 'dagship-startup-'));
try {
  // The earlier dist/ exactly as committed (with src/python beside it, where the CLI looks for it).
  const old = path.join(scratch, 'old');
  const files = against ? [] : execFileSync('git', ['-C', root, 'ls-tree', '-r', '--name-only', base, 'dist', 'src/python'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const file of files) {
    mkdirSync(path.dirname(path.join(old, file)), { recursive: true });
    writeFileSync(path.join(old, file), execFileSync('git', ['-C', root, 'show', `${base}:${file}`], { maxBuffer: 64 << 20 }));
  }
  const repo = path.join(scratch, 'repo');
  mkdirSync(path.join(repo, 'dags'), { recursive: true });
  writeFileSync(path.join(repo, 'dags', 'a.py'), 'from airflow import DAG\n');

  const variants = { [base]: against ? path.resolve(against, 'cli.js') : path.join(old, 'dist', 'cli.js'), current: path.join(root, 'dist', 'cli.js') };
  const cases = {
    'check --help': { args: ['check', '--help'], exit: 0 },
    'check (to the engine)': { args: ['check', '--image', 'dagship-bench/none:1', repo], exit: 2, env: { DOCKER_HOST: `unix://${scratch}/no-engine.sock` } },
  };
  const time = (cli, { args, exit, env }) => {
    const started = process.hrtime.bigint();
    const run = spawnSync(process.execPath, [cli, ...args], { cwd: scratch, env: { ...process.env, ...env }, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (run.status !== exit) throw new Error(`${cli} ${args.join(' ')}: exit ${run.status}, expected ${exit}\n${run.stderr}`);
    return ms;
  };
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

  console.log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; ${runs} runs each, interleaved`,
  );
  for (const [name, spec] of Object.entries(cases)) {
    const times = Object.fromEntries(Object.keys(variants).map((v) => [v, []]));
    for (const cli of Object.values(variants)) time(cli, spec);
    for (let i = 0; i < runs; i++) for (const [v, cli] of Object.entries(variants)) times[v].push(time(cli, spec));
    const m = Object.fromEntries(Object.entries(times).map(([v, xs]) => [v, median(xs)]));
    console.log(`${name.padEnd(24)} ${base}: ${m[base].toFixed(0)} ms   current: ${m.current.toFixed(0)} ms   ratio current/${base}: ${(m.current / m[base]).toFixed(2)}`);
  }
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
