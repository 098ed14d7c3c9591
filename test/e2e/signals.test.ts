import Docker from 'dockerode';
import { execa, type ResultPromise } from 'execa';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionSnapshot, runAct } from '../fixtures/act/act.js';
import { cancelLikeGitHub, runAction } from './actions-runner.js';
import { dagship, gitRepoWith, REPO_ROOT } from './cli.js';
import { infra } from './infra.js';

/*
 * A real signal at a chosen moment: the moment is seen on the engine (the command's labelled container
 * is there) or in the run's own TMPDIR (its build folder), never guessed with a sleep.
 */
const env = infra();
const docker = new Docker({ socketPath: env.dockerHost.replace('unix://', '') });
const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const temporary: string[] = [];
const tempDir = (prefix: string) => temporary[temporary.push(mkdtempSync(path.join(tmpdir(), `dagship-sig-${prefix}-`))) - 1]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A tools image whose ruff sleeps: lint's container surely runs when the signal comes. */
const SLOW_TOOLS = `dagship-test/slow-tools:${randomBytes(3).toString('hex')}`;

const temporaryRepo = (files: Record<string, string>) => temporary[temporary.push(gitRepoWith(files)) - 1]!;

/** A repository whose one DAG file sleeps at import, so the check's container runs for minutes. */
function sleepyRepo(extra: Record<string, string> = {}): string {
  const config = [`base_image: ${env.airflow3Image}`, `tools_image: ${env.toolsImage}`, `repository: ${env.registry}/dagship-test/signals`, 'check:', '  timeout: 300'];
  return temporaryRepo({
    'dagship.yaml': `${config.join('\n')}\n`,
    // Names airflow and DAG: Airflow's safe mode skips a file that mentions neither.
    'dags/sleepy.py': 'import time\n\nfrom airflow import DAG  # noqa: F401\n\ntime.sleep(600)\n',
    ...extra,
  });
}

/** 48 MB of incompressible DAG data: writing and loading the layer takes a while. */
async function bulkyRepo(): Promise<string> {
  const repo = sleepyRepo();
  mkdirSync(path.join(repo, 'dags', 'data'));
  for (let i = 0; i < 6; i++) writeFileSync(path.join(repo, 'dags', 'data', `blob-${i}.bin`), randomBytes(8 * 1024 * 1024));
  await execa('git', ['add', '.'], { cwd: repo });
  await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'data'], { cwd: repo });
  return repo;
}

/** The built CLI as a process of its own, with a TMPDIR of its own (to see what it leaves there). */
function start(args: string[], tmp = tempDir('tmp'), extra: Record<string, string> = {}): { child: ResultPromise<{ reject: false }>; tmp: string } {
  const child = execa('node', [CLI, ...args], { env: { NO_COLOR: '1', DOCKER_HOST: env.dockerHost, TMPDIR: tmp, ...extra }, reject: false });
  return { child, tmp };
}

const containersOf = (pid: number) => docker.listContainers({ all: true, filters: { label: [`io.dagship.pid=${pid}`] } });

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 120_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) {
    const found = await probe();
    if (found !== undefined) return found;
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Waits until the process's labelled container runs; returns it. */
// Not the half-second container that reads an image's Airflow version (by image ID) on a cold cache.
const working = (c: { State: string; Image: string }) => c.State === 'running' && !c.Image.startsWith('sha256:');
const runningContainer = (pid: number) => until(`a running container of pid ${pid}`, async () => (await containersOf(pid)).find(working));

const dagshipFolders = (tmp: string) => readdirSync(tmp).filter((name) => name.startsWith('dagship-'));

async function buildSlowTools(): Promise<void> {
  const pack = tar.pack();
  pack.entry(
    { name: 'Dockerfile' },
    [`FROM ${env.toolsImage}`, 'USER root', "RUN mkdir -p /slow && printf '#!/bin/sh\\nexec sleep 600\\n' > /slow/ruff && chmod 755 /slow/ruff", 'ENV PATH=/slow:$PATH', ''].join('\n'),
  );
  pack.finalize();
  const stream = await docker.buildImage(pack as unknown as NodeJS.ReadableStream, { t: SLOW_TOOLS, networkmode: 'none' });
  await new Promise((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve(undefined))));
}

