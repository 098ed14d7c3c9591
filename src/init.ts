import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Options } from './config.js';
import { DagshipError, reasonOf } from './errors.js';

/*
 * `dagship init`: what a team needs to start, written into its repository — a dagship.yaml that records
 * what dagship inferred (commented out, so the Dockerfile or requirements stay the one source), the three
 * workflows of examples/workflows and the deploy Role of deploy/rbac.yaml, as dagship ships them.
 */

export interface InitFile {
  /** Relative to the repository root. */
  path: string;
  content: string;
}

/** The workflows and the Role, from the package's own copies; the target names say they are dagship's. */
const TEMPLATES = [
  { from: 'examples/workflows/pull-request.yml', to: '.github/workflows/dagship-pull-request.yml' },
  { from: 'examples/workflows/main.yml', to: '.github/workflows/dagship-main.yml' },
  { from: 'examples/workflows/release.yml', to: '.github/workflows/dagship-release.yml' },
  { from: 'deploy/rbac.yaml', to: 'deploy/dagship-rbac.yaml' },
];

/** The example's Variables file, named by the pull-request workflow; dropped where the repository has none. */
const EXAMPLE_VARIABLES = 'ci/airflow-variables.json';

export function initFiles(options: Options): InitFile[] {
  const templates = TEMPLATES.map(({ from, to }) => ({ path: to, content: adapt(readPackageFile(from), options) }));
  return [{ path: 'dagship.yaml', content: configText(options) }, ...templates];
}

/** The secrets and variables the workflows read, for the team to create. */
export function workflowInputs(files: InitFile[]): { secrets: string[]; variables: string[] } {
  const names = (kind: string) => [...new Set(files.flatMap((f) => [...f.content.matchAll(new RegExp(`\\$\\{\\{\\s*${kind}\\.(\\w+)`, 'g'))].map((m) => m[1]!)))].sort();
  return { secrets: names('secrets'), variables: names('vars') };
}

/**
 * Writes every file or none: an existing one is refused unless `force`, before anything is written; each
 * file goes through a temporary name, so a failure leaves no half-written file behind.
 */
export function writeInitFiles(root: string, files: InitFile[], force: boolean): void {
  const existing = files.filter((f) => existsSync(path.join(root, f.path)));
  if (existing.length && !force) {
    throw new DagshipError(
      `${existing.map((f) => f.path).join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written`,
      'pass --force to overwrite them, or move them aside first',
      'usage',
    );
  }
  const folders = existing.filter((f) => statSync(path.join(root, f.path)).isDirectory());
  if (folders.length) throw new DagshipError(`${folders.map((f) => f.path).join(', ')} is a folder`, 'move it aside; init writes a file there', 'usage');
  const written: string[] = [];
  try {
    for (const file of files) {
      const target = path.join(root, file.path);
      mkdirSync(path.dirname(target), { recursive: true });
      const temporary = `${target}.dagship-init-${process.pid}`;
      written.push(temporary);
      writeFileSync(temporary, file.content, { mode: 0o644 });
    }
    for (const file of files) renameSync(`${path.join(root, file.path)}.dagship-init-${process.pid}`, path.join(root, file.path));
  } catch (err) {
    for (const temporary of written) rmSync(temporary, { force: true });
    throw new DagshipError(`cannot write the init files into ${root}: ${reasonOf(err)}`, 'check that the repository folder is writable', 'usage', { cause: err });
  }
}

function adapt(template: string, options: Options): string {
  if (existsSync(path.join(options.root, EXAMPLE_VARIABLES))) return template;
  return template
    .split('\n')
    .filter((line) => !line.includes(`variables: ${EXAMPLE_VARIABLES}`))
    .join('\n');
}

/** dagship.yaml: every inference as a commented key with where it came from; the repository to fill in. */
function configText(options: Options): string {
  const inferred = options.inferred ?? [];
  const lines = [
    '# dagship settings for this repository, written by `dagship init`. Every key is optional: what is',
    '# commented out below is what dagship inferred from the repository, and infers again on every run',
    '# (so the Dockerfile or requirements stay the one place to change it). Uncomment a key to fix it.',
    'version: 1',
    '',
  ];
  if (inferred.length) {
    lines.push('# Inferred:');
    for (const i of inferred) lines.push(`# ${i.key}: ${yamlValue(valueAt(options, i.key))}   # ${i.what}, from ${i.from}`);
  } else {
    lines.push('# Nothing to infer: no Dockerfile and no apache-airflow pin in requirements. Name the Airflow image:', '# base_image: apache/airflow:3.1.0');
  }
  lines.push(
    '',
    '# Where `push` and `ship` put the image (registry host and repository, no tag); the workflows need it.',
    '# repository: registry.example.com/data-platform/airflow-dags',
    '',
    '# Where inferred image names are pulled from when Docker Hub is not reachable, e.g.:',
    '# image_mirror: registry.example.com/dockerhub',
    '',
  );
  return lines.join('\n');
}

function valueAt(options: Options, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), options);
}

/** A value on one line of YAML (flow style for lists and maps). */
function yamlValue(value: unknown): string {
  if (typeof value === 'string') return /^[\w./:@${}-]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? '';
}

/** A file of the dagship package: beside the bundle (dist/cli.js) or this module (src/init.ts). */
function readPackageFile(relative: string): string {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', relative);
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new DagshipError(`${relative} is missing from this dagship installation: ${reasonOf(err)}`, 'reinstall dagship', 'infra', { cause: err });
  }
}
