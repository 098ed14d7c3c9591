// Benchmark of `dagship check` against the two ways teams check DAGs today, in one run on one image:
// `airflow dags list-import-errors --local` (one process, sequential) and one Python process per file;
// and against production's own reference, `airflow dag-processor --num-runs 1` (parse and store every
// file once). It also times the ideal for this machine (import Airflow once + sequential per-file import
// and serialization of each DAG, as the processor stores it / cores) and a warm re-run with nothing
// changed. Prints figures and ratios; asserts nothing.
//
//   eval "$(test/infra/up)" && npm run build && node bench/check.mjs [N ...] [--repeat K]   (default: 50 500, K 1)
//
// With --repeat K the ideal and the cold dagship run are each timed K times, interleaved, and the medians
// are shown: on a shared machine a single run says little. The load average is printed with the figures.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { generateDags } from './gen-dags.mjs';

const image = process.env.DAGSHIP_TEST_AIRFLOW3_IMAGE ?? 'dagship-infra/airflow:3';
const cli = new URL('../dist/cli.js', import.meta.url).pathname;
const argv = process.argv.slice(2);
const repeatAt = argv.indexOf('--repeat');
const repeat = repeatAt >= 0 ? Math.max(1, Number(argv.splice(repeatAt, 2)[1]) || 1) : 1;
const sizes = argv.map(Number);

// Reads the container's own cgroup (v1 or v2) so every variant is measured the same way.
const CGROUP = `cpu=$(cat /sys/fs/cgroup/cpuacct/cpuacct.usage 2>/dev/null || awk '/usage_usec/{print $2*1000}' /sys/fs/cgroup/cpu.stat)
mem=$(cat /sys/fs/cgroup/memory/memory.max_usage_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.peak)
echo "CGROUP $cpu $mem" >&2`;