beforeAll(buildSlowTools, 120_000);

afterAll(async () => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
  await docker
    .getImage(SLOW_TOOLS)
    .remove({ force: true })
    .catch(() => undefined);
  // What ship and build made of the sleepy repositories.
  for (const image of await docker.listImages({ filters: { reference: [`${env.registry}/dagship-test/signals`] } })) {
    await docker
      .getImage(image.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
});

describe('a signal during a command removes its containers and temp folders, and exits 130/143', () => {
  it.each([
    ['check', 'SIGINT', 130],
    ['check', 'SIGTERM', 143],
  ] as const)('%s, %s → %i', async (command, signal, code) => {
    const repo = sleepyRepo();
    const { child, tmp } = start([command, repo, '--no-cache']);
    const container = await runningContainer(child.pid!);
    expect(container.Labels['io.dagship.command']).toBe('check');
    expect(container.Names[0]).toMatch(new RegExp(`^/dagship-check-${child.pid}-`));
    child.kill(signal);
    const result = await child;
    expect(result.exitCode).toBe(code);
    expect(result.stderr).toContain(`${signal}: cleaning up, then exiting`);
    expect(result.stderr).not.toMatch(/error:|unexpected/);
    expect(await containersOf(child.pid!)).toEqual([]);
    expect(dagshipFolders(tmp)).toEqual([]);
  });

  it('test, SIGINT while a test hangs → 130: the test container and the request folder go', async () => {
    const repo = temporaryRepo({
      'dagship.yaml': `base_image: ${env.airflow3Image}\ntest:\n  timeout: 10m\n`,
      'requirements-dev.txt': 'pytest==8.3.5\n',
      'dags/__init__.py': '',
      'tests/test_hangs.py': 'import time\n\n\ndef test_hangs():\n    time.sleep(600)\n',
    });
    const { child, tmp } = start(['test', repo, '--no-cache']);
    const container = await until('the test container', async () => (await containersOf(child.pid!)).find((c) => working(c) && c.Image.startsWith('dagship.local/test-env:')));
    expect(container.Labels['io.dagship.command']).toBe('test');
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('SIGINT: cleaning up, then exiting');
    expect(await containersOf(child.pid!)).toEqual([]);
    expect(dagshipFolders(tmp)).toEqual([]);
  });

  it('lint, SIGINT → 130: the tools container goes', async () => {
    const { child, tmp } = start(['lint', sleepyRepo()], tempDir('tmp'), { DAGSHIP_TOOLS_IMAGE: SLOW_TOOLS });
    const container = await runningContainer(child.pid!);
    expect(container.Labels['io.dagship.command']).toBe('lint');
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('SIGINT: cleaning up, then exiting');
    expect(await containersOf(child.pid!)).toEqual([]);
    expect(dagshipFolders(tmp)).toEqual([]);
  });

  it('ship --no-push, SIGINT during the check in the built image → 130: container and build folder gone', async () => {
    const repo = sleepyRepo();
    const { child, tmp } = start(['ship', repo, '--no-push']);
    const container = await until('ship’s check container', async () => (await containersOf(child.pid!)).find((c) => working(c) && c.Image !== env.toolsImage));
    expect(container.Labels['io.dagship.command']).toBe('ship');
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(await containersOf(child.pid!)).toEqual([]);
    expect(dagshipFolders(tmp)).toEqual([]);
  });

  it('build, SIGINT while its layer folder is there → 130: the folder goes', async () => {
    const { child, tmp } = start(['build', await bulkyRepo()]);
    const folder = await until('the build folder', () => dagshipFolders(tmp).find((name) => name.startsWith('dagship-build-')), 120_000);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('SIGINT: cleaning up, then exiting');
    expect(dagshipFolders(tmp)).not.toContain(folder);
    expect(dagshipFolders(tmp)).toEqual([]);
  });
});

describe('a second signal', () => {
  it('exits at once during the cleanups and names the command that finishes them', async () => {
    const { child } = start(['check', sleepyRepo(), '--no-cache']);
    await runningContainer(child.pid!);
    let stderr = '';
    let second = false;
    // Two signals sent back to back merge into one: the second goes the moment the first is being handled,
    // from the output event itself (the cleanups take ~150 ms; a polling loop could miss them).
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!second && stderr.includes('SIGINT: cleaning up')) {
        second = true;
        child.kill('SIGINT');
      }
    });
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('SIGINT again: exiting now; to finish what was stopped, run: dagship doctor --clean');
    // Whatever the cut-short cleanup left, the named command removes it.
    await dagship(['doctor', '--clean'], { env: { DOCKER_HOST: env.dockerHost } });
    expect(await containersOf(child.pid!)).toEqual([]);
  });
});

