import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAirflowVersion } from '../../src/airflow-version.js';
import { connectDocker } from '../../src/engine/index.js';
import { silentLogger } from '../../src/logger.js';
import { dagship, gitRepoWith } from './cli.js';
import { removeImages } from './images.js';
import { infra } from './infra.js';

/*
 * Repositories as teams lay them out, with no dagship.yaml: the Airflow image is inferred from what the
 * repository says and pulled through the image mirror, which points Docker Hub names at the test registry.
 * The stand-in is pushed there under the official name; on the engine it is never tagged as apache/airflow.
 */

const env = infra();
const engine = connectDocker();
const docker = new Docker({ socketPath: env.dockerHost.replace('unix://', '') });
const mirror = `${env.registry}/detect-${randomBytes(4).toString('hex')}`;
const made: string[] = [];
let version: string;
let mirrored: string;

const DAG = [
  'import pendulum',
  'from airflow import DAG',
  'from airflow.operators.empty import EmptyOperator',
  '',
  'with DAG("detected", start_date=pendulum.datetime(2025, 1, 1), schedule=None, catchup=False, tags=["team"]):',
  '    EmptyOperator(task_id="start")',
  '',
].join('\n');

/** Runs the CLI in the repository as `dagship <command> .`, with only the mirror (and lint's tools image) set. */
const run = (dir: string, ...args: string[]) => dagship([...args.slice(0, 1), '.', ...args.slice(1)], { cwd: dir, env: { DAGSHIP_IMAGE_MIRROR: mirror, DAGSHIP_TOOLS_IMAGE: env.toolsImage } });
const firstLine = (stderr: string) => stderr.split('\n')[0];

beforeAll(async () => {
  version = (await readAirflowVersion(env.airflow3Image, engine, silentLogger))!.version;
  mirrored = `${mirror}/apache/airflow:${version}`;
  await docker.getImage(env.airflow3Image).tag({ repo: `${mirror}/apache/airflow`, tag: version });
  const stream = await docker.getImage(mirrored).push({ authconfig: {} });
  await new Promise((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve(undefined))));
  // `check` does not pull a missing base image yet (that lands separately): the local tag stays, so check
  // finds it. build pulls it through the mirror itself (ensureBase) when it is missing.
  made.push(mirrored);
}, 300_000);

afterAll(async () => {
  await removeImages(docker, made);
});

describe('a repository with no dagship.yaml (real engine, image mirror on the test registry)', () => {
  it('requirements only: the apache-airflow pin names the image check, lint and build use', async () => {
    const dir = gitRepoWith({ 'requirements.txt': `apache-airflow==${version}\n`, 'dags/etl.py': DAG });
    const line = `dagship: inferred base image ${mirrored} (apache/airflow:${version} through image_mirror; requirements.txt:1 apache-airflow==${version})`;

    const checked = await run(dir, 'check');
    expect(firstLine(checked.stderr)).toBe(line);
    expect(checked.exitCode, checked.stderr).toBe(0);
    expect(checked.stdout).toMatch(/1 DAG file\(s\) checked of 1 discovered, 1 DAG\(s\), 1 task\(s\)/);

    const doctor = await run(dir, 'doctor');
    const rows = doctor.stdout.split('\n');
    expect(rows.find((r) => r.includes('Inferred base_image'))).toMatch(`base image ${mirrored} (apache/airflow:${version} through image_mirror; requirements.txt:1`);
    expect(rows.find((r) => r.includes('Airflow image'))).toMatch(new RegExp(`^ok +Airflow image +${mirrored.replaceAll('.', '\\.')} `));

    const linted = await run(dir, 'lint');
    expect(firstLine(linted.stderr)).toBe(line);
    expect(linted.exitCode, linted.stderr).toBe(0);

    const built = await run(dir, 'build');
    expect(firstLine(built.stderr)).toBe(line);
    expect(built.exitCode, built.stderr).toBe(0);
    const image = built.stdout.trim();
    made.push(image);
    // No repository configured: a local name; the generated build (no Dockerfile) on the mirrored base.
    expect(image).toMatch(/^dagship-local\/dagship-e2e-[a-z0-9-]+:[0-9a-f]{40}$/);
    const labels = (await docker.getImage(image).inspect()).Config.Labels;
    expect(labels['org.opencontainers.image.base.name']).toBe(mirrored);
  }, 600_000);

  it('ship without a repository refuses to push before anything is built', async () => {
    const dir = gitRepoWith({ 'requirements.txt': `apache-airflow==${version}\n`, 'dags/etl.py': DAG });
    const refused = await run(dir, 'ship');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("error: no repository configured for images\nhint: set 'repository' in dagship.yaml");
    expect(refused.stderr).not.toContain('1/5 lint');
  });

  it('plain Airflow with a Dockerfile: its FROM and ARG name the image, build uses the Dockerfile through the mirror', async () => {
    const dir = gitRepoWith({
      Dockerfile: [
        `ARG AIRFLOW_VERSION=${version}`,
        'FROM apache/airflow:${AIRFLOW_VERSION}',
        'ENV PYTHONPATH="${PYTHONPATH}:/opt/airflow"',
        'COPY --chown=50000:0 dags/ /opt/airflow/dags/',
        'COPY --chown=50000:0 include/ /opt/airflow/include/',
        '',
      ].join('\n'),
      'dags/etl.py': DAG,
      'include/queries/daily.sql': 'select 1\n',
    });
    const from = `(apache/airflow:${version} through image_mirror; Dockerfile:2 FROM, ARG AIRFLOW_VERSION=${version})`;

    const checked = await run(dir, 'check');
    expect(firstLine(checked.stderr)).toMatch(`dagship: inferred base image ${mirrored} ${from}, build with Dockerfile (found at the root; build.dockerfile: none opts out), `);
    expect(firstLine(checked.stderr)).toContain('include/ at /opt/airflow/include (Dockerfile:5 COPY), PYTHONPATH /opt/airflow (Dockerfile:3 ENV PYTHONPATH)');
    expect(checked.exitCode, checked.stderr).toBe(0);

    // The builder is sent the Dockerfile with its FROM through the mirror: it never reaches for Docker Hub.
    await removeImages(docker, [mirrored]);
    const built = await run(dir, 'build');
    expect(built.exitCode, built.stderr).toBe(0);
    expect(built.stderr).toContain(`Dockerfile: FROM through image_mirror ${mirrored}`);
    const image = built.stdout.trim();
    made.push(image);
    const inspected = await docker.getImage(image).inspect();
    expect(inspected.Config.Labels['org.opencontainers.image.base.name']).toBe(mirrored);
    const listing = await engine.run({ image, entrypoint: ['sh', '-c'], cmd: ['cat /opt/airflow/include/queries/daily.sql; ls /opt/airflow/dags; echo $PYTHONPATH'], network: 'none' });
    expect(listing.stdout.split('\n')).toEqual(['select 1', 'etl.py', ':/opt/airflow', '']);

    const shipped = await run(dir, 'ship', '--no-push');
    expect(firstLine(shipped.stderr)).toMatch(`dagship: inferred base image ${mirrored} ${from}`);
    expect(shipped.exitCode, shipped.stderr).toBe(0);
  }, 900_000);
});
