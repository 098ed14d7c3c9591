import { describe, expect, it } from 'vitest';
import { loadOptions, type OverridableKey } from '../../src/config.js';
import { mirrorImage } from '../../src/detect.js';
import { inferenceLine, inferOptions } from '../../src/infer.js';
import { errorOf, folderWith } from './helpers.js';

const DAG = 'from airflow.sdk import DAG\n';

/** Options of a repository with these files, what it says about itself filled in. */
function inferred(files: Record<string, string>, env: Record<string, string> = {}, flags: Partial<Record<OverridableKey, string>> = {}) {
  return inferOptions(loadOptions({ root: folderWith(files, 'dagship-detect-'), env, flags }));
}
const keys = (o: ReturnType<typeof inferred>) => (o.inferred ?? []).map((n) => n.key);

/** (a) plain Airflow with its own Dockerfile. */
const plainAirflow = {
  Dockerfile: [
    'ARG AIRFLOW_VERSION=2.10.5',
    'FROM apache/airflow:${AIRFLOW_VERSION}',
    'ENV PYTHONPATH="${PYTHONPATH}:/opt/airflow"',
    'COPY requirements.txt /requirements.txt',
    'RUN pip install --no-cache-dir -r /requirements.txt',
    'COPY --chown=airflow:root dags/ /opt/airflow/dags/',
    'COPY include/ /opt/airflow/include/',
  ].join('\n'),
  'requirements.txt': 'apache-airflow-providers-http\n',
  'dags/etl.py': DAG,
  'include/helpers.py': 'X = 1\n',
};

/** (b) an Astro-style project: a one-line Dockerfile whose base copies the project itself. */
const astro = {
  Dockerfile: 'FROM quay.io/astronomer/astro-runtime:12.6.0\n',
  'dags/etl.py': DAG,
  'include/sql/q.sql': 'select 1\n',
  'plugins/macros.py': 'X = 1\n',
  'requirements.txt': 'apache-airflow-providers-snowflake\n',
  'packages.txt': 'libpq-dev\n',
  'tests/dags/test_dag_integrity.py': '',
};

/** (c) requirements only. */
const requirementsOnly = {
  'requirements.txt': '# runtime\napache-airflow[celery]==3.1.0  # the version we run\npandas>=2\n',
  'dags/etl.py': DAG,
};

