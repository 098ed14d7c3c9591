import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectDocker } from '../../src/engine/index.js';
import { dagship, gitRepoWith } from './cli.js';
import { infra } from './infra.js';
import { imagesMade } from './images.js';

const env = infra();
const engine = connectDocker();
const { docker, made } = imagesMade(env);

/** A committed DAG repository building into its own repository on the plain registry. */
function dagRepo(files: Record<string, string> = {}, config: Record<string, string> = {}) {
  const repository = `${env.registry}/dagship-test/build-${randomBytes(4).toString('hex')}`;
  const settings = { base_image: env.airflow3Image, repository, ...config };
  const dir = gitRepoWith({
    'dagship.yaml': Object.entries(settings)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n'),
    'dags/etl.py': 'from airflow.sdk import DAG\n',
    'dags/common/__init__.py': '',
    'dags/run.sh': '#!/bin/sh\necho hi\n',
    'dags/tests/test_etl.py': 'def test(): pass\n',
    'dags/__pycache__/etl.cpython-311.pyc': 'bytecode',
    'plugins/macros.py': 'X = 1\n',
    ...files,
  });
  execFileSync('chmod', ['+x', path.join(dir, 'dags/run.sh')]);
  git(dir, 'commit', '-qam', 'executable');
  const sha = git(dir, 'rev-parse', 'HEAD').trim();
  const commitTime = Number(git(dir, 'log', '-1', '--format=%ct').trim());
  made.push(`${repository}:${sha}`, `${repository}:${sha}-dirty`);
  return { dir, repository, sha, commitTime, ref: `${repository}:${sha}` };
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, encoding: 'utf8' });
}

/** Runs a shell command in the image, with no network. */
async function inImage(ref: string, script: string) {
  const result = await engine.run({ image: ref, entrypoint: ['sh', '-c'], cmd: [script], network: 'none' });
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  return result.stdout;
}

