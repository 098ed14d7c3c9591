import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDocker } from '../../src/engine/index.js';
import { check } from './check-helpers.js';
import { dagship, gitRepoWith } from './cli.js';
import { infra } from './infra.js';
import { removeImages } from './images.js';

// Which files each command covers (README, "Which files each command covers"): check lists DAG files with
// the image's own Airflow; build, lint and --changed-since cover what .airflowignore hides as well.
const env = infra();
const engine = connectDocker();
const docker = new Docker();
const made: string[] = [];

afterAll(async () => {
  await removeImages(docker, made);
});

const dag = (id: string, head = '') => `${head}from datetime import datetime\n\nfrom airflow import DAG\n\nwith DAG(dag_id="${id}", schedule=None, start_date=datetime(2025, 1, 1)):\n    pass\n`;

/**
 * `wip_.*` hides wip_etl.py as a regexp and nothing as a glob; `draft?.py` hides draft1.py as a glob and
 * nothing as a regexp. helpers/ (imported by a DAG) and the nested team/.airflowignore hide files in both.
 */
function coverageRepo() {
  const repository = `${env.registry}/dagship-test/coverage-${randomBytes(4).toString('hex')}`;
  const dir = gitRepoWith({
    'dagship.yaml': `base_image: ${env.airflow3Image}\ntools_image: ${env.toolsImage}\nrepository: ${repository}\n`,
    'ruff.toml': 'lint.select = ["F"]\nextend-exclude = ["dags/vendor"]\n',
    '.bandit': '[bandit]\nexclude = ./dags/vendor\n',
    // A platform that reads .airflowignore as globs on Airflow 2 sets it in its image.
    Dockerfile: `FROM ${env.airflow2Image}\nENV AIRFLOW__CORE__DAG_IGNORE_FILE_SYNTAX=glob\n`,
    'dags/.airflowignore': '# imported by the DAGs, never parsed as DAG files\nhelpers/\nwip_.*\ndraft?.py\n',
    'dags/team/.airflowignore': 'old_*\n',
    'dags/helpers/__init__.py': '',
    'dags/helpers/common.py': '"""Shared by the airflow DAG files."""\nimport os\n\nOWNER = "data"\n',
    'dags/vendor/lib.py': 'import json\nimport os\nimport subprocess\n\nsubprocess.call(os.environ["CMD"], shell=True)\n',
    'dags/uses_helper.py': dag('uses_helper', 'from helpers.common import OWNER  # noqa: F401\n'),
    'dags/wip_etl.py': dag('wip_etl'),
    'dags/draft1.py': dag('draft1'),
    'dags/team/current.py': dag('current'),
    'dags/team/old_sales.py': dag('old_sales'),
  });
  made.push(`${repository}:${git(dir, 'rev-parse', 'HEAD').trim()}`);
  return { dir, repository };
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, encoding: 'utf8' });
}

const checkedFiles = (report: { files: { path: string }[] } | undefined) => report?.files.map((f) => f.path).sort();

describe('each command covers the files production uses them for', () => {
  const repo = coverageRepo();

  it("check lists DAG files with the image's own Airflow: glob on 3, regexp on 2, nested .airflowignore, and the image's syntax setting", async () => {
    const built = await dagship(['build', repo.dir, '--dockerfile', 'Dockerfile']);
    expect(built.exitCode, built.stderr).toBe(0);
    const globOnTwo = built.stdout.trim();
    made.push(globOnTwo);
    const [three, two, twoGlob] = await Promise.all([check(repo.dir, ['--image', env.airflow3Image]), check(repo.dir, ['--image', env.airflow2Image]), check(repo.dir, ['--image', globOnTwo])]);
    expect(checkedFiles(three.report)).toEqual(['dags/team/current.py', 'dags/uses_helper.py', 'dags/wip_etl.py']);
    expect(checkedFiles(two.report)).toEqual(['dags/draft1.py', 'dags/team/current.py', 'dags/uses_helper.py']);
    expect(checkedFiles(twoGlob.report)).toEqual(checkedFiles(three.report));
    expect([three.exitCode, two.exitCode, twoGlob.exitCode]).toEqual([0, 0, 0]);
    // A Dockerfile build is labelled with its final stage's Airflow.
    expect((await engine.image(globOnTwo))?.labels['io.dagship.airflow.version']).toBe('2.11.2');
  });

  it('build bakes the whole DAG folder, ignored files included, labelled with the Airflow it runs', async () => {
    // The repository's Dockerfile is for the Airflow 2 check above: this build opts out of it.
    const built = await dagship(['build', repo.dir, '--dockerfile', 'none']);
    expect(built.exitCode, built.stderr).toBe(0);
    const ref = built.stdout.trim();
    const listing = await engine.run({ image: ref, entrypoint: ['sh', '-c'], cmd: ['cd /opt/airflow/dags && find . -name "*.py" | sort'], network: 'none' });
    expect(listing.stdout.split('\n').filter(Boolean)).toEqual([
      './draft1.py',
      './helpers/__init__.py',
      './helpers/common.py',
      './team/current.py',
      './team/old_sales.py',
      './uses_helper.py',
      './vendor/lib.py',
      './wip_etl.py',
    ]);
    expect((await engine.image(ref))?.labels['io.dagship.airflow.version']).toBe('3.3.2');
  });

  it("lint covers ignored files minus the linters' own excludes, and --changed-since maps a changed ignored helper to the DAGs importing it", async () => {
    const all = await dagship(['lint', repo.dir, '--json', `${repo.dir}/all.json`]);
    const where = (file: string) => (JSON.parse(readFileSync(file, 'utf8')).findings as { file: string; rule: string }[]).map((f) => `${f.rule} ${f.file}`).sort();
    expect(where(`${repo.dir}/all.json`)).toEqual(['F401 dags/helpers/common.py']);
    expect(all.exitCode).toBe(1);

    appendFileSync(path.join(repo.dir, 'dags/helpers/common.py'), 'TEAM = "sales"\n');
    appendFileSync(path.join(repo.dir, 'dags/vendor/lib.py'), 'import sys\n');
    git(repo.dir, 'commit', '-qam', 'helpers changed');
    const [lint, checked] = await Promise.all([
      dagship(['lint', repo.dir, '--changed-since', 'HEAD~1', '--json', `${repo.dir}/changed.json`]),
      check(repo.dir, ['--image', env.airflow3Image, '--changed-since', 'HEAD~1']),
    ]);
    expect(lint.stderr).toMatch(/ruff and bandit on 2 Python file\(s\)/);
    expect(where(`${repo.dir}/changed.json`)).toEqual(['F401 dags/helpers/common.py']);
    expect(checkedFiles(checked.report)).toEqual(['dags/uses_helper.py']);
    expect(checked.exitCode).toBe(0);
  });
});