describe('what a repository says about itself', () => {
  it('(a) plain Airflow: the base from FROM with its ARG, the Dockerfile for build, the COPYs as layout', () => {
    const o = inferred(plainAirflow);
    expect(o.base_image).toBe('apache/airflow:2.10.5');
    expect(o.build.dockerfile).toBe('Dockerfile');
    expect(o.dags_folder).toBe('dags');
    expect(o.image_layout).toEqual({ folders: { include: '/opt/airflow/include' }, python_path: ['/opt/airflow'] });
    expect(inferenceLine(o)).toBe(
      'dagship: inferred base image apache/airflow:2.10.5 (Dockerfile:2 FROM, ARG AIRFLOW_VERSION=2.10.5), build with Dockerfile (found at the root; build.dockerfile: none opts out), ' +
        'DAGs dags/ (Dockerfile:6 COPY), include/ at /opt/airflow/include (Dockerfile:7 COPY), PYTHONPATH /opt/airflow (Dockerfile:3 ENV PYTHONPATH)',
    );
  });

  it('(b) Astro: runtime image, the project under /usr/local/airflow, on the import path', () => {
    const o = inferred(astro);
    expect(o.base_image).toBe('quay.io/astronomer/astro-runtime:12.6.0');
    expect(o.image_layout).toEqual({
      dags: '/usr/local/airflow/dags',
      plugins: '/usr/local/airflow/plugins',
      folders: { '.': '/usr/local/airflow' },
      python_path: ['/usr/local/airflow'],
    });
    expect(o.inferred?.find((n) => n.key === 'image_layout.dags')?.from).toBe('quay.io/astronomer/astro-runtime:12.6.0 ONBUILD COPY');
  });

  it('(c) requirements only: the apache-airflow pin names the official image; build stays generated', () => {
    const o = inferred(requirementsOnly);
    expect(o.base_image).toBe('apache/airflow:3.1.0');
    expect(o.build.dockerfile).toBeUndefined();
    expect(inferenceLine(o)).toBe('dagship: inferred base image apache/airflow:3.1.0 (requirements.txt:2 apache-airflow==3.1.0)');
  });

  it('reads pins in files the requirements name with -c and -r, and in constraints*.txt', () => {
    const o = inferred({
      'requirements.txt': '-c deps/constraints.txt\n-r more.txt\n',
      'deps/constraints.txt': 'apache_airflow==3.0.6\n',
      'more.txt': 'x\n',
      'constraints-3.12.txt': 'apache-airflow==3.0.6\n',
    });
    expect(o.base_image).toBe('apache/airflow:3.0.6');
    expect(o.inferred?.[0]?.from).toBe('deps/constraints.txt:1, constraints-3.12.txt:1 apache-airflow==3.0.6');
  });

  it('finds the DAG folder the Dockerfile copies to $AIRFLOW_HOME/dags, and airflow/dags/', () => {
    const copied = inferred({ Dockerfile: 'FROM apache/airflow:3.1.0\nENV AIRFLOW_HOME=/srv/af\nCOPY src/pipelines $AIRFLOW_HOME/dags\n', 'src/pipelines/a.py': DAG, 'dags/old.py': DAG });
    expect(copied.dags_folder).toBe('src/pipelines');
    expect(copied.image_layout.dags).toBe('/srv/af/dags');
    expect(inferred({ 'airflow/dags/a.py': DAG, 'airflow/plugins/p.py': '' })).toMatchObject({ dags_folder: 'airflow/dags', plugins_folder: 'airflow/plugins' });
    const whole = inferred({ Dockerfile: 'FROM apache/airflow:3.1.0\nCOPY . /opt/airflow/\n', 'dags/a.py': DAG, 'lib/x.py': '' });
    expect(whole.image_layout).toEqual({ folders: { '.': '/opt/airflow' } });
  });

  it('leaves configured settings alone: yaml, DAGSHIP_* and flags win over the repository', () => {
    const o = inferred({ ...plainAirflow, 'dagship.yaml': 'dags_folder: include\nimage_layout: {python_path: [/x]}\n' }, { DAGSHIP_BASE_IMAGE: 'team/airflow:1' });
    expect(o).toMatchObject({ base_image: 'team/airflow:1', dags_folder: 'include', image_layout: { python_path: ['/x'] } });
    expect(keys(o)).not.toContain('base_image');
    expect(keys(o)).not.toContain('dags_folder');
    // A configured dags_folder equal to the default is still configured: the Dockerfile does not move it.
    const same = inferred({ Dockerfile: 'FROM apache/airflow:3.1.0\nCOPY src/ /opt/airflow/dags/\n', 'src/a.py': DAG }, {}, { dags_folder: 'dags' });
    expect(same.dags_folder).toBe('dags');
  });

  it('builds the generated image with build.dockerfile: none, and still reads the Dockerfile for the base', () => {
    const o = inferred({ ...plainAirflow, 'dagship.yaml': 'build: {dockerfile: none}\n' });
    expect(o.build.dockerfile).toBe('none');
    expect(o.base_image).toBe('apache/airflow:2.10.5');
    expect(keys(o)).not.toContain('build.dockerfile');
  });

  it('uses a single Dockerfile in a folder; build args from dagship.yaml resolve its FROM', () => {
    const o = inferred({ 'docker/Dockerfile': 'ARG V\nFROM apache/airflow:${V}\n', 'dagship.yaml': 'build: {args: {V: 3.0.6}}\n', 'tests/Dockerfile': 'FROM python:3.12\n' });
    expect(o).toMatchObject({ base_image: 'apache/airflow:3.0.6', build: { dockerfile: 'docker/Dockerfile' } });
  });

  it('refuses what it cannot decide, naming the choices and how to pick', () => {
    const several = errorOf(() => inferred({ 'Dockerfile.prod': 'FROM apache/airflow:3.1.0\n', 'dev/Dockerfile': 'FROM apache/airflow:2.10.5\n' }));
    expect(several).toMatchObject({ kind: 'config', message: 'several Dockerfiles and none configured: Dockerfile.prod (FROM apache/airflow:3.1.0), dev/Dockerfile (FROM apache/airflow:2.10.5)' });
    expect(several.hint).toContain("'build.dockerfile'");
    expect(several.hint).toContain('--base-image');
    const pins = errorOf(() => inferred({ 'requirements.txt': 'apache-airflow==3.1.0\n', 'constraints.txt': 'apache-airflow==3.0.6\n' }));
    expect(pins.message).toBe('the requirements pin different Airflow versions: apache-airflow==3.1.0 (requirements.txt:1), apache-airflow==3.0.6 (constraints.txt:1)');
    const unset = errorOf(() => inferred({ Dockerfile: 'ARG BASE_IMAGE\nFROM $BASE_IMAGE\n' }));
    expect(unset).toMatchObject({ kind: 'config', message: 'Dockerfile:2 FROM : no value for $BASE_IMAGE (an ARG without a default)' });
    // A configured base image settles each of them.
    expect(inferred({ Dockerfile: 'ARG BASE_IMAGE\nFROM $BASE_IMAGE\n' }, { DAGSHIP_BASE_IMAGE: 'a:1' }).base_image).toBe('a:1');
  });

  it('pulls inferred images through the mirror; a configured base image is used as written', () => {
    const mirrored = inferred(requirementsOnly, { DAGSHIP_IMAGE_MIRROR: 'registry.corp/dockerhub' });
    expect(mirrored.base_image).toBe('registry.corp/dockerhub/apache/airflow:3.1.0');
    expect(mirrored.inferred?.[0]?.from).toBe('apache/airflow:3.1.0 through image_mirror; requirements.txt:2 apache-airflow==3.1.0');
    const quay = inferred(astro, { DAGSHIP_IMAGE_MIRROR: 'registry.corp/hub, quay.io=registry.corp/quay' });
    expect(quay.base_image).toBe('registry.corp/quay/astronomer/astro-runtime:12.6.0');
    expect(inferred(requirementsOnly, { DAGSHIP_IMAGE_MIRROR: 'registry.corp/hub', DAGSHIP_BASE_IMAGE: 'apache/airflow:3.0.6' }).base_image).toBe('apache/airflow:3.0.6');
    expect(mirrorImage('python:3.12', { 'docker.io': 'm.corp/hub/' })).toBe('m.corp/hub/library/python:3.12');
    expect(mirrorImage('ghcr.io/x/y:1', { 'docker.io': 'm.corp/hub' })).toBe('ghcr.io/x/y:1');
    expect(errorOf(() => inferred({}, { DAGSHIP_IMAGE_MIRROR: 'https://m.corp' })).message).toMatch(/DAGSHIP_IMAGE_MIRROR: 'image_mirror.docker.io' must be a registry host/);
  });

  it('says nothing when nothing was inferred', () => {
    expect(inferenceLine(inferred({ 'dags/a.py': DAG }))).toBeUndefined();
  });
});
