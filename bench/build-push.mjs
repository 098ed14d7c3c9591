#!/usr/bin/env node
// After a one-file DAG change, times `dagship build` + `dagship push` against a hand-written Dockerfile
// with `docker build` + `docker push` of the same content, in the same run, on the same engine, and
// measures the bytes each uploads (growth of a registry's blob storage: this bench starts its own
// registry, so tests running meanwhile on the shared ones cannot skew the figures).
//
//   eval "$(test/infra/up)" && npm run build && node bench/build-push.mjs [--rounds 5] [--files 0] [--keep]
//
// --files N adds N generated DAG modules (~2 kB each) to the copy of examples/, for a larger repository.
// --keep leaves the bench's folder (repository copy, registry storage) in place, to look at afterwards.
//
// Needs: the built CLI (dist/cli.js), the docker CLI and docker-registry (test/infra/up installs them).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = path.join(root, 'dist', 'cli.js');
const flag = (name, fallback) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
const rounds = flag('--rounds', 5);
const extraFiles = flag('--files', 0);
const base = process.env.DAGSHIP_TEST_AIRFLOW3_IMAGE;
if (!base || !process.env.DOCKER_HOST) {
  console.error('run eval "$(test/infra/up)" first: the bench needs DOCKER_HOST and DAGSHIP_TEST_AIRFLOW3_IMAGE');
  process.exit(2);
}

const work = mkdtempSync(path.join(tmpdir(), 'dagship-bench-'));
const port = 5900 + Math.floor(Math.random() * 90);
const registry = `127.0.0.1:${port}`;
const storage = path.join(work, 'registry');

function run(file, args, options = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...options.env } });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return { seconds, output: result.stdout, log: result.stderr };
}

/** dagship's --verbose timings (ms): where its wall time goes, step by step. */
const STEPS = [
  ['build: Node start-up, modules, config', /build starts (\d+) ms after the process/],
  ['build: git', /git: commit, status and remotes in (\d+) ms/],
  ['build: engine inspects (base, requirements, owners)', /engine: base, requirements and folder owners in (\d+) ms/],
  ['build: select files, write layers', /files selected and layers written in (\d+) ms/],
  ['build: docker load of the archive', /engine loaded the archive in (\d+) ms/],
  ['push: Node start-up, modules, config', /push starts (\d+) ms after the process/],
  ['push: git, engine inspect, credentials', /git, engine inspect and credentials in (\d+) ms/],
  ['push: registry lookup of the tag', /registry: tag looked up in (\d+) ms/],
  ['push: engine push (to the staging repository)', /engine pushed in (\d+) ms/],
  ['push: registry: manifest read, blobs mounted', /blobs mounted in (\d+) ms/],
  ['push: registry: tag looked up again, written, read back', /tag looked up again, written and read back in (\d+) ms/],
];
const steps = new Map(STEPS.map(([name]) => [name, []]));
function recordSteps(log) {
  for (const [name, pattern] of STEPS) {
    const match = pattern.exec(log);
    if (match) steps.get(name).push(Number(match[1]));
  }
}

/** Bytes of blobs the registry stores: what was uploaded since the last look. */
function blobBytes(dir = path.join(storage, 'docker/registry/v2/blobs')) {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? blobBytes(p) : statSync(p).size;
  }
  return total;
}

async function startRegistry() {
  const config = path.join(work, 'registry.yml');
  writeFileSync(config, `version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: ${storage}}}\nhttp: {addr: ${registry}}\n`);
  const child = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`http://${registry}/v2/`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`registry did not start on ${registry}`);
}

// One repository, both recipes baking the same content: DAGs, plugins, requirements.
const repo = path.join(work, 'dags-repo');
cpSync(path.join(root, 'examples'), repo, { recursive: true });
writeFileSync(path.join(repo, 'dagship.yaml'), `base_image: ${base}\nrepository: ${registry}/bench/dagship\n`);
writeFileSync(
  path.join(repo, 'Dockerfile'),
  [
    `FROM ${base}`,
    'COPY requirements.txt /tmp/requirements.txt',
    'RUN pip install --no-cache-dir -r /tmp/requirements.txt',
    'COPY --chown=50000:0 plugins/ /opt/airflow/plugins/',
    'COPY --chown=50000:0 dags/ /opt/airflow/dags/',
    '',
  ].join('\n'),
);
writeFileSync(path.join(repo, '.dockerignore'), '.git\n**/__pycache__\n**/*.pyc\n');
if (extraFiles > 0) mkdirSync(path.join(repo, 'dags', 'generated'));
for (let i = 0; i < extraFiles; i++) {
  const tasks = Array.from({ length: 12 }, (_, t) => `    t${t} = EmptyOperator(task_id="step_${t}")`).join('\n');
  const module = [
    `"""Generated pipeline ${i}: a DAG module of realistic size."""`,
    'from airflow.sdk import DAG',
    'from airflow.providers.standard.operators.empty import EmptyOperator',
    '',
    `with DAG(dag_id="pipeline_${i}", schedule="@daily", catchup=False, tags=["generated"]):`,
    tasks,
    ...Array.from({ length: 100 }, (_, l) => `# documentation line ${l} of pipeline ${i}`),
    '',
  ].join('\n');
  writeFileSync(path.join(repo, 'dags', 'generated', `pipeline_${String(i).padStart(4, '0')}.py`), module);
}
const git = (...args) => execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], { cwd: repo, encoding: 'utf8' }).trim();
git('init', '-q');
git('add', '.');
git('commit', '-qm', 'bench');

