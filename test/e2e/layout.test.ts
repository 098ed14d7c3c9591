import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDocker } from '../../src/engine/index.js';
import { commitAll, dagship, gitRepoWith } from './cli.js';
import { removeImages } from './images.js';
import { infra } from './infra.js';

const env = infra();
const engine = connectDocker();
const docker = new Docker({ socketPath: env.dockerHost.replace('unix://', '') });
const made: string[] = [];
afterAll(async () => {
  await removeImages(docker, made);
});

const DAG = (helper: string, data: string) => `"""Loads the orders the helper names, from the data file baked beside the DAGs."""

from __future__ import annotations

import csv

import pendulum
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG

from ${helper} import source_name


def _load() -> int:
    with open("${data}", encoding="utf-8") as fh:
        return len(list(csv.reader(fh)))


with DAG(
    dag_id="load_orders",
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    tags=[source_name()],
):
    PythonOperator(task_id="load", python_callable=_load)
`;

const HELPER = 'def source_name() -> str:\n    return "orders"\n';

/** An Astro project: DAGs import from include/, a task reads include/data.csv when it runs. */
const ASTRO = {
  'dags/load_orders.py': DAG('include.helpers', '/usr/local/airflow/include/data.csv'),
  'include/__init__.py': '',
  'include/helpers.py': HELPER,
  'include/data.csv': 'id,amount\n1,10\n',
  'requirements.txt': '',
};
const ASTRO_LAYOUT = 'image_layout:\n  dags: /usr/local/airflow/dags\n  folders: {include: /usr/local/airflow/include}\n  python_path: [/usr/local/airflow]\n';

/** Plain Airflow with a helper package at the repository root, put on the import path by the team's image. */
const ROOT_PACKAGE = {
  'dags/load_orders.py': DAG('common.helpers', '/opt/airflow/common/data.csv'),
  'common/__init__.py': '',
  'common/helpers.py': HELPER,
  'common/data.csv': 'id,amount\n1,10\n',
  'requirements.txt': '',
};
const ROOT_LAYOUT = 'image_layout:\n  folders: {common: /opt/airflow/common}\n  python_path: [/opt/airflow]\n';

function repoWith(files: Record<string, string>, layout: string) {
  const repository = `${env.registry}/dagship-test/layout-${randomBytes(4).toString('hex')}`;
  const config = `base_image: ${env.airflow3Image}\ntools_image: ${env.toolsImage}\nrepository: ${repository}\n${layout}`;
  const dir = gitRepoWith({ ...files, 'dagship.yaml': config });
  const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
  made.push(`${repository}:${sha}`);
  return { dir, ref: `${repository}:${sha}`, config };
}

/** Runs a shell command in the image, with no network. */
async function inImage(ref: string, script: string) {
  const result = await engine.run({ image: ref, entrypoint: ['sh', '-c'], cmd: [script], network: 'none' });
  return { exitCode: result.exitCode, output: `${result.stdout}${result.stderr}` };
}

describe.each([
  ['an Astro project (include/ beside dags/)', ASTRO, ASTRO_LAYOUT, "No module named 'include'"],
  ["a helper package at the repository's root", ROOT_PACKAGE, ROOT_LAYOUT, "No module named 'common'"],
])('image_layout: %s', (_name, files, layout, missing) => {
  it('check imports the helpers where the image has them, and fails without the layout', async () => {
    const repo = repoWith(files, layout);
    const passed = await dagship(['check', repo.dir]);
    expect(passed.stdout).toMatch(/1 DAG file\(s\) checked of 1 discovered, 1 DAG\(s\), 1 task\(s\)/);
    expect(passed.exitCode).toBe(0);

    writeFileSync(path.join(repo.dir, 'dagship.yaml'), repo.config.replace(layout, ''));
    const failed = await dagship(['check', repo.dir]);
    expect(failed.exitCode).toBe(1);
    // Reported against the repository's own path, whichever folder the image keeps the DAGs in.
    expect(failed.stdout).toMatch(/^dags\/load_orders\.py$/m);
    expect(failed.stdout).toContain(`ModuleNotFoundError: ${missing}`);
  });

  it('ship bakes the folders where the layout says, importable and readable in the image', async () => {
    const repo = repoWith(files, layout);
    const shipped = await dagship(['ship', repo.dir, '--no-push']);
    expect(shipped.stderr).toMatch(/3\/5 check: import every DAG inside /);
    expect(shipped.exitCode).toBe(0);
    const data = files === ASTRO ? '/usr/local/airflow/include/data.csv' : '/opt/airflow/common/data.csv';
    const helper = files === ASTRO ? 'include.helpers' : 'common.helpers';
    const inside = await inImage(repo.ref, `cat ${data} && cd / && python -c 'import ${helper}; print(${helper}.source_name())'`);
    expect(inside).toEqual({ exitCode: 0, output: 'id,amount\n1,10\norders\n' });
  });
});

