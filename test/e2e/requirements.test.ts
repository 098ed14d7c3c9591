import Docker from 'dockerode';
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDocker } from '../../src/engine/index.js';
import { dagship, gitRepoWith, REPO_ROOT } from './cli.js';
import { infra } from './infra.js';
import { removeImages } from './images.js';
import { startPackageIndex, type PackageIndex } from './package-index.js';

const env = infra();
const engine = connectDocker();
const docker = new Docker({ socketPath: env.dockerHost.replace('unix://', '') });
const made: string[] = [];

const USER = 'ci-reader';
const PASSWORD = `Pw-${randomBytes(9).toString('hex')}`;
/** Every form the password could be stored in: as typed, and as the Basic auth header carries it. */
const NEEDLES = [PASSWORD, Buffer.from(`${USER}:${PASSWORD}`).toString('base64')];

let index: PackageIndex;
let airflowVersion: string;
beforeAll(async () => {
  index = await startPackageIndex(USER, PASSWORD, {
    'dagship-private-pkg': { versions: [{ version: '1.0' }] },
    // Installing it would take Airflow to a version that does not exist: the pin must refuse it.
    'needs-newer-airflow': { versions: [{ version: '1.0', requires: ['apache-airflow>=99'] }] },
    // Its newest version needs a package that cannot be installed beside the image's Airflow: pip
    // finds out only after choosing it, and goes back to 1.0.
    'backtrack-me': { versions: [{ version: '1.0' }, { version: '2.0', requires: ['needs-newer-airflow'] }] },
    'slow-pkg': { versions: [{ version: '1.0' }], delayMs: 120_000 },
  });
  airflowVersion = (await inImage(env.airflow3Image, 'python -c "import importlib.metadata as m; print(m.version(\'apache-airflow\'))"')).trim();
});
afterAll(async () => {
  await index.close();
  await removeImages(docker, made);
});

/** A committed repository whose requirements.txt is new (a fresh comment), so pip really runs. */
function repoNeeding(requirement: string) {
  const repository = `${env.registry}/dagship-test/reqs-${randomBytes(4).toString('hex')}`;
  const dir = gitRepoWith({
    'dagship.yaml': `base_image: ${env.airflow3Image}\nrepository: ${repository}\n`,
    'dags/etl.py': 'from airflow.sdk import DAG\n',
    'requirements.txt': `# e2e ${randomBytes(4).toString('hex')}\n${requirement}\n`,
  });
  return { dir, repository };
}

/** A HOME of its own, so the machine's ~/.netrc and pip.conf play no part. */
function emptyHome(): string {
  return mkdtempSync(path.join(tmpdir(), 'dagship-home-'));
}

async function build(dir: string, extra: Record<string, string>) {
  const result = await dagship(['build', dir], { env: { HOME: emptyHome(), ...extra } });
  const ref = /^(\S+:[0-9a-f]{40})$/m.exec(result.stdout)?.[1];
  const cached = /built (dagship\.local\/requirements:[0-9a-f]{20})/.exec(result.stderr)?.[1];
  made.push(...[ref, cached].filter((r): r is string => Boolean(r)));
  return { ...result, ref, cached };
}

async function inImage(ref: string, script: string) {
  const result = await engine.run({ image: ref, entrypoint: ['sh', '-c'], cmd: [script], network: 'none' });
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  return result.stdout;
}

/**
 * Every byte of the image as `docker save` gives it — each layer, its files (gunzipped when gzip'd),
 * the config with its Env, Labels, Cmd and history, the manifest — searched for each needle.
 */
async function findInImage(ref: string, needles: string[]): Promise<string[]> {
  const found: string[] = [];
  const search = (where: string, bytes: Buffer) => {
    for (const n of needles) if (bytes.includes(n)) found.push(`${where}: ${n}`);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      try {
        search(`${where} (gunzipped)`, gunzipSync(bytes));
      } catch {
        /* not gzip after all */
      }
    }
  };
  await eachEntry(await docker.getImage(ref).get(), async (name, bytes) => {
    search(name, bytes);
    if (name.endsWith('.tar')) await eachEntry(bytesStream(bytes), async (inner, content) => search(`${name}:${inner}`, content));
  });
  return found;
}

