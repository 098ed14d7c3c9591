import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { configSchema, type Options } from '../../src/config.js';
import type { DockerEngine, ImageInfo, RunContainer } from '../../src/engine/index.js';
import { runDoctor, type DoctorDeps } from '../../src/doctor.js';
import { DagshipError } from '../../src/errors.js';
import type { GitState } from '../../src/git.js';
import type { Registry } from '../../src/registry/index.js';
import { folderWith } from './helpers.js';

const options: Options = {
  ...configSchema.parse({ base_image: 'apache/airflow:3.3.2', tools_image: 'tools:1', repository: 'reg.example.com/team/dags' }),
  root: '/repo',
  configFile: '/repo/dagship.yaml',
};

const image: ImageInfo = { id: `sha256:${'b'.repeat(64)}`, tags: [], size: 400e6, labels: {} };

function fakes(over: { engineDown?: boolean; images?: string[]; git?: GitState; registryDown?: boolean; containers?: RunContainer[] } = {}): DoctorDeps & { pinged: string[]; removed: string[] } {
  const pinged: string[] = [];
  const removed: string[] = [];
  const down = () => {
    throw new DagshipError('cannot reach the Docker Engine at unix:///x.sock: ENOENT', 'start Docker');
  };
  const docker: DockerEngine = {
    host: 'unix:///x.sock',
    info: async () => (over.engineDown ? down() : { host: 'unix:///x.sock', version: '20.10.24', apiVersion: '1.41', storageDriver: 'overlay2', os: 'linux', arch: 'amd64' }),
    image: async (ref) => (over.engineDown ? down() : (over.images ?? [options.base_image!, options.tools_image!]).includes(ref) ? image : undefined),
    run: async () => down(),
    runContainers: async () => (over.containers ?? []).filter((c) => !removed.includes(c.id)),
    remove: async (id) => void removed.push(id),
  };
  const registry = (host: string): Registry => ({
    host,
    ping: async () => {
      pinged.push(host);
      if (over.registryDown) throw new DagshipError(`cannot reach the registry ${host}`, 'check the host');
      return { url: `https://${host}`, authRequired: true };
    },
  });
  const git = { state: async () => over.git, changedSince: async () => [] };
  return { docker, registry, git, pinged, removed };
}

const clean: GitState = { root: '/repo', revision: 'a'.repeat(40), commitTime: '2026-01-01T00:00:00Z', dirtyPaths: [] };
const statuses = (checks: { name: string; status: string }[]) => Object.fromEntries(checks.map((c) => [c.name, c.status]));