describe('image_layout in the built image', () => {
  it('puts the DAGs where the layout says, points Airflow there, and a change of an extra folder is a change of the image', async () => {
    const repo = repoWith(ASTRO, ASTRO_LAYOUT);
    const built = await dagship(['build', repo.dir]);
    expect(built.exitCode).toBe(0);
    const image = await engine.inspect(repo.ref);
    // The stand-in image keeps AIRFLOW_HOME=/opt/airflow: the DAG folder is set, the import path appended.
    expect(image!.config.Env).toContain('AIRFLOW__CORE__DAGS_FOLDER=/usr/local/airflow/dags');
    expect(image!.config.Env).toContain('PYTHONPATH=/usr/local/airflow');
    const listed = await inImage(repo.ref, 'ls /usr/local/airflow/dags /usr/local/airflow/include; ls -A /opt/airflow/dags | wc -l');
    expect(listed).toEqual({ exitCode: 0, output: '/usr/local/airflow/dags:\nload_orders.py\n\n/usr/local/airflow/include:\n__init__.py\ndata.csv\nhelpers.py\n0\n' });
    const digest = image!.labels['io.dagship.dags.digest'];

    writeFileSync(path.join(repo.dir, 'include/data.csv'), 'id,amount\n1,10\n2,20\n');
    const dirty = await dagship(['build', repo.dir]);
    expect(dirty.exitCode).toBe(2);
    expect(dirty.stderr).toContain('include/data.csv');
    commitAll(repo.dir, 'more data');
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo.dir, encoding: 'utf8' }).trim();
    const next = `${repo.ref.slice(0, repo.ref.lastIndexOf(':'))}:${sha}`;
    made.push(next);
    expect((await dagship(['build', repo.dir])).exitCode).toBe(0);
    expect((await engine.inspect(next))!.labels['io.dagship.dags.digest']).not.toBe(digest);
  });

  it("checks the whole repository baked at '.' with the DAGs inside it", async () => {
    const layout = "image_layout:\n  dags: /usr/local/airflow/dags\n  folders: {'.': /usr/local/airflow}\n  python_path: [/usr/local/airflow]\n";
    const repo = repoWith(ASTRO, layout);
    const checked = await dagship(['check', repo.dir]);
    expect(checked.stdout).toMatch(/1 DAG file\(s\) checked of 1 discovered, 1 DAG\(s\), 1 task\(s\)/);
    expect(checked.exitCode).toBe(0);
    const shipped = await dagship(['ship', repo.dir, '--no-push']);
    expect(shipped.exitCode).toBe(0);
    const inside = await inImage(repo.ref, 'ls /usr/local/airflow; ls /usr/local/airflow/dags');
    expect(inside.output.split('\n').filter(Boolean).sort()).toEqual(['dags', 'dagship.yaml', 'include', 'load_orders.py', 'requirements.txt']);
  });
});

describe('image_layout errors', () => {
  it('refuses a folder that does not exist, naming the key', async () => {
    const repo = repoWith(ROOT_PACKAGE, 'image_layout:\n  folders: {shared: /opt/airflow/shared}\n');
    const result = await dagship(['check', repo.dir]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('image_layout.folders.shared');
  });
});