function eachEntry(stream: NodeJS.ReadableStream, visit: (name: string, bytes: Buffer) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const extract = tar.extract();
    extract.on('entry', (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (c) => chunks.push(c as Buffer));
      body.on('end', () => {
        visit(header.name, Buffer.concat(chunks)).then(() => next(), reject);
      });
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
    stream.pipe(extract);
  });
}

const bytesStream = (bytes: Buffer): NodeJS.ReadableStream => Readable.from([bytes]);

/** A build that must succeed, install the private package, keep Airflow, and hold the password nowhere. */
async function expectPrivateInstall(result: Awaited<ReturnType<typeof build>>) {
  expect(result.stderr).not.toMatch(/^error/m);
  expect(result.exitCode).toBe(0);
  expect(result.stderr).toMatch(new RegExp(`requirements: pip install of 1 requirement\\(s\\) with apache-airflow==${airflowVersion.replaceAll('.', '\\.')} pinned`));
  // pip's progress is shown without --verbose.
  expect(result.stderr).toMatch(/pip: Collecting dagship-private-pkg/);
  expect(result.stderr).toMatch(/pip: Successfully installed dagship-private-pkg-1\.0/);
  expect(await inImage(result.ref!, 'python -c "import dagship_private_pkg, importlib.metadata as m; print(dagship_private_pkg.VALUE, m.version(\'apache-airflow\'))"')).toBe(
    `1.0 ${airflowVersion}\n`,
  );
  for (const needle of NEEDLES) expect(result.stdout + result.stderr).not.toContain(needle);
  expect(await findInImage(result.ref!, NEEDLES)).toEqual([]);
  expect(await findInImage(result.cached!, NEEDLES)).toEqual([]);
}

describe('requirements from a private package index (real engine, pip and an index on 127.0.0.1)', () => {
  it('installs with credentials in PIP_INDEX_URL, and the password is nowhere in the image or the output', async () => {
    const before = index.requests.length;
    const repo = repoNeeding('dagship-private-pkg==1.0');
    const result = await build(repo.dir, { PIP_INDEX_URL: index.urlWithCredentials });
    await expectPrivateInstall(result);
    expect(result.stderr).toContain('index settings from PIP_INDEX_URL, given to pip only');
    // The password was really used: the index refuses everything without it.
    expect(index.requests.slice(before).filter((r) => r.authorised && r.path.startsWith('/files/'))).toHaveLength(1);
  });

  it('installs with credentials in a netrc', async () => {
    const home = emptyHome();
    writeFileSync(path.join(home, '.netrc'), `machine 127.0.0.1\n  login ${USER}\n  password ${PASSWORD}\n`, { mode: 0o600 });
    const repo = repoNeeding('dagship-private-pkg==1.0');
    const result = await build(repo.dir, { HOME: home, PIP_INDEX_URL: index.url });
    await expectPrivateInstall(result);
    expect(result.stderr).toContain(path.join(home, '.netrc'));
  });

  it('installs with credentials in a pip.conf', async () => {
    const home = emptyHome();
    mkdirSync(path.join(home, '.config', 'pip'), { recursive: true });
    writeFileSync(path.join(home, '.config', 'pip', 'pip.conf'), `[global]\nindex-url = ${index.urlWithCredentials}\n`, { mode: 0o600 });
    const repo = repoNeeding('dagship-private-pkg==1.0');
    const result = await build(repo.dir, { HOME: home });
    await expectPrivateInstall(result);
  });

  it('fails with exit 2 and a hint about credentials when the index refuses them, printing no password', async () => {
    const wrong = `Wrong-${randomBytes(6).toString('hex')}`;
    const repo = repoNeeding('dagship-private-pkg==1.0');
    const result = await build(repo.dir, { PIP_INDEX_URL: index.urlWithCredentials.replace(PASSWORD, wrong) });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/error: installing requirements.txt failed \(pip exit 1\)/);
    expect(result.stderr).toMatch(/hint: the package index listed no version of it: .*the index accepts the credentials given \(PIP_INDEX_URL/);
    expect(result.stdout + result.stderr).not.toContain(wrong);
    expect(result.ref).toBeUndefined();
  });
});