describe('dagship doctor finds what killed runs left, and --clean removes only those', () => {
  it('a SIGKILLed check leaves its container; doctor names it, leaves a live run alone, --clean removes it', async () => {
    const repo = sleepyRepo();
    const killed = start(['check', repo, '--no-cache']).child;
    const leftover = await runningContainer(killed.pid!);
    killed.kill('SIGKILL');
    await killed;
    expect((await containersOf(killed.pid!)).map((c) => c.Id)).toEqual([leftover.Id]);
    const live = start(['check', repo, '--no-cache']).child;
    const liveContainer = await runningContainer(live.pid!);
    try {
      const name = leftover.Names[0]!.slice(1);
      const report = await dagship(['doctor', repo], { env: { DOCKER_HOST: env.dockerHost } });
      expect(report.stdout).toMatch(new RegExp(`warning\\s+Leftover containers\\s+.*${name} \\(check, running\\): its dagship process ${killed.pid} is gone`));
      expect(report.stdout).toContain('dagship doctor --clean removes them');
      expect(report.stdout).not.toContain(liveContainer.Names[0]!.slice(1));
      const cleaned = await dagship(['doctor', repo, '--clean'], { env: { DOCKER_HOST: env.dockerHost } });
      expect(cleaned.stdout).toMatch(new RegExp(`ok\\s+Leftover containers\\s+removed \\d+ container\\(s\\) of killed dagship runs: .*${name}`));
      expect(await containersOf(killed.pid!)).toEqual([]);
      expect((await containersOf(live.pid!)).map((c) => c.Id)).toEqual([liveContainer.Id]);
    } finally {
      live.kill('SIGINT');
      expect((await live).exitCode).toBe(130);
    }
    expect(await containersOf(live.pid!)).toEqual([]);
  });
});

describe("GitHub's cancel sequence against the action steps (the runner's bash -e {0}, signalled as the runner does)", () => {
  const actionEnv = (tmp: string) => ({ DOCKER_HOST: env.dockerHost, TMPDIR: tmp, DAGSHIP_CHECK_TIMEOUT: '300' });

  it.each([
    ['actions/check', {}],
    ['the root action (stages lint,check)', { stages: 'lint,check' }],
  ] as const)('%s: the CLI gets the first SIGINT, removes its container, the step exits 130', async (name, inputs) => {
    const repo = sleepyRepo();
    const tmp = tempDir('tmp');
    const dir = name === 'actions/check' ? path.join(REPO_ROOT, 'actions/check') : REPO_ROOT;
    let bash = 0;
    const step = runAction(dir, inputs, actionEnv(tmp), repo, (pid) => (bash = pid));
    // check mounts the repository's folders where the image keeps them (dags/ …), not the whole repository.
    const container = await until('the check container', async () =>
      bash
        ? (await docker.listContainers({ filters: { label: ['io.dagship.command=check'] } })).find(
            (c) => c.State === 'running' && c.Mounts.some((m) => m.Source === repo || m.Source.startsWith(`${repo}/`)),
          )
        : undefined,
    );
    const sent = await cancelLikeGitHub(bash);
    const run = await step;
    expect(sent).toEqual(['SIGINT']);
    expect(run.stderr).toContain('SIGINT: cleaning up, then exiting');
    expect(run.exitCode).toBe(130);
    expect((await docker.listContainers({ all: true })).map((c) => c.Id)).not.toContain(container.Id);
    expect(dagshipFolders(tmp)).toEqual([]);
  });
});

/** The parent pid and command name of a process, from /proc/<pid>/stat. */
function procOf(pid: number): { ppid: number; comm: string } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) };
}