describe('dagship build (real engine)', () => {
  it('tags by full commit SHA and labels the image with revision, source, created, base and DAG digest', async () => {
    const repo = dagRepo();
    git(repo.dir, 'remote', 'add', 'origin', 'https://someone:ghp_secret@github.com/team/dags.git');
    const result = await dagship(['build', repo.dir]);
    expect(result.stderr).not.toMatch(/error/);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim()).toBe(repo.ref);
    expect(result.stderr).toMatch(/layer dags: 3 file\(s\), .* → \/opt\/airflow\/dags/);
    expect(result.stderr).toMatch(/left out: dags\/__pycache__, dags\/tests/);
    expect(result.stderr).toMatch(/graph driver overlay2: loading a docker-archive with only the new layers/);
    const image = await docker.getImage(repo.ref).inspect();
    const base = await docker.getImage(env.airflow3Image).inspect();
    expect(image.Config.Labels).toMatchObject({
      'org.opencontainers.image.revision': repo.sha,
      'org.opencontainers.image.source': 'https://github.com/team/dags.git',
      'org.opencontainers.image.created': new Date(repo.commitTime * 1000).toISOString().replace('.000Z', 'Z'),
      'org.opencontainers.image.version': repo.sha,
      'org.opencontainers.image.base.name': env.airflow3Image,
      'org.opencontainers.image.base.digest': base.Id,
    });
    expect(image.Config.Labels['io.dagship.dirty']).toBeUndefined();
    expect(image.Created).toBe(new Date(repo.commitTime * 1000).toISOString().replace('.000Z', 'Z'));
    expect(image.RootFS.Layers?.slice(0, base.RootFS.Layers?.length)).toEqual(base.RootFS.Layers);
    // The label is what sha256sum gives over the baked files inside the image.
    const digest = await inImage(repo.ref, 'find /opt/airflow/dags /opt/airflow/plugins -type f | LC_ALL=C sort | xargs sha256sum | sha256sum');
    expect(image.Config.Labels['io.dagship.dags.digest']).toBe(`sha256:${digest.split(' ')[0]}`);
  });

  it('bakes DAGs (commit time) and plugins (fixed time) owned 50000:0 with normalised modes, nothing else', async () => {
    const repo = dagRepo();
    expect((await dagship(['build', repo.dir])).exitCode).toBe(0);
    const listing = await inImage(repo.ref, "find /opt/airflow/dags /opt/airflow/plugins -printf '%p %U:%G %m %T@\\n' | LC_ALL=C sort");
    const t = `${repo.commitTime}.0000000000`;
    const fixed = `${Date.parse('1980-01-01T00:00:00Z') / 1000}.0000000000`;
    expect(listing.trim().split('\n')).toEqual([
      `/opt/airflow/dags 50000:0 755 ${t}`,
      `/opt/airflow/dags/common 50000:0 755 ${t}`,
      `/opt/airflow/dags/common/__init__.py 50000:0 644 ${t}`,
      `/opt/airflow/dags/etl.py 50000:0 644 ${t}`,
      `/opt/airflow/dags/run.sh 50000:0 755 ${t}`,
      `/opt/airflow/plugins 50000:0 755 ${fixed}`,
      `/opt/airflow/plugins/macros.py 50000:0 644 ${fixed}`,
    ]);
    // The parent folders keep the base image's owners and modes (an overlay layer would otherwise hide them).
    expect(await inImage(repo.ref, 'stat -c "%n %U:%G %a" /opt /opt/airflow')).toBe('/opt root:root 755\n/opt/airflow airflow:root 775\n');
  });

  it('honours .dockerignore and installs requirements.txt with pip in its own layer below the DAGs', async () => {
    // A fresh comment makes a new requirements file, so pip really runs (on the host network, in the build only).
    const requirements = `# e2e ${randomBytes(4).toString('hex')}\nhumanize==4.12.1\n`;
    const repo = dagRepo({ '.dockerignore': 'dags/scratch\n', 'dags/scratch/wip.py': 'x = 1\n', 'requirements.txt': requirements });
    const result = await dagship(['build', repo.dir]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/requirements: pip install of 1 requirement\(s\) with apache-airflow==[\d.]+ pinned, as the image's user \(--network host\)/);
    const cached = /built (dagship\.local\/requirements:[0-9a-f]{20})/.exec(result.stderr)?.[1];
    expect(cached).toBeDefined();
    made.push(cached!);
    expect(await inImage(repo.ref, 'python -c "import humanize; print(humanize.__version__)"; ls /opt/airflow/dags')).toBe('4.12.1\ncommon\netl.py\nrun.sh\n');
    const layers = (await docker.getImage(repo.ref).inspect()).RootFS.Layers ?? [];
    const base = (await docker.getImage(env.airflow3Image).inspect()).RootFS.Layers ?? [];
    expect(layers).toHaveLength(base.length + 3); // pip install, plugins, dags
    // The next build of the same requirements reuses that image: no pip, no network.
    const again = dagRepo({ 'requirements.txt': requirements });
    const second = await dagship(['build', again.dir]);
    expect(second.stderr).toContain(`requirements: reused ${cached} (same base and requirements.txt)`);
  });

  it('is reproducible: the same commit gives the same image ID, also after removing the image and with base layers included', async () => {
    const repo = dagRepo();
    const first = await dagship(['build', repo.dir]);
    expect(first.exitCode).toBe(0);
    const id = (await docker.getImage(repo.ref).inspect()).Id;
    const rebuilt = await dagship(['build', repo.dir]);
    expect(rebuilt.exitCode).toBe(0);
    // Same config digest → the engine's image is this very image: nothing is loaded again.
    expect(rebuilt.stderr).toMatch(/the engine already holds image [0-9a-f]{12}: already tagged, nothing loaded/);
    expect((await docker.getImage(repo.ref).inspect()).Id).toBe(id);
    await docker.getImage(repo.ref).remove();
    const again = await dagship(['build', repo.dir, '--include-base-layers']);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toMatch(/exported 2 parent layer\(s\)/);
    expect(again.stderr).toMatch(/loading a docker-archive with the base layers included/);
    expect((await docker.getImage(repo.ref).inspect()).Id).toBe(id);
    // A clone elsewhere, at another path and time, is the same commit: same image.
    const clone = path.join(path.dirname(repo.dir), `${path.basename(repo.dir)}-clone`);
    execFileSync('git', ['clone', '-q', repo.dir, clone]);
    expect((await dagship(['build', clone])).exitCode).toBe(0);
    expect((await docker.getImage(repo.ref).inspect()).Id).toBe(id);
  });

  it('keeps the plugins layer of the previous commit when only DAGs changed', async () => {
    const repo = dagRepo();
    expect((await dagship(['build', repo.dir])).exitCode).toBe(0);
    const before = (await docker.getImage(repo.ref).inspect()).RootFS.Layers ?? [];
    appendFileSync(path.join(repo.dir, 'dags/etl.py'), '# next\n');
    git(repo.dir, 'commit', '-qam', 'dag change');
    const next = `${repo.repository}:${git(repo.dir, 'rev-parse', 'HEAD').trim()}`;
    made.push(next);
    expect((await dagship(['build', repo.dir])).exitCode).toBe(0);
    const after = (await docker.getImage(next).inspect()).RootFS.Layers ?? [];
    expect(after).toHaveLength(before.length);
    expect(after.at(-2)).toBe(before.at(-2)); // plugins: same bytes, same layer
    expect(after.at(-1)).not.toBe(before.at(-1)); // dags
  });

  it('refuses uncommitted DAG changes (exit 2 with a hint); --allow-dirty tags <sha>-dirty and labels it', async () => {
    const repo = dagRepo({ '.gitignore': 'dags/local.json\n' }, { build: '{extra_tags: [staging]}' });
    made.push(`${repo.repository}:staging`);
    writeFileSync(path.join(repo.dir, 'NOTES.md'), 'not baked\n');
    writeFileSync(path.join(repo.dir, 'dags/local.json'), '{}\n');
    const ignored = await dagship(['build', repo.dir]);
    expect(ignored.exitCode).toBe(0);
    expect(ignored.stderr).toMatch(/warning: baking file\(s\) that git ignores, so no commit holds them: dags\/local.json/);
    appendFileSync(path.join(repo.dir, 'dags/etl.py'), '# wip\n');
    const refused = await dagship(['build', repo.dir]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('error: uncommitted changes in what the image bakes: dags/etl.py');
    expect(refused.stderr).toMatch(/hint: commit them .* or pass --allow-dirty/);
    const dirty = await dagship(['build', repo.dir, '--allow-dirty']);
    expect(dirty.exitCode).toBe(0);
    expect(dirty.stdout.trim()).toBe(`${repo.ref}-dirty`);
    const image = await docker.getImage(`${repo.ref}-dirty`).inspect();
    expect(image.Config.Labels['io.dagship.dirty']).toBe('true');
    expect(image.RepoTags).toEqual([`${repo.ref}-dirty`]); // a dirty build never moves `staging`
  });

  it('tags with the short SHA and extra tags when asked', async () => {
    const repo = dagRepo();
    const result = await dagship(['build', repo.dir, '--short-sha', '--tag', 'staging']);
    expect(result.exitCode).toBe(0);
    const short = `${repo.repository}:${repo.sha.slice(0, 12)}`;
    made.push(short, `${repo.repository}:staging`);
    expect(result.stdout.trim()).toBe(short);
    expect((await docker.getImage(short).inspect()).RepoTags.sort()).toEqual([short, `${repo.repository}:staging`].sort());
  });

  it('gives a build with --dags-folder another tag than the default build of the same commit, and labels the override', async () => {
    const repo = dagRepo({ 'other/etl.py': 'from airflow.sdk import DAG\n' });
    const plain = await dagship(['build', repo.dir]);
    expect(plain.exitCode, plain.stderr).toBe(0);
    expect(plain.stdout.trim()).toBe(repo.ref);
    const other = await dagship(['build', repo.dir, '--dags-folder', 'other']);
    expect(other.exitCode, other.stderr).toBe(0);
    const tag = other.stdout.trim();
    made.push(tag);
    expect(tag).toMatch(new RegExp(`^${repo.ref}-[0-9a-f]{8}$`));
    expect(other.stderr).toContain("overridden: dags_folder, so not the commit's default tag");
    const image = await docker.getImage(tag).inspect();
    expect(image.Config.Labels['io.dagship.overrides']).toBe('{"dags_folder":"other"}');
    expect((await docker.getImage(repo.ref).inspect()).Id).not.toBe(image.Id);
    // The same value as dagship.yaml's (here the default) is no override: the bare commit tag.
    expect((await dagship(['build', repo.dir, '--dags-folder', 'dags'])).stdout.trim()).toBe(repo.ref);
  });

  it("builds the team's Dockerfile through the Engine API and says it is not reproducible", async () => {
    const repo = dagRepo({ Dockerfile: `FROM ${env.airflow3Image}\nCOPY --chown=50000:0 dags/ /opt/airflow/dags/\n` }, { build: '{dockerfile: Dockerfile}' });
    const result = await dagship(['build', repo.dir]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/not reproducible/);
    const image = await docker.getImage(repo.ref).inspect();
    expect(image.Config.Labels['org.opencontainers.image.revision']).toBe(repo.sha);
    // A team Dockerfile may copy tests, so they stay in its context; bytecode never does.
    expect(await inImage(repo.ref, 'ls /opt/airflow/dags')).toBe('common\netl.py\nrun.sh\ntests\n');
  });

  it('says plainly when the base image is neither on the engine nor pullable', async () => {
    const repo = dagRepo();
    const noBase = await dagship(['build', repo.dir, '--base-image', 'dagship-test/no-such-base:1']);
    expect(noBase.exitCode).toBe(2);
    expect(noBase.stderr).toMatch(/error: base image dagship-test\/no-such-base:1 is not on the Docker Engine and pulling it failed/);
    expect(noBase.stderr).toMatch(/hint: check 'base_image'/);
  });
});