const variants = {
  dagship() {
    const build = run('node', [cli, 'build', '.', '--verbose']);
    const push = run('node', [cli, 'push', '.', '--verbose']);
    recordSteps(build.log + push.log);
    return { build: build.seconds, push: push.seconds };
  },
  docker() {
    const tag = `${registry}/bench/docker:${git('rev-parse', 'HEAD')}`;
    const build = run('docker', ['build', '-q', '--network', 'host', '-t', tag, '.'], { env: { DOCKER_BUILDKIT: '0' } });
    const push = run('docker', ['push', '-q', tag]);
    return { build: build.seconds, push: push.seconds };
  },
};

function measure(name) {
  const before = blobBytes();
  const { build, push } = variants[name]();
  return { seconds: build + push, build, push, bytes: blobBytes() - before };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (n) => `${(n / 1000).toFixed(1)} kB`;

const child = await startRegistry();
// Figures from a busy machine are not comparable with a quiet one's: say how busy it was.
const loadStart = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
try {
  console.error(`bench in ${work}; registry ${registry}; base ${base}`);
  // Warm-up, not timed: base and requirements layers reach the registry, both builders' caches fill.
  for (const name of Object.keys(variants)) console.error(`warm-up ${name}: ${measure(name).seconds.toFixed(2)}s`);
  for (const list of steps.values()) list.length = 0;
  const results = { dagship: [], docker: [] };
  for (let i = 1; i <= rounds; i++) {
    appendFileSync(path.join(repo, 'dags', 'orders_etl.py'), `# bench change ${i}\n`);
    git('commit', '-qam', `change ${i}`);
    // Alternate who goes first, so neither always meets a warmer engine.
    const order = i % 2 ? ['dagship', 'docker'] : ['docker', 'dagship'];
    for (const name of order) results[name].push(measure(name));
    console.error(
      `round ${i}: dagship ${results.dagship.at(-1).seconds.toFixed(2)}s ${kb(results.dagship.at(-1).bytes)} · docker ${results.docker.at(-1).seconds.toFixed(2)}s ${kb(results.docker.at(-1).bytes)}`,
    );
  }
  const t = { dagship: median(results.dagship.map((r) => r.seconds)), docker: median(results.docker.map((r) => r.seconds)) };
  const part = (name, step) => median(results[name].map((r) => r[step])).toFixed(2);
  const b = { dagship: median(results.dagship.map((r) => r.bytes)), docker: median(results.docker.map((r) => r.bytes)) };
  const startup = median([1, 2, 3].map(() => run('node', [cli, '--version']).seconds));
  const files = git('ls-files', 'dags', 'plugins').split('\n').filter(Boolean).length;
  console.log(`one-file DAG change in a repository of ${files} DAG/plugin files, ${rounds} rounds, medians (build + push, wall time):`);
  console.log(`  dagship build + push         ${t.dagship.toFixed(2)} s   uploaded ${kb(b.dagship)}   (build ${part('dagship', 'build')} s, push ${part('dagship', 'push')} s)`);
  console.log(`  docker build + docker push   ${t.docker.toFixed(2)} s   uploaded ${kb(b.docker)}   (build ${part('docker', 'build')} s, push ${part('docker', 'push')} s)`);
  console.log(`  ratio dagship / docker       ${(t.dagship / t.docker).toFixed(2)}x time, ${(b.dagship / b.docker).toFixed(2)}x bytes`);
  console.log(`  of which Node start-up       ${startup.toFixed(2)} s per dagship invocation (2 per build + push)`);
  console.log("where dagship's time goes (medians of its --verbose timings, ms):");
  for (const [name, list] of steps) if (list.length) console.log(`  ${name.padEnd(52)} ${String(median(list)).padStart(5)}`);
  console.log(
    `  load average                 ${loadStart} at the start, ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at the end (${cpus().length} cores)`,
  );
} finally {
  child.kill();
  // The images this run tagged (its registry's port makes them its own); layers shared with others stay.
  const mine = execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${registry}/bench/*`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  if (mine.length) execFileSync('docker', ['rmi', ...mine], { stdio: 'ignore' });
  // The copy of the repository and the registry's storage (the base layers: ~150 MB a run), unless kept.
  if (!process.argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
}