/** The step's own process: the ancestor of `pid` (itself included) whose parent is act. */
function stepProcessOf(pid: number): number {
  for (let p = pid; p > 1; p = procOf(p).ppid) if (procOf(procOf(p).ppid).comm === 'act') return p;
  throw new Error(`process ${pid} does not run under act`);
}

describe('actions/build under the same harness', () => {
  it('outputs the image it built; cancelled mid-build, the CLI gets the SIGINT and its layer folder goes', async () => {
    const repo = await bulkyRepo();
    const tmp = tempDir('tmp');
    const built = await runAction(path.join(REPO_ROOT, 'actions/build'), {}, { DOCKER_HOST: env.dockerHost, TMPDIR: tmp }, repo);
    expect(built.exitCode).toBe(0);
    expect(built.outputs.image).toMatch(new RegExp(`^${env.registry}/dagship-test/signals:[0-9a-f]{40}$`));
    await docker.getImage(built.outputs.image!).remove({ force: true });
    let bash = 0;
    const step = runAction(path.join(REPO_ROOT, 'actions/build'), {}, { DOCKER_HOST: env.dockerHost, TMPDIR: tmp }, repo, (pid) => (bash = pid));
    await until('the build folder', () => (bash ? dagshipFolders(tmp).find((name) => name.startsWith('dagship-build-')) : undefined));
    const sent = await cancelLikeGitHub(bash);
    const run = await step;
    expect(sent).toEqual(['SIGINT']);
    expect(run.stderr).toContain('SIGINT: cleaning up, then exiting');
    expect(run.exitCode).toBe(130);
    expect(dagshipFolders(tmp).filter((name) => name.startsWith('dagship-build-'))).toEqual([]);
  });
});

describe('under act: the cancel sequence sent to the step act started', () => {
  /*
   * act itself cannot cancel a step as GitHub does: its host runner ends a step's command with Go's
   * exec.CommandContext, i.e. one SIGKILL, never SIGINT first. So act runs the workflow, and this test
   * sends GitHub's sequence to the step's process exactly as the runner's ProcessInvoker does.
   */
  it('actions/check in a real workflow run: the CLI gets the first SIGINT and removes its container', async () => {
    const workflow = [
      'name: cancel',
      'on: push',
      'jobs:',
      '  check:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - uses: org/airflow-dag-ci/actions/check@v1',
      '',
    ].join('\n');
    const repo = sleepyRepo({ '.github/workflows/cancel.yml': workflow });
    const tmp = tempDir('tmp');
    const actionRepo = actionSnapshot(REPO_ROOT);
    temporary.push(actionRepo);
    const actEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(KUBECONFIG|GITHUB_.*|RUNNER_.*|ACTIONS_.*|CI)$/.test(name)));
    const run = runAct({
      act: env.act,
      repo,
      event: 'push',
      workflow: '.github/workflows/cancel.yml',
      payload: {},
      actionRepo,
      cacheDir: tempDir('cache'),
      env: { ...actEnv, TMPDIR: tmp, DAGSHIP_CACHE_DIR: tempDir('checks') },
    });
    const container = await until('the check container under act', async () =>
      (await docker.listContainers({ filters: { label: ['io.dagship.command=check'] } })).find(
        (c) => c.State === 'running' && c.Labels['io.dagship.pid'] && isUnderAct(Number(c.Labels['io.dagship.pid'])),
      ),
    );
    const cli = Number(container.Labels['io.dagship.pid']);
    const step = stepProcessOf(cli);
    const sent = await cancelLikeGitHub(step);
    const result = await run;
    expect(step).toBe(cli); // exec: the step's bash became the CLI
    expect(sent).toEqual(['SIGINT']);
    expect(result.output).toContain('SIGINT: cleaning up, then exiting');
    expect(result.jobs.check).toBe('failure');
    expect((await docker.listContainers({ all: true })).map((c) => c.Id)).not.toContain(container.Id);
    expect(dagshipFolders(tmp)).toEqual([]);
  });
});

function isUnderAct(pid: number): boolean {
  try {
    stepProcessOf(pid);
    return true;
  } catch {
    return false;
  }
}