describe('requirements cannot change Airflow', () => {
  it('refuses a requirement that needs another Airflow with pip’s conflict, exit 2, and builds no image', async () => {
    const repo = repoNeeding('needs-newer-airflow');
    const result = await build(repo.dir, { PIP_INDEX_URL: index.urlWithCredentials });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`error: requirements.txt conflicts with the image's apache-airflow==${airflowVersion}:`);
    expect(result.stderr).toMatch(/needs-newer-airflow 1\.0 depends on apache-airflow>=99/);
    expect(result.stderr).toMatch(/hint: a requirement needs another Airflow than the base image's/);
    expect(await docker.listImages({ filters: JSON.stringify({ reference: [`${repo.repository}:*`] }) })).toEqual([]);
  });

  it('warns once, naming the package, when pip backtracks, and still installs what fits', async () => {
    const repo = repoNeeding('backtrack-me');
    const result = await build(repo.dir, { PIP_INDEX_URL: index.urlWithCredentials });
    expect(result.exitCode).toBe(0);
    const warnings = result.stderr.split('\n').filter((l) => l.includes('pip is backtracking'));
    expect(warnings).toHaveLength(1);
    // The package pip names (the last one it chose before going back), and what to do about it.
    const named = /it tries one version of (\S+) after another/.exec(warnings[0]!)?.[1];
    expect(result.stderr).toContain(`INFO: pip is looking at multiple versions of ${named}`);
    expect(warnings[0]).toContain(
      `pin ${named} in requirements.txt, or constrain every package with Airflow's constraints file (-c https://raw.githubusercontent.com/apache/airflow/constraints-${airflowVersion}/`,
    );
    expect(await inImage(result.ref!, 'python -c "import backtrack_me, importlib.metadata as m; print(backtrack_me.VALUE, m.version(\'apache-airflow\'))"')).toBe(`1.0 ${airflowVersion}\n`);
  });

  it('stops pip at build.requirements_timeout, removes its container and names the setting', async () => {
    const repo = repoNeeding('slow-pkg');
    const started = Date.now();
    const child = execa('node', [path.join(REPO_ROOT, 'dist/cli.js'), 'build', repo.dir], {
      env: { NO_COLOR: '1', HOME: emptyHome(), PIP_INDEX_URL: index.urlWithCredentials, DAGSHIP_BUILD_REQUIREMENTS_TIMEOUT: '8s' },
      reject: false,
    });
    const result = await child;
    expect(result.exitCode).toBe(2);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(result.stderr).toMatch(/error: pip install of requirements.txt did not finish in 8s and was stopped/);
    expect(result.stderr).toMatch(/hint: raise build.requirements_timeout/);
    const left = await docker.listContainers({ all: true, filters: JSON.stringify({ name: [`dagship-build-${child.pid}-`] }) });
    expect(left).toEqual([]);
  });

  it('removes pip’s container when SIGINT stops the build, and exits 130', async () => {
    const repo = repoNeeding('slow-pkg');
    const child = execa('node', [path.join(REPO_ROOT, 'dist/cli.js'), 'build', repo.dir], {
      env: { NO_COLOR: '1', HOME: emptyHome(), PIP_INDEX_URL: index.urlWithCredentials },
      reject: false,
    });
    // pip's container (not the one that reads the Airflow version first), once pip asks the index.
    const before = index.requests.length;
    const ours = async () => (await docker.listContainers({ all: true, filters: JSON.stringify({ name: [`dagship-build-${child.pid}-`] }) })).filter((c) => c.Command.includes('sleep'));
    const deadline = Date.now() + 120_000;
    while (!index.requests.slice(before).some((r) => r.path.startsWith('/simple/slow-pkg')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await ours()).toHaveLength(1);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(await ours()).toEqual([]);
  });
});
