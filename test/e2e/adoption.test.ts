import Docker from 'dockerode';
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAirflowVersion } from '../../src/airflow-version.js';
import { connectDocker } from '../../src/engine/index.js';
import { silentLogger } from '../../src/logger.js';
import { dagship, gitRepoWith } from './cli.js';
import { removeImages } from './images.js';
import { infra } from './infra.js';

/*
 * An Astro-style project as the Astro CLI lays it out — a one-line Dockerfile on astro-runtime, DAGs that
 * import from include/ and read its data, plugins/, an empty requirements.txt and packages.txt — with no
 * dagship.yaml and nothing set but the image mirror: no tools image, no base image, no layout. The
 * stand-in runtime (the Airflow 3 stand-in with Astro's AIRFLOW_HOME and its ONBUILD copy of the
 * project) is pushed to the test registry under the official name's path; on the engine it is only ever
 * tagged with the test registry's name.
 */

const env = infra();
const engine = connectDocker();
const docker = new Docker({ socketPath: env.dockerHost.replace('unix://', '') });
const quay = `${env.registry}/adopt-${randomBytes(4).toString('hex')}-quay`;
const RUNTIME_TAG = '3.1-1';
const made: string[] = [];

const DAG = [
  'import csv',
  'import pathlib',
  'import pendulum',
  'from airflow import DAG',
  'from airflow.operators.python import PythonOperator',
  'from include.helpers import owner',
  '',
  'DATA = pathlib.Path(__file__).parent.parent / "include" / "data.csv"',
  '',
  'def load():',
  '    return list(csv.reader(DATA.open()))',
  '',
  'with DAG("astro_etl", start_date=pendulum.datetime(2025, 1, 1), schedule=None, catchup=False, default_args={"owner": owner()}):',
  '    PythonOperator(task_id="load", python_callable=load)',
  '',
].join('\n');

async function push(ref: string): Promise<void> {
  const stream = await docker.getImage(ref).push({ authconfig: {} });
  await new Promise((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve(undefined))));
}

beforeAll(async () => {
  const version = (await readAirflowVersion(env.airflow3Image, engine, silentLogger))!.version;
  expect(version).toMatch(/^3\./);
  // Built from the same text every run, so the engine's build cache gives the same image (and dagship's
  // own tools image, keyed by the base's ID, is built once per machine).
  const runtime = `${quay}/astronomer/astro-runtime:${RUNTIME_TAG}`;
  const dockerfile = [
    `FROM ${env.airflow3Image}`,
    'USER root',
    'RUN mkdir -p /usr/local/airflow && chown 50000:0 /usr/local/airflow',
    'ENV AIRFLOW_HOME=/usr/local/airflow',
    'WORKDIR /usr/local/airflow',
    'USER 50000',
    'ONBUILD COPY --chown=50000:0 . ./',
    '',
  ].join('\n');
  // A stable local name keeps the image (and so the build cache and the tools image keyed by its ID)
  // from one run to the next; only the mirror's name is removed, so dagship must pull through it.
  const kept = `dagship-test/astro-runtime-standin:${RUNTIME_TAG}`;
  await execa('docker', ['build', '--quiet', '-t', kept, '-t', runtime, '-'], { input: dockerfile, env: { DOCKER_HOST: env.dockerHost, DOCKER_BUILDKIT: '0' } });
  await push(runtime);
  await removeImages(docker, [runtime]);
  made.push(runtime);
}, 600_000);

afterAll(async () => {
  await removeImages(docker, made);
});

describe('an Astro-style project with nothing configured (real engine, mirror on the test registry)', () => {
  const repo = () =>
    gitRepoWith({
      Dockerfile: `FROM quay.io/astronomer/astro-runtime:${RUNTIME_TAG}\n`,
      'dags/astro_etl.py': DAG,
      'include/__init__.py': '',
      'include/helpers.py': 'def owner():\n    return "data-platform"\n',
      'include/data.csv': 'id,name\n1,a\n',
      'plugins/.gitkeep': '',
      'requirements.txt': '',
      'packages.txt': '',
      '.astro/config.yaml': 'project:\n  name: adoption\n',
    });
  const run = (dir: string, ...args: string[]) =>
    dagship([args[0]!, '.', ...args.slice(1)], { cwd: dir, env: { DAGSHIP_IMAGE_MIRROR: `quay.io=${quay}`, DAGSHIP_TOOLS_IMAGE: undefined, DAGSHIP_BASE_IMAGE: undefined } });

  it('check imports include/ from the project root, as Astro runs it; ship builds with the Dockerfile and checks the image where Astro keeps the DAGs', async () => {
    const dir = repo();
    const checked = await run(dir, 'check');
    expect(checked.stderr.split('\n')[0]).toContain(`dagship: inferred base image ${quay}/astronomer/astro-runtime:${RUNTIME_TAG}`);
    expect(checked.exitCode, checked.stdout + checked.stderr).toBe(0);
    expect(checked.stdout).toMatch(/1 DAG file\(s\) checked of 1 discovered, 1 DAG\(s\), 1 task\(s\)/);

    const shipped = await run(dir, 'ship', '--no-push');
    expect(shipped.exitCode, shipped.stdout + shipped.stderr).toBe(0);
    expect(shipped.stdout + shipped.stderr).toMatch(/3\/5 check: import every DAG inside/);
    const image = /shipped locally (\S+)/.exec(shipped.stdout + shipped.stderr)?.[1];
    expect(image).toBeTruthy();
    made.push(image!);
    // What the tasks read at run time is in the image, where the project root is.
    const inside = await engine.run({ image: image!, entrypoint: ['sh', '-c'], cmd: ['cat /usr/local/airflow/include/data.csv; ls /usr/local/airflow/dags'], network: 'none' });
    expect(inside.stdout.split('\n')).toEqual(['id,name', '1,a', 'astro_etl.py', '']);
  }, 900_000);

  it('the same project without its include/ helpers fails the check: the import is really exercised', async () => {
    const dir = repo();
    await execa('git', ['rm', '-q', 'include/helpers.py'], { cwd: dir });
    await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'drop helpers'], { cwd: dir });
    const checked = await run(dir, 'check');
    expect(checked.exitCode).toBe(1);
    expect(checked.stdout).toMatch(/dag-import-error[\s\S]*include\.helpers/);
  }, 600_000);
});