describe('runDoctor', () => {
  it('is all ok on a ready machine and pings the repository’s registry', async () => {
    const deps = fakes({ git: clean });
    const checks = await runDoctor(options, deps);
    expect(statuses(checks)).toEqual({
      Configuration: 'ok',
      'Docker Engine': 'ok',
      Registry: 'ok',
      'Tag immutability': 'ok',
      'Git repository': 'ok',
      'Airflow image': 'ok',
      'Tools image': 'ok',
      'Leftover containers': 'ok',
    });
    expect(deps.pinged).toEqual(['reg.example.com']);
    expect(checks.find((c) => c.name === 'Docker Engine')?.detail).toBe('20.10.24 (API 1.41, overlay2, linux/amd64) at unix:///x.sock');
  });

  it('asks Docker Hub’s API host for an image on docker.io', async () => {
    const deps = fakes({ git: clean });
    await runDoctor({ ...options, repository: 'team/dags' }, deps);
    expect(deps.pinged).toEqual(['registry-1.docker.io']);
  });

  it('when the engine is down, says so once and does not pretend to know about images', async () => {
    const checks = await runDoctor(options, fakes({ engineDown: true, git: clean }));
    const engine = checks.find((c) => c.name === 'Docker Engine')!;
    expect(engine).toMatchObject({ status: 'problem', hint: 'start Docker' });
    expect(checks.find((c) => c.name === 'Airflow image')).toMatchObject({ status: 'problem', detail: 'apache/airflow:3.3.2: cannot look, the Docker Engine is unreachable' });
  });

  it('names a missing image with the command that fixes it', async () => {
    const checks = await runDoctor(options, fakes({ images: ['tools:1'], git: clean }));
    expect(checks.find((c) => c.name === 'Airflow image')).toMatchObject({
      status: 'problem',
      detail: 'apache/airflow:3.3.2 is not on the Docker Engine',
      hint: 'docker pull apache/airflow:3.3.2 (or build it), then run again',
    });
  });

  it('asks the registry for a base image the engine lacks: pulled when needed, or a problem when the registry lacks it', async () => {
    const asked: string[] = [];
    const inRegistry = (answer: boolean | Error) => async (ref: string) => {
      asked.push(ref);
      if (answer instanceof Error) throw answer;
      return answer;
    };
    const run = (answer: boolean | Error) => runDoctor(options, { ...fakes({ images: ['tools:1'], git: clean }), inRegistry: inRegistry(answer) });
    expect((await run(true)).find((c) => c.name === 'Airflow image')).toMatchObject({
      status: 'warning',
      detail: 'apache/airflow:3.3.2 is not on the Docker Engine; docker.io has it: check, lint, build and ship pull it when they need it',
    });
    expect((await run(false)).find((c) => c.name === 'Airflow image')).toMatchObject({ status: 'problem', detail: 'apache/airflow:3.3.2 is not on the Docker Engine, and docker.io does not have it' });
    const down = (await run(new DagshipError('cannot reach the registry registry-1.docker.io', 'x'))).find((c) => c.name === 'Airflow image');
    expect(down).toMatchObject({ status: 'problem', detail: 'apache/airflow:3.3.2 is not on the Docker Engine, and docker.io could not be asked: cannot reach the registry registry-1.docker.io' });
    expect(asked).toEqual(['apache/airflow:3.3.2', 'apache/airflow:3.3.2', 'apache/airflow:3.3.2']);
  });

  it('warns about uncommitted changes and a repository that is not under git', async () => {
    const dirty = await runDoctor(options, fakes({ git: { ...clean, dirtyPaths: ['dags/a.py', 'dags/b.py', 'x', 'y'] } }));
    expect(dirty.find((c) => c.name === 'Git repository')).toMatchObject({ status: 'warning', detail: `${'a'.repeat(12)} in /repo, 4 uncommitted change(s): dags/a.py, dags/b.py, x, …` });
    const none = await runDoctor(options, fakes({ git: undefined }));
    expect(none.find((c) => c.name === 'Git repository')?.status).toBe('warning');
  });

  it('reports unconfigured images and registry with the key to set', async () => {
    const checks = await runDoctor({ ...options, base_image: undefined, tools_image: undefined, repository: undefined }, fakes({ git: clean }));
    expect(checks.find((c) => c.name === 'Airflow image')).toMatchObject({ status: 'problem', hint: "set 'base_image' in dagship.yaml (apache/airflow:3.3.2)" });
    expect(checks.find((c) => c.name === 'Registry')).toMatchObject({ status: 'warning', detail: 'no repository configured' });
  });

  it('lists what it inferred from the repository and checks that image; an ambiguity is a problem row', async () => {
    const root = folderWith({ 'requirements.txt': 'apache-airflow==3.1.0\n', 'dags/a.py': '' });
    const unset = { ...options, root, base_image: undefined, configFile: undefined, image_mirror: { 'docker.io': 'mirror.corp/hub' } };
    const checks = await runDoctor(unset, fakes({ git: clean, images: ['mirror.corp/hub/apache/airflow:3.1.0'] }));
    expect(checks.find((c) => c.name === 'Inferred base_image')).toMatchObject({
      status: 'ok',
      detail: 'base image mirror.corp/hub/apache/airflow:3.1.0 (apache/airflow:3.1.0 through image_mirror; requirements.txt:1 apache-airflow==3.1.0)',
    });
    expect(checks.find((c) => c.name === 'Airflow image')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^mirror.corp\/hub\/apache\/airflow:3.1.0 /) });
    const torn = folderWith({ 'requirements.txt': 'apache-airflow==3.1.0\n', 'constraints.txt': 'apache-airflow==3.0.6\n' });
    const ambiguous = await runDoctor({ ...unset, root: torn }, fakes({ git: clean }));
    expect(ambiguous.find((c) => c.name === 'Inferred settings')).toMatchObject({ status: 'problem', detail: expect.stringMatching(/^the requirements pin different Airflow versions/) });
  });

  it('without tools_image, names the tools image lint will build on the base image, or the problem when there is no Python', async () => {
    const own = { ...options, tools_image: undefined };
    const toBuild = await runDoctor(own, fakes({ git: clean, images: [options.base_image!] }));
    expect(toBuild.find((c) => c.name === 'Tools image')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/^dagship\.local\/tools:\w+ will be built by the first lint: ruff [\d.]+ and bandit [\d.]+ on apache\/airflow:3\.3\.2, from https:\/\/pypi\.org\/simple/),
    });
    const none = await runDoctor({ ...own, base_image: undefined }, fakes({ git: clean, images: [] }));
    expect(none.find((c) => c.name === 'Tools image')).toMatchObject({ status: 'problem', hint: expect.stringContaining('set tools_image') });
  });

  it('turns an unreachable registry into a problem with its hint', async () => {
    const checks = await runDoctor(options, fakes({ git: clean, registryDown: true }));
    expect(checks.find((c) => c.name === 'Registry')).toMatchObject({ status: 'problem', detail: 'cannot reach the registry reg.example.com', hint: 'check the host' });
  });

  it('finds the containers of killed runs, leaves live runs alone, and removes the dead ones with clean', async () => {
    // pid 2^22+1 is above Linux's pid_max: that process is surely gone.
    const labels = (pid: number) => ({ 'io.dagship.command': 'check', 'io.dagship.host': hostname(), 'io.dagship.pid': String(pid), 'io.dagship.pid-start': '' });
    const containers: RunContainer[] = [
      { id: 'dead0123456789', name: 'dagship-check-4194305-1-ab12', image: 'airflow', state: 'running', createdAt: new Date(), labels: labels(4194305) },
      { id: 'live0123456789', name: 'dagship-lint-self', image: 'tools', state: 'running', createdAt: new Date(), labels: labels(process.pid) },
    ];
    const deps = fakes({ git: clean, containers });
    const found = (await runDoctor(options, deps)).find((c) => c.name === 'Leftover containers')!;
    expect(found.status).toBe('warning');
    expect(found.detail).toBe('1 container(s) of killed dagship runs: dagship-check-4194305-1-ab12 (check, running): its dagship process 4194305 is gone (1 of dagship runs still going, left alone)');
    expect(found.hint).toBe('dagship doctor --clean removes them (or: docker rm -f dead01234567)');
    expect(deps.removed).toEqual([]);
    const cleaned = (await runDoctor(options, deps, true)).find((c) => c.name === 'Leftover containers')!;
    expect(cleaned.status).toBe('ok');
    expect(deps.removed).toEqual(['dead0123456789']);
    expect((await runDoctor(options, deps)).find((c) => c.name === 'Leftover containers')!.detail).toBe('none (1 of dagship runs still going, left alone)');
  });
});

describe('runDoctor: tag immutability', () => {
  it('warns for a registry that cannot refuse a moved tag, and says what to set where one can', async () => {
    const ghcr = await runDoctor({ ...options, repository: 'ghcr.io/team/dags' }, fakes({ git: clean }));
    expect(ghcr.find((c) => c.name === 'Tag immutability')).toMatchObject({
      status: 'warning',
      detail: expect.stringContaining('ghcr.io is GitHub Container Registry: it cannot refuse a tag overwrite'),
    });
    const ecr = await runDoctor({ ...options, repository: '1234.dkr.ecr.us-east-1.amazonaws.com/dags' }, fakes({ git: clean }));
    expect(ecr.find((c) => c.name === 'Tag immutability')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/Amazon ECR, which can refuse tag overwrites: set imageTagMutability IMMUTABLE.*cannot read it without AWS API access/),
    });
  });
});