/** Runs `script` in the image with the repository mounted; wall time, and the container's CPU and peak memory. */
function dockerMeasured(repo, script, env = {}) {
  const envArgs = Object.entries({ AIRFLOW_HOME: '/tmp/airflow-home', AIRFLOW__CORE__LOAD_EXAMPLES: 'False', ...env }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const started = process.hrtime.bigint();
  const run = spawnSync(
    'docker',
    [
      'run',
      '--rm',
      '--network',
      'none',
      '-v',
      `${repo}:/repo:ro`,
      ...envArgs,
      '--entrypoint',
      'bash',
      image,
      '-c',
      `{ ${script}\n} >/tmp/out 2>/tmp/err; grep -E '^(IDEAL|STORED)' /tmp/out; grep -E '^TIMED' /tmp/err >&2; ${CGROUP}`,
    ],
    {
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
    },
  );
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const [, cpu, mem] = /CGROUP (\d+) (\d+)/.exec(run.stderr) ?? [];
  const [, from, to] = /TIMED ([\d.]+) ([\d.]+)/.exec(run.stderr) ?? [];
  return { wall, cpu: Number(cpu) / 1e9, peak: Number(mem), out: run.stdout, timed: from ? Number(to) - Number(from) : undefined };
}

const IDEAL = `python - <<'PY'
import os, sys, time, glob
t = time.perf_counter()
try:
    from airflow.dag_processing.dagbag import DagBag
    from airflow.serialization.serialized_objects import DagSerialization as Serializer
except ImportError:
    from airflow.models import DagBag
    from airflow.serialization.serialized_objects import SerializedDAG as Serializer
sys.path.insert(0, "/repo/dags")
airflow_import = time.perf_counter() - t
parse = serialize = 0.0
for f in sorted(glob.glob("/repo/dags/*.py")):
    t = time.perf_counter()
    bag = DagBag(f)
    parse += time.perf_counter() - t
    t = time.perf_counter()
    for dag in bag.dags.values():
        Serializer.to_dict(dag)
    serialize += time.perf_counter() - t
print(f"IDEAL {airflow_import} {parse} {serialize}")
PY`;

// The processor runs until it has parsed every file once; only that is timed (after migrating the database).
const PROCESSOR = `airflow db migrate >/dev/null 2>&1; s=$(date +%s.%N); airflow dag-processor --num-runs 1 >/dev/null 2>&1; e=$(date +%s.%N); echo "TIMED $s $e" >&2
python -c "
from airflow.models.serialized_dag import SerializedDagModel
from airflow.utils.session import create_session
with create_session() as session:
    print('STORED', session.query(SerializedDagModel).count())
" 2>/dev/null`;

function dagship(repo, extra = []) {
  const started = process.hrtime.bigint();
  const json = path.join(repo, 'report.json');
  try {
    execFileSync('node', [cli, 'check', repo, '--image', image, '--json', json, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    if (err.status !== 1) throw err;
  }
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const report = JSON.parse(readFileSync(json, 'utf8'));
  return { wall, cpu: report.timings?.cgroup?.cpu_seconds, peak: report.timings?.cgroup?.peak_memory_bytes, report };
}

/** The run with the median wall time of `runs`. */
const median = (runs) => [...runs].sort((a, b) => a.wall - b.wall)[Math.floor(runs.length / 2)];
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const fmt = (s) => (s === undefined || Number.isNaN(s) ? '   n/a' : `${s.toFixed(2).padStart(7)}s`);
const mib = (b) => (b ? `${(b / 2 ** 20).toFixed(0).padStart(6)} MiB` : '      n/a');

for (const n of sizes.length ? sizes : [50, 500]) {
  const repo = mkdtempSync(path.join(tmpdir(), `dagship-bench-${n}-`));
  chmodSync(repo, 0o755);
  generateDags(repo, n);
  console.log(`\n== N = ${n} DAG files (~20 tasks each), image ${image}, ${cpus().length} cores, load average ${load()}`);
  const ideals = [];
  const colds = [];
  for (let i = 0; i < repeat; i++) {
    const ideal = dockerMeasured(repo, IDEAL);
    const [, imp, parse, serialize] = /IDEAL ([\d.]+) ([\d.]+) ([\d.]+)/.exec(ideal.out).map(Number);
    ideals.push({ imp, parse, serialize, wall: imp + (parse + serialize) / cpus().length });
    colds.push(dagship(repo, ['--no-cache']));
  }
  const { imp, parse, serialize, wall: idealWall } = median(ideals);
  const cold = median(colds);
  const found = cold.report.files.length;
  // The command needs a migrated database; only the command itself is timed (in the container).
  const listErrors = dockerMeasured(repo, 'airflow db migrate >/dev/null 2>&1; s=$(date +%s.%N); airflow dags list-import-errors --local -o json; e=$(date +%s.%N); echo "TIMED $s $e" >&2', {
    AIRFLOW__CORE__DAGS_FOLDER: '/repo/dags',
    PYTHONPATH: '/repo/dags',
  });
  listErrors.wall = listErrors.timed ?? listErrors.wall;
  const processor = dockerMeasured(repo, PROCESSOR, {
    AIRFLOW__CORE__DAGS_FOLDER: '/repo/dags',
    AIRFLOW__DAG_PROCESSOR__DAG_FILE_PROCESSOR_TIMEOUT: '600',
    AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT: '300',
  });
  processor.wall = processor.timed ?? processor.wall;
  const warm1 = dagship(repo);
  const warm2 = dagship(repo);
  const rows = [
    ['dagship check (cold)', cold],
    ['dagship check (warm, nothing changed)', warm2],
    ['airflow dags list-import-errors --local (command only)', listErrors],
    [`airflow dag-processor --num-runs 1 (stored ${/STORED (\d+)/.exec(processor.out)?.[1] ?? '?'} DAGs)`, processor],
  ];
  if (n <= 100) {
    const loop = `for f in /repo/dags/*.py; do python -c "import sys; sys.path.insert(0, '/repo/dags')
try:
    from airflow.dag_processing.dagbag import DagBag
except ImportError:
    from airflow.models import DagBag
DagBag(sys.argv[1])" "$f"; done`;
    rows.push(['one python process per file', dockerMeasured(repo, loop)]);
  }
  if (repeat > 1) {
    console.log(`${repeat} runs each, medians; ideal ${ideals.map((r) => r.wall.toFixed(2)).join(' ')}; dagship cold ${colds.map((r) => r.wall.toFixed(2)).join(' ')}`);
  }
  console.log(`files checked by dagship: ${found}; Airflow import once ${imp.toFixed(2)}s, sequential per-file imports ${parse.toFixed(2)}s, serialization ${serialize.toFixed(2)}s`);
  console.log(`ideal for this machine (import once + per-file import and serialization / ${cpus().length} cores): ${idealWall.toFixed(2)}s`);
  console.log(`${'variant'.padEnd(56)} ${'wall'.padStart(8)} ${'cpu'.padStart(8)} ${'peak mem'.padStart(10)}  wall ratio to dagship cold`);
  for (const [name, r] of rows) console.log(`${name.padEnd(56)} ${fmt(r.wall)} ${fmt(r.cpu)} ${mib(r.peak)}  ${(r.wall / cold.wall).toFixed(2)}×`);
  console.log(
    `dagship cold vs ideal: ${((cold.wall / idealWall - 1) * 100).toFixed(1)}% over; warm re-run costs ${((warm2.wall / cold.wall) * 100).toFixed(1)}% of cold (first warm fill: ${warm1.wall.toFixed(2)}s); load average now ${load()}`,
  );
  rmSync(repo, { recursive: true, force: true });
}
